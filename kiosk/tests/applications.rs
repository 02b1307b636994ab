//! Applications through the UI (testing backend, accessible labels) to a
//! fake printer on a pseudo-terminal pair: the printed bytes decoded back;
//! paper out and a silent printer; errors on the field; the idle warning
//! and wipe; progress lookup by scan and 补打.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use disclosure::requests::store::PRINTER_STATE;
use disclosure::requests::{ReceiptNo, RequestStore};
use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::controller::{App, Page, WizardStep};
use kiosk::demo::DemoContent;
use kiosk::screenshot::ScreenshotScript;
use kiosk::{AppState, ApplyAdapter, MainWindow, PageId, ProgressAdapter};
use printer::PrinterState;
use printer::emulator::{self, Element, FakePrinter};
use slint::{ComponentHandle, Model};

struct Kiosk {
    ui: MainWindow,
    app: App,
    demo: DemoContent,
}

fn config(fake: Option<&FakePrinter>) -> KioskConfig {
    KioskConfig {
        printer: fake.map(|f| common::test_printer(f.port(), 300)),
        ..KioskConfig::default()
    }
}

fn start(config: KioskConfig) -> Kiosk {
    let (ui, app, demo) = common::start_kiosk(config, 1280, 800);
    Kiosk { ui, app, demo }
}

impl Kiosk {
    fn tap(&self, label: &str) {
        common::tap(&self.ui, label, || {
            format!("on {:?} step {}", self.app.page(), self.step())
        });
    }

    fn has(&self, label: &str) -> bool {
        common::has(&self.ui, label)
    }

    fn keys(&self, text: &str) {
        for c in text.chars() {
            self.tap(&format!("键 {c}"));
        }
    }

    /// Types pinyin and picks the candidate `word`.
    fn hanzi(&self, pinyin: &str, word: &str) {
        self.keys(pinyin);
        self.tap(&format!("候选 {word}"));
    }

    fn element(&self, label: &str) -> ElementHandle {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled “{label}”"))
    }

    /// The step bar: each step's state (已完成, 当前 or 未开始), as read out.
    fn steps_are(&self, a: &str, b: &str, c: &str, d: &str, e: &str) {
        let names = ["所需信息", "申请人", "获取方式", "核对提交", "完成"];
        for (i, (name, state)) in names.iter().zip([a, b, c, d, e]).enumerate() {
            let label = format!("第{}步 {name}（{state}）", i + 1);
            assert!(
                self.has(&label),
                "step bar lacks “{label}” at step {}",
                self.step()
            );
        }
    }

    fn step(&self) -> i32 {
        self.ui.global::<ApplyAdapter>().get_step()
    }

    fn requests(&self) -> RequestStore {
        RequestStore::open(&Path::new(&self.demo.database()).with_file_name("requests.db")).unwrap()
    }

    fn field_error(&self, key: &str) -> String {
        let f = self.ui.global::<ApplyAdapter>().get_fields();
        f.iter()
            .find(|x| x.key == key)
            .map(|x| x.error.to_string())
            .unwrap_or_default()
    }
}

fn wait_for(fake: &FakePrinter, cuts: usize) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if fake
            .tape()
            .elements
            .iter()
            .filter(|e| **e == Element::Cut)
            .count()
            >= cuts
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the printer never got {cuts} receipts");
}

