//! Test fixtures for the agent: a county key folder and repository built
//! with the real `county` library, and a small HTTP/1.1 server on
//! 127.0.0.1 that serves the repository and misbehaves on request (status
//! codes, truncated bodies, ignored ranges, delays).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the server misbehaves.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every request with this status and no body.
    pub status: Option<u16>,
    /// Send only this many body bytes of files whose path contains
    /// `truncate_match`, then close; `truncate_times` times.
    pub truncate_after: Option<usize>,
    pub truncate_match: String,
    pub truncate_times: u32,
    /// Answer ranged requests with the whole file and `200`.
    pub ignore_range: bool,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Serve these bytes instead of the file at a path ending so.
    pub replace: Vec<(String, Vec<u8>)>,
}

/// What the server saw.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub requests: Vec<String>,
    pub ranged: Vec<String>,
    pub body_bytes: u64,
}

pub struct FaultServer {
    pub port: u16,
    pub faults: Arc<Mutex<Faults>>,
    pub seen: Arc<Mutex<Seen>>,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl FaultServer {
    /// Serves `root` (the folder holding `repo/`) on a free port.
    pub async fn start(root: &Path) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (f2, s2, root) = (faults.clone(), seen.clone(), root.to_path_buf());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (faults, seen, root) = (f2.clone(), s2.clone(), root.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        if buf.len() > 65536 {
                            return;
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).into_owned();
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let path = percent_decode(path.split('?').next().unwrap_or(""));
                    let range: Option<u64> = head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        if !k.eq_ignore_ascii_case("range") {
                            return None;
                        }
                        v.trim()
                            .strip_prefix("bytes=")?
                            .strip_suffix('-')?
                            .parse()
                            .ok()
                    });
                    let f = faults.lock().unwrap().clone();
                    {
                        let mut s = seen.lock().unwrap();
                        s.requests.push(path.clone());
                        if range.is_some() {
                            s.ranged.push(path.clone());
                        }
                    }
                    if let Some(d) = f.delay {
                        tokio::time::sleep(d).await;
                    }
                    if let Some(code) = f.status {
                        let _ = sock
                            .write_all(format!("HTTP/1.1 {code} Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())
                            .await;
                        return;
                    }
                    let file = root.join(path.trim_start_matches('/'));
                    let replaced = f.replace.iter().find(|(p, _)| path.ends_with(p.as_str()));
                    let body = match replaced {
                        Some((_, b)) => b.clone(),
                        None => match (path.contains(".."), std::fs::read(&file)) {
                            (false, Ok(b)) => b,
                            _ => {
                                let _ = sock
                                    .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                    .await;
                                return;
                            }
                        },
                    };
                    let (status, start) = match range {
                        Some(r) if !f.ignore_range && (r as usize) < body.len() => {
                            ("206 Partial Content", r as usize)
                        }
                        Some(_) if !f.ignore_range => {
                            let _ = sock.write_all(b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                            return;
                        }
                        _ => ("200 OK", 0),
                    };
                    let part = &body[start..];
                    let mut send = part.len();
                    if let Some(n) = f.truncate_after
                        && path.contains(&f.truncate_match)
                    {
                        let mut fl = faults.lock().unwrap();
                        if fl.truncate_times > 0 {
                            fl.truncate_times -= 1;
                            send = send.min(n);
                        }
                    }
                    let header = format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        part.len()
                    );
                    let _ = sock.write_all(header.as_bytes()).await;
                    let _ = sock.write_all(&part[..send]).await;
                    seen.lock().unwrap().body_bytes += send as u64;
                    let _ = sock.shutdown().await;
                });
            }
        });
        FaultServer { port, faults, seen }
    }

    pub fn set(&self, f: Faults) {
        *self.faults.lock().unwrap() = f;
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    pub fn reset_seen(&self) {
        *self.seen.lock().unwrap() = Seen::default();
    }
}

