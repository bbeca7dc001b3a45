//! The decisions the rating store methods take inside their transactions, shared by every
//! backend: the backends read and write rows, these say what the rows become.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::EventKind;
use haoban_cases::record::Draft;
use haoban_feedback::{DefaultRule, Delivered, FollowUp, FollowUpCommand, Rating, Target};

use crate::{By, StoreError, StoreResult};

pub const LINK_USED: &str = "this rating link was already used or has expired";

/// Why a second rating of `target` is refused.
pub fn already_rated(target: &Target) -> StoreError {
    StoreError::Conflict(format!(
        "{} is already rated: a rating is given once and never changed",
        match target {
            Target::Case { case } => format!("case {case}"),
            Target::Visit { day, ticket } => format!("the visit with ticket {ticket} on {day}"),
        }
    ))
}

/// A delivered case from its `delivered` entry (`case_number`, `payload`) and the clerk of
/// its row.
pub fn delivered(case: &str, payload: &str, clerk: Option<String>) -> StoreResult<Delivered> {
    let corrupt = |why: String| StoreError::Corrupt(format!("delivery of case {case}: {why}"));
    let case = haoban_cases::CaseNumber::parse(case).map_err(|e| corrupt(e.to_string()))?;
    match serde_json::from_str(payload).map_err(|e| corrupt(e.to_string()))? {
        EventKind::Delivered { on } => Ok(Delivered { case, clerk, on }),
        other => Err(corrupt(format!("a `{}` entry", other.name()))),
    }
}

/// The defaults to record for `delivered` cases (the query already left out rated ones)
/// and their entries.
pub fn defaults(
    delivered: &[Delivered],
    rule: &DefaultRule,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> (Vec<Rating>, Vec<Draft>) {
    let ratings = haoban_feedback::due_defaults(delivered, &BTreeSet::new(), rule, today, at);
    let drafts = ratings.iter().map(Rating::draft).collect();
    (ratings, drafts)
}

/// `command` on `follow_up` by `by`, or `Conflict` naming why not.
pub fn step(
    follow_up: &FollowUp,
    command: &FollowUpCommand,
    by: &By,
) -> StoreResult<(FollowUp, Draft)> {
    let (next, event) = haoban_feedback::step(follow_up, command, &by.actor, by.role, by.at)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    let draft = event.draft(&follow_up.center, by.at, &by.actor, by.role);
    Ok((next, draft))
}
