//! Our kiosk beside the browser kiosk a county would otherwise put in the
//! hall, on the same content (the demo plus the 100k synthetic catalog):
//! Debian's Chromium in kiosk mode under Xvfb at 1920×1080, showing the
//! same hall's catalog as static HTML pages (home with the domains and the
//! latest items, a page per 50 items of a domain, a page per item), driven
//! through ChromeDriver. Printed as our figure, theirs and the ratio:
//! proportional memory over all processes with the home page up, exec to
//! the home page's first frame, and opening an item.
//!
//! Run: `scripts/bench-peers` (installs Xvfb, Chromium and ChromeDriver,
//! then `cargo bench -p kiosk --bench peers`). Without them it says what is
//! missing and measures only our side.

#[path = "shared/mod.rs"]
mod shared;

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kiosk::MainWindow;
use kiosk::config::KioskConfig;
use kiosk::controller::App;
use kiosk::screenshot::{OffscreenPlatform, ScreenshotScript, Shot, draw_frame};
use serde_json::{Value, json};
use shared::{
    WINDOWED_DISPLAY, Xvfb, bench_items, config_text, exec_to_first_frame, ms, pss_of, store_path,
};
use slint::ComponentHandle;

/// The hall both kiosks show (the bench configuration's region).
const HALL: &str = "990521201202";
const RUNS: usize = 5;

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n = bench_items();
    let db = store_path(n);
    let work = tempfile::tempdir().unwrap();
    let cfg = work.path().join("kiosk.toml");
    std::fs::write(&cfg, config_text(&db, &work.path().join("requests.db"), "")).unwrap();
    let x = Xvfb::start();

    let ours = Figures {
        pss_mb: x.as_ref().and_then(|x| our_pss(&cfg, work.path(), x)),
        first_frame_ms: Some(our_first_frame(&cfg, work.path())),
        open_item_ms: Some(our_open_item(&cfg, &db)),
    };

    let t = Instant::now();
    let site = work.path().join("site");
    let pages = write_site(&db, &site);
    println!(
        "{n} items: the hall's catalog as {pages} static HTML pages in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let missing: Vec<&str> = [
        ("Xvfb", x.is_some()),
        ("chromium", Path::new("/usr/bin/chromium").exists()),
        ("chromedriver", Path::new("/usr/bin/chromedriver").exists()),
    ]
    .into_iter()
    .filter(|(_, there)| !there)
    .map(|(name, _)| name)
    .collect();
    let theirs = match (&x, missing.is_empty()) {
        (Some(x), true) => chromium_figures(x, &site, work.path()),
        _ => {
            println!(
                "Chromium not measured: {} missing (scripts/bench-peers installs them)",
                missing.join(", ")
            );
            Figures::default()
        }
    };

    println!("\n{n} items, 1920×1080, the hall {HALL}:\n");
    println!(
        "{:<44} {:>10} {:>10} {:>8}",
        "", "gongkai", "Chromium", "ratio"
    );
    let row = |name: &str, a: Option<f64>, b: Option<f64>| {
        let show = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
        let ratio = match (a, b) {
            (Some(a), Some(b)) if a > 0.0 => format!("{:.1}×", b / a),
            _ => "—".into(),
        };
        println!("{name:<44} {:>10} {:>10} {ratio:>8}", show(a), show(b));
    };
    row(
        "memory, PSS of all processes, home up (MB)",
        ours.pss_mb,
        theirs.pss_mb,
    );
    row(
        "exec → home page's first frame (ms)",
        ours.first_frame_ms,
        theirs.first_frame_ms,
    );
    row(
        "opening an item (ms)",
        ours.open_item_ms,
        theirs.open_item_ms,
    );
    println!(
        "\nratio = Chromium / gongkai. Medians of {RUNS}. Ours: memory of the real binary in a window under Xvfb (software renderer);"
    );
    println!(
        "first frame = exec to the home page drawn offscreen and written as PNG; an item = the controller filling the item page and one full frame."
    );
    println!(
        "Chromium: --kiosk --no-sandbox (root), first frame = exec to the home page's first contentful paint; an item = click to the item page's first contentful paint."
    );
}

