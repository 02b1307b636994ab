//! 朗读 on the kiosk: the top bar's button on every page, what each page
//! says (the text sent to the speaker), the passage marked on the reader,
//! 暂停/继续/停止, and stopping on navigation, on the idle reset and when
//! the sound device is missing. The speaker is the real one (espeak-ng)
//! playing into memory at the pace of a device.

mod common;

use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::controller::{App, HOME_TILES, Page, READING_FAILED, WizardStep};
use kiosk::screenshot::{ScreenshotScript, Shot};
use kiosk::{AppState, MainWindow, ReadingState};
use slint::ComponentHandle;
use speech::{MemoryOutput, Speaker, SpeechConfig, SpeechError};

struct Kiosk {
    ui: MainWindow,
    app: App,
    output: MemoryOutput,
    _demo: kiosk::demo::DemoContent,
}

fn start() -> Kiosk {
    let (ui, app, demo) = common::start_kiosk(KioskConfig::default(), 1920, 1080);
    let output = MemoryOutput::real_time(speech::engine::sample_rate().unwrap());
    app.set_speaker(Some(
        Speaker::with_output(SpeechConfig::default(), output.opener()).unwrap(),
    ));
    Kiosk {
        ui,
        app,
        output,
        _demo: demo,
    }
}

impl Kiosk {
    fn tap(&self, label: &str) {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled “{label}” on {:?}", self.app.page()))
            .invoke_accessible_default_action();
    }

    fn has(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .is_some()
    }

    fn state(&self) -> ReadingState {
        self.ui.global::<AppState>().get_reading()
    }

    /// Polls until `done` holds (at most 10 s).
    fn until(&self, what: &str, done: impl Fn(&Kiosk) -> bool) {
        let start = Instant::now();
        while !done(self) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(5));
            self.app.poll();
        }
    }

    /// 朗读 tapped, and the first passage sounding.
    fn read(&self) -> Vec<String> {
        self.tap("朗读");
        self.until("the first passage", |k| k.app.reading_now().is_some());
        self.app
            .reading_passages()
            .into_iter()
            .map(|p| p.text)
            .collect()
    }
}

#[test]
fn read_aloud_marks_the_passage_pauses_resumes_and_stops() {
    let k = start();
    k.app.show_shot(Shot::Table).unwrap();
    assert_eq!(k.state(), ReadingState::Idle);
    let said = k.read();
    assert_eq!(k.state(), ReadingState::Reading);
    assert!(k.has("暂停") && k.has("停止") && !k.has("朗读"));
    // The title first; sound reached the device.
    assert_eq!(said[0], k.ui.global::<AppState>().get_title().as_str());
    k.until("sound", |k| !k.output.is_empty());

    // From the first table row: that row of that block is marked.
    let passages = kiosk::controller::page_passages(&k.ui, &k.app.page());
    let first_row = passages.iter().position(|p| p.row == 0).unwrap();
    let block = passages[first_row].block;
    assert!(passages[first_row].text.starts_with("第1行："));
    k.app.read_aloud_from(first_row);
    k.until("the first row", |k| {
        k.ui.global::<AppState>().get_reading_row() == 0
    });
    assert_eq!(k.ui.global::<AppState>().get_reading_block(), block);

    k.tap("暂停");
    assert_eq!(k.state(), ReadingState::Paused);
    let held = k.output.len();
    std::thread::sleep(Duration::from_millis(200));
    k.app.poll();
    assert!(
        k.output.len() <= held + 22_050 / 10,
        "a paused reading went on playing: {} samples after {held}",
        k.output.len()
    );
    assert!(k.has("继续"));
    k.tap("继续");
    assert_eq!(k.state(), ReadingState::Reading);
    k.until("sound after 继续", |k| {
        k.output.len() > held + 22_050 / 10
    });

    k.tap("停止");
    assert_eq!(k.state(), ReadingState::Idle);
    assert_eq!(k.ui.global::<AppState>().get_reading_block(), -1);
    assert!(k.has("朗读"));
    // Nothing of the stopped reading comes back.
    std::thread::sleep(Duration::from_millis(100));
    k.app.poll();
    assert_eq!(k.state(), ReadingState::Idle);
    assert_eq!(k.ui.global::<AppState>().get_reading_block(), -1);
}

#[test]
fn navigation_and_the_idle_reset_stop_reading() {
    let k = start();
    k.app.show_shot(Shot::Document).unwrap();
    k.read();
    k.tap("返回");
    assert_eq!(k.state(), ReadingState::Idle, "返回 stops reading");

    k.app.show_shot(Shot::Document).unwrap();
    k.read();
    k.tap("首页");
    assert_eq!(k.state(), ReadingState::Idle, "首页 stops reading");

    // Held paused and left alone: the idle reset stops it.
    k.app.show_shot(Shot::Item).unwrap();
    k.read();
    k.tap("暂停");
    k.app.tick(Instant::now() + Duration::from_secs(3600));
    assert_eq!(k.app.page(), Page::Attract);
    assert_eq!(
        k.state(),
        ReadingState::Idle,
        "the idle reset stops reading"
    );
}

#[test]
fn a_paragraph_being_read_counts_as_a_touch() {
    // A long document read to the end is not cut off by the idle reset.
    let k = start();
    k.app.show_shot(Shot::Document).unwrap();
    let tapped = Instant::now();
    let said = k.read();
    assert!(said.len() > 1);
    let first = k.app.reading_passages()[0].clone();
    k.until("the second passage", |k| {
        k.app.reading_now().is_some_and(|p| p != first)
    });
    // The title took longer than this to say; the second passage began
    // after it, and that was the last touch.
    let margin = Duration::from_millis(300);
    assert!(tapped.elapsed() > margin);
    let reset = Duration::from_secs(k.app.context().config.reset_after_secs);
    k.app.tick(tapped + reset + margin);
    assert!(
        matches!(k.app.page(), Page::Reader(_)),
        "the idle reset cut the reading off"
    );
    assert_eq!(k.state(), ReadingState::Reading);
}

