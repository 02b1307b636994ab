//! Helpers shared by the kiosk's UI tests: a kiosk on Slint's testing
//! backend over the unpacked demo content, and the fake printer's config.

#![allow(dead_code)] // each test binary uses a part

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use kiosk::MainWindow;
use kiosk::config::{KioskConfig, PrinterConfig};
use kiosk::controller::App;
use kiosk::demo::DemoContent;
use slint::ComponentHandle;

/// A kiosk window of `width`×`height` with `config`, over the demo content
/// as of 2026-11-22, its candidate vocabulary ready.
pub fn start_kiosk(config: KioskConfig, width: u32, height: u32) -> (MainWindow, App, DemoContent) {
    i_slint_backend_testing::init_no_event_loop();
    let demo = DemoContent::unpack(disclosure::Date::from_ymd(2026, 11, 22).unwrap()).unwrap();
    let store = disclosure::ContentStore::open_read_only(&demo.database()).unwrap();
    let ui = MainWindow::new().unwrap();
    ui.window()
        .set_size(slint::PhysicalSize::new(width, height));
    ui.show().unwrap();
    let app = App::new(&ui, config, store).unwrap();
    assert!(app.wait_for_dictionary(Duration::from_secs(20)));
    (ui, app, demo)
}

/// Invokes the default action (a tap) of the first element labelled
/// `label`; when there is none, panics saying where the test was.
pub fn tap(ui: &MainWindow, label: &str, whereabouts: impl FnOnce() -> String) {
    let el = ElementHandle::find_by_accessible_label(ui, label)
        .next()
        .unwrap_or_else(|| panic!("nothing labelled “{label}” {}", whereabouts()));
    el.invoke_accessible_default_action();
}

/// Whether an element labelled `label` is shown.
pub fn has(ui: &MainWindow, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(ui, label)
        .next()
        .is_some()
}

/// The fake printer's port at 115200 baud without flow control, 58 mm.
pub fn test_printer(port: &str, status_timeout_ms: u64) -> PrinterConfig {
    let mut p = PrinterConfig::on_port(port);
    p.serial.baud = 115_200;
    p.serial.flow_control = printer::serial::FlowControl::None;
    p.paper = printer::PaperWidth::Mm58;
    p.status_timeout_ms = status_timeout_ms;
    p
}

/// Characters written stroke by stroke on a 300×300 pad (x to the right,
/// y down), in writing order; strokes separated by `;`.
pub const WRITTEN_WANG: &str =
    "60,60 150,60 240,60;80,150 150,150 220,150;150,60 150,160 150,250;40,250 150,250 260,250";
pub const WRITTEN_DA: &str =
    "40,120 150,120 260,120;150,40 145,130 120,200 50,270;150,130 200,200 270,260";

/// The strokes of a written character as points.
pub fn strokes(written: &str) -> Vec<Vec<(f32, f32)>> {
    written
        .split(';')
        .map(|s| {
            s.split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// Writes `written` through a pad's callbacks: down at a stroke's first
/// point (on a 300×300 pad), moves through the rest, up.
pub fn write_on_pad(
    written: &str,
    down: impl Fn(f32, f32, f32, f32),
    moved: impl Fn(f32, f32),
    up: impl Fn(),
) {
    for stroke in strokes(written) {
        let (first, rest) = stroke.split_first().unwrap();
        down(first.0, first.1, 300.0, 300.0);
        for p in rest {
            moved(p.0, p.1);
        }
        up();
    }
}
