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

#[tokio::test]
async fn a_window_serves_transfers_and_parks_the_tickets_it_holds() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    for _ in 0..2 {
        app.post("/api/v1/tickets", json!({}), &desk).await;
    }
    let first = app
        .request(Method::POST, "/api/v1/windows/5/call", None, &clerk)
        .await;
    assert_eq!(first.body["ticket"]["number"], "A001");
    let step = |number: &'static str, action: &'static str, body: serde_json::Value| {
        let app = &app;
        let clerk = &clerk;
        async move {
            app.post(
                &format!("/api/v1/tickets/{number}/actions/{action}"),
                body,
                clerk,
            )
            .await
        }
    };
    let wrong_window = step("A001", "start", json!({"window": "6"})).await;
    assert_eq!(
        wrong_window.status,
        StatusCode::CONFLICT,
        "{:?}",
        wrong_window.body
    );
    assert!(
        wrong_window.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("window 5")
    );
    let recalled = step("A001", "recall", json!({"window": "5"})).await;
    assert_eq!(recalled.body["recalls"], 1);
    let no_target = step("A001", "transfer", json!({"window": "5"})).await;
    assert_eq!(no_target.status, StatusCode::UNPROCESSABLE_ENTITY);
    let moved = step("A001", "transfer", json!({"window": "5", "to_window": "9"})).await;
    assert_eq!(moved.body["status"], "waiting");
    assert_eq!(moved.body["reserved_for"], "9");
    let next_at_5 = app
        .request(Method::POST, "/api/v1/windows/5/call", None, &clerk)
        .await;
    assert_eq!(next_at_5.body["ticket"]["number"], "A002");
    let at_9 = app
        .request(Method::POST, "/api/v1/windows/9/call", None, &clerk)
        .await;
    assert_eq!(at_9.body["ticket"]["number"], "A001");
    assert_eq!(
        step("A001", "start", json!({"window": "9"})).await.status,
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::minutes(12));
    let done = step("A001", "finish", json!({"window": "9"})).await;
    assert_eq!(done.body["status"], "done");
    let unknown = step("A001", "dance", json!({"window": "9"})).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let desk_may_not = app
        .post(
            "/api/v1/tickets/A002/actions/no_show",
            json!({"window": "5"}),
            &desk,
        )
        .await;
    assert_eq!(desk_may_not.status, StatusCode::FORBIDDEN);
    let gone = step("A002", "no_show", json!({"window": "5"})).await;
    assert_eq!(gone.body["status"], "no_show");
}

#[tokio::test]
async fn appointments_are_booked_by_slot_and_checked_in_ahead_of_the_queue() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    app.post("/api/v1/tickets", json!({}), &desk).await;
    // The clock stands at 10:00 in Shanghai on 2026-11-02.
    let book = |slot: &'static str, id: &'static str| {
        let app = &app;
        let desk = &desk;
        async move {
            app.post(
                "/api/v1/appointments",
                json!({"id_number": id, "name": "王阿姨", "item": "elderly-allowance",
                       "day": "2026-11-02", "slot": slot}),
                desk,
            )
            .await
        }
    };
    assert_eq!(
        book("09:10", support::RESIDENT).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        book("08:00", support::RESIDENT).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let booked = book("10:00", support::RESIDENT).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    assert_eq!(booked.body["id_number"], "1101**********002X");
    assert_eq!(
        book("10:30", support::RESIDENT).await.status,
        StatusCode::CONFLICT
    );
    let listed = app.get("/api/v1/appointments?day=2026-11-02", &desk).await;
    assert_eq!(listed.body["appointments"][0]["slot"], "2026-11-02 10:00");

    let ticket = app
        .post(
            "/api/v1/appointments/check-in",
            json!({"id_number": support::RESIDENT}),
            &desk,
        )
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{:?}", ticket.body);
    assert_eq!(ticket.body["priority"], "appointment_due");
    let again = app
        .post(
            "/api/v1/appointments/check-in",
            json!({"id_number": support::RESIDENT}),
            &desk,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let called = app
        .request(Method::POST, "/api/v1/windows/1/call", None, &clerk)
        .await;
    assert_eq!(
        called.body["ticket"]["number"], "A002",
        "the appointment goes first"
    );
}

#[tokio::test]
async fn the_desk_registers_visitors_and_records_consultations() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let missing = app
        .post(
            "/api/v1/visitors/lookup",
            json!({"id_number": support::RESIDENT}),
            &desk,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_phone = app
        .post(
            "/api/v1/visitors",
            json!({"id_number": support::RESIDENT, "name": "王阿姨", "phone": "12"}),
            &desk,
        )
        .await;
    assert_eq!(bad_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_phone.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("phone")
    );
    let registered = app
        .post(
            "/api/v1/visitors",
            json!({"id_number": support::RESIDENT, "name": "王阿姨", "phone": "13812345678"}),
            &desk,
        )
        .await;
    assert_eq!(registered.status, StatusCode::CREATED);
    let found = app
        .post(
            "/api/v1/visitors/lookup",
            json!({"id_number": support::RESIDENT}),
            &desk,
        )
        .await;
    assert_eq!(found.body["name"], "王阿姨");
    let consulted = app
        .post(
            "/api/v1/visits",
            json!({"id_number": support::RESIDENT, "items": ["elderly-allowance"], "note": "问补贴标准"}),
            &desk,
        )
        .await;
    assert_eq!(consulted.status, StatusCode::CREATED);
    let chain = app.state.store.chain("linfen").await.unwrap();
    let last = chain.entries.last().unwrap();
    assert_eq!(last.kind, "visit_recorded");
    assert!(last.payload.contains("\"consult_only\":true"));
}