#[derive(Default)]
struct Figures {
    pss_mb: Option<f64>,
    first_frame_ms: Option<f64>,
    open_item_ms: Option<f64>,
}

fn our_first_frame(cfg: &Path, work: &Path) -> f64 {
    median(
        exec_to_first_frame(cfg, &work.join("first.png"), RUNS)
            .into_iter()
            .map(ms)
            .collect(),
    )
}

/// The real kiosk in a window under Xvfb: its PSS 6 s after start.
fn our_pss(cfg: &Path, work: &Path, x: &Xvfb) -> Option<f64> {
    let windowed = work.join("windowed.toml");
    let text = std::fs::read_to_string(cfg).unwrap() + WINDOWED_DISPLAY;
    std::fs::write(&windowed, text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(&windowed)
        .env("DISPLAY", &x.display)
        .env("SLINT_BACKEND", "winit-software")
        .env("GONGKAI_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(6));
    let pss = pss_of(child.id());
    let _ = child.kill();
    let _ = child.wait();
    pss
}

/// Home, then the item page and back, in process: the controller and one
/// full frame.
fn our_open_item(cfg: &Path, db: &Path) -> f64 {
    let (platform, window) = OffscreenPlatform::new();
    slint::platform::set_platform(Box::new(platform)).unwrap();
    let ui = MainWindow::new().unwrap();
    let config = KioskConfig::load(cfg).unwrap();
    let store = disclosure::ContentStore::open_read_only(db).unwrap();
    let app = App::new(&ui, config, store).unwrap();
    ui.show().unwrap();
    let size = slint::PhysicalSize::new(1920, 1080);
    let mut frame = Vec::new();
    let mut took = Vec::new();
    for _ in 0..=RUNS {
        app.show_shot(Shot::Home).unwrap();
        draw_frame(&window, size, &mut frame);
        let t = Instant::now();
        app.show_shot(Shot::Item).unwrap();
        draw_frame(&window, size, &mut frame);
        took.push(ms(t.elapsed()));
    }
    // The first opening warms caches; both sides are timed warm.
    took.remove(0);
    median(took)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const ITEMS_PER_PAGE: usize = 50;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><link rel=\"stylesheet\" href=\"kiosk.css\"></head><body><header><a href=\"index.html\">首页</a><h1>{}</h1></header><main>{body}</main></body></html>",
        esc(title),
        esc(title)
    )
}

/// The hall's catalog as static pages, as a browser kiosk would be fed:
/// `index.html` (the domains with counts, the latest items), a page per 50
/// items of each domain, a page per item. Returns the number of pages.
fn write_site(db: &Path, dir: &Path) -> usize {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("kiosk.css"),
        "body{margin:0;font-family:'Noto Sans CJK SC',sans-serif;font-size:24px;background:#f4f6f8;color:#1a1a1a}\
         header{background:#b71c1c;color:#fff;padding:16px 32px;display:flex;gap:32px;align-items:center}\
         header a{color:#fff;font-size:28px}h1{font-size:36px;margin:0}main{padding:24px 32px}\
         .domains{display:grid;grid-template-columns:repeat(6,1fr);gap:16px}\
         .domains a{display:block;background:#fff;border-radius:12px;padding:20px;font-size:26px;color:#1a1a1a;text-decoration:none}\
         .domains small{display:block;color:#666;font-size:20px}li{margin:8px 0}\
         table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ccc;padding:12px;text-align:left;vertical-align:top}\
         th{width:220px;background:#eef}",
    )
    .unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut scope = vec![HALL.to_string()];
    while let Some(parent) = conn
        .query_row(
            "SELECT parent FROM region WHERE code = ?1",
            [scope.last().unwrap()],
            |r| r.get::<_, Option<String>>(0),
        )
        .unwrap()
    {
        scope.push(parent);
    }
    let hall: String = conn
        .query_row("SELECT name FROM region WHERE code = ?1", [HALL], |r| {
            r.get(0)
        })
        .unwrap();
    let in_scope = format!(
        "region_code IN ({})",
        scope
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut pages = 0;
    let mut write = |name: String, html: String| {
        std::fs::write(dir.join(name), html).unwrap();
        pages += 1;
    };
    // Items, by domain.
    let mut stmt = conn
        .prepare(&format!(
            "SELECT i.id, i.name, d.code, d.name, i.column1, coalesce(i.column2, ''), coalesce(i.column3, ''),
                    i.content, coalesce(i.basis, ''), i.time_limit, i.publisher, coalesce(i.channel, ''),
                    coalesce(i.office, ''), coalesce(i.contact_phone, ''), i.updated
             FROM catalog_item i JOIN domain d ON d.code = i.domain_code
             WHERE {in_scope} ORDER BY d.code, i.id"
        ))
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut domains: Vec<Domain> = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let id: i64 = r.get(0).unwrap();
        let name: String = r.get(1).unwrap();
        let code: i64 = r.get(2).unwrap();
        if domains.last().is_none_or(|d| d.0 != code) {
            domains.push((code, r.get(3).unwrap(), Vec::new()));
        }
        let fields = [
            "栏目",
            "子栏目",
            "三级栏目",
            "公开内容",
            "公开依据",
            "公开时限",
            "公开主体",
            "公开渠道",
            "经办科室",
            "咨询电话",
            "更新时间",
        ];
        let mut table = String::from("<table>");
        for (i, label) in fields.iter().enumerate() {
            let v: String = r.get(4 + i).unwrap();
            if !v.is_empty() {
                let _ = write!(table, "<tr><th>{label}</th><td>{}</td></tr>", esc(&v));
            }
        }
        table.push_str("</table>");
        write(format!("item-{id}.html"), page(&name, &table));
        domains.last_mut().unwrap().2.push((id, name));
    }
    let mut tiles = String::from("<h2>公开领域</h2><div class=\"domains\">");
    for (code, name, items) in &domains {
        let _ = write!(
            tiles,
            "<a href=\"domain-{code}-1.html\">{}<small>{} 项</small></a>",
            esc(name),
            items.len()
        );
        let count = items.len().div_ceil(ITEMS_PER_PAGE);
        for (p, chunk) in items.chunks(ITEMS_PER_PAGE).enumerate() {
            let mut body = String::from("<ol>");
            for (id, item) in chunk {
                let _ = write!(
                    body,
                    "<li><a class=\"item\" href=\"item-{id}.html\">{}</a></li>",
                    esc(item)
                );
            }
            body.push_str("</ol>");
            if p + 1 < count {
                let _ = write!(body, "<a href=\"domain-{code}-{}.html\">下一页</a>", p + 2);
            }
            let _ = write!(body, " 第{}/{}页", p + 1, count);
            write(format!("domain-{code}-{}.html", p + 1), page(name, &body));
        }
    }
    tiles.push_str("</div><h2>最新更新</h2><ol>");
    let mut latest = conn
        .prepare(&format!(
            "SELECT id, name FROM catalog_item WHERE {in_scope} ORDER BY updated DESC, id DESC LIMIT 20"
        ))
        .unwrap();
    let latest: Vec<(i64, String)> = latest
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, name) in &latest {
        let _ = write!(
            tiles,
            "<li><a class=\"item\" href=\"item-{id}.html\">{}</a></li>",
            esc(name)
        );
    }
    tiles.push_str("</ol>");
    write("index.html".into(), page(&hall, &tiles));
    pages
}

