//! The access log (审计日志), over HTTP: every route of the router — read from the
//! router's own source, so a route added later is walked too — called by a signed-in
//! supervisor; each state-changing request and each read of personal data writes exactly
//! one record, every other read none. Then who and where from, refusals and sign-ins,
//! secrets never written, and reading the log (the audit role only).

mod support;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use haoban_cases::Role;
use haoban_store::access::{AccessEntry, Outcome, verify};
use haoban_web::audit::PERSONAL_READS;
use haoban_web::client_addr::TrustedProxies;
use haoban_web::router;
use serde_json::{Value, json};
use support::{Auth, PASSWORD, RESIDENT, TestApp};
use tower::ServiceExt;

/// A route of the router: method and template, as axum matches it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    method: String,
    template: String,
}

/// The routes declared in `source`'s router: each `.route("…", get(…).post(…))` with the
/// methods chained onto it. `prefix` applies to templates that `top_level` does not claim.
fn routes_in(source: &str, prefix: &str, top_level: &[&str]) -> Vec<Route> {
    let mut routes = Vec::new();
    let starts: Vec<usize> = source.match_indices(".route(").map(|(at, _)| at).collect();
    for (n, &start) in starts.iter().enumerate() {
        let rest = &source[start + ".route(".len()..];
        let open = rest.find('"').expect("a template");
        let close = open + 1 + rest[open + 1..].find('"').expect("its end");
        let template = &rest[open + 1..close];
        // Up to the next route, or the end of the function.
        let end = starts.get(n + 1).map_or_else(
            || rest.find("\n}").unwrap_or(rest.len()),
            |next| next - start - ".route(".len(),
        );
        let chained = &rest[close..end];
        let full = if top_level.iter().any(|t| template.starts_with(t)) {
            template.to_owned()
        } else {
            format!("{prefix}{template}")
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = chained.match_indices(&format!("{method}(")).any(|(at, _)| {
                at == 0
                    || !chained.as_bytes()[at - 1].is_ascii_alphanumeric()
                        && chained.as_bytes()[at - 1] != b'_'
            });
            if called {
                routes.push(Route {
                    method: method.to_uppercase(),
                    template: full.clone(),
                });
            }
        }
    }
    routes
}

fn all_routes() -> Vec<Route> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).expect("router source");
    let mut routes = routes_in(&read("lib.rs"), "/api/v1", &["/api/openapi", "/metrics"]);
    routes.extend(routes_in(&read("pages/mod.rs"), "", &["/"]));
    routes.sort();
    routes.dedup();
    routes
}

fn is_personal_read(route: &Route) -> bool {
    route.method == "GET" && PERSONAL_READS.contains(&route.template.as_str())
}

/// The template with each parameter filled in.
fn concrete(template: &str, case: &str) -> String {
    template
        .replace("{number}", case)
        .replace("{id}", "missing-1")
        .replace("{action}", "add_note")
        .replace("{window}", "5")
        .replace("{item}", "elderly-allowance")
        .replace("{token}", "SECRET-LINK-TOKEN")
        .replace("{username}", "sup")
        .replace("{staff}", "sup")
        .replace("{step}", "review")
        .replace("{month}", "2026-10")
}

async fn log(app: &TestApp) -> Vec<AccessEntry> {
    let (entries, head) = app.state.store.access_chain().await.expect("log");
    assert_eq!(
        verify(&entries, head),
        Ok(()),
        "the log is one unbroken chain"
    );
    entries
}

