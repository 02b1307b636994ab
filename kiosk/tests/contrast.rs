//! Contrast of every text colour on the backgrounds it is drawn on, read
//! from the UI's own `Theme` global: at least 4.5:1 in normal mode (WCAG
//! AA) and 7:1 in high-contrast mode (WCAG AAA).

use kiosk::{MainWindow, Theme};
use slint::{Color, ComponentHandle};

/// WCAG 2 relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())
}

fn ratio(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Each text colour and the backgrounds the pages draw it on.
fn pairs(t: &Theme<'_>) -> Vec<(&'static str, Color, Color)> {
    vec![
        ("正文 on the page", t.get_text(), t.get_background()),
        ("正文 on cards and buttons", t.get_text(), t.get_surface()),
        (
            "正文 on a pressed button or row",
            t.get_text(),
            t.get_pressed(),
        ),
        (
            "说明文字 on the page",
            t.get_text_muted(),
            t.get_background(),
        ),
        ("说明文字 on cards", t.get_text_muted(), t.get_surface()),
        (
            "top bar title, primary buttons",
            t.get_on_primary(),
            t.get_primary(),
        ),
        (
            "errors and red tile labels",
            t.get_primary(),
            t.get_surface(),
        ),
        ("errors on the page", t.get_primary(), t.get_background()),
        (
            "blue tile labels, pinyin being typed",
            t.get_accent(),
            t.get_surface(),
        ),
        ("县 badge", t.get_badge_text(), t.get_badge_county()),
        ("乡 badge", t.get_badge_text(), t.get_badge_township()),
        ("村 badge", t.get_badge_text(), t.get_badge_village()),
        ("现行有效", t.get_badge_text(), t.get_status_valid()),
        ("已修订", t.get_badge_text(), t.get_status_amended()),
        ("已废止", t.get_badge_text(), t.get_status_repealed()),
        ("申请已提交", t.get_status_valid(), t.get_background()),
        (
            "search matches, the passage read aloud",
            t.get_on_mark(),
            t.get_mark(),
        ),
    ]
}

/// The pairs under `least` in one mode, with their ratios.
fn check(t: &Theme<'_>, least: f64) -> Vec<String> {
    pairs(t)
        .into_iter()
        .map(|(what, fg, bg)| (what, ratio(fg, bg)))
        .filter(|(_, r)| *r < least)
        .map(|(what, r)| format!("{what}: {r:.2}:1"))
        .collect()
}

#[test]
fn every_text_reads_at_4_5_to_1_and_7_to_1_in_high_contrast() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = MainWindow::new().unwrap();
    let t = ui.global::<Theme>();
    t.set_high_contrast(false);
    let normal = check(&t, 4.5);
    t.set_high_contrast(true);
    let high = check(&t, 7.0);
    assert!(
        normal.is_empty() && high.is_empty(),
        "below 4.5:1 in normal mode: {normal:?}; below 7:1 in high contrast: {high:?}"
    );
}

#[test]
fn the_ratio_is_the_wcag_one() {
    let black = Color::from_rgb_u8(0, 0, 0);
    let white = Color::from_rgb_u8(255, 255, 255);
    assert!((ratio(black, white) - 21.0).abs() < 1e-9);
    assert!((ratio(white, white) - 1.0).abs() < 1e-9);
    // The old 已废止 badge: white on #8a8f98.
    assert!((ratio(white, Color::from_rgb_u8(0x8a, 0x8f, 0x98)) - 3.25).abs() < 0.01);
}
