//! The policy table, asserted over HTTP: every role × endpoint × (own center / other
//! center / own case / another resident's case), against an expected table written out
//! here by hand. Any allow the table does not list fails the test. The admin pages, which
//! act under the admin actions, get the same treatment, asked as a browser asks.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, OTHER_RESIDENT, RESIDENT, TestApp};

/// Columns of the expected table, in this order.
const ROLES: [Role; 8] = [
    Role::Desk,
    Role::Clerk,
    Role::Office,
    Role::Supervisor,
    Role::SystemAdmin,
    Role::SecurityAdmin,
    Role::Auditor,
    Role::Resident,
];

struct Endpoint {
    name: &'static str,
    method: Method,
    /// `{case}` is replaced by the target case number (here and in the body), and
    /// `{follow_up}` by the follow-up of a bad rating of `clerk-1`.
    path: &'static str,
    body: Option<Value>,
    /// One letter per role in `ROLES`: `Y` allowed, `-` refused.
    allowed: &'static str,
    /// Whether the endpoint is about a particular case (so other centers and other
    /// residents are refused even for allowed roles).
    on_case: bool,
}

fn endpoints() -> Vec<Endpoint> {
    let action = |name: &'static str, body: Value, allowed: &'static str| Endpoint {
        name,
        method: Method::POST,
        path: match name {
            "check_materials" => "/api/v1/cases/{case}/actions/check_materials",
            "accept" => "/api/v1/cases/{case}/actions/accept",
            "accept_with_deficiency" => "/api/v1/cases/{case}/actions/accept_with_deficiency",
            "not_accept" => "/api/v1/cases/{case}/actions/not_accept",
            "start_review" => "/api/v1/cases/{case}/actions/start_review",
            "request_supplement" => "/api/v1/cases/{case}/actions/request_supplement",
            "provide_supplement" => "/api/v1/cases/{case}/actions/provide_supplement",
            "fulfil_deficiency" => "/api/v1/cases/{case}/actions/fulfil_deficiency",
            "approve" => "/api/v1/cases/{case}/actions/approve",
            "deny" => "/api/v1/cases/{case}/actions/deny",
            "mark_ready" => "/api/v1/cases/{case}/actions/mark_ready",
            "deliver" => "/api/v1/cases/{case}/actions/deliver",
            "close" => "/api/v1/cases/{case}/actions/close",
            "withdraw" => "/api/v1/cases/{case}/actions/withdraw",
            _ => "/api/v1/cases/{case}/actions/add_note",
        },
        body: Some(body),
        allowed,
        on_case: true,
    };
    let materials = json!({"materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "missing"}]});
    vec![
        //                                                            D C O S A K U R
        Endpoint {
            name: "read case",
            method: Method::GET,
            path: "/api/v1/cases/{case}",
            body: None,
            allowed: "YYYY--YY",
            on_case: true,
        },
        Endpoint {
            name: "unmask",
            method: Method::GET,
            path: "/api/v1/cases/{case}?unmask=true",
            body: None,
            allowed: "-YYY----",
            on_case: true,
        },
        Endpoint {
            name: "record",
            method: Method::GET,
            path: "/api/v1/cases/{case}/record",
            body: None,
            allowed: "YYYY--YY",
            on_case: true,
        },
        action("add_note", json!({"text": "note"}), "YYYY----"),
        action("check_materials", materials.clone(), "-Y-Y----"),
        action(
            "accept_with_deficiency",
            json!({"materials": materials["materials"], "promise": "p", "due": "2026-11-20"}),
            "-Y-Y----",
        ),
        action("accept", materials.clone(), "-Y-Y----"),
        action(
            "not_accept",
            json!({"reason": "r", "legal_basis": "b"}),
            "-Y-Y----",
        ),
        action("start_review", json!({}), "--YY----"),
        action(
            "request_supplement",
            json!({"request": "r", "due": "2026-11-20"}),
            "--YY----",
        ),
        action("provide_supplement", json!({"note": "n"}), "-YYY---Y"),
        action("fulfil_deficiency", json!({}), "-YYY----"),
        action("approve", json!({}), "--YY----"),
        action("deny", json!({"reason": "r"}), "--YY----"),
        action("mark_ready", json!({"delivery": "window"}), "-YYY----"),
        action("deliver", json!({}), "-Y-Y----"),
        action("close", json!({}), "-YYY----"),
        action("withdraw", json!({"reason": "r"}), "-YYY---Y"),
        Endpoint {
            name: "list cases",
            method: Method::GET,
            path: "/api/v1/cases",
            body: None,
            allowed: "YYYY--YY",
            on_case: false,
        },
        Endpoint {
            name: "create case",
            method: Method::POST,
            path: "/api/v1/cases",
            body: Some(
                json!({"item": "elderly-allowance", "applicant": {"id_number": RESIDENT, "name": "王阿姨"}, "facts": {"hukou": "shanghai"}}),
            ),
            allowed: "YY-Y---Y",
            on_case: false,
        },
        Endpoint {
            name: "audit verify",
            method: Method::GET,
            path: "/api/v1/audit/verify",
            body: None,
            allowed: "---Y--Y-",
            on_case: false,
        },
        Endpoint {
            name: "read the access log",
            method: Method::GET,
            path: "/api/v1/access-log",
            body: None,
            allowed: "------Y-",
            on_case: false,
        },
        Endpoint {
            name: "create token",
            method: Method::POST,
            path: "/api/v1/tokens",
            body: None,
            allowed: "YYYYYYY-",
            on_case: false,
        },
        //                                                           D C O S A K U R
        Endpoint {
            name: "issue ticket",
            method: Method::POST,
            path: "/api/v1/tickets",
            body: Some(json!({"priority": "elderly"})),
            allowed: "YY-Y----",
            on_case: false,
        },
        Endpoint {
            name: "call ticket",
            method: Method::POST,
            path: "/api/v1/windows/5/call",
            body: None,
            allowed: "-Y-Y----",
            on_case: false,
        },
        Endpoint {
            name: "view queue",
            method: Method::GET,
            path: "/api/v1/tickets",
            body: None,
            allowed: "YYYY----",
            on_case: false,
        },
        //                                                           D C O S A K U R
        Endpoint {
            name: "rate a case",
            method: Method::POST,
            path: "/api/v1/ratings",
            body: Some(
                json!({"target": {"kind": "case", "case": "{case}"}, "level": 5, "channel": "portal"}),
            ),
            allowed: "-------Y",
            on_case: true,
        },
        Endpoint {
            name: "list ratings",
            method: Method::GET,
            path: "/api/v1/ratings",
            body: None,
            allowed: "---Y----",
            on_case: false,
        },
        Endpoint {
            name: "list follow-ups",
            method: Method::GET,
            path: "/api/v1/follow-ups",
            body: None,
            allowed: "YYYY----",
            on_case: false,
        },
        Endpoint {
            name: "read a follow-up (clerk-1's)",
            method: Method::GET,
            path: "/api/v1/follow-ups/{follow_up}",
            body: None,
            allowed: "-Y-Y----",
            on_case: false,
        },
        Endpoint {
            name: "call back",
            method: Method::POST,
            path: "/api/v1/follow-ups/{follow_up}/call_back",
            body: Some(json!({"note": "n"})),
            allowed: "---Y----",
            on_case: false,
        },
        Endpoint {
            name: "fix",
            method: Method::POST,
            path: "/api/v1/follow-ups/{follow_up}/fix",
            body: Some(json!({"note": "n"})),
            allowed: "---Y----",
            on_case: false,
        },
        Endpoint {
            name: "appeal (only clerk-1 was rated)",
            method: Method::POST,
            path: "/api/v1/follow-ups/{follow_up}/appeal",
            body: Some(json!({"reason": "r"})),
            allowed: "-Y------",
            on_case: false,
        },
        Endpoint {
            name: "decide an appeal",
            method: Method::POST,
            path: "/api/v1/follow-ups/{follow_up}/decide",
            body: Some(json!({"upheld": true, "note": "n"})),
            allowed: "---Y----",
            on_case: false,
        },
        Endpoint {
            name: "catalog",
            method: Method::GET,
            path: "/api/v1/catalog",
            body: None,
            allowed: "YYYYYYYY",
            on_case: false,
        },
        Endpoint {
            name: "item guide",
            method: Method::GET,
            path: "/api/v1/items/elderly-allowance",
            body: None,
            allowed: "YYYYYYYY",
            on_case: false,
        },
        Endpoint {
            name: "prereview",
            method: Method::POST,
            path: "/api/v1/prereview",
            body: Some(json!({"facts": {}})),
            allowed: "YYYYYYYY",
            on_case: false,
        },
    ]
}

fn refused(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    )
}

async fn open_case_as(app: &TestApp, clerk: &Auth, id_number: &str) -> String {
    let reply = app
        .post(
            "/api/v1/cases",
            json!({"item": "elderly-allowance", "applicant": {"id_number": id_number, "name": "申请人"}, "facts": {"hukou": "shanghai", "payment": "bank"}}),
            clerk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["number"].as_str().expect("number").to_owned()
}

/// A case of `RESIDENT` accepted by `clerk-1` and rated 1 by the resident: the id of the
/// follow-up it opened.
async fn bad_rating_of_clerk_1(app: &TestApp, opener: &Auth, callers: &[(Role, Auth)]) -> String {
    let by = |wanted: Role| {
        callers
            .iter()
            .find(|(role, _)| *role == wanted)
            .map(|(_, auth)| auth)
            .expect("caller")
    };
    let case = open_case_as(app, opener, RESIDENT).await;
    let received = json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]});
    let accepted = app
        .post(
            &format!("/api/v1/cases/{case}/actions/accept"),
            received,
            by(Role::Clerk),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let rated = app
        .post(
            "/api/v1/ratings",
            json!({"target": {"kind": "case", "case": case}, "level": 1, "channel": "portal"}),
            by(Role::Resident),
        )
        .await;
    assert_eq!(rated.status, StatusCode::CREATED, "{:?}", rated.body);
    rated.body["follow_up"]["id"]
        .as_str()
        .expect("a follow-up")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_endpoint_and_target_is_decided_by_the_table() {
    let app = TestApp::new().await;
    let linfen_clerk = app.staff("opener-linfen", Role::Clerk, "linfen").await;
    let pengpu_clerk = app.staff("opener-pengpu", Role::Clerk, "pengpu").await;
    let mut callers = Vec::new();
    for role in ROLES {
        let auth = match role {
            Role::Resident => app.resident(RESIDENT).await,
            staff => app.staff(&format!("{staff}-1"), staff, "linfen").await,
        };
        callers.push((role, auth));
    }
    let stranger = app.resident(OTHER_RESIDENT).await;
    let follow_up = bad_rating_of_clerk_1(&app, &linfen_clerk, &callers).await;
    let fill = |text: &str, case: &str| {
        text.replace("{case}", case)
            .replace("{follow_up}", &follow_up)
    };
    let body_for = |endpoint: &Endpoint, case: &str| {
        endpoint
            .body
            .as_ref()
            .map(|b| serde_json::from_str::<Value>(&fill(&b.to_string(), case)).expect("body"))
    };

    let mut checked = 0;
    let mut failures = Vec::new();
    for endpoint in endpoints() {
        for (column, (role, auth)) in callers.iter().enumerate() {
            let expected = endpoint.allowed.as_bytes()[column] == b'Y';
            // Each check gets fresh cases, so earlier allowed actions cannot mask later ones.
            let own = open_case_as(&app, &linfen_clerk, RESIDENT).await;
            let elsewhere = open_case_as(&app, &pengpu_clerk, RESIDENT).await;
            let someone_elses = open_case_as(&app, &linfen_clerk, OTHER_RESIDENT).await;
            let mut targets = vec![("own", own, expected)];
            if endpoint.on_case {
                if *role == Role::Resident {
                    targets.push(("another resident's case", someone_elses, false));
                } else {
                    targets.push(("another center's case", elsewhere, false));
                }
            }
            for (target, case, expected) in targets {
                let path = fill(endpoint.path, &case);
                let body = body_for(&endpoint, &case);
                let reply = app
                    .request(endpoint.method.clone(), &path, body, auth)
                    .await;
                let allowed = !refused(reply.status);
                if allowed != expected {
                    failures.push(format!(
                        "{} by {role} on {target}: expected {}, got {} {:?}",
                        endpoint.name,
                        if expected { "allowed" } else { "refused" },
                        reply.status,
                        reply.body
                    ));
                }
                checked += 1;
            }
        }
        // Anonymous callers reach only the public endpoints.
        let public = endpoint.allowed == "YYYYYYYY";
        let case = open_case_as(&app, &linfen_clerk, RESIDENT).await;
        let reply = app
            .request(
                endpoint.method.clone(),
                &fill(endpoint.path, &case),
                body_for(&endpoint, &case),
                &Auth::Anonymous,
            )
            .await;
        if refused(reply.status) == public {
            failures.push(format!(
                "{} anonymously: got {}",
                endpoint.name, reply.status
            ));
        }
        checked += 1;
    }
    // A resident never sees another's case through a list either.
    let listed = app.get("/api/v1/cases", &stranger).await;
    for case in listed.body["cases"].as_array().expect("cases") {
        assert_eq!(
            case["applicant"]["id_number"], "1101**********0038",
            "{case}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 300, "only {checked} checks ran");
}

/// A page that acts under the table's admin and report actions, asked as a browser asks:
/// a form with the session's `csrf_token`.
struct PageEndpoint {
    name: &'static str,
    method: Method,
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    /// One letter per role in `ROLES`: `Y` allowed, `-` refused.
    allowed: &'static str,
}

fn page_endpoints() -> Vec<PageEndpoint> {
    let post = |name, path, form, allowed| PageEndpoint {
        name,
        method: Method::POST,
        path,
        form,
        allowed,
    };
    vec![
        //                                                            D C O S A K U R
        PageEndpoint {
            name: "admin page",
            method: Method::GET,
            path: "/admin",
            form: &[],
            allowed: "----YY--",
        },
        PageEndpoint {
            name: "day report",
            method: Method::GET,
            path: "/reports",
            form: &[],
            allowed: "---YY---",
        },
        PageEndpoint {
            name: "monthly list",
            method: Method::GET,
            path: "/reports/monthly",
            form: &[],
            allowed: "---YY---",
        },
        PageEndpoint {
            name: "monthly workbook",
            method: Method::GET,
            path: "/reports/monthly.xlsx",
            form: &[],
            allowed: "---YY---",
        },
        PageEndpoint {
            name: "how the list is computed",
            method: Method::GET,
            path: "/reports/monthly/formulas",
            form: &[],
            allowed: "---YY---",
        },
        PageEndpoint {
            name: "the center's month",
            method: Method::GET,
            path: "/reports/month",
            form: &[],
            allowed: "---YY---",
        },
        post(
            "save window",
            "/admin/windows",
            &[("name", "7"), ("categories", "A")],
            "----Y---",
        ),
        post(
            "remove window",
            "/admin/windows/remove",
            &[("name", "7")],
            "----Y---",
        ),
        post(
            "create account",
            "/admin/users",
            &[
                ("username", "made-on-the-page"),
                ("role", "clerk"),
                ("password", "A-long-password1"),
                ("password_again", "A-long-password1"),
            ],
            "-----Y--",
        ),
        post(
            "disable account",
            "/admin/users/disable",
            &[("username", "to-disable")],
            "-----Y--",
        ),
        post(
            "issue a TOTP key",
            "/admin/users/totp",
            &[("username", "to-disable")],
            "-----Y--",
        ),
        post(
            "check catalog",
            "/admin/catalog/check",
            &[("path", "/no/such/catalog")],
            "----Y---",
        ),
        // The cabinets: occupancy for who sees the queue, installing for the admin.
        PageEndpoint {
            name: "cabinets page",
            method: Method::GET,
            path: "/cabinets",
            form: &[],
            allowed: "YYYYY---",
        },
        post(
            "install cabinet",
            "/cabinets",
            &[("name", "Z"), ("location", "east"), ("small", "1")],
            "----Y---",
        ),
        //                                                            D C O S A K U R
        // Others who take tests are sent on from the overview to their own plan (303).
        PageEndpoint {
            name: "training overview",
            method: Method::GET,
            path: "/training",
            form: &[],
            allowed: "YYYY----",
        },
        PageEndpoint {
            name: "a training plan (clerk-1's)",
            method: Method::GET,
            path: "/training/staff/clerk-1",
            form: &[],
            allowed: "-Y-Y----",
        },
        PageEndpoint {
            name: "a test",
            method: Method::GET,
            path: "/training/tests/consult",
            form: &[],
            allowed: "YYYY----",
        },
        post(
            "hand a test in",
            "/training/tests/consult",
            &[("days:consult", "0")],
            "YYYY----",
        ),
        PageEndpoint {
            name: "question bank",
            method: Method::GET,
            path: "/training/questions",
            form: &[],
            allowed: "---Y----",
        },
        post(
            "write a question",
            "/training/questions",
            &[
                ("item", "consult"),
                ("prompt_zh", "问"),
                ("prompt_en", "Q"),
                ("choices", "是 | Yes\n否 | No"),
                ("correct", "1"),
            ],
            "---Y----",
        ),
        PageEndpoint {
            name: "new staff",
            method: Method::GET,
            path: "/training/onboarding",
            form: &[],
            allowed: "---Y----",
        },
        post(
            "start tracking",
            "/training/onboarding",
            &[
                ("staff", "clerk-1"),
                ("mentor", "desk-1"),
                ("start", "2026-11-02"),
            ],
            "---Y----",
        ),
        PageEndpoint {
            name: "a new member's tracker",
            method: Method::GET,
            path: "/training/onboarding/trainee",
            form: &[],
            allowed: "---Y----",
        },
        post(
            "review a new member",
            "/training/onboarding/trainee/review",
            &[("note", "ok")],
            "---Y----",
        ),
        post(
            "decide ready for duty",
            "/training/onboarding/trainee/ready",
            &[("note", "ok")],
            "---Y----",
        ),
    ]
}

/// A page refuses with 401, 403 or 404, or sends someone not signed in to sign in.
fn page_refused(page: &support::Page) -> bool {
    refused(page.status)
        || (page.status == StatusCode::SEE_OTHER
            && page.location().is_some_and(|l| l.starts_with("/login?")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_and_admin_page_is_decided_by_the_table() {
    let app = TestApp::new().await;
    app.with_user("to-disable", Role::Clerk, "linfen").await;
    app.with_user("trainee", Role::Clerk, "linfen").await;
    let onboarding = haoban_insight::Onboarding::start(
        haoban_cases::CenterId::parse("linfen").expect("center"),
        "trainee",
        "to-disable",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        (
            "director",
            Role::Supervisor,
            support::at("2026-11-02 01:00"),
        ),
    )
    .expect("onboarding");
    app.state
        .store
        .start_onboarding(&onboarding)
        .await
        .expect("start");
    let mut callers = Vec::new();
    for role in ROLES {
        let auth = match role {
            Role::Resident => app.resident(RESIDENT).await,
            staff => app.staff(&format!("{staff}-1"), staff, "linfen").await,
        };
        callers.push((role, auth));
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for endpoint in page_endpoints() {
        let callers = callers
            .iter()
            .enumerate()
            .map(|(column, (role, auth))| {
                let expected = endpoint.allowed.as_bytes()[column] == b'Y';
                (role.to_string(), auth.clone(), expected)
            })
            .chain([("anonymous".to_owned(), Auth::Anonymous, false)]);
        for (who, auth, expected) in callers {
            let mut form = vec![("csrf_token", auth.csrf())];
            form.extend_from_slice(endpoint.form);
            let form = (endpoint.method == Method::POST).then_some(form.as_slice());
            let page = app
                .page(endpoint.method.clone(), endpoint.path, form, &auth, &[])
                .await;
            if page_refused(&page) == expected {
                failures.push(format!(
                    "{} by {who}: expected {}, got {} {:?}",
                    endpoint.name,
                    if expected { "allowed" } else { "refused" },
                    page.status,
                    page.location()
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
