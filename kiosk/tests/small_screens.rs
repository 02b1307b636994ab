//! Search on small screens, measured on the laid-out window: result rows
//! that show whole above the keyboard on the 7" 1024×600 board and the
//! 1080×1920 portrait panel, 收起键盘 and 打开键盘, and hanzi candidates
//! that keep their whole text in large text (fewer a page, 换一批).

mod common;

use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::controller::{App, Page};
use kiosk::{KeyboardMode, MainWindow, SearchAdapter, Theme};
use slint::{ComponentHandle, Model};

fn find(ui: &MainWindow, label: &str) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui, label).next()
}

fn tap(ui: &MainWindow, label: &str) {
    find(ui, label)
        .unwrap_or_else(|| panic!("nothing labelled “{label}”"))
        .invoke_accessible_default_action();
}

/// Result rows shown whole between the search box and the keyboard (or
/// the 打开键盘 button).
fn whole_result_rows(ui: &MainWindow) -> usize {
    let bottom = find(ui, "键 q")
        .or_else(|| find(ui, "打开键盘"))
        .expect("a keyboard or its button")
        .absolute_position()
        .y;
    let top = find(ui, "搜索框").unwrap();
    let top = top.absolute_position().y + top.size().height;
    let results = ui.global::<SearchAdapter>().get_results();
    results
        .iter()
        .filter(|r| {
            let label = format!("{}{}{}", r.title_pre, r.title_mark, r.title_post);
            ElementHandle::find_by_accessible_label(ui, &label).any(|e| {
                let y = e.absolute_position().y;
                e.size().height > 0.0 && y >= top && y + e.size().height <= bottom
            })
        })
        .count()
}

/// Searches by the initials `keys`, which find many results.
fn search_initials(app: &App, keys: &str) {
    app.navigate(Page::Search);
    app.set_mode(KeyboardMode::Initials);
    for k in keys.chars() {
        app.type_key(&k.to_string());
    }
}

/// At `width`×`height` with the keyboard up, at least `least` rows show.
fn check_rows(width: u32, height: u32, least: usize) {
    let (ui, app, _demo) = common::start_kiosk(KioskConfig::default(), width, height);
    search_initials(&app, "d");
    let total = ui.global::<SearchAdapter>().get_results().row_count();
    assert!(total > least, "the query finds only {total}");
    let shown = whole_result_rows(&ui);
    assert!(
        shown >= least,
        "{width}×{height}: {shown} whole result rows above the keyboard, want {least}"
    );
    // 收起键盘: more rows; 打开键盘 brings the keyboard back.
    tap(&ui, "收起键盘");
    assert!(find(&ui, "键 q").is_none(), "the keyboard is still up");
    let without = whole_result_rows(&ui);
    assert!(
        without > shown || without == total,
        "{width}×{height}: {without} rows without the keyboard, {shown} with it"
    );
    tap(&ui, "打开键盘");
    assert!(find(&ui, "键 q").is_some());
    // A new person finds the keyboard up.
    tap(&ui, "收起键盘");
    app.go_home();
    app.navigate(Page::Search);
    assert!(
        find(&ui, "键 q").is_some(),
        "the keyboard stayed hidden after 首页"
    );
}

#[test]
fn three_result_rows_above_the_keyboard_on_the_7_inch_board() {
    check_rows(1024, 600, 3);
}

#[test]
fn six_result_rows_above_the_keyboard_on_the_portrait_panel() {
    check_rows(1080, 1920, 6);
}

#[test]
fn candidates_keep_their_whole_text_in_large_text() {
    for (width, height) in [(1024, 600), (1080, 1920), (1920, 1080)] {
        // One thread per window: the testing backend is set once a thread.
        std::thread::spawn(move || candidates_whole_at(width, height))
            .join()
            .unwrap();
    }
}

fn candidates_whole_at(width: u32, height: u32) {
    {
        let (ui, app, _demo) = common::start_kiosk(KioskConfig::default(), width, height);
        ui.global::<Theme>().set_large_text(true);
        // The syllable with the most candidates in the demo content.
        let pinyin = ["zheng", "gong", "bao", "di", "dibao"]
            .into_iter()
            .max_by_key(|p| {
                app.go_home();
                app.navigate(Page::Search);
                for k in p.chars() {
                    app.type_key(&k.to_string());
                }
                app.search_input().candidates.len()
            })
            .unwrap();
        app.go_home();
        app.navigate(Page::Search);
        for k in pinyin.chars() {
            app.type_key(&k.to_string());
        }
        let font = ui.global::<Theme>().get_font_title();
        let mut pages = 0;
        let mut seen = Vec::new();
        loop {
            let shown: Vec<String> = ui
                .global::<SearchAdapter>()
                .get_candidates()
                .iter()
                .map(|c| c.to_string())
                .collect();
            for c in &shown {
                let label = format!("候选 {c}");
                let e = find(&ui, &label).unwrap_or_else(|| panic!("no slot “{label}”"));
                let wide = c.chars().count() as f32 * font;
                assert!(
                    e.size().width >= wide,
                    "{width}×{height}: “{c}” squeezed to {} px, its text needs {wide}",
                    e.size().width
                );
                assert!(
                    e.absolute_position().x + e.size().width <= width as f32,
                    "{width}×{height}: “{c}” off the screen"
                );
            }
            seen.extend(
                shown
                    .iter()
                    .filter(|c| *c != kiosk::composer::MORE && *c != kiosk::composer::FIRST_PAGE)
                    .cloned(),
            );
            pages += 1;
            if shown.last().map(String::as_str) != Some(kiosk::composer::MORE) || pages > 20 {
                break;
            }
            tap(&ui, &format!("候选 {}", kiosk::composer::MORE));
        }
        assert!(!seen.is_empty(), "no candidates for {pinyin}");
        let all = app.search_input().candidates;
        assert_eq!(seen, all, "{width}×{height}: every candidate on some page");
        // All of them side by side would not fit at 1024 in large text.
        if width == 1024 {
            assert!(all.len() >= 4, "{pinyin}: only {all:?}");
            assert!(
                pages > 1,
                "1024 in large text pages the candidates: {all:?}"
            );
        }
    }
}
