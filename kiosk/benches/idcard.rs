//! From an ID card placed on the reader to the 申请人 step showing its
//! name and number (masked): the reader thread's 寻找证/卡 poll (every
//! 300 ms), 选取证/卡 and 读基本信息 over a pseudo-terminal with the fake
//! reader, the channel, the kiosk's 100 ms poll timer and the form's fill.
//! Once as fast as the pseudo-terminal goes, once with the replies paced
//! like a UART at 115200 baud (读基本信息's 1295 bytes take about 112 ms).
//! The card's own radio time inside a real reader is not in these figures.
//!
//! Each round also says when the fake had sent the whole 读基本信息 reply,
//! splitting the time into the reader's part and the kiosk's part.
//!
//! `cargo bench -p kiosk --bench idcard`

use std::time::{Duration, Instant};

use idcard::card::CardText;
use idcard::emulator::FakeIdReader;
use kiosk::ApplyAdapter;
use kiosk::MainWindow;
use kiosk::config::{IdReaderConfig, KioskConfig};
use kiosk::controller::{App, WizardStep};
use kiosk::demo::DemoContent;
use slint::{ComponentHandle, Model};

/// The kiosk's poll timer (`App::start_timers`).
const TIMER: Duration = Duration::from_millis(100);

fn card(i: usize) -> (CardText, String) {
    let first17 = format!("99052119800101{:03}", i % 1000);
    let number = format!(
        "{first17}{}",
        disclosure::identity::id_check_char(&first17).unwrap()
    );
    let text = CardText {
        name: "王秀英".into(),
        sex: "2".into(),
        nation: "01".into(),
        birth: "19800101".into(),
        address: "云溪县石桥乡石桥村三组12号".into(),
        number: number.clone(),
        authority: "云溪县公安局".into(),
        valid_from: "20160105".into(),
        valid_until: "长期".into(),
        card_type: String::new(),
    };
    (text, disclosure::identity::mask_id_number(&number))
}

fn shows(ui: &MainWindow, masked: &str) -> bool {
    ui.global::<ApplyAdapter>()
        .get_fields()
        .iter()
        .any(|f| f.key == "id-number" && f.value == masked)
}

fn percentiles(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let n = times.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} n={n:<3} p50 {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms",
        ms(times[n / 2]),
        ms(times[(n * 95 / 100).min(n - 1)]),
        ms(times[n - 1])
    );
}

fn run(label: &str, fake: &FakeIdReader, ui: &MainWindow, app: &App, rounds: usize) {
    let mut total = Vec::new();
    let mut reader_part = Vec::new();
    let mut kiosk_part = Vec::new();
    for i in 0..rounds {
        fake.remove_card();
        // A fresh form at the 申请人 step, the last card long gone.
        app.go_home();
        app.open_apply(None);
        app.edit_form(|s| s.step = WizardStep::Who);
        // Cards land at every moment of the reader's 300 ms poll.
        std::thread::sleep(Duration::from_millis(450 + (i as u64 * 97) % 300));
        app.poll();
        let (text, masked) = card(i);
        let placed = Instant::now();
        fake.place_card(text);
        // The timer runs on its own: its ticks fall anywhere after the
        // card lands.
        let mut next_tick = placed + Duration::from_millis((i as u64 * 37) % 100);
        let filled = loop {
            let now = Instant::now();
            if now < next_tick {
                std::thread::sleep(next_tick - now);
            }
            next_tick += TIMER;
            app.poll();
            if shows(ui, &masked) {
                break Instant::now();
            }
            assert!(placed.elapsed() < Duration::from_secs(10), "never filled");
        };
        let sent = fake.log().last_read_sent.expect("a read was answered");
        total.push(filled - placed);
        reader_part.push(sent.saturating_duration_since(placed));
        kiosk_part.push(filled.saturating_duration_since(sent));
    }
    percentiles(&format!("{label}: placed → filled"), total);
    percentiles(&format!("{label}:   placed → reply sent"), reader_part);
    percentiles(&format!("{label}:   reply sent → filled"), kiosk_part);
}

fn main() {
    i_slint_backend_testing::init_no_event_loop();
    let demo = DemoContent::unpack(disclosure::Date::today_in_china()).unwrap();
    let store = disclosure::ContentStore::open_read_only(&demo.database()).unwrap();
    let fake = FakeIdReader::start().unwrap();
    let config = KioskConfig {
        id_reader: Some(IdReaderConfig {
            device: fake.path().to_path_buf(),
            baud: 115_200,
        }),
        ..KioskConfig::default()
    };
    let ui = MainWindow::new().unwrap();
    ui.window().set_size(slint::PhysicalSize::new(1280, 800));
    ui.show().unwrap();
    let app = App::new(&ui, config, store).unwrap();
    assert!(app.wait_for_dictionary(Duration::from_secs(30)));
    let rounds = std::env::var("GONGKAI_BENCH_TAPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    run("pseudo-terminal", &fake, &ui, &app, rounds);
    fake.pace_at(115_200);
    run("paced at 115200 baud", &fake, &ui, &app, rounds);
}
