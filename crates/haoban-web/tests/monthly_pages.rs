//! `/reports/monthly` and `/reports/month`: the monthly list live during the month and as
//! stored by the scheduler after it, every figure opening to the right events of the
//! process record, the workbook download, the center's month as charts, a bad month
//! refused next to its field, who may see them, and English.

mod support;

use axum::http::{Method, StatusCode, header};
use chrono::Duration;
use haoban_cases::Role;
use haoban_web::scheduler::tick;
use serde_json::{Value, json};
use support::{Auth, PASSWORD, Page, TestApp, at};

/// The text of the first element marked `data-figure="{name}"`, links unwrapped.
fn figure(html: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {name} in\n{html}"))
        + marker.len();
    let rest = &html[start..];
    let end = rest.find("</").expect("figure end");
    let inner = &rest[..end];
    inner.rsplit('>').next().unwrap_or(inner).to_owned()
}

/// The table row of `staff` in the table with class `table`.
fn staff_row<'h>(html: &'h str, table: &str, staff: &str) -> &'h str {
    let start = html
        .find(&format!("<table class=\"report-table {table}\">"))
        .unwrap_or_else(|| panic!("no table {table} in\n{html}"));
    let rest = &html[start..];
    let row = rest
        .find(&format!("<tr data-staff=\"{staff}\">"))
        .unwrap_or_else(|| panic!("no row of {staff} in {table}"));
    let rest = &rest[row..];
    &rest[..rest.find("</tr>").expect("row end")]
}

/// The sequence numbers of the event rows of a drill-down page.
fn seqs(page: &Page) -> Vec<u64> {
    page.html
        .split("<tr data-seq=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

fn source(html: &str) -> &str {
    let marker = "data-source=\"";
    let start = html.find(marker).expect("the list says where it came from") + marker.len();
    &html[start..start + html[start..].find('"').expect("end")]
}

/// The sequence numbers of the chain's entries of `kind`.
async fn recorded(app: &TestApp, kind: &str) -> Vec<u64> {
    let chain = app.state.store.chain("linfen").await.expect("chain");
    chain
        .entries
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.seq)
        .collect()
}

async fn ok(app: &TestApp, path: &str, body: Value, auth: &Auth) -> Value {
    let reply = app.post(path, body, auth).await;
    assert!(reply.status.is_success(), "{path}: {:?}", reply.body);
    reply.body
}

/// Monday 2 November 2026 in Shanghai: the desk issues A001 at 10:00, window 5 (zhang)
/// calls it at 10:06 and finishes at 10:20; zhang accepts a case, li (the office) reviews
/// and approves it the same day; the visit is rated 5 at the window pad. Returns the case
/// number.
async fn a_day_of_work(app: &TestApp) -> String {
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    app.with_user("li", Role::Office, "linfen").await;
    ok(app, "/api/v1/tickets", json!({}), &desk).await;
    app.clock.advance(Duration::minutes(6));
    let called = app
        .request(Method::POST, "/api/v1/windows/5/call", None, &clerk)
        .await;
    assert_eq!(called.status, StatusCode::OK, "{:?}", called.body);
    app.clock.advance(Duration::minutes(4));
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    let materials = json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]});
    ok(
        app,
        &format!("/api/v1/cases/{number}/actions/accept"),
        materials,
        &clerk,
    )
    .await;
    app.clock.advance(Duration::minutes(10));
    let finish = json!({"window": "5"});
    ok(app, "/api/v1/tickets/A001/actions/finish", finish, &clerk).await;
    let rating = json!({"target": {"kind": "visit", "day": "2026-11-02", "ticket": "A001"},
                        "center": "linfen", "level": 5, "channel": "window_pad"});
    ok(app, "/api/v1/ratings", rating, &Auth::Anonymous).await;
    app.clock.advance(Duration::hours(2));
    // Signed in again: the session of the morning has timed out.
    let office = app.sign_in("li", PASSWORD).await.expect("sign in");
    let act = |action: &str| format!("/api/v1/cases/{number}/actions/{action}");
    ok(app, &act("start_review"), json!({}), &office).await;
    ok(app, &act("approve"), json!({"note": "符合条件"}), &office).await;
    number
}

