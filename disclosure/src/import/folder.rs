//! A county's content folder, as kept in `assets/demo/` and handed to
//! `county publish`:
//!
//! ```text
//! regions.csv                         行政区划代码,名称,层级,上级代码
//! catalog/<代码-名称>/*.csv|xlsx       catalog sheets of that region
//! catalog/<代码>/*.json                 or catalog shards of a feed (see crate::feed)
//! documents/<代码-名称>/*.md|txt       documents; <name>.解读.md interprets one
//! guides/<代码-名称>/*.md              办事指南
//! notices/<代码-名称>/*.md             公告, 征求意见, 政府开放日
//! ```
//!
//! Only what this layout defines is read and travels to terminals
//! ([`LoadedContent::files`]): the records and the attachments their
//! `附件` lists. A symbolic link or special file in a region folder (or a
//! region folder that is a link) is an error: it is never followed. Any
//! other file there is skipped with a warning naming it; in a feed
//! ([`load_feed_dir`], what a terminal or a bundle check reads) it is an
//! error, and so is a catalog file other than a JSON shard.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ImportError;
use super::catalog::{is_catalog_file, parse_catalog_file};
use super::front_matter::FrontMatter;
use super::grid::{decode_text, parse_csv};
use crate::{
    Attachment, CatalogItem, ContentBundle, Date, Document, DocumentKey, Domain, EffectStatus,
    Interpretation, InterpretationForm, Notice, NoticeKind, Region, RegionCode, RegionLevel,
    ServiceGuide,
};

/// A loaded folder and what was noticed on the way.
#[derive(Debug, Clone, Default)]
pub struct LoadedContent {
    pub bundle: ContentBundle,
    pub warnings: Vec<ImportError>,
    /// The files of documents/, guides/ and notices/ that travel as they
    /// are: every record read and every attachment a document lists.
    pub files: Vec<ContentFile>,
    /// The files of those folders left out because the format does not
    /// define them (also among `warnings`).
    pub skipped: Vec<ImportError>,
}

/// A record or attachment file of a content folder, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFile {
    /// `documents`, `guides` or `notices`.
    pub folder: &'static str,
    pub region: RegionCode,
    pub file_name: String,
    pub path: PathBuf,
}

/// Who wrote the folder being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A county's folder: catalog sheets allowed, stray files warned about.
    County,
    /// Laid out from a feed's targets: catalog shards only, stray files
    /// are errors (the county never publishes one).
    Feed,
}

/// What a directory entry is, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    File,
    Dir,
    /// A symbolic link or a special file (FIFO, socket, device).
    Refused,
}

fn entry_kind(p: &Path) -> EntryKind {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_file() => EntryKind::File,
        Ok(m) if m.file_type().is_dir() => EntryKind::Dir,
        _ => EntryKind::Refused,
    }
}

/// The error for a link or special file found where content is read.
fn refused_entry(p: &Path) -> ImportError {
    ImportError::file(
        &p.display().to_string(),
        "是符号链接或特殊文件，不会读取，也不会发布；请放入文件本身，或删去它".into(),
    )
}

/// Hidden files and Office lock files: never read, never published.
fn is_hidden(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.starts_with("~$")
}

/// A file in a region folder that is none of the content the layout
/// defines: skipped with a warning in a county's folder, an error in a feed.
fn stray(
    source: Source,
    p: &Path,
    what: &str,
    errors: &mut Vec<ImportError>,
    out: &mut LoadedContent,
) {
    let file = p.display().to_string();
    match source {
        Source::County => {
            let w = ImportError::file(
                &file,
                format!("不是{what}，未发布（只发布 .md/.txt 记录和文件“附件”所列的文件）"),
            );
            out.skipped.push(w.clone());
            out.warnings.push(w);
        }
        Source::Feed => errors.push(ImportError::file(
            &file,
            format!("不是{what}，内容中不应有此文件，已拒绝"),
        )),
    }
}

