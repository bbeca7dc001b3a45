//! The hall's part of the contract: tickets, windows, visitors and appointments.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use haoban_cases::Role;
use haoban_cases::record::verify;
use haoban_hall::{
    AgingRule, Appointment, AppointmentStatus, Carried, HallEvent, Priority, QueueCommand,
    TicketNumber, TicketStatus, Visitor, Window,
};

use super::{center, day};
use crate::{By, NewTicket, Store, StoreError};

fn by(minute: i64) -> By {
    By {
        actor: "desk-a".into(),
        role: Role::Desk,
        at: Utc
            .with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .expect("time")
            + Duration::minutes(minute),
    }
}

fn new_ticket(center_name: &str, category: char, priority: Priority) -> NewTicket {
    NewTicket {
        center: center(center_name),
        category,
        priority,
        items: vec!["elderly-allowance".into()],
        carried: None,
        rule: AgingRule::default(),
    }
}

pub async fn numbers_tickets_per_center_day_and_category(store: Arc<dyn Store>) {
    let mut numbers = Vec::new();
    for (center_name, category, day_offset) in [
        ("linfen", 'A', 0),
        ("linfen", 'A', 0),
        ("linfen", 'B', 0),
        ("pengpu", 'A', 0),
        ("linfen", 'A', 1),
    ] {
        let ticket = store
            .issue_ticket(
                day() + Duration::days(day_offset),
                new_ticket(center_name, category, Priority::Normal),
                by(0),
            )
            .await
            .expect("issue");
        assert_eq!(ticket.status, TicketStatus::Waiting);
        numbers.push(ticket.number.to_string());
    }
    assert_eq!(numbers, ["A001", "A002", "B001", "A001", "A001"]);
    let today = store
        .tickets(&center("linfen"), day())
        .await
        .expect("tickets");
    assert_eq!(
        today
            .iter()
            .map(|t| t.number.to_string())
            .collect::<Vec<_>>(),
        ["A001", "A002", "B001"]
    );
}

pub async fn calls_tickets_by_the_rule_and_records_it(store: Arc<dyn Store>) {
    store
        .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Normal), by(0))
        .await
        .expect("issue");
    store
        .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Elderly), by(5))
        .await
        .expect("issue");
    let rule = AgingRule::default();
    let first = store
        .call_next(day(), &center("linfen"), &Window::any("5"), &rule, by(6))
        .await
        .expect("call")
        .expect("a ticket");
    assert_eq!(
        (first.number.to_string(), first.window.as_deref()),
        ("A002".to_owned(), Some("5")),
        "the elderly ticket goes first"
    );
    let second = store
        .call_next(day(), &center("linfen"), &Window::any("6"), &rule, by(7))
        .await
        .expect("call")
        .expect("a ticket");
    assert_eq!(second.number.to_string(), "A001");
    assert_eq!(
        store
            .call_next(day(), &center("linfen"), &Window::any("5"), &rule, by(8))
            .await
            .expect("call"),
        None
    );
    let tickets = store
        .tickets(&center("linfen"), day())
        .await
        .expect("tickets");
    assert!(tickets.iter().all(|t| t.status == TicketStatus::Called));
    let chain = store.chain("linfen").await.expect("chain");
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ticket_issued",
            "ticket_issued",
            "ticket_called",
            "ticket_called"
        ]
    );
    assert_eq!(verify("linfen", &chain.entries, chain.head.as_ref()), Ok(4));
}

pub async fn concurrent_windows_never_share_a_ticket(store: Arc<dyn Store>) {
    for i in 0..30 {
        store
            .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Normal), by(i))
            .await
            .expect("issue");
    }
    let mut windows = Vec::new();
    for w in 0..6 {
        let store = store.clone();
        windows.push(tokio::spawn(async move {
            let mut called = Vec::new();
            let window = Window::any(&format!("{}", w + 1));
            while let Some(ticket) = store
                .call_next(
                    day(),
                    &center("linfen"),
                    &window,
                    &AgingRule::default(),
                    by(60),
                )
                .await
                .expect("call")
            {
                called.push(ticket.number.to_string());
            }
            called
        }));
    }
    let mut all = Vec::new();
    for window in windows {
        all.extend(window.await.expect("window"));
    }
    let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (30, 30),
        "every ticket called exactly once: {all:?}"
    );
}

async fn called(store: &dyn Store, window: &str, minute: i64) -> haoban_hall::Ticket {
    store
        .call_next(
            day(),
            &center("linfen"),
            &Window::any(window),
            &AgingRule::default(),
            by(minute),
        )
        .await
        .expect("call")
        .expect("a ticket")
}

async fn step(
    store: &dyn Store,
    number: &TicketNumber,
    window: &str,
    command: QueueCommand,
    minute: i64,
) -> Result<haoban_hall::Ticket, StoreError> {
    store
        .serve_ticket(
            day(),
            &center("linfen"),
            number,
            window,
            &command,
            by(minute),
        )
        .await
}

