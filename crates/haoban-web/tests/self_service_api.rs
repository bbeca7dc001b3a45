//! The self-service area through the API: the door, cabinets from deposit to pickup, and
//! uploads that lie about their type, exceed the limit, or are altered on disk afterwards.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, RESIDENT, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I',
];

/// A case of the resident's, approved, with a cabinet of `small` compartments installed
/// (none with 0).
async fn approved_case(app: &TestApp, small: usize) -> (String, Auth, Auth) {
    if small > 0 {
        let admin = app.staff("admin", Role::SystemAdmin, "linfen").await;
        let installed = app
            .post(
                "/api/v1/cabinets",
                json!({"name": "A", "location": "24小时自助区东侧", "small": small}),
                &admin,
            )
            .await;
        assert_eq!(
            installed.status,
            StatusCode::CREATED,
            "{:?}",
            installed.body
        );
    }
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    let received = json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]});
    app.act(&clerk, &number, "accept", received).await;
    app.act(&office, &number, "start_review", json!({})).await;
    app.act(&office, &number, "approve", json!({})).await;
    (number, clerk, office)
}

fn pickup_code(app: &TestApp) -> String {
    let (to, message) = app.notifier.sent().last().cloned().expect("a message");
    assert_eq!(to, RESIDENT);
    let after = message
        .split("取件码")
        .nth(1)
        .expect("the message names the code");
    after
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take(6)
        .collect()
}

