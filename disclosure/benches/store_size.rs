//! The size of `content.db` holding the 100k-item synthetic catalog, by
//! table and index (SQLite's `dbstat`), against its budget: the board has
//! 8 GB of eMMC for the system, the content, the feed's cache and the
//! applications.
//!
//! Run: `cargo bench -p disclosure --bench store_size` (release build).
//! `GONGKAI_BENCH_ITEMS` sets the catalog size (default 100000; the budget
//! is for 100000). Exits with status 1 when over budget.

use std::time::Instant;

use disclosure::synth::synthetic_bundle;
use disclosure::{ContentStore, FeedVersion};

/// The most `content.db` may take at 100k items, WAL included.
const BUDGET_MB: f64 = 100.0;

fn main() {
    let n: usize = std::env::var("GONGKAI_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    let t = Instant::now();
    let mut store = ContentStore::open(&path).unwrap();
    store
        .replace_all(&synthetic_bundle(n, 11), FeedVersion(1))
        .unwrap();
    // A second version over the first, as every sync after the first is.
    store
        .replace_all(&synthetic_bundle(n, 12), FeedVersion(2))
        .unwrap();
    drop(store);
    let secs = t.elapsed().as_secs_f64();
    let len = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e6;
    let wal = path.with_extension("db-wal");
    let (file, wal_mb) = (len(&path), len(&wal));

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT name, SUM(pgsize), SUM(unused) FROM dbstat
             GROUP BY name ORDER BY SUM(pgsize) DESC",
        )
        .unwrap();
    let rows: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let free: i64 = conn
        .pragma_query_value(None, "freelist_count", |r| r.get(0))
        .unwrap();
    let page: i64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    println!("{n} items, two versions written ({secs:.1} s); content.db by table and index:");
    for (name, size, unused) in rows.iter().filter(|r| r.1 >= 100_000) {
        println!(
            "  {name:<34} {:>7.1} MB  ({:.0}% unused in its pages)",
            *size as f64 / 1e6,
            *unused as f64 * 100.0 / *size as f64
        );
    }
    let small: i64 = rows.iter().filter(|r| r.1 < 100_000).map(|r| r.1).sum();
    println!("  {:<34} {:>7.1} MB", "(the rest)", small as f64 / 1e6);
    println!(
        "  {:<34} {:>7.1} MB",
        "(free pages)",
        (free * page) as f64 / 1e6
    );
    let total = file + wal_mb;
    let ok = total <= BUDGET_MB;
    println!(
        "\nbudget: content.db at {n} items: {file:.1} MB + WAL {wal_mb:.1} MB = {total:.1} MB of {BUDGET_MB:.0} MB — {}",
        if ok { "ok" } else { "OVER" }
    );
    if !ok {
        std::process::exit(1);
    }
}
