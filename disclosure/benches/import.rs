//! Import speed and peak memory: the demo content folder, and a 100k-item
//! catalog spreadsheet (national standard shape, CSV). Each phase runs in a
//! child process so its peak resident memory (VmHWM) is its own.
//!
//! Run: `cargo bench -p disclosure --bench import` (release build).

use std::path::{Path, PathBuf};
use std::time::Instant;

use disclosure::import::{load_content_dir, parse_catalog_file};
use disclosure::synth::{synthetic_items, synthetic_regions, write_domain_standard_csv};
use disclosure::{ContentBundle, ContentStore, Date, FeedVersion};

fn vm_hwm_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn as_of() -> Date {
    Date::from_ymd(2026, 11, 20).unwrap()
}

fn phase_demo(work: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let t = Instant::now();
    let loaded = load_content_dir(&demo, as_of()).unwrap();
    let parse = t.elapsed();
    let t = Instant::now();
    let mut store = ContentStore::open(&work.join("demo.db")).unwrap();
    store.replace_all(&loaded.bundle, FeedVersion(1)).unwrap();
    let write = t.elapsed();
    println!(
        "demo content ({} items, {} documents): read+validate {:.0} ms, write content.db {:.0} ms, peak RSS {:.1} MB",
        loaded.bundle.items.len(),
        loaded.bundle.documents.len(),
        parse.as_secs_f64() * 1e3,
        write.as_secs_f64() * 1e3,
        vm_hwm_mb()
    );
}

fn phase_csv(work: &Path, csv: &Path) {
    let t = Instant::now();
    let parsed = parse_catalog_file(csv).unwrap();
    let parse = t.elapsed();
    let region = "990521".parse().unwrap();
    let bundle = ContentBundle {
        regions: synthetic_regions(),
        items: parsed
            .items
            .into_iter()
            .map(|p| p.into_item(&region, as_of()))
            .collect(),
        ..ContentBundle::default()
    };
    let t = Instant::now();
    let mut store = ContentStore::open(&work.join("csv.db")).unwrap();
    store.replace_all(&bundle, FeedVersion(1)).unwrap();
    let write = t.elapsed();
    let db = std::fs::metadata(work.join("csv.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "{} items from CSV ({:.1} MB): read+validate {:.1} s, write content.db with search index {:.1} s ({:.0} MB), peak RSS {:.0} MB",
        bundle.items.len(),
        std::fs::metadata(csv).unwrap().len() as f64 / 1e6,
        parse.as_secs_f64(),
        write.as_secs_f64(),
        db as f64 / 1e6,
        vm_hwm_mb()
    );
}

fn main() {
    let work = std::env::var("GONGKAI_BENCH_WORK").map(PathBuf::from);
    match std::env::var("GONGKAI_BENCH_PHASE").as_deref() {
        Ok("demo") => return phase_demo(&work.unwrap()),
        Ok("csv") => {
            let w = work.unwrap();
            return phase_csv(&w, &w.join("catalog.csv"));
        }
        _ => {}
    }
    let n: usize = std::env::var("GONGKAI_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("catalog.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    write_domain_standard_csv(&synthetic_items(n, 11), &mut f).unwrap();
    drop(f);
    let me = std::env::current_exe().unwrap();
    for phase in ["demo", "csv"] {
        let status = std::process::Command::new(&me)
            .env("GONGKAI_BENCH_PHASE", phase)
            .env("GONGKAI_BENCH_WORK", dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "phase {phase} failed");
    }
}
