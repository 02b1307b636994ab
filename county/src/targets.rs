//! The target files of a content folder: what `county publish` signs for
//! the county and `county township publish` for a township. Catalog sheets
//! become shards, the records and attachments the importer read travel as
//! they are, calendars are checked first — each under its flat name from
//! `disclosure::feed` — and nothing else (a stray file is skipped and
//! named; a symbolic link or special file stops it). Used by `publish`
//! and `delegation`, and uses neither.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use disclosure::feed;
use disclosure::import::{ImportError, ImportErrors};
use tough::schema::{Hashes, Target};

/// Why a content folder's targets could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("内容有错误，未发布：\n{0}")]
    Content(ImportErrors),
    #[error("节假日安排 {path} 有误：{message}")]
    Calendar { path: PathBuf, message: String },
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}：是符号链接或特殊文件，不发布", .0.display())]
    NotAFile(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TargetsError + '_ {
    move |source| TargetsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Target name → bytes.
pub type TargetFiles = BTreeMap<String, Vec<u8>>;

/// Every target of a content folder: name → bytes. Catalog sheets become
/// shards; the records of documents, guides and notices and the
/// attachments documents list travel as they are, and nothing else (files
/// skipped are logged as warnings).
pub fn feed_targets(content: &Path, calendars: Option<&Path>) -> Result<TargetFiles, TargetsError> {
    let (targets, skipped) = feed_targets_and_skipped(content, calendars)?;
    for w in &skipped {
        tracing::warn!("{w}");
    }
    Ok(targets)
}

/// [`feed_targets`], with the files left out (stray files the content
/// format does not define). A symbolic link or special file stops it.
pub fn feed_targets_and_skipped(
    content: &Path,
    calendars: Option<&Path>,
) -> Result<(TargetFiles, Vec<ImportError>), TargetsError> {
    let today = disclosure::Date::today_in_china();
    let loaded = disclosure::import::load_content_dir(content, today)
        .map_err(|e| TargetsError::Content(ImportErrors(e)))?;
    let mut out = feed::catalog_shards(&loaded.bundle.items);
    let regions = content.join("regions.csv");
    out.insert("regions.csv".to_string(), read_regular(&regions)?);
    // Exactly the files the importer read as content: never a walk of the
    // folders (a stray spreadsheet or a link to a key would travel too).
    for f in &loaded.files {
        let name = feed::target_name(f.folder, Some(&f.region), &f.file_name);
        feed::target_relative_path(&name).map_err(|m| TargetsError::Io {
            path: f.path.clone(),
            source: std::io::Error::other(m),
        })?;
        out.insert(name, read_regular(&f.path)?);
    }
    let skipped = loaded.skipped;
    if let Some(cal) = calendars {
        for f in sorted_files(cal)? {
            if f.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let text =
                String::from_utf8(read_regular(&f)?).map_err(|e| TargetsError::Calendar {
                    path: f.clone(),
                    message: e.to_string(),
                })?;
            disclosure::calendar::YearSchedule::parse(&text).map_err(|e| {
                TargetsError::Calendar {
                    path: f.clone(),
                    message: e.to_string(),
                }
            })?;
            let file = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            out.insert(
                feed::target_name("calendars", None, &file),
                text.into_bytes(),
            );
        }
    }
    Ok((out, skipped))
}

/// A regular file's bytes; a symbolic link or special file is refused,
/// never followed.
fn read_regular(path: &Path) -> Result<Vec<u8>, TargetsError> {
    let meta = std::fs::symlink_metadata(path).map_err(io(path))?;
    if !meta.file_type().is_file() {
        return Err(TargetsError::NotAFile(path.to_path_buf()));
    }
    std::fs::read(path).map_err(io(path))
}

/// The files (not folders) directly in `dir`, sorted by name.
pub(crate) fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>, TargetsError> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Ok(v)
}

/// The TUF target entry (length and SHA-256) of a file's bytes.
pub fn target_of(bytes: &[u8]) -> Target {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    Target {
        length: bytes.len() as u64,
        hashes: Hashes {
            sha256: digest.as_ref().to_vec().into(),
            _extra: Default::default(),
        },
        custom: Default::default(),
        _extra: Default::default(),
    }
}
