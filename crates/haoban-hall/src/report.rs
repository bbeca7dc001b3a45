//! One day of the hall in figures, for the center director: how many tickets, where they
//! ended, how long people waited and were served, how busy each hour and window was, and
//! whether the wait promised on the slip came true.
//!
//! Pure: the day's tickets and the center's time zone in, figures out. Durations are whole
//! seconds, so the figures are exact and the pages choose how to show them.
//!
//! - A ticket's **wait** is [`Ticket::waited`]: from issue to its (last) call.
//! - A **service time** is [`Ticket::service_time`] of a ticket served to the end
//!   (`done`); a no-show has no service.
//! - The **promise** is checked for every called ticket that was given one: the error is
//!   the wait had minus the minutes promised, so a positive error means it took longer.

use std::collections::BTreeMap;

use chrono::{TimeZone, Timelike};

use crate::ticket::{Priority, Ticket, TicketNumber, TicketStatus};

/// A promise counts as kept when the wait was within this many minutes of it, either way.
pub const PROMISE_TOLERANCE_MINUTES: i64 = 5;
/// How many of the worst-kept promises the report lists.
pub const WORST_MISSES: usize = 5;
/// The priority classes in the order the report lists them.
pub const PRIORITIES: [Priority; 5] = [
    Priority::Normal,
    Priority::Elderly,
    Priority::Disabled,
    Priority::Veteran,
    Priority::AppointmentDue,
];

/// Mean, median and longest of some durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub count: usize,
    /// Rounded to the nearest second (a half up).
    pub mean: i64,
    /// The middle one; with an even count the mean of the two middle ones, rounded as
    /// the mean is.
    pub median: i64,
    pub longest: i64,
}

impl Spread {
    /// The spread of `seconds`; `None` when there are none.
    pub fn of(seconds: &[i64]) -> Option<Spread> {
        if seconds.is_empty() {
            return None;
        }
        let mut sorted = seconds.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            rounded_mean(sorted[n / 2 - 1] + sorted[n / 2], 2)
        };
        Some(Spread {
            count: n,
            mean: rounded_mean(sorted.iter().sum(), n as i64),
            median,
            longest: sorted[n - 1],
        })
    }
}

/// `sum / n` rounded to the nearest integer, a half up.
fn rounded_mean(sum: i64, n: i64) -> i64 {
    (2 * sum + n).div_euclid(2 * n)
}

/// Where a set of tickets stands: every ticket issued is in exactly one of the states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub issued: usize,
    /// In the queue (including any sent back to it by a transfer or a resume).
    pub waiting: usize,
    /// Called to a window or being served there.
    pub at_window: usize,
    /// Served to the end (`done`).
    pub served: usize,
    pub no_shows: usize,
    /// Set aside while the resident fetches something.
    pub parked: usize,
    /// The waits of the tickets called.
    pub wait: Option<Spread>,
}

impl Tally {
    fn of<'t>(tickets: impl IntoIterator<Item = &'t Ticket>) -> Tally {
        let mut tally = Tally::default();
        let mut waits = Vec::new();
        for ticket in tickets {
            tally.issued += 1;
            match ticket.status {
                TicketStatus::Waiting => tally.waiting += 1,
                TicketStatus::Called | TicketStatus::Serving => tally.at_window += 1,
                TicketStatus::Done => tally.served += 1,
                TicketStatus::NoShow => tally.no_shows += 1,
                TicketStatus::Parked => tally.parked += 1,
            }
            waits.extend(waited(ticket));
        }
        tally.wait = Spread::of(&waits);
        tally
    }
}

/// One window's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowLine {
    pub window: String,
    pub served: usize,
    pub no_shows: usize,
    /// The service times of the tickets it served.
    pub service: Option<Spread>,
}

/// A promise and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub number: TicketNumber,
    /// Minutes promised on the slip.
    pub promised: i64,
    /// The wait had, in seconds.
    pub waited: i64,
    /// `waited - promised`, in seconds: positive when it took longer than promised.
    pub error: i64,
}

