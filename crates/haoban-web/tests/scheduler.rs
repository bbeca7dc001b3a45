//! The server's scheduled work, with an injected clock: the monthly list of the month
//! before appears on the first working day without anyone asking, once, and matches a
//! recomputation from the process record.

mod support;

use haoban_cases::{CenterId, Role};
use haoban_insight::{Config, Month, MonthlyList};
use haoban_web::scheduler::{Done, tick};
use serde_json::json;
use support::{TestApp, at};

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
    assert_eq!(tick(&app.state).await.unwrap(), Done::default());
}
