//! Calendar dates as written in catalogs and documents (`2025-03-18`, `2025年3月18日`).

use std::fmt;
use std::str::FromStr;

/// A calendar date without time or zone. Stored as `YYYY-MM-DD` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(time::Date);

/// China Standard Time, UTC+8 (no daylight saving).
pub const CHINA_OFFSET: time::UtcOffset = time::macros::offset!(+8);

/// Why a text is not a date; the message is Chinese and shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}”不是有效日期，应写作 2025-03-18 或 2025年3月18日")]
pub struct DateError {
    pub text: String,
}

impl Date {
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Date)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// Days from 1899-12-30, the epoch of spreadsheet date serials.
    pub fn from_spreadsheet_serial(serial: f64) -> Option<Date> {
        if !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
        epoch
            .checked_add(time::Duration::days(serial.trunc() as i64))
            .map(Date)
    }

    pub fn next_day(self) -> Option<Date> {
        self.0.next_day().map(Date)
    }

    pub fn weekday_number(self) -> u8 {
        self.0.weekday().number_from_monday()
    }

    pub fn inner(self) -> time::Date {
        self.0
    }

    /// Today in China Standard Time (UTC+8), where the terminals stand,
    /// whatever zone the machine's clock is set to.
    pub fn today_in_china() -> Date {
        Date::in_china(time::OffsetDateTime::now_utc())
    }

    /// The date of the instant `t` in China Standard Time.
    pub fn in_china(t: time::OffsetDateTime) -> Date {
        Date(t.to_offset(CHINA_OFFSET).date())
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Accepts `2025-03-18`, `2025/3/18`, `2025.3.18` and `2025年3月18日`.
    fn from_str(s: &str) -> Result<Date, DateError> {
        let err = || DateError {
            text: s.to_string(),
        };
        let t = s.trim();
        let t = t.strip_suffix('日').unwrap_or(t);
        let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
        if parts.len() != 3 {
            return Err(err());
        }
        let digits = |p: &str, min: usize, max: usize| -> Option<u32> {
            let p = p.trim();
            (p.len() >= min && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let y = digits(parts[0], 4, 4).ok_or_else(err)?;
        let m = digits(parts[1], 1, 2).ok_or_else(err)?;
        let d = digits(parts[2], 1, 2).ok_or_else(err)?;
        if !(1900..=2200).contains(&y) {
            return Err(err());
        }
        Date::from_ymd(y as i32, m as u8, d as u8).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl Date {
    /// `2025年3月18日`, the way dates are printed for people.
    pub fn chinese(self) -> String {
        format!("{}年{}月{}日", self.year(), self.month(), self.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let got = text.parse::<Date>().ok().map(|d| d.to_string());
        assert_eq!(got.as_deref(), expected, "{text:?}");
    }

    #[test]
    fn date_formats_at_their_boundaries() {
        check("2025-03-18", Some("2025-03-18"));
        check("2025/3/8", Some("2025-03-08"));
        check("2025.12.31", Some("2025-12-31"));
        check("2025年3月18日", Some("2025-03-18"));
        check(" 2024-02-29 ", Some("2024-02-29"));
        check("2025-02-29", None);
        check("2025-13-01", None);
        check("2025-00-10", None);
        check("25-03-18", None);
        check("2025-3", None);
        check("去年三月", None);
        check("", None);
        check("２０２５-03-18", None);
    }

    #[test]
    fn spreadsheet_serials() {
        assert_eq!(
            Date::from_spreadsheet_serial(45736.0).map(|d| d.to_string()),
            Some("2025-03-20".into())
        );
        assert_eq!(Date::from_spreadsheet_serial(-3.0), None);
    }

    #[test]
    fn chinese_form() {
        assert_eq!(
            Date::from_ymd(2026, 1, 4).unwrap().chinese(),
            "2026年1月4日"
        );
    }
}
