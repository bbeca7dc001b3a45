//! Per-source rate limits at the doors a guesser knocks on: an address over its limit gets
//! 429 with Retry-After, other addresses go on, and a new minute starts a new count.

mod support;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use support::{RESIDENT, TestApp};

async fn ask_for_a_code(app: &TestApp, from: &str) -> (StatusCode, Option<String>, String) {
    let peer: SocketAddr = format!("{from}:40000").parse().expect("address");
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/resident/code")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            r#"{{"id_number": "{RESIDENT}", "center": "linfen"}}"#
        )))
        .expect("request");
    request.extensions_mut().insert(ConnectInfo(peer));
    let (status, headers, body) = app.send(request).await;
    let retry = headers
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().expect("ascii").to_owned());
    (status, retry, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn an_address_asking_too_often_waits_and_others_do_not() {
    let app = TestApp::new().await;
    let limit = app.state.config.rate_limits.resident_code;
    for _ in 0..limit {
        let (status, _, body) = ask_for_a_code(&app, "203.0.113.9").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let sent = app.notifier.sent().len();
    let (status, retry, body) = ask_for_a_code(&app, "203.0.113.9").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("60"));
    assert!(
        body.contains("rate_limited") && body.contains("请求过于频繁"),
        "{body}"
    );
    // Refused before the handler: no code went out.
    assert_eq!(app.notifier.sent().len(), sent);

    let (status, _, _) = ask_for_a_code(&app, "198.51.100.7").await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "another address is not held back"
    );

    app.clock.advance(chrono::Duration::seconds(61));
    let (status, _, _) = ask_for_a_code(&app, "203.0.113.9").await;
    assert_eq!(status, StatusCode::ACCEPTED, "a new minute, a new count");
}
