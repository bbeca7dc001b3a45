//! History recorded in bulk: activity the domain has already decided (the simulator's
//! year of a demo center; an import from the system a center leaves), recorded by
//! [`crate::Store::import_history`] in one transaction with exactly the rows and the
//! entries that the one-step methods (`open_case`, `record`, `issue_ticket`, `call_next`,
//! `serve_ticket`, `save_visitor`, `note_hall`, `rate`) would have written, in the same
//! order, so the chain comes out entry for entry the same.
//!
//! What the steps become is decided here, once for every backend, by the same functions
//! the one-step methods use (`Case::apply`, [`crate::hall`], `Rated::drafts`); a backend
//! reads what [`History::needs`] names, calls [`apply`] and writes what it returns.
//!
//! The steps name the case and ticket numbers they expect (a later step must be able to
//! refer to them); a number that is not the one the store gives next, or a call that the
//! queue rule would answer with another ticket, is a `Conflict` and nothing is stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use haoban_cases::record::Draft;
use haoban_cases::{Case, CaseNumber, CenterId, Event, EventKind};
use haoban_feedback::Rated;
use haoban_hall::{
    AgingRule, HallEvent, QueueCommand, Ticket, TicketNumber, TicketStatus, Visitor, Window,
};

use crate::{By, NewTicket, StoreError, StoreResult, hall};

/// A stretch of one center's activity, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub center: CenterId,
    pub steps: Vec<Step>,
}

/// One step, as the one-step method of the same name takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A case opened on `day`: `submitted.case` is the number it must get, the next of
    /// its center and day.
    Open { day: NaiveDate, submitted: Event },
    /// Events decided on one case (all naming it), as `record` appends them.
    Record { events: Vec<Event> },
    /// A ticket issued: `number` is the one it must get, the next of its day and category.
    Issue {
        day: NaiveDate,
        ticket: NewTicket,
        number: TicketNumber,
        by: By,
    },
    /// `window` calls the next ticket under `rule`, which must be `number`.
    Call {
        day: NaiveDate,
        window: Window,
        rule: AgingRule,
        number: TicketNumber,
        by: By,
    },
    /// A window's step with a ticket it holds.
    Serve {
        day: NaiveDate,
        number: TicketNumber,
        window: String,
        command: QueueCommand,
        by: By,
    },
    /// A visitor registered (or their name and phone updated) at the first window.
    Visitor(Visitor),
    /// A step of the hall that changes no table (a visit, a consultation).
    Note { event: HallEvent, by: By },
    /// A rating (given or counted by default) with the follow-up a bad one opens.
    Rate(Box<Rated>),
}

impl History {
    pub fn new(center: CenterId) -> History {
        History {
            center,
            steps: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// What a backend must read (inside the transaction) before [`apply`].
    pub fn needs(&self) -> Needs {
        let mut needs = Needs::default();
        let mut opened = BTreeSet::new();
        for step in &self.steps {
            match step {
                Step::Open { day, submitted } => {
                    *needs.opened.entry(*day).or_default() += 1;
                    if let Some(number) = &submitted.case {
                        opened.insert(number.clone());
                    }
                }
                Step::Record { events } => {
                    if let Some(number) = events.first().and_then(|e| e.case.as_ref())
                        && !opened.contains(number)
                    {
                        needs.cases.insert(number.clone());
                    }
                }
                Step::Issue { day, ticket, .. } => {
                    *needs.issued.entry((*day, ticket.category)).or_default() += 1;
                    needs.ticket_days.insert(*day);
                }
                Step::Call { day, .. } | Step::Serve { day, .. } => {
                    needs.ticket_days.insert(*day);
                }
                Step::Visitor(visitor) => {
                    needs.visitors.insert(visitor.id_number.clone());
                }
                Step::Note { .. } | Step::Rate(_) => {}
            }
        }
        needs
    }
}

/// What a history reads before it is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Cases it records on without opening them.
    pub cases: BTreeSet<CaseNumber>,
    /// How many cases it opens per day: the backend advances each day's counter by that.
    pub opened: BTreeMap<NaiveDate, u32>,
    /// How many tickets it issues per day and category: the same for ticket counters.
    pub issued: BTreeMap<(NaiveDate, char), u32>,
    /// The days whose tickets it issues, calls or serves.
    pub ticket_days: BTreeSet<NaiveDate>,
    /// Visitors it registers (a known one keeps the day they were first registered).
    pub visitors: BTreeSet<String>,
}

/// What the backend read, as [`Needs`] asked.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub cases: HashMap<CaseNumber, Case>,
    /// The last case number each day had before this history (0 for none).
    pub case_counters: BTreeMap<NaiveDate, u32>,
    /// The last ticket number of each day and category before this history.
    pub ticket_counters: BTreeMap<(NaiveDate, char), u32>,
    /// Each day's tickets (in any order).
    pub tickets: BTreeMap<NaiveDate, Vec<Ticket>>,
    pub visitors: HashMap<String, Visitor>,
}