pub async fn serves_tickets_step_by_step_and_records_it(store: Arc<dyn Store>) {
    store
        .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Normal), by(0))
        .await
        .expect("issue");
    let ticket = called(&*store, "5", 3).await;
    let number = ticket.number.clone();
    let recalled = step(&*store, &number, "5", QueueCommand::Recall, 4)
        .await
        .expect("recall");
    assert_eq!(recalled.recalls, 1);
    assert!(
        matches!(
            step(&*store, &number, "6", QueueCommand::Start, 5).await,
            Err(StoreError::Conflict(_))
        ),
        "another window may not serve it"
    );
    step(&*store, &number, "5", QueueCommand::Start, 6)
        .await
        .expect("start");
    let done = step(&*store, &number, "5", QueueCommand::Finish, 16)
        .await
        .expect("finish");
    assert_eq!(done.service_time(), Some(Duration::minutes(10)));
    assert!(matches!(
        step(&*store, &number, "5", QueueCommand::Finish, 17).await,
        Err(StoreError::Conflict(_))
    ));
    let missing = TicketNumber::new('Z', 9).expect("number");
    assert!(matches!(
        step(&*store, &missing, "5", QueueCommand::Start, 17).await,
        Err(StoreError::NotFound(_))
    ));
    let stored = store
        .tickets(&center("linfen"), day())
        .await
        .expect("tickets");
    assert_eq!(stored, vec![done]);
    let chain = store.chain("linfen").await.expect("chain");
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ticket_issued",
            "ticket_called",
            "ticket_recalled",
            "service_started",
            "service_finished"
        ]
    );
    assert_eq!(verify("linfen", &chain.entries, chain.head.as_ref()), Ok(5));
}

pub async fn transfers_and_parks_tickets_to_one_window(store: Arc<dyn Store>) {
    for minute in [0, 1] {
        store
            .issue_ticket(
                day(),
                new_ticket("linfen", 'A', Priority::Normal),
                by(minute),
            )
            .await
            .expect("issue");
    }
    let first = called(&*store, "5", 2).await;
    let transfer = QueueCommand::Transfer {
        to_window: Some("9".into()),
        category: None,
    };
    step(&*store, &first.number, "5", transfer, 3)
        .await
        .expect("transfer");
    let next_at_5 = called(&*store, "5", 4).await;
    assert_eq!(next_at_5.number.to_string(), "A002", "A001 now waits for 9");
    let at_9 = called(&*store, "9", 5).await;
    assert_eq!(at_9.number, first.number);
    step(&*store, &next_at_5.number, "5", QueueCommand::Park, 6)
        .await
        .expect("park");
    assert_eq!(
        store
            .call_next(
                day(),
                &center("linfen"),
                &Window::any("5"),
                &AgingRule::default(),
                by(7)
            )
            .await
            .expect("call"),
        None,
        "a parked ticket is not called"
    );
    step(&*store, &next_at_5.number, "5", QueueCommand::Resume, 8)
        .await
        .expect("resume");
    assert_eq!(called(&*store, "5", 9).await.number, next_at_5.number);
}

pub async fn promises_a_wait_when_issuing(store: Arc<dyn Store>) {
    let mut new = new_ticket("linfen", 'A', Priority::Normal);
    new.carried = Some(Carried {
        id_number: Some("11010519491231002X".into()),
        name: Some("王阿姨".into()),
        facts: [("hukou".to_owned(), serde_json::json!("shanghai"))].into(),
    });
    let first = store
        .issue_ticket(day(), new.clone(), by(0))
        .await
        .expect("issue");
    let second = store
        .issue_ticket(day(), new.clone(), by(1))
        .await
        .expect("issue");
    assert_eq!(first.promised_wait, Some(haoban_hall::DEFAULT_SERVICE));
    assert_eq!(second.promised_wait, Some(2 * haoban_hall::DEFAULT_SERVICE));
    let kept = store
        .tickets(&center("linfen"), day())
        .await
        .expect("tickets");
    assert_eq!(
        kept[0].carried, new.carried,
        "the pre-review travels with it"
    );
}

pub async fn keeps_windows_and_their_skills(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    assert!(store.windows(&linfen).await.expect("windows").is_empty());
    let housing = Window {
        name: "3".into(),
        categories: vec!['A'],
        items: vec!["public-rental-housing".into()],
    };
    store
        .save_window(&linfen, &housing, by(0))
        .await
        .expect("save");
    store
        .save_window(&linfen, &Window::any("1"), by(1))
        .await
        .expect("save");
    let mut wider = housing.clone();
    wider.items.push("elderly-allowance".into());
    store
        .save_window(&linfen, &wider, by(2))
        .await
        .expect("replace");
    assert_eq!(
        store.windows(&linfen).await.expect("windows"),
        vec![Window::any("1"), wider]
    );
    assert!(
        store
            .windows(&center("pengpu"))
            .await
            .expect("windows")
            .is_empty()
    );
    store
        .remove_window(&linfen, "1", by(3))
        .await
        .expect("remove");
    assert!(matches!(
        store.remove_window(&linfen, "1", by(4)).await,
        Err(StoreError::NotFound(_))
    ));
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(
        chain.entries.len(),
        4,
        "every change of a window is recorded"
    );
}