#[tokio::test]
async fn the_current_month_is_live_and_a_finished_month_is_shown_as_stored() {
    let app = TestApp::new().await;
    a_day_of_work(&app).await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;

    let live = app.get_page("/reports/monthly", &director).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.html);
    let html = &live.html;
    assert!(html.contains("月度绩效榜（5个维度） · 2026-11"), "{html}");
    assert_eq!(source(html), "live");
    assert!(
        html.contains("本月尚未结束：以下是截至 2026-11-02 12:20 根据过程记录实时计算的数据"),
        "{html}"
    );
    let zhang = staff_row(html, "monthly-scores", "zhang");
    assert_eq!(figure(zhang, "rank"), "1");
    assert_eq!(figure(zhang, "total"), "100.00");
    let figures = staff_row(html, "monthly-figures", "zhang");
    assert_eq!(figure(figures, "accepted"), "1");
    assert_eq!(figure(figures, "tickets"), "1");
    assert_eq!(figure(figures, "quantity"), "2");
    assert_eq!(figure(figures, "ratings"), "1");
    assert!(
        figures.contains("href=\"/reports/monthly/2026-11/zhang?figure=accepted\""),
        "{figures}"
    );
    assert_eq!(
        figure(staff_row(html, "monthly-figures", "li"), "decided"),
        "1"
    );
    // The chart: a bar per member in parts per dimension, with the table read instead.
    assert!(html.contains("<svg class=\"score-chart\""));
    assert!(html.contains("rect class=\"dim-quantity\""));
    assert!(html.contains("<caption>2026-11 各人员的总分，按各维度所占分数分段</caption>"));
    assert!(html.contains("href=\"/reports/monthly/formulas\""));
    assert!(html.contains("href=\"/reports/monthly.xlsx?month=2026-11\""));
    assert!(!html.contains("<script>") && !html.contains("style="));

    // Tuesday 1 December, before the scheduler's tick: November is over, not yet stored.
    app.clock.set(at("2026-12-01 00:30"));
    let director = app.sign_in("zhou", PASSWORD).await.expect("sign in");
    let unsaved = app
        .get_page("/reports/monthly?month=2026-11", &director)
        .await;
    assert_eq!(source(&unsaved.html), "computed");
    assert!(unsaved.html.contains("尚未存档"));

    // The tick stores it; the page then shows it as stored, by whom and when.
    app.clock.set(at("2026-12-01 01:00"));
    let done = tick(&app.state).await.expect("tick");
    assert_eq!(done.lists.len(), 1, "{done:?}");
    let stored = app
        .get_page("/reports/monthly?month=2026-11", &director)
        .await;
    let html = &stored.html;
    assert_eq!(source(html), "stored");
    assert!(
        html.contains("已存档：2026-12-01 09:00 由 系统自动 存档"),
        "{html}"
    );
    assert_eq!(
        figure(staff_row(html, "monthly-scores", "zhang"), "total"),
        "100.00"
    );
    // December has begun: its list is live (and empty so far).
    let december = app.get_page("/reports/monthly", &director).await;
    assert_eq!(source(&december.html), "live");
    assert!(december.html.contains("本月没有任何人员的工作记录。"));
    assert!(
        december
            .html
            .contains("href=\"/reports/monthly?month=2026-11\" rel=\"prev\"")
    );

    let en = app
        .get_page("/reports/monthly?month=2026-11&lang=en", &director)
        .await;
    let html = &en.html;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Monthly performance list (5 dimensions) · 2026-11"));
    assert!(
        html.contains("Stored on 2026-12-01 09:00 by the server&#39;s scheduler"),
        "{html}"
    );
    for label in [
        "Quantity",
        "Efficiency",
        "Evaluation",
        "Days on duty",
        "Download XLSX",
    ] {
        assert!(html.contains(label), "{label}");
    }
    for label in ["工作数量", "月度绩效榜", "已存档", "下载"] {
        assert!(!html.contains(label), "{label} in English");
    }
}