#[test]
fn a_full_application_through_the_ui_prints_a_receipt() {
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    let k = start(config(Some(&fake)));
    k.tap("申请公开");
    assert_eq!(k.app.page(), Page::Apply);
    assert_eq!(k.step(), 0);
    k.steps_are("当前", "未开始", "未开始", "未开始", "未开始");
    // What: described with the pinyin keyboard.
    k.tap("所需信息");
    assert!(k.ui.global::<ApplyAdapter>().get_typing());
    k.hanzi("dibao", "低保");
    k.hanzi("mingdan", "名单");
    k.tap("填好了");
    k.tap("下一步");
    assert_eq!(k.step(), 1);
    // Who: a name by syllables, the ID on the digit pad.
    k.tap("姓名");
    k.hanzi("wang", "王");
    k.hanzi("xiu", "秀");
    k.hanzi("ying", "英");
    k.tap("填好了");
    k.tap("居民身份证号码");
    k.keys("11010519491231002X");
    k.tap("填好了");
    k.tap("联系电话");
    k.keys("13800138000");
    k.tap("填好了");
    k.tap("下一步");
    assert_eq!(k.step(), 2, "{:?}", k.app.form_state().errors);
    k.tap("下一步");
    assert_eq!(k.step(), 3);
    k.steps_are("已完成", "已完成", "已完成", "当前", "未开始");
    // Review: the notice, then consent, then confirm.
    assert!(
        k.ui.global::<ApplyAdapter>()
            .get_notice()
            .contains("不拍摄、不保存身份证照片")
    );
    let review: Vec<String> =
        k.ui.global::<ApplyAdapter>()
            .get_review()
            .iter()
            .map(|r| format!("{}={}", r.label, r.value))
            .collect();
    assert!(
        review.contains(&"受理机关=石桥乡人民政府".to_string()),
        "{review:?}"
    );
    assert!(
        review.contains(&"所需信息=低保名单".to_string()),
        "{review:?}"
    );
    // The consent box starts empty and 确认提交 waits for it.
    assert_eq!(
        k.element("我已阅读上述告知").accessible_checked(),
        Some(false)
    );
    assert_eq!(k.element("确认提交").accessible_enabled(), Some(false));
    k.tap("确认提交"); // not yet consented: nothing happens
    assert_eq!(k.step(), 3);
    k.tap("我已阅读上述告知");
    assert_eq!(
        k.element("我已阅读上述告知").accessible_checked(),
        Some(true)
    );
    assert_eq!(k.element("确认提交").accessible_enabled(), Some(true));
    k.tap("确认提交");
    assert_eq!(k.step(), 4);
    // Submitted: every step ticked, and no 返回 into the finished form.
    k.steps_are("已完成", "已完成", "已完成", "已完成", "已完成");
    assert!(!k.has("返回"), "返回 after submission");
    assert!(k.has("完成") && k.has("首页"));
    assert!(k.app.wait_for_print(Duration::from_secs(10)));
    let a = k.ui.global::<ApplyAdapter>();
    assert!(
        a.get_print_message().contains("回执已打印"),
        "{}",
        a.get_print_message()
    );
    assert!(!a.get_show_qr());
    let no = ReceiptNo::parse(&a.get_receipt_no()).unwrap();
    // Nothing typed is kept in the kiosk after submission.
    assert!(k.app.form_state().form.name.is_empty());

    // The printed bytes, decoded.
    wait_for(&fake, 1);
    let token = k
        .requests()
        .lookup(&no)
        .unwrap()
        .unwrap()
        .progress_token
        .unwrap();
    let pin = {
        let tape = fake.tape();
        assert_eq!(tape.error, None);
        let lines = emulator::text_lines(&tape.elements).join("\n");
        for want in [
            "政府信息公开申请回执".to_string(),
            "受理机关：石桥乡人民政府".into(),
            no.to_string(),
            "申请人：王**（公民）".into(),
            "证件号码：110105********002X".into(),
            "联系电话：138****8000".into(),
            "申请内容：低保名单".into(),
            "查询密码".into(),
        ] {
            assert!(lines.contains(&want), "receipt lacks {want}:\n{lines}");
        }
        assert!(
            !lines.contains("13800138000") && !lines.contains("王秀英"),
            "unmasked data printed"
        );
        let bars: Vec<&Element> = tape
            .elements
            .iter()
            .filter(|e| matches!(e, Element::Code128(_)))
            .collect();
        assert_eq!(bars, [&Element::Code128(no.digits())]);
        // The QR code leads to the county's page by the token, not the number.
        let qrs: Vec<&Element> = tape
            .elements
            .iter()
            .filter(|e| matches!(e, Element::Qr { .. }))
            .collect();
        assert!(
            matches!(qrs[..], [Element::Qr { data, model: 2, .. }] if data.ends_with(&format!("/{token}")) && !data.contains(&no.digits())),
            "{qrs:?}"
        );
        pin_on_paper(&tape.elements)
    };
    // Saved with its outbox row before printing; the print recorded.
    let store = k.requests();
    let v = store.lookup(&no).unwrap().unwrap();
    assert_eq!(v.prints, 1);
    assert_eq!(store.outbox_pending().unwrap().len(), 1);
    // The printer's state, for the sync agent's health report.
    let printer = store.device_state(PRINTER_STATE).unwrap().unwrap().0;
    assert_eq!(printer, "ok");

    // 好差评: once.
    k.tap("评价 非常满意");
    k.tap("评价 不满意");
    assert_eq!(k.requests().lookup(&no).unwrap().unwrap().rating, Some(5));
    k.tap("完成");
    assert_eq!(k.app.page(), Page::Home);

    // The receipt scanned at the progress page, the 查询密码 from the
    // paper, then 补打.
    k.app.scanned(&no.digits());
    assert_eq!(k.app.page(), Page::Progress);
    let p = k.ui.global::<ProgressAdapter>();
    assert!(p.get_found());
    assert_eq!(p.get_history().row_count(), 1);
    assert_eq!(p.get_history().row_data(0).unwrap().status, "已提交");
    k.keys(&pin);
    k.tap("查看详情");
    assert!(p.get_opened(), "{}", p.get_message());
    k.tap("补打回执");
    assert!(k.app.wait_for_print(Duration::from_secs(10)));
    wait_for(&fake, 2);
    let lines = emulator::text_lines(&fake.tape().elements);
    assert_eq!(lines.iter().filter(|l| l.as_str() == "【补打】").count(), 1);
    assert_eq!(
        lines.iter().filter(|l| **l == pin).count(),
        2,
        "the 查询密码 on the reprint too"
    );
    assert!(p.get_print_message().contains("已补打"));
    assert_eq!(k.requests().lookup(&no).unwrap().unwrap().prints, 2);
}

