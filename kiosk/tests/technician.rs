//! 技术维护 through the UI (testing backend, accessible labels): the hidden
//! gesture, the PIN and its lock across a restart, the status read from
//! `requests.db` as the agent writes it, the actions' request files, the
//! screen hours, the 设备自检 with a fake printer on a pseudo-terminal, and
//! 开通 from a scanned code.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use disclosure::requests::RequestStore;
use disclosure::technician::{
    AGENT_REPORT_STATE, AgentReport, SELF_TEST_PREFIX, SelfTestResult, TechnicianPin, pin_matches,
};
use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::controller::{App, Page, TechnicianStep};
use kiosk::demo::DemoContent;
use kiosk::maintenance::{ProvisionRequest, SYNC_NOW_FILE, USB_IMPORT_NOW_FILE};
use kiosk::{HomeAdapter, MainWindow, TechnicianAdapter};
use printer::PrinterState;
use printer::emulator::FakePrinter;
use slint::{ComponentHandle, Model};

const PIN: &str = "480213";

struct Kiosk {
    ui: MainWindow,
    app: App,
    _demo: DemoContent,
}

/// A terminal with the PIN set, its `requests.db` and provisioning folder
/// in `dir` (kept across a "restart": a second kiosk on the same files).
fn config(dir: &Path, pin: Option<&str>) -> KioskConfig {
    let mut c = KioskConfig::default();
    c.applications.database = Some(dir.join("requests.db"));
    c.technician.pin_hash = pin.map(|p| TechnicianPin::new(p).unwrap().hash().unwrap());
    c.technician.provision_dir = dir.join("provision");
    std::fs::create_dir_all(&c.technician.provision_dir).unwrap();
    c
}

fn start(config: KioskConfig) -> Kiosk {
    let (ui, app, demo) = common::start_kiosk(config, 1280, 800);
    Kiosk {
        ui,
        app,
        _demo: demo,
    }
}

/// The kiosk started again (after a power cut) on the same files.
fn restart(k: Kiosk, config: KioskConfig) -> Kiosk {
    let Kiosk { ui, app, _demo } = k;
    drop(app);
    ui.hide().unwrap();
    drop(ui);
    let store = disclosure::ContentStore::open_read_only(&_demo.database()).unwrap();
    let ui = MainWindow::new().unwrap();
    ui.window().set_size(slint::PhysicalSize::new(1280, 800));
    ui.show().unwrap();
    let app = App::new(&ui, config, store).unwrap();
    Kiosk { ui, app, _demo }
}

impl Kiosk {
    fn labels(&self) -> Vec<String> {
        i_slint_backend_testing::ElementQuery::from_root(&self.ui)
            .match_descendants()
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .collect()
    }

    fn tap(&self, label: &str) {
        common::tap(&self.ui, label, || {
            format!("at {:?}: {:?}", self.app.technician_step(), self.labels())
        });
    }

    fn has(&self, label: &str) -> bool {
        common::has(&self.ui, label)
    }

    fn type_pin(&self, pin: &str) {
        for d in pin.chars() {
            self.tap(&format!("键 {d}"));
        }
        self.tap("确定");
    }

    fn message(&self) -> String {
        self.ui
            .global::<TechnicianAdapter>()
            .get_message()
            .to_string()
    }

    fn open(&self) {
        self.ui.global::<HomeAdapter>().invoke_technician();
        assert_eq!(self.app.page(), Page::Technician);
    }

    fn unlock(&self) {
        self.open();
        self.type_pin(PIN);
        assert_eq!(
            self.app.technician_step(),
            TechnicianStep::Menu,
            "{}",
            self.message()
        );
    }

    fn status(&self) -> Vec<(String, String, bool)> {
        self.ui
            .global::<TechnicianAdapter>()
            .get_status()
            .iter()
            .map(|l| (l.label.to_string(), l.value.to_string(), l.problem))
            .collect()
    }

    fn status_of(&self, label: &str) -> (String, bool) {
        self.status()
            .into_iter()
            .find(|(l, _, _)| l == label)
            .map(|(_, v, p)| (v, p))
            .unwrap_or_else(|| panic!("no status line {label}: {:?}", self.status()))
    }
}

fn requests(dir: &Path) -> RequestStore {
    RequestStore::open(&dir.join("requests.db")).unwrap()
}

