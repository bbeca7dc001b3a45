//! Who is called next, and how long the others will wait.
//!
//! The rule (shown on the board): every waiting ticket scores its minutes waited, plus a
//! head start for its priority class; the highest score is called, the earlier ticket on a
//! tie. So priority moves someone ahead by a fixed amount of time and never starves
//! anyone: a normal ticket that has waited longer than the head start goes first.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::ticket::{Priority, Ticket, TicketNumber, TicketStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgingRule {
    /// Minutes of head start per priority class.
    pub elderly: i64,
    pub disabled: i64,
    pub veteran: i64,
    pub appointment_due: i64,
}

impl Default for AgingRule {
    fn default() -> Self {
        AgingRule {
            elderly: 20,
            disabled: 20,
            veteran: 20,
            appointment_due: 30,
        }
    }
}

impl AgingRule {
    pub fn head_start(&self, priority: Priority) -> Duration {
        Duration::minutes(match priority {
            Priority::Normal => 0,
            Priority::Elderly => self.elderly,
            Priority::Disabled => self.disabled,
            Priority::Veteran => self.veteran,
            Priority::AppointmentDue => self.appointment_due,
        })
    }

    /// The rule in words, for the board.
    pub fn describe_zh(&self) -> String {
        format!(
            "叫号规则：按等候时间先后；老年人、残疾人、退役军人提前 {} 分钟，预约到时提前 {} 分钟。等候越久越靠前，不会有人一直等待。",
            self.elderly, self.appointment_due
        )
    }

    pub fn describe_en(&self) -> String {
        format!(
            "Calling rule: by time waited; older people, people with disabilities and veterans go {} minutes ahead, appointments whose time has come {} minutes. The longer one waits the sooner one is called; nobody waits forever.",
            self.elderly, self.appointment_due
        )
    }

    /// The time a ticket counts as having joined the queue: earlier for priority classes.
    fn effective_start(&self, ticket: &Ticket) -> DateTime<Utc> {
        ticket.queued_at - self.head_start(ticket.priority)
    }
}

/// A service window and what it may call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Window {
    pub name: String,
    /// Queue categories it serves; empty means every category (全岗通).
    pub categories: Vec<char>,
    /// Items it is trained for; empty means every item. A ticket is eligible when the
    /// window knows every item on it.
    pub items: Vec<String>,
}

impl Window {
    pub fn any(name: &str) -> Self {
        Window {
            name: name.to_owned(),
            categories: Vec::new(),
            items: Vec::new(),
        }
    }

    pub fn can_serve(&self, ticket: &Ticket) -> bool {
        if let Some(window) = &ticket.reserved_for {
            return *window == self.name;
        }
        let category = self.categories.is_empty() || self.categories.contains(&ticket.category);
        let items = self.items.is_empty() || ticket.items.iter().all(|i| self.items.contains(i));
        category && items
    }
}

/// The index of the ticket `window` should call next among `tickets`, if any.
pub fn next_ticket(tickets: &[Ticket], window: &Window, rule: &AgingRule) -> Option<usize> {
    tickets
        .iter()
        .enumerate()
        .filter(|(_, t)| t.status == TicketStatus::Waiting && window.can_serve(t))
        .min_by_key(|(_, t)| (rule.effective_start(t), t.issued_at, t.number.clone()))
        .map(|(index, _)| index)
}

/// A wait estimate for one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// Tickets ahead of it in the calling order.
    pub ahead: usize,
    pub minutes: i64,
}

/// The windows serving the queue: how many are open, and how many of those are free now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub open: usize,
    pub idle: usize,
}

/// How long `ticket` will wait to be called: the tickets ahead of it in calling order
/// take the idle windows first; the rest wait, each for the mean of `recent_service`
/// (durations of recently finished services) spread over the open windows. With no
/// history yet, `default_service` stands in; with no window open yet, one is assumed busy.
pub fn estimate_wait(
    tickets: &[Ticket],
    ticket: usize,
    rule: &AgingRule,
    windows: Windows,
    recent_service: &[Duration],
    default_service: Duration,
) -> Option<Estimate> {
    let me = tickets.get(ticket)?;
    if me.status != TicketStatus::Waiting {
        return None;
    }
    let key = |t: &Ticket| (rule.effective_start(t), t.issued_at, t.number.clone());
    let ahead = tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting && key(t) < key(me))
        .count();
    let mean = if recent_service.is_empty() {
        default_service
    } else {
        recent_service.iter().copied().sum::<Duration>() / recent_service.len() as i32
    };
    if ahead < windows.idle {
        return Some(Estimate { ahead, minutes: 0 });
    }
    let rounds = (ahead - windows.idle + 1) as i32;
    let minutes = (mean * rounds / windows.open.max(1) as i32).num_minutes();
    Some(Estimate { ahead, minutes })
}

/// Until services have been timed, one is assumed to take this long.
pub const DEFAULT_SERVICE: i64 = 8;

