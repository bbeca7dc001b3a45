//! History in bulk: an import records exactly what the one-step methods record for the
//! same steps (rows, entries, chain), all or nothing.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use haoban_cases::record::{Entry, verify, verify_projections};
use haoban_cases::{
    Applicant, Case, CaseNumber, Channel as CaseChannel, Context, IdNumber, Role, decide, submit,
};
use haoban_catalog::Calendar;
use haoban_feedback::{Channel, FeedbackConfig, Level, Rated, Rating, Target, rate};
use haoban_hall::{
    AgingRule, Carried, HallEvent, Priority, QueueCommand, TicketNumber, Visitor, Window,
};

use super::{accept, center, day, terms};
use crate::history::{History, Step};
use crate::{By, CaseFilter, NewTicket, Store, StoreError};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minute)
}

fn by(actor: &str, role: Role, minute: i64) -> By {
    By {
        actor: actor.into(),
        role,
        at: at(minute),
    }
}

fn ctx(center_name: &str, role: Role, minute: i64) -> Context {
    Context {
        actor: format!("{role}-a"),
        role,
        center: center(center_name),
        now: at(minute),
        today: day(),
    }
}

fn applicant(id: &str) -> Applicant {
    Applicant {
        id_number: IdNumber::parse(id).expect("id").into(),
        name: "王阿姨".into(),
    }
}

fn ticket(center_name: &str) -> NewTicket {
    NewTicket {
        center: center(center_name),
        category: 'A',
        priority: Priority::Normal,
        items: vec!["elderly-allowance".into()],
        carried: Some(Carried {
            id_number: Some("11010519491231002X".into()),
            name: Some("王阿姨".into()),
            facts: Default::default(),
        }),
        rule: AgingRule::default(),
    }
}

fn number(text: &str) -> TicketNumber {
    TicketNumber::parse(text).expect("ticket")
}

fn rated(center_name: &str, target: Target, level: u8, minute: i64) -> Rated {
    let rating = Rating {
        center: center(center_name),
        target,
        level: Level::new(level).expect("level"),
        channel: Some(Channel::WindowPad),
        staff: "clerk-a".into(),
        rater: "anonymous".into(),
        at: at(minute),
        on: day(),
    };
    rate(rating, &FeedbackConfig::default(), &Calendar::default()).expect("a valid rating")
}

/// The day at a center, as steps: a case opened and accepted, two tickets, the first
/// called, served and rated badly, a visitor registered twice and a consultation noted;
/// then (`later`) the second case step and the second ticket called.
fn day_at(center_name: &str) -> (Vec<Step>, Vec<Step>) {
    let case_number = CaseNumber::new(&center(center_name), day(), 1);
    let mut submitted = submit(
        &ctx(center_name, Role::Clerk, 0),
        applicant("11010519491231002X"),
        CaseChannel::Window,
        &terms(),
    )
    .expect("submit");
    submitted.case = Some(case_number.clone());
    let opened = Case::apply(None, &submitted).expect("opened");
    let accepted =
        decide(&ctx(center_name, Role::Clerk, 5), &opened, accept(), false).expect("accept");
    let accepted_case = accepted
        .iter()
        .try_fold(opened.clone(), |case, e| Case::apply(Some(case), e))
        .expect("fold");
    let reviewed = decide(
        &ctx(center_name, Role::Office, 60),
        &accepted_case,
        haoban_cases::Command::StartReview,
        false,
    )
    .expect("review");
    let window = Window::any("1");
    let rule = AgingRule::default();
    let visitor = |name: &str, minute| {
        Visitor::new("11010519491231002X", name, Some("13812345678"), at(minute)).expect("visitor")
    };
    let first = vec![
        Step::Visitor(visitor("王阿姨", 0)),
        Step::Issue {
            day: day(),
            ticket: ticket(center_name),
            number: number("A001"),
            by: by("desk-a", Role::Desk, 1),
        },
        Step::Issue {
            day: day(),
            ticket: ticket(center_name),
            number: number("A002"),
            by: by("desk-a", Role::Desk, 2),
        },
        Step::Open {
            day: day(),
            submitted,
        },
        Step::Call {
            day: day(),
            window: window.clone(),
            rule: rule.clone(),
            number: number("A001"),
            by: by("clerk-a", Role::Clerk, 3),
        },
        Step::Serve {
            day: day(),
            number: number("A001"),
            window: "1".into(),
            command: QueueCommand::Start,
            by: by("clerk-a", Role::Clerk, 4),
        },
        Step::Record { events: accepted },
        Step::Serve {
            day: day(),
            number: number("A001"),
            window: "1".into(),
            command: QueueCommand::Finish,
            by: by("clerk-a", Role::Clerk, 9),
        },
        Step::Rate(Box::new(rated(
            center_name,
            Target::Visit {
                day: day(),
                ticket: number("A001"),
            },
            1,
            10,
        ))),
        Step::Visitor(visitor("王秀英", 11)),
        Step::Note {
            event: HallEvent::VisitRecorded {
                visitor: None,
                items: vec!["elderly-allowance".into()],
                consult_only: true,
                note: "asked about the allowance".into(),
            },
            by: by("desk-a", Role::Desk, 12),
        },
    ];
    let later = vec![
        Step::Call {
            day: day(),
            window,
            rule,
            number: number("A002"),
            by: by("clerk-a", Role::Clerk, 30),
        },
        Step::Record { events: reviewed },
        Step::Rate(Box::new(rated(
            center_name,
            Target::Case {
                case: case_number.clone(),
            },
            5,
            61,
        ))),
    ];
    (first, later)
}