pub async fn registers_visitors_once(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let first = Visitor::new("11010519491231002X", "王阿姨", None, by(0).at).expect("visitor");
    store.save_visitor(&linfen, &first).await.expect("save");
    let again = Visitor::new(
        "11010519491231002X",
        "王秀英",
        Some("13812345678"),
        by(60).at,
    )
    .expect("visitor");
    store.save_visitor(&linfen, &again).await.expect("save");
    let kept = store
        .visitor(&linfen, "11010519491231002X")
        .await
        .expect("read")
        .expect("known");
    assert_eq!(
        (
            kept.name.as_str(),
            kept.phone.as_deref(),
            kept.registered_at
        ),
        ("王秀英", Some("13812345678"), first.registered_at)
    );
    assert_eq!(
        store
            .visitor(&center("pengpu"), "11010519491231002X")
            .await
            .expect("read"),
        None
    );
    let visit = HallEvent::VisitRecorded {
        visitor: Some(kept.id_number.clone()),
        items: vec!["elderly-allowance".into()],
        consult_only: true,
        note: "asked about the allowance".into(),
    };
    store
        .note_hall(&linfen, &visit, by(61))
        .await
        .expect("note");
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(chain.entries.last().expect("entry").kind, "visit_recorded");
}

fn appointment(visitor: &str, minute: i64) -> Appointment {
    Appointment {
        visitor: visitor.into(),
        name: "王阿姨".into(),
        item: "elderly-allowance".into(),
        slot: by(minute).at,
        status: AppointmentStatus::Booked,
        ticket: None,
    }
}

pub async fn books_slots_up_to_capacity_and_checks_in(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let visitors = [
        "11010519491231002X",
        "110105194912310038",
        "110105195001010012",
    ];
    for visitor in &visitors[..2] {
        store
            .book_appointment(&linfen, day(), &appointment(visitor, 60), 2, by(0))
            .await
            .expect("book");
    }
    assert!(
        matches!(
            store
                .book_appointment(&linfen, day(), &appointment(visitors[2], 60), 2, by(0))
                .await,
            Err(StoreError::Conflict(_))
        ),
        "the slot is full"
    );
    assert!(
        matches!(
            store
                .book_appointment(&linfen, day(), &appointment(visitors[0], 90), 2, by(0))
                .await,
            Err(StoreError::Conflict(_))
        ),
        "one appointment per visitor and day"
    );
    let mut new = new_ticket("linfen", 'A', Priority::AppointmentDue);
    new.items = vec!["elderly-allowance".into()];
    let ticket = store
        .check_in(day(), visitors[0], new.clone(), by(55))
        .await
        .expect("check in");
    assert_eq!(ticket.priority, Priority::AppointmentDue);
    assert!(matches!(
        store
            .check_in(day(), visitors[0], new.clone(), by(56))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.check_in(day(), visitors[2], new, by(56)).await,
        Err(StoreError::NotFound(_))
    ));
    let booked = store.appointments(&linfen, day()).await.expect("list");
    assert_eq!(booked.len(), 2);
    let mine = booked
        .iter()
        .find(|a| a.visitor == visitors[0])
        .expect("mine");
    assert_eq!(
        (mine.status, mine.ticket.as_ref()),
        (AppointmentStatus::CheckedIn, Some(&ticket.number))
    );
    let chain = store.chain("linfen").await.expect("chain");
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "appointment_booked",
            "appointment_booked",
            "ticket_issued",
            "appointment_checked_in"
        ]
    );
}

pub async fn concurrent_bookings_never_overfill_a_slot(store: Arc<dyn Store>) {
    let visitors = [
        "11010519491231002X",
        "110105194912310038",
        "110105195001010012",
        "110105195001010039",
        "110105195001010055",
        "110105195001010071",
    ];
    let mut tasks = Vec::new();
    for visitor in visitors {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .book_appointment(
                    &center("linfen"),
                    day(),
                    &appointment(visitor, 60),
                    3,
                    by(0),
                )
                .await
        }));
    }
    let mut booked = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => booked += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(booked, 3);
    assert_eq!(
        store
            .appointments(&center("linfen"), day())
            .await
            .expect("list")
            .len(),
        3
    );
}

/// Issue times follow the numbers even when the clock was read out of order (two
/// instances, or requests racing for the lock): the queue orders by time.
pub async fn issue_times_never_run_back(store: Arc<dyn Store>) {
    let first = store
        .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Normal), by(5))
        .await
        .expect("issue");
    let late_clock = store
        .issue_ticket(day(), new_ticket("linfen", 'A', Priority::Normal), by(4))
        .await
        .expect("issue");
    assert_eq!(late_clock.number.to_string(), "A002");
    assert!(late_clock.issued_at >= first.issued_at);
    let called = called(&*store, "1", 6).await;
    assert_eq!(called.number, first.number, "A001 is called first");
}