/// The rows to write and the entries to append, in the history's order.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Each case's projection after the history, with the version its row had before
    /// (`None`: a new row).
    pub cases: Vec<(Case, Option<u64>)>,
    /// Each ticket touched, with the status its row had before (`None`: a new row).
    pub tickets: Vec<(NaiveDate, Ticket, Option<TicketStatus>)>,
    pub visitors: Vec<Visitor>,
    pub ratings: Vec<Rated>,
    pub drafts: Vec<Draft>,
}

/// What an import recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub cases_opened: usize,
    pub entries: usize,
}

impl Applied {
    pub fn imported(&self, history: &History) -> Imported {
        Imported {
            cases_opened: history
                .steps
                .iter()
                .filter(|s| matches!(s, Step::Open { .. }))
                .count(),
            entries: self.drafts.len(),
        }
    }
}

fn malformed(why: String) -> StoreError {
    StoreError::Corrupt(format!("a history step is malformed: {why}"))
}

/// A day's tickets while the history is applied: by number, with the status each row had.
#[derive(Default)]
struct Day {
    tickets: Vec<Ticket>,
    /// Index in `tickets` → the status the row had before (`None`: issued now).
    stored: Vec<Option<TicketStatus>>,
    touched: BTreeSet<usize>,
}

impl Day {
    fn position(&self, number: &TicketNumber, day: NaiveDate) -> StoreResult<usize> {
        self.tickets
            .iter()
            .position(|t| &t.number == number)
            .ok_or_else(|| StoreError::NotFound(format!("ticket {number} of {day}")))
    }
}