/// The 查询密码 printed on a receipt: the line after its label.
fn pin_on_paper(elements: &[Element]) -> String {
    let lines = emulator::text_lines(elements);
    let at = lines
        .iter()
        .rposition(|l| l == "查询密码")
        .unwrap_or_else(|| panic!("no 查询密码 on the paper: {lines:?}"));
    let pin = lines[at + 1].clone();
    assert!(disclosure::requests::access::is_pin(&pin), "{pin}");
    pin
}

/// Submits the sample form through the controller and waits for the print.
fn submit_sample(k: &Kiosk) -> ReceiptNo {
    k.app.open_apply(None);
    k.app.fill_sample_form();
    k.app.set_step(WizardStep::Review);
    k.tap("我已阅读上述告知");
    k.tap("确认提交");
    assert!(k.app.wait_for_print(Duration::from_secs(10)));
    ReceiptNo::parse(&k.ui.global::<ApplyAdapter>().get_receipt_no()).unwrap()
}

#[test]
fn paper_out_or_a_silent_printer_shows_the_receipt_on_screen_and_keeps_the_application() {
    let fake = FakePrinter::start(PrinterState {
        paper_out: true,
        paper_near_end: true,
        ..Default::default()
    })
    .unwrap();
    let k = start(config(Some(&fake)));
    let no = submit_sample(&k);
    let a = k.ui.global::<ApplyAdapter>();
    assert!(a.get_show_qr());
    assert!(
        a.get_print_message().contains("打印机缺纸"),
        "{}",
        a.get_print_message()
    );
    assert!(a.get_print_message().contains("您的申请已提交"));
    assert!(k.requests().lookup(&no).unwrap().is_some());
    assert_eq!(k.requests().lookup(&no).unwrap().unwrap().prints, 0);
    assert!(fake.tape().elements.is_empty(), "nothing printed");
    let printer = k.requests().device_state(PRINTER_STATE).unwrap().unwrap().0;
    assert_eq!(printer, "paper_out");

    fake.set_state(PrinterState::default());
    fake.set_silent(true);
    let no2 = submit_sample(&k);
    assert_ne!(no, no2);
    assert!(
        a.get_print_message().contains("打印机无响应"),
        "{}",
        a.get_print_message()
    );
    assert!(k.requests().lookup(&no2).unwrap().is_some());
    // No blind reprint: the printer answering again prints nothing by itself.
    fake.set_silent(false);
    std::thread::sleep(Duration::from_millis(300));
    k.app.poll();
    assert!(fake.tape().elements.is_empty());
}

