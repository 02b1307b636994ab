//! 朗读: from a tap on the top bar's 朗读 to the first sound, on the real
//! kiosk (Slint's testing backend) with the real speaker (espeak-ng)
//! playing into memory at a device's pace. Two figures a page:
//! - tap → first samples handed to the output (the kiosk's and the
//!   engine's part: collecting the page's text, normalisation, pinyin,
//!   the first 40 ms buffer of synthesis);
//! - tap → first audible sample (|s| > 1000): the above plus espeak-ng's
//!   leading silence, played at 22 050 Hz.
//!
//! A real ALSA device adds its first period (20 ms) to both.
//!
//! `cargo bench -p kiosk --bench read_aloud`

use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use kiosk::MainWindow;
use kiosk::config::KioskConfig;
use kiosk::controller::App;
use kiosk::demo::DemoContent;
use kiosk::screenshot::{ScreenshotScript, Shot};
use slint::ComponentHandle;
use speech::{MemoryOutput, Speaker, SpeechConfig};

fn percentiles(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let n = times.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<40} n={n:<3} p50 {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms",
        ms(times[n / 2]),
        ms(times[(n * 95 / 100).min(n - 1)]),
        ms(times[n - 1])
    );
}

fn main() {
    i_slint_backend_testing::init_no_event_loop();
    let demo = DemoContent::unpack(disclosure::Date::today_in_china()).unwrap();
    let store = disclosure::ContentStore::open_read_only(&demo.database()).unwrap();
    let ui = MainWindow::new().unwrap();
    ui.window().set_size(slint::PhysicalSize::new(1280, 800));
    ui.show().unwrap();
    let app = App::new(&ui, KioskConfig::default(), store).unwrap();
    assert!(app.wait_for_dictionary(Duration::from_secs(30)));
    let rate = speech::engine::sample_rate().unwrap();
    let rounds: usize = std::env::var("GONGKAI_BENCH_TAPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    for shot in [Shot::Home, Shot::Document, Shot::Table, Shot::ApplyReview] {
        let mut first = Vec::new();
        let mut audible = Vec::new();
        for _ in 0..rounds {
            app.show_shot(shot).unwrap();
            let output = MemoryOutput::real_time(rate);
            app.set_speaker(Some(
                Speaker::with_output(SpeechConfig::default(), output.opener()).unwrap(),
            ));
            let button = ElementHandle::find_by_accessible_label(&ui, "朗读")
                .next()
                .expect("the 朗读 button");
            let tapped = Instant::now();
            button.invoke_accessible_default_action();
            let onset = loop {
                let samples = output.samples();
                if let Some(i) = samples.iter().position(|s| s.unsigned_abs() > 1000) {
                    break i;
                }
                assert!(tapped.elapsed() < Duration::from_secs(10), "no sound");
                std::thread::sleep(Duration::from_millis(1));
            };
            let at = output.first_write().expect("written");
            first.push(at - tapped);
            audible.push(at - tapped + Duration::from_secs_f64(onset as f64 / f64::from(rate)));
            app.stop_reading();
        }
        percentiles(&format!("{}: tap → first samples", shot.name()), first);
        percentiles(&format!("{}: tap → first audible", shot.name()), audible);
    }
    drop(ui);
}
