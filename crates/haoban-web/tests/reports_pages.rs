//! `/reports`, the day report: the queue's figures from tickets issued, called and served
//! through the API, in Chinese and English; the day's cases by item; deadlines; a bad day
//! refused next to its field; who may see it.

mod support;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, PASSWORD, TestApp, at};

/// The text of the element marked `data-figure="{name}"`.
fn figure<'h>(html: &'h str, name: &str) -> &'h str {
    let marker = format!("data-figure=\"{name}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {name} in\n{html}"))
        + marker.len();
    let end = start + html[start..].find('<').expect("figure end");
    &html[start..end]
}

/// The HTML of the section with id `id`.
fn section<'h>(html: &'h str, id: &str) -> &'h str {
    let start = html
        .find(&format!("<section class=\"report-section\" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id} in\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").expect("section end")]
}

async fn issue(app: &TestApp, desk: &Auth) -> Value {
    let reply = app.post("/api/v1/tickets", json!({}), desk).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body
}

async fn call(app: &TestApp, clerk: &Auth, window: &str) -> String {
    let path = format!("/api/v1/windows/{window}/call");
    let reply = app.request(Method::POST, &path, None, clerk).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["ticket"]["number"]
        .as_str()
        .expect("a ticket was called")
        .to_owned()
}

const DAY: &str = "2026-11-02";

/// Window `window` is done with ticket `number`.
async fn finish(app: &TestApp, clerk: &Auth, number: &str, window: &str) {
    let path = format!("/api/v1/tickets/{number}/actions/finish");
    let reply = app.post(&path, json!({ "window": window }), clerk).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test]
async fn the_queue_figures_are_those_of_the_tickets_issued_called_and_served() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;

    // 10:00 Shanghai. A001 is promised 8 minutes (one service, no history yet);
    // A002, three minutes later, 16 (one ahead of it, one window assumed).
    let first = issue(&app, &desk).await;
    assert_eq!(
        (
            first["number"].as_str(),
            first["estimate"]["minutes"].as_i64()
        ),
        (Some("A001"), Some(8))
    );
    app.clock.advance(Duration::minutes(3));
    let second = issue(&app, &desk).await;
    assert_eq!(second["estimate"]["minutes"], 16);
    // 10:10: window 5 calls A001 (waited 10 minutes, 2 more than promised).
    app.clock.advance(Duration::minutes(7));
    assert_eq!(call(&app, &clerk, "5").await, "A001");
    // 10:15: window 6 calls A002 (waited 12 minutes, 4 less than promised); A003 queues.
    app.clock.advance(Duration::minutes(5));
    assert_eq!(call(&app, &clerk, "6").await, "A002");
    issue(&app, &desk).await;
    // 10:21: window 5 is done with A001 after 11 minutes.
    app.clock.advance(Duration::minutes(6));
    finish(&app, &clerk, "A001", "5").await;

    let zh = app.get_page("/reports", &director).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.html);
    let html = &zh.html;
    assert!(html.contains("每日报表 · 2026-11-02 星期一"), "{html}");
    for (name, value) in [
        ("issued", "3"),
        ("served", "1"),
        ("no-shows", "0"),
        ("waiting", "1"),
        ("at-window", "1"),
        ("parked", "0"),
        // Waits 10 and 12 minutes.
        ("wait-mean", "11.0"),
        ("wait-median", "11.0"),
        ("wait-longest", "12.0"),
        ("service-mean", "11.0"),
        // Errors +2 and -4 minutes: both within 5.
        ("promise-checked", "2"),
        ("promise-mae", "3.0"),
        ("promise-within", "100%"),
    ] {
        assert_eq!(figure(html, name), value, "{name}");
    }
    assert!(html.contains("平均等候") && html.contains("分钟"));
    let windows = section(html, "windows");
    assert!(windows.contains("5 号窗口") && windows.contains("6 号窗口"));
    let promise = section(html, "promise");
    let a002 = &promise[promise.find("A002").expect("A002 among the misses")..];
    assert!(
        a002.contains("−4.0") && a002.contains("比预计短"),
        "{promise}"
    );
    assert!(
        promise.find("A002") < promise.find("A001"),
        "the larger miss first"
    );
    // All three tickets were issued between 10:00 and 10:59.
    let hours = section(html, "hours");
    assert!(hours.contains("<svg class=\"hour-chart\""));
    assert!(hours.contains("<title>10:00–10:59: 3</title>"), "{hours}");
    assert!(hours.contains("<th scope=\"row\">09:00–09:59</th><td>0</td>"));
    let groups = section(html, "groups");
    assert!(groups.contains("A 类") && groups.contains("普通"));
    // The page keeps to its CSP: no inline script or style.
    assert!(!html.contains("<script>") && !html.contains("style="));

    let en = app.get_page("/reports?lang=en", &director).await;
    assert_eq!(en.status, StatusCode::OK);
    let html = &en.html;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Day report · 2026-11-02 Monday"), "{html}");
    for (name, value) in [
        ("issued", "3"),
        ("served", "1"),
        ("wait-mean", "11.0"),
        ("promise-mae", "3.0"),
    ] {
        assert_eq!(figure(html, name), value, "{name}");
    }
    assert!(html.contains("Mean wait") && html.contains("Window 5"));
    assert!(html.contains("shorter than promised") && html.contains("Category A"));
    assert!(!html.contains("平均等候") && !html.contains("号窗口"));

    // The day before had no queue; the links step from day to day, and the language
    // switch keeps the day.
    assert!(html.contains("href=\"/reports?day=2026-11-01\" rel=\"prev\""));
    assert!(!html.contains("rel=\"next\""), "no report of tomorrow");
    let before = app
        .get_page("/reports?day=2026-11-01&lang=en", &director)
        .await;
    assert_eq!(figure(&before.html, "issued"), "0");
    assert!(before.html.contains("No tickets were issued that day."));
    assert!(
        before
            .html
            .contains("href=\"/reports?day=2026-11-02\" rel=\"next\"")
    );
    assert!(
        before
            .html
            .contains("href=\"/reports?day=2026-11-01&#38;lang=zh\"")
    );
}

