//! The feed at county scale, through the real `county` library (publish,
//! serve on 127.0.0.1) and the real `sync-agent` binary:
//!
//! 1. full sync of the 100k-item synthetic catalog: time, bytes over the
//!    wire, the agent's peak memory (budget: [`PEAK_BUDGET_MIB`]) and the
//!    size of the `content.db` it wrote;
//! 2. after 1% of the items change (spread over the whole catalog): bytes
//!    over the wire against the full sync (goal ≤ 3%), and against
//!    `rsync --no-whole-file --fuzzy` of the same repository directory;
//! 3. applying 100k items to `content.db`: time, and how long the kiosk's
//!    queries take while it happens (the kiosk must stay responsive).
//!
//! `cargo bench -p sync-agent --bench sync` (rsync from Debian's package
//! for the comparison; without it that line says so). Exits with status 1
//! when a sync's peak memory is over its budget, after every figure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const ITEMS: usize = 100_000;

/// The most resident memory one `sync-agent once` may reach, full sync of
/// the 100k-item catalog included (the board has 1 GB for everything).
const PEAK_BUDGET_MIB: f64 = 64.0;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

struct Once {
    secs: f64,
    bytes: u64,
    stdout: String,
    /// The agent's peak resident memory.
    peak_mib: f64,
}