#[test]
fn no_printer_configured_shows_a_qr_and_the_pin() {
    let k = start(config(None));
    let no = submit_sample(&k);
    let a = k.ui.global::<ApplyAdapter>();
    assert!(a.get_show_qr());
    assert!(a.get_print_message().contains("没有连接打印机"));
    let pin = a.get_pin().to_string();
    assert!(disclosure::requests::access::is_pin(&pin), "{pin}");
    assert!(
        ElementHandle::find_by_accessible_label(&k.ui, &format!("查询密码 {pin}"))
            .next()
            .is_some(),
        "the PIN is not on the screen"
    );
    assert!(k.requests().lookup(&no).unwrap().is_some());
    // Leaving the page forgets it.
    k.tap("完成");
    assert!(k.app.form_state().done.is_none());
}

#[test]
fn a_name_written_by_hand() {
    let k = start(config(None));
    k.tap("申请公开");
    k.app.set_step(WizardStep::Who);
    k.tap("姓名");
    k.tap("手写");
    let a = k.ui.global::<ApplyAdapter>();
    common::write_on_pad(
        common::WRITTEN_WANG,
        |x, y, w, h| a.invoke_pen_down(x, y, w, h),
        |x, y| a.invoke_pen_move(x, y),
        || a.invoke_pen_up(),
    );
    let cands: Vec<String> = a.get_candidates().iter().map(|c| c.to_string()).collect();
    assert_eq!(cands.first().map(String::as_str), Some("王"), "{cands:?}");
    k.tap("候选 王");
    assert_eq!(a.get_typing_value(), "王");
    k.tap("填好了");
    assert_eq!(k.app.form_state().form.name, "王");
}

#[test]
fn errors_are_shown_on_their_fields() {
    let k = start(config(None));
    k.tap("申请公开");
    k.tap("下一步");
    assert_eq!(
        k.step(),
        0,
        "a description is needed when nothing is linked"
    );
    assert!(k.field_error("description").contains("需要哪些"));
    k.app.fill_sample_form();
    k.tap("下一步");
    k.tap("居民身份证号码");
    k.tap("清空");
    k.keys("110105194912310021");
    k.tap("填好了");
    k.tap("下一步");
    assert_eq!(k.step(), 1);
    assert!(
        k.field_error("id-number").contains("校验位"),
        "{}",
        k.field_error("id-number")
    );
    // 邮寄 needs an address.
    k.tap("居民身份证号码");
    k.tap("删除");
    k.keys("X");
    k.tap("填好了");
    k.tap("下一步");
    assert_eq!(k.step(), 2);
    k.tap("获取方式 邮寄");
    k.tap("下一步");
    assert_eq!(k.step(), 2);
    assert!(k.field_error("address").contains("请填写通信地址"));
}

#[test]
fn an_idle_form_is_warned_then_wiped_and_leaving_wipes_it() {
    let k = start(config(None));
    k.app.open_apply(None);
    k.app.fill_sample_form();
    let c = KioskConfig::default().applications;
    let now = Instant::now();
    k.app.tick(now + Duration::from_secs(c.warn_after_secs + 1));
    assert!(k.ui.global::<ApplyAdapter>().get_warning());
    assert_eq!(
        k.app.page(),
        Page::Apply,
        "a warning first, not the general reset"
    );
    k.tap("继续填写");
    assert!(!k.ui.global::<ApplyAdapter>().get_warning());
    assert_eq!(k.app.form_state().form.name, "王秀英");
    k.app
        .tick(Instant::now() + Duration::from_secs(c.wipe_after_secs + 1));
    assert_eq!(k.app.page(), Page::Home);
    assert!(k.app.form_state().form.name.is_empty());

    // Staff filling in for someone get longer.
    k.app.open_apply(None);
    k.app.fill_sample_form();
    k.tap("工作人员代填");
    k.app
        .tick(Instant::now() + Duration::from_secs(c.wipe_after_secs + 1));
    assert_eq!(k.app.page(), Page::Apply);
    k.app
        .tick(Instant::now() + Duration::from_secs(c.staff_wipe_after_secs + 1));
    assert_eq!(k.app.page(), Page::Home);

    // 返回 out of the wizard leaves nothing behind.
    k.app.open_apply(None);
    k.app.fill_sample_form();
    k.ui.global::<AppState>().invoke_back();
    assert!(!k.app.form_state().has_input());
}