async fn open(app: &TestApp, clerk: &Auth) -> String {
    app.open_case(clerk).await["number"]
        .as_str()
        .expect("number")
        .to_owned()
}

fn received() -> Value {
    json!({"materials": [
        {"material": "id-card", "state": "e_licence"},
        {"material": "bank-card", "state": "received"}
    ]})
}

#[tokio::test]
async fn cases_count_on_the_day_they_happened_and_deadlines_are_as_of_today() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let accepted = open(&app, &clerk).await;
    app.act(&clerk, &accepted, "accept", received()).await;
    let deficient = open(&app, &clerk).await;
    app.act(&clerk,
        &deficient,
        "accept_with_deficiency",
        json!({
            "materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "missing"}],
            "promise": "三个工作日内补交银行卡复印件",
            "due": "2026-11-05"
        }),
    )
    .await;
    let refused = open(&app, &clerk).await;
    app.act(
        &clerk,
        &refused,
        "not_accept",
        json!({"reason": "户籍不符", "legal_basis": "《办法》第三条"}),
    )
    .await;
    // Opened today, refused tomorrow.
    let late = open(&app, &clerk).await;

    let zh = app.get_page("/reports", &director).await;
    let cases = section(&zh.html, "cases");
    assert!(cases.contains("老年综合津贴申领"), "{cases}");
    for (name, value) in [
        ("cases-opened", "4"),
        ("cases-accepted", "1"),
        ("cases-deficiency", "1"),
        ("cases-not-accepted", "1"),
    ] {
        assert_eq!(figure(cases, name), value, "{name}");
    }
    assert!(
        section(&zh.html, "deadlines").contains("没有已超时或临近时限的在办件"),
        "accepted today, due 2026-11-30"
    );

    // Tuesday: the fourth case is refused.
    app.clock.set(at("2026-11-03 02:00"));
    let clerk = app.sign_in("zhang", PASSWORD).await.expect("sign in");
    app.act(
        &clerk,
        &late,
        "not_accept",
        json!({"reason": "材料不全", "legal_basis": "《办法》第五条"}),
    )
    .await;
    let director = app.sign_in("zhou", PASSWORD).await.expect("sign in");
    let tuesday = app.get_page("/reports?lang=en", &director).await;
    let cases = section(&tuesday.html, "cases");
    assert!(cases.contains("Elderly comprehensive allowance"), "{cases}");
    assert_eq!(figure(cases, "cases-opened"), "0");
    assert_eq!(figure(cases, "cases-accepted"), "0");
    assert_eq!(figure(cases, "cases-not-accepted"), "1");
    let monday = app
        .get_page(&format!("/reports?day={DAY}&lang=en"), &director)
        .await;
    let cases = section(&monday.html, "cases");
    assert_eq!(figure(cases, "cases-opened"), "4");
    assert_eq!(
        figure(cases, "cases-not-accepted"),
        "1",
        "the case refused on Tuesday counts on Tuesday"
    );

    // Thursday 2026-11-26: two working days before the due date, both accepted cases are
    // due soon; on 2026-12-01 they are overdue.
    app.clock.set(at("2026-11-26 02:00"));
    let director = app.sign_in("zhou", PASSWORD).await.expect("sign in");
    let soon = app.get_page("/reports", &director).await;
    let deadlines = section(&soon.html, "deadlines");
    assert!(deadlines.contains("临近时限 2 件") && deadlines.contains("已超时 0 件"));
    for n in [&accepted, &deficient] {
        assert!(
            deadlines.contains(&format!("<a href=\"/office/cases/{n}\">{n}</a>")),
            "{deadlines}"
        );
    }
    assert!(deadlines.contains("2026-11-30") && deadlines.contains("容缺受理"));
    assert!(!deadlines.contains(&refused) && !deadlines.contains(&late));

    app.clock.set(at("2026-12-01 02:00"));
    let director = app.sign_in("zhou", PASSWORD).await.expect("sign in");
    let over = app.get_page("/reports?lang=en", &director).await;
    let deadlines = section(&over.html, "deadlines");
    assert!(deadlines.contains("2 overdue") && deadlines.contains("0 due soon"));
    assert!(
        deadlines.contains("Accepted with deficiency"),
        "{deadlines}"
    );
}

