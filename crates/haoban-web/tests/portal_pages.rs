//! The resident portal in process: signing in with a code, applying online with uploads,
//! a supplement given online, rating, and a clerk's assisted session.

mod support;

use axum::http::StatusCode;
use haoban_cases::Role;
use serde_json::json;
use support::{Auth, RESIDENT, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I',
];

fn last_code(app: &TestApp) -> String {
    let (_, message) = app.notifier.sent().last().cloned().expect("a message");
    message
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take(6)
        .collect()
}

/// The CSRF token a page's forms carry.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf_token\" value=\"")
        .expect("a csrf field")
        + 25;
    html[at..].split('"').next().expect("value").to_owned()
}

/// Signs the resident in through the portal's own pages.
async fn sign_in(app: &TestApp, id_number: &str) -> Auth {
    let sent = app
        .post_form(
            "/portal",
            &[
                ("id_number", id_number),
                ("center", "linfen"),
                ("step", "code"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    assert!(sent.html.contains("id=\"code\""));
    let code = last_code(app);
    let signed = app
        .post_form(
            "/portal",
            &[
                ("id_number", id_number),
                ("center", "linfen"),
                ("code", &code),
                ("step", "sign_in"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.html);
    assert_eq!(signed.location(), Some("/portal"));
    let secret = support::page_session(&signed).expect("a session");
    let home = app
        .get_page(
            "/portal",
            &Auth::Cookie {
                secret: secret.clone(),
                csrf: String::new(),
            },
        )
        .await;
    Auth::Cookie {
        csrf: csrf_of(&home.html),
        secret,
    }
}

#[tokio::test]
async fn signing_in_checks_the_id_number_and_the_code() {
    let app = TestApp::new().await;
    let page = app.get_page("/portal", &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("居民登录"));
    let bad = app
        .post_form(
            "/portal",
            &[
                ("id_number", "110105194912310021"),
                ("center", "linfen"),
                ("step", "code"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("请输入正确的 18 位身份证号。"));
    assert!(bad.html.contains("value=\"110105194912310021\""), "kept");
    assert!(app.notifier.sent().is_empty());

    app.post_form(
        "/portal",
        &[
            ("id_number", RESIDENT),
            ("center", "linfen"),
            ("step", "code"),
        ],
        &Auth::Anonymous,
    )
    .await;
    let wrong = app
        .post_form(
            "/portal",
            &[
                ("id_number", RESIDENT),
                ("center", "linfen"),
                (
                    "code",
                    if last_code(&app) == "000000" {
                        "000001"
                    } else {
                        "000000"
                    },
                ),
                ("step", "sign_in"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("验证码不正确或已过期"));
    assert!(wrong.cookie("haoban_session").is_none());

    let resident = sign_in(&app, RESIDENT).await;
    let home = app.get_page("/portal?lang=en", &resident).await;
    assert!(home.html.contains("My cases"));
    assert!(home.html.contains("You have no cases yet."));
}

fn answers(csrf: &str, step: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", csrf.to_owned()),
        ("name", "王阿姨".to_owned()),
        ("f.birth_date", "1949-12-31".to_owned()),
        ("f.hukou", "shanghai".to_owned()),
        ("f.payment", "bank".to_owned()),
        ("step", step.to_owned()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Applies online for the elderly allowance with an ID card scan; the case number.
async fn apply(app: &TestApp, resident: &Auth) -> String {
    let fields = answers(resident.csrf(), "submit");
    let applied = app
        .post_multipart(
            "/portal/apply/elderly-allowance",
            &pairs(&fields),
            &[("file.id-card", "身份证.pdf", "application/pdf", PDF)],
            resident,
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.html);
    let location = applied.location().expect("to the case").to_owned();
    location
        .trim_start_matches("/portal/cases/")
        .split('?')
        .next()
        .expect("number")
        .to_owned()
}

#[tokio::test]
async fn a_resident_applies_online_with_an_upload() {
    let app = TestApp::new().await;
    let resident = sign_in(&app, RESIDENT).await;
    let items = app.get_page("/portal/apply", &resident).await;
    assert!(items.html.contains("data-item=\"elderly-allowance\""));
    assert!(
        !items.html.contains("data-item=\"low-income\""),
        "window only"
    );
    let window_only = app.get_page("/portal/apply/low-income", &resident).await;
    assert_eq!(window_only.status, StatusCode::NOT_FOUND);

    let form = app
        .get_page("/portal/apply/elderly-allowance", &resident)
        .await;
    assert!(form.html.contains("name=\"f.birth_date\""));
    assert!(form.html.contains("name=\"f.hukou\""));

    // Pre-review first: the materials to upload, the bank card because payment is bank.
    let fields = answers(resident.csrf(), "check");
    let checked = app
        .post_multipart(
            "/portal/apply/elderly-allowance",
            &pairs(&fields),
            &[],
            &resident,
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.html);
    assert!(checked.html.contains("符合条件"));
    assert!(checked.html.contains("name=\"file.id-card\""));
    assert!(checked.html.contains("name=\"file.bank-card\""));

    // Someone too young is told why, and no file input is offered.
    let mut young = answers(resident.csrf(), "check");
    young[2].1 = "2000-01-01".to_owned();
    let refused = app
        .post_multipart(
            "/portal/apply/elderly-allowance",
            &pairs(&young),
            &[],
            &resident,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("不符合条件"));
    assert!(!refused.html.contains("type=\"file\""));

    // A PNG sent as the ID card's PDF: refused next to the file, no case opened.
    let fields = answers(resident.csrf(), "submit");
    let lying = app
        .post_multipart(
            "/portal/apply/elderly-allowance",
            &pairs(&fields),
            &[("file.id-card", "身份证.pdf", "application/pdf", PNG)],
            &resident,
        )
        .await;
    assert_eq!(lying.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lying.html.contains("内容其实是 PNG"), "{}", lying.html);
    let home = app.get_page("/portal", &resident).await;
    assert!(home.html.contains("您还没有办件。"));

    let number = apply(&app, &resident).await;
    let case = app
        .get_page(&format!("/portal/cases/{number}?done=applied"), &resident)
        .await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.html.contains("申请已提交"));
    assert!(case.html.contains("身份证.pdf"));
    assert!(
        case.html.contains("上传材料"),
        "the upload is on the record"
    );
    let home = app.get_page("/portal", &resident).await;
    assert!(home.html.contains(&number));

    // Another resident sees nothing of it.
    let other = sign_in(&app, support::OTHER_RESIDENT).await;
    let hidden = app
        .get_page(&format!("/portal/cases/{number}"), &other)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_supplement_asked_by_the_office_is_given_online_and_the_case_rated() {
    let app = TestApp::new().await;
    let resident = sign_in(&app, RESIDENT).await;
    let number = apply(&app, &resident).await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let act = |auth: &Auth, action: &str, body: serde_json::Value| {
        let path = format!("/api/v1/cases/{number}/actions/{action}");
        let auth = auth.clone();
        let app = &app;
        async move {
            let reply = app.post(&path, body, &auth).await;
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        }
    };
    let received = json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]});
    act(&clerk, "accept", received).await;
    act(&office, "start_review", json!({})).await;
    act(
        &office,
        "request_supplement",
        json!({"request": "请补交银行卡正面照片", "due": "2026-11-20"}),
    )
    .await;

    let case = app
        .get_page(&format!("/portal/cases/{number}"), &resident)
        .await;
    assert!(case.html.contains("请补交银行卡正面照片"));
    let empty = app
        .post_multipart(
            &format!("/portal/cases/{number}/supplement"),
            &[("csrf_token", resident.csrf()), ("note", "")],
            &[],
            &resident,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.html.contains("请写一句说明或上传一个文件。"));
    let given = app
        .post_multipart(
            &format!("/portal/cases/{number}/supplement"),
            &[
                ("csrf_token", resident.csrf()),
                ("note", "已补交银行卡照片"),
                ("material", "bank-card"),
            ],
            &[("file", "bank.png", "image/png", PNG)],
            &resident,
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.html);
    let status = app.get(&format!("/api/v1/cases/{number}"), &office).await;
    assert_eq!(status.body["status"], "in_review");
    // The back office sees the files and opens them, checked against their hash.
    let review = app
        .get_page(&format!("/office/cases/{number}"), &office)
        .await;
    assert!(review.html.contains("bank.png"), "{}", review.html);
    let end = review.html.find(">bank.png</a>").expect("the file's link");
    let start = review.html[..end].rfind("href=\"").expect("href") + 6;
    let link = review.html[start..end].trim_end_matches('"').to_owned();
    let file = app.get_page(&link, &office).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "image/png");
    let uploads = app
        .get(&format!("/api/v1/cases/{number}/uploads"), &office)
        .await;
    assert_eq!(uploads.body["uploads"].as_array().map(Vec::len), Some(2));

    act(&office, "approve", json!({})).await;
    act(&office, "mark_ready", json!({"delivery": "window"})).await;
    act(&clerk, "deliver", json!({})).await;
    let delivered = app
        .get_page(&format!("/portal/cases/{number}"), &resident)
        .await;
    assert!(delivered.html.contains("id=\"rate\""));
    let rated = app
        .post_form(
            &format!("/portal/cases/{number}/rate"),
            &[("csrf_token", resident.csrf()), ("level", "5")],
            &resident,
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.html);
    let after = app
        .get_page(rated.location().expect("back"), &resident)
        .await;
    assert!(after.html.contains("谢谢您的评价。"));
    assert!(!after.html.contains("id=\"rate\""), "rated once");
}

#[tokio::test]
async fn a_clerk_guides_a_resident_and_every_step_is_recorded_as_assisted() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let form = app.get_page("/portal/assist", &clerk).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let sent = app
        .post_form(
            "/portal/assist",
            &[
                ("csrf_token", clerk.csrf()),
                ("id_number", RESIDENT),
                ("step", "code"),
            ],
            &clerk,
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let code = last_code(&app);
    let started = app
        .post_form(
            "/portal/assist",
            &[
                ("csrf_token", clerk.csrf()),
                ("id_number", RESIDENT),
                ("code", &code),
                ("step", "sign_in"),
            ],
            &clerk,
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    // The clerk's own session has ended.
    let gone = app.get("/api/v1/session", &clerk).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    let secret = support::page_session(&started).expect("the resident's session");
    let bare = Auth::Cookie {
        secret: secret.clone(),
        csrf: String::new(),
    };
    let home = app.get_page("/portal", &bare).await;
    assert!(home.html.contains("工作人员 zhang 正在协助您办理"));
    let resident = Auth::Cookie {
        csrf: csrf_of(&home.html),
        secret,
    };
    let number = apply(&app, &resident).await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let record = app
        .get(&format!("/api/v1/cases/{number}/record"), &office)
        .await;
    let actors: Vec<String> = record.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["actor"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        actors.iter().all(|a| a.ends_with("assisted-by:zhang")),
        "{actors:?}"
    );
    // A resident cannot open an assisted session.
    let refused = app.get_page("/portal/assist", &resident).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_offer_found_by_a_scan_is_confirmed_with_one_click() {
    use haoban_store::offers::NewOffer;
    let app = TestApp::new().await;
    let offer = NewOffer {
        id_number: haoban_cases::IdNumber::parse(RESIDENT).expect("id"),
        item: "elderly-allowance".into(),
        facts: r#"{"birth_date": "1949-12-31", "hukou": "shanghai", "payment": "bank"}"#.into(),
    };
    let center = haoban_cases::CenterId::parse("linfen").expect("center");
    let by = haoban_store::By {
        actor: "scan".into(),
        role: Role::Supervisor,
        at: support::at("2026-11-02 01:00"),
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("day");
    app.state
        .store
        .make_offers(&center, day, &[offer], by)
        .await
        .expect("offer");

    let resident = sign_in(&app, RESIDENT).await;
    let home = app.get_page("/portal", &resident).await;
    assert!(
        home.html.contains("data-offer=\"elderly-allowance\""),
        "{}",
        home.html
    );
    let nameless = app
        .post_form(
            "/portal/offers/elderly-allowance",
            &[
                ("csrf_token", resident.csrf()),
                ("answer", "confirm"),
                ("name", ""),
            ],
            &resident,
        )
        .await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    let confirmed = app
        .post_form(
            "/portal/offers/elderly-allowance",
            &[
                ("csrf_token", resident.csrf()),
                ("answer", "confirm"),
                ("name", "王阿姨"),
            ],
            &resident,
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.html
    );
    let location = confirmed.location().expect("to the case");
    assert!(location.starts_with("/portal/cases/linfen-"), "{location}");
    // The case was opened online with what the scan knew: the bank card is required
    // because payment is bank.
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let number = location
        .trim_start_matches("/portal/cases/")
        .split('?')
        .next()
        .unwrap_or("");
    let case = app.get(&format!("/api/v1/cases/{number}"), &clerk).await;
    assert_eq!(case.body["channel"], "online");
    assert_eq!(
        case.body["required_materials"],
        json!(["id-card", "bank-card"])
    );
    // Answered once: a second click opens no second case.
    let again = app
        .post_form(
            "/portal/offers/elderly-allowance",
            &[
                ("csrf_token", resident.csrf()),
                ("answer", "confirm"),
                ("name", "王阿姨"),
            ],
            &resident,
        )
        .await;
    assert_ne!(again.status, StatusCode::SEE_OTHER);
    let home = app.get_page("/portal", &resident).await;
    assert!(!home.html.contains("data-offer="), "no open offer left");
}
