//! `gongkai-provision` end to end with the real binaries: the county's
//! repository (the `county` library publishes the demo content), the real
//! `county serve` on 127.0.0.1, `county devices add` printing the
//! provisioning code, then `gongkai-provision --code` and `--from-spool`
//! into a terminal's folders in a temporary directory (the installed
//! example configurations, as the package leaves them), and a round of
//! `sync-agent once` with what it wrote. Then what must fail: a root that
//! does not match, a used code, the server down, a malformed request.
//!
//! `county` is taken from the target folder beside this test: build it
//! first (`cargo test -p county -p sync-agent` does, as does scripts/test).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Instant;

use common::{Fixture, workspace};
use disclosure::provisioning::{ProvisioningCode, root_fingerprint};

/// A workspace binary next to this test (target/<profile>/).
fn county_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let p = exe.parent().unwrap().parent().unwrap().join("county");
    assert!(
        p.exists(),
        "{} is missing: build it first (cargo build -p county)",
        p.display()
    );
    p
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    eprintln!(
        "$ {cmd:?}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real `county serve` on a free port.
fn serve(fx: &Fixture) -> (Server, u16) {
    let mut child = Command::new(county_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--repo"])
        .arg(fx.path("repo"))
        .arg("--database")
        .arg(fx.path("county.db"))
        .args([
            "--enrol-per-address-per-minute",
            "50",
            "--staff-key",
            "staff-secret",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (Server(child), port)
}

/// `county devices add` with everything the QR code needs; the code's
/// text as printed.
fn devices_add(fx: &Fixture, device: u8, url: &str, root: &Path) -> String {
    let out = run(Command::new(county_bin())
        .args(["devices", "add", "--database"])
        .arg(fx.path("county.db"))
        .args(["--region", "990521201201", "--device", &device.to_string()])
        .args(["--hall-name", "石桥村政务公开查阅点", "--server-url", url])
        .arg("--root")
        .arg(root));
    assert!(out.status.success());
    let text = stdout(&out);
    text.lines()
        .find(|l| l.starts_with("GKPROV1:"))
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_string()
}

/// A terminal after `apt-get install`: the package's configuration files
/// under `etc/`, its data folders under `var/` (the examples' paths moved
/// there), a folder for sticks and a spool.
struct Terminal {
    dir: PathBuf,
}

impl Terminal {
    fn new(fx: &Fixture, name: &str) -> Terminal {
        let dir = fx.path(name);
        let etc = dir.join("etc");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::create_dir_all(dir.join("media")).unwrap();
        std::fs::create_dir_all(dir.join("spool")).unwrap();
        for (from, to) in [
            ("sync-agent.example.toml", "sync-agent.toml"),
            ("kiosk.example.toml", "kiosk.toml"),
        ] {
            let text = std::fs::read_to_string(workspace().join("deploy").join(from))
                .unwrap()
                .replace(
                    "/etc/gongkai/root.json",
                    &format!("{}/root.json", etc.display()),
                )
                .replace("/var/lib/gongkai", &format!("{}/var", dir.display()));
            std::fs::write(etc.join(to), text).unwrap();
        }
        Terminal { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.join(p)
    }

    fn read(&self, p: &str) -> String {
        std::fs::read_to_string(self.path(p)).unwrap_or_default()
    }

    fn provision(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gongkai-provision"));
        c.arg("--etc-dir")
            .arg(self.path("etc"))
            .env("GONGKAI_USB_ROOTS", self.path("media"))
            .arg("--package-root")
            .arg(self.path("usr/share/gongkai/root.json"))
            .stdin(Stdio::null());
        c
    }

    fn sync_once(&self) -> Output {
        run(Command::new(env!("CARGO_BIN_EXE_sync-agent"))
            .arg("--config")
            .arg(self.path("etc/sync-agent.toml"))
            .arg("once"))
    }

    /// Every file under `etc/` and `var/`, with its bytes.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for d in ["etc", "var"] {
            let mut stack = vec![self.path(d)];
            while let Some(p) = stack.pop() {
                let Ok(rd) = std::fs::read_dir(&p) else {
                    continue;
                };
                for e in rd {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        out.push((p.clone(), std::fs::read(&p).unwrap()));
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// What `gongkai-provision` must leave: the code's values in both files,
/// their comments kept, the county's root installed, the terminal enrolled.
fn check_written(t: &Terminal, fx: &Fixture, code: &ProvisioningCode, pin_hash: Option<&str>) {
    let agent = t.read("etc/sync-agent.toml");
    let a: toml::Value = toml::from_str(&agent).unwrap();
    assert_eq!(a["device"]["region"].as_str(), Some("990521201201"));
    assert_eq!(
        a["device"]["device"].as_integer(),
        Some(i64::from(code.device().get()))
    );
    assert_eq!(
        a["server"]["url"].as_str(),
        Some(code.server_url().as_str())
    );
    assert!(agent.contains("# 行政区划代码 of the hall: must be the kiosk's hall.region."));
    assert!(agent.contains("# Seconds between rounds (10–86400)."));
    let kiosk = t.read("etc/kiosk.toml");
    let k: toml::Value = toml::from_str(&kiosk).unwrap();
    assert_eq!(k["hall"]["name"].as_str(), Some("石桥村政务公开查阅点"));
    assert_eq!(k["hall"]["region"].as_str(), Some("990521201201"));
    assert_eq!(
        k["hall"]["device"].as_integer(),
        Some(i64::from(code.device().get()))
    );
    assert_eq!(
        k["content"]["database"].as_str(),
        Some(t.path("var/content.db").to_str().unwrap())
    );
    assert_eq!(
        k.get("technician")
            .and_then(|s| s.get("pin_hash"))
            .and_then(|v| v.as_str()),
        pin_hash
    );
    assert!(kiosk.contains("# 厅名, shown at the top of the home page (1–40 characters)."));
    assert!(kiosk.contains("# The USB barcode scanner's input device;"));
    let root = std::fs::read(t.path("etc/root.json")).unwrap();
    assert_eq!(root, std::fs::read(fx.path("keys/root.json")).unwrap());
    assert_eq!(root_fingerprint(&root), code.root_fingerprint());
    let creds = t.read("var/agent/credentials.json");
    assert!(creds.contains("990521201201-0"), "{creds}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisioning_by_code_and_by_spool_with_the_real_binaries() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let (server, port) = serve(&fx);
    let url = format!("http://127.0.0.1:{port}/");
    let root = fx.path("keys/root.json");

    // `county devices add`: the printed text is the code, with the county's root.
    let text = devices_add(&fx, 1, &url, &root);
    let code = ProvisioningCode::parse(&text).unwrap();
    assert_eq!(code.region().as_str(), "990521201201");
    assert_eq!(code.device().get(), 1);
    assert_eq!(code.hall_name(), "石桥村政务公开查阅点");
    assert_eq!(code.server_url().as_str(), url);
    assert_eq!(
        code.root_fingerprint(),
        root_fingerprint(&std::fs::read(&root).unwrap())
    );

    // From a keyboard: the root comes from the server, checked.
    let t = Terminal::new(&fx, "box1");
    let started = Instant::now();
    let out = run(t.provision().arg("--code").arg(&text));
    let by_code = started.elapsed();
    assert!(out.status.success(), "{}", stdout(&out));
    let said = stdout(&out);
    assert!(said.contains("根元数据：服务器"), "{said}");
    assert!(
        said.contains("已开通终端 990521201201-01（石桥村政务公开查阅点）"),
        "{said}"
    );
    check_written(&t, &fx, &code, None);
    let started = Instant::now();
    let sync = t.sync_once();
    let first_sync = started.elapsed();
    assert!(sync.status.success(), "{}", stdout(&sync));
    assert!(stdout(&sync).contains("内容第 1 版"), "{}", stdout(&sync));
    assert!(t.path("var/content.db").exists());

    // The same code again: already enrolled, nothing asked of the county.
    let out = run(t.provision().arg("--code").arg(&text));
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("已用这个开通码开通过"),
        "{}",
        stdout(&out)
    );
    check_written(&t, &fx, &code, None);

    // The used code on another box: the county refuses, and says so.
    let other = Terminal::new(&fx, "box-used");
    let out = run(other.provision().arg("--code").arg(&text));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("县里不接受这个开通码：它已经用过"),
        "{}",
        stdout(&out)
    );

    // From the kiosk's technician screen: a request in the spool, the root
    // from a USB stick, a technician PIN hash copied.
    let spooled = devices_add(&fx, 2, &url, &root);
    let t2 = Terminal::new(&fx, "box2");
    std::fs::create_dir_all(t2.path("media/STICK/gongkai")).unwrap();
    std::fs::copy(&root, t2.path("media/STICK/gongkai/root.json")).unwrap();
    std::fs::write(
        t2.path("spool/request.toml"),
        format!("code = \"{spooled}\"\ntechnician_pin_hash = \"sha256$00ff$abcd\"\n"),
    )
    .unwrap();
    let started = Instant::now();
    let out = run(t2.provision().arg("--from-spool").arg(t2.path("spool")));
    let by_spool = started.elapsed();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("根元数据：U 盘"), "{}", stdout(&out));
    let result: serde_json::Value = serde_json::from_str(&t2.read("spool/result.json")).unwrap();
    assert_eq!(result["ok"], true, "{result}");
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .starts_with("已开通终端 990521201201-02"),
        "{result}"
    );
    let at = result["finished_at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.len() == 20, "{at}");
    assert!(!t2.path("spool/request.toml").exists());
    let code2 = ProvisioningCode::parse(&spooled).unwrap();
    check_written(&t2, &fx, &code2, Some("sha256$00ff$abcd"));
    let sync = t2.sync_once();
    assert!(sync.status.success(), "{}", stdout(&sync));

    // A malformed request: a result that says so, the request gone.
    std::fs::write(t2.path("spool/request.toml"), "code = GKPROV1\n").unwrap();
    let out = run(t2.provision().arg("--from-spool").arg(t2.path("spool")));
    assert_eq!(out.status.code(), Some(1));
    let result: serde_json::Value = serde_json::from_str(&t2.read("spool/result.json")).unwrap();
    assert_eq!(result["ok"], false);
    assert!(
        result["message"].as_str().unwrap().contains("格式有误"),
        "{result}"
    );
    assert!(!t2.path("spool/request.toml").exists());

    eprintln!(
        "gongkai-provision end to end (root, configuration, enrolment): --code {:.2} s, --from-spool {:.2} s; then the first sync-agent once (demo content) {:.2} s",
        by_code.as_secs_f64(),
        by_spool.as_secs_f64(),
        first_sync.as_secs_f64()
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_root_that_does_not_match_and_a_server_that_is_down() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let (server, port) = serve(&fx);
    let url = format!("http://127.0.0.1:{port}/");
    // Another county's root, on a stick and named by --root.
    let stranger = fx.path("stranger");
    county::keys::KeyDir::new(&stranger)
        .init(county::keys::RootPolicy::default())
        .await
        .unwrap();
    let text = devices_add(&fx, 3, &url, &fx.path("keys/root.json"));

    let t = Terminal::new(&fx, "box");
    let before = t.snapshot();
    let out = run(t
        .provision()
        .arg("--code")
        .arg(&text)
        .arg("--root")
        .arg(stranger.join("root.json")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("与开通码中的指纹不符"),
        "{}",
        stdout(&out)
    );
    assert_eq!(t.snapshot(), before, "nothing is written");

    // A code made with the stranger's root: the stick's and the server's
    // roots are the county's, so none matches.
    let wrong = devices_add(&fx, 3, &url, &stranger.join("root.json"));
    std::fs::create_dir_all(t.path("media/STICK")).unwrap();
    std::fs::copy(fx.path("keys/root.json"), t.path("media/STICK/root.json")).unwrap();
    let out = run(t.provision().arg("--code").arg(&wrong));
    assert_eq!(out.status.code(), Some(1));
    let said = stdout(&out);
    assert!(
        said.contains("找到的根元数据都与开通码中的指纹不符"),
        "{said}"
    );
    assert!(
        said.contains("U 盘") && said.contains("1.root.json"),
        "{said}"
    );
    assert_eq!(t.snapshot(), before, "nothing is written");

    // The server down: no root to be had without a stick…
    drop(server);
    let out = run(t
        .provision()
        .arg("--code")
        .arg(&text)
        .arg("--usb-roots")
        .arg(t.path("none")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("连不上县里的服务器"),
        "{}",
        stdout(&out)
    );
    assert_eq!(t.snapshot(), before, "nothing is written");
    // …and with the root on a stick, the configuration is written but the
    // enrolment cannot reach the county: said so, and a rerun can finish.
    let out = run(t.provision().arg("--code").arg(&text));
    assert_eq!(out.status.code(), Some(1));
    let said = stdout(&out);
    assert!(said.contains("已写入同步服务配置"), "{said}");
    assert!(said.contains("开通失败：连不上县里的服务器"), "{said}");
    assert!(!t.path("var/agent/credentials.json").exists());
}
