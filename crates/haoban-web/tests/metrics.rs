//! `/metrics` in the Prometheus text format: the queue and the deadlines, for a token of a
//! role that may see the center's reports, and nothing personal.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::json;
use support::{Auth, RESIDENT, TestApp};

/// The value of the sample `name{center="linfen"}`.
fn sample(text: &str, name: &str) -> f64 {
    let prefix = format!("{name}{{center=\"linfen\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .parse()
        .expect("a number")
}

async fn scrape(app: &TestApp, auth: &Auth) -> (StatusCode, String) {
    let reply = app.request(Method::GET, "/metrics", None, auth).await;
    let text = match reply.body {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    (reply.status, text)
}

#[tokio::test]
async fn the_queue_and_the_deadlines_are_exposed_to_a_supervisor_token() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let supervisor = app.staff("chen", Role::Supervisor, "linfen").await;
    for _ in 0..3 {
        app.post("/api/v1/tickets", json!({}), &desk).await;
    }
    app.clock.advance(chrono::Duration::minutes(7));
    app.request(Method::POST, "/api/v1/windows/1/call", None, &clerk)
        .await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().unwrap();
    let accepted = app
        .post(
            &format!("/api/v1/cases/{number}/actions/accept"),
            json!({"materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "received"}]}),
            &clerk,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);

    let token = app
        .request(Method::POST, "/api/v1/tokens", None, &supervisor)
        .await;
    let token = Auth::Token(token.body["token"].as_str().unwrap().to_owned());
    let (status, text) = scrape(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("# TYPE haoban_queue_waiting gauge"));
    assert_eq!(sample(&text, "haoban_queue_waiting"), 2.0);
    assert_eq!(sample(&text, "haoban_queue_at_windows"), 1.0);
    assert_eq!(sample(&text, "haoban_queue_longest_wait_seconds"), 420.0);
    assert_eq!(sample(&text, "haoban_tickets_issued_today"), 3.0);
    assert_eq!(sample(&text, "haoban_cases_pending"), 1.0);
    assert_eq!(sample(&text, "haoban_cases_overdue"), 0.0);
    assert!(
        !text.contains(RESIDENT) && !text.contains("王"),
        "nothing personal"
    );

    // Twenty working days later the case is overdue.
    app.clock.advance(chrono::Duration::days(40));
    let (_, later) = scrape(&app, &token).await;
    assert_eq!(sample(&later, "haoban_cases_overdue"), 1.0);
    assert_eq!(
        sample(&later, "haoban_queue_waiting"),
        0.0,
        "a new day, a new queue"
    );
}

#[tokio::test]
async fn only_roles_that_see_reports_may_scrape() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    assert_eq!(scrape(&app, &clerk).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        scrape(&app, &Auth::Anonymous).await.0,
        StatusCode::UNAUTHORIZED
    );
}
