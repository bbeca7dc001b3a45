//! A day in the hall as a discrete-event simulation: tickets arrive, windows open, break
//! and close, and a free window calls the next ticket by haoban-hall's own rule
//! ([`next_ticket`] with the aging rule and the window's skills), exactly as the store's
//! `call_next` would. Pure: arrivals and windows in, the steps in the order they happen out.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Duration, Utc};
use haoban_hall::{AgingRule, Priority, Ticket, TicketNumber, TicketStatus, Window, next_ticket};

/// A ticket to be issued: when, to whom, and what chance decided about its service.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub at: DateTime<Utc>,
    pub priority: Priority,
    pub items: Vec<String>,
    pub service: Duration,
    pub walk: Duration,
    pub no_show: bool,
}

/// A window for the day: what it may call, and when it is staffed. After its last
/// stretch it keeps calling until nobody waits (the hall serves everyone with a ticket).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPlan {
    pub window: Window,
    pub open: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// What happens to a ticket, in the order the hall does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Issue,
    Call,
    Recall,
    NoShow,
    Start,
    Finish,
}

/// One step: when, which ticket (index in the day's queue), at which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged {
    pub at: DateTime<Utc>,
    pub ticket: usize,
    pub window: Option<usize>,
    pub step: Step,
}

/// A ticket's service, once it was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    pub window: usize,
    pub called: DateTime<Utc>,
    /// When the service began: `None` for a no-show.
    pub started: Option<DateTime<Utc>>,
    /// When the window was done with it (the service finished, or the no-show marked).
    pub done: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct DayLog {
    pub steps: Vec<Logged>,
    /// Per ticket, its service (`None`: never called).
    pub served: Vec<Option<Served>>,
    pub numbers: Vec<TicketNumber>,
}

impl DayLog {
    /// Each called ticket's wait, in seconds.
    pub fn waits(&self, queued: &[Queued]) -> Vec<i64> {
        self.served
            .iter()
            .zip(queued)
            .filter_map(|(served, q)| served.map(|s| (s.called - q.at).num_seconds()))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    Opens(usize),
    /// The end of a staffed stretch; `true` for the day's last.
    Closes(usize, bool),
    Arrives(usize),
    Free(usize),
    Does(usize, usize, Step),
}

struct WindowState {
    open: bool,
    overtime: bool,
    busy: bool,
}

/// A pause between a window finishing and calling the next.
const TURNAROUND: i64 = 15;
/// A called resident who does not come is recalled after this many seconds, and marked a
/// no-show as long again after that.
const RECALL_AFTER: i64 = 60;

struct Hall<'a> {
    queued: &'a [Queued],
    plans: &'a [WindowPlan],
    rule: &'a AgingRule,
    agenda: BinaryHeap<Reverse<(DateTime<Utc>, u64, Happening)>>,
    next: u64,
    tickets: Vec<Ticket>,
    windows: Vec<WindowState>,
    log: DayLog,
}

impl Hall<'_> {
    fn plan(&mut self, at: DateTime<Utc>, happening: Happening) {
        self.next += 1;
        self.agenda.push(Reverse((at, self.next, happening)));
    }

    fn note(&mut self, at: DateTime<Utc>, ticket: usize, window: Option<usize>, step: Step) {
        self.log.steps.push(Logged {
            at,
            ticket,
            window,
            step,
        });
    }

    fn try_call(&mut self, w: usize, now: DateTime<Utc>) {
        let state = &self.windows[w];
        if state.busy || !(state.open || state.overtime) {
            return;
        }
        let Some(index) = next_ticket(&self.tickets, &self.plans[w].window, self.rule) else {
            return;
        };
        self.tickets[index].status = TicketStatus::Called;
        self.windows[w].busy = true;
        self.note(now, index, Some(w), Step::Call);
        let queued = &self.queued[index];
        let served = if queued.no_show {
            let recall = now + Duration::seconds(RECALL_AFTER);
            let gone = recall + Duration::seconds(RECALL_AFTER);
            self.plan(recall, Happening::Does(index, w, Step::Recall));
            self.plan(gone, Happening::Does(index, w, Step::NoShow));
            Served {
                window: w,
                called: now,
                started: None,
                done: gone,
            }
        } else {
            let start = now + queued.walk;
            let finish = start + queued.service;
            self.plan(start, Happening::Does(index, w, Step::Start));
            self.plan(finish, Happening::Does(index, w, Step::Finish));
            Served {
                window: w,
                called: now,
                started: Some(start),
                done: finish,
            }
        };
        self.plan(
            served.done + Duration::seconds(TURNAROUND),
            Happening::Free(w),
        );
        self.log.served[index] = Some(served);
    }

    fn try_all(&mut self, now: DateTime<Utc>) {
        for w in 0..self.windows.len() {
            self.try_call(w, now);
        }
    }
}

