//! From the confirm tap to the receipt's last byte handed to the driver:
//! checking the form, the FULL-sync transaction in requests.db, the
//! receipt's layout and encoding (GBK, or raster lines), the status
//! queries. The driver is a memory driver (no wire time) and then a real
//! pseudo-terminal with the fake printer. Goal: under 300 ms.
//!
//! `cargo bench -p kiosk --bench receipt`

use std::sync::Arc;
use std::time::{Duration, Instant};

use disclosure::requests::{ApplicationForm, IdDocumentKind, ReceivingBody, RequestStore};
use kiosk::applications::{Desk, ReceiptSink, load_calendar};
use kiosk::config::KioskConfig;
use printer::emulator::FakePrinter;
use printer::{MemoryDriver, PaperWidth, PrinterState, RasterFont, ReceiptPrinter, TextMode};

fn form() -> ApplicationForm {
    ApplicationForm {
        name: "王秀英".into(),
        id_kind: Some(IdDocumentKind::ResidentId),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        description: "2025年本村低保对象名单及补助标准".into(),
        ..ApplicationForm::default()
    }
}

fn run(name: &str, sink: Arc<dyn ReceiptSink>, n: usize) {
    // On the disk the target directory is on (not a tmpfs): the FULL-sync
    // commit pays for its fsync.
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let config = KioskConfig::default();
    let mut desk = Desk::new(store, load_calendar(None), &config, Some(sink));
    let body = ReceivingBody {
        name: "石桥乡人民政府".into(),
        region: "990521201".parse().unwrap(),
    };
    let f = form();
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let sub = desk
            .submit(&f, &body, time::OffsetDateTime::now_utc())
            .unwrap();
        let job = desk
            .start_print(&sub.receipt_no, &sub.secrets.pin, false)
            .unwrap()
            .unwrap();
        job.wait().unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<34} n={n:<4} p50 {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms",
        ms(times[n / 2]),
        ms(times[n * 95 / 100]),
        ms(times[n - 1])
    );
}

fn main() {
    let font = Arc::new(
        RasterFont::load(
            std::path::Path::new(printer::raster::DEFAULT_FONT_FILE),
            printer::raster::DEFAULT_FONT_FAMILY,
        )
        .expect("fonts-noto-cjk"),
    );
    for (paper, label) in [(PaperWidth::Mm58, "58mm"), (PaperWidth::Mm80, "80mm")] {
        for (mode, m) in [(TextMode::Gbk, "gbk"), (TextMode::Raster, "raster")] {
            let sink = ReceiptPrinter::new(
                MemoryDriver::new(PrinterState::default()),
                paper,
                mode,
                Some(font.clone()),
            );
            run(&format!("memory driver {label} {m}"), Arc::new(sink), 100);
        }
    }
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    for (mode, m) in [(TextMode::Gbk, "gbk"), (TextMode::Raster, "raster")] {
        let driver = printer::SerialDriver::open(&printer::SerialSettings {
            path: fake.port().into(),
            baud: 115_200,
            flow_control: printer::serial::FlowControl::None,
        })
        .unwrap();
        let sink = ReceiptPrinter::new(driver, PaperWidth::Mm80, mode, Some(font.clone()));
        run(&format!("pty + fake printer 80mm {m}"), Arc::new(sink), 50);
    }
}
