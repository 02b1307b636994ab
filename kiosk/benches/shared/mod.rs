//! What the kiosk benches share: the 100k-item store, the bench's kiosk
//! configuration, memory read from /proc, and a virtual X server.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use disclosure::synth::synthetic_bundle;
use disclosure::{ContentStore, FeedVersion};

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The catalog size: `GONGKAI_BENCH_ITEMS`, 100k by default.
pub fn bench_items() -> usize {
    std::env::var("GONGKAI_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Exec to first frame, `runs` times, sorted: the real binary writing its
/// home page at 1920×1080 as `png`.
pub fn exec_to_first_frame(
    cfg: &std::path::Path,
    png: &std::path::Path,
    runs: usize,
) -> Vec<Duration> {
    let mut took: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let st = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
                .arg("--config")
                .arg(cfg)
                .arg("--screenshot")
                .arg(png)
                .args(["--size", "1920x1080"])
                .env("GONGKAI_LOG", "warn")
                .status()
                .unwrap();
            assert!(st.success());
            t.elapsed()
        })
        .collect();
    took.sort();
    took
}

/// The demo content plus `n` synthetic catalog items, built once into
/// `$CARGO_TARGET_DIR/bench-data/`.
pub fn store_path(n: usize) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = PathBuf::from(target).join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!(
        "kiosk-demo-plus-{n}-s{}.db",
        ContentStore::current_schema_version()
    ));
    if !p.exists() {
        // The demo content (documents, interpretations, guides, notices)
        // plus n synthetic catalog items in the same regions.
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
        let mut bundle = disclosure::import::load_content_dir(
            &demo,
            disclosure::Date::from_ymd(2026, 11, 22).unwrap(),
        )
        .unwrap()
        .bundle;
        bundle.items.extend(synthetic_bundle(n, 11).items);
        let tmp = p.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut s = ContentStore::open(&tmp).unwrap();
        s.replace_all(&bundle, FeedVersion(1)).unwrap();
        drop(s);
        std::fs::rename(&tmp, &p).unwrap();
    }
    p
}

/// The `name  N kB` line of a /proc file, in MB.
pub fn mb_field(proc_text: &str, name: &str) -> Option<f64> {
    let kb: f64 = proc_text
        .lines()
        .find(|l| l.starts_with(name))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The bench's kiosk configuration: the hall, the 100k store, a
/// `requests.db` beside it (without one the kiosk would use
/// /var/lib/gongkai/requests.db, which a development machine lacks), then
/// `extra` sections.
pub fn config_text(db: &std::path::Path, requests: &std::path::Path, extra: &str) -> String {
    format!(
        "[hall]\nname = \"桃源村政务公开查阅点\"\nregion = \"990521201202\"\n\n[content]\ndatabase = {:?}\n\n[applications]\ndatabase = {:?}\n\n{extra}",
        db.display().to_string(),
        requests.display().to_string(),
    )
}

/// The `[display]` section of a kiosk in a 1920×1080 window (under Xvfb).
pub const WINDOWED_DISPLAY: &str =
    "[display]\nbackend = \"winit\"\nfullscreen = false\nwidth = 1920\nheight = 1080\n";

/// Proportional memory of a process (MB, `Pss:` of `/proc/<pid>/smaps_rollup`):
/// shared pages (the binary, libraries, fonts) counted by their share.
pub fn pss_of(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    mb_field(&s, "Pss:")
}

/// A virtual X server at 1920×1080, stopped when dropped.
pub struct Xvfb {
    child: std::process::Child,
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Option<Xvfb> {
        let n =
            (90..130).find(|n| !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())?;
        let child = std::process::Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let mut x = Xvfb {
            child,
            display: format!(":{n}"),
        };
        let socket = format!("/tmp/.X11-unix/X{n}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !std::path::Path::new(&socket).exists() {
            if Instant::now() > deadline || x.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(x)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
