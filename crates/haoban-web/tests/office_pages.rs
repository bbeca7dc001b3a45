//! The back-office pages: the work list by deadline, the review page and its forms (errors
//! by the field, typed text kept, stale pages refused), the resident told of a supplement,
//! roles, English, and sign-in.

mod support;

use axum::http::StatusCode;
use haoban_cases::Role;
use serde_json::{Value, json};
use support::{Auth, PASSWORD, Page, RESIDENT, TestApp, at, field_named};

fn number(case: &Value) -> String {
    case["number"].as_str().expect("number").to_owned()
}

/// Opens a case for the elderly allowance and accepts it with every material, today.
async fn accepted_case(app: &TestApp, clerk: &Auth) -> String {
    let n = number(&app.open_case(clerk).await);
    app.act(
        clerk,
        &n,
        "accept",
        json!({"materials": [
            {"material": "id-card", "state": "e_licence"},
            {"material": "bank-card", "state": "received"}
        ]}),
    )
    .await;
    n
}

async fn status_of(app: &TestApp, auth: &Auth, n: &str) -> Value {
    let reply = app.get(&format!("/api/v1/cases/{n}"), auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// The hidden fields of form `id`: what a browser sends back with it.
fn hidden_fields(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("<form id=\"{id}\""))
        .unwrap_or_else(|| panic!("no form {id} in\n{html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("form end")];
    let mut fields = Vec::new();
    let mut rest = form;
    let marker = "<input type=\"hidden\" name=\"";
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let name_end = rest.find('"').expect("name end");
        let name = rest[..name_end].to_owned();
        let value_at = rest.find("value=\"").expect("value") + "value=\"".len();
        let value_end = value_at + rest[value_at..].find('"').expect("value end");
        fields.push((name, rest[value_at..value_end].to_owned()));
        rest = &rest[value_end..];
    }
    fields
}

/// Submits form `action` of `page` with `typed` added, as a browser would.
async fn submit(
    app: &TestApp,
    auth: &Auth,
    page: &Page,
    n: &str,
    action: &str,
    typed: &[(&str, &str)],
) -> Page {
    let hidden = hidden_fields(&page.html, action);
    assert!(
        hidden
            .iter()
            .any(|(k, v)| k == "csrf_token" && v == auth.csrf()),
        "the form carries the session's token"
    );
    assert!(hidden.iter().any(|(k, _)| k == "version"));
    let mut form: Vec<(&str, &str)> = hidden
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(typed);
    app.post_form(&format!("/office/cases/{n}/{action}"), &form, auth)
        .await
}

/// Case numbers in the order the work list shows them.
fn listed(html: &str) -> Vec<String> {
    html.split("<tr data-case=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The work list's row for case `n`.
fn row<'h>(html: &'h str, n: &str) -> &'h str {
    let start = html
        .find(&format!("<tr data-case=\"{n}\""))
        .unwrap_or_else(|| panic!("{n} not listed"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

async fn page_ok(app: &TestApp, path: &str, auth: &Auth) -> Page {
    let page = app.get_page(path, auth).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
    page
}

#[tokio::test]
async fn the_work_list_puts_the_earliest_deadline_first_and_says_which_are_due() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    app.with_user("li", Role::Office, "linfen").await;
    let sign_in = |user: &'static str| {
        let app = &app;
        async move { app.sign_in(user, PASSWORD).await.expect("sign in") }
    };
    // Monday 2 November: accepted, due in 20 working days on 30 November.
    let clerk = sign_in("zhang").await;
    let first = accepted_case(&app, &clerk).await;
    let not_yet_accepted = number(&app.open_case(&clerk).await);
    // Wednesday 4 November: due 2 December.
    app.clock.set(at("2026-11-04 02:00"));
    let clerk = sign_in("zhang").await;
    let second = accepted_case(&app, &clerk).await;
    // Monday 16 November: due 14 December.
    app.clock.set(at("2026-11-16 02:00"));
    let clerk = sign_in("zhang").await;
    let third = accepted_case(&app, &clerk).await;
    // The first is touched last, so the store's order (latest first) is not the answer.
    let office = sign_in("li").await;
    app.act(&office, &first, "start_review", json!({})).await;
    let elsewhere = app.staff("zhao", Role::Clerk, "jingan").await;
    let other_center = accepted_case(&app, &elsewhere).await;

    app.clock.set(at("2026-12-01 02:00"));
    let office = sign_in("li").await;
    let page = page_ok(&app, "/office", &office).await;
    assert_eq!(
        listed(&page.html),
        [first.clone(), second.clone(), third.clone()]
    );
    assert!(!page.html.contains(&not_yet_accepted) && !page.html.contains(&other_center));

    let overdue = row(&page.html, &first);
    assert!(
        overdue.contains("2026-11-30") && overdue.contains(">已超期<"),
        "{overdue}"
    );
    assert!(overdue.contains("审核中") && overdue.contains("老年综合津贴申领"));
    assert!(overdue.contains("王阿姨") && overdue.contains("1101**********002X"));
    let soon = row(&page.html, &second);
    assert!(
        soon.contains("2026-12-02") && soon.contains(">即将到期<"),
        "{soon}"
    );
    let on_track = row(&page.html, &third);
    assert!(
        on_track.contains("2026-12-14") && on_track.contains(">按期<"),
        "{on_track}"
    );
    assert!(page.html.contains("共 3 件"));
    assert!(page.html.contains("即将到期 1 件") && page.html.contains("已超期 1 件"));
    assert!(!page.html.contains(RESIDENT), "ID numbers are masked");
    assert!(page.html.contains("href=\"/office\" aria-current=\"page\""));
}

#[tokio::test]
async fn a_supplement_request_tells_the_resident_what_and_by_when_and_stops_the_clock() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    let path = format!("/office/cases/{n}");

    let page = page_ok(&app, &path, &office).await;
    assert!(page.html.contains("已受理") && page.html.contains("居民身份证"));
    assert!(
        !page.html.contains("id=\"request_supplement\""),
        "not before review"
    );
    let started = submit(&app, &office, &page, &n, "start_review", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    assert_eq!(
        started.location(),
        Some(format!("{path}?done=start_review").as_str())
    );

    let page = page_ok(&app, &format!("{path}?done=start_review"), &office).await;
    assert!(page.html.contains("已开始审核。"));
    let told_before = app.notifier.sent().len();
    let asked = submit(
        &app,
        &office,
        &page,
        &n,
        "request_supplement",
        &[("request", "补充近三个月银行流水"), ("due", "2026-11-13")],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);

    let sent = app.notifier.sent();
    assert_eq!(sent.len(), told_before + 1, "the resident is told once");
    let (to, message) = sent.last().cloned().unwrap();
    assert_eq!(to, RESIDENT);
    assert!(
        message.contains(&n) && message.contains("补充近三个月银行流水"),
        "{message}"
    );
    assert!(message.contains("2026-11-13"), "{message}");

    let page = page_ok(&app, asked.location().unwrap(), &office).await;
    assert!(
        page.html
            .contains("已发出补正要求并通知申请人：补充近三个月银行流水，请于 2026-11-13 前补交。"),
        "{}",
        page.html
    );
    assert!(page.html.contains("待补正") && page.html.contains("补正中，计时暂停"));
    assert!(page.html.contains("id=\"provide_supplement\""));
    let record = &page.html[page.html.find("class=\"office-record\"").unwrap()..];
    assert!(record.contains("要求补正") && record.contains("补充近三个月银行流水"));
    assert_eq!(
        status_of(&app, &office, &n).await["deadline"]["paused"],
        true
    );
    let list = page_ok(&app, "/office", &office).await;
    assert!(row(&list.html, &n).contains("补正中，计时暂停"));

    // Past its due date and still awaited, the supplement says so.
    let supplements = |html: &str| {
        let at = html
            .find("class=\"office-supplements\"")
            .expect("supplements shown");
        html[at..at + html[at..].find("</table>").unwrap()].to_owned()
    };
    assert!(!supplements(&page.html).contains("已超期"));
    app.clock.set(at("2026-11-16 02:00"));
    let office = app.sign_in("li", PASSWORD).await.expect("sign in");
    let late = page_ok(&app, &path, &office).await;
    let table = supplements(&late.html);
    assert!(
        table.contains("尚未补交") && table.contains(">已超期<"),
        "{table}"
    );
}

#[tokio::test]
async fn approving_then_choosing_the_delivery_makes_the_result_ready() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    app.act(&office, &n, "start_review", json!({})).await;
    let path = format!("/office/cases/{n}");

    let page = page_ok(&app, &path, &office).await;
    assert!(
        !page.html.contains("id=\"mark_ready\""),
        "not before a decision"
    );
    let approved = submit(
        &app,
        &office,
        &page,
        &n,
        "approve",
        &[("approve_note", "材料齐全，符合条件")],
    )
    .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    let page = page_ok(&app, approved.location().unwrap(), &office).await;
    assert!(page.html.contains("已批准。请选择领取方式。"));
    assert!(!page.html.contains("id=\"approve\"") && !page.html.contains("id=\"deny\""));
    for code in ["window", "cabinet", "post", "e_licence"] {
        assert!(
            field_named(&page.html, "delivery").contains(&format!("value=\"{code}\"")),
            "{code} offered"
        );
    }

    let unknown = submit(
        &app,
        &office,
        &page,
        &n,
        "mark_ready",
        &[("delivery", "drone")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_named(&unknown.html, "delivery").contains("请选择一种领取方式。"));
    assert_eq!(status_of(&app, &office, &n).await["status"], "approved");

    // No cabinet yet: refused next to the choice, the case still approved.
    let no_cabinet = submit(
        &app,
        &office,
        &page,
        &n,
        "mark_ready",
        &[("delivery", "cabinet")],
    )
    .await;
    assert_eq!(no_cabinet.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_cabinet.html.contains("no free compartment"),
        "{}",
        no_cabinet.html
    );
    assert_eq!(status_of(&app, &office, &n).await["status"], "approved");
    let admin = app.staff("admin", Role::SystemAdmin, "linfen").await;
    let cabinet = json!({"name": "A", "location": "24小时自助区", "small": 4});
    assert_eq!(
        app.post("/api/v1/cabinets", cabinet, &admin).await.status,
        StatusCode::CREATED
    );

    let ready = submit(
        &app,
        &office,
        &page,
        &n,
        "mark_ready",
        &[("delivery", "cabinet")],
    )
    .await;
    assert_eq!(ready.status, StatusCode::SEE_OTHER, "{}", ready.html);
    let page = page_ok(&app, ready.location().unwrap(), &office).await;
    assert!(page.html.contains("已办结，等待领取：自助证照柜领取。"));
    assert!(page.html.contains("class=\"delivery\">自助证照柜领取<"));
    let record = &page.html[page.html.find("class=\"office-record\"").unwrap()..];
    let approved_at = record.find(">批准<").expect("approval recorded");
    assert!(record[approved_at..].contains("材料齐全，符合条件"));
    assert!(record.find(">办结待领取<").unwrap() > approved_at);
    assert!(record.contains(">li <span class=\"muted\">后台审核<"));

    let api = status_of(&app, &office, &n).await;
    assert_eq!(
        (api["status"].as_str(), api["delivery"].as_str()),
        (Some("ready"), Some("cabinet"))
    );
    assert!(
        page.html.contains("取件码"),
        "the page says the code was sent"
    );
    // The back office may not hand over at the window; the clerk may, but not a result
    // waiting in a compartment.
    assert!(!page.html.contains("id=\"deliver\""));
    let at_window = page_ok(&app, &path, &clerk).await;
    assert!(at_window.html.contains("id=\"deliver\""));
    let handed = submit(&app, &clerk, &at_window, &n, "deliver", &[]).await;
    assert_eq!(handed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(handed.html.contains("A-01"), "{}", handed.html);
}

#[tokio::test]
async fn bad_input_is_said_next_to_its_field_and_what_was_typed_is_kept() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    app.act(&office, &n, "start_review", json!({})).await;
    let page = page_ok(&app, &format!("/office/cases/{n}"), &office).await;
    let told_before = app.notifier.sent().len();

    let past = submit(
        &app,
        &office,
        &page,
        &n,
        "request_supplement",
        &[("request", "补充户口簿 <复印件>"), ("due", "2026-10-30")],
    )
    .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    let due = field_named(&past.html, "due");
    assert!(
        due.contains("补交期限不能早于今天（2026-11-02）。"),
        "{due}"
    );
    assert!(due.contains("value=\"2026-10-30\"") && due.contains("aria-invalid=\"true\""));
    let request = field_named(&past.html, "request");
    assert!(
        request.contains("补充户口簿 &#60;复印件&#62;")
            || request.contains("补充户口簿 &lt;复印件&gt;"),
        "{request}"
    );
    assert!(!request.contains("field-error"), "only the date is wrong");
    assert_eq!(past.html.matches("补交期限不能早于今天").count(), 1);

    let garbled = submit(
        &app,
        &office,
        &page,
        &n,
        "request_supplement",
        &[("request", "  "), ("due", "下周五")],
    )
    .await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_named(&garbled.html, "request").contains("请填写需要补正的内容。"));
    assert!(field_named(&garbled.html, "due").contains("请按“年-月-日”填写真实的日期"));

    let no_date = submit(
        &app,
        &office,
        &page,
        &n,
        "request_supplement",
        &[("request", "补充材料")],
    )
    .await;
    assert!(field_named(&no_date.html, "due").contains("请填写补交期限。"));
    assert!(field_named(&no_date.html, "request").contains(">补充材料</textarea>"));

    let no_reason = submit(&app, &office, &page, &n, "deny", &[("reason", " \n ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_named(&no_reason.html, "reason").contains("请填写不予批准的理由。"));

    let long = "长".repeat(501);
    let too_long = submit(&app, &office, &page, &n, "deny", &[("reason", &long)]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = field_named(&too_long.html, "reason");
    assert!(reason.contains("最多 500 个字") && reason.contains(&long));

    assert_eq!(
        app.notifier.sent().len(),
        told_before,
        "nobody was told anything"
    );
    let case = status_of(&app, &office, &n).await;
    assert_eq!(
        (case["status"].as_str(), case["version"].as_u64()),
        (Some("in_review"), Some(3))
    );
}

#[tokio::test]
async fn a_stale_page_is_refused_with_the_current_state_shown() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let li = app.staff("li", Role::Office, "linfen").await;
    let wang = app.staff("wang", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    app.act(&li, &n, "start_review", json!({})).await;
    let path = format!("/office/cases/{n}");
    let seen_by_li = page_ok(&app, &path, &li).await;
    let seen_by_wang = page_ok(&app, &path, &wang).await;

    let approved = submit(&app, &li, &seen_by_li, &n, "approve", &[]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let late = submit(
        &app,
        &wang,
        &seen_by_wang,
        &n,
        "deny",
        &[("reason", "收入超标")],
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.html);
    assert!(late.html.contains("这个办件在您打开页面之后已有变动"));
    assert!(late.html.contains("已批准") && late.html.contains("id=\"mark_ready\""));
    assert_eq!(status_of(&app, &li, &n).await["status"], "approved");

    // Same state, older version: a note added meanwhile still makes the page stale.
    let n2 = accepted_case(&app, &clerk).await;
    app.act(&li, &n2, "start_review", json!({})).await;
    let stale = page_ok(&app, &format!("/office/cases/{n2}"), &wang).await;
    app.act(&li, &n2, "add_note", json!({"text": "已电话核实"}))
        .await;
    let refused = submit(
        &app,
        &wang,
        &stale,
        &n2,
        "approve",
        &[("approve_note", "同意")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(field_named(&refused.html, "approve_note").contains(">同意</textarea>"));
    assert_eq!(status_of(&app, &li, &n2).await["status"], "in_review");
}

#[tokio::test]
async fn the_pages_read_in_english_with_lang_en() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;

    let list = page_ok(&app, "/office?lang=en", &office).await;
    assert!(list.html.contains("<html lang=\"en\">"));
    assert!(
        list.cookie("haoban_lang")
            .is_some_and(|c| c.starts_with("haoban_lang=en"))
    );
    for label in [
        "Back office · work list",
        "Case number",
        "Deadline",
        "Elderly comprehensive allowance",
        "Accepted",
        "On track",
        "Cases: 1",
    ] {
        assert!(list.html.contains(label), "{label} in\n{}", list.html);
    }
    for chinese in ["办件编号", "办结期限", "老年综合津贴申领", "已受理", "按期"]
    {
        assert!(!list.html.contains(chinese), "{chinese} left in English");
    }

    let page = page_ok(&app, &format!("/office/cases/{n}?lang=en"), &office).await;
    for label in [
        "Case review",
        "Materials and their checks",
        "Resident identity card",
        "Electronic licence",
        "Process record",
        "Start review",
        "Back to the work list",
    ] {
        assert!(page.html.contains(label), "{label} in\n{}", page.html);
    }
    assert!(
        page.html
            .contains(&format!("href=\"/office/cases/{n}?lang=zh\""))
    );

    app.act(&office, &n, "start_review", json!({})).await;
    let page = page_ok(&app, &format!("/office/cases/{n}?lang=en"), &office).await;
    let mut form: Vec<(String, String)> = hidden_fields(&page.html, "request_supplement");
    form.push(("request".into(), String::new()));
    form.push(("due".into(), "2026-13-01".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = app
        .page(
            axum::http::Method::POST,
            &format!("/office/cases/{n}/request_supplement"),
            Some(&pairs),
            &office,
            &["haoban_lang=en"],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_named(&refused.html, "request").contains("Say what must be supplemented."));
    assert!(field_named(&refused.html, "due").contains("Enter a real date as year-month-day"));
}

#[tokio::test]
async fn roles_that_may_not_decide_are_refused_by_the_policy_table() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    app.act(&office, &n, "start_review", json!({})).await;
    let path = format!("/office/cases/{n}");

    // The clerk reads the case, but is offered no decision.
    let seen = page_ok(&app, &path, &clerk).await;
    assert!(!seen.html.contains("id=\"approve\"") && !seen.html.contains("id=\"deny\""));
    assert!(
        seen.html
            .contains("以您的岗位，这个办件当前没有可办理的操作。")
    );

    // A form copied from the office's page does not help.
    let office_page = page_ok(&app, &path, &office).await;
    let version = hidden_fields(&office_page.html, "approve")
        .into_iter()
        .find(|(k, _)| k == "version")
        .unwrap()
        .1;
    for who in [&clerk, &desk] {
        let refused = app
            .post_form(
                &format!("{path}/approve"),
                &[("csrf_token", who.csrf()), ("version", &version)],
                who,
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
        assert!(refused.html.contains("may not approve"), "{}", refused.html);
    }
    // Nor does a form without the session's token.
    let forged = app
        .post_form(
            &format!("{path}/approve"),
            &[("csrf_token", "x"), ("version", &version)],
            &office,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &office, &n).await["status"], "in_review");

    let resident = app.resident(RESIDENT).await;
    let page = app.get_page("/office", &resident).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("后台审核页面仅供本中心工作人员使用。"));

    // Another center's case is not shown to exist.
    let elsewhere = app.staff("zhao", Role::Office, "jingan").await;
    assert_eq!(
        app.get_page(&path, &elsewhere).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn strangers_are_sent_to_sign_in() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let n = accepted_case(&app, &clerk).await;
    let list = app.get_page("/office", &Auth::Anonymous).await;
    assert_eq!(list.status, StatusCode::SEE_OTHER);
    assert_eq!(list.location(), Some("/login?next=/office"));
    let case = app
        .get_page(&format!("/office/cases/{n}"), &Auth::Anonymous)
        .await;
    assert_eq!(
        case.location(),
        Some(format!("/login?next=/office/cases/{n}").as_str())
    );
    let post = app
        .post_form(
            &format!("/office/cases/{n}/approve"),
            &[("version", "2")],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(post.status, StatusCode::SEE_OTHER);
    assert_eq!(
        post.location(),
        Some(format!("/login?next=/office/cases/{n}/approve").as_str())
    );
}

#[tokio::test]
async fn a_deficiency_promise_is_shown_and_must_be_kept_before_approval() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let n = number(&app.open_case(&clerk).await);
    app.act(&clerk, &n, "accept_with_deficiency", json!({
        "materials": [{"material": "id-card", "state": "received"}, {"material": "bank-card", "state": "missing"}],
        "promise": "三个工作日内补交银行卡复印件",
        "due": "2026-11-05"
    }))
    .await;
    app.act(&office, &n, "start_review", json!({})).await;
    let path = format!("/office/cases/{n}");
    let page = page_ok(&app, &path, &office).await;
    let deficiency = &page.html[page.html.find("class=\"deficiency\"").expect("shown")..];
    assert!(
        deficiency.contains("三个工作日内补交银行卡复印件") && deficiency.contains("2026-11-05")
    );
    assert!(deficiency.contains("银行卡") && deficiency.contains("尚未补齐"));
    assert!(
        !page.html.contains("id=\"approve\""),
        "approval waits for the materials"
    );

    let fulfilled = submit(&app, &office, &page, &n, "fulfil_deficiency", &[]).await;
    assert_eq!(fulfilled.status, StatusCode::SEE_OTHER);
    let page = page_ok(&app, fulfilled.location().unwrap(), &office).await;
    assert!(page.html.contains("已登记容缺材料补齐。") && page.html.contains("id=\"approve\""));
}
