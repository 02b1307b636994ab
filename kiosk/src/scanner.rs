//! The USB barcode scanner: a keyboard-wedge device read through `evdev`
//! and grabbed, so its keystrokes never reach the UI. [`ScanDecoder`] turns
//! its key events into the scanned text (ended by Enter); [`spawn`] runs it
//! on a thread and hands each scan to a channel.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Linux input event types and key codes (linux/input-event-codes.h).
pub const EV_SYN: u16 = 0;
pub const EV_KEY: u16 = 1;
pub const EV_MSC: u16 = 4;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;
const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;

/// Longest scan accepted; anything longer is noise.
pub const MAX_SCAN: usize = 64;
/// A gap this long between keys starts a new scan (scanners type a
/// whole code within milliseconds; a person at a keyboard does not).
pub const KEY_GAP: Duration = Duration::from_millis(500);

fn key_char(code: u16, shift: bool) -> Option<char> {
    const ROW1: &str = "1234567890";
    const LETTERS_Q: &str = "qwertyuiop";
    const LETTERS_A: &str = "asdfghjkl";
    const LETTERS_Z: &str = "zxcvbnm";
    let c = match code {
        2..=11 => ROW1.chars().nth(usize::from(code - 2))?,
        12 => {
            if shift {
                '_'
            } else {
                '-'
            }
        }
        16..=25 => LETTERS_Q.chars().nth(usize::from(code - 16))?,
        30..=38 => LETTERS_A.chars().nth(usize::from(code - 30))?,
        44..=50 => LETTERS_Z.chars().nth(usize::from(code - 44))?,
        52 => '.',
        53 => '/',
        57 => ' ',
        71 => '7',
        72 => '8',
        73 => '9',
        75 => '4',
        76 => '5',
        77 => '6',
        79 => '1',
        80 => '2',
        81 => '3',
        82 => '0',
        74 => '-',
        _ => return None,
    };
    Some(if shift { c.to_ascii_uppercase() } else { c })
}

/// Turns key events into scans.
#[derive(Debug, Default)]
pub struct ScanDecoder {
    shift: bool,
    text: String,
    last: Option<Duration>,
    overflow: bool,
}

impl ScanDecoder {
    /// One input event at time `at` (since any fixed origin). Returns the
    /// scanned text when Enter ends a scan.
    pub fn event(&mut self, at: Duration, kind: u16, code: u16, value: i32) -> Option<String> {
        if kind != EV_KEY {
            return None; // EV_SYN, EV_MSC scan codes, LEDs
        }
        if let Some(last) = self.last
            && at.saturating_sub(last) > KEY_GAP
        {
            self.text.clear();
            self.overflow = false;
        }
        self.last = Some(at);
        if code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT {
            self.shift = value != 0;
            return None;
        }
        if value != 1 {
            return None; // releases and auto-repeat
        }
        if code == KEY_ENTER || code == KEY_KPENTER {
            let text = std::mem::take(&mut self.text);
            let overflow = std::mem::take(&mut self.overflow);
            return (!text.is_empty() && !overflow).then_some(text);
        }
        match key_char(code, self.shift) {
            Some(c) if self.text.len() < MAX_SCAN => self.text.push(c),
            Some(_) => self.overflow = true,
            None => {}
        }
        None
    }
}

/// Reads `device` on a thread, grabbed; every scan goes to `scans`. The
/// device is reopened every few seconds when it is unplugged.
pub fn spawn(device: PathBuf, scans: mpsc::Sender<String>) {
    std::thread::Builder::new()
        .name("scanner".into())
        .spawn(move || {
            loop {
                match evdev::Device::open(&device) {
                    Ok(mut dev) => {
                        if let Err(e) = dev.grab() {
                            tracing::warn!(device = %device.display(), "scanner not grabbed: {e}");
                        }
                        tracing::info!(device = %device.display(), "barcode scanner ready");
                        let mut decoder = ScanDecoder::default();
                        'read: loop {
                            match dev.fetch_events() {
                                Ok(events) => {
                                    for ev in events {
                                        let at = ev
                                            .timestamp()
                                            .duration_since(std::time::UNIX_EPOCH)
                                            .unwrap_or_default();
                                        if let Some(text) = decoder.event(
                                            at,
                                            ev.event_type().0,
                                            ev.code(),
                                            ev.value(),
                                        ) && scans.send(text).is_err()
                                        {
                                            return; // the kiosk is gone
                                        }
                                    }
                                }
                                Err(e) => {
                                    tracing::warn!(device = %device.display(), "scanner lost: {e}");
                                    break 'read;
                                }
                            }
                        }
                    }
                    Err(e) => {
                        tracing::debug!(device = %device.display(), "scanner not present: {e}");
                    }
                }
                std::thread::sleep(Duration::from_secs(5));
            }
        })
        .ok();
}
