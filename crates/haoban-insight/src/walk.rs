//! One pass over a center's process record, attributing each event of the month to the
//! staff member it counts for. Events after the month are never read, so a past month
//! computed again later, with more events in the chain, comes out the same.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use haoban_cases::record::Entry;
use haoban_cases::{Case, DeadlineState, EventKind, deadline};
use haoban_catalog::Calendar;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::config::Config;
use crate::figures::{HandledCase, RatingSeen, Unresolved, ValuedCase};
use crate::{InsightError, Items, Month, round4};

/// What one member's events of the month add up to, before any arithmetic.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub accepted: Vec<u64>,
    pub not_accepted: Vec<u64>,
    pub decided: Vec<u64>,
    pub tickets: Vec<u64>,
    pub handled: Vec<HandledCase>,
    pub valued: Vec<ValuedCase>,
    pub ratings: Vec<RatingSeen>,
    pub unresolved: Vec<Unresolved>,
    pub supplements: Vec<u64>,
    pub complaints: Vec<u64>,
}

impl Tally {
    /// Whether the record shows any work, rating or fault of the member's this month: only
    /// then are they on the list (a day spent configuring windows is not a month's work).
    pub fn counts(&self) -> bool {
        !(self.accepted.is_empty()
            && self.not_accepted.is_empty()
            && self.decided.is_empty()
            && self.tickets.is_empty()
            && self.handled.is_empty()
            && self.ratings.is_empty()
            && self.unresolved.is_empty()
            && self.supplements.is_empty()
            && self.complaints.is_empty())
    }
}

pub(crate) struct Walk {
    pub tallies: BTreeMap<String, Tally>,
    /// Per actor, the days of the month they recorded anything, with the first event.
    pub days: BTreeMap<String, BTreeMap<NaiveDate, u64>>,
    /// The last event read: the list covers the chain up to here.
    pub through_seq: u64,
    pub warnings: Vec<String>,
}

struct CaseTrack {
    case: Case,
    accepted_seq: Option<u64>,
}

#[derive(Default)]
struct TicketTrack {
    finished: Option<(u64, String)>,
    called: Option<(u64, String)>,
    /// A no-show, or transferred on and not called again.
    unserved: bool,
}

struct FollowUp {
    staff: Option<String>,
    opened_seq: u64,
    opened_in_month: bool,
    level: u8,
    fixed: bool,
    /// The last appeal decided: its event, whether upheld, whether in the month.
    appeal: Option<(u64, bool, bool)>,
}

#[derive(Deserialize)]
struct TicketPayload {
    number: String,
}

#[derive(Deserialize)]
struct RatingPayload {
    level: u8,
    staff: Option<String>,
}

#[derive(Deserialize)]
struct FollowUpOpened {
    id: serde_json::Value,
    level: u8,
    staff: Option<String>,
}

#[derive(Deserialize)]
struct FollowUpRef {
    id: serde_json::Value,
}

#[derive(Deserialize)]
struct AppealDecided {
    id: serde_json::Value,
    upheld: bool,
}

