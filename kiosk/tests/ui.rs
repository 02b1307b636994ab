//! The kiosk driven by accessible labels on Slint's testing backend, over
//! the real demo content in a real `content.db`.

mod common;

use std::time::{Duration, Instant};

use disclosure::store::RegionScope;
use disclosure::{ContentStore, Domain, FeedVersion};
use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::controller::{App, Page};
use kiosk::demo::DemoContent;
use kiosk::screenshot::ScreenshotScript;
use kiosk::{AppState, ItemAdapter, MainWindow, ReaderAdapter, SearchAdapter, Theme};
use slint::{ComponentHandle, Model};

struct Kiosk {
    ui: MainWindow,
    app: App,
    demo: DemoContent,
}

fn start() -> Kiosk {
    let (ui, app, demo) = common::start_kiosk(KioskConfig::default(), 1920, 1080);
    Kiosk { ui, app, demo }
}

impl Kiosk {
    /// Taps the first element labelled `label`.
    fn tap(&self, label: &str) {
        let el = ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled “{label}” on page {:?}", self.app.page()));
        el.invoke_accessible_default_action();
    }

    fn has(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .is_some()
    }

    fn page(&self) -> String {
        // The page's name as the UI's enum spells it (`PageId::Item` → "item").
        format!("{:?}", self.ui.global::<AppState>().get_page()).to_lowercase()
    }

    fn store(&self) -> ContentStore {
        ContentStore::open_read_only(&self.demo.database()).unwrap()
    }

    /// The items of 社会救助 the village box lists, in its order.
    fn social_assistance_items(&self) -> Vec<disclosure::store::ItemSummary> {
        let scope = RegionScope::of(&"990521201201".parse().unwrap());
        self.store()
            .items_in(&scope, Domain::from_name("社会救助").unwrap(), &[])
            .unwrap()
    }
}

#[test]
fn home_domain_item_document_interpretation_and_back() {
    let k = start();
    assert_eq!(k.page(), "home");
    assert!(k.has("石桥村政务公开查阅点"));
    assert!(k.has("村务公开"), "a village box shows 村务公开");

    k.tap("信息查询");
    assert_eq!(k.page(), "domains");
    k.tap("社会救助");
    assert_eq!(k.page(), "items");
    // The first item of the domain, as the store lists it.
    let items = k.social_assistance_items();
    k.tap(&items[0].name);
    assert_eq!(k.page(), "item");
    let fields = k.ui.global::<ItemAdapter>().get_fields();
    let labels: Vec<String> = fields.iter().map(|f| f.label.to_string()).collect();
    for l in [
        "公开内容",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开方式",
        "公开渠道和载体",
        "公开对象",
        "公开层级",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l} missing: {labels:?}");
    }
    assert!(
        k.ui.global::<ItemAdapter>().get_qr().size().width > 0,
        "QR code shown"
    );
    k.tap("返回");
    assert_eq!(k.page(), "items");
    k.tap("首页");
    assert_eq!(k.page(), "home");

    // Document → its interpretation → back to the document.
    k.tap("政策解读");
    assert_eq!(k.page(), "list");
    let scope = RegionScope::of(&"990521201201".parse().unwrap());
    let interp = k
        .store()
        .interpretations(&scope, 1)
        .unwrap()
        .remove(0)
        .interpretation;
    k.tap(&interp.title);
    assert_eq!(k.page(), "reader");
    assert_eq!(k.ui.global::<ReaderAdapter>().get_kind(), "政策解读");
    k.tap("查看原文");
    assert_eq!(k.ui.global::<ReaderAdapter>().get_kind(), "文件");
    let status = k.ui.global::<ReaderAdapter>().get_status().to_string();
    assert!(
        ["现行有效", "已修订", "已废止"].contains(&status.as_str()),
        "{status}"
    );
    assert!(k.has(&format!("效力状态：{status}")));
    // One tap to an interpretation of this document.
    let link =
        k.ui.global::<ReaderAdapter>()
            .get_links()
            .row_data(0)
            .unwrap();
    let came_from = kiosk::controller::Target::Interpretation(interp.key.clone()).encode();
    k.tap(&link.title);
    assert_eq!(k.ui.global::<ReaderAdapter>().get_kind(), "政策解读");
    k.tap("返回");
    if link.key == came_from.as_str() {
        // The same interpretation again: history goes back to where it was
        // first opened instead of looping 解读 → 文件 → 解读.
        assert_eq!(k.page(), "list");
    } else {
        assert_eq!(k.ui.global::<ReaderAdapter>().get_kind(), "文件");
        k.tap("返回");
        k.tap("返回");
        assert_eq!(k.page(), "list");
    }
    k.tap("返回");
    assert_eq!(k.page(), "home");
}