async fn try_code(app: &TestApp, code: &str) -> Value {
    let reply = app
        .post(
            "/api/v1/kiosk/pickup",
            json!({"center": "linfen", "id_number": RESIDENT, "code": code}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_result_goes_into_a_cabinet_and_out_with_its_code_only() {
    let app = TestApp::new().await;
    let (number, clerk, office) = approved_case(&app, 2).await;
    let ready = app
        .act(
            &office,
            &number,
            "mark_ready",
            json!({"delivery": "cabinet"}),
        )
        .await;
    assert_eq!(ready["status"], "ready");
    let code = pickup_code(&app);
    assert_eq!(code.len(), 6);

    // Staff see the compartment taken.
    let cabinets = app.get("/api/v1/cabinets", &clerk).await;
    assert_eq!(cabinets.status, StatusCode::OK);
    assert_eq!(cabinets.body["compartments"][0]["compartment"], "A-01");
    assert_eq!(cabinets.body["compartments"][0]["case"], number.as_str());
    assert_eq!(cabinets.body["compartments"][1]["case"], Value::Null);
    // It is picked up there, not handed over at the window.
    let reply = app
        .post(
            &format!("/api/v1/cases/{number}/actions/deliver"),
            json!({}),
            &clerk,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("A-01")
    );
    // The code is nowhere in the record.
    let record = app
        .get(&format!("/api/v1/cases/{number}/record"), &office)
        .await;
    assert!(!record.body.to_string().contains(&code));

    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = try_code(&app, wrong).await;
    assert_eq!(refused["outcome"], "wrong");
    assert_eq!(refused["left"], 4);
    assert!(app.devices.opened().is_empty());

    let opened = try_code(&app, &code).await;
    assert_eq!(opened["outcome"], "opened", "{opened:?}");
    assert_eq!(opened["compartment"]["number"], 1);
    assert_eq!(app.devices.opened(), ["compartment:A-01"]);
    let case = app.get(&format!("/api/v1/cases/{number}"), &office).await;
    assert_eq!(case.body["status"], "delivered");
    // Delivered: the resident is asked to rate it.
    let (_, last) = app.notifier.sent().last().cloned().expect("message");
    assert!(last.contains("/rate/"), "{last}");
    // Used once: the same code opens nothing now.
    assert_eq!(try_code(&app, &code).await["outcome"], "wrong");
}

#[tokio::test]
async fn pickup_codes_are_checked_before_anything_is_tried() {
    let app = TestApp::new().await;
    for (body, field) in [
        (
            json!({"center": "linfen", "id_number": RESIDENT, "code": "12345"}),
            "6 digits",
        ),
        (
            json!({"center": "linfen", "id_number": RESIDENT, "code": "12345a"}),
            "6 digits",
        ),
        (
            json!({"center": "linfen", "id_number": "123", "code": "123456"}),
            "ID",
        ),
        (
            json!({"center": "Linfen!", "id_number": RESIDENT, "code": "123456"}),
            "center",
        ),
    ] {
        let reply = app
            .post("/api/v1/kiosk/pickup", body, &Auth::Anonymous)
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
}

#[tokio::test]
async fn no_free_compartment_leaves_the_case_approved_and_says_so() {
    let app = TestApp::new().await;
    let (number, _, office) = approved_case(&app, 0).await;
    let reply = app
        .post(
            &format!("/api/v1/cases/{number}/actions/mark_ready"),
            json!({"delivery": "cabinet"}),
            &office,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("window")
    );
    assert!(
        app.notifier.sent().is_empty(),
        "no code for a result not deposited"
    );
    let case = app.get(&format!("/api/v1/cases/{number}"), &office).await;
    assert_eq!(case.body["status"], "approved");
}

#[tokio::test]
async fn the_door_records_a_visit_and_opens() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            "/api/v1/kiosk/door",
            json!({"center": "linfen", "id_number": RESIDENT, "door": "east"}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(app.devices.opened(), ["door:east"]);
    let chain = app.state.store.chain("linfen").await.expect("chain");
    let entry = chain.entries.last().expect("an entry");
    assert_eq!(entry.kind, "door_entered");
    assert!(!entry.actor.contains(RESIDENT), "the actor is masked");
    let bad = app
        .post(
            "/api/v1/kiosk/door",
            json!({"center": "linfen", "id_number": "11010519491231002Y", "door": "east"}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.devices.opened().len(), 1, "no door opens for a bad ID");
}

async fn upload(
    app: &TestApp,
    auth: &Auth,
    number: &str,
    name: &str,
    ct: &str,
    bytes: &[u8],
) -> support::Reply {
    let path = format!("/api/v1/cases/{number}/uploads?material=id-card&name={name}");
    app.send_bytes(Method::POST, &path, ct, bytes.to_vec(), auth)
        .await
        .0
}

#[tokio::test]
async fn uploads_are_judged_by_their_content_and_size() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number");
    let resident = app.resident(RESIDENT).await;

    let kept = upload(&app, &resident, number, "scan.pdf", "application/pdf", PDF).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{:?}", kept.body);
    assert_eq!(kept.body["meta"]["kind"], "pdf");

    // A PNG named .pdf, an HTML page sent as a PDF: refused, saying why.
    let png_as_pdf = upload(&app, &resident, number, "scan.pdf", "application/pdf", PNG).await;
    assert_eq!(png_as_pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        png_as_pdf.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("png"),
        "{:?}",
        png_as_pdf.body
    );
    let html = b"<html><script>alert(1)</script></html>";
    let html_as_pdf = upload(&app, &resident, number, "scan.pdf", "application/pdf", html).await;
    assert_eq!(html_as_pdf.status, StatusCode::UNPROCESSABLE_ENTITY);

    let limit = app.state.config.self_service.upload_limit;
    let mut big = PDF.to_vec();
    big.resize(limit + 1, b' ');
    let too_big = upload(&app, &resident, number, "big.pdf", "application/pdf", &big).await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_big.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(&limit.to_string()),
        "{:?}",
        too_big.body
    );
    let listed = app
        .get(&format!("/api/v1/cases/{number}/uploads"), &resident)
        .await;
    assert_eq!(listed.body["uploads"].as_array().map(Vec::len), Some(1));

    // Someone else's case is not theirs to upload to.
    let other = app.resident(support::OTHER_RESIDENT).await;
    let refused = upload(&app, &other, number, "scan.pdf", "application/pdf", PDF).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_altered_on_disk_is_never_served() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number");
    let kept = upload(&app, &clerk, number, "scan.pdf", "application/pdf", PDF).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{:?}", kept.body);
    let id = kept.body["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/cases/{number}/uploads/{id}");

    let (served, bytes) = app
        .send_bytes(Method::GET, &path, "text/plain", Vec::new(), &clerk)
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(bytes, PDF);

    // Behind the application's back: one byte of the stored file changes.
    let url = format!("sqlite://{}", app.db_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    let mut altered = PDF.to_vec();
    altered[12] ^= 0x20;
    sqlx::query("UPDATE uploads SET body = ? WHERE id = ?")
        .bind(&altered)
        .bind(&id)
        .execute(&pool)
        .await
        .expect("alter");
    pool.close().await;

    let (refused, bytes) = app
        .send_bytes(Method::GET, &path, "text/plain", Vec::new(), &clerk)
        .await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !bytes
            .windows(altered.len())
            .any(|w| w == altered.as_slice())
    );
    assert!(
        !refused.body.to_string().contains("sha"),
        "the cause stays in the log"
    );
}