/// Decides what `history` becomes given what was `loaded`: the same decisions, in the same
/// order, as the one-step methods would take.
pub fn apply(history: &History, mut loaded: Loaded) -> StoreResult<Applied> {
    let center = history.center.clone();
    let mut applied = Applied::default();
    // Cases: the projection so far and the version stored before (None: opened now).
    let mut cases: HashMap<CaseNumber, (Option<Case>, Option<u64>)> = loaded
        .cases
        .drain()
        .map(|(number, case)| {
            let version = case.version;
            (number, (Some(case), Some(version)))
        })
        .collect();
    // The cases to write, in the order the history first touched them.
    let mut case_order: Vec<CaseNumber> = Vec::new();
    let mut touched_cases: BTreeSet<CaseNumber> = BTreeSet::new();
    let mut case_counters = loaded.case_counters;
    let mut ticket_counters = loaded.ticket_counters;
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for (day, tickets) in std::mem::take(&mut loaded.tickets) {
        let stored = tickets.iter().map(|t| Some(t.status)).collect();
        days.insert(
            day,
            Day {
                tickets,
                stored,
                touched: BTreeSet::new(),
            },
        );
    }
    let mut visitors: BTreeMap<String, Visitor> = BTreeMap::new();
    let mut rated = BTreeSet::new();
    for step in &history.steps {
        match step {
            Step::Open { day, submitted } => {
                same_center(&center, &submitted.center)?;
                let last = case_counters.entry(*day).or_default();
                *last += 1;
                let expected = CaseNumber::new(&center, *day, *last);
                if submitted.case.as_ref() != Some(&expected) {
                    return Err(StoreError::Conflict(format!(
                        "the next case number of {center} on {day} is {expected}, not {}: \
                         the store already holds cases of that day",
                        submitted
                            .case
                            .as_ref()
                            .map_or_else(|| "none".to_owned(), ToString::to_string)
                    )));
                }
                if !matches!(submitted.kind, EventKind::Submitted { .. }) {
                    return Err(malformed(format!(
                        "case {expected} opens with `{}`, not `submitted`",
                        submitted.kind.name()
                    )));
                }
                let case = Case::apply(None, submitted).map_err(|e| malformed(e.to_string()))?;
                cases.insert(expected.clone(), (Some(case), None));
                touched_cases.insert(expected.clone());
                case_order.push(expected);
                applied.drafts.push(Draft::of_event(submitted));
            }
            Step::Record { events } => {
                let number = events
                    .first()
                    .and_then(|e| e.case.clone())
                    .ok_or_else(|| malformed("events recorded on no case".into()))?;
                let (case, stored) = cases
                    .get_mut(&number)
                    .ok_or_else(|| StoreError::NotFound(format!("case {number}")))?;
                if stored.is_some() && touched_cases.insert(number.clone()) {
                    case_order.push(number.clone());
                }
                for event in events {
                    same_center(&center, &event.center)?;
                    if event.case.as_ref() != Some(&number) {
                        return Err(malformed(format!(
                            "an event for another case was recorded on {number}"
                        )));
                    }
                    // Folded in place: on an error nothing of the history is kept.
                    let current = case.take();
                    *case =
                        Some(Case::apply(current, event).map_err(|e| malformed(e.to_string()))?);
                    applied.drafts.push(Draft::of_event(event));
                }
            }
            Step::Issue {
                day,
                ticket,
                number,
                by,
            } => {
                same_center(&center, &ticket.center)?;
                let last = ticket_counters.entry((*day, ticket.category)).or_default();
                *last += 1;
                let state = days.entry(*day).or_default();
                let (issued, draft) = hall::issue_into(ticket, *last, &mut state.tickets, by)?;
                if &issued.number != number {
                    return Err(StoreError::Conflict(format!(
                        "the next ticket of {center} on {day} is {}, not {number}: \
                         the store already holds tickets of that day",
                        issued.number
                    )));
                }
                state.stored.push(None);
                state.touched.insert(state.tickets.len() - 1);
                applied.drafts.push(draft);
            }
            Step::Call {
                day,
                window,
                rule,
                number,
                by,
            } => {
                let state = days.entry(*day).or_default();
                let (called, draft) = hall::call(&state.tickets, window, rule, &center, by)
                    .ok_or_else(|| {
                        StoreError::Conflict(format!(
                            "no ticket of {day} waits for window {}, so it cannot call {number}",
                            window.name
                        ))
                    })?;
                if &called.number != number {
                    return Err(StoreError::Conflict(format!(
                        "window {} would call {} next on {day}, not {number}",
                        window.name, called.number
                    )));
                }
                let at = state.position(number, *day)?;
                state.tickets[at] = called;
                state.touched.insert(at);
                applied.drafts.push(draft);
            }
            Step::Serve {
                day,
                number,
                window,
                command,
                by,
            } => {
                let state = days.entry(*day).or_default();
                let at = state.position(number, *day)?;
                let (next, draft) = hall::step(&state.tickets[at], window, command, &center, by)?;
                state.tickets[at] = next;
                state.touched.insert(at);
                applied.drafts.push(draft);
            }
            Step::Visitor(visitor) => {
                let mut kept = visitor.clone();
                let known = visitors
                    .get(&visitor.id_number)
                    .or_else(|| loaded.visitors.get(&visitor.id_number));
                if let Some(known) = known {
                    // Registered once: a later visit updates the name and phone, not the date.
                    kept.registered_at = known.registered_at;
                }
                visitors.insert(kept.id_number.clone(), kept);
            }
            Step::Note { event, by } => applied.drafts.push(hall::draft(event, &center, by)),
            Step::Rate(rating) => {
                same_center(&center, &rating.rating.center)?;
                if !rated.insert(rating.rating.target.key()) {
                    return Err(crate::feedback::already_rated(&rating.rating.target));
                }
                applied.drafts.extend(rating.drafts());
                applied.ratings.push((**rating).clone());
            }
        }
    }
    for number in case_order {
        if let Some((Some(case), stored)) = cases.remove(&number) {
            applied.cases.push((case, stored));
        }
    }
    for (day, state) in days {
        for index in state.touched {
            applied
                .tickets
                .push((day, state.tickets[index].clone(), state.stored[index]));
        }
    }
    applied.visitors = visitors.into_values().collect();
    Ok(applied)
}

fn same_center(center: &CenterId, other: &CenterId) -> StoreResult<()> {
    if center == other {
        Ok(())
    } else {
        Err(malformed(format!(
            "a step of center {other} in the history of {center}"
        )))
    }
}