fn once(config: &Path) -> Once {
    // Run through this very bench as a wrapper, so that the peak resident
    // memory measured is the agent's alone.
    let t = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .env(WRAP, env!("CARGO_BIN_EXE_sync-agent"))
        .arg("--config")
        .arg(config)
        .arg("once")
        .env("GONGKAI_LOG", "warn")
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_mib = stderr
        .lines()
        .find_map(|l| l.strip_prefix(PEAK_LINE))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    // "…（12345 字节）…"
    let bytes = stdout
        .split('（')
        .find_map(|p| p.split(" 字节").next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    Once {
        secs,
        bytes,
        stdout,
        peak_mib,
    }
}

/// Set to the program this bench runs as a wrapper for.
const WRAP: &str = "GONGKAI_BENCH_WRAP";
const PEAK_LINE: &str = "gongkai-bench peak MiB: ";

/// The wrapper: runs the program with the arguments given, passes its
/// output on and adds its peak resident memory (its only child's) to
/// stderr.
fn wrap(program: &str) -> ! {
    let status = Command::new(program)
        .args(std::env::args_os().skip(1).filter(|a| a != "--bench"))
        .status()
        .unwrap();
    eprintln!("{PEAK_LINE}{:.1}", peak_rss_children_mib());
    std::process::exit(status.code().unwrap_or(1));
}

/// The largest peak resident memory of the children waited for.
fn peak_rss_children_mib() -> f64 {
    let u = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    u.max_rss() as f64 / 1024.0
}

fn rsync_bytes(from: &Path, to: &Path) -> Option<u64> {
    let out = Command::new("rsync")
        .args(["-a", "--no-whole-file", "--fuzzy", "--stats"])
        .arg(format!("{}/", from.display()))
        .arg(to)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let num = |key: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split(':').nth(1))
            .map(|v| v.split_whitespace().next().unwrap_or("0").replace(',', ""))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Some(num("Total bytes sent") + num("Total bytes received"))
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if let Ok(program) = std::env::var(WRAP) {
        wrap(&program);
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let keys = d.join("keys");
    rt.block_on(county::keys::KeyDir::new(&keys).init(county::keys::RootPolicy::default()))
        .unwrap();
    let opts = county::publish::PublishOptions {
        content: workspace().join("assets/demo"),
        calendars: None,
        keys: keys.clone(),
        repo: d.join("repo"),
        targets_days: 30,
        snapshot_days: 30,
        timestamp_days: 7,
        delegated: None,
    };
    let regions = std::fs::read(workspace().join("assets/demo/regions.csv")).unwrap();
    // The same shards as plain files under their names (what rsync's delta
    // algorithm does best with), rewritten at every publish.
    let plain = d.join("plain");
    let publish = |items: &[disclosure::CatalogItem]| {
        let mut t = disclosure::feed::catalog_shards(items);
        t.insert("regions.csv".into(), regions.clone());
        std::fs::create_dir_all(&plain).unwrap();
        for (name, bytes) in &t {
            std::fs::write(plain.join(name), bytes).unwrap();
        }
        rt.block_on(county::publish::publish_targets(&opts, &t))
            .unwrap()
    };
    let mut items = disclosure::synth::synthetic_items(ITEMS, 1);
    let t = Instant::now();
    let p1 = publish(&items);
    println!(
        "publish {ITEMS} items: {:.1} s, {} targets, {:.1} MB",
        t.elapsed().as_secs_f64(),
        p1.targets,
        p1.total_bytes as f64 / 1e6
    );
    // The reference server on 127.0.0.1.
    let serve_opts = county::serve::ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: d.join("repo"),
        database: d.join("county.db"),
        content: None,
        staff_key: String::new(),
        limits: Default::default(),
        policy: Default::default(),
    };
    let router = county::serve::router(&serve_opts).unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move { axum::serve(listener, router).await.unwrap() });
    let dev = d.join("device");
    std::fs::create_dir_all(&dev).unwrap();
    std::fs::copy(keys.join("root.json"), dev.join("root.json")).unwrap();
    let config = dev.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[device]\nregion = \"990521201201\"\ndevice = 1\n[server]\nurl = \"http://127.0.0.1:{port}\"\n\
             [paths]\nroot = \"{d}/root.json\"\nstate_dir = \"{d}/state\"\ncontent_db = \"{d}/content.db\"\n\
             requests_db = \"{d}/requests.db\"\ncalendar_dir = \"{d}/calendars\"\n",
            d = dev.display()
        ),
    )
    .unwrap();
    // 1. Full sync.
    let full = once(&config);
    assert!(full.stdout.contains("已应用"), "{}", full.stdout);
    println!(
        "full sync: {:.2} s, {:.2} MB over the wire, agent peak RSS {:.1} MiB (budget {PEAK_BUDGET_MIB:.0} MiB)",
        full.secs,
        full.bytes as f64 / 1e6,
        full.peak_mib,
    );
    let size = |suffix: &str| {
        std::fs::metadata(dev.join(format!("content.db{suffix}"))).map_or(0, |m| m.len()) as f64
            / 1e6
    };
    println!(
        "content.db after the full sync: {:.1} MB (-wal {:.1} MB)",
        size(""),
        size("-wal")
    );
    let mut peaks = vec![("full sync", full.peak_mib)];
    // rsync's mirror of version 1.
    let mirror = d.join("mirror");
    let rsync_full = rsync_bytes(&d.join("repo"), &mirror);
    let plain_mirror = d.join("plain-mirror");
    let rsync_plain_full = rsync_bytes(&plain, &plain_mirror);

    // 2. 1% of the items changed, spread over the catalog.
    let mut changed = 0;
    for it in items.iter_mut().skip(37).step_by(100) {
        it.content.push_str("（已修订）");
        changed += 1;
    }
    publish(&items);
    let small = once(&config);
    assert!(small.stdout.contains("已应用"), "{}", small.stdout);
    peaks.push(("1% changed", small.peak_mib));
    println!(
        "after {changed} items ({:.1}%) changed: {:.1} KB over the wire = {:.2}% of the full sync (goal ≤ 3%); {}",
        changed as f64 * 100.0 / ITEMS as f64,
        small.bytes as f64 / 1e3,
        small.bytes as f64 * 100.0 / full.bytes as f64,
        small.stdout.lines().next().unwrap_or("")
    );
    match (rsync_full, rsync_bytes(&d.join("repo"), &mirror)) {
        (Some(f), Some(s)) => println!(
            "rsync --no-whole-file --fuzzy of the repository: full {:.2} MB, after the change {:.1} KB; agent/rsync bytes for the change = {:.2}",
            f as f64 / 1e6,
            s as f64 / 1e3,
            small.bytes as f64 / s as f64
        ),
        _ => println!("rsync: not installed (apt-get install rsync) — comparison skipped"),
    }
    if let (Some(f), Some(s)) = (rsync_plain_full, rsync_bytes(&plain, &plain_mirror)) {
        println!(
            "rsync --no-whole-file of the shards under fixed names (rsync's best case): full {:.2} MB, after the change {:.1} KB; agent/rsync = {:.2}",
            f as f64 / 1e6,
            s as f64 / 1e3,
            small.bytes as f64 / s as f64
        );
    }

    // 3. Applying 100k items while the kiosk reads.
    for it in items.iter_mut().step_by(50) {
        it.content.push_str("（再修订）");
    }
    publish(&items);
    let db = dev.join("content.db");
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let store = disclosure::ContentStore::open_read_only(&db).unwrap();
            let scope = disclosure::store::RegionScope::of(&"990521201201".parse().unwrap());
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let counts = store.domain_counts(&scope).unwrap();
                assert!(!counts.is_empty());
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                std::thread::sleep(Duration::from_millis(5));
            }
            lat
        })
    };
    let apply = once(&config);
    peaks.push(("2% changed, whole apply", apply.peak_mib));
    stop.store(true, Ordering::Relaxed);
    let mut lat = reader.join().unwrap();
    assert!(apply.stdout.contains("已应用"), "{}", apply.stdout);
    println!(
        "apply {ITEMS} items (2% changed, every item rewritten in one transaction): {:.2} s for the whole round; \
         kiosk query during it (domain counts, {} samples): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        apply.secs,
        lat.len(),
        percentile(&mut lat, 0.5),
        percentile(&mut lat, 0.95),
        percentile(&mut lat, 1.0)
    );

    // The budget, after every figure.
    let mut over = false;
    println!();
    for (what, peak) in peaks {
        let ok = peak <= PEAK_BUDGET_MIB;
        over |= !ok;
        println!(
            "budget: agent peak RSS, {what}: {peak:.1} MiB of {PEAK_BUDGET_MIB:.0} MiB — {}",
            if ok { "ok" } else { "OVER" }
        );
    }
    if over {
        std::process::exit(1);
    }
}
