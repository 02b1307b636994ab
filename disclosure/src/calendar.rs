//! Working days from the official holiday schedules (国务院办公厅 publishes
//! each year's, usually in November for the next): rest days and 调休
//! make-up working days. Deadlines count working days after the day of
//! receipt (民法典 Art 201: that day is not counted). A deadline that
//! needs a year whose schedule is not known is reported as unknown, never
//! guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::Date;

/// One year's official schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    pub year: i32,
    /// Where it comes from (the notice's title).
    pub source: String,
    /// Rest days, weekends within holidays included.
    pub rest_days: BTreeSet<Date>,
    /// Weekend days that are working days (调休上班).
    pub make_up_days: BTreeSet<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日安排文件格式错误：{0}")]
    Syntax(String),
    #[error("节假日安排 {year} 年：{message}")]
    Invalid { year: i32, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    source: String,
    holidays: Vec<RawHoliday>,
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: String,
    to: String,
}

impl YearSchedule {
    /// Parses a schedule file (`assets/calendars/2026.toml`) and checks it:
    /// every date in its year, ranges in order, make-up days on weekends,
    /// no day both rest and work.
    pub fn parse(text: &str) -> Result<YearSchedule, CalendarError> {
        let raw: RawYear =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        let year = raw.year;
        let bad = |message: String| CalendarError::Invalid { year, message };
        let date = |s: &str| -> Result<Date, CalendarError> {
            let d: Date = s
                .parse()
                .map_err(|e: crate::date::DateError| bad(e.to_string()))?;
            if d.year() != year {
                return Err(bad(format!("{d} 不在 {year} 年")));
            }
            Ok(d)
        };
        let mut rest_days = BTreeSet::new();
        for h in &raw.holidays {
            let (from, to) = (date(&h.from)?, date(&h.to)?);
            if to < from {
                return Err(bad(format!("{} 的结束日期早于开始日期", h.name)));
            }
            let mut d = from;
            loop {
                rest_days.insert(d);
                if d == to {
                    break;
                }
                d = d.next_day().ok_or_else(|| bad("日期超出范围".into()))?;
            }
        }
        let mut make_up_days = BTreeSet::new();
        for w in &raw.workdays {
            let d = date(w)?;
            if d.weekday_number() < 6 {
                return Err(bad(format!("调休上班日 {d} 不是周末")));
            }
            if rest_days.contains(&d) {
                return Err(bad(format!("{d} 既是放假日又是调休上班日")));
            }
            make_up_days.insert(d);
        }
        Ok(YearSchedule {
            year,
            source: raw.source,
            rest_days,
            make_up_days,
        })
    }
}

/// The answer to "when is it due?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Known: every year it spans has an official schedule.
    Due(Date),
    /// The schedule of `year` is not known yet: the receiving body will
    /// confirm the date.
    Unconfirmed { year: i32 },
}

/// Working days over the years whose schedules are known.
#[derive(Debug, Clone, Default)]
pub struct WorkingDayCalendar {
    years: BTreeMap<i32, YearSchedule>,
}

impl WorkingDayCalendar {
    pub fn new(schedules: impl IntoIterator<Item = YearSchedule>) -> Self {
        WorkingDayCalendar {
            years: schedules.into_iter().map(|s| (s.year, s)).collect(),
        }
    }

    /// The years whose schedule is known.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether `d` is a working day; `None` if its year's schedule is unknown.
    pub fn is_working_day(&self, d: Date) -> Option<bool> {
        let y = self.years.get(&d.year())?;
        Some(if y.make_up_days.contains(&d) {
            true
        } else if y.rest_days.contains(&d) {
            false
        } else {
            d.weekday_number() < 6
        })
    }

    /// The `n`th working day after `received` (which is not counted).
    pub fn add_working_days(&self, received: Date, n: u32) -> Deadline {
        let mut d = received;
        let mut left = n;
        while left > 0 {
            d = match d.next_day() {
                Some(next) => next,
                None => return Deadline::Unconfirmed { year: d.year() },
            };
            match self.is_working_day(d) {
                Some(true) => left -= 1,
                Some(false) => {}
                None => return Deadline::Unconfirmed { year: d.year() },
            }
        }
        Deadline::Due(d)
    }

    /// Art 33: the reply is due 20 working days after receipt.
    pub fn reply_deadline(&self, received: Date) -> Deadline {
        self.add_working_days(received, 20)
    }
}

