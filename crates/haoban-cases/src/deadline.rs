//! Deadlines in working days: promised days from acceptance, extended by the working days
//! spent waiting for a supplement (补正). Computed on demand, never stored.

use chrono::NaiveDate;
use haoban_catalog::Calendar;
use serde::Serialize;

use crate::case::{Case, CaseStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    OnTrack,
    DueSoon,
    Overdue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// Working days the clock has been stopped for supplements so far.
    pub suspended_days: u64,
    /// The clock is stopped now (a supplement is awaited).
    pub paused: bool,
    pub state: DeadlineState,
}

/// The deadline of an accepted case as of `today`; `None` before acceptance or when the
/// case never got one (not accepted, withdrawn before acceptance). A decided case is judged
/// on the day it was decided. `due_soon` is how many working days before the due date a
/// case counts as due soon.
pub fn deadline(
    case: &Case,
    calendar: &Calendar,
    today: NaiveDate,
    due_soon: u64,
) -> Option<Deadline> {
    let accepted = case.accepted_on?;
    let suspended: u64 = case
        .suspensions
        .iter()
        .map(|s| calendar.working_days_between(s.from, s.until.unwrap_or(today)))
        .sum();
    let counted = calendar
        .add_working_days(accepted, u64::from(case.promised_days) + suspended)
        .ok()?;
    let due = counted.date;
    let as_of = match case.decided_on {
        Some(decided) => decided,
        None if case.status == CaseStatus::Withdrawn => return None,
        None => today,
    };
    let state = if as_of > due {
        DeadlineState::Overdue
    } else if case.decided_on.is_none() && calendar.working_days_between(as_of, due) <= due_soon {
        DeadlineState::DueSoon
    } else {
        DeadlineState::OnTrack
    };
    Some(Deadline {
        due,
        suspended_days: suspended,
        paused: case.status == CaseStatus::SupplementRequested,
        state,
    })
}