/// Sends a request as a browser or script would, with the session's cookie and CSRF
/// header, from `peer`. The body is not read: the record is written before it streams
/// (and `/board/events` never ends).
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &Auth,
    peer: Option<&str>,
    headers: &[(&str, &str)],
) -> StatusCode {
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(path);
    if let Auth::Cookie { secret, csrf } = auth {
        builder = builder
            .header(header::COOKIE, format!("haoban_session={secret}"))
            .header("x-csrf-token", csrf);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = if path.starts_with("/api/") {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
        Body::from("{}")
    } else {
        builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::empty()
    };
    let mut request = builder.body(body).expect("request");
    if let Some(peer) = peer {
        let address: SocketAddr = peer.parse().expect("peer");
        request.extensions_mut().insert(ConnectInfo(address));
    }
    router(app.state.clone())
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

#[tokio::test]
async fn every_route_writes_one_record_when_it_changes_or_shows_personal_data_and_none_otherwise() {
    let app = TestApp::new().await;
    let supervisor = app.staff("sup", Role::Supervisor, "linfen").await;
    let case = app.open_case(&supervisor).await;
    let number = case["number"].as_str().expect("number").to_owned();

    let routes = all_routes();
    // Signing out ends the session it is called with: those get a session of their own.
    let signs_out = |r: &Route| {
        r.template == "/logout" || r.template == "/api/v1/session" && r.method == "DELETE"
    };
    assert!(
        routes.len() >= 100,
        "the router's routes were not all found: {routes:?}"
    );
    // The lists agree: every documented API operation and every personal read is routed.
    let doc: Value =
        serde_json::from_str(include_str!("../openapi.json")).expect("the OpenAPI document");
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            let route = Route {
                method: method.to_uppercase(),
                template: path.clone(),
            };
            assert!(
                routes.contains(&route),
                "{route:?} is documented but not found"
            );
        }
    }
    for personal in PERSONAL_READS {
        assert!(
            routes
                .iter()
                .any(|r| r.method == "GET" && r.template == *personal),
            "{personal} is declared personal but is no GET route"
        );
    }

    let (mut recorded, mut silent) = (0, 0);
    for route in &routes {
        let auth = if signs_out(route) {
            app.sign_in("sup", PASSWORD).await.expect("sign in")
        } else {
            supervisor.clone()
        };
        let before = log(&app).await.len();
        let path = concrete(&route.template, &number);
        let status = call(
            &app,
            &route.method,
            &path,
            &auth,
            Some("203.0.113.9:5000"),
            &[],
        )
        .await;
        let after = log(&app).await;
        let new = &after[before..];
        if route.method != "GET" || is_personal_read(route) {
            assert_eq!(new.len(), 1, "{route:?} ({status}) wrote {new:?}");
            let record = &new[0].record;
            assert_eq!(
                record.action,
                format!("{} {}", route.method, route.template)
            );
            assert_eq!(record.status, status.as_u16(), "{route:?}");
            assert_eq!(record.outcome, Outcome::of_status(status.as_u16()));
            assert_eq!(record.source, "203.0.113.9", "{route:?}");
            // The session is named whatever the handler decided (a page form without its
            // token, a role refused); a sign-in names who tried.
            let signing_in = [
                "/api/v1/session",
                "/login",
                "/api/v1/resident/session",
                "/api/v1/resident/code",
                "/portal",
            ]
            .contains(&route.template.as_str())
                && route.method == "POST";
            if !signing_in {
                assert_eq!(
                    (
                        record.actor.as_str(),
                        record.role.as_str(),
                        record.center.as_str()
                    ),
                    ("sup", "supervisor", "linfen"),
                    "{route:?} ({status})"
                );
            }
            if route.template.contains("{number}") {
                assert!(
                    record.object.contains(&number),
                    "{route:?}: {}",
                    record.object
                );
            }
            recorded += 1;
        } else {
            assert!(
                new.is_empty(),
                "{route:?} is no personal read but wrote {new:?}"
            );
            silent += 1;
        }
    }
    println!(
        "{} routes walked: {recorded} recorded, {silent} silent",
        routes.len()
    );
    assert!(
        recorded >= 60 && silent >= 30,
        "{recorded} recorded, {silent} silent"
    );
    // Secrets never reach the log: the rating link's token, the password, a whole ID number.
    let text = format!("{:?}", log(&app).await);
    for secret in ["SECRET-LINK-TOKEN", PASSWORD, RESIDENT] {
        assert!(!text.contains(secret), "{secret} is in the log");
    }
    assert!(text.contains("token=***"));
}