/// The official schedules this build carries (2025 and 2026); later years
/// arrive through the feed.
pub fn builtin_schedules() -> Vec<YearSchedule> {
    [
        include_str!("../../assets/calendars/2025.toml"),
        include_str!("../../assets/calendars/2026.toml"),
    ]
    .iter()
    .map(|t| YearSchedule::parse(t).expect("the built-in schedules parse (tested)"))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> WorkingDayCalendar {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/calendars");
        WorkingDayCalendar::new(
            ["2025.toml", "2026.toml"].map(|f| {
                YearSchedule::parse(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
            }),
        )
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn working_days_around_2026_holidays_and_make_up_days() {
        let c = calendar();
        let check = |day: &str, working: Option<bool>| {
            assert_eq!(c.is_working_day(d(day)), working, "{day}");
        };
        check("2026-01-01", Some(false)); // 元旦 (Thu)
        check("2026-01-02", Some(false)); // Fri off
        check("2026-01-04", Some(true)); // Sunday make-up
        check("2026-01-05", Some(true));
        check("2026-02-14", Some(true)); // Saturday make-up
        check("2026-02-16", Some(false)); // 春节 Monday
        check("2026-02-23", Some(false)); // last day off
        check("2026-02-24", Some(true));
        check("2026-02-28", Some(true)); // Saturday make-up
        check("2026-03-07", Some(false)); // ordinary Saturday
        check("2026-10-07", Some(false));
        check("2026-10-10", Some(true));
        check("2025-01-26", Some(true));
        check("2027-01-04", None); // schedule not published
    }

    #[test]
    fn deadlines_do_not_count_the_day_of_receipt() {
        let c = calendar();
        let check = |received: &str, n: u32, expected: Deadline| {
            assert_eq!(
                c.add_working_days(d(received), n),
                expected,
                "{received} +{n}"
            );
        };
        // Received Friday 2026-01-02 (a holiday): day 1 is Sunday 1/4 (调休).
        check("2026-01-02", 1, Deadline::Due(d("2026-01-04")));
        // Received on a working day: that day is not counted.
        check("2026-03-02", 1, Deadline::Due(d("2026-03-03")));
        check("2026-03-02", 20, Deadline::Due(d("2026-03-30")));
        // Across 春节: received Thu 2/12; working days 2/13, 2/14 (Sat, 调休),
        // then nothing until 2/24.
        check("2026-02-12", 3, Deadline::Due(d("2026-02-24")));
        check("2026-02-12", 20, Deadline::Due(d("2026-03-18")));
        // Across 国庆 with the 10/10 make-up Saturday.
        check("2026-09-24", 20, Deadline::Due(d("2026-10-29")));
        check("2026-09-30", 1, Deadline::Due(d("2026-10-08")));
        // Running into 2027, whose schedule is unknown.
        check("2026-12-10", 20, Deadline::Unconfirmed { year: 2027 });
        check("2026-12-01", 20, Deadline::Due(d("2026-12-29")));
        // Zero days: the day itself.
        check("2026-03-02", 0, Deadline::Due(d("2026-03-02")));
        assert_eq!(
            c.reply_deadline(d("2026-03-02")),
            Deadline::Due(d("2026-03-30"))
        );
    }

    #[test]
    fn builtin_schedules_are_2025_and_2026() {
        let years: Vec<i32> = builtin_schedules().iter().map(|s| s.year).collect();
        assert_eq!(years, [2025, 2026]);
    }

    #[test]
    fn malformed_schedules_are_refused() {
        let check = |text: &str, fragment: &str| {
            let e = YearSchedule::parse(text).unwrap_err().to_string();
            assert!(e.contains(fragment), "{e}");
        };
        let head = "year = 2026\nsource = \"x\"\n";
        check(
            &format!("{head}holidays = []\nworkdays = [\"2026-03-02\"]"),
            "不是周末",
        );
        check(
            &format!("{head}holidays = []\nworkdays = [\"2027-01-02\"]"),
            "不在 2026 年",
        );
        check(
            &format!(
                "{head}holidays = [{{ name = \"a\", from = \"2026-05-05\", to = \"2026-05-01\" }}]\nworkdays = []"
            ),
            "早于",
        );
        check(
            &format!(
                "{head}holidays = [{{ name = \"a\", from = \"2026-05-02\", to = \"2026-05-03\" }}]\nworkdays = [\"2026-05-02\"]"
            ),
            "既是放假日",
        );
        check("year = 2026", "格式错误");
    }
}