/// A domain's code and name, and its items' ids and names.
type Domain = (i64, String, Vec<(i64, String)>);

/// A WebDriver session with ChromeDriver on 127.0.0.1.
struct Driver {
    port: u16,
    child: std::process::Child,
}

impl Driver {
    fn start(x: &Xvfb) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .env("DISPLAY", &x.display)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let d = Driver { port, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while d.call("GET", "/status", None).is_none() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    /// One WebDriver command; its `value`, or `None` if ChromeDriver is not
    /// answering.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Option<Value> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .ok()?;
        // ChromeDriver keeps the connection open: read the head, then the
        // body by its length (or its chunks).
        let mut raw = Vec::new();
        let mut buf = [0u8; 16384];
        let head_end = loop {
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            raw.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let done = |raw: &[u8]| match length {
            Some(n) => raw.len() >= head_end + n,
            None => raw.ends_with(b"0\r\n\r\n"),
        };
        while !done(&raw) {
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        let rest = String::from_utf8_lossy(&raw[head_end..]).into_owned();
        let body = if length.is_none() && head.contains("transfer-encoding: chunked") {
            dechunk(&rest)
        } else {
            rest
        };
        let v: Value = serde_json::from_str(&body).ok()?;
        Some(v["value"].clone())
    }

    fn new_session(&self, profile: &Path) -> String {
        let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--kiosk", "--no-sandbox", "--window-size=1920,1080",
                     "--window-position=0,0", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions",
                     format!("--user-data-dir={}", profile.display())],
        }}}});
        let v = self
            .call("POST", "/session", Some(caps))
            .expect("chromedriver answers");
        v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no Chromium session: {v}"))
            .to_string()
    }

    /// The current page's first contentful paint, as epoch milliseconds.
    fn first_paint(&self, session: &str) -> f64 {
        let script = json!({"script": "const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? performance.timeOrigin + e.startTime : null;", "args": []});
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self
                .call(
                    "POST",
                    &format!("/session/{session}/execute/sync"),
                    Some(script.clone()),
                )
                .unwrap();
            if let Some(t) = v.as_f64() {
                return t;
            }
            assert!(Instant::now() < deadline, "no first contentful paint");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Every process below `root` (not `root` itself).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parent_of.push((pid, ppid));
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parent_of {
            if parent == p {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

fn chromium_figures(x: &Xvfb, site: &Path, work: &Path) -> Figures {
    let home = format!("file://{}", site.join("index.html").display());
    let driver = Driver::start(x);
    let mut firsts = Vec::new();
    let mut opens = Vec::new();
    let mut pss = None;
    for run in 0..RUNS {
        let profile: PathBuf = work.join(format!("chromium-{run}"));
        let t0 = epoch_ms();
        let session = driver.new_session(&profile);
        driver
            .call(
                "POST",
                &format!("/session/{session}/url"),
                Some(json!({ "url": home })),
            )
            .unwrap();
        firsts.push(driver.first_paint(&session) - t0);
        if run == 0 {
            // Settled, as ours is measured.
            std::thread::sleep(Duration::from_secs(6));
            pss = Some(
                descendants(driver.child.id())
                    .into_iter()
                    .filter_map(pss_of)
                    .sum::<f64>(),
            );
        }
        // Open one of the latest items (a different one each run).
        let links = driver
            .call(
                "POST",
                &format!("/session/{session}/elements"),
                Some(json!({"using": "css selector", "value": "a.item"})),
            )
            .unwrap();
        let link = links[run]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("a link to an item")
            .to_string();
        let t1 = epoch_ms();
        driver
            .call(
                "POST",
                &format!("/session/{session}/element/{link}/click"),
                Some(json!({})),
            )
            .unwrap();
        // Wait for the item page, not the home page's paint.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = driver
                .call("GET", &format!("/session/{session}/url"), None)
                .unwrap();
            if url.as_str().is_some_and(|u| u.contains("item-")) {
                break;
            }
            assert!(Instant::now() < deadline, "the item page did not open");
            std::thread::sleep(Duration::from_millis(10));
        }
        opens.push(driver.first_paint(&session) - t1);
        driver.call("DELETE", &format!("/session/{session}"), None);
    }
    Figures {
        pss_mb: pss,
        first_frame_ms: Some(median(firsts)),
        open_item_ms: Some(median(opens)),
    }
}
