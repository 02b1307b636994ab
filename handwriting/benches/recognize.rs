//! 手写 speed and memory: opening the model, recognising a character after
//! its last stroke (the wait a writer sees), and the resident memory the
//! mapped model adds. `cargo bench -p handwriting`.

use std::path::Path;
use std::time::{Duration, Instant};

use handwriting::{DEFAULT_MODEL, GUESSES, Ink, Point, Recognizer};

/// Characters as a finger writes them on a 300×300 pad (the test's).
const WRITTEN: [&str; 6] = [
    "40,150 150,148 260,150",
    "40,120 150,120 260,120;150,40 145,130 120,200 50,270;150,130 200,200 270,260",
    "60,60 150,60 240,60;80,150 150,150 220,150;150,60 150,160 150,250;40,250 150,250 260,250",
    "80,40 80,150 80,270;80,40 220,40 220,270;80,150 220,150;80,265 220,265",
    "40,110 150,110 260,110;150,30 150,150 150,290;145,115 100,200 40,260;155,115 200,200 260,250",
    "90,40 90,150 80,250 40,280;90,40 210,40 210,150 210,260 190,280;90,120 210,120;90,190 210,190",
];

/// Points every ~3 px along each written segment, as a finger gives them.
fn ink(written: &str) -> Ink {
    let mut ink = Ink::new(300.0, 300.0);
    for stroke in written.split(';') {
        let pts: Vec<(f32, f32)> = stroke
            .split_whitespace()
            .map(|xy| {
                let (x, y) = xy.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        ink.pen_down(
            Point {
                x: pts[0].0,
                y: pts[0].1,
            },
            300.0,
            300.0,
        );
        for w in pts.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let steps = ((x1 - x0).hypot(y1 - y0) / 3.0).ceil().max(1.0) as usize;
            for i in 1..=steps {
                let t = i as f32 / steps as f32;
                ink.pen_move(Point {
                    x: x0 + (x1 - x0) * t,
                    y: y0 + (y1 - y0) * t,
                });
            }
        }
    }
    ink
}

/// A line of /proc/self/status in KiB (`VmRSS`, `RssAnon`, `RssFile`).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let inks: Vec<Ink> = WRITTEN.iter().map(|w| ink(w)).collect();
    let before = rss_kib();
    let t = Instant::now();
    let r = Recognizer::open(Path::new(DEFAULT_MODEL)).expect("the model");
    let open = t.elapsed();
    let after_open = rss_kib();
    // First recognition: the model's pages come in from the page cache.
    let t = Instant::now();
    let first = r.recognize(&inks[1], GUESSES);
    let first_time = t.elapsed();
    let after_first = rss_kib();
    let mut times = Vec::new();
    for _ in 0..20 {
        for i in &inks {
            let t = Instant::now();
            let g = r.recognize(i, GUESSES);
            times.push(t.elapsed());
            assert!(!g.is_empty());
        }
    }
    let after_all = rss_kib();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "handwriting (Zinnia, {} guesses, {} characters x 20)",
        GUESSES,
        inks.len()
    );
    println!("  open model            {:7.2} ms", ms(open));
    println!(
        "  first recognition     {:7.2} ms  ({})",
        ms(first_time),
        first[0].text
    );
    println!(
        "  recognition p50       {:7.2} ms",
        ms(percentile(&mut times, 0.5))
    );
    println!(
        "  recognition p95       {:7.2} ms",
        ms(percentile(&mut times, 0.95))
    );
    println!(
        "  resident: before {:.1} MB, opened {:.1} MB, after one {:.1} MB, after all {:.1} MB",
        before as f64 / 1024.0,
        after_open as f64 / 1024.0,
        after_first as f64 / 1024.0,
        after_all as f64 / 1024.0
    );
    println!(
        "  of which anonymous {:.1} MB, file-backed {:.1} MB (the mapped model)",
        status_kib("RssAnon:") as f64 / 1024.0,
        status_kib("RssFile:") as f64 / 1024.0
    );
    drop(r);
    println!(
        "  resident after close  {:.1} MB",
        rss_kib() as f64 / 1024.0
    );
}
