//! The barcode scanner's key events, decoded from recordings
//! (`tests/data/scanner`).

use std::time::Duration;

use kiosk::scanner::ScanDecoder;

fn replay(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/scanner")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let mut d = ScanDecoder::default();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let at = Duration::from_secs_f64(f[0].parse().unwrap());
        if let Some(s) = d.event(
            at,
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        ) {
            out.push(s);
        }
    }
    out
}

#[test]
fn recorded_scans_decode_to_their_text() {
    let no = "99052120120101261123000152";
    assert_eq!(replay("receipt-main-keys.events"), [no]);
    assert_eq!(replay("receipt-keypad.events"), [no]);
    assert_eq!(replay("interrupted-then-full.events"), [no]);
    assert_eq!(replay("mixed-case.events"), ["AB-12cd"]);
    // And the scan is a valid receipt number.
    assert!(disclosure::requests::ReceiptNo::parse(no).is_ok());
}

#[test]
fn noise_is_not_a_scan() {
    let mut d = ScanDecoder::default();
    let t = |ms: u64| Duration::from_millis(ms);
    // Enter alone, repeats (value 2) and releases produce nothing.
    assert_eq!(d.event(t(0), 1, 28, 1), None);
    assert_eq!(d.event(t(1), 1, 2, 2), None);
    assert_eq!(d.event(t(2), 1, 2, 0), None);
    assert_eq!(d.event(t(3), 1, 28, 1), None);
    // Over-long input is dropped whole.
    for i in 0..70 {
        d.event(t(10 + i), 1, 2, 1);
    }
    assert_eq!(d.event(t(100), 1, 28, 1), None);
    assert_eq!(d.event(t(101), 1, 3, 1), None);
    assert_eq!(d.event(t(102), 1, 28, 1).as_deref(), Some("2"));
}