/// The wait estimate checked against what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseCheck {
    /// Called tickets that were given a promise.
    pub checked: usize,
    /// The mean of the errors' sizes, in seconds (rounded as [`Spread::mean`]).
    pub mean_abs_error: i64,
    /// Tickets whose wait was within [`PROMISE_TOLERANCE_MINUTES`] of the promise.
    pub within: usize,
    /// The largest errors, largest first (the earlier ticket on a tie), at most
    /// [`WORST_MISSES`].
    pub worst: Vec<Miss>,
}

impl PromiseCheck {
    /// The share within the tolerance, in whole percent (a half up).
    pub fn within_percent(&self) -> i64 {
        rounded_mean(100 * self.within as i64, self.checked.max(1) as i64)
    }
}

/// The hall's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayReport {
    pub total: Tally,
    /// By queue category (the ticket number's letter), in letter order.
    pub by_category: Vec<(char, Tally)>,
    /// By priority class, in the order of [`PRIORITIES`]; only the classes that occur.
    pub by_priority: Vec<(Priority, Tally)>,
    /// Service times of the tickets served to the end.
    pub service: Option<Spread>,
    /// Tickets issued in each hour of the day, local time (index 9: 09:00–09:59).
    pub issued_by_hour: [usize; 24],
    /// Windows that called a ticket still with them (served, no-show, parked, at the
    /// window), in window order (numbers by value).
    pub windows: Vec<WindowLine>,
    /// `None` when no called ticket had a promise.
    pub promises: Option<PromiseCheck>,
}

impl DayReport {
    /// The report of one day's `tickets` (a center's, as the store gives them), with the
    /// hours read in `zone`, the center's time zone.
    pub fn of<Z: TimeZone>(tickets: &[Ticket], zone: &Z) -> DayReport {
        let mut categories: BTreeMap<char, Vec<&Ticket>> = BTreeMap::new();
        for ticket in tickets {
            categories.entry(ticket.category).or_default().push(ticket);
        }
        let by_category = categories
            .into_iter()
            .map(|(category, tickets)| (category, Tally::of(tickets)))
            .collect();
        let by_priority = PRIORITIES
            .into_iter()
            .filter(|p| tickets.iter().any(|t| t.priority == *p))
            .map(|p| (p, Tally::of(tickets.iter().filter(|t| t.priority == p))))
            .collect();

        let service: Vec<i64> = tickets.iter().filter_map(served_in).collect();

        let mut issued_by_hour = [0; 24];
        for ticket in tickets {
            let local = zone.from_utc_datetime(&ticket.issued_at.naive_utc());
            issued_by_hour[local.hour() as usize] += 1;
        }

        DayReport {
            total: Tally::of(tickets),
            by_category,
            by_priority,
            service: Spread::of(&service),
            issued_by_hour,
            windows: windows(tickets),
            promises: promises(tickets),
        }
    }
}

fn waited(ticket: &Ticket) -> Option<i64> {
    ticket.waited().map(|d| d.num_seconds())
}

/// The service time of a ticket served to the end.
fn served_in(ticket: &Ticket) -> Option<i64> {
    (ticket.status == TicketStatus::Done)
        .then(|| ticket.service_time())
        .flatten()
        .map(|d| d.num_seconds())
}

fn windows(tickets: &[Ticket]) -> Vec<WindowLine> {
    // Numbered windows first, by number (2 before 10), then the others by name.
    let mut by_window: BTreeMap<(bool, Option<u64>, &str), Vec<&Ticket>> = BTreeMap::new();
    for ticket in tickets {
        if let Some(window) = ticket.window.as_deref() {
            let number = window.parse::<u64>().ok();
            let key = (number.is_none(), number, window);
            by_window.entry(key).or_default().push(ticket);
        }
    }
    by_window
        .into_iter()
        .map(|((_, _, window), tickets)| {
            let count =
                |status: TicketStatus| tickets.iter().filter(|t| t.status == status).count();
            let service: Vec<i64> = tickets.iter().copied().filter_map(served_in).collect();
            WindowLine {
                window: window.to_owned(),
                served: count(TicketStatus::Done),
                no_shows: count(TicketStatus::NoShow),
                service: Spread::of(&service),
            }
        })
        .collect()
}

