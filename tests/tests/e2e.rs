//! End to end with the real binaries: `county publish` the demo content →
//! `county serve` on 127.0.0.1 → `sync-agent` enrols and syncs → the kiosk
//! renders from the synced `content.db`; an application taken on the
//! terminal → delivered to the county → `county applications reply` → the
//! terminal's progress data shows the reply. Then the server goes down.
//!
//! The binaries are the workspace's own, built by `cargo test --workspace`
//! (or `cargo build --workspace --bins`) next to this test's executable.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use disclosure::calendar::{WorkingDayCalendar, builtin_schedules};
use disclosure::requests::{
    ApplicationForm, ApplicationStatus, DeviceNo, IdDocumentKind, ReceivingBody, RequestStore,
};
use disclosure::technician::{AGENT_REPORT_STATE, AgentReport, SelfTestPart, SelfTestResult};

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A workspace binary next to this test (target/<profile>/).
fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} is missing: run `cargo build --workspace --bins` (scripts/test does)",
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

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `county serve` on a free port; returns it once listening.
fn serve(dir: &Path) -> (Server, u16) {
    let mut child = Command::new(bin("county"))
        .args(["serve", "--listen", "127.0.0.1:0", "--repo"])
        .arg(dir.join("repo"))
        .arg("--database")
        .arg(dir.join("county.db"))
        .arg("--content")
        .arg(workspace().join("assets/demo"))
        .args(["--staff-key", "staff-secret"])
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

/// A plain HTTP GET; (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn content_down_applications_up_with_the_real_binaries() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let county = || {
        let mut c = Command::new(bin("county"));
        c.current_dir(dir);
        c
    };
    // The county: keys, a signed repository of the demo content.
    ok(county().args(["keys", "init", "--dir", "keys"]));
    let out = ok(county()
        .args(["publish", "--keys", "keys", "--repo", "repo", "--content"])
        .arg(workspace().join("assets/demo"))
        .arg("--calendars")
        .arg(workspace().join("assets/calendars")));
    assert!(out.contains("已发布第 1 版"), "{out}");
    let (server, port) = serve(dir);
    let out = ok(county().args([
        "devices",
        "add",
        "--database",
        "county.db",
        "--region",
        "990521201201",
        "--device",
        "1",
    ]));
    let code = out
        .split_once("开通码：")
        .and_then(|(_, r)| r.split('（').next())
        .unwrap()
        .to_string();

    // The terminal: provisioned with the county's root, enrolled, synced.
    let dev = dir.join("device");
    std::fs::create_dir_all(&dev).unwrap();
    std::fs::copy(dir.join("keys/root.json"), dev.join("root.json")).unwrap();
    let config = dev.join("sync-agent.toml");
    std::fs::write(
        &config,
        format!(
            "[device]\nregion = \"990521201201\"\ndevice = 1\n[server]\nurl = \"http://127.0.0.1:{port}\"\n\
             [paths]\nroot = \"{d}/root.json\"\nstate_dir = \"{d}/state\"\ncontent_db = \"{d}/content.db\"\n\
             requests_db = \"{d}/requests.db\"\ncalendar_dir = \"{d}/calendars\"\n[sync]\nrequest_timeout_secs = 3\n",
            d = dev.display()
        ),
    )
    .unwrap();
    let agent = || {
        let mut c = Command::new(bin("sync-agent"));
        c.arg("--config").arg(&config);
        c
    };
    // A wrong code is refused, the right one once.
    let out = run(agent().args(["enrol", "--code", "0000-0000-0000"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("开通码无效"));
    ok(agent().args(["enrol", "--code", &code]));
    let out = ok(agent().arg("once"));
    assert!(
        out.contains("内容第 1 版") && out.contains("已应用"),
        "{out}"
    );
    let content = disclosure::ContentStore::open_read_only(&dev.join("content.db")).unwrap();
    assert_eq!(content.feed_version().unwrap().map(|v| v.0), Some(1));
    let counts = content.counts().unwrap();
    assert!(counts.items > 300, "{counts:?}");
    assert!(dev.join("calendars/2026.toml").exists());

    // The kiosk renders from the synced database.
    let kiosk_toml = dev.join("kiosk.toml");
    std::fs::write(
        &kiosk_toml,
        format!(
            "[hall]\nname = \"石桥村政务公开查阅点\"\nregion = \"990521201201\"\ndevice = 1\n\
             [content]\ndatabase = \"{d}/content.db\"\n[applications]\ndatabase = \"{d}/requests.db\"\n",
            d = dev.display()
        ),
    )
    .unwrap();
    let shot = dir.join("domains.png");
    ok(Command::new(bin("kiosk"))
        .arg("--config")
        .arg(&kiosk_toml)
        .arg("--screenshot")
        .arg(&shot)
        .args(["--page", "domains", "--size", "1024x600"]));
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);

    // An application taken at the terminal (as the kiosk's Desk saves it).
    let mut requests = RequestStore::open(&dev.join("requests.db")).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let form = ApplicationForm {
        name: "王秀英".into(),
        id_kind: Some(IdDocumentKind::ResidentId),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        description: "2025年石桥村低保名单".into(),
        ..ApplicationForm::default()
    };
    let app = form.validate(disclosure::Date::in_china(now)).unwrap();
    let body = ReceivingBody {
        name: "石桥乡人民政府".into(),
        region: "990521201".parse().unwrap(),
    };
    let s = requests
        .submit(
            &app,
            &body,
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            now,
            &WorkingDayCalendar::new(builtin_schedules()),
        )
        .unwrap();
    requests.rate(&s.receipt_no, 4, now).unwrap();
    // Self-tests done on the 技术维护 screen (as the kiosk records them).
    for (part, passed, detail) in [
        (SelfTestPart::Touch, true, "四角和中间的五个点都点到了"),
        (SelfTestPart::Printer, false, "打印机缺纸"),
    ] {
        let r = SelfTestResult {
            part,
            passed,
            detail: detail.into(),
            at: disclosure::requests::store::format_time(now),
        };
        requests
            .set_device_state(&part.state_key(), &serde_json::to_string(&r).unwrap(), now)
            .unwrap();
    }
    let no = s.receipt_no.digits();
    let out = ok(agent().arg("once"));
    assert!(out.contains("送达 2 件"), "{out}");
    // The round told the kiosk what it did (its 技术维护 status).
    let (report, _) = requests.device_state(AGENT_REPORT_STATE).unwrap().unwrap();
    let report: AgentReport = serde_json::from_str(&report).unwrap();
    assert!(
        report.enrolled && report.last_sync_ok.is_some(),
        "{report:?}"
    );
    assert!(
        report.feed_version.is_some() && report.feed_since.is_some(),
        "{report:?}"
    );
    assert_eq!(report.last_error, None, "{report:?}");
    // The county has it; the terminal has purged the personal fields.
    let list = ok(county().args(["applications", "list", "--database", "county.db"]));
    assert!(
        list.contains(&s.receipt_no.to_string()) && list.contains("共 1 件"),
        "{list}"
    );
    let show = ok(county().args(["applications", "show", "--database", "county.db", &no]));
    assert!(
        show.contains("11010519491231002X"),
        "the county sees the full application"
    );
    assert!(
        requests.application_message(&s.receipt_no).is_err(),
        "purged on the terminal"
    );
    let raw = std::fs::read(dev.join("requests.db")).unwrap();
    let wal = std::fs::read(dev.join("requests.db-wal")).unwrap_or_default();
    let needle = "11010519491231002X".as_bytes();
    for (file, bytes) in [("requests.db", &raw), ("requests.db-wal", &wal)] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "ID number left in {file}"
        );
    }

    // The county replies; the terminal's progress data shows it.
    ok(county().args([
        "applications",
        "status",
        "--database",
        "county.db",
        &no,
        "registered",
    ]));
    let out = run(county().args([
        "applications",
        "reply",
        "--database",
        "county.db",
        &no,
        "--outcome",
        "not-this-body",
    ]));
    assert!(
        !out.status.success(),
        "not-this-body needs the right body named"
    );
    ok(county().args([
        "applications",
        "reply",
        "--database",
        "county.db",
        &no,
        "--outcome",
        "disclosed",
        "--note",
        "已邮寄纸质件",
    ]));
    let out = ok(agent().arg("once"));
    assert!(out.contains("新进度 2 条"), "{out}");
    let v = requests.lookup(&s.receipt_no).unwrap().unwrap();
    let statuses: Vec<ApplicationStatus> = v.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            ApplicationStatus::Received,
            ApplicationStatus::Delivered,
            ApplicationStatus::Registered,
            ApplicationStatus::Replied
        ]
    );
    assert!(
        v.history
            .last()
            .unwrap()
            .note
            .contains("予以公开：已邮寄纸质件")
    );

    // The county's pages: progress for phones by the receipt's token
    // (stages only), nothing by the receipt number; staff page with the
    // terminal's health, closed without the key.
    let (status, page) = get(port, &format!("/gk/progress/{}", s.secrets.token));
    assert_eq!(status, 200);
    assert!(
        page.contains("已答复") && !page.contains("王秀英"),
        "{page}"
    );
    assert!(
        !page.contains("已邮寄纸质件") && !page.contains("石桥乡人民政府"),
        "no reply text and no receiving body on a public page"
    );
    assert_eq!(get(port, &format!("/gk/progress/{no}")).0, 404);
    assert_eq!(get(port, "/staff").0, 403);
    let (status, staff) = get(port, "/staff?key=staff-secret");
    assert_eq!(status, 200);
    assert!(
        staff.contains("990521201201-01") && staff.contains("已答复"),
        "{staff}"
    );
    assert!(
        staff.contains("触摸屏正常") && staff.contains("<b>打印机异常</b>：打印机缺纸"),
        "the self-tests on the terminal list: {staff}"
    );
    let item = content.all_items().unwrap().into_iter().next().unwrap();
    let (status, page) = get(port, &format!("/gk/item/{}", item.key));
    assert_eq!(status, 200);
    assert!(page.contains(&item.name));

    // The technician's view, then the server goes down.
    let out = ok(agent().arg("status"));
    assert!(
        out.contains("第 1 版（与县里一致）") && out.contains("0 件"),
        "{out}"
    );
    drop(server);
    let out = run(agent().arg("once"));
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("连不上"), "{text}");
    let out = ok(agent().arg("status"));
    assert!(out.contains("连不上"), "{out}");
}
