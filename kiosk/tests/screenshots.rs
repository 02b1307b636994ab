//! Every page rendered by the real `kiosk --screenshot` (software renderer,
//! no display) at 1920×1080, 1080×1920 and 1024×600, plus large-text and
//! high-contrast variants. The PNGs stay in `$CARGO_TARGET_DIR/kiosk-screenshots`
//! for people to look at. The same pictured states on the testing backend
//! must show each page's key texts inside the window: a page showing only
//! its top bar fails.

mod common;

use std::path::PathBuf;
use std::process::Command;

use i_slint_backend_testing::ElementHandle;
use kiosk::config::KioskConfig;
use kiosk::screenshot::{SHOTS, ScreenshotScript};

const SIZES: &[(u32, u32)] = &[(1920, 1080), (1080, 1920), (1024, 600)];

fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let d = target.join("kiosk-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Renders one page and checks the PNG: right size, not blank, several colours.
fn shoot(page: &str, (w, h): (u32, u32), extra: &[&str], suffix: &str) {
    let file = out_dir().join(format!("{page}-{w}x{h}{suffix}.png"));
    let _ = std::fs::remove_file(&file);
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--screenshot"])
        .arg(&file)
        .args(["--size", &format!("{w}x{h}"), "--page", page])
        .args(extra)
        .env("GONGKAI_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{page} {w}x{h}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (w, h), "{page}");
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    for px in pixels.chunks(3).step_by(97) {
        colours.insert((px[0] >> 3, px[1] >> 3, px[2] >> 3));
    }
    assert!(
        colours.len() >= 4,
        "{page} {w}x{h} looks blank ({} colours)",
        colours.len()
    );
}

#[test]
fn every_page_at_three_sizes() {
    for &size in SIZES {
        for page in SHOTS.map(|s| s.name()) {
            let typed: &[&str] = if page == "search" {
                &["--typed", "dibao"]
            } else {
                &[]
            };
            shoot(page, size, typed, "");
        }
    }
}

#[test]
fn large_text_and_high_contrast_variants() {
    for &size in SIZES {
        for page in [
            "home",
            "items",
            "item",
            "document",
            "speaking",
            "search",
            "apply-review",
            "apply-done",
        ] {
            shoot(page, size, &["--large-text"], "-large");
        }
    }
    for page in ["home", "document"] {
        shoot(page, (1920, 1080), &["--high-contrast"], "-contrast");
    }
}

#[test]
fn unknown_page_and_bad_size_are_refused_in_chinese() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--screenshot", "/tmp/x.png", "--page", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知页面"));
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--screenshot", "/tmp/x.png", "--size", "big"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--size"));
}

/// Whether something labelled `label` is drawn inside a `w`×`h` window.
fn shown(ui: &kiosk::MainWindow, label: &str, (w, h): (u32, u32)) -> bool {
    ElementHandle::find_by_accessible_label(ui, label).any(|e| {
        let (p, s) = (e.absolute_position(), e.size());
        s.width > 0.0
            && s.height > 0.0
            && p.x >= 0.0
            && p.y >= 0.0
            && p.x < w as f32
            && p.y < h as f32
            && e.computed_opacity() > 0.0
    })
}

#[test]
fn every_page_shows_its_key_texts_at_three_sizes() {
    let mut missing = Vec::new();
    for &size in SIZES {
        // One thread per window: the testing backend is set once per thread.
        let found = std::thread::spawn(move || {
            let config = kiosk::screenshot::with_picture_pin(KioskConfig::default());
            let (ui, app, _demo) = common::start_kiosk(config, size.0, size.1);
            let mut missing = Vec::new();
            for shot in SHOTS {
                let texts = app.show_shot(shot).unwrap();
                assert!(!texts.is_empty(), "{shot:?} names no key text");
                for t in texts {
                    if !shown(&ui, &t, size) {
                        missing.push(format!("{} {}x{}: “{t}”", shot.name(), size.0, size.1));
                    }
                }
            }
            missing
        })
        .join()
        .unwrap();
        missing.extend(found);
    }
    assert!(
        missing.is_empty(),
        "key texts not shown:\n{}",
        missing.join("\n")
    );
}