fn promises(tickets: &[Ticket]) -> Option<PromiseCheck> {
    let mut misses: Vec<Miss> = tickets
        .iter()
        .filter_map(|ticket| {
            let promised = ticket.promised_wait?;
            let waited = waited(ticket)?;
            Some(Miss {
                number: ticket.number.clone(),
                promised,
                waited,
                error: waited - promised * 60,
            })
        })
        .collect();
    if misses.is_empty() {
        return None;
    }
    let checked = misses.len();
    let mean_abs_error = rounded_mean(misses.iter().map(|m| m.error.abs()).sum(), checked as i64);
    let within = misses
        .iter()
        .filter(|m| m.error.abs() <= PROMISE_TOLERANCE_MINUTES * 60)
        .count();
    misses.sort_by(|a, b| {
        b.error
            .abs()
            .cmp(&a.error.abs())
            .then_with(|| a.number.cmp(&b.number))
    });
    misses.truncate(WORST_MISSES);
    Some(PromiseCheck {
        checked,
        mean_abs_error,
        within,
        worst: misses,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, FixedOffset, Utc};

    use super::*;

    /// 2026-11-27 09:00 in Shanghai, plus `minute` minutes.
    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .unwrap()
            + Duration::minutes(minute)
    }

    fn shanghai() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn ticket(number: &str, priority: Priority, issued: i64, promised: Option<i64>) -> Ticket {
        let mut ticket = Ticket::issued(
            TicketNumber::parse(number).unwrap(),
            priority,
            vec![],
            None,
            at(issued),
        );
        ticket.promised_wait = promised;
        ticket
    }

    /// Called to `window` at minute `called`, then left in `status`.
    fn called(mut ticket: Ticket, window: &str, called: i64, status: TicketStatus) -> Ticket {
        ticket.window = Some(window.into());
        ticket.called_at = Some(at(called));
        ticket.status = status;
        ticket
    }

    fn finished(mut ticket: Ticket, started: Option<i64>, finished: i64) -> Ticket {
        ticket.served_at = started.map(at);
        ticket.finished_at = Some(at(finished));
        ticket
    }

    /// Seven tickets; every figure below is worked out by hand from these.
    ///
    /// | ticket | class | issued | called | window | end | promised | wait | service |
    /// |---|---|---|---|---|---|---|---|---|
    /// | A001 | normal | 09:00 | 09:10 | 1 | done 09:20 | 8 | 600 | 600 |
    /// | A002 | elderly | 09:05 | 09:12 | 2 | start 09:14, done 09:30 | 3 | 420 | 960 |
    /// | A003 | normal | 09:06 | 09:40 | 1 | no-show 09:45 | 16 | 2040 | – |
    /// | B001 | normal | 10:10 | 10:11 | 1 | done 10:20 | 20 | 60 | 540 |
    /// | A004 | veteran | 10:15 | – | – | waiting | 10 | – | – |
    /// | A005 | normal | 11:10 | 11:11 | 2 | parked | – | 60 | – |
    /// | A006 | normal | 11:15 | 11:16 | 2 | serving since 11:17 | 0 | 60 | – |
    fn day() -> Vec<Ticket> {
        use Priority::*;
        use TicketStatus::*;
        vec![
            finished(
                called(ticket("A001", Normal, 0, Some(8)), "1", 10, Done),
                None,
                20,
            ),
            finished(
                called(ticket("A002", Elderly, 5, Some(3)), "2", 12, Done),
                Some(14),
                30,
            ),
            finished(
                called(ticket("A003", Normal, 6, Some(16)), "1", 40, NoShow),
                None,
                45,
            ),
            finished(
                called(ticket("B001", Normal, 70, Some(20)), "1", 71, Done),
                None,
                80,
            ),
            ticket("A004", Veteran, 75, Some(10)),
            called(ticket("A005", Normal, 130, None), "2", 131, Parked),
            {
                let mut serving = called(ticket("A006", Normal, 135, Some(0)), "2", 136, Serving);
                serving.served_at = Some(at(137));
                serving
            },
        ]
    }

    #[test]
    fn counts_every_ticket_once_by_where_it_ended() {
        let report = DayReport::of(&day(), &shanghai());
        let total = &report.total;
        assert_eq!(
            (
                total.issued,
                total.waiting,
                total.at_window,
                total.served,
                total.no_shows,
                total.parked
            ),
            (7, 1, 1, 3, 1, 1)
        );
    }

    #[test]
    fn waits_run_from_issue_to_call_and_service_times_count_only_tickets_served() {
        let report = DayReport::of(&day(), &shanghai());
        // Waits 600, 420, 2040, 60, 60, 60: sum 3240 over 6; the middle two 60 and 420.
        assert_eq!(
            report.total.wait,
            Some(Spread {
                count: 6,
                mean: 540,
                median: 240,
                longest: 2040
            })
        );
        // Served A001 600 (from the call), A002 960 (from the start), B001 540.
        assert_eq!(
            report.service,
            Some(Spread {
                count: 3,
                mean: 700,
                median: 600,
                longest: 960
            })
        );
    }

    #[test]
    fn categories_and_priority_classes_each_get_a_tally() {
        let report = DayReport::of(&day(), &shanghai());
        let letters: Vec<char> = report.by_category.iter().map(|(c, _)| *c).collect();
        assert_eq!(letters, ['A', 'B']);
        let a = &report.by_category[0].1;
        assert_eq!(
            (
                a.issued,
                a.waiting,
                a.at_window,
                a.served,
                a.no_shows,
                a.parked
            ),
            (6, 1, 1, 2, 1, 1)
        );
        // 600, 420, 2040, 60, 60: sum 3180 over 5.
        assert_eq!(
            a.wait,
            Some(Spread {
                count: 5,
                mean: 636,
                median: 420,
                longest: 2040
            })
        );
        let b = &report.by_category[1].1;
        assert_eq!((b.issued, b.served), (1, 1));
        assert_eq!(b.wait.map(|w| w.mean), Some(60));

        let classes: Vec<Priority> = report.by_priority.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            classes,
            [Priority::Normal, Priority::Elderly, Priority::Veteran]
        );
        let normal = &report.by_priority[0].1;
        assert_eq!((normal.issued, normal.served, normal.no_shows), (5, 2, 1));
        // 600, 2040, 60, 60, 60: sum 2820 over 5.
        assert_eq!(normal.wait.map(|w| (w.mean, w.median)), Some((564, 60)));
        let veteran = &report.by_priority[2].1;
        assert_eq!(
            (veteran.issued, veteran.waiting, veteran.wait),
            (1, 1, None)
        );
    }

    #[test]
    fn hours_are_local_and_windows_are_in_number_order() {
        let report = DayReport::of(&day(), &shanghai());
        let mut hours = [0; 24];
        hours[9] = 3;
        hours[10] = 2;
        hours[11] = 2;
        assert_eq!(report.issued_by_hour, hours);
        // The same tickets read in UTC fall an hour-of-day eight hours earlier.
        assert_eq!(DayReport::of(&day(), &Utc).issued_by_hour[1], 3);

        assert_eq!(
            report.windows,
            [
                WindowLine {
                    window: "1".into(),
                    served: 2,
                    no_shows: 1,
                    service: Some(Spread {
                        count: 2,
                        mean: 570,
                        median: 570,
                        longest: 600
                    }),
                },
                WindowLine {
                    window: "2".into(),
                    served: 1,
                    no_shows: 0,
                    service: Some(Spread {
                        count: 1,
                        mean: 960,
                        median: 960,
                        longest: 960
                    }),
                },
            ]
        );
        let mut named = day();
        named[0].window = Some("10".into());
        named[1].window = Some("咨询".into());
        let order: Vec<String> = DayReport::of(&named, &Utc)
            .windows
            .into_iter()
            .map(|w| w.window)
            .collect();
        assert_eq!(order, ["1", "2", "10", "咨询"]);
    }

    #[test]
    fn promises_are_checked_against_the_wait_had() {
        let check = DayReport::of(&day(), &shanghai()).promises.unwrap();
        // Errors: A001 +120, A002 +240, A003 +1080, B001 -1140, A006 +60 (A004 was not
        // called, A005 had no promise). Sizes sum to 2640 over 5.
        assert_eq!(check.checked, 5);
        assert_eq!(check.mean_abs_error, 528);
        assert_eq!(check.within, 3);
        assert_eq!(check.within_percent(), 60);
        let worst: Vec<(String, i64, i64, i64)> = check
            .worst
            .iter()
            .map(|m| (m.number.to_string(), m.promised, m.waited, m.error))
            .collect();
        assert_eq!(
            worst,
            [
                ("B001".into(), 20, 60, -1140),
                ("A003".into(), 16, 2040, 1080),
                ("A002".into(), 3, 420, 240),
                ("A001".into(), 8, 600, 120),
                ("A006".into(), 0, 60, 60),
            ]
        );
    }

    #[test]
    fn exactly_five_minutes_off_is_within_and_the_list_keeps_the_worst_five() {
        let mut tickets = Vec::new();
        for (n, waited_minutes) in [(1, 15), (2, 16), (3, 4), (4, 30), (5, 31), (6, 12), (7, 13)] {
            let t = ticket(&format!("A{n:03}"), Priority::Normal, 0, Some(10));
            tickets.push(called(t, "1", waited_minutes, TicketStatus::Called));
        }
        let check = DayReport::of(&tickets, &Utc).promises.unwrap();
        // Errors in minutes: +5, +6, -6, +20, +21, +2, +3: within are +5, +2 and +3.
        assert_eq!((check.checked, check.within), (7, 3));
        assert_eq!(check.within_percent(), 43);
        // Sizes 5+6+6+20+21+2+3 = 63 minutes = 3780 s over 7.
        assert_eq!(check.mean_abs_error, 540);
        let worst: Vec<String> = check.worst.iter().map(|m| m.number.to_string()).collect();
        assert_eq!(worst, ["A005", "A004", "A002", "A003", "A001"]);
    }

    #[test]
    fn an_empty_day_has_no_means() {
        let report = DayReport::of(&[], &Utc);
        assert_eq!(report.total, Tally::default());
        assert!(report.by_category.is_empty() && report.by_priority.is_empty());
        assert_eq!(report.service, None);
        assert_eq!(report.issued_by_hour, [0; 24]);
        assert!(report.windows.is_empty());
        assert_eq!(report.promises, None);
    }

    #[test]
    fn means_and_medians_round_half_up_to_the_second() {
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(
            Spread::of(&[7]),
            Some(Spread {
                count: 1,
                mean: 7,
                median: 7,
                longest: 7
            })
        );
        assert_eq!(
            Spread::of(&[2, 1]).map(|s| (s.mean, s.median)),
            Some((2, 2))
        );
        // 7 / 3 = 2.33…; 8 / 3 = 2.67…
        assert_eq!(Spread::of(&[4, 1, 2]).map(|s| s.mean), Some(2));
        assert_eq!(Spread::of(&[4, 1, 3]).map(|s| s.mean), Some(3));
        assert_eq!(Spread::of(&[-3, 0]).map(|s| s.mean), Some(-1));
    }
}
