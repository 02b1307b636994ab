//! Shared set-up of the county's repository tests: a county with keys, a
//! township with its own key and content, and loading a published
//! repository as a terminal does.
#![allow(dead_code, unused_imports)]

pub use std::collections::BTreeMap;
pub use std::path::{Path, PathBuf};

pub use county::delegation::{
    TownshipPublishOptions, read_public_key, township_keys, township_publish,
};
pub use county::keys::{KeyDir, RootPolicy};
pub use county::publish::{PublishOptions, publish};
pub use disclosure::RegionCode;
use disclosure::requests::wire::{ApplicantMessage, ApplicationMessage};

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub const TOWNSHIP: &str = "990521101";
pub const ROLE_NAME: &str = "region-990521101";

pub fn code(s: &str) -> RegionCode {
    s.parse().unwrap()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// The demo content of `region` and the regions under it, as a township
/// keeps it: the same folders, with the county's regions.csv.
pub fn township_content(to: &Path, region: &str) {
    let demo = workspace().join("assets/demo");
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(demo.join("regions.csv"), to.join("regions.csv")).unwrap();
    for folder in ["catalog", "documents", "guides", "notices"] {
        let Ok(rd) = std::fs::read_dir(demo.join(folder)) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.file_name().unwrap().to_string_lossy().starts_with(region) {
                copy_dir(&p, &to.join(folder).join(p.file_name().unwrap()));
            }
        }
    }
}

/// A county with keys, and a township with its own key and content.
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub async fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        KeyDir::new(&dir.path().join("keys"))
            .init(RootPolicy::default())
            .await
            .unwrap();
        township_keys(&dir.path().join("township-keys"), &code(TOWNSHIP)).unwrap();
        township_content(&dir.path().join("township"), TOWNSHIP);
        Setup { dir }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    pub fn county_keys(&self) -> KeyDir {
        KeyDir::new(&self.path("keys"))
    }

    pub fn delegate(&self) {
        let key = read_public_key(&self.path("township-keys/region-990521101.pub.json")).unwrap();
        self.county_keys()
            .delegate(&code(TOWNSHIP), vec![key], 1)
            .unwrap();
    }

    pub fn township_options(&self) -> TownshipPublishOptions {
        TownshipPublishOptions {
            region: TOWNSHIP.into(),
            keys: self.path("township-keys"),
            content: self.path("township"),
            out: self.path("inbox/城关镇"),
            days: 180,
            version: None,
        }
    }

    pub fn county_options(&self) -> PublishOptions {
        PublishOptions {
            content: workspace().join("assets/demo"),
            calendars: None,
            keys: self.path("keys"),
            repo: self.path("repo"),
            targets_days: 30,
            snapshot_days: 30,
            timestamp_days: 7,
            delegated: Some(self.path("inbox")),
        }
    }
}

/// Loads the repository as a terminal would and returns every target it
/// resolves (name → sha256), which role signed it, and the version.
pub async fn load(repo: &Path, root: &Path) -> (BTreeMap<String, (String, String)>, u64) {
    let url = |p: &str| url::Url::from_directory_path(repo.join(p)).unwrap();
    let repo = tough::RepositoryLoader::new(
        &std::fs::read(root).unwrap(),
        url("metadata"),
        url("targets"),
    )
    .load()
    .await
    .expect("a terminal accepts the repository");
    let top = &repo.targets().signed;
    let mut out = BTreeMap::new();
    for (name, _) in repo.all_targets() {
        let t = top.find_target(name, false).unwrap();
        let signer = if top.targets.contains_key(name) {
            "targets".to_string()
        } else {
            top.delegations
                .as_ref()
                .unwrap()
                .roles
                .iter()
                .find(|r| {
                    r.targets
                        .as_ref()
                        .is_some_and(|s| s.signed.targets.contains_key(name))
                })
                .unwrap()
                .name
                .clone()
        };
        out.insert(
            name.raw().to_string(),
            (disclosure::feed::hex(&t.hashes.sha256), signer),
        );
    }
    (out, top.version.get())
}

/// A real `county serve` process on 127.0.0.1 with a free port, stopped
/// when dropped.
pub struct CountyServer {
    child: std::process::Child,
    pub base: String,
}

impl CountyServer {
    /// Starts `county serve --listen 127.0.0.1:0 <args>` and waits for the
    /// address it prints.
    pub fn start(args: &[&std::ffi::OsStr]) -> CountyServer {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_county"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("county serve starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = std::io::BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("county serve printed its address before exiting")
                .unwrap();
            if let Some(url) = line.strip_prefix("county serve: ") {
                break url.trim_end_matches('/').to_string();
            }
        };
        // Keep draining its log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        CountyServer { child, base }
    }
}

impl Drop for CountyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python of the virtualenv that `scripts/test` fills with the tools
/// named in `scripts/python-tools.txt`. Missing tools fail the test: a
/// conformance check that skips itself checks nothing.
pub fn python_tools() -> PathBuf {
    let venv = std::env::var_os("GONGKAI_PYTOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("pytools")))
        .unwrap_or_else(|| workspace().join("target/pytools"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./scripts/test, which installs python-tuf and schemathesis \
         from scripts/python-tools.txt into that virtualenv",
        python.display()
    );
    python
}

/// A complete application from terminal 990521201201-01 under `receipt`
/// (with a progress token derived from it), for the intake tests.
pub fn sample_application(receipt: &str) -> ApplicationMessage {
    ApplicationMessage {
        receipt_no: receipt.into(),
        hall_region: "990521201201".into(),
        device: 1,
        received_at: "2026-11-23 09:05:00+08:00".into(),
        channel: "现场·政务公开专区终端".into(),
        staff_assisted: false,
        applicant: ApplicantMessage::Person {
            name: "王秀英".into(),
            id_kind: "resident_id".into(),
            id_number: "11010519491231002X".into(),
        },
        phone: "13800138000".into(),
        address: None,
        email: None,
        item_key: None,
        document_key: None,
        linked_title: None,
        doc_no: None,
        description: "2025年石桥村低保名单".into(),
        provide_form: "paper".into(),
        delivery: "collect".into(),
        body_name: "石桥乡人民政府".into(),
        body_region: "990521201".into(),
        deadline: Some("2026-12-21".into()),
        deadline_unknown_year: None,
        // A token of the right shape, one per receipt number.
        progress_token: Some(
            receipt
                .bytes()
                .filter(u8::is_ascii_digit)
                .skip(2)
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect(),
        ),
    }
}

/// `county serve`'s router for `opts`, served in this process on a free
/// port of 127.0.0.1 with `opts.limits`; the port.
pub async fn serve_in_process(opts: &county::serve::ServeOptions) -> u16 {
    let router = county::serve::router(opts).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let limits = opts.limits.clone();
    tokio::spawn(async move {
        county::serve::serve_on(listener, router, &limits, std::future::pending())
            .await
            .unwrap()
    });
    port
}
