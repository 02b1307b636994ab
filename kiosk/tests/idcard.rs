//! The ID card reader through the UI (testing backend, accessible labels),
//! with the fake reader on a pseudo-terminal: a card at the 申请人 step
//! fills name and number, shown masked, and offers its address for 邮寄;
//! an expired card is refused; a card anywhere else does nothing.

mod common;

use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use idcard::Command;
use idcard::card::CardText;
use idcard::emulator::FakeIdReader;
use kiosk::config::{IdReaderConfig, KioskConfig};
use kiosk::controller::{App, Page};
use kiosk::{ApplyAdapter, MainWindow};
use slint::{ComponentHandle, Model};

const NUMBER: &str = "11010519491231002X";

fn card(valid_until: &str) -> CardText {
    CardText {
        name: "王秀英".into(),
        sex: "2".into(),
        nation: "01".into(),
        birth: "19491231".into(),
        address: "云溪县石桥乡石桥村三组12号".into(),
        number: NUMBER.into(),
        authority: "云溪县公安局".into(),
        valid_from: "20100101".into(),
        valid_until: valid_until.into(),
        card_type: String::new(),
    }
}

/// Another holder's card: a valid number of its own, so the reader hands
/// it over as a new card.
fn card_of(i: u32) -> CardText {
    let first17 = format!("99052119800101{i:03}");
    let number = format!(
        "{first17}{}",
        disclosure::identity::id_check_char(&first17).unwrap()
    );
    CardText {
        birth: "19800101".into(),
        number,
        ..card("长期")
    }
}

struct Kiosk {
    ui: MainWindow,
    app: App,
    _demo: kiosk::demo::DemoContent,
}

fn start(fake: &FakeIdReader) -> Kiosk {
    let config = KioskConfig {
        id_reader: Some(IdReaderConfig {
            device: fake.path().to_path_buf(),
            baud: 115_200,
        }),
        ..KioskConfig::default()
    };
    let (ui, app, demo) = common::start_kiosk(config, 1280, 800);
    Kiosk {
        ui,
        app,
        _demo: demo,
    }
}

