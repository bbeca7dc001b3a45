//! The working-day calendar: weekdays work, except official holidays; weekends rest,
//! except make-up working days (调休). Every promised deadline is counted in it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// One year's exceptions to the Monday–Friday week.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearDays {
    /// Days off that would be weekdays.
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days that fall on a weekend.
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearDays>,
}

/// A date reached by counting working days, and the years crossed that have no calendar
/// file (in those, every weekday was counted as a working day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub date: NaiveDate,
    pub years_without_calendar: BTreeSet<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("counting {days} working days from {from} goes past the last representable date")]
    OutOfRange { from: NaiveDate, days: u64 },
}

pub fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    pub fn new(years: BTreeMap<i32, YearDays>) -> Self {
        Calendar { years }
    }

    pub fn years(&self) -> impl Iterator<Item = (i32, &YearDays)> {
        self.years.iter().map(|(year, days)| (*year, days))
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.years.get(&day.year()) {
            Some(year) if is_weekend(day) => year.workdays.contains(&day),
            Some(year) => !year.holidays.contains(&day),
            None => !is_weekend(day),
        }
    }

    /// The `days`-th working day after `from`; `from` itself never counts, and zero days
    /// is `from`.
    pub fn add_working_days(&self, from: NaiveDate, days: u64) -> Result<Counted, CalendarError> {
        let mut uncovered = BTreeSet::new();
        let mut day = from;
        let mut left = days;
        while left > 0 {
            day = day
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::OutOfRange { from, days })?;
            if !self.covers(day.year()) {
                uncovered.insert(day.year());
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Ok(Counted {
            date: day,
            years_without_calendar: uncovered,
        })
    }

    /// Working days in `(from, to]`: how many a clock running from `from` has counted by `to`.
    /// Zero when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        from.iter_days()
            .skip(1)
            .take_while(|day| *day <= to)
            .filter(|day| self.is_working_day(*day))
            .count() as u64
    }
}