/// The entries of a region folder worth reading: regular files that are
/// not hidden. Links and special files are errors; sub-folders and other
/// files are left to `other`.
fn region_files(
    rdir: &Path,
    errors: &mut Vec<ImportError>,
    mut other: impl FnMut(&Path, EntryKind),
) -> Vec<PathBuf> {
    let entries = match sorted_entries(rdir) {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for p in entries {
        if is_hidden(&p) {
            continue;
        }
        match entry_kind(&p) {
            EntryKind::File => files.push(p),
            EntryKind::Refused => errors.push(refused_entry(&p)),
            kind @ EntryKind::Dir => other(&p, kind),
        }
    }
    files
}

/// Largest attachment accepted.
const MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;

/// Reads `regions.csv`: every code valid, its level matching its length,
/// its parent listed.
pub fn load_regions(path: &Path) -> Result<Vec<Region>, Vec<ImportError>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| vec![ImportError::file(&file, format!("无法读取：{e}"))])?;
    let text =
        decode_text(&bytes).ok_or_else(|| vec![ImportError::file(&file, "不是文本文件".into())])?;
    let grid = parse_csv(&text, &file).map_err(|e| vec![e])?;
    let header: Vec<&str> = (0..4).map(|c| grid.cell(0, c)).collect();
    if header != ["行政区划代码", "名称", "层级", "上级代码"] {
        return Err(vec![grid.error(
            Some(0),
            None,
            "表头应为“行政区划代码,名称,层级,上级代码”".into(),
        )]);
    }
    let mut regions = Vec::new();
    let mut errors = Vec::new();
    let mut codes = HashSet::new();
    for row in 1..grid.rows.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        let code = match grid.cell(row, 0).parse::<RegionCode>() {
            Ok(c) => c,
            Err(e) => {
                errors.push(grid.error(Some(row), Some(0), e.to_string()));
                continue;
            }
        };
        let name = grid.cell(row, 1).to_string();
        if name.is_empty() {
            errors.push(grid.error(Some(row), Some(1), "名称不能为空".into()));
        }
        let level = match RegionLevel::from_chinese(grid.cell(row, 2)) {
            Some(l) if l == code.level() => l,
            Some(l) => {
                errors.push(grid.error(
                    Some(row),
                    Some(2),
                    format!(
                        "层级“{}”与代码位数不符（{}位代码应为{}）",
                        l.short_name(),
                        code.as_str().len(),
                        code.level().short_name()
                    ),
                ));
                continue;
            }
            None => {
                errors.push(grid.error(
                    Some(row),
                    Some(2),
                    format!("层级“{}”无法识别，应为县、乡或村", grid.cell(row, 2)),
                ));
                continue;
            }
        };
        let parent_text = grid.cell(row, 3);
        let parent = if parent_text.is_empty() {
            None
        } else {
            match parent_text.parse::<RegionCode>() {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(grid.error(Some(row), Some(3), e.to_string()));
                    continue;
                }
            }
        };
        if parent != code.parent() {
            errors.push(grid.error(
                Some(row),
                Some(3),
                format!(
                    "上级代码应为“{}”",
                    code.parent().map(|p| p.to_string()).unwrap_or_default()
                ),
            ));
            continue;
        }
        if !codes.insert(code.clone()) {
            errors.push(grid.error(Some(row), Some(0), format!("代码 {code} 重复")));
            continue;
        }
        regions.push(Region {
            code,
            name,
            level,
            parent,
        });
    }
    for r in &regions {
        if let Some(p) = &r.parent
            && !codes.contains(p)
        {
            errors.push(ImportError::file(
                &file,
                format!("{} {} 的上级 {p} 不在表中", r.code, r.name),
            ));
        }
    }
    if errors.is_empty() {
        Ok(regions)
    } else {
        Err(errors)
    }
}