impl Kiosk {
    fn find(&self, label: &str) -> Option<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.ui, label).next()
    }

    fn tap(&self, label: &str) {
        self.find(label)
            .unwrap_or_else(|| panic!("nothing labelled “{label}” on {:?}", self.app.page()))
            .invoke_accessible_default_action();
    }

    fn keys(&self, text: &str) {
        for c in text.chars() {
            self.tap(&format!("键 {c}"));
        }
    }

    fn step(&self) -> i32 {
        self.ui.global::<ApplyAdapter>().get_step()
    }

    /// The value a form field shows (its accessible value).
    fn shown(&self, label: &str) -> String {
        self.find(label)
            .and_then(|e| e.accessible_value())
            .map(|v| v.to_string())
            .unwrap_or_else(|| panic!("no field “{label}”"))
    }

    /// Polls as the kiosk's 100 ms timer does until `f` holds.
    fn poll_until(&self, limit: Duration, f: impl Fn(&Kiosk) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            self.app.poll();
            if f(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The wizard at its 申请人 step.
    fn to_applicant_step(&self) {
        self.tap("申请公开");
        self.tap("所需信息");
        self.keys("dibao");
        self.tap("候选 低保");
        self.tap("填好了");
        self.tap("下一步");
        assert_eq!(self.step(), 1);
    }
}

#[test]
fn a_card_at_the_applicant_step_fills_name_and_number_masked() {
    let fake = FakeIdReader::start().unwrap();
    let k = start(&fake);
    k.to_applicant_step();
    assert!(k.find("可将身份证放在读卡器上").is_some(), "the hint");
    fake.place_card(card("长期"));
    assert!(
        k.poll_until(Duration::from_secs(5), |k| !k
            .app
            .form_state()
            .card_fields
            .is_empty()),
        "the card never filled the form"
    );
    let form = k.app.form_state().form;
    assert_eq!(form.name, "王秀英");
    assert_eq!(form.id_number, NUMBER);
    // On the screen: masked only.
    assert_eq!(k.shown("姓名"), "王**");
    assert_eq!(k.shown("居民身份证号码"), "110105********002X");
    assert!(
        k.find("已读取身份证：姓名和证件号码已填好，屏幕上只显示部分")
            .is_some()
    );
    assert!(k.find("可将身份证放在读卡器上").is_none());
    let fields = k.ui.global::<ApplyAdapter>().get_fields();
    for f in fields.iter() {
        assert!(
            !f.value.contains("秀英") && !f.value.contains("19491231"),
            "{f:?}"
        );
    }
    // The phone is still typed; then 邮寄 with the card's address.
    k.tap("联系电话");
    k.keys("13800138000");
    k.tap("填好了");
    k.tap("下一步");
    assert_eq!(k.step(), 2, "{:?}", k.app.form_state().errors);
    assert!(k.find("使用身份证上的地址").is_none(), "not for 自行领取");
    k.tap("获取方式 邮寄");
    k.tap("使用身份证上的地址");
    assert_eq!(
        k.app.form_state().form.address,
        "云溪县石桥乡石桥村三组12号"
    );
    assert_eq!(k.shown("通信地址"), "云溪县石桥乡********");
    assert!(k.find("使用身份证上的地址").is_none(), "used");
    k.tap("下一步");
    assert_eq!(k.step(), 3, "{:?}", k.app.form_state().errors);
    let review: Vec<String> =
        k.ui.global::<ApplyAdapter>()
            .get_review()
            .iter()
            .map(|r| format!("{} {}", r.label, r.value))
            .collect();
    let review = review.join("\n");
    assert!(review.contains("王**（公民）"), "{review}");
    assert!(review.contains("110105********002X"), "{review}");
    for secret in ["秀英", NUMBER, "石桥村三组"] {
        assert!(!review.contains(secret), "{secret} in {review}");
    }
}

#[test]
fn a_field_the_card_filled_is_typed_afresh_when_tapped() {
    let fake = FakeIdReader::start().unwrap();
    let k = start(&fake);
    k.to_applicant_step();
    fake.place_card(card("20361231"));
    assert!(k.poll_until(Duration::from_secs(5), |k| {
        !k.app.form_state().form.id_number.is_empty()
    }));
    k.tap("居民身份证号码");
    let a = k.ui.global::<ApplyAdapter>();
    assert!(a.get_typing());
    assert_eq!(a.get_typing_value(), "", "never shown in full");
    assert_eq!(k.app.form_state().form.id_number, "");
    assert_eq!(k.app.form_state().form.name, "王秀英", "the name stays");
    k.tap("填好了");
    assert_eq!(k.shown("姓名"), "王**");
}

#[test]
fn an_expired_card_is_refused_and_fills_nothing() {
    let fake = FakeIdReader::start().unwrap();
    let k = start(&fake);
    k.to_applicant_step();
    fake.place_card(card("20200101"));
    let message = "身份证已过有效期（至2020年1月1日），请使用有效证件";
    assert!(
        k.poll_until(Duration::from_secs(5), |k| {
            k.ui.global::<ApplyAdapter>().get_error() == message
        }),
        "{:?}",
        k.ui.global::<ApplyAdapter>().get_error()
    );
    let s = k.app.form_state();
    assert_eq!(s.form.name, "");
    assert_eq!(s.form.id_number, "");
    assert!(s.card_fields.is_empty() && s.card_address.is_none());
    assert!(k.find(message).is_some(), "said on the screen");
}

#[test]
fn a_card_anywhere_else_does_nothing() {
    let fake = FakeIdReader::start().unwrap();
    let k = start(&fake);
    // Places a new card and waits until the reader has read it and the
    // kiosk has had its event.
    let place = |i: u32| {
        let reads = fake.log().count(Command::ReadBaseInfo);
        fake.place_card(card_of(i));
        assert!(
            fake.wait_for(Duration::from_secs(5), |l| l.count(Command::ReadBaseInfo)
                > reads)
        );
        std::thread::sleep(Duration::from_millis(100));
        k.app.poll();
    };
    // On the home page.
    place(1);
    assert_eq!(k.app.page(), Page::Home);
    assert!(!k.app.form_state().has_input());
    // At the wizard's first step.
    k.tap("申请公开");
    place(2);
    assert_eq!(k.step(), 0);
    assert!(!k.app.form_state().has_input());
    fake.remove_card();
    k.tap("所需信息");
    k.keys("dibao");
    k.tap("候选 低保");
    k.tap("填好了");
    k.tap("下一步");
    // For an organisation, and for a citizen with a passport.
    k.tap("申请人是 法人或其他组织");
    assert!(k.find("可将身份证放在读卡器上").is_none());
    place(3);
    assert_eq!(k.app.form_state().form.name, "");
    k.tap("申请人是 公民");
    k.tap("证件类型 护照");
    assert!(k.find("可将身份证放在读卡器上").is_none());
    place(4);
    let s = k.app.form_state();
    assert_eq!(s.form.name, "");
    assert!(s.card_fields.is_empty());
    // And the same card is taken at once at the right step.
    k.tap("证件类型 居民身份证");
    place(5);
    assert_eq!(k.app.form_state().form.name, "王秀英");
}