#[test]
fn applying_from_an_item_links_it_and_routes_to_its_publisher() {
    let k = start(config(None));
    k.tap("信息查询");
    k.tap("社会救助");
    let scope = disclosure::store::RegionScope::of(&"990521201201".parse().unwrap());
    let store = disclosure::ContentStore::open_read_only(&k.demo.database()).unwrap();
    let items = store
        .items_in(
            &scope,
            disclosure::Domain::from_name("社会救助").unwrap(),
            &[],
        )
        .unwrap();
    let county_item = items
        .iter()
        .find(|i| i.region_level == disclosure::RegionLevel::County)
        .unwrap();
    let detail = store.item(&county_item.key).unwrap().unwrap();
    k.tap(&county_item.name);
    assert_eq!(k.ui.global::<AppState>().get_page(), PageId::Item);
    k.tap("申请公开");
    assert_eq!(k.app.page(), Page::Apply);
    let f = k.app.form_state();
    assert_eq!(
        f.form.linked_title.as_deref(),
        Some(county_item.name.as_str())
    );
    assert_eq!(f.body.unwrap().name, detail.item.publisher);
    k.tap("不是这条");
    assert_eq!(k.app.form_state().body.unwrap().name, "石桥乡人民政府");
}

#[test]
fn typed_receipt_numbers_are_checked() {
    let k = start(config(None));
    k.tap("办理进度");
    k.keys("1234");
    k.tap("查询");
    let p = k.ui.global::<ProgressAdapter>();
    assert!(p.get_message().contains("26位"), "{}", p.get_message());
    let good = ReceiptNo::new(
        &"990521201201".parse().unwrap(),
        disclosure::requests::DeviceNo::new(7).unwrap(),
        "2026-11-23".parse().unwrap(),
        1,
    )
    .unwrap();
    k.app.lookup(&good.digits());
    assert!(
        p.get_message().contains("本终端没有编号"),
        "{}",
        p.get_message()
    );
    let mut bad = good.digits().into_bytes();
    bad[5] = if bad[5] == b'9' { b'8' } else { b'9' };
    k.app.lookup(std::str::from_utf8(&bad).unwrap());
    assert!(p.get_message().contains("校验位"), "{}", p.get_message());
}

/// Every accessible label on the screen, to check what a page shows.
fn labels_on_screen(k: &Kiosk) -> Vec<String> {
    i_slint_backend_testing::ElementQuery::from_root(&k.ui)
        .match_descendants()
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .collect()
}

