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