#[tokio::test]
async fn every_figure_opens_to_the_events_it_was_counted_from() {
    let app = TestApp::new().await;
    let number = a_day_of_work(&app).await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let open = |figure: &str| format!("/reports/monthly/2026-11/zhang?figure={figure}");

    let accepted = app.get_page(&open("accepted"), &director).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.html);
    let seq = recorded(&app, "accepted").await;
    assert_eq!(seqs(&accepted), seq);
    let html = &accepted.html;
    assert!(html.contains("zhang · 2026-11 · 受理"));
    let row = &html[html.find("<tr data-seq=").expect("a row")..];
    assert!(row.contains("2026-11-02 10:10"), "Shanghai time: {row}");
    assert!(row.contains("<td class=\"event\">受理</td>"), "{row}");
    assert!(
        row.contains(&format!("<a href=\"/office/cases/{number}\">{number}</a>")),
        "{row}"
    );
    assert!(html.contains("时间为中心所在时区（Asia/Shanghai）"));

    let tickets = app.get_page(&open("tickets"), &director).await;
    assert_eq!(seqs(&tickets), recorded(&app, "service_finished").await);
    assert!(tickets.html.contains("办结离窗") && tickets.html.contains("A001 号 · 5 号窗口"));

    // Quantity is the acceptance and the ticket; efficiency the acceptance and the decision.
    let mut both = [seq.clone(), recorded(&app, "service_finished").await].concat();
    both.sort_unstable();
    assert_eq!(
        seqs(&app.get_page(&open("quantity"), &director).await),
        both
    );
    let efficiency = app.get_page(&open("efficiency"), &director).await;
    let mut expected = [seq.clone(), recorded(&app, "approved").await].concat();
    expected.sort_unstable();
    assert_eq!(seqs(&efficiency), expected);
    assert!(efficiency.html.contains("本月办结的办件"));
    let ratings = app.get_page(&open("ratings"), &director).await;
    assert_eq!(seqs(&ratings), recorded(&app, "rating_given").await);
    assert!(ratings.html.contains("非常满意 (5)"), "{}", ratings.html);
    let supplements = app.get_page(&open("supplements"), &director).await;
    assert!(seqs(&supplements).is_empty());
    assert!(supplements.html.contains("没有事件：这个数字为 0。"));
    // The office's decision is li's.
    let li = app
        .get_page("/reports/monthly/2026-11/li?figure=decided", &director)
        .await;
    assert_eq!(seqs(&li), recorded(&app, "approved").await);

    // English: the kind in words, the same events.
    let en = app
        .get_page(&format!("{}&lang=en", open("accepted")), &director)
        .await;
    assert_eq!(seqs(&en), seq);
    assert!(en.html.contains("<td class=\"event\">Accepted</td>"));
    assert!(
        en.html
            .contains("Times are in the center&#39;s time zone (Asia/Shanghai).")
    );

    // Administrators may see the list but not open cases: the number is not a link.
    let admin = app.staff("root", Role::SystemAdmin, "linfen").await;
    let plain = app.get_page(&open("accepted"), &admin).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(!plain.html.contains("href=\"/office/cases/"));
    assert!(plain.html.contains(&number));

    for missing in [
        "/reports/monthly/2026-11/nobody?figure=accepted",
        "/reports/monthly/2026-11/zhang?figure=bonus",
        "/reports/monthly/2026-13/zhang",
        "/reports/monthly/2027-01/zhang",
    ] {
        let page = app.get_page(missing, &director).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn the_workbook_downloads_as_the_command_line_writes_it() {
    let app = TestApp::new().await;
    a_day_of_work(&app).await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let book = app
        .get_page("/reports/monthly.xlsx?month=2026-11", &director)
        .await;
    assert_eq!(book.status, StatusCode::OK);
    assert_eq!(
        book.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        book.headers.get(header::CONTENT_DISPOSITION).unwrap(),
        "attachment; filename=\"haoban-linfen-2026-11.xlsx\""
    );
    assert_eq!(book.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    // A zip with the three sheets: scores, figures, events.
    assert!(book.html.starts_with("PK"), "not a zip");
    for part in [
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet3.xml",
    ] {
        assert!(book.html.contains(part), "{part}");
    }
    let en = app
        .get_page("/reports/monthly.xlsx?month=2026-11&lang=en", &director)
        .await;
    assert!(en.html.starts_with("PK"));

    let bad = app
        .get_page("/reports/monthly.xlsx?month=11/2026", &director)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("请按 年-月 填写一个月份"));
}

#[tokio::test]
async fn the_centers_month_is_drawn_from_the_tickets_the_record_and_the_ratings() {
    let app = TestApp::new().await;
    a_day_of_work(&app).await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let page = app.get_page("/reports/month", &director).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    assert!(html.contains("中心月度概况 · 2026-11"));
    for (name, value) in [
        ("issued", "1"),
        ("accepted", "1"),
        // A001 waited 6 minutes.
        ("wait-mean", "6.0"),
        ("called", "1"),
        ("decided", "1"),
        ("on-time", "1"),
        ("on-time-rate", "100.00%"),
        ("ratings", "1"),
        ("good", "1"),
        ("good-rate", "100.00%"),
    ] {
        assert_eq!(figure(html, name), value, "{name}");
    }
    for chart in ["volume", "waits", "deadlines", "ratings"] {
        assert!(html.contains(&format!("<svg class=\"bar-chart chart-{chart}\"")));
    }
    // The tables read instead of the charts: the day in full, days to come as a dash.
    assert!(html.contains("<tr><th scope=\"row\">2026-11-02 周一</th><td>1</td><td>1</td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">2026-11-03 周二</th><td>—</td><td>—</td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">2026-11-02 周一</th><td>6.0</td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">非常满意 (5)</th><td>1</td></tr>"));
    // Weekends are shaded.
    assert!(html.contains("<rect class=\"off\""));
    assert!(!html.contains("<script>") && !html.contains("style="));

    let en = app.get_page("/reports/month?lang=en", &director).await;
    assert!(en.html.contains("The center&#39;s month · 2026-11"));
    assert!(en.html.contains("Mean wait per day") && en.html.contains("2026-11-02 Mon"));
    assert!(!en.html.contains("每日办件量"));

    let bad = app
        .get_page("/reports/month?month=2026-12", &director)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("这个月还没有开始"));
    assert!(bad.html.contains("value=\"2026-12\""));
}

#[tokio::test]
async fn a_bad_month_is_refused_next_to_the_field_keeping_what_was_typed() {
    let app = TestApp::new().await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let bad = app
        .get_page("/reports/monthly?month=2026-13", &director)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &bad.html;
    let field = &html[html
        .find("<div class=\"field has-error\">")
        .expect("field in error")..];
    let field = &field[..field.find("</form>").expect("form end")];
    assert!(
        field.contains(
            "<p class=\"field-error\" id=\"month-error\" role=\"alert\">请按 年-月 填写一个月份，如 2026-11。"
        ),
        "{field}"
    );
    assert!(field.contains("value=\"2026-13\"") && field.contains("aria-invalid=\"true\""));
    assert!(!html.contains("id=\"scores\""), "no list for a bad month");

    let future = app
        .get_page("/reports/monthly?month=2026-12&lang=en", &director)
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.html.contains("That month has not begun"));
    assert!(future.html.contains("value=\"2026-12\""));

    let odd = app
        .get_page("/reports/monthly?month=%22%3E%3Cb%3Ex", &director)
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.html.contains("value=\"&#34;&#62;&#60;b&#62;x\""));

    let blank = app.get_page("/reports/monthly?month=", &director).await;
    assert_eq!(
        blank.status,
        StatusCode::OK,
        "an empty field means this month"
    );
    assert!(blank.html.contains("value=\"2026-11\""));
}