/// The region a folder named `<代码-名称>` belongs to.
fn folder_region(
    dir: &Path,
    regions: &HashMap<RegionCode, Region>,
) -> Result<RegionCode, ImportError> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code_text = name.split(['-', '_', ' ']).next().unwrap_or("");
    let code: RegionCode = code_text.parse().map_err(|_| {
        ImportError::file(
            &dir.display().to_string(),
            "文件夹名应以行政区划代码开头，例如“990521-云溪县”".into(),
        )
    })?;
    if !regions.contains_key(&code) {
        return Err(ImportError::file(
            &dir.display().to_string(),
            format!("行政区划代码 {code} 不在 regions.csv 中"),
        ));
    }
    Ok(code)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        ImportError::file(&dir.display().to_string(), format!("无法读取文件夹：{e}"))
    })?;
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

/// Region sub-folders of `dir` (missing `dir` is fine: no such content).
fn region_dirs(
    dir: &Path,
    regions: &HashMap<RegionCode, Region>,
    errors: &mut Vec<ImportError>,
) -> Vec<(RegionCode, PathBuf)> {
    if !dir.exists() {
        return Vec::new();
    }
    let entries = match sorted_entries(dir) {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for p in entries {
        // A linked region folder is not followed: it could be anywhere.
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            if !is_hidden(&p) {
                errors.push(refused_entry(&p));
            }
            continue;
        }
        if !p.is_dir() {
            continue;
        }
        match folder_region(&p, regions) {
            Ok(c) => out.push((c, p)),
            Err(e) => errors.push(e),
        }
    }
    out
}

/// Documents, guides and notices are Markdown or plain text files (any
/// case); hidden files and Office lock files are not.
fn is_markdown(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !name.starts_with('.')
        && !name.starts_with("~$")
        && matches!(
            p.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("md" | "txt")
        )
}

/// An attachment must be a plain file name next to its document: no
/// folders, no `..`, no absolute paths.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', ':'])
        && Path::new(name).file_name().is_some_and(|f| f == name)
}

/// Loads a whole content folder. Items without an update column are dated
/// `as_of`. Any error anywhere loads nothing.
pub fn load_content_dir(dir: &Path, as_of: Date) -> Result<LoadedContent, Vec<ImportError>> {
    load_collected(dir, as_of, Source::County)
}

/// Loads a folder laid out from a feed's targets (on a terminal, or a
/// county checking township bundles): the catalog only as JSON shards, and
/// no file the content format does not define.
pub fn load_feed_dir(dir: &Path, as_of: Date) -> Result<LoadedContent, Vec<ImportError>> {
    load_collected(dir, as_of, Source::Feed)
}

/// What a folder read shard by shard hands over as it goes.
pub(crate) enum Part<'a> {
    /// The regions, before any item.
    Regions(&'a [Region]),
    /// The items of one catalog file, each checked, none seen before;
    /// handed over only while the folder has no error so far.
    Items(Vec<CatalogItem>),
}

/// Why a folder read shard by shard was not loaded.
#[derive(Debug)]
pub(crate) enum StreamError<E> {
    /// The folder has errors (all of them, as [`load_feed_dir`] gives).
    Content(Vec<ImportError>),
    /// The sink failed.
    Sink(E),
}

/// [`load_feed_dir`], handing the regions and then each catalog file's
/// items to `sink` as they are read instead of keeping them: the returned
/// bundle has no items. The sink has seen part of a folder that turns out
/// to have errors, so it must be able to forget it (a transaction).
pub(crate) fn load_feed_dir_streamed<E>(
    dir: &Path,
    as_of: Date,
    sink: &mut dyn FnMut(Part<'_>) -> Result<(), E>,
) -> Result<LoadedContent, StreamError<E>> {
    load_dir(dir, as_of, Source::Feed, sink)
}

fn load_collected(
    dir: &Path,
    as_of: Date,
    source: Source,
) -> Result<LoadedContent, Vec<ImportError>> {
    let mut items = Vec::new();
    let mut keep = |part: Part<'_>| {
        if let Part::Items(mut i) = part {
            items.append(&mut i);
        }
        Ok::<(), std::convert::Infallible>(())
    };
    match load_dir(dir, as_of, source, &mut keep) {
        Ok(mut loaded) => {
            loaded.bundle.items = items;
            Ok(loaded)
        }
        Err(StreamError::Content(errors)) => Err(errors),
        Err(StreamError::Sink(never)) => match never {},
    }
}