/// The workspace's folder (read at run time, not baked in at compile time).
pub fn workspace() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A county (keys + repository under `<dir>/repo`) and a terminal's files.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        county::keys::KeyDir::new(&dir.path().join("keys"))
            .init(county::keys::RootPolicy::default())
            .await
            .unwrap();
        Fixture { dir }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    pub fn options(&self, timestamp_days: i64) -> county::publish::PublishOptions {
        county::publish::PublishOptions {
            content: workspace().join("assets/demo"),
            calendars: Some(workspace().join("assets/calendars")),
            keys: self.path("keys"),
            repo: self.path("repo"),
            targets_days: 30,
            snapshot_days: 30,
            timestamp_days,
            delegated: Some(self.path("inbox")).filter(|p| p.exists()),
        }
    }

    /// Lets township `region` sign its own items: its key (under
    /// `township-keys/`), the county's delegation, and its bundle — the
    /// demo content of it and its villages — in the county's inbox, which
    /// every later publish takes.
    pub async fn delegate_township(&self, region: &str) {
        let code: disclosure::RegionCode = region.parse().unwrap();
        let keys = self.path("township-keys");
        let k = county::delegation::township_keys(&keys, &code).unwrap();
        let key = county::delegation::read_public_key(&k.public).unwrap();
        county::keys::KeyDir::new(&self.path("keys"))
            .delegate(&code, vec![key], 1)
            .unwrap();
        let content = self.path(&format!("township-{region}"));
        let demo = workspace().join("assets/demo");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::copy(demo.join("regions.csv"), content.join("regions.csv")).unwrap();
        for folder in disclosure::feed::REGION_FOLDERS {
            let Ok(rd) = std::fs::read_dir(demo.join(folder)) else {
                continue;
            };
            for e in rd {
                let p = e.unwrap().path();
                if p.file_name().unwrap().to_string_lossy().starts_with(region) {
                    copy_tree(&p, &content.join(folder).join(p.file_name().unwrap()));
                }
            }
        }
        county::delegation::township_publish(&county::delegation::TownshipPublishOptions {
            region: region.into(),
            keys,
            content,
            out: self.path(&format!("inbox/{region}")),
            days: 180,
            version: None,
        })
        .await
        .unwrap();
    }

    /// Publishes the demo content (plus `extra` targets) as the next version.
    pub async fn publish_demo(&self, extra: &[(&str, &[u8])]) -> county::publish::PublishReport {
        self.publish_with(extra, 7).await
    }

    pub async fn publish_with(
        &self,
        extra: &[(&str, &[u8])],
        timestamp_days: i64,
    ) -> county::publish::PublishReport {
        self.provision();
        let opts = self.options(timestamp_days);
        let mut targets =
            county::publish::feed_targets(&opts.content, opts.calendars.as_deref()).unwrap();
        for (n, b) in extra {
            targets.insert(n.to_string(), b.to_vec());
        }
        county::publish::publish_targets(&opts, &targets)
            .await
            .unwrap()
    }

    /// Puts the county's current root.json on the terminal (once, as a
    /// technician does when installing it).
    pub fn provision(&self) {
        let to = self.path("device/root.json");
        if !to.exists() {
            std::fs::create_dir_all(self.path("device")).unwrap();
            std::fs::copy(self.path("keys/root.json"), to).unwrap();
        }
    }

    /// An agent configuration for terminal 990521201201-01 talking to `port`.
    pub fn config(&self, port: u16) -> sync_agent::config::AgentConfig {
        sync_agent::config::AgentConfig::parse(&self.config_toml(port)).unwrap()
    }

    /// The same configuration as the TOML a terminal keeps.
    pub fn config_toml(&self, port: u16) -> String {
        format!(
            r#"
[device]
region = "990521201201"
device = 1
[server]
url = "http://127.0.0.1:{port}"
[paths]
root = "{d}/root.json"
state_dir = "{d}/state"
content_db = "{d}/content.db"
requests_db = "{d}/requests.db"
calendar_dir = "{d}/calendars"
[sync]
request_timeout_secs = 2
max_target_bytes = 4194304
[outbox]
backoff_base_secs = 60
backoff_max_secs = 3600
"#,
            d = self.path("device").display(),
        )
    }

    /// The feed version `content.db` holds.
    pub fn content_version(&self) -> Option<u64> {
        let p = self.path("device/content.db");
        if !p.exists() {
            return None;
        }
        let s = disclosure::ContentStore::open_read_only(&p).unwrap();
        s.integrity_check().unwrap();
        s.feed_version().unwrap().map(|v| v.0)
    }
}

/// Publishes `n` synthetic items (demo regions) as the next version.
pub async fn publish_synthetic(fx: &Fixture, n: usize, seed: u64) -> u64 {
    publish_items(fx, &disclosure::synth::synthetic_items(n, seed)).await
}

/// Publishes `items` (demo regions) as the next version.
pub async fn publish_items(fx: &Fixture, items: &[disclosure::CatalogItem]) -> u64 {
    fx.provision();
    let opts = fx.options(7);
    let mut targets = disclosure::feed::catalog_shards(items);
    targets.insert(
        "regions.csv".into(),
        std::fs::read(workspace().join("assets/demo/regions.csv")).unwrap(),
    );
    county::publish::publish_targets(&opts, &targets)
        .await
        .unwrap()
        .version
}

/// Changes the content of every `step`-th item, starting at `offset`.
pub fn revise(items: &mut [disclosure::CatalogItem], step: usize, offset: usize) -> usize {
    let mut n = 0;
    for it in items.iter_mut().skip(offset).step_by(step) {
        it.content.push_str("（已修订）");
        n += 1;
    }
    n
}

/// Copies a folder and everything in it.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// A requests.db at `db` with one application waiting in its outbox (a
/// fictional 王秀英 at the 石桥村 terminal), and when it was taken.
pub fn sample_application(db: &Path) -> (disclosure::requests::RequestStore, time::OffsetDateTime) {
    use disclosure::requests::{
        ApplicationForm, DeviceNo, IdDocumentKind, ReceivingBody, RequestStore,
    };
    let mut store = RequestStore::open(db).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let app = ApplicationForm {
        name: "王秀英".into(),
        id_kind: Some(IdDocumentKind::ResidentId),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        description: "低保名单".into(),
        ..ApplicationForm::default()
    }
    .validate(disclosure::Date::in_china(now))
    .unwrap();
    let body = ReceivingBody {
        name: "石桥乡人民政府".into(),
        region: "990521201".parse().unwrap(),
    };
    let cal =
        disclosure::calendar::WorkingDayCalendar::new(disclosure::calendar::builtin_schedules());
    store
        .submit(
            &app,
            &body,
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            now,
            &cal,
        )
        .unwrap();
    (store, now)
}
