//! Helpers shared by the `disclosure` integration tests.
#![allow(dead_code)]

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
