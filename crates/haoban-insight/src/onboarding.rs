//! Onboarding (上岗后跟踪): a new member learns from a mentor, passes tests and supervisor
//! reviews, and their first months are tracked from the record — handling volume, item mix
//! and quality — until a supervisor decides they are ready for duty on their own.
//!
//! The record kept ([`Onboarding`]) holds only what people decide: the mentor, the start,
//! the reviews and the decision. Volume, mix and quality are never typed in: [`Tracker`]
//! computes them from the process record each time, like the monthly list.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Months, NaiveDate, Utc};
use haoban_cases::{Action, CenterId, Role, permits};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::questions::Attempt;
use crate::round4;
use crate::training::{Work, WorkKind};

/// The longest review or decision note, in characters.
pub const NOTE_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Ready for duty: who decided, on which day (the center's), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: String,
    pub on: NaiveDate,
    pub at: DateTime<Utc>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onboarding {
    pub center: CenterId,
    pub staff: String,
    pub mentor: String,
    /// The first day of the tracked months.
    pub start: NaiveDate,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    /// Oldest first.
    pub reviews: Vec<Review>,
    pub ready: Option<Decision>,
}

/// A supervisor's step on an onboarding record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum OnboardingStep {
    Review {
        note: String,
    },
    /// `on` is the day of the decision in the center's time zone.
    Ready {
        note: String,
        on: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnboardingError {
    #[error("the {0} role may not manage training")]
    NotAllowed(Role),
    #[error("a mentor is another member of staff, 1 to 64 characters")]
    Mentor,
    #[error("the new member's username must be 1 to 64 characters")]
    Staff,
    #[error("a note must be 1 to {NOTE_MAX} characters")]
    Note,
    #[error("{0} was already decided ready for duty")]
    AlreadyReady(String),
    #[error("the decision cannot come before the onboarding starts ({0})")]
    BeforeStart(NaiveDate),
    #[error("nobody reviews or decides on their own onboarding")]
    Own,
}

fn may(role: Role) -> Result<(), OnboardingError> {
    permits(role, Action::ManageTraining)
        .map(|_| ())
        .ok_or(OnboardingError::NotAllowed(role))
}

fn username(text: &str) -> bool {
    let n = text.chars().count();
    (1..=64).contains(&n) && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A note as kept: trimmed, 1 to [`NOTE_MAX`] characters.
pub fn note(text: &str) -> Result<String, OnboardingError> {
    let text = text.trim();
    if (1..=NOTE_MAX).contains(&text.chars().count()) {
        Ok(text.to_owned())
    } else {
        Err(OnboardingError::Note)
    }
}

impl Onboarding {
    /// A new record, started by `by` (a role that may manage training).
    pub fn start(
        center: CenterId,
        staff: &str,
        mentor: &str,
        start: NaiveDate,
        (by, role, at): (&str, Role, DateTime<Utc>),
    ) -> Result<Onboarding, OnboardingError> {
        may(role)?;
        let staff = staff.trim();
        let mentor = mentor.trim();
        if !username(staff) {
            return Err(OnboardingError::Staff);
        }
        if !username(mentor) || mentor == staff {
            return Err(OnboardingError::Mentor);
        }
        if staff == by {
            return Err(OnboardingError::Own);
        }
        Ok(Onboarding {
            center,
            staff: staff.to_owned(),
            mentor: mentor.to_owned(),
            start,
            started_by: by.to_owned(),
            started_at: at,
            reviews: Vec::new(),
            ready: None,
        })
    }

    /// The record after `step` by `by`. Reviews go on after the decision (tracking does too);
    /// the decision is taken once.
    pub fn step(
        &self,
        step: &OnboardingStep,
        (by, role, at): (&str, Role, DateTime<Utc>),
    ) -> Result<Onboarding, OnboardingError> {
        may(role)?;
        if by == self.staff {
            return Err(OnboardingError::Own);
        }
        let mut next = self.clone();
        match step {
            OnboardingStep::Review { note: text } => next.reviews.push(Review {
                by: by.to_owned(),
                at,
                note: note(text)?,
            }),
            OnboardingStep::Ready { note: text, on } => {
                if self.ready.is_some() {
                    return Err(OnboardingError::AlreadyReady(self.staff.clone()));
                }
                if *on < self.start {
                    return Err(OnboardingError::BeforeStart(self.start));
                }
                next.ready = Some(Decision {
                    by: by.to_owned(),
                    on: *on,
                    at,
                    note: note(text)?,
                });
            }
        }
        Ok(next)
    }

    /// The last day of the tracked months.
    pub fn end(&self, months: u32) -> NaiveDate {
        period_end(self.start, months)
    }
}

fn period_end(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Handling counted over some days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volume {
    /// Cases handled (accepted, refused or decided), each once, on the first day handled.
    pub handled: u32,
    pub accepted: u32,
    /// Supplements asked for on the cases they accepted.
    pub supplements: u32,
}

impl Volume {
    /// Supplements per accepted case, as the competence matrix counts it.
    pub fn error_rate(&self) -> Option<Decimal> {
        (self.accepted > 0)
            .then(|| round4(Decimal::from(self.supplements) / Decimal::from(self.accepted)))
    }
}

/// One month of the tracked months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// 1, 2, 3, …
    pub number: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub volume: Volume,
}

/// The first months of a new member, from the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    pub staff: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The tracked months are over (today is after `end`).
    pub complete: bool,
    pub periods: Vec<Period>,
    pub total: Volume,
    /// Per item, most handled first, then by item id.
    pub mix: Vec<(String, Volume)>,
    /// Items with a passed test, and the first day passed (in UTC), by item.
    pub tests_passed: Vec<(String, DateTime<Utc>)>,
}

impl Tracker {
    /// `work` as read by [`crate::read_work`] through today; only `staff`'s steps between
    /// the start and the end of the tracked months count.
    pub fn compute(
        onboarding: &Onboarding,
        months: u32,
        work: &[Work],
        attempts: &[Attempt],
        today: NaiveDate,
    ) -> Tracker {
        let start = onboarding.start;
        let end = period_end(start, months);
        let mut periods: Vec<Period> = (0..months)
            .map(|n| Period {
                number: n + 1,
                from: start
                    .checked_add_months(Months::new(n))
                    .unwrap_or(NaiveDate::MAX),
                to: period_end(start, n + 1),
                volume: Volume::default(),
            })
            .collect();
        let mut total = Volume::default();
        let mut mix: BTreeMap<String, Volume> = BTreeMap::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for w in work {
            if w.staff != onboarding.staff || w.on < start || w.on > end {
                continue;
            }
            let Some(period) = periods.iter_mut().find(|p| p.from <= w.on && w.on <= p.to) else {
                continue;
            };
            let item = mix.entry(w.item.clone()).or_default();
            let add = |v: &mut Volume| match w.kind {
                WorkKind::Supplement => v.supplements += 1,
                WorkKind::Accepted => v.accepted += 1,
                _ => {}
            };
            add(&mut period.volume);
            add(&mut total);
            add(item);
            if w.kind.is_handling() && seen.insert(&w.case) {
                period.volume.handled += 1;
                total.handled += 1;
                item.handled += 1;
            }
        }
        let mut mix: Vec<(String, Volume)> = mix.into_iter().collect();
        mix.sort_by_key(|(_, v)| std::cmp::Reverse(v.handled));
        let mut first_passed: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        for a in attempts.iter().map(|a| &a.attempt) {
            if a.staff == onboarding.staff && a.score.passed {
                let at = first_passed.entry(a.item.clone()).or_insert(a.at);
                *at = (*at).min(a.at);
            }
        }
        Tracker {
            staff: onboarding.staff.clone(),
            start,
            end,
            complete: today > end,
            periods,
            total,
            mix,
            tests_passed: first_passed.into_iter().collect(),
        }
    }
}