fn id_text(id: &serde_json::Value) -> String {
    match id {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn bad(entry: &Entry, problem: impl std::fmt::Display) -> InsightError {
    InsightError::Entry {
        seq: entry.seq,
        problem: problem.to_string(),
    }
}

fn payload<'a, T: Deserialize<'a>>(entry: &'a Entry) -> Result<T, InsightError> {
    serde_json::from_str(&entry.payload).map_err(|e| bad(entry, format!("`{}`: {e}", entry.kind)))
}

fn level(entry: &Entry, level: u8) -> Result<u8, InsightError> {
    if (1..=5).contains(&level) {
        Ok(level)
    } else {
        Err(bad(entry, format!("rating level {level} is not 1 to 5")))
    }
}

/// A rating's staff member, when it names one.
fn staff(name: Option<String>) -> Option<String> {
    name.filter(|n| !n.is_empty())
}

pub(crate) fn walk(
    center: &str,
    entries: &[Entry],
    items: &dyn Items,
    calendar: &Calendar,
    month: Month,
    config: &Config,
) -> Result<Walk, InsightError> {
    let mut walk = Walk {
        tallies: BTreeMap::new(),
        days: BTreeMap::new(),
        through_seq: 0,
        warnings: Vec::new(),
    };
    let mut cases: BTreeMap<String, CaseTrack> = BTreeMap::new();
    let mut tickets: BTreeMap<(NaiveDate, String), TicketTrack> = BTreeMap::new();
    let mut follow_ups: BTreeMap<String, FollowUp> = BTreeMap::new();
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.seq);
    for entry in ordered {
        if entry.center != center {
            return Err(bad(entry, format!("belongs to center `{}`", entry.center)));
        }
        let day = DateTime::parse_from_rfc3339(&entry.at)
            .map_err(|e| bad(entry, format!("time `{}`: {e}", entry.at)))?
            .with_timezone(&config.time_zone)
            .date_naive();
        if day > month.last_day() {
            continue;
        }
        walk.through_seq = walk.through_seq.max(entry.seq);
        let in_month = day >= month.first_day();
        if in_month && entry.role != "resident" {
            walk.days
                .entry(entry.actor.clone())
                .or_default()
                .entry(day)
                .or_insert(entry.seq);
        }
        let kind = entry.kind.as_str();
        // Ratings of a case are recorded under it too; only the case's own events fold into it.
        if EventKind::is_case_kind(kind) && entry.case.is_some() {
            case_event(&mut walk, &mut cases, entry, in_month, items, calendar)?;
            continue;
        }
        match kind {
            "ticket_called" | "service_finished" | "ticket_no_show" | "ticket_transferred"
                if in_month =>
            {
                let number = payload::<TicketPayload>(entry)?.number;
                let track = tickets.entry((day, number)).or_default();
                let by = (entry.seq, entry.actor.clone());
                match kind {
                    "ticket_called" => {
                        track.called = Some(by);
                        track.unserved = false;
                    }
                    "service_finished" => track.finished = Some(by),
                    _ => track.unserved = true,
                }
            }
            "rating_given" | "rating_defaulted" if in_month => {
                let rating: RatingPayload = payload(entry)?;
                let level = level(entry, rating.level)?;
                if let Some(name) = staff(rating.staff) {
                    walk.tallies
                        .entry(name)
                        .or_default()
                        .ratings
                        .push(RatingSeen {
                            seq: entry.seq,
                            level,
                            defaulted: kind == "rating_defaulted",
                        });
                }
            }
            "follow_up_opened" => {
                let opened: FollowUpOpened = payload(entry)?;
                let level = level(entry, opened.level)?;
                follow_ups.insert(
                    id_text(&opened.id),
                    FollowUp {
                        staff: staff(opened.staff),
                        opened_seq: entry.seq,
                        opened_in_month: in_month,
                        level,
                        fixed: false,
                        appeal: None,
                    },
                );
            }
            "follow_up_fixed" => {
                let id = id_text(&payload::<FollowUpRef>(entry)?.id);
                match follow_ups.get_mut(&id) {
                    Some(follow_up) => follow_up.fixed = true,
                    None if in_month => walk.warnings.push(format!(
                        "event #{}: follow-up `{id}` fixed but never opened",
                        entry.seq
                    )),
                    None => {}
                }
            }
            "appeal_decided" => {
                let appeal: AppealDecided = payload(entry)?;
                let id = id_text(&appeal.id);
                match follow_ups.get_mut(&id) {
                    Some(follow_up) => {
                        follow_up.appeal = Some((entry.seq, appeal.upheld, in_month));
                    }
                    None if in_month => walk.warnings.push(format!(
                        "event #{}: appeal on follow-up `{id}`, which was never opened",
                        entry.seq
                    )),
                    None => {}
                }
            }
            _ => {}
        }
    }
    credit_tickets(&mut walk, tickets);
    settle_follow_ups(&mut walk, follow_ups);
    Ok(walk)
}

/// Folds a case event into its case and counts it for whoever it counts for.
fn case_event(
    walk: &mut Walk,
    cases: &mut BTreeMap<String, CaseTrack>,
    entry: &Entry,
    in_month: bool,
    items: &dyn Items,
    calendar: &Calendar,
) -> Result<(), InsightError> {
    let event = entry.event().map_err(|e| bad(entry, e))?;
    let number = entry.case.clone().unwrap_or_default();
    let track = cases.remove(&number);
    let (before, accepted_seq) = match track {
        Some(track) => (Some(track.case), track.accepted_seq),
        None => (None, None),
    };
    let case = Case::apply(before, &event).map_err(|e| bad(entry, e))?;
    let mut track = CaseTrack { case, accepted_seq };
    let actor = entry.actor.clone();
    match &event.kind {
        EventKind::Accepted { .. } | EventKind::AcceptedWithDeficiency { .. } => {
            track.accepted_seq = Some(entry.seq);
            if in_month {
                let tally = walk.tallies.entry(actor).or_default();
                tally.accepted.push(entry.seq);
                tally.valued.push(ValuedCase {
                    seq: entry.seq,
                    case: number.clone(),
                    item: track.case.item.clone(),
                    points: items.value_points(&track.case.item),
                });
            }
        }
        EventKind::NotAccepted { .. } if in_month => {
            walk.tallies
                .entry(actor)
                .or_default()
                .not_accepted
                .push(entry.seq);
        }
        EventKind::Approved { .. } | EventKind::Denied { .. } if in_month => {
            // An instant item is approved in the same step as its acceptance: one piece
            // of work, already counted as the acceptance.
            if track.case.promised_days > 0 {
                walk.tallies
                    .entry(actor)
                    .or_default()
                    .decided
                    .push(entry.seq);
            }
            if let (Some(handled), Some(clerk)) =
                (handled(&track, entry.seq, calendar), &track.case.clerk)
            {
                walk.tallies
                    .entry(clerk.clone())
                    .or_default()
                    .handled
                    .push(handled);
            }
        }
        EventKind::SupplementRequested { .. } if in_month => {
            if let (Some(clerk), Some(_)) = (&track.case.clerk, track.accepted_seq) {
                walk.tallies
                    .entry(clerk.clone())
                    .or_default()
                    .supplements
                    .push(entry.seq);
            }
        }
        _ => {}
    }
    cases.insert(number, track);
    Ok(())
}

/// The handling of a case just decided, judged as its deadline judges it.
fn handled(track: &CaseTrack, decided_seq: u64, calendar: &Calendar) -> Option<HandledCase> {
    let case = &track.case;
    let accepted_on = case.accepted_on?;
    let decided_on = case.decided_on?;
    let accepted_seq = track.accepted_seq?;
    let deadline = deadline(case, calendar, decided_on, 0)?;
    let working_days = calendar
        .working_days_between(accepted_on, decided_on)
        .saturating_sub(deadline.suspended_days);
    let saved = match (case.promised_days, working_days) {
        (0, 0) => Decimal::ONE,
        (0, _) => Decimal::ZERO,
        (promised, used) => Decimal::ONE - Decimal::from(used) / Decimal::from(promised),
    };
    let time_saved = round4(saved.clamp(Decimal::ZERO, Decimal::ONE));
    Some(HandledCase {
        case: case.number.to_string(),
        item: case.item.clone(),
        accepted_seq,
        decided_seq,
        accepted_on,
        decided_on,
        promised_days: case.promised_days,
        suspended_days: deadline.suspended_days,
        working_days,
        on_time: deadline.state != DeadlineState::Overdue,
        time_saved,
    })
}

fn credit_tickets(walk: &mut Walk, tickets: BTreeMap<(NaiveDate, String), TicketTrack>) {
    for track in tickets.into_values() {
        let served = match (track.finished, track.called) {
            (Some(finished), _) => Some(finished),
            (None, Some(called)) if !track.unserved => Some(called),
            _ => None,
        };
        if let Some((seq, actor)) = served {
            walk.tallies.entry(actor).or_default().tickets.push(seq);
        }
    }
    for tally in walk.tallies.values_mut() {
        tally.tickets.sort_unstable();
    }
}

fn settle_follow_ups(walk: &mut Walk, follow_ups: BTreeMap<String, FollowUp>) {
    for (id, follow_up) in follow_ups {
        let Some(name) = follow_up.staff else {
            continue;
        };
        let upheld = match follow_up.appeal {
            Some((seq, true, true)) => Some(seq),
            _ => None,
        };
        let dismissed = matches!(follow_up.appeal, Some((_, false, _)));
        let open = follow_up.opened_in_month && !follow_up.fixed && !dismissed;
        if !open && upheld.is_none() {
            continue;
        }
        let tally = walk.tallies.entry(name).or_default();
        if let Some(seq) = upheld {
            tally.complaints.push(seq);
        }
        tally.unresolved.push(Unresolved {
            follow_up: id,
            opened_seq: follow_up.opened_seq,
            level: follow_up.level,
            appeal_seq: upheld,
        });
    }
    for tally in walk.tallies.values_mut() {
        tally.complaints.sort_unstable();
        tally.unresolved.sort_by_key(|u| u.opened_seq);
    }
}
