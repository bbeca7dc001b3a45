//! Signing in and staying signed in: passwords, lockout, CSRF, timeouts, tokens,
//! residents' codes, disabled accounts, and errors that do not leak.

mod support;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, PASSWORD, RESIDENT, TestApp};

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_look_the_same() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let wrong = app.sign_in("zhang", "not the password").await.unwrap_err();
    let unknown = app.sign_in("nobody", "not the password").await.unwrap_err();
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert!(wrong.set_cookie.is_none());
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    for _ in 0..5 {
        assert_eq!(
            app.sign_in("zhang", "guess").await.unwrap_err().status,
            StatusCode::FORBIDDEN
        );
    }
    let locked = app.sign_in("zhang", PASSWORD).await.unwrap_err();
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.body["error"]["code"], "locked");
    app.clock.advance(Duration::minutes(16));
    assert!(
        app.sign_in("zhang", PASSWORD).await.is_ok(),
        "unlocked after the lock period"
    );
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_and_tokens_do_not() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let Auth::Cookie { secret, csrf } = &clerk else {
        panic!("cookie session")
    };
    let case = json!({"item": "consult", "applicant": {"id_number": RESIDENT, "name": "王阿姨"}});
    let without = Auth::Cookie {
        secret: secret.clone(),
        csrf: String::new(),
    };
    let reply = app.post("/api/v1/cases", case.clone(), &without).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("x-csrf-token")
    );
    assert_eq!(
        app.get("/api/v1/cases", &without).await.status,
        StatusCode::OK,
        "reads need no token"
    );
    assert_eq!(
        app.post("/api/v1/cases", case.clone(), &clerk).await.status,
        StatusCode::CREATED
    );
    let token = app
        .request(Method::POST, "/api/v1/tokens", None, &clerk)
        .await;
    assert_eq!(token.status, StatusCode::CREATED);
    let bearer = Auth::Token(token.body["token"].as_str().unwrap().to_owned());
    assert_eq!(
        app.post("/api/v1/cases", case, &bearer).await.status,
        StatusCode::CREATED
    );
    assert_ne!(csrf, "");
}

#[tokio::test]
async fn a_session_in_constant_use_still_ends_after_twelve_hours() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    // A request every 25 minutes keeps it from ever being idle...
    for _ in 0..28 {
        app.clock.advance(Duration::minutes(25));
        assert_eq!(
            app.get("/api/v1/session", &clerk).await.status,
            StatusCode::OK
        );
    }
    // ...but 11 h 40 min after signing in, the next 25 minutes cross the 12 hours.
    app.clock.advance(Duration::minutes(25));
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let form = format!("username=zhang&password={}", PASSWORD.replace(' ', "+"));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(form.clone()))
        .expect("request");
    let response = haoban_web::router(app.state.clone())
        .oneshot(request)
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .headers()
            .get(header::SET_COOKIE)
            .is_none_or(|c| !c.to_str().unwrap_or("").starts_with("haoban_session=")),
        "no session for a login another site posted"
    );
    // The same form from the site itself signs in.
    let own = app
        .page(
            Method::POST,
            "/login",
            Some(&[("username", "zhang"), ("password", PASSWORD)]),
            &Auth::Anonymous,
            &[],
        )
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    assert!(own.cookie("haoban_session").is_some());
}

#[tokio::test]
async fn sessions_end_when_idle_too_long_and_on_sign_out() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::OK,
        "each request slides the idle timeout"
    );
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );

    let clerk = app.sign_in("zhang", PASSWORD).await.expect("sign in");
    let out = app
        .request(Method::DELETE, "/api/v1/session", None, &clerk)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_have_an_absolute_limit_too() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    for _ in 0..26 {
        app.clock.advance(Duration::minutes(29));
        let _ = app.get("/api/v1/session", &clerk).await;
    }
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn each_sign_in_gets_a_new_session_and_cookies_are_http_only() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let first = app
        .request(
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "zhang", "password": PASSWORD})),
            &Auth::Anonymous,
        )
        .await;
    let second = app
        .request(
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "zhang", "password": PASSWORD})),
            &Auth::Anonymous,
        )
        .await;
    let (a, b) = (first.set_cookie.unwrap(), second.set_cookie.unwrap());
    assert_ne!(a, b);
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(a.contains(attribute), "{a}");
    }
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_sign_ins() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    app.state
        .store
        .disable_user("zhang")
        .await
        .expect("disable");
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("zhang", PASSWORD).await.unwrap_err().status,
        StatusCode::FORBIDDEN
    );
}

async fn ask_code(app: &TestApp) -> String {
    let reply = app
        .post(
            "/api/v1/resident/code",
            json!({"id_number": RESIDENT, "center": "linfen"}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let (to, message) = app.notifier.sent().last().cloned().expect("sent");
    assert_eq!(to, RESIDENT);
    message
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect()
}

async fn use_code(app: &TestApp, code: &str) -> StatusCode {
    app.post(
        "/api/v1/resident/session",
        json!({"id_number": RESIDENT, "code": code}),
        &Auth::Anonymous,
    )
    .await
    .status
}

#[tokio::test]
async fn resident_codes_are_single_use_expire_and_tolerate_few_guesses() {
    let app = TestApp::new().await;
    let code = ask_code(&app).await;
    assert_eq!(use_code(&app, &code).await, StatusCode::OK);
    assert_eq!(
        use_code(&app, &code).await,
        StatusCode::FORBIDDEN,
        "single use"
    );

    let code = ask_code(&app).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(use_code(&app, wrong).await, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        use_code(&app, &code).await,
        StatusCode::FORBIDDEN,
        "too many guesses"
    );

    let code = ask_code(&app).await;
    app.clock.advance(Duration::minutes(11));
    assert_eq!(
        use_code(&app, &code).await,
        StatusCode::FORBIDDEN,
        "expired"
    );

    let bad = app
        .post(
            "/api/v1/resident/code",
            json!({"id_number": "123", "center": "linfen"}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_json_is_a_clear_422() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let reply = app
        .post("/api/v1/cases", json!({"item": "consult"}), &clerk)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("applicant"),
        "{:?}",
        reply.body
    );
    let reply = app
        .post(
            "/api/v1/prereview",
            json!({"facts": {"hukou": "mars"}}),
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("hukou")
    );
}

#[tokio::test]
async fn a_server_error_does_not_show_its_cause() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().unwrap().to_owned();
    let path = app.db_path();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("db");
    sqlx::query("UPDATE cases SET state = 'not json'")
        .execute(&pool)
        .await
        .expect("corrupt");
    let reply = app.get(&format!("/api/v1/cases/{number}"), &clerk).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("reference"), "{message}");
    for leak in ["projection", "json", "sqlite", "expected"] {
        assert!(!message.to_lowercase().contains(leak), "{message}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoints_that_exist() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", &Auth::Anonymous).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, methods) in paths {
        for method in methods.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    assert_eq!(documented.len(), 42, "{documented:?}");
    for (method, path) in documented {
        let concrete = path
            .replace("{number}", "linfen-20261102-0001")
            .replace("{id}", "consult")
            .replace("{action}", "add_note")
            .replace("{window}", "5");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply = app
            .request(method.clone(), &concrete, Some(json!({})), &Auth::Anonymous)
            .await;
        let missing_route = reply.body["error"]["message"]
            == Value::String("no such endpoint".into())
            || reply.status == StatusCode::METHOD_NOT_ALLOWED;
        assert!(
            !missing_route,
            "{method} {path} is documented but not routed"
        );
    }
}
