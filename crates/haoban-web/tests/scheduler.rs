//! The server's scheduled work, with an injected clock: the monthly list of the month
//! before appears on the first working day without anyone asking, once, and matches a
//! recomputation from the process record.

mod support;

use haoban_cases::{CenterId, Role};
use haoban_insight::{Config, Month, MonthlyList};
use haoban_store::access::{Purged, RETENTION_ACTION};
use haoban_web::scheduler::{Done, SCHEDULER, tick};
use haoban_web::{Retention, RetentionError};
use serde_json::json;
use support::{Auth, RESIDENT, TestApp, at};

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

#[tokio::test]
async fn the_monthly_list_appears_on_the_first_working_day_and_only_once() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().unwrap();
    let accepted = app
        .post(
            &format!("/api/v1/cases/{number}/actions/accept"),
            json!({"materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "received"}]}),
            &clerk,
        )
        .await;
    assert_eq!(accepted.status.as_u16(), 200, "{:?}", accepted.body);
    let linfen = CenterId::parse("linfen").unwrap();
    let store = &app.state.store;

    // Monday 30 November: November is not over; October (quiet here) is due since 2 November.
    app.clock.set(at("2026-11-30 09:00"));
    let done = tick(&app.state).await.unwrap();
    assert_eq!(done.lists, vec![("linfen".to_owned(), month("2026-10"))]);
    assert!(
        store
            .monthly_list(&linfen, month("2026-11"))
            .await
            .unwrap()
            .is_none()
    );

    // Tuesday 1 December, the first working day: November's list is stored.
    app.clock.set(at("2026-12-01 01:00"));
    let done = tick(&app.state).await.unwrap();
    assert_eq!(done.lists, vec![("linfen".to_owned(), month("2026-11"))]);
    let stored = store
        .monthly_list(&linfen, month("2026-11"))
        .await
        .unwrap()
        .expect("stored without anyone asking");
    assert_eq!(stored.saved_by, haoban_web::scheduler::SCHEDULER);
    let zhang = stored
        .list
        .rows
        .iter()
        .find(|row| row.staff == "zhang")
        .expect("the clerk is on the list");
    assert_eq!(zhang.rank, 1);

    // Again the same day, or by a second instance: nothing more.
    assert_eq!(tick(&app.state).await.unwrap(), Done::default());

    // A recomputation from the process record matches the stored list exactly.
    let chain = store.chain("linfen").await.unwrap();
    let catalog = &app.state.catalog;
    let config = Config {
        time_zone: catalog.time_zone,
        ..Config::default()
    };
    let again = MonthlyList::compute(
        "linfen",
        &chain.entries,
        catalog.as_ref(),
        catalog.calendar(),
        month("2026-11"),
        &config,
    )
    .unwrap();
    assert_eq!(again, stored.list);
}

#[tokio::test]
async fn nothing_is_due_before_the_first_working_day() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    app.open_case(&clerk).await;
    // Sunday 1 November 2026: the month's first working day is Monday the 2nd.
    app.clock.set(at("2026-11-01 02:00"));
    let done = tick(&app.state).await.unwrap();
    // Only the day's retention run, which finds nothing old enough.
    assert_eq!(done.purged, Some(Purged::default()));
    assert_eq!(
        Done {
            purged: None,
            ..done
        },
        Done::default()
    );
}

/// A visitor registered, a resident's code sent and a staff session left open; three
/// years and a day later (the default retention) the daily run removes them, writes one
/// access-log record of its counts, and does not run again that day.
#[tokio::test]
async fn personal_data_past_its_retention_goes_and_the_run_is_recorded() {
    let app = TestApp::new().await;
    let desk = app.staff("li", Role::Desk, "linfen").await;
    let registered = app
        .post(
            "/api/v1/visitors",
            json!({"id_number": RESIDENT, "name": "王阿姨", "phone": "13800000000"}),
            &desk,
        )
        .await;
    assert_eq!(registered.status.as_u16(), 201, "{:?}", registered.body);
    let sent = app
        .post(
            "/api/v1/resident/code",
            json!({"id_number": RESIDENT, "center": "linfen"}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(sent.status.as_u16(), 202);
    // A case opened for the resident and withdrawn the same day: over.
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().unwrap().to_owned();
    app.act(&clerk, &number, "withdraw", json!({"reason": "moved away"}))
        .await;
    let linfen = CenterId::parse("linfen").unwrap();
    let store = &app.state.store;

    // A year on: the desk's and the clerk's sessions and the code have expired; the
    // visitor and the case's applicant are kept.
    app.clock.set(at("2027-11-02 02:00"));
    let purged = tick(&app.state)
        .await
        .unwrap()
        .purged
        .expect("the day's run");
    assert_eq!(
        (
            purged.sessions,
            purged.login_codes,
            purged.visitors,
            purged.id_numbers
        ),
        (2, 1, 0, 0)
    );
    assert!(store.visitor(&linfen, RESIDENT).await.unwrap().is_some());
    assert_eq!(tick(&app.state).await.unwrap().purged, None, "once a day");

    // Three years and a day after the visit: the visitor goes.
    app.clock.set(at("2029-11-02 02:00"));
    let purged = tick(&app.state)
        .await
        .unwrap()
        .purged
        .expect("the day's run");
    assert_eq!((purged.visitors, purged.id_numbers), (1, 1));
    assert!(store.visitor(&linfen, RESIDENT).await.unwrap().is_none());
    // The log kept what is within its 365 days and ends with the run's own record.
    let (chain, head) = store.access_chain().await.unwrap();
    assert_eq!(haoban_store::access::verify(&chain, head), Ok(()));
    let last = &chain.last().expect("records").record;
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        (SCHEDULER, RETENTION_ACTION)
    );
    assert_eq!(last.object, purged.summary());
    assert!(chain.iter().all(|e| e.record.at >= at("2028-11-02 02:00")));
    // The withdrawn case stays, and so does its record, without the number: the case and
    // its record say it was erased; the record's chain and its replay still verify.
    let supervisor = app.staff("wang", Role::Supervisor, "linfen").await;
    let read = app
        .get(&format!("/api/v1/cases/{number}?unmask=true"), &supervisor)
        .await;
    assert_eq!(read.status.as_u16(), 200, "{:?}", read.body);
    assert_eq!(read.body["applicant"]["id_number"], "erased");
    assert_eq!(read.body["applicant"]["name"], "王阿姨");
    let record = app
        .get(&format!("/api/v1/cases/{number}/record"), &supervisor)
        .await;
    assert_eq!(record.status.as_u16(), 200, "{:?}", record.body);
    assert!(!record.body.to_string().contains(RESIDENT));
    let entries = store.chain("linfen").await.unwrap();
    haoban_cases::record::verify("linfen", &entries.entries, entries.head.as_ref()).unwrap();
    let mut all = haoban_store::CaseFilter::center(linfen.clone());
    all.limit = u32::MAX;
    let cases = store.cases(&all).await.unwrap();
    haoban_cases::record::verify_projections("linfen", &entries.entries, &cases).unwrap();
}

#[test]
fn an_access_log_kept_less_than_180_days_is_refused() {
    assert_eq!(
        Retention::new(365, 179),
        Err(RetentionError::AccessLogTooShort(179))
    );
    assert!(
        RetentionError::AccessLogTooShort(179)
            .to_string()
            .contains("at least 180 days")
    );
    assert_eq!(
        Retention::new(0, 180),
        Err(RetentionError::PersonalDataZero)
    );
    assert!(Retention::new(30, 180).is_ok());
}
