//! 回执编号: the number printed on a receipt. Unique across all terminals
//! without a network: the hall's region code (12 digits), the device number
//! within the region, the date of receipt, a per-device daily sequence and
//! two ISO 7064 MOD 97-10 check digits. Only digits, so it is read aloud
//! over the phone without spelling, and its 26 digits are printed as a
//! compact CODE128 (code set C).

use std::fmt;
use std::str::FromStr;

use crate::{Date, RegionCode};

/// A terminal's number within its region (`hall.device` in the config),
/// 1–99. Two terminals of one region must not share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceNo(u8);

impl DeviceNo {
    pub fn new(n: u8) -> Option<DeviceNo> {
        (1..=99).contains(&n).then_some(DeviceNo(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The largest daily sequence number of one terminal.
pub const MAX_DAILY_SEQUENCE: u16 = 9999;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptNo {
    /// The region code padded to 12 digits with zeros.
    region: String,
    device: DeviceNo,
    date: Date,
    sequence: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptNoError {
    #[error("回执编号应为26位数字，现在是{0}位")]
    Length(usize),
    #[error("回执编号只含数字")]
    Characters,
    #[error("回执编号校验位不对，请逐位核对")]
    Check,
    #[error("回执编号中的日期或序号无效")]
    Parts,
}

/// ISO 7064 MOD 97-10 check digits of a digit string.
fn check_digits(digits: &str) -> u32 {
    let mut r: u32 = 0;
    for b in digits.bytes() {
        r = (r * 10 + u32::from(b - b'0')) % 97;
    }
    // Append "00" and take 98 − remainder.
    r = (r * 100) % 97;
    98 - r
}

impl ReceiptNo {
    pub fn new(region: &RegionCode, device: DeviceNo, date: Date, sequence: u16) -> Option<Self> {
        if sequence == 0 || sequence > MAX_DAILY_SEQUENCE || !(2000..=2099).contains(&date.year()) {
            return None;
        }
        Some(ReceiptNo {
            region: format!("{:0<12}", region.as_str()),
            device,
            date,
            sequence,
        })
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    pub fn device(&self) -> DeviceNo {
        self.device
    }

    /// The hall's region, canonical (the padding dropped).
    pub fn region(&self) -> RegionCode {
        self.region.parse().expect("built from a region code")
    }

    /// The 24 digits before the check digits.
    fn body(&self) -> String {
        format!(
            "{}{:02}{:02}{:02}{:02}{:04}",
            self.region,
            self.device.0,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }

    /// The 26 digits without separators (barcode, QR, database key).
    pub fn digits(&self) -> String {
        let body = self.body();
        format!("{body}{:02}", check_digits(&body))
    }

    /// Parses the number as printed, typed or scanned: separators (`-`,
    /// spaces, `·`) are ignored, the check digits must match.
    pub fn parse(text: &str) -> Result<ReceiptNo, ReceiptNoError> {
        let d: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '·' | '－' | '\u{3000}'))
            .collect();
        if d.chars().count() != 26 {
            return Err(ReceiptNoError::Length(d.chars().count()));
        }
        if !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReceiptNoError::Characters);
        }
        let (body, check) = d.split_at(24);
        if check.parse::<u32>().ok() != Some(check_digits(body)) {
            return Err(ReceiptNoError::Check);
        }
        let num =
            |r: std::ops::Range<usize>| body[r].parse::<u32>().map_err(|_| ReceiptNoError::Parts);
        // A county's code is padded with six zeros, a township's with three.
        let region_len = if &body[6..12] == "000000" {
            6
        } else if &body[9..12] == "000" {
            9
        } else {
            12
        };
        let region: RegionCode = body[..region_len]
            .parse()
            .map_err(|_| ReceiptNoError::Parts)?;
        let device = DeviceNo::new(num(12..14)? as u8).ok_or(ReceiptNoError::Parts)?;
        let date = Date::from_ymd(
            2000 + num(14..16)? as i32,
            num(16..18)? as u8,
            num(18..20)? as u8,
        )
        .ok_or(ReceiptNoError::Parts)?;
        ReceiptNo::new(&region, device, date, num(20..24)? as u16).ok_or(ReceiptNoError::Parts)
    }
}

impl fmt::Display for ReceiptNo {
    /// Grouped for reading aloud: `990521201201-01-261123-0007-42`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &d[..12],
            &d[12..14],
            &d[14..20],
            &d[20..24],
            &d[24..]
        )
    }
}

impl FromStr for ReceiptNo {
    type Err = ReceiptNoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReceiptNo::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(region: &str, device: u8, date: &str, seq: u16) -> ReceiptNo {
        ReceiptNo::new(
            &region.parse().unwrap(),
            DeviceNo::new(device).unwrap(),
            date.parse().unwrap(),
            seq,
        )
        .unwrap()
    }

    #[test]
    fn format_and_round_trip() {
        let n = no("990521201201", 1, "2026-11-23", 7);
        let shown = n.to_string();
        assert_eq!(&shown[..27], "990521201201-01-261123-0007");
        assert_eq!(ReceiptNo::parse(&shown), Ok(n.clone()));
        assert_eq!(ReceiptNo::parse(&n.digits()), Ok(n.clone()));
        // The county's own code is padded, and comes back as the county.
        let c = no("990521", 12, "2026-01-05", 9999);
        assert!(c.digits().starts_with("99052100000012260105"));
        assert_eq!(ReceiptNo::parse(&c.to_string()), Ok(c));
    }

    fn check(text: &str, expected: Result<(), ReceiptNoError>) {
        assert_eq!(ReceiptNo::parse(text).map(|_| ()), expected, "{text:?}");
    }

    #[test]
    fn parsing_at_its_boundaries() {
        let good = no("990521201201", 1, "2026-11-23", 7).digits();
        check(&good, Ok(()));
        check(&format!(" {} ", &good), Ok(()));
        check(&good[..25], Err(ReceiptNoError::Length(25)));
        check(
            &format!("{}A", &good[..25]),
            Err(ReceiptNoError::Characters),
        );
        // Every single-digit change and every adjacent swap is caught.
        for i in 0..26 {
            for d in b'0'..=b'9' {
                let mut b = good.clone().into_bytes();
                if b[i] == d {
                    continue;
                }
                b[i] = d;
                let t = String::from_utf8(b).unwrap();
                assert!(ReceiptNo::parse(&t).is_err(), "{t} accepted");
            }
            if i < 25 {
                let mut b = good.clone().into_bytes();
                if b[i] != b[i + 1] {
                    b.swap(i, i + 1);
                    let t = String::from_utf8(b).unwrap();
                    assert!(ReceiptNo::parse(&t).is_err(), "swap {t} accepted");
                }
            }
        }
        assert!(
            ReceiptNo::new(
                &"990521".parse().unwrap(),
                DeviceNo::new(1).unwrap(),
                "2026-01-01".parse().unwrap(),
                0
            )
            .is_none()
        );
        assert!(
            ReceiptNo::new(
                &"990521".parse().unwrap(),
                DeviceNo::new(1).unwrap(),
                "2026-01-01".parse().unwrap(),
                10000
            )
            .is_none()
        );
        assert!(DeviceNo::new(0).is_none());
        assert!(DeviceNo::new(100).is_none());
    }
}
