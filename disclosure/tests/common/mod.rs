//! Helpers shared by the `disclosure` integration tests.
#![allow(dead_code)]

pub mod sheets;

use std::path::{Path, PathBuf};

use disclosure::import::load_content_dir;
use disclosure::{ContentBundle, ContentStore, Date, FeedVersion};

pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

/// The date the demo content is dated by where sheets carry none.
pub fn demo_as_of() -> Date {
    Date::from_ymd(2026, 11, 20).unwrap()
}

pub fn demo_bundle() -> ContentBundle {
    match load_content_dir(&demo_dir(), demo_as_of()) {
        Ok(c) => c.bundle,
        Err(errors) => panic!(
            "demo content has errors:\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// A fresh `content.db` holding the demo content as feed version 1.
pub fn demo_store(dir: &Path) -> ContentStore {
    let mut store = ContentStore::open(&dir.join("content.db")).unwrap();
    store.replace_all(&demo_bundle(), FeedVersion(1)).unwrap();
    store
}

pub fn code(s: &str) -> disclosure::RegionCode {
    s.parse().unwrap()
}

/// A copy of the demo folder that a test may break.
pub fn demo_copy(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let t = to.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), t).unwrap();
            }
        }
    }
    let to = dir.join("demo");
    copy(&demo_dir(), &to);
    to
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Rows written as CSV, the way a spreadsheet program saves them.
pub fn csv_of<R, S>(rows: &[R]) -> String
where
    R: AsRef<[S]>,
    S: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r.as_ref().iter()).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// A data row of the national standard catalog shape (14 columns): 序号,
/// 一级事项, 二级事项, 内容, 依据, 时限, 主体, 渠道, then the √ marks.
pub const STD_ROW: [&str; 14] = [
    "1",
    "最低生活保障",
    "低保政策",
    "标准",
    "《社会救助暂行办法》",
    "20个工作日内",
    "云溪县民政局",
    "■政府网站",
    "√",
    "",
    "√",
    "",
    "√",
    "",
];

/// A sheet of the national standard shape: the title row naming the
/// domain, the two-row header, then `data`.
pub fn standard_sheet(title: &str, data: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let owned = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut rows = vec![
        std::iter::once(title.to_string())
            .chain(std::iter::repeat_n(String::new(), 13))
            .collect(),
        owned(&disclosure::synth::DOMAIN_STANDARD_HEADER[0]),
        owned(&disclosure::synth::DOMAIN_STANDARD_HEADER[1]),
    ];
    rows.extend(data);
    rows
}
