//! `/training` (3先3后) as people use it: the director's overview (frequency with the line,
//! the competence matrix, plans) from cases recorded through the API; a clerk's own plan
//! and a test taken, refused while unanswered, scored and retaken; questions written with
//! errors next to their fields; a new member tracked, reviewed and decided ready for duty.

mod support;

use axum::http::StatusCode;
use haoban_cases::Role;
use serde_json::json;
use support::{Auth, TestApp};

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

/// The HTML from `start` to the next `end`.
fn part<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// An elderly-allowance case opened and accepted by `clerk`: its number.
async fn accepted(app: &TestApp, clerk: &Auth) -> String {
    let case = app.open_case(clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    let materials = json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]});
    let reply = app
        .post(
            &format!("/api/v1/cases/{number}/actions/accept"),
            materials,
            clerk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    number
}

fn no_inline_code(html: &str) {
    assert!(!html.contains("<script>") && !html.contains("style="));
}

#[tokio::test]
async fn the_overview_shows_the_line_the_matrix_and_the_plans() {
    let mut app = TestApp::new().await;
    app.state.config.training.high_frequency_line = 2;
    let li = app.staff("li", Role::Clerk, "linfen").await;
    app.with_user("wang", Role::Clerk, "linfen").await;
    let office = app.staff("qian", Role::Office, "linfen").await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    // li accepts two elderly-allowance cases; the office sends one back for a supplement.
    let first = accepted(&app, &li).await;
    accepted(&app, &li).await;
    app.act(&office, &first, "start_review", json!({})).await;
    app.act(
        &office,
        &first,
        "request_supplement",
        json!({"request": "户口簿复印件", "due": "2026-11-20"}),
    )
    .await;

    let page = app.get_page("/training", &director).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    no_inline_code(html);
    assert!(html.contains("<a href=\"/training\" aria-current=\"page\">培训</a>"));
    // Two cases in the last 12 months reach the line of 2: marked, and the line after it.
    let frequency = part(html, "id=\"frequency\"", "</section>");
    assert!(
        frequency.contains("2025-11-03 至 2026-11-02 提交的办件数。每年 2 件及以上为高频事项"),
        "{frequency}"
    );
    let elderly = part(frequency, "老年综合津贴申领", "</tr>");
    assert!(elderly.contains("高频") && elderly.contains("data-cases=\"elderly-allowance\">2<"));
    assert!(
        frequency.find("老年综合津贴申领") < frequency.find("高频线：每年 2 件")
            && frequency.find("高频线：每年 2 件") < frequency.find("政策咨询"),
        "{frequency}"
    );
    // li handled 2, one supplement: 50 %. Everyone who takes tests has a row, wang and the
    // office's qian too (a review started is not a decision); the director takes tests too.
    let matrix = part(html, "id=\"matrix\"", "</section>");
    let li_row = part(matrix, "data-staff=\"li\"", "</tr>");
    assert!(
        li_row.contains("经办 2</span><span class=\"errors\">差错 50.0%"),
        "{li_row}"
    );
    for member in ["wang", "qian", "zhou"] {
        let row = part(matrix, &format!("data-staff=\"{member}\""), "</tr>");
        assert!(
            !row.contains("errors") && row.matches("经办 0").count() == 3,
            "{row}"
        );
    }
    // Plans: wang starts with the high-frequency item; li, who knows it, with the broad
    // category's items in catalog order.
    let plans = part(html, "id=\"plans\"", "</section>");
    let wang = part(plans, "data-plan=\"wang\"", "</tr>");
    assert!(
        wang.find("老年综合津贴申领") < wang.find("政策咨询")
            && wang.find("政策咨询") < wang.find("最低生活保障"),
        "{wang}"
    );
    let li_plan = part(plans, "data-plan=\"li\"", "</tr>");
    assert!(!li_plan.contains("老年综合津贴申领") && li_plan.contains("政策咨询"));

    let en = app.get_page("/training?lang=en", &director).await;
    let html = &en.html;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Cases submitted from 2025-11-03 to 2026-11-02"));
    assert!(html.contains("High-frequency line: 2 cases a year"));
    assert!(html.contains("handled 2</span><span class=\"errors\">errors 50.0%"));
    assert!(html.contains("Elderly comprehensive allowance"));
}