#[test]
fn search_by_pinyin_candidates_initials_and_digits() {
    let k = start();
    k.tap("搜索");
    assert_eq!(k.page(), "search");
    for c in "dibao".chars() {
        k.tap(&format!("键 {c}"));
    }
    let s = k.ui.global::<SearchAdapter>();
    assert_eq!(s.get_composing(), "dibao");
    let cands: Vec<String> = s.get_candidates().iter().map(|c| c.to_string()).collect();
    assert_eq!(cands.first().map(String::as_str), Some("低保"), "{cands:?}");
    // Results already show while typing (pinyin over titles).
    assert!(s.get_results().row_count() > 0, "{}", s.get_summary());
    // Picking the candidate searches the hanzi.
    k.tap("候选 低保");
    assert_eq!(s.get_query(), "低保");
    assert_eq!(s.get_composing(), "");
    let results = s.get_results();
    assert!(results.row_count() > 0);
    for r in results.iter() {
        let whole = format!(
            "{}{}{}{}{}{}",
            r.title_pre, r.title_mark, r.title_post, r.snippet_pre, r.snippet_mark, r.snippet_post
        );
        assert!(whole.contains("低保"), "{whole}");
    }
    assert!(s.get_summary().starts_with("找到"), "{}", s.get_summary());

    // Initials: 最低生活保障 by zdshbz.
    k.tap("清空");
    k.tap("首字母");
    for c in "zdshbz".chars() {
        k.tap(&format!("键 {c}"));
    }
    assert_eq!(s.get_query(), "zdshbz");
    let titles: Vec<String> = s
        .get_results()
        .iter()
        .map(|r| format!("{}{}{}", r.title_pre, r.title_mark, r.title_post))
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("最低生活保障")),
        "{titles:?}"
    );
    let first = s.get_results().row_data(0).unwrap();
    assert!(!first.title_mark.is_empty(), "the pinyin match is marked");

    // Backspace, and digits for 12345 or 0999 numbers.
    k.tap("删除");
    assert_eq!(s.get_query(), "zdshb");
    k.tap("清空");
    k.tap("数字");
    for c in "0999".chars() {
        k.tap(&format!("键 {c}"));
    }
    assert!(s.get_results().row_count() > 0);

    // Opening a result.
    let key = s.get_results().row_data(0).unwrap();
    let label = format!("{}{}{}", key.title_pre, key.title_mark, key.title_post);
    k.tap(&label);
    assert!(k.page() == "item" || k.page() == "reader", "{}", k.page());

    // Nothing found: a helpful message, not an empty screen.
    k.tap("首页");
    k.tap("搜索");
    k.tap("首字母");
    for c in "qqqqq".chars() {
        k.tap(&format!("键 {c}"));
    }
    assert!(s.get_summary().contains("没有找到"), "{}", s.get_summary());
}

