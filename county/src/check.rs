//! `county catalog check` and `county content check`: validate a county's
//! files and summarise them, or list every error with its place.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use disclosure::import::{
    ImportError, ParsedItem, check_duplicates, is_catalog_file, load_content_dir,
    parse_catalog_file,
};
use disclosure::{Date, Domain, RegionLevel};
use serde::Serialize;

/// What a catalog check found.
#[derive(Debug, Default)]
pub struct CatalogReport {
    pub files: usize,
    /// Items of the files without errors (a file with errors imports nothing).
    pub items: Vec<ParsedItem>,
    pub errors: Vec<ImportError>,
    pub warnings: Vec<ImportError>,
}

impl CatalogReport {
    pub fn domain_count(&self) -> usize {
        distinct_domains(self.items.iter().map(|i| i.domain))
    }
}

/// How many different domains `domains` names.
fn distinct_domains(domains: impl Iterator<Item = Domain>) -> usize {
    domains.collect::<std::collections::BTreeSet<_>>().len()
}

/// Files named directly, and the catalog files inside named folders.
fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<ImportError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            let mut found = Vec::new();
            while let Some(d) = stack.pop() {
                match std::fs::read_dir(&d) {
                    Ok(rd) => {
                        for e in rd.flatten() {
                            let path = e.path();
                            if path.is_dir() {
                                stack.push(path);
                            } else if is_catalog_file(&path) {
                                found.push(path);
                            }
                        }
                    }
                    Err(e) => errors.push(err_file(&d, format!("无法读取文件夹：{e}"))),
                }
            }
            if found.is_empty() {
                errors.push(err_file(
                    p,
                    "文件夹中没有目录表格（.csv、.xlsx、.xls、.ods）".into(),
                ));
            }
            found.sort();
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            errors.push(err_file(p, "文件不存在".into()));
        }
    }
    (files, errors)
}

fn err_file(p: &Path, message: String) -> ImportError {
    ImportError {
        file: p.display().to_string(),
        sheet: None,
        row: None,
        column: None,
        message,
    }
}

pub fn check_catalog_files(paths: &[PathBuf]) -> CatalogReport {
    let (files, errors) = expand(paths);
    let mut report = CatalogReport {
        files: files.len(),
        errors,
        ..CatalogReport::default()
    };
    for f in files {
        match parse_catalog_file(&f) {
            Ok(mut p) => {
                report.items.append(&mut p.items);
                report.warnings.append(&mut p.warnings);
            }
            Err(mut e) => report.errors.append(&mut e),
        }
    }
    // The same item in two files (each file is already free of its own).
    check_duplicates(&report.items, &mut report.errors);
    report
}

#[derive(Serialize)]
struct JsonReport<'a> {
    items: usize,
    domains: usize,
    errors: &'a [ImportError],
    warnings: &'a [ImportError],
}

pub fn write_json(r: &CatalogReport, out: &mut impl Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &JsonReport {
            items: r.items.len(),
            domains: r.domain_count(),
            errors: &r.errors,
            warnings: &r.warnings,
        },
    )?;
    writeln!(out)?;
    Ok(())
}

