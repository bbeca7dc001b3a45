//! The queue over HTTP: tickets at the desk, calls at windows, the day's queue.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn the_desk_issues_tickets_and_windows_call_them_by_the_rule() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let first = app
        .post(
            "/api/v1/tickets",
            json!({"items": ["elderly-allowance"]}),
            &desk,
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["number"], "A001");
    assert_eq!(first.body["estimate"], json!({"ahead": 0, "minutes": 8}));
    app.clock.advance(chrono::Duration::minutes(3));
    let elderly = app
        .post("/api/v1/tickets", json!({"priority": "elderly"}), &desk)
        .await;
    assert_eq!(elderly.body["number"], "A002");
    assert_eq!(
        elderly.body["estimate"]["ahead"], 0,
        "the elderly ticket is ahead by the rule"
    );
    let consult = app
        .post("/api/v1/tickets", json!({"category": "B"}), &desk)
        .await;
    assert_eq!(consult.body["number"], "B001");

    let called = app
        .request(Method::POST, "/api/v1/windows/5/call", None, &clerk)
        .await;
    assert_eq!(called.status, StatusCode::OK, "{:?}", called.body);
    assert_eq!(called.body["ticket"]["number"], "A002");
    assert_eq!(called.body["ticket"]["call_text"], "请A002号到5号窗口");

    let queue = app.get("/api/v1/tickets", &desk).await;
    let statuses: Vec<(&str, &str)> = queue.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["number"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [("A001", "waiting"), ("A002", "called"), ("B001", "waiting")]
    );
    assert!(
        queue.body["rule"]["zh"]
            .as_str()
            .unwrap()
            .contains("叫号规则")
    );

    for _ in 0..2 {
        app.request(Method::POST, "/api/v1/windows/6/call", None, &clerk)
            .await;
    }
    let empty = app
        .request(Method::POST, "/api/v1/windows/6/call", None, &clerk)
        .await;
    assert_eq!(empty.body, json!({"ticket": null}));
}

#[tokio::test]
async fn bad_ticket_requests_are_refused_with_a_reason() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    for (body, fragment) in [
        (json!({"category": "ab"}), "one capital letter"),
        (json!({"items": ["ghost"]}), "ghost"),
        (json!({"priority": "vip"}), "priority"),
    ] {
        let reply = app.post("/api/v1/tickets", body, &desk).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(fragment),
            "{:?}",
            reply.body
        );
    }
}