#[test]
fn holding_the_hall_name_five_seconds_opens_the_technician_screen() {
    let dir = tempfile::tempdir().unwrap();
    let k = start(config(dir.path(), Some(PIN)));
    let name = ElementHandle::find_by_accessible_label(&k.ui, &k.app.context().config.hall_name)
        .next()
        .expect("the hall name");
    let at = name.absolute_position();
    let size = name.size();
    let position = slint::LogicalPosition::new(at.x + size.width / 2.0, at.y + size.height / 2.0);
    let window = k.ui.window();
    let press = |ms: u64| {
        window.dispatch_event(slint::platform::WindowEvent::PointerPressed {
            position,
            button: slint::platform::PointerEventButton::Left,
        });
        // The page's Flickable hands a press on after a short wait (it
        // could be the start of a drag); the hold counts from then.
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(200));
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(ms));
        window.dispatch_event(slint::platform::WindowEvent::PointerReleased {
            position,
            button: slint::platform::PointerEventButton::Left,
        });
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(10));
    };
    // A tap, or two seconds, is nothing.
    press(1800);
    assert_eq!(k.app.page(), Page::Home);
    press(5000);
    assert_eq!(k.app.page(), Page::Technician);
    assert_eq!(k.app.technician_step(), TechnicianStep::Unlock);
    assert!(k.has("请输入维护密码"), "{:?}", k.labels());
}

#[test]
fn wrong_pins_lock_the_screen_for_a_while_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), Some(PIN));
    let k = start(c.clone());
    k.open();
    let check = |typed: &str, expected: &str| {
        k.type_pin(typed);
        assert!(
            k.message().contains(expected),
            "{typed}: “{}”, expected “{expected}”",
            k.message()
        );
        assert_ne!(k.app.technician_step(), TechnicianStep::Menu, "{typed}");
    };
    check("111112", "还可再试 4 次");
    check("48021", "还可再试 3 次");
    check("4802130", "还可再试 2 次");
    check("480214", "还可再试 1 次");
    check("480215", "已锁定");
    // Locked: the right PIN is refused too.
    check(PIN, "已锁定");
    // Nothing of the PIN typed is on the screen but dots.
    assert!(!k.labels().iter().any(|l| l.contains("48021")));
    // A restart (a power cut) does not give five more tries.
    let k = restart(k, c);
    k.open();
    assert!(k.message().contains("已锁定"), "“{}”", k.message());
    k.type_pin(PIN);
    assert!(k.message().contains("已锁定"), "“{}”", k.message());
    assert_eq!(k.app.technician_step(), TechnicianStep::Unlock);
}

#[test]
fn the_status_says_what_the_agent_reported_and_the_actions_leave_their_requests() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), Some(PIN));
    let k = start(c.clone());
    k.unlock();
    // Before the agent's first report.
    assert!(k.status_of("最近同步").1, "{:?}", k.status());
    assert_eq!(k.status_of("待送达").0, "无（申请都已送达县里）");
    // The agent reports a round with a problem (as sync-agent's round does).
    let report = AgentReport {
        feed_version: None,
        feed_since: None,
        last_sync_ok: Some("2026-12-01 09:30:00+08:00".into()),
        last_delivery_ok: None,
        last_error: Some("县里的服务器连不上".into()),
        last_error_at: Some("2026-12-02 08:00:00+08:00".into()),
        enrolled: true,
        at: "2026-12-02 08:00:00+08:00".into(),
    };
    requests(dir.path())
        .set_device_state(
            AGENT_REPORT_STATE,
            &serde_json::to_string(&report).unwrap(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    // The status follows on the content timer, without a touch.
    k.app.check_content();
    let (sync, problem) = k.status_of("最近同步");
    assert!(sync.contains("2026年12月1日") && !problem, "{sync}");
    let (err, problem) = k.status_of("同步问题");
    assert!(err.contains("县里的服务器连不上") && problem, "{err}");
    let (disk, _) = k.status_of("磁盘");
    assert!(disk.starts_with("剩余 ") && disk.contains(" MB"), "{disk}");

    let data = dir.path();
    for (button, file, said) in [
        ("立即同步", SYNC_NOW_FILE, "已请同步服务立即同步"),
        ("从U盘导入", USB_IMPORT_NOW_FILE, "已开始从U盘导入"),
    ] {
        k.tap(button);
        assert!(data.join(file).exists(), "{button}: {file}");
        assert!(k.message().contains(said), "{button}: {}", k.message());
    }

    // 熄屏时间: in force at once, kept across a restart.
    k.tap("熄屏时间 22:00–07:00");
    assert_eq!(
        k.app.screen_hours().get().map(|h| h.to_string()).as_deref(),
        Some("22:00-07:00")
    );
    assert!(
        k.message().contains("22:00 熄屏，07:00 亮屏"),
        "{}",
        k.message()
    );
    let k = restart(k, c.clone());
    assert_eq!(
        k.app.screen_hours().get().map(|h| h.to_string()).as_deref(),
        Some("22:00-07:00")
    );
    k.unlock();

    assert!(!k.app.restart_requested());
    k.tap("重启终端程序");
    assert!(k.app.restart_requested());

    // Leaving locks it: the PIN again.
    k.tap("退出维护");
    assert_eq!(k.app.page(), Page::Home);
    k.open();
    assert_eq!(k.app.technician_step(), TechnicianStep::Unlock);
    assert!(!k.has("立即同步"));
}

#[test]
fn actions_need_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let k = start(config(dir.path(), Some(PIN)));
    k.open();
    let t = k.ui.global::<TechnicianAdapter>();
    t.invoke_sync_now();
    t.invoke_restart_kiosk();
    t.invoke_set_hours(1);
    t.invoke_open_self_test();
    t.invoke_run_test("touch".into());
    assert!(!dir.path().join(SYNC_NOW_FILE).exists());
    assert!(!k.app.restart_requested());
    assert_eq!(k.app.screen_hours().get(), None);
    assert_eq!(k.app.technician_step(), TechnicianStep::Unlock);
}