/// Display width in terminal columns: CJK and full-width characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2000..=0x206F) {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub fn write_text(r: &CatalogReport, out: &mut impl Write) -> anyhow::Result<()> {
    if !r.errors.is_empty() {
        writeln!(
            out,
            "目录检查未通过：发现 {} 处错误，有错误的文件不会导入任何内容。\n",
            r.errors.len()
        )?;
        for e in &r.errors {
            writeln!(out, "  ✗ {e}")?;
        }
        if !r.items.is_empty() {
            writeln!(out, "\n其余文件无错误，共 {} 个公开事项。", r.items.len())?;
        }
    } else {
        writeln!(
            out,
            "目录检查通过：{} 个文件，{} 个公开事项，{} 个领域。\n",
            r.files,
            r.items.len(),
            r.domain_count()
        )?;
        let mut by_domain: BTreeMap<Domain, [usize; 4]> = BTreeMap::new();
        for it in &r.items {
            let row = by_domain.entry(it.domain).or_default();
            row[0] += 1;
            for (i, l) in RegionLevel::ALL.into_iter().enumerate() {
                if it.levels.contains(l) {
                    row[i + 1] += 1;
                }
            }
        }
        writeln!(out, "{}  事项  县级  乡级  村级", pad("领域", 20))?;
        let mut total = [0usize; 4];
        for (d, row) in &by_domain {
            writeln!(
                out,
                "{}  {:>4}  {:>4}  {:>4}  {:>4}",
                pad(d.name(), 20),
                row[0],
                row[1],
                row[2],
                row[3]
            )?;
            for i in 0..4 {
                total[i] += row[i];
            }
        }
        writeln!(
            out,
            "{}  {:>4}  {:>4}  {:>4}  {:>4}",
            pad("合计", 20),
            total[0],
            total[1],
            total[2],
            total[3]
        )?;
        writeln!(
            out,
            "\n（一个事项可同时在县级和乡级公开，故各层级之和可大于事项数。）"
        )?;
    }
    if !r.warnings.is_empty() {
        writeln!(out, "\n提示（{}）：", r.warnings.len())?;
        for w in &r.warnings {
            writeln!(out, "  · {w}")?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonContent<'a> {
    regions: usize,
    items: usize,
    documents: usize,
    interpretations: usize,
    guides: usize,
    notices: usize,
    errors: &'a [ImportError],
    warnings: &'a [ImportError],
}

/// Loads a whole content folder and summarises it by region.
/// Returns whether it loaded without errors.
pub fn check_content_dir(dir: &Path, json: bool, out: &mut impl Write) -> anyhow::Result<bool> {
    let loaded = load_content_dir(dir, Date::today_in_china());
    match loaded {
        Err(errors) => {
            if json {
                serde_json::to_writer_pretty(
                    &mut *out,
                    &JsonContent {
                        regions: 0,
                        items: 0,
                        documents: 0,
                        interpretations: 0,
                        guides: 0,
                        notices: 0,
                        errors: &errors,
                        warnings: &[],
                    },
                )?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "内容检查未通过：发现 {} 处错误，未导入任何内容。\n",
                    errors.len()
                )?;
                for e in &errors {
                    writeln!(out, "  ✗ {e}")?;
                }
            }
            Ok(false)
        }
        Ok(c) => {
            let b = &c.bundle;
            if json {
                serde_json::to_writer_pretty(
                    &mut *out,
                    &JsonContent {
                        regions: b.regions.len(),
                        items: b.items.len(),
                        documents: b.documents.len(),
                        interpretations: b.interpretations.len(),
                        guides: b.guides.len(),
                        notices: b.notices.len(),
                        errors: &[],
                        warnings: &c.warnings,
                    },
                )?;
                writeln!(out)?;
                return Ok(true);
            }
            writeln!(out, "内容检查通过：{}\n", dir.display())?;
            writeln!(out, "{}  事项  文件  解读  指南  公告", pad("地区", 24))?;
            for r in &b.regions {
                let indent = match r.level {
                    RegionLevel::County => "",
                    RegionLevel::Township => "  ",
                    RegionLevel::Village => "    ",
                };
                let items = b.items.iter().filter(|i| i.region == r.code).count();
                let docs = b.documents.iter().filter(|d| d.region == r.code).count();
                let interp = b
                    .interpretations
                    .iter()
                    .filter(|i| i.region == r.code)
                    .count();
                let guides = b.guides.iter().filter(|g| g.region == r.code).count();
                let notices = b.notices.iter().filter(|n| n.region == r.code).count();
                writeln!(
                    out,
                    "{}  {:>4}  {:>4}  {:>4}  {:>4}  {:>4}",
                    pad(
                        &format!("{indent}{}（{}）", r.name, r.level.short_name()),
                        24
                    ),
                    items,
                    docs,
                    interp,
                    guides,
                    notices
                )?;
            }
            let domains = distinct_domains(b.items.iter().map(|i| i.domain));
            writeln!(
                out,
                "\n合计：{} 个公开事项（{} 个领域），{} 份文件，{} 份解读，{} 份办事指南，{} 条公告。",
                b.items.len(),
                domains,
                b.documents.len(),
                b.interpretations.len(),
                b.guides.len(),
                b.notices.len()
            )?;
            if !c.warnings.is_empty() {
                writeln!(out, "\n提示（{}）：", c.warnings.len())?;
                for w in &c.warnings {
                    writeln!(out, "  · {w}")?;
                }
            }
            Ok(true)
        }
    }
}