#[test]
fn idle_timeout_returns_home_clears_search_then_attracts() {
    let k = start();
    k.tap("搜索");
    k.tap("首字母");
    k.tap("键 d");
    assert_eq!(k.app.search_input().committed, "d");
    let now = Instant::now();
    let cfg = KioskConfig::default();
    k.app
        .tick(now + Duration::from_secs(cfg.reset_after_secs - 31));
    assert!(!k.has("继续使用"), "no countdown before its 30 s");
    k.app
        .tick(now + Duration::from_secs(cfg.reset_after_secs - 5));
    assert_eq!(k.page(), "search", "not yet idle");
    // The countdown is on the screen, and a touch keeps the page.
    assert!(k.has("还剩 5 秒"), "the countdown shows the seconds left");
    assert_eq!(k.ui.global::<AppState>().get_going_home_secs(), 5);
    k.tap("继续使用");
    assert!(!k.has("还剩 5 秒"), "a touch hides the countdown");
    assert_eq!(k.page(), "search");
    assert_eq!(k.app.search_input().committed, "d", "nothing cleared");
    k.app
        .tick(now + Duration::from_secs(cfg.reset_after_secs + 1));
    assert_eq!(k.page(), "home");
    assert_eq!(k.app.search_input().committed, "");
    k.tap("搜索");
    assert_eq!(
        k.ui.global::<SearchAdapter>().get_query(),
        "",
        "search cleared"
    );
    k.tap("首页");
    k.app
        .tick(now + Duration::from_secs(cfg.attract_after_secs + 1));
    assert_eq!(k.page(), "attract");
    assert_eq!(k.app.page(), Page::Attract);
    // Slides turn, and any touch returns home.
    let first = k.ui.global::<kiosk::AttractAdapter>().get_slide().title;
    k.app.tick(
        now + Duration::from_secs(cfg.attract_after_secs + 1 + kiosk::controller::SLIDE_SECS),
    );
    let second = k.ui.global::<kiosk::AttractAdapter>().get_slide().title;
    assert_ne!(first, second);
    k.tap("轻触屏幕开始");
    assert_eq!(k.page(), "home");
}

#[test]
fn live_content_change_refreshes_and_a_vanished_item_closes_gracefully() {
    let k = start();
    k.tap("信息查询");
    k.tap("社会救助");
    let items = k.social_assistance_items();
    k.tap(&items[0].name);
    assert!(!k.ui.global::<ItemAdapter>().get_gone());
    assert!(!k.app.check_content(), "nothing new yet");

    // The sync agent writes a new version without this item.
    let mut bundle = disclosure::import::load_content_dir(
        &k.demo.dir().join("content"),
        disclosure::Date::from_ymd(2026, 11, 22).unwrap(),
    )
    .unwrap()
    .bundle;
    bundle.items.retain(|i| i.key != items[0].key);
    let mut writer = ContentStore::open(&k.demo.database()).unwrap();
    writer.replace_all(&bundle, FeedVersion(2)).unwrap();

    assert!(k.app.check_content());
    assert_eq!(k.page(), "item");
    assert!(
        k.ui.global::<ItemAdapter>().get_gone(),
        "the item says it is gone"
    );
    k.tap("返回");
    assert_eq!(k.page(), "items");
    assert!(!k.has(&items[0].name), "the list no longer shows it");
}

#[test]
fn large_text_and_high_contrast_are_one_tap_from_every_page() {
    let k = start();
    for page in ["home", "domains", "search"] {
        k.app.show_named(page).unwrap();
        let t = k.ui.global::<Theme>();
        k.tap(if t.get_large_text() {
            "标准字"
        } else {
            "大字"
        });
        k.tap(if t.get_high_contrast() {
            "标准色"
        } else {
            "高对比"
        });
    }
    let t = k.ui.global::<Theme>();
    assert!(t.get_large_text() && t.get_high_contrast());
    assert!((t.get_scale() - 1.5).abs() < 1e-6);
    k.tap("标准字");
    assert!(!t.get_large_text());
}

#[test]
fn bug_review_switching_modes_lost_what_was_typed() {
    let k = start();
    k.tap("搜索");
    for c in "dibao".chars() {
        k.tap(&format!("键 {c}"));
    }
    let s = k.ui.global::<SearchAdapter>();
    k.tap("全拼"); // the lit mode: nothing changes
    assert_eq!(s.get_composing(), "dibao");
    k.tap("数字"); // letters kept, still searching titles by pinyin
    assert_eq!(s.get_query(), "dibao");
    assert!(s.get_results().row_count() > 0);
    k.tap("全拼"); // letters back to composing, candidates again
    assert_eq!(s.get_composing(), "dibao");
    assert!(s.get_candidates().row_count() > 0);
    // Letters after a picked word: the screen says to pick.
    k.tap("候选 低保");
    k.tap("键 x");
    assert!(
        s.get_summary().contains("候选") || s.get_summary().contains("没有对应"),
        "{}",
        s.get_summary()
    );
}

