//! The embedded demo content: the fictional 云溪县's folder, compiled into
//! the binary and loaded through the county's importer on start.

use std::path::{Path, PathBuf};

use disclosure::import::load_content_dir;
use disclosure::{ContentStore, Date, FeedVersion};

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The feed version the demo content is written as.
pub const DEMO_VERSION: FeedVersion = FeedVersion(1);

/// A private folder holding the unpacked demo and its `content.db`, removed
/// when dropped.
pub struct DemoContent {
    dir: PathBuf,
}

impl DemoContent {
    /// Unpacks the demo and writes it into a fresh `content.db`.
    pub fn unpack(as_of: Date) -> anyhow::Result<DemoContent> {
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        remove_stale(&base);
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = base.join(format!("gongkai-demo-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let demo = DemoContent { dir };
        let src = demo.dir.join("content");
        for (rel, bytes) in DEMO_FILES {
            let p = src.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, bytes)?;
        }
        let loaded = load_content_dir(&src, as_of).map_err(|errors| {
            anyhow::anyhow!(
                "演示内容无法导入：\n{}",
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })?;
        let mut store = ContentStore::open(&demo.database())?;
        store.replace_all(&loaded.bundle, DEMO_VERSION)?;
        Ok(demo)
    }

    pub fn database(&self) -> PathBuf {
        self.dir.join("content.db")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Removes demo folders left by kiosks that died without cleaning up
/// (power cut, SIGKILL): their process no longer exists.
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("gongkai-demo-") else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl Drop for DemoContent {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
