//! The cases API in process: every transition, allowed and refused; deadlines; the record.

mod support;

use axum::http::StatusCode;
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, RESIDENT, TestApp, at};

fn number(case: &Value) -> String {
    case["number"].as_str().expect("number").to_owned()
}

fn all_received() -> Value {
    json!({"materials": [
        {"material": "id-card", "state": "e_licence"},
        {"material": "bank-card", "state": "received"}
    ]})
}

#[tokio::test]
async fn a_case_goes_from_window_to_delivery_and_every_step_is_recorded() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let case = app.open_case(&clerk).await;
    let n = number(&case);
    assert_eq!(n, "linfen-20261102-0001");
    assert_eq!(case["status"], "submitted");
    assert_eq!(case["applicant"]["id_number"], "1101**********002X");
    assert_eq!(case["required_materials"], json!(["id-card", "bank-card"]));

    let steps: Vec<(&Auth, &str, Value, &str)> = vec![
        (&clerk, "accept", all_received(), "accepted"),
        (&office, "start_review", json!({}), "in_review"),
        (
            &office,
            "add_note",
            json!({"text": "已电话核实"}),
            "in_review",
        ),
        (&office, "approve", json!({}), "approved"),
        (
            &office,
            "mark_ready",
            json!({"delivery": "window"}),
            "ready",
        ),
        (&clerk, "deliver", json!({}), "delivered"),
        (&clerk, "close", json!({}), "closed"),
    ];
    for (auth, action, body, status) in steps {
        let reply = app.try_act(auth, &n, action, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{action}: {:?}", reply.body);
        assert_eq!(reply.body["status"], status, "{action}");
    }
    let record = app.get(&format!("/api/v1/cases/{n}/record"), &office).await;
    let kinds: Vec<&str> = record.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "accepted",
            "review_started",
            "note_added",
            "approved",
            "ready",
            "delivered",
            "closed"
        ]
    );
    assert_eq!(
        record.body["events"][0]["payload"]["applicant"]["id_number"],
        "1101**********002X"
    );
    assert_eq!(record.body["events"][1]["actor"], "zhang");
    assert_eq!(record.body["events"][1]["role"], "clerk");
}