#[test]
fn a_typed_or_guessed_receipt_number_shows_only_the_stages_not_the_application() {
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    let k = start(config(Some(&fake)));
    let no = submit_sample(&k);
    wait_for(&fake, 1);
    let pin = pin_on_paper(&fake.tape().elements);
    // The county extends it, giving a reason that names a third party.
    k.requests()
        .add_status(
            &no,
            disclosure::requests::ApplicationStatus::Extended,
            time::OffsetDateTime::now_utc(),
            "需征求第三方张三的意见",
        )
        .unwrap();
    k.tap("完成");

    // Someone else types the number (numbers count up from 1 each day).
    k.tap("办理进度");
    k.keys(&no.digits());
    k.tap("查询");
    let p = k.ui.global::<ProgressAdapter>();
    assert!(p.get_found(), "{}", p.get_message());
    assert!(!p.get_opened());
    // The stages, by day: no details, no notes, no times.
    assert_eq!(p.get_details().row_count(), 0);
    let stages: Vec<(String, String, String)> = p
        .get_history()
        .iter()
        .map(|h| (h.status.to_string(), h.at.to_string(), h.note.to_string()))
        .collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert_eq!(stages[0].0, "延期答复");
    assert!(
        stages
            .iter()
            .all(|(_, at, note)| note.is_empty() && !at.contains(':')),
        "{stages:?}"
    );
    let labels = labels_on_screen(&k);
    let screen = labels.join("\n");
    for never in ["张三", "低保", "石桥乡人民政府", "王**"] {
        assert!(!screen.contains(never), "{never} on the screen:\n{screen}");
    }
    assert!(
        !labels.iter().any(|l| l == "补打回执"),
        "a 补打 button:\n{screen}"
    );
    // 补打 cannot be had without the PIN either.
    p.invoke_reprint();
    assert!(k.app.wait_for_print(Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        fake.tape()
            .elements
            .iter()
            .filter(|e| **e == Element::Cut)
            .count(),
        1,
        "reprinted without the PIN"
    );

    // A wrong PIN: refused, counted.
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    k.keys(wrong);
    k.tap("查看详情");
    assert!(!p.get_opened());
    assert!(
        p.get_message().contains("还可以再试4次"),
        "{}",
        p.get_message()
    );
    // The right one, from the receipt: everything, notes included, and 补打.
    k.keys(&pin);
    k.tap("查看详情");
    assert!(p.get_opened(), "{}", p.get_message());
    let details: Vec<String> = p
        .get_details()
        .iter()
        .map(|r| format!("{}={}", r.label, r.value))
        .collect();
    assert!(
        details.contains(&"申请内容=2025年本村低保对象名单及补助标准".to_string()),
        "{details:?}"
    );
    assert!(p.get_history().iter().any(|h| h.note.contains("张三")));
    k.tap("补打回执");
    assert!(k.app.wait_for_print(Duration::from_secs(10)));
    wait_for(&fake, 2);
}

#[test]
fn wrong_pins_at_the_kiosk_are_limited_then_paused() {
    let k = start(config(None));
    let no = submit_sample(&k);
    let pin = k.ui.global::<ApplyAdapter>().get_pin().to_string();
    k.tap("完成");
    k.app.lookup(&no.digits());
    let p = k.ui.global::<ProgressAdapter>();
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    for _ in 0..disclosure::requests::access::MAX_PIN_FAILURES {
        k.keys(wrong);
        k.tap("查看详情");
    }
    assert!(
        p.get_message().contains("错误次数太多"),
        "{}",
        p.get_message()
    );
    // Paused: the right PIN waits too.
    k.keys(&pin);
    k.tap("查看详情");
    assert!(!p.get_opened());
    assert!(p.get_message().contains("以后再试"), "{}", p.get_message());
    // Too short is not a try.
    k.tap("查询其他回执");
    k.app.lookup(&no.digits());
    k.keys("12");
    k.tap("查看详情");
    assert!(p.get_message().contains("6位数字"), "{}", p.get_message());
}

/// Regression (issue 15): the review step showed the full ID and phone
/// numbers right under a notice saying the screen shows only part of them.
#[test]
fn review_masks_the_id_and_phone_until_held() {
    let k = start(config(None));
    k.app.open_apply(None);
    k.app.fill_sample_form();
    k.app.set_step(WizardStep::Review);
    let (full_id, full_phone) = ("11010519491231002X", "13800138000");
    assert!(k.has("110105********002X"), "masked like the receipt");
    assert!(k.has("138****8000"));
    assert!(!k.has(full_id) && !k.has(full_phone));
    // A finger on 按住查看 shows them; lifting it hides them again.
    let hold = ElementHandle::find_by_accessible_label(&k.ui, "按住查看")
        .next()
        .expect("a 按住查看 button");
    let p = hold.absolute_position();
    let s = hold.size();
    let at = slint::LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
    let button = slint::platform::PointerEventButton::Left;
    let w = k.ui.window();
    w.dispatch_event(slint::platform::WindowEvent::PointerMoved { position: at });
    w.dispatch_event(slint::platform::WindowEvent::PointerPressed {
        position: at,
        button,
    });
    assert!(
        k.has(full_id) && k.has(full_phone),
        "shown in full while held"
    );
    w.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: at,
        button,
    });
    assert!(
        !k.has(full_id) && !k.has(full_phone),
        "hidden again on release"
    );
    assert!(k.has("110105********002X"));
}