fn load_dir<E>(
    dir: &Path,
    as_of: Date,
    source: Source,
    sink: &mut dyn FnMut(Part<'_>) -> Result<(), E>,
) -> Result<LoadedContent, StreamError<E>> {
    let regions = load_regions(&dir.join("regions.csv")).map_err(StreamError::Content)?;
    let by_code: HashMap<RegionCode, Region> = regions
        .iter()
        .map(|r| (r.code.clone(), r.clone()))
        .collect();
    sink(Part::Regions(&regions)).map_err(StreamError::Sink)?;
    let mut errors = Vec::new();
    let mut out = LoadedContent::default();
    out.bundle.regions = regions;

    // Catalog sheets.
    let mut keys: HashMap<String, String> = HashMap::new();
    for (region, rdir) in region_dirs(&dir.join("catalog"), &by_code, &mut errors) {
        let mut dirs = Vec::new();
        let mut files = region_files(&rdir, &mut errors, |p, _| dirs.push(p.to_path_buf()));
        if source == Source::Feed {
            // A feed carries the catalog as the county's JSON shards only:
            // no spreadsheet is ever parsed on a terminal.
            let (shards, others): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(crate::feed::is_shard_file_name)
            });
            for p in others.iter().chain(&dirs) {
                errors.push(ImportError::file(
                    &p.display().to_string(),
                    "不是县里生成的目录分片（01.json 至 27.json），已拒绝：终端不读取电子表格"
                        .into(),
                ));
            }
            files = shards;
        }
        // Each file's items go to the sink once the file is read, while
        // the folder has no error: only one file's items are held at a time.
        let mut hand_over =
            |items: Vec<CatalogItem>, errors: &[ImportError]| -> Result<(), StreamError<E>> {
                if errors.is_empty() && !items.is_empty() {
                    sink(Part::Items(items)).map_err(StreamError::Sink)?;
                }
                Ok(())
            };
        for f in files.iter().filter(|p| crate::feed::is_shard_file(p)) {
            match crate::feed::read_shard(f, &region) {
                Ok(items) => {
                    for item in &items {
                        if let Some(first) = keys.insert(item.key.0.clone(), item.source.clone()) {
                            errors.push(ImportError::file(
                                &f.display().to_string(),
                                format!("公开事项“{}”与 {first} 重复", item.name),
                            ));
                        }
                    }
                    hand_over(items, &errors)?;
                }
                Err(e) => errors.push(e),
            }
        }
        for f in files
            .into_iter()
            .filter(|p| source == Source::County && is_catalog_file(p))
        {
            match parse_catalog_file(&f) {
                Ok(parsed) => {
                    out.warnings.extend(parsed.warnings);
                    let mut items = Vec::with_capacity(parsed.items.len());
                    for p in parsed.items {
                        let (file, sheet, row) = (p.file.clone(), p.sheet.clone(), p.row);
                        let item = p.into_item(&region, as_of);
                        if let Some(first) = keys.insert(item.key.0.clone(), item.source.clone()) {
                            errors.push(ImportError {
                                file,
                                sheet,
                                row: Some(row),
                                column: None,
                                message: format!("公开事项“{}”与 {first} 重复", item.name),
                            });
                        }
                        items.push(item);
                    }
                    hand_over(items, &errors)?;
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
    }
    drop(keys);

    // Documents first, so interpretations can find them by 文号.
    let mut interp_files = Vec::new();
    let mut seen_keys: HashMap<String, PathBuf> = HashMap::new();
    let mut claim_key = |key: String, path: &Path, errors: &mut Vec<ImportError>| -> bool {
        match seen_keys.get(&key) {
            Some(first) => {
                errors.push(ImportError::file(
                    &path.display().to_string(),
                    format!("与 {} 同名（只是扩展名不同），请改名", first.display()),
                ));
                false
            }
            None => {
                seen_keys.insert(key, path.to_path_buf());
                true
            }
        }
    };
    for (region, rdir) in region_dirs(&dir.join("documents"), &by_code, &mut errors) {
        let mut others = Vec::new();
        let files = region_files(&rdir, &mut errors, |p, _| others.push(p.to_path_buf()));
        let (records, plain): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|p| is_markdown(p));
        others.extend(plain);
        // Read every file first: a .txt named as another document's
        // attachment is not a document, whatever it holds.
        let mut docs = Vec::new();
        let mut attached: HashSet<String> = HashSet::new();
        for f in records {
            let mut read_errors = Vec::new();
            let fm = read_front_matter(&f, &mut read_errors);
            if let Some(list) = fm.as_ref().and_then(|fm| fm.optional("附件")) {
                attached.extend(list.split(['；', ';']).map(|n| n.trim().to_string()));
            }
            docs.push((f, fm, read_errors));
        }
        for p in &others {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if !name.is_some_and(|n| attached.contains(&n)) || p.is_dir() {
                stray(
                    source,
                    p,
                    "文件、解读或文件所列的附件",
                    &mut errors,
                    &mut out,
                );
            }
        }
        let published = |f: &Path| ContentFile {
            folder: "documents",
            region: region.clone(),
            file_name: f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: f.to_path_buf(),
        };
        for (f, fm, mut read_errors) in docs {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| attached.contains(&n)) {
                continue; // an attachment, not a document
            }
            errors.append(&mut read_errors);
            let Some(fm) = fm else {
                continue;
            };
            if !claim_key(DocumentKey::new(&region, &slug(&f)).0, &f, &mut errors) {
                continue;
            }
            match fm.optional("类型").as_deref() {
                Some("解读") => {
                    out.files.push(published(&f));
                    interp_files.push((region.clone(), f, fm));
                }
                _ => {
                    if let Some((doc, blobs)) = document(&region, &f, fm, &mut errors) {
                        out.files.push(published(&f));
                        for a in &doc.attachments {
                            out.files.push(published(&f.with_file_name(&a.file_name)));
                        }
                        out.bundle.blobs.extend(blobs);
                        out.bundle.documents.push(doc);
                    }
                }
            }
        }
    }
    let mut by_no: BTreeMap<(String, RegionCode), DocumentKey> = BTreeMap::new();
    for d in &out.bundle.documents {
        if let Some(n) = &d.doc_no
            && let Some(first) = by_no.insert((n.clone(), d.region.clone()), d.key.clone())
        {
            errors.push(ImportError::file(
                &d.key.0,
                format!("文号“{n}”与 {first} 重复：同一地区的两份文件不能同一文号"),
            ));
        }
    }
    for (region, f, fm) in interp_files {
        if let Some(i) = interpretation(&region, &f, fm, &by_no, &mut errors) {
            out.bundle.interpretations.push(i);
        }
    }
    for folder in ["guides", "notices"] {
        for (region, rdir) in region_dirs(&dir.join(folder), &by_code, &mut errors) {
            let mut others = Vec::new();
            let files = region_files(&rdir, &mut errors, |p, _| others.push(p.to_path_buf()));
            let (records, plain): (Vec<PathBuf>, Vec<PathBuf>) =
                files.into_iter().partition(|p| is_markdown(p));
            let what = if folder == "guides" {
                "办事指南（.md 或 .txt）"
            } else {
                "公告（.md 或 .txt）"
            };
            for p in others.iter().chain(&plain) {
                stray(source, p, what, &mut errors, &mut out);
            }
            for f in records {
                let Some(fm) = read_front_matter(&f, &mut errors) else {
                    continue;
                };
                let read = if folder == "guides" {
                    guide(&region, &f, fm, &mut errors).map(|g| out.bundle.guides.push(g))
                } else {
                    notice(&region, &f, fm, &mut errors).map(|n| out.bundle.notices.push(n))
                };
                if read.is_some() {
                    out.files.push(ContentFile {
                        folder,
                        region: region.clone(),
                        file_name: f
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        path: f.clone(),
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(StreamError::Content(errors))
    }
}

fn read_front_matter(path: &Path, errors: &mut Vec<ImportError>) -> Option<FrontMatter> {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            errors.push(ImportError::file(&file, format!("无法读取：{e}")));
            return None;
        }
    };
    let Some(text) = decode_text(&bytes) else {
        errors.push(ImportError::file(
            &file,
            "不是文本文件（编码无法识别）".into(),
        ));
        return None;
    };
    match FrontMatter::parse(&file, &text) {
        Ok(fm) => Some(fm),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn slug(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn finish<T>(mut fm: FrontMatter, value: T, errors: &mut Vec<ImportError>) -> Option<T> {
    if fm.body.is_empty() {
        fm.report_line(fm.body_line, "正文为空".into());
    }
    if fm.errors.is_empty() {
        Some(value)
    } else {
        errors.append(&mut fm.errors);
        None
    }
}

fn domain_field(fm: &mut FrontMatter) -> Option<Domain> {
    fm.parsed("领域", Domain::from_name, "26个试点领域之一或“其他”")
}

type Blobs = Vec<(String, Vec<u8>)>;

fn document(
    region: &RegionCode,
    path: &Path,
    mut fm: FrontMatter,
    errors: &mut Vec<ImportError>,
) -> Option<(Document, Blobs)> {
    fm.check_keys(&[
        "类型",
        "标题",
        "文号",
        "发文机关",
        "发文日期",
        "生效日期",
        "失效日期",
        "效力状态",
        "领域",
        "附件",
    ]);
    if let Some(t) = fm.optional("类型")
        && t != "文件"
    {
        fm.report(
            "类型",
            format!("documents 文件夹中的类型应为“文件”或“解读”，不是“{t}”"),
        );
    }
    let title = fm.required("标题");
    let issuer = fm.required("发文机关");
    let issued = fm.date("发文日期", true);
    let effective_from = fm.date("生效日期", false);
    let effective_until = fm.date("失效日期", false);
    if let (Some(a), Some(b)) = (effective_from, effective_until)
        && b < a
    {
        fm.report("失效日期", "失效日期早于生效日期".into());
    }
    let status = fm.parsed(
        "效力状态",
        EffectStatus::from_chinese,
        "现行有效、已修订或已废止",
    );
    let domain = domain_field(&mut fm);
    let mut attachments = Vec::new();
    let mut blobs = Vec::new();
    if let Some(list) = fm.optional("附件") {
        for name in list
            .split(['；', ';'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            if !is_plain_file_name(name) {
                fm.report(
                    "附件",
                    format!("附件“{name}”应是与本文件在同一文件夹中的文件名，不能含路径"),
                );
                continue;
            }
            let p = path.with_file_name(name);
            match std::fs::symlink_metadata(&p) {
                // Never followed: a link could point at anything (a key).
                Ok(m) if !m.file_type().is_file() => fm.report(
                    "附件",
                    format!("附件“{name}”是符号链接或特殊文件，不能发布；请放入文件本身"),
                ),
                Ok(m) if m.len() > MAX_ATTACHMENT_BYTES => {
                    fm.report("附件", format!("附件“{name}”超过 50 MB"));
                }
                Ok(_) => match std::fs::read(&p) {
                    Ok(bytes) => {
                        let sha: String = Sha256::digest(&bytes)
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect();
                        attachments.push(Attachment {
                            file_name: name.to_string(),
                            sha256: sha.clone(),
                            size: bytes.len() as u64,
                        });
                        blobs.push((sha, bytes));
                    }
                    Err(e) => fm.report("附件", format!("无法读取附件“{name}”：{e}")),
                },
                Err(_) => fm.report(
                    "附件",
                    format!("附件“{name}”不存在（应与本文件在同一文件夹）"),
                ),
            }
        }
    }
    let (Some(issued), Some(status), Some(domain)) = (issued, status, domain) else {
        errors.append(&mut fm.errors);
        return None;
    };
    let doc = Document {
        key: DocumentKey::new(region, &slug(path)),
        region: region.clone(),
        domain,
        title,
        doc_no: fm.optional("文号"),
        issuer,
        issued,
        effective_from,
        effective_until,
        status,
        body: fm.body.clone(),
        attachments,
    };
    finish(fm, (doc, blobs), errors)
}

fn interpretation(
    region: &RegionCode,
    path: &Path,
    mut fm: FrontMatter,
    by_no: &BTreeMap<(String, RegionCode), DocumentKey>,
    errors: &mut Vec<ImportError>,
) -> Option<Interpretation> {
    fm.check_keys(&["类型", "标题", "解读文件", "形式", "发布日期", "解读机关"]);
    let title = fm.required("标题");
    let target = fm.required("解读文件");
    let form = fm.parsed(
        "形式",
        InterpretationForm::from_chinese,
        "文字解读、图解或简明问答",
    );
    let published = fm.date("发布日期", true);
    let issuer = fm.required("解读机关");
    // The document it explains: same region first, then the regions above.
    let document = region
        .with_ancestors()
        .into_iter()
        .find_map(|r| by_no.get(&(target.clone(), r)).cloned());
    if document.is_none() && !target.is_empty() {
        fm.report("解读文件", format!("找不到文号为“{target}”的文件"));
    }
    let (Some(document), Some(form), Some(published)) = (document, form, published) else {
        errors.append(&mut fm.errors);
        return None;
    };
    let i = Interpretation {
        key: DocumentKey::new(region, &slug(path)),
        region: region.clone(),
        document,
        title,
        form,
        published,
        issuer,
        body: fm.body.clone(),
    };
    finish(fm, i, errors)
}

fn guide(
    region: &RegionCode,
    path: &Path,
    mut fm: FrontMatter,
    errors: &mut Vec<ImportError>,
) -> Option<ServiceGuide> {
    fm.check_keys(&[
        "类型",
        "事项名称",
        "领域",
        "办理机构",
        "办理地点",
        "办理时间",
        "咨询电话",
        "承诺时限",
        "收费标准",
    ]);
    let g = ServiceGuide {
        key: DocumentKey::new(region, &slug(path)),
        region: region.clone(),
        domain: domain_field(&mut fm).unwrap_or(Domain::OTHER),
        name: fm.required("事项名称"),
        agency: fm.required("办理机构"),
        place: fm.required("办理地点"),
        hours: fm.required("办理时间"),
        phone: fm.required("咨询电话"),
        time_limit: fm.required("承诺时限"),
        fee: fm.required("收费标准"),
        body: fm.body.clone(),
    };
    finish(fm, g, errors)
}

fn notice(
    region: &RegionCode,
    path: &Path,
    mut fm: FrontMatter,
    errors: &mut Vec<ImportError>,
) -> Option<Notice> {
    fm.check_keys(&["类型", "标题", "发布单位", "发布日期", "截止日期", "领域"]);
    let kind = fm.parsed(
        "类型",
        NoticeKind::from_chinese,
        "公告、征求意见或政府开放日",
    );
    let published = fm.date("发布日期", true);
    let closes = fm.date("截止日期", kind == Some(NoticeKind::Consultation));
    if let (Some(p), Some(c)) = (published, closes)
        && c < p
    {
        fm.report("截止日期", "截止日期早于发布日期".into());
    }
    let domain = match fm.optional("领域") {
        Some(_) => domain_field(&mut fm),
        None => None,
    };
    let title = fm.required("标题");
    let issuer = fm.required("发布单位");
    let (Some(kind), Some(published)) = (kind, published) else {
        errors.append(&mut fm.errors);
        return None;
    };
    let n = Notice {
        key: DocumentKey::new(region, &slug(path)),
        region: region.clone(),
        kind,
        title,
        issuer,
        published,
        closes,
        domain,
        body: fm.body.clone(),
    };
    finish(fm, n, errors)
}