/// The wait of ticket `number` read off the day's queue: the windows that have called
/// someone count as open, and finished services give the mean service time.
pub fn estimate_in_queue(
    queue: &[Ticket],
    number: &TicketNumber,
    rule: &AgingRule,
) -> Option<Estimate> {
    let index = queue.iter().position(|t| &t.number == number)?;
    let open: std::collections::BTreeSet<&str> =
        queue.iter().filter_map(|t| t.window.as_deref()).collect();
    let busy: std::collections::BTreeSet<&str> = queue
        .iter()
        .filter(|t| matches!(t.status, TicketStatus::Called | TicketStatus::Serving))
        .filter_map(|t| t.window.as_deref())
        .collect();
    let windows = Windows {
        open: open.len(),
        idle: open.len() - busy.len(),
    };
    let served: Vec<Duration> = queue.iter().filter_map(Ticket::service_time).collect();
    estimate_wait(
        queue,
        index,
        rule,
        windows,
        &served,
        Duration::minutes(DEFAULT_SERVICE),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::ticket::TicketNumber;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .unwrap()
            + Duration::minutes(minute)
    }

    fn ticket(prefix: char, n: u32, minute: i64, priority: Priority) -> Ticket {
        Ticket::issued(
            TicketNumber::new(prefix, n).unwrap(),
            priority,
            vec!["elderly-allowance".into()],
            None,
            at(minute),
        )
    }

    #[test]
    fn priority_goes_ahead_by_its_head_start_and_no_further() {
        let rule = AgingRule::default();
        let window = Window::any("5");
        let queue = vec![
            ticket('A', 1, 0, Priority::Normal),
            ticket('A', 2, 10, Priority::Elderly),
        ];
        assert_eq!(
            next_ticket(&queue, &window, &rule),
            Some(1),
            "elderly, 10 min later, goes first"
        );
        let queue = vec![
            ticket('A', 1, 0, Priority::Normal),
            ticket('A', 2, 25, Priority::Elderly),
        ];
        assert_eq!(
            next_ticket(&queue, &window, &rule),
            Some(0),
            "but not past someone waiting 25 minutes"
        );
    }

    #[test]
    fn windows_with_skills_call_only_what_they_know() {
        let rule = AgingRule::default();
        let mut housing = ticket('A', 1, 0, Priority::Normal);
        housing.items = vec!["public-rental-housing".into()];
        let queue = vec![
            housing,
            ticket('A', 2, 5, Priority::Normal),
            ticket('B', 1, 1, Priority::Normal),
        ];
        let elderly_desk = Window {
            name: "3".into(),
            categories: vec!['A'],
            items: vec!["elderly-allowance".into()],
        };
        assert_eq!(next_ticket(&queue, &elderly_desk, &rule), Some(1));
        assert_eq!(next_ticket(&queue, &Window::any("1"), &rule), Some(0));
        let consult = Window {
            name: "9".into(),
            categories: vec!['B'],
            items: vec![],
        };
        assert_eq!(next_ticket(&queue, &consult, &rule), Some(2));
    }

    #[test]
    fn only_waiting_tickets_are_called_and_estimates_follow_the_order() {
        let rule = AgingRule::default();
        let mut called = ticket('A', 1, 0, Priority::Normal);
        called.status = TicketStatus::Called;
        let queue = vec![
            called,
            ticket('A', 2, 1, Priority::Normal),
            ticket('A', 3, 2, Priority::Normal),
        ];
        assert_eq!(next_ticket(&queue, &Window::any("1"), &rule), Some(1));
        let recent = [Duration::minutes(6), Duration::minutes(10)];
        let busy = Windows { open: 2, idle: 0 };
        let estimate =
            estimate_wait(&queue, 2, &rule, busy, &recent, Duration::minutes(5)).unwrap();
        assert_eq!(
            estimate,
            Estimate {
                ahead: 1,
                minutes: 8
            }
        );
        assert_eq!(
            estimate_wait(&queue, 0, &rule, busy, &recent, Duration::minutes(5)),
            None
        );
        let one_free = Windows { open: 2, idle: 1 };
        assert_eq!(
            estimate_wait(&queue, 1, &rule, one_free, &recent, Duration::minutes(5)),
            Some(Estimate {
                ahead: 0,
                minutes: 0
            }),
            "the first in line goes straight to the free window"
        );
        assert_eq!(
            estimate_wait(&queue, 2, &rule, one_free, &recent, Duration::minutes(5)),
            Some(Estimate {
                ahead: 1,
                minutes: 4
            }),
            "the next waits for one of two windows to finish: 8 / 2"
        );
    }

    proptest! {
        /// Nobody starves: a ticket that has waited longer than the largest head start is
        /// called before every ticket issued after it, whatever their class.
        #[test]
        fn a_long_wait_beats_any_priority(later in proptest::collection::vec((1i64..120, 0usize..5), 1..30)) {
            let rule = AgingRule::default();
            let classes = [Priority::Normal, Priority::Elderly, Priority::Disabled, Priority::Veteran, Priority::AppointmentDue];
            let mut queue = vec![ticket('A', 1, 0, Priority::Normal)];
            for (i, (minute, class)) in later.iter().enumerate() {
                queue.push(ticket('A', i as u32 + 2, 31 + minute, classes[*class]));
            }
            prop_assert_eq!(next_ticket(&queue, &Window::any("1"), &rule), Some(0));
        }
    }
}