#[tokio::test]
async fn refusals_and_sign_ins_are_recorded_with_who_tried_and_from_where() {
    let mut app = TestApp::new().await;
    app.state.config.trusted_proxies = TrustedProxies::new(["10.0.0.2".parse().expect("ip")]);
    app.with_user("li", Role::Clerk, "linfen").await;

    // A wrong password, through the trusted proxy: the client it names.
    let body = json!({"username": "li", "password": "wrong password"}).to_string();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", "1.2.3.4, 198.51.100.20")
        .body(Body::from(body))
        .expect("request");
    let mut request = request;
    request.extensions_mut().insert(ConnectInfo(
        "10.0.0.2:40000".parse::<SocketAddr>().expect("peer"),
    ));
    let status = router(app.state.clone())
        .oneshot(request)
        .await
        .expect("reply")
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let entries = log(&app).await;
    let failed = &entries.last().expect("a record").record;
    assert_eq!(
        (
            failed.actor.as_str(),
            failed.outcome,
            failed.source.as_str()
        ),
        ("li", Outcome::Refused, "198.51.100.20")
    );
    assert!(!format!("{entries:?}").contains("wrong password"));

    // The same header from a client that is no trusted proxy is not believed.
    let status = call(
        &app,
        "POST",
        "/api/v1/cases",
        &Auth::Anonymous,
        Some("203.0.113.50:1234"),
        &[("x-forwarded-for", "198.51.100.20")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused = log(&app).await.pop().expect("a record").record;
    assert_eq!(
        (
            refused.actor.as_str(),
            refused.outcome,
            refused.source.as_str()
        ),
        ("anonymous", Outcome::Refused, "203.0.113.50")
    );

    // A resident's sign-in names them masked, never whole.
    app.resident(RESIDENT).await;
    let entries = log(&app).await;
    let signed_in = &entries.last().expect("a record").record;
    assert_eq!(signed_in.action, "POST /api/v1/resident/session");
    assert!(
        signed_in.actor.starts_with("resident:"),
        "{}",
        signed_in.actor
    );
    assert!(!format!("{entries:?}").contains(RESIDENT));

    // Account administration by the admin is recorded, refused or not.
    let admin = app.staff("root", Role::SecurityAdmin, "linfen").await;
    let page = app
        .post_form(
            "/admin/users/disable",
            &[("csrf_token", admin.csrf()), ("username", "li")],
            &admin,
        )
        .await;
    assert!(
        page.status.is_redirection() || page.status.is_success(),
        "{}",
        page.status
    );
    let disabled = log(&app).await.pop().expect("a record").record;
    assert_eq!(
        (disabled.actor.as_str(), disabled.action.as_str()),
        ("root", "POST /admin/users/disable")
    );
    assert_eq!(disabled.object, "username=li");
}

#[tokio::test]
async fn only_the_audit_role_reads_the_log_by_who_object_and_day_a_page_at_a_time() {
    let app = TestApp::new().await;
    let clerk = app.staff("li", Role::Clerk, "linfen").await;
    let auditor = app.staff("shen", Role::Auditor, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number");
    app.get(&format!("/api/v1/cases/{number}"), &clerk).await;

    // Not the clerk, not the admin: refused, and the refusal is itself recorded.
    let refused = app.get("/api/v1/access-log", &clerk).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let last = log(&app).await.pop().expect("a record").record;
    assert_eq!(
        (last.actor.as_str(), last.outcome),
        ("li", Outcome::Refused)
    );

    let read = app
        .get(
            &format!("/api/v1/access-log?actor=li&object={number}"),
            &auditor,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    let actions: Vec<&str> = read.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["GET /api/v1/cases/{number}"]);

    let page = app.get("/api/v1/access-log?limit=2", &auditor).await;
    assert_eq!(page.body["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(page.body["next_offset"], json!(2));
    let today = app
        .get(
            "/api/v1/access-log?from=2026-11-02&until=2026-11-02",
            &auditor,
        )
        .await;
    let yesterday = app
        .get("/api/v1/access-log?until=2026-11-01", &auditor)
        .await;
    assert!(
        !today.body["entries"]
            .as_array()
            .expect("entries")
            .is_empty()
    );
    assert_eq!(yesterday.body["entries"], json!([]));
    let bad = app.get("/api/v1/access-log?from=yesterday", &auditor).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: the same records, in the auditor's navigation; others are refused.
    let html = app.get_page("/access-log?actor=li", &auditor).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.html.contains("审计日志"));
    assert!(html.html.contains(number));
    assert!(html.html.contains("href=\"/access-log\""));
    // The auditor reads cases but reviews none: the work list is named for reading.
    assert!(html.html.contains(">办件查阅<") && !html.html.contains(">后台审核<"));
    let english = app.get_page("/access-log?lang=en", &auditor).await;
    assert!(english.html.contains("Access log"));
    assert_eq!(
        app.get_page("/access-log", &clerk).await.status,
        StatusCode::FORBIDDEN
    );
    // Reading the log is recorded like any personal read.
    let last = log(&app).await.pop().expect("a record").record;
    assert_eq!(last.action, "GET /access-log");
}