fn self_tests(dir: &Path) -> Vec<SelfTestResult> {
    requests(dir)
        .device_states(SELF_TEST_PREFIX)
        .unwrap()
        .into_iter()
        .map(|(_, v, _)| serde_json::from_str(&v).unwrap())
        .collect()
}

fn wait_until(k: &Kiosk, what: &str, done: impl Fn(&Kiosk) -> bool) {
    let start = Instant::now();
    while !done(k) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited for {what}"
        );
        k.app.poll();
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_self_test_records_each_part_for_the_health_report() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    let mut c = config(dir.path(), Some(PIN));
    c.printer = Some(common::test_printer(fake.port(), 300));
    c.scanner = Some(PathBuf::from("/dev/input/by-id/usb-scanner-event-kbd"));
    let k = start(c);
    k.unlock();
    k.tap("设备自检");
    assert_eq!(k.app.technician_step(), TechnicianStep::SelfTest);

    k.tap("打印机 打印样张");
    wait_until(&k, "the test print", |k| {
        k.message().starts_with("打印机：")
    });
    assert_eq!(k.message(), "打印机：正常");
    assert!(
        fake.wait_for_cut(Duration::from_secs(5)),
        "the sample receipt was printed and cut"
    );

    // A scan here is the scanner's test, not a receipt lookup.
    k.app.scanned("99052120120101202612020001");
    assert_eq!(k.app.page(), Page::Technician);
    assert_eq!(k.message(), "扫码枪：正常");

    k.tap("触摸屏 开始");
    assert_eq!(k.app.technician_step(), TechnicianStep::Touch);
    assert!(!k.has("朗读"), "the touch test takes the whole screen");
    for i in 1..=5 {
        k.tap(&format!("触摸点 {i}"));
    }
    assert_eq!(k.app.technician_step(), TechnicianStep::SelfTest);
    assert_eq!(k.message(), "触摸屏：正常");

    k.tap("显示屏 开始");
    assert_eq!(k.app.technician_step(), TechnicianStep::Display);
    k.tap("显示异常");
    assert_eq!(k.message(), "显示屏：异常");

    let results = self_tests(dir.path());
    let check = |part: &str, passed: bool, detail: &str| {
        let r = results
            .iter()
            .find(|r| r.part.db_name() == part)
            .unwrap_or_else(|| panic!("{part} not recorded: {results:?}"));
        assert_eq!(r.passed, passed, "{r:?}");
        assert!(r.detail.contains(detail), "{r:?}");
    };
    check("printer", true, "样张已打印");
    check("scanner", true, "读到 26 个字符");
    check("touch", true, "五个点");
    check("display", false, "显示异常");
    // The rows say so.
    assert!(
        k.labels()
            .iter()
            .any(|l| l.starts_with("显示屏：异常：技术人员看到显示异常")),
        "{:?}",
        k.labels()
    );
}