#[test]
fn bug_review_idle_reset_kept_large_text_and_pending_pinyin() {
    let k = start();
    k.tap("大字");
    k.tap("搜索");
    k.tap("键 d");
    k.tap("首页");
    let now = Instant::now();
    k.app
        .tick(now + Duration::from_secs(KioskConfig::default().reset_after_secs + 1));
    assert!(
        !k.ui.global::<Theme>().get_large_text(),
        "back to the configured size"
    );
    assert_eq!(k.app.search_input().composing, "");
}

#[test]
fn bug_review_history_loops_and_grows_without_bound() {
    let k = start();
    k.tap("政策解读");
    let depth_before = 1;
    for _ in 0..30 {
        k.app.navigate(Page::Domains);
        k.app.navigate(Page::Search);
    }
    // Alternating between two pages does not pile up 60 steps of history.
    let mut taps = 0;
    while k.page() != "home" && taps < 30 {
        k.tap("返回");
        taps += 1;
    }
    assert!(taps <= depth_before + 3, "{taps} taps to get home");
}

/// Regression (issue 12): a page whose data could not be read was only
/// logged, and the screen kept showing the page before it.
#[test]
fn a_page_whose_data_cannot_be_read_says_so_and_the_top_bar_still_works() {
    let k = start();
    assert!(!k.has(kiosk::controller::UNAVAILABLE));
    // The catalog disappears under the running kiosk (a broken disk, a
    // half-written database).
    let db = rusqlite::Connection::open(k.demo.database()).unwrap();
    db.execute_batch("DROP TABLE catalog_item").unwrap();
    k.tap("信息查询");
    assert_eq!(k.page(), "domains");
    assert!(
        k.has(kiosk::controller::UNAVAILABLE),
        "a plain message instead of an empty or stale page"
    );
    assert!(!k.has("社会救助"), "no half-filled page behind it");
    k.tap("首页");
    assert_eq!(k.page(), "home");
    assert!(!k.has(kiosk::controller::UNAVAILABLE));
    assert!(k.has("石桥村政务公开查阅点"));
}

/// Regression (issue 12): a QR code that could not be made showed as a
/// blank white square.
#[test]
fn a_qr_code_that_cannot_be_made_says_so() {
    let config = KioskConfig {
        // Longer than any QR code holds.
        public_url: format!("https://gk.example/{}/{{key}}", "长".repeat(1500)),
        ..KioskConfig::default()
    };
    let (ui, app, demo) = common::start_kiosk(config, 1920, 1080);
    let k = Kiosk { ui, app, demo };
    k.tap("信息查询");
    k.tap("社会救助");
    let items = k.social_assistance_items();
    k.tap(&items[0].name);
    assert_eq!(k.ui.global::<ItemAdapter>().get_qr().size().width, 0);
    assert!(k.has("二维码暂时无法生成"));
    // (With the default address the QR code is there: see
    // home_domain_item_document_interpretation_and_back.)
}

/// Regression (issue 12): a database error while opening the wizard from
/// an item silently dropped the link to the item.
#[test]
fn a_form_that_cannot_be_linked_says_so_instead_of_unlinking() {
    let k = start();
    k.tap("信息查询");
    k.tap("社会救助");
    let items = k.social_assistance_items();
    k.tap(&items[0].name);
    let db = rusqlite::Connection::open(k.demo.database()).unwrap();
    db.execute_batch("DROP TABLE catalog_item").unwrap();
    k.tap("申请公开");
    assert_eq!(k.app.page(), Page::Apply);
    assert!(k.has(kiosk::controller::UNAVAILABLE));
    assert!(k.app.form_state().form.item.is_none());
}