#[tokio::test]
async fn a_clerk_sees_their_plan_and_takes_a_test_again_until_passed() {
    let app = TestApp::new().await;
    let wang = app.staff("wang", Role::Clerk, "linfen").await;
    app.with_user("li", Role::Clerk, "linfen").await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;

    let home = app.get_page("/training", &wang).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), Some("/training/staff/wang"));
    let other = app.get_page("/training/staff/li", &wang).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let plan = app.get_page("/training/staff/wang", &wang).await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.html.contains("wang 的培训计划"));
    assert!(
        plan.html
            .contains("href=\"/training/tests/elderly-allowance\"")
    );

    let path = "/training/tests/elderly-allowance";
    let test = app.get_page(path, &wang).await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.html);
    no_inline_code(&test.html);
    assert!(
        test.html
            .contains("办理「老年综合津贴申领」可能需要提交哪些材料？")
    );
    assert!(
        test.html
            .contains("「老年综合津贴申领」的承诺办结时限是多少？")
    );
    assert!(test.html.contains("答对 80% 及以上为通过"));

    // The time limit left out: refused next to it, the materials chosen kept.
    let csrf = wang.csrf();
    let unanswered = app
        .post_form(
            path,
            &[
                ("csrf_token", csrf),
                ("materials:elderly-allowance", "id-card"),
            ],
            &wang,
        )
        .await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    let days = part(&unanswered.html, "id=\"q2\"", "</fieldset>");
    assert!(days.contains("请回答这一题。"), "{days}");
    let materials = part(&unanswered.html, "id=\"q1\"", "</fieldset>");
    assert!(materials.contains("value=\"id-card\" checked"));
    assert!(!materials.contains("请回答这一题。"));

    // One material too few: 1 of 2 right, not passed.
    let first = app
        .post_form(
            path,
            &[
                ("csrf_token", csrf),
                ("materials:elderly-allowance", "id-card"),
                ("days:elderly-allowance", "20"),
            ],
            &wang,
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let location = first.location().expect("to the result");
    assert!(location.ends_with("#result"), "{location}");
    let result = location.trim_end_matches("#result").to_owned();
    let shown = app.get_page(&result, &wang).await;
    assert_eq!(
        figure(&shown.html, "score"),
        "答对 1 / 2 题，50%（及格线 80%）"
    );
    assert!(shown.html.contains("未通过"));
    let wrong = part(&shown.html, "class=\"result-questions\"", "</ol>");
    assert!(wrong.contains("class=\"wrong\"") && wrong.contains("class=\"right\""));

    // Taken again, all right: passed, and the item leaves the plan.
    let again = app
        .post_form(
            path,
            &[
                ("csrf_token", csrf),
                ("materials:elderly-allowance", "id-card"),
                ("materials:elderly-allowance", "bank-card"),
                ("days:elderly-allowance", "20"),
            ],
            &wang,
        )
        .await;
    let shown = app.get_page(again.location().expect("result"), &wang).await;
    assert_eq!(
        figure(&shown.html, "score"),
        "答对 2 / 2 题，100%（及格线 80%）"
    );
    let plan = app.get_page("/training/staff/wang", &wang).await;
    let steps = part(&plan.html, "id=\"plan\"", "</section>");
    assert!(!steps.contains("老年综合津贴申领") && steps.contains("最低生活保障"));
    let attempts = part(&plan.html, "id=\"attempts\"", "</section>");
    assert_eq!(
        attempts.matches("<td class=\"date\">").count(),
        2,
        "{attempts}"
    );
    // Someone else's attempt is not shown to a clerk; the director sees it.
    app.with_user("zhao", Role::Clerk, "linfen").await;
    let zhao = app.sign_in("zhao", support::PASSWORD).await.expect("zhao");
    let peek = app.get_page(&result, &zhao).await;
    assert!(!peek.html.contains("data-figure=\"score\""));
    let director_view = app.get_page(&result, &director).await;
    assert!(director_view.html.contains("data-figure=\"score\""));
    let overview = app.get_page("/training", &director).await;
    let row = part(&overview.html, "data-staff=\"wang\"", "</tr>");
    assert!(row.contains("已考"), "{row}");
    let nobody = app.get_page("/training/staff/nobody", &director).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);

    let en = app.get_page(&format!("{result}&lang=en"), &wang).await;
    assert_eq!(
        figure(&en.html, "score"),
        "1 of 2 right, 50% (pass mark 80%)"
    );
    assert!(en.html.contains(
        "Which materials may an application for “Elderly comprehensive allowance” need?"
    ));
    let missing = app.get_page("/training/tests/no-such-item", &wang).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_supervisor_writes_questions_with_errors_next_to_their_fields() {
    let app = TestApp::new().await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let clerk = app.staff("wang", Role::Clerk, "linfen").await;
    let csrf = director.csrf();

    let bad = app
        .post_form(
            "/training/questions",
            &[
                ("csrf_token", csrf),
                ("item", "low-income"),
                ("prompt_zh", "可以委托他人代办吗？"),
                ("prompt_en", ""),
                (
                    "choices",
                    "可以，凭委托书 | Yes, with a power of attorney\n不可以",
                ),
                ("correct", "1,x"),
            ],
            &director,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &bad.html;
    let prompt_en = part(
        html,
        "<div class=\"field has-error\">\n    <label for=\"prompt-en\">",
        "</div>",
    );
    assert!(prompt_en.contains("请填写英文题目"), "{prompt_en}");
    let choices = part(html, "<label for=\"choices\">", "</div>");
    assert!(choices.contains("第 2 行需要中文和英文"), "{choices}");
    assert!(choices.contains("可以，凭委托书 | Yes, with a power of attorney\n不可以</textarea>"));
    let correct = part(html, "<label for=\"correct\">", "</div>");
    assert!(correct.contains("请填写行号") && correct.contains("value=\"1,x\""));
    assert!(html.contains("value=\"可以委托他人代办吗？\""));
    assert!(html.contains("<option value=\"low-income\" selected>"));

    let good = app
        .post_form(
            "/training/questions",
            &[
                ("csrf_token", csrf),
                ("item", "low-income"),
                ("prompt_zh", "可以委托他人代办吗？"),
                ("prompt_en", "May someone else apply for the applicant?"),
                (
                    "choices",
                    "可以，凭委托书 | Yes, with a power of attorney\n不可以 | No",
                ),
                ("correct", "1"),
            ],
            &director,
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.html);
    let bank = app
        .get_page(good.location().expect("back to the bank"), &director)
        .await;
    assert!(bank.html.contains("已保存第 1 号题目。"));
    let written = part(&bank.html, "id=\"written-1\"", "</li>\n</li>");
    assert!(written.contains("可以委托他人代办吗？") && written.contains("zhou"));
    // The catalog's questions for the item are shown too.
    let generated = part(&bank.html, "id=\"generated\"", "</section>");
    assert!(generated.contains("户籍") && generated.contains("30 个工作日"));

    // The written question is part of the item's test.
    let test = app.get_page("/training/tests/low-income", &clerk).await;
    assert!(test.html.contains("可以委托他人代办吗？"));
    assert!(test.html.contains("name=\"written:1\""));

    let refused = app.get_page("/training/questions", &clerk).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let en = app.get_page("/training/questions?lang=en", &director).await;
    assert!(en.html.contains("Questions written by supervisors"));
}

#[tokio::test]
async fn a_new_member_is_tracked_reviewed_and_decided_ready_for_duty() {
    let app = TestApp::new().await;
    let director = app.staff("zhou", Role::Supervisor, "linfen").await;
    let xiaoli = app.staff("xiaoli", Role::Clerk, "linfen").await;
    app.with_user("li", Role::Clerk, "linfen").await;
    let csrf = director.csrf();

    let bad = app
        .post_form(
            "/training/onboarding",
            &[
                ("csrf_token", csrf),
                ("staff", "xiaoli"),
                ("mentor", "xiaoli"),
                ("start", "2026-13-01"),
            ],
            &director,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mentor = part(&bad.html, "<label for=\"mentor\">", "</div>");
    assert!(mentor.contains("请选择另一位本中心的工作人员做带教师傅。"));
    let start = part(&bad.html, "<label for=\"start\">", "</div>");
    assert!(start.contains("请按 年-月-日 填写") && start.contains("value=\"2026-13-01\""));
    assert!(bad.html.contains("<option value=\"xiaoli\" selected>"));

    let started = app
        .post_form(
            "/training/onboarding",
            &[
                ("csrf_token", csrf),
                ("staff", "xiaoli"),
                ("mentor", "li"),
                ("start", "2026-11-02"),
            ],
            &director,
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    let list = app
        .get_page(started.location().expect("list"), &director)
        .await;
    assert!(list.html.contains("已开始跟踪 xiaoli。"));
    let row = part(&list.html, "data-staff=\"xiaoli\"", "</tr>");
    assert!(row.contains("li") && row.contains("2026-11-02") && row.contains("2027-02-01"));
    assert!(row.contains("跟踪中"));
    let twice = app
        .post_form(
            "/training/onboarding",
            &[
                ("csrf_token", csrf),
                ("staff", "xiaoli"),
                ("mentor", "li"),
                ("start", "2026-11-02"),
            ],
            &director,
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(part(&twice.html, "<label for=\"staff\">", "</div>").contains("此人已有跟踪记录。"));

    // xiaoli accepts a case; the office asks for a supplement on it.
    let office = app.staff("qian", Role::Office, "linfen").await;
    let case = accepted(&app, &xiaoli).await;
    app.act(&office, &case, "start_review", json!({})).await;
    app.act(
        &office,
        &case,
        "request_supplement",
        json!({"request": "户口簿", "due": "2026-11-20"}),
    )
    .await;
    let tracker = app.get_page("/training/onboarding/xiaoli", &director).await;
    assert_eq!(tracker.status, StatusCode::OK, "{}", tracker.html);
    no_inline_code(&tracker.html);
    for (name, value) in [
        ("handled", "1"),
        ("accepted", "1"),
        ("supplements", "1"),
        ("error-rate", "100.0%"),
    ] {
        assert_eq!(figure(&tracker.html, name), value, "{name}");
    }
    assert!(
        tracker
            .html
            .contains("第 1 个月 <span class=\"muted date\">2026-11-02 – 2026-12-01</span>")
    );
    assert!(part(&tracker.html, "id=\"mix\"", "</section>").contains("老年综合津贴申领"));
    assert!(tracker.html.contains("跟踪期到 2027-02-01 才满"));

    let review = "/training/onboarding/xiaoli/review";
    let empty = app
        .post_form(review, &[("csrf_token", csrf), ("note", "  ")], &director)
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(part(&empty.html, "<label for=\"review-note\">", "</div>").contains("请填写意见"));
    let reviewed = app
        .post_form(
            review,
            &[("csrf_token", csrf), ("note", "材料审核熟练")],
            &director,
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER);
    let shown = app
        .get_page(reviewed.location().expect("tracker"), &director)
        .await;
    assert!(shown.html.contains("已记录考核意见。") && shown.html.contains("材料审核熟练"));

    // Only a supervisor decides; xiaoli may not, nor see the tracker.
    let ready = "/training/onboarding/xiaoli/ready";
    let by_clerk = app
        .post_form(
            ready,
            &[("csrf_token", xiaoli.csrf()), ("note", "ok")],
            &xiaoli,
        )
        .await;
    assert_eq!(by_clerk.status, StatusCode::FORBIDDEN);
    let peek = app.get_page("/training/onboarding/xiaoli", &xiaoli).await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN);
    let decided = app
        .post_form(
            ready,
            &[("csrf_token", csrf), ("note", "可以独立上岗")],
            &director,
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let shown = app
        .get_page(decided.location().expect("tracker"), &director)
        .await;
    assert_eq!(
        figure(&shown.html, "decision"),
        "zhou 于 2026-11-02 决定：可以独立上岗。"
    );
    assert!(!shown.html.contains("id=\"decision-note\""));
    let again = app
        .post_form(ready, &[("csrf_token", csrf), ("note", "again")], &director)
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.html.contains("已经有主管作出了上岗决定。"));
    let list = app.get_page("/training/onboarding", &director).await;
    assert!(part(&list.html, "data-staff=\"xiaoli\"", "</tr>").contains("2026-11-02 起可独立上岗"));

    let en = app
        .get_page("/training/onboarding/xiaoli?lang=en", &director)
        .await;
    assert_eq!(
        figure(&en.html, "decision"),
        "zhou decided on 2026-11-02: ready for duty on their own."
    );
    let unknown = app.get_page("/training/onboarding/nobody", &director).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