#[tokio::test]
async fn refused_transitions_say_why_and_change_nothing() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = number(&app.open_case(&clerk).await);

    let reply = app.try_act(&office, &n, "approve", json!({})).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["error"]["code"], "conflict");
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs to be in_review")
    );

    let reply = app.try_act(&office, &n, "accept", all_received()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    let reply = app
        .try_act(&clerk, &n, "accept", json!({"materials": []}))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("has not been checked")
    );

    let reply = app.try_act(&clerk, &n, "teleport", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let reply = app
        .try_act(
            &clerk,
            &n,
            "not_accept",
            json!({"reason": "", "legal_basis": "x"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let stale = app
        .try_act(
            &clerk,
            &n,
            "accept",
            json!({"materials": all_received()["materials"], "version": 7}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let record = app.get(&format!("/api/v1/cases/{n}/record"), &clerk).await;
    assert_eq!(
        record.body["events"].as_array().unwrap().len(),
        1,
        "nothing was recorded"
    );

    let reply = app
        .try_act(
            &clerk,
            &n,
            "not_accept",
            json!({"reason": "年龄不符", "legal_basis": "《上海市老年综合津贴管理办法》"}),
        )
        .await;
    assert_eq!(reply.body["status"], "not_accepted");
    let reply = app.try_act(&clerk, &n, "accept", all_received()).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "not_accepted is final");
}

#[tokio::test]
async fn deficiency_supplement_and_deadlines_across_suspensions() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = number(&app.open_case(&clerk).await);
    let reply = app.try_act(&clerk, &n, "accept_with_deficiency", json!({
        "materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "missing"}],
        "promise": "三个工作日内补交银行卡复印件",
        "due": "2026-11-05"
    })).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    // 20 working days from Monday 2026-11-02.
    assert_eq!(reply.body["deadline"]["due"], "2026-11-30");
    assert_eq!(reply.body["deficiency"]["materials"], json!(["bank-card"]));

    app.try_act(&office, &n, "start_review", json!({})).await;
    let refused = app.try_act(&office, &n, "approve", json!({})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let asked = app
        .try_act(
            &office,
            &n,
            "request_supplement",
            json!({"request": "补充银行卡复印件", "due": "2026-11-20"}),
        )
        .await;
    assert_eq!(asked.body["status"], "supplement_requested");
    let (to, message) = app.notifier.sent().last().cloned().expect("resident told");
    assert_eq!(to, RESIDENT);
    assert!(
        message.contains("补充银行卡复印件") && message.contains("2026-11-20"),
        "{message}"
    );

    // Five working days pass while the clock is stopped (sessions time out meanwhile).
    app.clock.set(at("2026-11-09 02:00"));
    let clerk = app
        .sign_in("zhang", support::PASSWORD)
        .await
        .expect("sign in");
    let office = app.sign_in("li", support::PASSWORD).await.expect("sign in");
    let paused = app.get(&format!("/api/v1/cases/{n}"), &office).await;
    assert_eq!(paused.body["deadline"]["paused"], true);
    assert_eq!(paused.body["deadline"]["due"], "2026-12-07");
    app.try_act(&clerk, &n, "provide_supplement", json!({"note": "已补交"}))
        .await;
    app.try_act(&clerk, &n, "fulfil_deficiency", json!({}))
        .await;
    let approved = app
        .try_act(&office, &n, "approve", json!({"note": "符合条件"}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    assert_eq!(approved.body["deadline"]["state"], "on_track");
}

#[tokio::test]
async fn lists_filter_by_status_clerk_and_due() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let first = number(&app.open_case(&clerk).await);
    let _second = number(&app.open_case(&clerk).await);
    app.try_act(&clerk, &first, "accept", all_received()).await;

    let submitted = app.get("/api/v1/cases?status=submitted", &clerk).await;
    assert_eq!(submitted.body["cases"].as_array().unwrap().len(), 1);
    let mine = app.get("/api/v1/cases?clerk=zhang", &clerk).await;
    assert_eq!(mine.body["cases"][0]["number"], first);
    assert_eq!(
        app.get("/api/v1/cases?status=bogus", &clerk).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    assert!(
        app.get("/api/v1/cases?due=overdue", &clerk).await.body["cases"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.clock.set(at("2026-11-27 02:00"));
    let clerk = app
        .sign_in("zhang", support::PASSWORD)
        .await
        .expect("sign in");
    let soon = app.get("/api/v1/cases?due=soon", &clerk).await;
    assert_eq!(
        soon.body["cases"].as_array().unwrap().len(),
        1,
        "{:?}",
        soon.body
    );
    app.clock.set(at("2026-12-01 02:00"));
    let clerk = app
        .sign_in("zhang", support::PASSWORD)
        .await
        .expect("sign in");
    let overdue = app.get("/api/v1/cases?due=overdue", &clerk).await;
    assert_eq!(overdue.body["cases"][0]["number"], first);
}

#[tokio::test]
async fn instant_items_finish_at_the_window() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let reply = app
        .post(
            "/api/v1/cases",
            json!({"item": "consult", "applicant": {"id_number": RESIDENT, "name": "王阿姨"}}),
            &clerk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let n = number(&reply.body);
    let done = app
        .try_act(&clerk, &n, "accept", json!({"materials": []}))
        .await;
    assert_eq!(done.body["status"], "delivered", "{:?}", done.body);
}

#[tokio::test]
async fn a_case_is_opened_only_for_someone_who_may_qualify() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let reply = app
        .post(
            "/api/v1/cases",
            json!({"item": "elderly-allowance", "applicant": {"id_number": RESIDENT, "name": "王阿姨"}, "facts": {"hukou": "other"}}),
            &clerk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("hukou")
    );
    let bad_id = app
        .post("/api/v1/cases", json!({"item": "consult", "applicant": {"id_number": "110105194912310021", "name": "x"}}), &clerk)
        .await;
    assert_eq!(bad_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_id.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );
}

#[tokio::test]
async fn unmasking_an_id_number_is_allowed_by_role_and_recorded() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let n = number(&app.open_case(&clerk).await);
    let full = app
        .get(&format!("/api/v1/cases/{n}?unmask=true"), &clerk)
        .await;
    assert_eq!(full.body["applicant"]["id_number"], RESIDENT);
    assert_eq!(
        app.get(&format!("/api/v1/cases/{n}?unmask=true"), &desk)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let record = app.get(&format!("/api/v1/cases/{n}/record"), &clerk).await;
    let last = record.body["events"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["actor"].as_str()),
        (Some("personal_data_viewed"), Some("zhang"))
    );
}

#[tokio::test]
async fn audit_verify_reports_an_intact_chain() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let auditor = app.staff("qian", Role::Auditor, "linfen").await;
    let n = number(&app.open_case(&clerk).await);
    app.try_act(&clerk, &n, "accept", all_received()).await;
    let reply = app.get("/api/v1/audit/verify", &auditor).await;
    assert_eq!(
        reply.body,
        json!({"center": "linfen", "intact": true, "events": 2})
    );
    assert_eq!(
        app.get("/api/v1/audit/verify", &clerk).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_promised_days_skip_the_national_day_holiday_and_count_the_make_up_saturday() {
    let app = TestApp::new().await;
    app.clock.set(at("2026-09-28 02:00"));
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let n = number(&app.open_case(&clerk).await);
    let accepted = app.try_act(&clerk, &n, "accept", all_received()).await;
    // 20 working days from Monday 28 September: 1–7 October are holidays, Saturday
    // 10 October is a working day; without the calendar it would be 26 October.
    assert_eq!(
        accepted.body["deadline"]["due"], "2026-10-30",
        "{:?}",
        accepted.body
    );
    assert_eq!(accepted.body["deadline"]["state"], "on_track");
}