/// Runs the day: `queued` in arrival order (numbered A001, A002, … in that order; at most
/// 999), served by `plans` under `rule`.
pub fn run(queued: &[Queued], plans: &[WindowPlan], rule: &AgingRule) -> DayLog {
    let mut hall = Hall {
        queued,
        plans,
        rule,
        agenda: BinaryHeap::new(),
        next: 0,
        tickets: Vec::with_capacity(queued.len()),
        windows: plans
            .iter()
            .map(|_| WindowState {
                open: false,
                overtime: false,
                busy: false,
            })
            .collect(),
        log: DayLog {
            steps: Vec::new(),
            served: vec![None; queued.len()],
            numbers: Vec::with_capacity(queued.len()),
        },
    };
    for (w, plan) in plans.iter().enumerate() {
        for (n, (from, to)) in plan.open.iter().enumerate() {
            hall.plan(*from, Happening::Opens(w));
            hall.plan(*to, Happening::Closes(w, n + 1 == plan.open.len()));
        }
    }
    for (index, ticket) in queued.iter().enumerate().take(999) {
        hall.plan(ticket.at, Happening::Arrives(index));
    }
    while let Some(Reverse((now, _, happening))) = hall.agenda.pop() {
        match happening {
            Happening::Opens(w) => {
                hall.windows[w].open = true;
                hall.try_call(w, now);
            }
            Happening::Closes(w, last) => {
                hall.windows[w].open = false;
                hall.windows[w].overtime = last;
                hall.try_call(w, now);
            }
            Happening::Arrives(index) => {
                let q = &queued[index];
                let number = TicketNumber::new('A', index as u32 + 1)
                    .expect("at most 999 tickets a day are issued");
                hall.tickets.push(Ticket::issued(
                    number.clone(),
                    q.priority,
                    q.items.clone(),
                    None,
                    q.at,
                ));
                hall.log.numbers.push(number);
                hall.note(now, index, None, Step::Issue);
                hall.try_all(now);
            }
            Happening::Free(w) => {
                hall.windows[w].busy = false;
                hall.try_call(w, now);
            }
            Happening::Does(index, w, step) => hall.note(now, index, Some(w), step),
        }
    }
    hall.log
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minute)
    }

    fn ticket(minute: i64, service: i64, priority: Priority) -> Queued {
        Queued {
            at: at(minute),
            priority,
            items: vec!["a".into()],
            service: Duration::minutes(service),
            walk: Duration::zero(),
            no_show: false,
        }
    }

    fn window(name: &str, until: i64) -> WindowPlan {
        WindowPlan {
            window: Window::any(name),
            open: vec![(at(0), at(until))],
        }
    }

    #[test]
    fn one_window_serves_in_the_rule_s_order_and_everyone_waits_their_turn() {
        let queued = vec![
            ticket(0, 10, Priority::Normal),
            ticket(1, 10, Priority::Normal),
            ticket(2, 10, Priority::Elderly),
        ];
        let log = run(&queued, &[window("1", 480)], &AgingRule::default());
        let called: Vec<usize> = log
            .steps
            .iter()
            .filter(|s| s.step == Step::Call)
            .map(|s| s.ticket)
            .collect();
        assert_eq!(called, [0, 2, 1], "the elderly ticket goes ahead");
        let waits = log.waits(&queued);
        assert_eq!(waits[0], 0);
        assert_eq!(
            waits[2],
            (10 * 60 + 15) - 120,
            "called as the window was free"
        );
        assert_eq!(
            waits[1],
            (20 * 60 + 30) - 60,
            "called after the elderly ticket"
        );
    }

    #[test]
    fn a_window_on_its_break_calls_nobody_and_the_hall_serves_everyone_after_closing() {
        let plans = vec![WindowPlan {
            window: Window::any("1"),
            open: vec![(at(0), at(5)), (at(30), at(40))],
        }];
        let queued = vec![
            ticket(10, 5, Priority::Normal),
            ticket(38, 20, Priority::Normal),
            ticket(39, 5, Priority::Normal),
        ];
        let log = run(&queued, &plans, &AgingRule::default());
        let served: Vec<Served> = log.served.iter().map(|s| s.expect("served")).collect();
        assert_eq!(served[0].called, at(30), "called when the window is back");
        assert!(served[2].called > at(40), "served after closing time");
    }

    #[test]
    fn a_no_show_is_recalled_then_marked_and_the_window_moves_on() {
        let mut gone = ticket(0, 10, Priority::Normal);
        gone.no_show = true;
        let queued = vec![gone, ticket(0, 10, Priority::Normal)];
        let log = run(&queued, &[window("1", 480)], &AgingRule::default());
        let steps: Vec<(usize, Step)> = log.steps.iter().map(|s| (s.ticket, s.step)).collect();
        assert_eq!(
            steps,
            [
                (0, Step::Issue),
                (0, Step::Call),
                (1, Step::Issue),
                (0, Step::Recall),
                (0, Step::NoShow),
                (1, Step::Call),
                (1, Step::Start),
                (1, Step::Finish),
            ]
        );
    }
}
