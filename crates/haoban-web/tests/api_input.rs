//! What schemathesis found (tests/schemathesis/run.sh), kept as in-process regressions:
//! input the API cannot read is answered in its own error JSON, naming what is wrong, and
//! the served document lists the ids of the catalog in use.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::json;
use support::{Auth, Reply, TestApp};

/// The API's error JSON with `code`, and its message.
fn error(reply: &Reply, status: StatusCode, code: &str) -> String {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(reply.body["error"]["code"], code, "{:?}", reply.body);
    reply.body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

#[tokio::test]
async fn a_query_string_that_does_not_fit_is_a_422_naming_the_parameter() {
    let app = TestApp::new().await;
    let supervisor = app.staff("wang", Role::Supervisor, "linfen").await;
    // Each was axum's plain-text 400, which a client reading `{"error": ...}` cannot parse.
    for (path, parameter) in [
        ("/api/v1/cases?offset=177971952740740672", "offset"),
        ("/api/v1/cases?limit=many", "limit"),
        ("/api/v1/cases/linfen-20261102-0001?unmask=null", "unmask"),
        ("/api/v1/follow-ups?all=null&all=null", "all"),
        ("/api/v1/appointments?day=", "day"),
        ("/api/v1/ratings?month=2026-11&month=2026-12", "month"),
    ] {
        let reply = app.get(path, &supervisor).await;
        let message = error(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert!(message.contains(parameter), "{path}: {message}");
    }
}

#[tokio::test]
async fn a_path_that_does_not_decode_names_nothing() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    // %FF is not UTF-8: no case, follow-up or window can be called that.
    for path in [
        "/api/v1/cases/%FF",
        "/api/v1/cases/%FF/record",
        "/api/v1/follow-ups/%FF",
    ] {
        let reply = app.get(path, &clerk).await;
        error(&reply, StatusCode::NOT_FOUND, "not_found");
    }
    let reply = app
        .post("/api/v1/windows/%FF%FE/call", json!({}), &clerk)
        .await;
    error(&reply, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_body_must_be_a_json_object() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    // serde reads a struct from an array too: this issued a ticket.
    let reply = app
        .post("/api/v1/tickets", json!([null, null]), &clerk)
        .await;
    let message = error(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(message.contains("JSON object"), "{message}");
    let queue = app.get("/api/v1/tickets", &clerk).await;
    assert_eq!(queue.body["tickets"], json!([]), "no ticket was issued");

    for body in [json!(["zhang", "x"]), json!("zhang"), json!(null)] {
        let reply = app.post("/api/v1/session", body, &Auth::Anonymous).await;
        error(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    // An object still works, decimals kept as written (prereview reads facts raw).
    let reply = app
        .post("/api/v1/prereview", json!({"facts": {}}), &Auth::Anonymous)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test]
async fn a_case_action_with_broken_json_is_a_422_in_the_error_json() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number");
    let path = format!("/api/v1/cases/{number}/actions/add_note");
    // Was axum's plain-text 400 ("Failed to parse the request body as JSON").
    let (reply, _) = app
        .send_bytes(
            Method::POST,
            &path,
            "application/json",
            b"\x19)\xff{".to_vec(),
            &clerk,
        )
        .await;
    error(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let (reply, _) = app
        .send_bytes(
            Method::POST,
            &path,
            "application/json",
            br#"{"text": "checked the hukou book"}"#.to_vec(),
            &clerk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test]
async fn the_served_document_lists_the_catalogs_ids() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", &Auth::Anonymous).await;
    assert_eq!(doc.status, StatusCode::OK);
    let schemas = &doc.body["components"]["schemas"];
    let listed = |schema: &str| -> Vec<String> {
        let values = schemas[schema]["enum"].as_array().expect(schema);
        values
            .iter()
            .map(|v| v.as_str().expect("an id").to_owned())
            .collect()
    };
    let catalog = &app.state.catalog;
    let mut items: Vec<String> = catalog.items().map(|i| i.id.clone()).collect();
    items.sort();
    assert_eq!(listed("ItemId"), items);
    let mut bundles: Vec<String> = catalog.bundles().map(|b| b.id.clone()).collect();
    bundles.sort();
    assert_eq!(listed("BundleId"), bundles);
    let materials = listed("MaterialId");
    assert!(materials.iter().any(|m| m == "supplement"), "{materials:?}");
    assert_eq!(materials.len(), catalog.materials().len() + 1);

    // What the API can answer is documented: sign-in or a role refused on every
    // operation that needs one, 422 wherever a query or a body can be wrong.
    for (path, methods) in doc.body["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let responses = &operation["responses"];
            let open = operation["security"] == json!([]);
            if !open {
                for status in ["401", "403"] {
                    assert!(responses.get(status).is_some(), "{method} {path}: {status}");
                }
            }
            let params = operation["parameters"].as_array().cloned();
            let takes_input = operation.get("requestBody").is_some()
                || params
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p["in"] == "query");
            if takes_input {
                assert!(responses.get("422").is_some(), "{method} {path}: 422");
            }
        }
    }
}