#[test]
fn a_printer_without_paper_fails_its_self_test_and_an_unfinished_touch_test_says_what_was_missed() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakePrinter::start(PrinterState {
        paper_out: true,
        ..PrinterState::default()
    })
    .unwrap();
    let mut c = config(dir.path(), Some(PIN));
    c.printer = Some(common::test_printer(fake.port(), 300));
    let k = start(c);
    k.unlock();
    k.tap("设备自检");
    k.tap("打印机 打印样张");
    wait_until(&k, "the test print", |k| {
        k.message().starts_with("打印机：")
    });
    assert_eq!(k.message(), "打印机：异常");
    assert!(
        fake.tape().elements.is_empty(),
        "nothing printed without paper"
    );
    k.tap("触摸屏 开始");
    k.tap("触摸点 1");
    k.tap("触摸点 3");
    k.tap("结束触摸自检");
    let results = self_tests(dir.path());
    let touch = results
        .iter()
        .find(|r| r.part.db_name() == "touch")
        .unwrap();
    assert!(
        !touch.passed && touch.detail.contains("有 3 个点没有点到"),
        "{touch:?}"
    );
    let printer = results
        .iter()
        .find(|r| r.part.db_name() == "printer")
        .unwrap();
    assert!(
        !printer.passed && printer.detail.contains("缺纸"),
        "{printer:?}"
    );
}

#[test]
fn a_terminal_not_yet_provisioned_sets_its_pin_and_leaves_the_scanned_code() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), None);
    let provision = c.technician.provision_dir.clone();
    let k = start(c);
    k.open();
    assert_eq!(k.app.technician_step(), TechnicianStep::NewPin);
    let check = |typed: &str, step: TechnicianStep, said: &str| {
        k.type_pin(typed);
        assert_eq!(k.app.technician_step(), step, "{typed}: {}", k.message());
        assert!(k.message().contains(said), "{typed}: “{}”", k.message());
    };
    check("123456", TechnicianStep::NewPin, "顺序数字");
    check("4802", TechnicianStep::NewPin, "6 到 12 位");
    check(PIN, TechnicianStep::ConfirmPin, "");
    check("480214", TechnicianStep::NewPin, "两次输入的密码不一致");
    check(PIN, TechnicianStep::ConfirmPin, "");
    k.type_pin(PIN);
    assert!(matches!(
        k.app.technician_step(),
        TechnicianStep::Scan { .. }
    ));
    assert!(k.has("第二步：请用扫码枪扫描县里给的开通二维码"));

    k.app.scanned("99052120120101202612020001");
    assert!(k.message().contains("这不是开通二维码"), "{}", k.message());
    assert!(!provision.join("request.toml").exists());

    let code = "GKPROV1:u=https%3A%2F%2Fgk.example%2F;r=990521201201;d=1";
    k.app.scanned(code);
    assert!(matches!(
        k.app.technician_step(),
        TechnicianStep::Provisioning { .. }
    ));
    assert!(k.has("正在开通，请稍候……"));
    let text = std::fs::read_to_string(provision.join("request.toml")).unwrap();
    let request: ProvisionRequest = toml::from_str(&text).unwrap();
    assert_eq!(request.code, code);
    let hash = request.technician_pin_hash.expect("the PIN's hash");
    assert!(pin_matches(&hash, PIN), "the hash is of the PIN set");
    assert!(!text.contains(PIN), "never the PIN itself");

    // gongkai-provision answers.
    std::fs::write(
        provision.join("result.json"),
        r#"{"ok":false,"message":"开通码已用过：请县里重新生成","finished_at":"2026-12-02T08:00:00Z"}"#,
    )
    .unwrap();
    k.app.poll();
    assert!(k.has("开通未成功"), "{:?}", k.labels());
    assert!(k.has("开通码已用过：请县里重新生成"));
    // 重新开通 scans again with the same PIN.
    k.tap("重新开通");
    assert_eq!(
        k.app.technician_step(),
        TechnicianStep::Scan {
            pin_hash: Some(hash.clone())
        }
    );
    k.app.scanned(code);
    assert!(
        !provision.join("result.json").exists(),
        "the old answer is gone with the new request"
    );
    std::fs::write(
        provision.join("result.json"),
        r#"{"ok":true,"message":"已开通，正在下载县里的内容","finished_at":"2026-12-02T08:01:00Z"}"#,
    )
    .unwrap();
    k.app.poll();
    assert!(k.has("开通成功"));
    assert!(!k.has("重新开通"));
}