/// The steps done one at a time at `center_name`, through the one-step methods.
async fn one_by_one(store: &dyn Store, center_name: &str, steps: Vec<Step>) {
    let center_id = center(center_name);
    for step in steps {
        match step {
            Step::Open { day, mut submitted } => {
                let expected = submitted.case.take();
                let case = store.open_case(day, submitted).await.expect("open");
                assert_eq!(Some(case.number), expected);
            }
            Step::Record { events } => {
                let number = events[0].case.clone().expect("case");
                store.record(&number, None, events).await.expect("record");
            }
            Step::Issue {
                day,
                ticket,
                number,
                by,
            } => {
                let issued = store.issue_ticket(day, ticket, by).await.expect("issue");
                assert_eq!(issued.number, number);
            }
            Step::Call {
                day,
                window,
                rule,
                number,
                by,
            } => {
                let called = store
                    .call_next(day, &center_id, &window, &rule, by)
                    .await
                    .expect("call")
                    .expect("a ticket");
                assert_eq!(called.number, number);
            }
            Step::Serve {
                day,
                number,
                window,
                command,
                by,
            } => {
                store
                    .serve_ticket(day, &center_id, &number, &window, &command, by)
                    .await
                    .expect("serve");
            }
            Step::Visitor(visitor) => {
                store
                    .save_visitor(&center_id, &visitor)
                    .await
                    .expect("visitor");
            }
            Step::Note { event, by } => {
                store.note_hall(&center_id, &event, by).await.expect("note");
            }
            Step::Rate(rated) => store.rate(&rated, None).await.expect("rate"),
        }
    }
}

/// An entry as it would read at center `west`: the center named in it replaced.
fn at_west(entry: &Entry) -> (Option<String>, String, String, String, String, String) {
    let west = |text: &str| text.replace("east", "west");
    (
        entry.case.as_deref().map(west),
        entry.at.clone(),
        entry.actor.clone(),
        entry.role.clone(),
        entry.kind.clone(),
        west(&entry.payload),
    )
}

async fn intact(store: &dyn Store, center_name: &str) -> Vec<Entry> {
    let chain = store.chain(center_name).await.expect("chain");
    verify(center_name, &chain.entries, chain.head.as_ref()).expect("chain intact");
    let mut filter = CaseFilter::center(center(center_name));
    filter.limit = u32::MAX;
    let cases = store.cases(&filter).await.expect("cases");
    verify_projections(center_name, &chain.entries, &cases).expect("projections match");
    chain.entries
}

