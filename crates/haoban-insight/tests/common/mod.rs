//! A process record written by hand: events of one center, chained as a store chains them.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use haoban_cases::record::{Draft, Entry, GENESIS, record_time};
use haoban_cases::{Applicant, CaseNumber, CenterId, Channel, Event, EventKind, IdNumber, Role};
use haoban_hall::{HallEvent, TicketNumber};
use serde_json::Value;

pub mod november;

pub const CENTER: &str = "linfen";

pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("date")
}

pub struct Record {
    pub entries: Vec<Entry>,
    /// Each event one second after the one before, from the given day's 10:00 in Shanghai.
    hour: u32,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            entries: Vec::new(),
            hour: 2,
        }
    }
}

impl Record {
    fn push(&mut self, mut draft: Draft) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        let prev = self
            .entries
            .last()
            .map_or(GENESIS.to_owned(), |e| e.hash.clone());
        draft.center = CENTER.into();
        self.entries.push(Entry::chain_draft(draft, seq, &prev));
        seq
    }

    fn at(&self, day: NaiveDate) -> chrono::DateTime<Utc> {
        let seconds = self.entries.len() as u32;
        day.and_hms_opt(self.hour, seconds / 60 % 60, seconds % 60)
            .expect("time")
            .and_utc()
    }

    /// Records the next events at `hour` UTC (2 = 10:00 in Shanghai; 17 = 01:00 next day).
    pub fn at_hour(&mut self, hour: u32) -> &mut Self {
        self.hour = hour;
        self
    }

    pub fn case(
        &mut self,
        day: NaiveDate,
        actor: &str,
        role: Role,
        case: &str,
        kind: EventKind,
    ) -> u64 {
        let event = Event {
            center: CenterId::parse(CENTER).expect("center"),
            case: Some(CaseNumber::parse(case).expect("case number")),
            at: self.at(day),
            actor: actor.into(),
            role,
            kind,
        };
        self.push(Draft::of_event(&event))
    }

    pub fn hall(&mut self, day: NaiveDate, actor: &str, event: HallEvent) -> u64 {
        let center = CenterId::parse(CENTER).expect("center");
        let at = self.at(day);
        self.push(event.draft(&center, at, actor, Role::Clerk))
    }

    /// A rating, follow-up or appeal as the feedback crate records it.
    pub fn feedback(
        &mut self,
        day: NaiveDate,
        actor: &str,
        role: Role,
        kind: &str,
        payload: Value,
    ) -> u64 {
        let at = self.at(day);
        self.push(Draft {
            center: CENTER.into(),
            case: None,
            at: record_time(at),
            actor: actor.into(),
            role: role.as_str().into(),
            kind: kind.into(),
            payload: payload.to_string(),
        })
    }

    pub fn submit(
        &mut self,
        day: NaiveDate,
        clerk: &str,
        case: &str,
        item: &str,
        days: u32,
    ) -> u64 {
        self.case(
            day,
            clerk,
            Role::Clerk,
            case,
            EventKind::Submitted {
                item: item.into(),
                catalog_version: "v1".into(),
                applicant: Applicant {
                    id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
                    name: "王阿姨".into(),
                },
                channel: Channel::Window,
                promised_days: days,
                required_materials: Vec::new(),
                conditional_materials: Vec::new(),
            },
        )
    }

    pub fn accept(&mut self, day: NaiveDate, clerk: &str, case: &str) -> u64 {
        self.case(
            day,
            clerk,
            Role::Clerk,
            case,
            EventKind::Accepted {
                on: day,
                materials: Vec::new(),
            },
        )
    }

    /// An instant item accepted: the acceptance and the approval, ready and delivery it
    /// brings at the same sitting. Returns the acceptance's and the approval's numbers.
    pub fn accept_instant(&mut self, day: NaiveDate, clerk: &str, case: &str) -> (u64, u64) {
        let accepted = self.accept(day, clerk, case);
        let approved = self.decide(day, clerk, Role::Clerk, case, true);
        self.case(
            day,
            clerk,
            Role::Clerk,
            case,
            EventKind::Ready {
                delivery: haoban_cases::Delivery::Window,
            },
        );
        self.case(
            day,
            clerk,
            Role::Clerk,
            case,
            EventKind::Delivered { on: day },
        );
        (accepted, approved)
    }

    pub fn decide(
        &mut self,
        day: NaiveDate,
        actor: &str,
        role: Role,
        case: &str,
        approve: bool,
    ) -> u64 {
        let kind = if approve {
            EventKind::Approved {
                on: day,
                note: String::new(),
            }
        } else {
            EventKind::Denied {
                on: day,
                reason: "不符合条件".into(),
            }
        };
        self.case(day, actor, role, case, kind)
    }

    pub fn ticket(&mut self, day: NaiveDate, clerk: &str, number: &str, step: &str) -> u64 {
        let number = TicketNumber::parse(number).expect("ticket");
        let window = "5".to_owned();
        let event = match step {
            "call" => HallEvent::TicketCalled { number, window },
            "start" => HallEvent::ServiceStarted { number, window },
            "finish" => HallEvent::ServiceFinished { number, window },
            "no_show" => HallEvent::TicketNoShow { number, window },
            "transfer" => HallEvent::TicketTransferred {
                number,
                from_window: window,
                to_window: None,
                category: None,
            },
            other => panic!("no step {other}"),
        };
        self.hall(day, clerk, event)
    }

    pub fn rate(&mut self, day: NaiveDate, staff: &str, level: u8) -> u64 {
        self.feedback(
            day,
            "11010519491231002X",
            Role::Resident,
            "rating_given",
            serde_json::json!({
                "target": {"kind": "visit", "day": day.to_string(), "ticket": "A001"},
                "level": level,
                "channel": "pad",
                "staff": staff,
            }),
        )
    }
}