#[tokio::test]
async fn a_bad_day_is_refused_next_to_the_field_keeping_what_was_typed() {
    let app = TestApp::new().await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let bad = app.get_page("/reports?day=2026-13-45", &director).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &bad.html;
    let field = &html[html
        .find("<div class=\"field has-error\">")
        .expect("field in error")..];
    let field = &field[..field.find("</form>").expect("form end")];
    assert!(
        field.contains(
            "<p class=\"field-error\" id=\"day-error\" role=\"alert\">请按 年-月-日 填写一个日期"
        ),
        "{field}"
    );
    assert!(field.contains("value=\"2026-13-45\"") && field.contains("aria-invalid=\"true\""));
    assert!(!html.contains("id=\"queue\""), "no report for a bad day");

    let future = app
        .get_page("/reports?day=2026-11-03&lang=en", &director)
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.html.contains("That day has not come yet"));
    assert!(future.html.contains("value=\"2026-11-03\""));

    let odd = app.get_page("/reports?day=%22%3E%3Cb%3Ex", &director).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        odd.html.contains("value=\"&#34;&#62;&#60;b&#62;x\""),
        "{}",
        odd.html
    );

    let blank = app.get_page("/reports?day=", &director).await;
    assert_eq!(blank.status, StatusCode::OK, "an empty field means today");
    assert!(blank.html.contains("value=\"2026-11-02\""));
}

#[tokio::test]
async fn only_the_director_and_administrators_see_the_report() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let refused = app.get_page("/reports", &clerk).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .html
            .contains("每日报表只有中心主任和系统管理员可以查看")
    );
    for role in [Role::Desk, Role::Office, Role::Auditor] {
        let auth = app.staff(&format!("{role}-1"), role, "linfen").await;
        assert_eq!(
            app.get_page("/reports", &auth).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    let admin = app.staff("root", Role::SystemAdmin, "linfen").await;
    let page = app.get_page("/reports", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html
            .contains("<a href=\"/reports\" aria-current=\"page\">报表</a>")
    );
    // Administrators may not open cases: the numbers are not links for them.
    assert!(!page.html.contains("href=\"/office/cases/"));

    let anonymous = app
        .get_page("/reports?day=2026-11-01", &Auth::Anonymous)
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.location(),
        Some("/login?next=/reports%3Fday%3D2026-11-01")
    );
}