pub async fn imports_history_exactly_as_the_one_step_methods_record_it(store: Arc<dyn Store>) {
    let (first, later) = day_at("east");
    one_by_one(&*store, "east", first).await;
    one_by_one(&*store, "east", later).await;
    let (first, later) = day_at("west");
    for steps in [first, later] {
        let history = History {
            center: center("west"),
            steps,
        };
        store.import_history(&history).await.expect("import");
    }
    let east = intact(&*store, "east").await;
    let west = intact(&*store, "west").await;
    assert_eq!(west.len(), east.len());
    for (one, other) in east.iter().zip(&west) {
        assert_eq!(at_west(one), at_west(other), "entry {}", one.seq);
    }
    let tickets = |name: &'static str| {
        let store = store.clone();
        async move { store.tickets(&center(name), day()).await.expect("tickets") }
    };
    assert_eq!(tickets("east").await, tickets("west").await);
    let case_of = |name: &str| CaseNumber::new(&center(name), day(), 1);
    let (east_case, west_case) = (
        store.case(&case_of("east")).await.expect("read"),
        store.case(&case_of("west")).await.expect("read"),
    );
    let west_case = west_case.expect("west case");
    assert_eq!(
        serde_json::to_string(&east_case.expect("east case"))
            .expect("json")
            .replace("east", "west"),
        serde_json::to_string(&west_case).expect("json")
    );
    let visitor = store
        .visitor(&center("west"), "11010519491231002X")
        .await
        .expect("read")
        .expect("registered");
    assert_eq!(
        (visitor.name.as_str(), visitor.registered_at),
        ("王秀英", at(0)),
        "a later registration updates the name and keeps the first day"
    );
    let follow_ups = store
        .follow_ups(&center("west"), true)
        .await
        .expect("follow-ups");
    assert_eq!(follow_ups.len(), 1, "the bad rating opened a follow-up");
    assert!(
        store
            .rating(
                &center("west"),
                &Target::Case {
                    case: case_of("west")
                }
            )
            .await
            .expect("read")
            .is_some()
    );
}

pub async fn an_import_that_does_not_fit_stores_nothing(store: Arc<dyn Store>) {
    // A case of the day exists already: a history expecting the day's first number is refused.
    let (first, _) = day_at("west");
    let open = first
        .iter()
        .find(|s| matches!(s, Step::Open { .. }))
        .cloned()
        .expect("an open step");
    let Step::Open { mut submitted, .. } = open.clone() else {
        unreachable!("found above")
    };
    submitted.case = None;
    store.open_case(day(), submitted).await.expect("open");
    let before = store.chain("west").await.expect("chain").entries.len();
    let refused = store
        .import_history(&History {
            center: center("west"),
            steps: first.clone(),
        })
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(why)) if why.contains("0002")),
        "{refused:?}"
    );
    assert_eq!(
        store.chain("west").await.expect("chain").entries.len(),
        before
    );
    assert!(
        store
            .tickets(&center("west"), day())
            .await
            .expect("tickets")
            .is_empty(),
        "the tickets before the refused step were not kept either"
    );
    // A call the queue would answer with another ticket is refused.
    let wrong_call: Vec<Step> = first
        .into_iter()
        .filter(|s| !matches!(s, Step::Open { .. } | Step::Record { .. }))
        .map(|step| match step {
            Step::Call {
                day,
                window,
                rule,
                by,
                ..
            } => Step::Call {
                day,
                window,
                rule,
                number: number("A002"),
                by,
            },
            other => other,
        })
        .collect();
    let refused = store
        .import_history(&History {
            center: center("west"),
            steps: wrong_call,
        })
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(why)) if why.contains("A001")),
        "{refused:?}"
    );
    assert_eq!(
        store.chain("west").await.expect("chain").entries.len(),
        before
    );
    assert!(
        store
            .visitor(&center("west"), "11010519491231002X")
            .await
            .expect("read")
            .is_none()
    );
}