#[tokio::test]
async fn only_the_director_and_administrators_see_the_month() {
    let app = TestApp::new().await;
    a_day_of_work(&app).await;
    let pages = [
        "/reports/monthly",
        "/reports/monthly.xlsx",
        "/reports/monthly/formulas",
        "/reports/monthly/2026-11/zhang?figure=accepted",
        "/reports/month",
    ];
    for role in [Role::Clerk, Role::Desk, Role::Office, Role::Auditor] {
        let auth = app.staff(&format!("{role}-1"), role, "linfen").await;
        for path in pages {
            let page = app.get_page(path, &auth).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
        // The navigation on the refusal offers no link to the list.
        let refused = app.get_page("/reports/month", &auth).await;
        assert!(
            !refused.html.contains("href=\"/reports/monthly\""),
            "no link for {role}"
        );
    }
    let refused = app
        .get_page(
            "/reports/monthly",
            &app.sign_in("clerk-1", PASSWORD).await.unwrap(),
        )
        .await;
    assert!(
        refused
            .html
            .contains("月度绩效只有中心主任和系统管理员可以查看")
    );

    for (name, role) in [("zhou", Role::Supervisor), ("root", Role::SystemAdmin)] {
        let auth = app.staff(name, role, "linfen").await;
        for path in pages {
            let page = app.get_page(path, &auth).await;
            assert_eq!(page.status, StatusCode::OK, "{role} {path}");
        }
        let list = app.get_page("/reports/monthly", &auth).await;
        assert!(
            list.html
                .contains("<a href=\"/reports/monthly\" aria-current=\"page\">月度绩效</a>"),
            "{role}"
        );
        let day = app.get_page("/reports", &auth).await;
        assert!(
            day.html
                .contains("<a href=\"/reports/monthly\">月度绩效</a>")
        );
        assert!(
            day.html
                .contains("<a href=\"/reports/month\">中心月度概况</a>")
        );
    }

    let anonymous = app
        .get_page("/reports/monthly?month=2026-10", &Auth::Anonymous)
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.location(),
        Some("/login?next=/reports/monthly%3Fmonth%3D2026-10")
    );
}
