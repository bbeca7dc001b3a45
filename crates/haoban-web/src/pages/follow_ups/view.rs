//! What the follow-up pages show of a follow-up: its row, its rating and what was done.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_feedback::{AppealState, FollowUp, Rating, Stage, Target};

use super::msgs::FollowUpMsgs;
use crate::AppState;
use crate::error::AppError;
use crate::pages::Lang;
use crate::pages::rate::level_label;

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A follow-up as a row of the list and the head of its page.
pub(super) struct Row {
    pub(super) id: String,
    pub(super) target: String,
    pub(super) level: &'static str,
    pub(super) level_value: u8,
    pub(super) staff: String,
    pub(super) opened_on: String,
    pub(super) due: String,
    pub(super) overdue: bool,
    pub(super) resolved: bool,
    pub(super) stage: &'static str,
    pub(super) appeal: &'static str,
}

fn target_label(f: &FollowUpMsgs, target: &Target) -> String {
    match target {
        Target::Case { case } => f.target_case.replace("{}", case.as_ref()),
        Target::Visit { day: on, ticket } => f
            .target_visit
            .replace("{day}", &day(*on))
            .replace("{ticket}", &ticket.to_string()),
    }
}

pub(super) fn row(state: &AppState, lang: Lang, follow_up: &FollowUp) -> Row {
    let f = FollowUpMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let appeal = follow_up.appeal_state();
    Row {
        id: follow_up.id.to_string(),
        target: target_label(f, &follow_up.target),
        level: level_label(lang, follow_up.level),
        level_value: follow_up.level.value(),
        staff: follow_up.staff.clone(),
        opened_on: day(follow_up.opened_on),
        due: day(follow_up.due),
        overdue: follow_up.overdue(today),
        resolved: follow_up.resolved(),
        stage: match (appeal, follow_up.stage()) {
            (AppealState::Rejected, _) => f.stage_closed,
            (_, Stage::Open) => f.stage_open,
            (_, Stage::CalledBack) => f.stage_called_back,
            (_, Stage::Fixed) => f.stage_fixed,
        },
        appeal: match appeal {
            AppealState::None => f.appeal_none,
            AppealState::Pending => f.appeal_pending,
            AppealState::Upheld => f.appeal_upheld,
            AppealState::Rejected => f.appeal_rejected,
        },
    }
}

/// One thing done, as the page lists it.
pub(super) struct Line {
    pub(super) at: DateTime<Utc>,
    pub(super) what: &'static str,
    pub(super) by_at: String,
    pub(super) text: String,
    pub(super) outcome: Option<&'static str>,
}

/// The rating behind a follow-up, as its page shows it.
pub(super) struct RatingView {
    pub(super) channel: &'static str,
    pub(super) on: String,
    pub(super) by: String,
}

fn when(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.catalog.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) fn history(state: &AppState, f: &FollowUpMsgs, follow_up: &FollowUp) -> Vec<Line> {
    let by_at = |by: &str, at| {
        f.by_at
            .replace("{by}", by)
            .replace("{at}", &when(state, at))
    };
    let mut lines = Vec::new();
    for (what, done) in [
        (f.call_back, &follow_up.call_back),
        (f.fix, &follow_up.fix),
        (f.appeal, &follow_up.appeal),
    ] {
        if let Some(done) = done {
            lines.push(Line {
                at: done.at,
                what,
                by_at: by_at(&done.by, done.at),
                text: done.note.clone(),
                outcome: None,
            });
        }
    }
    if let Some(decision) = &follow_up.decision {
        lines.push(Line {
            at: decision.at,
            what: f.decision,
            by_at: by_at(&decision.by, decision.at),
            text: decision.note.clone(),
            outcome: Some(if decision.upheld {
                f.appeal_upheld
            } else {
                f.appeal_rejected
            }),
        });
    }
    // In the order it happened: an appeal may come before the call-back.
    lines.sort_by_key(|line| line.at);
    lines
}

pub(super) async fn rating_view(
    state: &AppState,
    lang: Lang,
    follow_up: &FollowUp,
) -> Result<Option<RatingView>, AppError> {
    let f = FollowUpMsgs::of(lang);
    let rating: Option<Rating> = state
        .store
        .rating(&follow_up.center, &follow_up.target)
        .await?;
    Ok(rating.map(|r| RatingView {
        channel: r.channel.map_or(f.defaulted, |c| f.channel(c)),
        on: day(r.on),
        by: if r.rater == "anonymous" {
            f.anonymous.to_owned()
        } else {
            r.rater.clone()
        },
    }))
}
