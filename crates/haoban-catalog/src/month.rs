//! A calendar month, written `YYYY-MM`: the period ratings are listed by and a monthly
//! list covers.

use std::fmt;
use std::str::FromStr;

use crate::Calendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month written YYYY-MM (e.g. 2026-11)")]
pub struct MonthError(pub String);

impl Month {
    /// Years are kept to four digits so that the written form stays `YYYY-MM`.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(text.to_owned());
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }

    /// The month a day falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a checked month")
    }

    pub fn last_day(self) -> NaiveDate {
        let (year, month) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.pred_opt())
            .expect("a checked month")
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Month::of(day) == self
    }

    /// Every day of the month, first to last.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last_day();
        self.first_day().iter_days().take_while(move |d| *d <= last)
    }

    /// The first day of the next month: the month is `[first_day, next_first_day)`.
    pub fn next_first_day(self) -> NaiveDate {
        self.last_day().succ_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The month before.
    pub fn previous(self) -> Month {
        Month::of(self.first_day().pred_opt().unwrap_or(self.first_day()))
    }

    /// The month's first working day in `calendar`, if it has one.
    pub fn first_working_day(self, calendar: &Calendar) -> Option<NaiveDate> {
        self.days().find(|d| calendar.is_working_day(*d))
    }

    /// Working days of the whole month in `calendar`.
    pub fn working_days(self, calendar: &Calendar) -> u32 {
        self.days().filter(|d| calendar.is_working_day(*d)).count() as u32
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(text: &str) -> Result<Month, MonthError> {
        Month::parse(text)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        Month::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_its_first_day_to_the_next_months() {
        let month = Month::parse("2026-12").expect("month");
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
        assert_eq!(month.next_first_day(), day(2027, 1, 1));
        assert!(month.contains(day(2026, 12, 31)) && !month.contains(day(2027, 1, 1)));
        assert_eq!(month.previous().to_string(), "2026-11");
        assert_eq!(Month::of(day(2026, 2, 28)).to_string(), "2026-02");
    }

    #[test]
    fn reads_and_writes_yyyy_mm() {
        let month = Month::parse("2026-11").expect("month");
        assert_eq!(month.to_string(), "2026-11");
        assert_eq!(month.first_day().to_string(), "2026-11-01");
        assert_eq!(month.last_day().to_string(), "2026-11-30");
        assert_eq!(
            Month::parse("2024-02")
                .expect("month")
                .last_day()
                .to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Month::parse("2026-12")
                .expect("month")
                .last_day()
                .to_string(),
            "2026-12-31"
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "",
            "2026-11-01",
            "+206-11",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_the_working_days_of_a_month() {
        // November 2026 starts on a Sunday: 21 weekdays, no holidays.
        let month = Month::parse("2026-11").expect("month");
        assert_eq!(month.working_days(&Calendar::default()), 21);
    }
}