/// Regression (issue 15): every catalog item said 更新于 <the day the
/// catalog was imported>, a date the sheets do not have.
#[test]
fn an_item_without_an_update_date_shows_none() {
    let k = start();
    k.tap("信息查询");
    k.tap("社会救助");
    let items = k.social_assistance_items();
    let rows = k.ui.global::<kiosk::ItemsAdapter>().get_items();
    assert_eq!(rows.row_count(), items.len());
    for (row, item) in rows.iter().zip(&items) {
        assert_eq!(
            row.subtitle.contains("更新于"),
            item.updated_stated,
            "{}: {}",
            item.name,
            row.subtitle
        );
    }
    let undated = items
        .iter()
        .find(|i| !i.updated_stated)
        .expect("the demo's sheets have items without an update date");
    k.tap(&undated.name);
    let fields = k.ui.global::<ItemAdapter>().get_fields();
    let date = fields.iter().find(|f| f.label == "更新日期").unwrap();
    assert_eq!(date.value, "未注明（本目录发布于 2026年11月22日）");
}

#[test]
fn effect_status_is_on_every_row_that_shows_a_document_or_an_interpretation() {
    use disclosure::EffectStatus;
    use kiosk::{HomeAdapter, ListAdapter};
    let k = start();
    let scope = RegionScope::of(&"990521201201".parse().unwrap());
    let store = k.store();

    // 最新发布: a document's or interpretation's status, none for a notice.
    let latest = k.ui.global::<HomeAdapter>().get_latest();
    let updates = store.latest_updates(&scope, latest.row_count()).unwrap();
    assert_eq!(latest.row_count(), updates.len());
    for (row, u) in latest.iter().zip(&updates) {
        assert_eq!(row.title, u.title);
        assert_eq!(
            row.status,
            u.status.map(EffectStatus::name).unwrap_or(""),
            "{}",
            u.title
        );
    }
    let first = latest.row_data(0).unwrap();
    if !first.status.is_empty() {
        assert!(
            k.has(&format!("效力状态：{}", first.status)),
            "the badge is drawn"
        );
    }

    // 政策解读: each row says whether the rule it explains still holds.
    k.tap("政策解读");
    let rows = k.ui.global::<ListAdapter>().get_rows();
    let entries = store.interpretations(&scope, 500).unwrap();
    assert_eq!(rows.row_count(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        assert_eq!(row.title, e.interpretation.title);
        assert_eq!(row.status, e.document_status.name(), "{}", row.title);
    }
    let first = rows.row_data(0).unwrap();
    assert!(
        k.has(&format!("效力状态：{}", first.status)),
        "the badge is drawn"
    );

    // An interpretation of a repealed rule: 查看原文 says 原文已废止.
    let repealed = entries
        .iter()
        .find(|e| e.document_status == EffectStatus::Repealed)
        .expect("the demo explains a repealed rule");
    k.app
        .navigate(Page::Reader(kiosk::controller::Target::Interpretation(
            repealed.interpretation.key.clone(),
        )));
    assert!(k.has("原文效力状态：已废止"));
    let link =
        k.ui.global::<ReaderAdapter>()
            .get_links()
            .row_data(0)
            .unwrap();
    assert_eq!(
        (link.title.as_str(), link.status.as_str()),
        ("查看原文", "已废止")
    );

    // Search: every hit has its level; documents and interpretations
    // their status, the rest none.
    k.tap("首页");
    k.tap("搜索");
    k.tap("首字母");
    for c in "db".chars() {
        k.tap(&format!("键 {c}"));
    }
    let results = k.ui.global::<SearchAdapter>().get_results();
    assert!(results.row_count() > 0);
    let mut statuses = std::collections::HashSet::new();
    for r in results.iter() {
        assert!(
            ["村", "乡", "县"].contains(&r.level.as_str()),
            "{:?}",
            r.level
        );
        match r.kind.as_str() {
            "文件" | "政策解读" => assert!(!r.status.is_empty(), "{}", r.title_post),
            _ => assert_eq!(r.status, "", "{}", r.title_post),
        }
        statuses.insert(r.status.to_string());
    }
    assert!(statuses.len() > 1, "{statuses:?}");
}

#[test]
fn search_results_put_the_village_first_with_their_level_badge() {
    let k = start();
    k.tap("搜索");
    k.tap("首字母");
    for c in "db".chars() {
        k.tap(&format!("键 {c}"));
    }
    let results = k.ui.global::<SearchAdapter>().get_results();
    let levels: Vec<String> = results.iter().map(|r| r.level.to_string()).collect();
    assert_eq!(levels.first().map(String::as_str), Some("村"), "{levels:?}");
    // The first row's badge is on the screen.
    assert!(k.has("村级"));
    assert!(levels.iter().any(|l| l == "县"), "{levels:?}");
}

/// The domains' names as 信息查询 shows them, in order.
fn domain_names(k: &Kiosk) -> Vec<String> {
    k.ui.global::<kiosk::DomainsAdapter>()
        .get_domains()
        .iter()
        .map(|d| d.name.to_string())
        .collect()
}

#[test]
fn the_domains_lead_with_what_people_ask_for_in_plain_words() {
    use kiosk::config::DEFAULT_DOMAIN_ORDER;
    let k = start();
    k.tap("信息查询");
    let names = domain_names(&k);
    assert_eq!(&names[..DEFAULT_DOMAIN_ORDER.len()], DEFAULT_DOMAIN_ORDER);
    // The rest in the catalog's order.
    let rest: Vec<String> = Domain::all()
        .map(|d| d.name().to_string())
        .filter(|n| !DEFAULT_DOMAIN_ORDER.contains(&n.as_str()))
        .collect();
    assert_eq!(names[DEFAULT_DOMAIN_ORDER.len()..], rest[..]);
    // Under each name, what it is about in the words people use.
    assert!(k.has("社会救助：低保、特困、临时救助"));
    let hints: Vec<String> =
        k.ui.global::<kiosk::DomainsAdapter>()
            .get_domains()
            .iter()
            .map(|d| d.hint.to_string())
            .collect();
    assert!(hints.iter().all(|h| !h.is_empty()), "{hints:?}");
    k.tap("社会救助");
    assert_eq!(k.page(), "items");
}

#[test]
fn a_configured_domain_order_leads() {
    let config = KioskConfig {
        domain_order: vec![Domain::from_name("救灾").unwrap()],
        ..KioskConfig::default()
    };
    let (ui, app, demo) = common::start_kiosk(config, 1920, 1080);
    let k = Kiosk { ui, app, demo };
    k.tap("信息查询");
    let names = domain_names(&k);
    assert_eq!(names[..2], ["救灾", "国土空间规划"]);
}

/// Titles this terminal sees that contain `word`, counted in SQL over the
/// content tables.
fn titles_with(db: &std::path::Path, scope: &RegionScope, word: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let codes: Vec<String> = scope
        .codes()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let mut n = 0;
    for (table, column) in [
        ("catalog_item", "name"),
        ("service_guide", "name"),
        ("document", "title"),
        ("interpretation", "title"),
        ("notice", "title"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {column}, region_code FROM {table}"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (title, region) = row.unwrap();
            if codes.contains(&region) && title.contains(word) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn the_empty_search_page_offers_hot_words_from_this_terminals_content() {
    let k = start();
    k.tap("搜索");
    k.app.wait_for_search();
    let s = k.ui.global::<SearchAdapter>();
    let hot: Vec<String> = s.get_hot_words().iter().map(|w| w.to_string()).collect();
    assert!(hot.contains(&"低保".to_string()), "{hot:?}");
    // Each is in titles here, in most titles first; words in no title are
    // not offered. Counted as a LIKE over the titles this terminal sees.
    let scope = RegionScope::of(&"990521201201".parse().unwrap());
    let db = k.demo.database();
    let total = |w: &str| titles_with(std::path::Path::new(&db), &scope, w);
    let counts: Vec<usize> = hot.iter().map(|w| total(w)).collect();
    assert!(counts.iter().all(|c| *c > 0), "{hot:?} {counts:?}");
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "{hot:?} {counts:?}"
    );
    for w in kiosk::controller::HOT_WORD_CANDIDATES {
        if total(w) == 0 {
            assert!(
                !hot.contains(&w.to_string()),
                "{w} found nowhere but offered"
            );
        }
    }
    assert!(k.has("常查 低保"), "the button is drawn");
    // One tap searches it; typed, the words give way to the results.
    k.tap("常查 低保");
    assert_eq!(s.get_query(), "低保");
    assert!(s.get_results().row_count() > 0);
    assert!(!k.has("常查 低保"));
    k.tap("清空");
    assert!(k.has("常查 低保"), "back once the box is empty");
}

#[test]
fn a_character_written_by_hand_is_offered_and_searched() {
    use kiosk::KeyboardMode;
    let k = start();
    k.tap("搜索");
    k.tap("手写");
    let s = k.ui.global::<SearchAdapter>();
    assert_eq!(s.get_mode(), KeyboardMode::Handwriting);
    assert!(k.has("手写板"));
    assert!(!k.has("键 q"), "the pad takes the letters' place");
    common::write_on_pad(
        common::WRITTEN_DA,
        |x, y, w, h| s.invoke_pen_down(x, y, w, h),
        |x, y| s.invoke_pen_move(x, y),
        || s.invoke_pen_up(),
    );
    // The strokes are drawn, and the character is the first candidate.
    assert_eq!(s.get_ink().matches('M').count(), 3, "{}", s.get_ink());
    let cands: Vec<String> = s.get_candidates().iter().map(|c| c.to_string()).collect();
    assert_eq!(cands.first().map(String::as_str), Some("大"), "{cands:?}");
    k.tap("候选 大");
    assert_eq!(s.get_query(), "大");
    assert_eq!(s.get_ink(), "", "the pad is ready for the next character");
    assert!(s.get_results().row_count() > 0, "{}", s.get_summary());
    // 重写 wipes a half-written character and its candidates.
    s.invoke_pen_down(40.0, 150.0, 300.0, 300.0);
    s.invoke_pen_move(260.0, 150.0);
    s.invoke_pen_up();
    assert!(s.get_candidates().row_count() > 0);
    k.tap("重写");
    assert_eq!(s.get_ink(), "");
    assert_eq!(s.get_candidates().row_count(), 0);
    assert_eq!(s.get_query(), "大", "what was picked stays");
    // The model is open while writing, and closed for the next person.
    assert!(k.app.context().handwriting_open());
    k.tap("首页");
    assert!(!k.app.context().handwriting_open());
}

#[test]
fn a_finger_on_the_pad_draws_through_the_touch_area() {
    use slint::platform::{PointerEventButton, WindowEvent};
    let k = start();
    k.tap("搜索");
    k.tap("手写");
    let pad = ElementHandle::find_by_accessible_label(&k.ui, "手写板")
        .next()
        .expect("the pad");
    let (o, size) = (pad.absolute_position(), pad.size());
    // 一: left to right across the middle of the pad.
    let at = |fx: f32| slint::LogicalPosition::new(o.x + size.width * fx, o.y + size.height / 2.0);
    let w = k.ui.window();
    w.dispatch_event(WindowEvent::PointerPressed {
        position: at(0.15),
        button: PointerEventButton::Left,
    });
    for i in 1..=10 {
        w.dispatch_event(WindowEvent::PointerMoved {
            position: at(0.15 + 0.07 * i as f32),
        });
    }
    w.dispatch_event(WindowEvent::PointerReleased {
        position: at(0.85),
        button: PointerEventButton::Left,
    });
    let s = k.ui.global::<SearchAdapter>();
    assert!(s.get_ink().starts_with("M "), "{}", s.get_ink());
    let first = s.get_candidates().row_data(0).map(|c| c.to_string());
    assert_eq!(first.as_deref(), Some("一"));
}