/// What 朗读 sends on the page `show` opens: every text of `must` in it,
/// none of `never`.
fn check(k: &Kiosk, what: &str, show: impl Fn(&App), must: &[&str], never: &[&str]) {
    show(&k.app);
    let said = k.read().join("\n");
    k.tap("停止");
    for m in must {
        assert!(said.contains(m), "{what}: “{m}” not said in:\n{said}");
    }
    for n in never {
        assert!(!said.contains(n), "{what}: “{n}” said aloud in:\n{said}");
    }
}

#[test]
fn each_page_says_what_it_shows() {
    let k = start();
    let hall = k.app.context().config.hall_name.clone();
    check(
        &k,
        "home",
        |a| a.navigate(Page::Home),
        &[
            &hall,
            "可以选择：信息查询、搜索、政策解读",
            "申请公开、办理进度",
            "最新发布",
        ],
        &[],
    );
    check(
        &k,
        "domains",
        |a| drop(a.show_shot(Shot::Domains)),
        &["请选择领域", "社会救助，"],
        &[],
    );
    let item = k.app.show_shot(Shot::Item).unwrap();
    check(
        &k,
        "item",
        |a| drop(a.show_shot(Shot::Item)),
        &[&item[0], "公开内容：", "公开时限：", "公开主体："],
        &[],
    );
    let doc = k.app.show_shot(Shot::Document).unwrap();
    check(
        &k,
        "document",
        |a| drop(a.show_shot(Shot::Document)),
        &[&doc[0], "效力状态：", "可点击：政策解读"],
        &[],
    );
    let table = k.app.show_shot(Shot::Table).unwrap();
    check(
        &k,
        "table",
        |a| drop(a.show_shot(Shot::Table)),
        &["表格，共", &table[1]],
        &[],
    );
    let guides = k.app.show_shot(Shot::Guides).unwrap();
    check(
        &k,
        "guides",
        |a| drop(a.show_shot(Shot::Guides)),
        &[&guides[0]],
        &[],
    );
    check(
        &k,
        "search, empty",
        |a| drop(a.show_shot(Shot::Search)),
        &["请用下方键盘输入拼音"],
        &[],
    );
    check(
        &k,
        "search, typed",
        |a| {
            a.navigate(Page::Search);
            for key in ["d", "b"] {
                a.set_mode(kiosk::KeyboardMode::Initials);
                a.type_key(key);
            }
        },
        &["搜索：db"],
        &[],
    );
    check(
        &k,
        "wizard, 所需信息",
        |a| drop(a.show_shot(Shot::Apply)),
        &["第1步，共4步：所需信息", "请写明需要的政府信息"],
        &[],
    );
    check(
        &k,
        "wizard, 申请人",
        |a| {
            drop(a.show_shot(Shot::ApplyWho));
            a.fill_sample_form();
            a.set_step(WizardStep::Who);
        },
        &[
            "第2步，共4步：申请人",
            "申请人是：已选公民",
            "居民身份证号码：110105，隐去8位，002X",
            "联系电话：138，隐去4位，8000",
        ],
        &["11010519491231002X", "13800138000"],
    );
    check(
        &k,
        "wizard, 核对提交",
        |a| drop(a.show_shot(Shot::ApplyReview)),
        &[
            "请核对以下内容",
            "110105，隐去8位，002X",
            "138，隐去4位，8000",
            "勾选我已阅读上述告知",
        ],
        &["11010519491231002X", "13800138000"],
    );
    let done = k.app.show_shot(Shot::ApplyDone).unwrap();
    let pin = k.ui.global::<kiosk::ApplyAdapter>().get_pin().to_string();
    assert!(!pin.is_empty());
    check(
        &k,
        "wizard, 完成",
        |a| drop(a.show_shot(Shot::ApplyDone)),
        &["申请已提交", "回执编号：", "不要告诉他人"],
        &[&pin],
    );
    assert!(!done.is_empty());
    check(
        &k,
        "progress",
        |a| drop(a.show_shot(Shot::Progress)),
        &["回执编号"],
        &[],
    );
}

#[test]
fn the_home_tiles_read_as_they_are_labelled() {
    let k = start();
    k.app.navigate(Page::Home);
    for t in HOME_TILES {
        assert!(k.has(t), "no tile labelled {t}");
    }
}

#[test]
fn a_missing_sound_device_says_so_until_the_next_page() {
    let k = start();
    k.app.set_speaker(Some(
        Speaker::with_output(
            SpeechConfig::default(),
            Box::new(|c, _| {
                Err(SpeechError::NoAudioDevice {
                    device: c.device.clone(),
                    message: "没有声卡".into(),
                })
            }),
        )
        .unwrap(),
    ));
    k.app.show_shot(Shot::Document).unwrap();
    k.tap("朗读");
    k.until("the failure", |k| {
        !k.ui.global::<AppState>().get_reading_error().is_empty()
    });
    assert_eq!(k.state(), ReadingState::Idle);
    assert!(k.has(READING_FAILED));
    k.tap("返回");
    assert!(!k.has(READING_FAILED), "the failure outlived its page");
}

#[test]
fn without_a_voice_there_is_no_button() {
    let k = start();
    k.app.set_speaker(None);
    k.app.navigate(Page::Home);
    assert_eq!(k.state(), ReadingState::Off);
    assert!(!k.has("朗读"));
}
