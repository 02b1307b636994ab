//! Instants as the stores write them: `2026-11-23 09:05:07+08:00` — whole
//! seconds, China Standard Time, sortable as text (RFC 3339 with a space
//! between date and time). A [`Timestamp`] is read once, where it leaves
//! the store, and shown with [`Timestamp::chinese`]; it is never a string
//! parsed again for display.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::date::{CHINA_OFFSET, Date};

/// An instant to the second, kept in China Standard Time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

/// Why a text is not a [`Timestamp`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}”不是有效时间，应写作 2026-11-23 09:05:07+08:00")]
pub struct TimestampError {
    pub text: String,
}

impl Timestamp {
    /// `t` in China Standard Time, its fraction of a second dropped (as
    /// the stored text has none).
    pub fn new(t: OffsetDateTime) -> Timestamp {
        let t = t.to_offset(CHINA_OFFSET);
        Timestamp(t.replace_nanosecond(0).unwrap_or(t))
    }

    pub fn now() -> Timestamp {
        Timestamp::new(OffsetDateTime::now_utc())
    }

    pub fn inner(self) -> OffsetDateTime {
        self.0
    }

    /// The day in China.
    pub fn date(self) -> Date {
        Date::in_china(self.0)
    }

    /// `2026年11月23日 09:05`, the way times are shown on screens and
    /// receipts.
    pub fn chinese(self) -> String {
        format!(
            "{} {:02}:{:02}",
            self.date().chinese(),
            self.0.hour(),
            self.0.minute()
        )
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Timestamp {
        Timestamp::new(t)
    }
}

impl fmt::Display for Timestamp {
    /// The stored form, `2026-11-23 09:05:07+08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}+08:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// The stored form; any RFC 3339 time (`T` or a space between date and
    /// time, any offset, a fraction of a second) is taken and kept as the
    /// same instant in China Standard Time.
    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        let err = || TimestampError {
            text: s.to_string(),
        };
        let text = match s.as_bytes().get(10) {
            Some(b' ') => format!("{}T{}", &s[..10], &s[11..]),
            _ => s.to_string(),
        };
        OffsetDateTime::parse(&text, &Rfc3339)
            .map(Timestamp::new)
            .map_err(|_| err())
    }
}

impl Timestamp {
    fn stored_form(self) -> String {
        format!("{self}")
    }
}

/// A timestamp equals its stored text (`"2026-11-23 09:05:00+08:00"`).
impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.stored_form() == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.stored_form() == *other
    }
}

impl PartialEq<String> for Timestamp {
    fn eq(&self, other: &String) -> bool {
        self.stored_form() == *other
    }
}

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Timestamp> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_stored_form_round_trips_and_reads_for_people() {
        let t: Timestamp = "2026-11-23 09:05:07+08:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-23 09:05:07+08:00");
        assert_eq!(t, "2026-11-23 09:05:07+08:00");
        assert_eq!(t.chinese(), "2026年11月23日 09:05");
        assert_eq!(t.date().to_string(), "2026-11-23");
        assert_eq!(t.inner(), datetime!(2026-11-23 09:05:07 +8));
    }

    #[test]
    fn other_zones_and_fractions_become_china_time_to_the_second() {
        let utc = Timestamp::new(datetime!(2026-11-22 23:30:00.75 UTC));
        assert_eq!(utc.to_string(), "2026-11-23 07:30:00+08:00");
        assert_eq!(utc.date().to_string(), "2026-11-23", "the day in China");
        let t: Timestamp = "2026-11-22T23:30:00.75Z".parse().unwrap();
        assert_eq!(t, utc);
        assert_eq!(
            Timestamp::new(datetime!(2026-01-05 08:00 +8)).chinese(),
            "2026年1月5日 08:00"
        );
    }

    #[test]
    fn order_is_the_order_of_the_stored_text() {
        let a: Timestamp = "2026-11-23 09:05:07+08:00".parse().unwrap();
        let b: Timestamp = "2026-11-23 10:00:00+08:00".parse().unwrap();
        let (text_a, text_b) = (a.to_string(), b.to_string());
        assert!(a < b);
        assert!(text_a < text_b);
    }

    #[test]
    fn what_is_not_a_time_is_refused() {
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23 09:05",
            "2026-13-23 09:05:07+08:00",
            "2026-11-23 09:05:07",
            "2026年11月23日 09:05",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sqlite_stores_the_text_form() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let t: Timestamp = "2026-11-23 09:05:07+08:00".parse().unwrap();
        let (text, back): (String, Timestamp) = c
            .query_row("SELECT ?1, ?1", [t], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(text, "2026-11-23 09:05:07+08:00");
        assert_eq!(back, t);
        let bad: rusqlite::Result<Timestamp> = c.query_row("SELECT 'yesterday'", [], |r| r.get(0));
        assert!(bad.is_err());
    }
}
