//! The server-rendered pages: sign-in and sign-out, the desk's pre-review questionnaire,
//! the one-time notice, the language switch, and HTML escaping.

mod support;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use haoban_cases::Role;
use haoban_catalog::{Applicant, Selection};
use support::{Auth, PASSWORD, Page, TestApp, unescape};

/// The hidden fields of the form `id`, in order, unescaped: what a browser would send back.
fn hidden_fields(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("<form id=\"{id}\""))
        .unwrap_or_else(|| panic!("no form {id} in\n{html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("form end")];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + "<input type=\"hidden\" name=\"".len()..];
        let name_end = rest.find('"').expect("name end");
        let name = unescape(&rest[..name_end]);
        let value_at = rest.find("value=\"").expect("value") + "value=\"".len();
        let value_end = value_at + rest[value_at..].find('"').expect("value end");
        fields.push((name, unescape(&rest[value_at..value_end])));
        rest = &rest[value_end..];
    }
    fields
}

/// `raw` is on the page only escaped: never as markup, but there once unescaped.
fn shown_escaped(html: &str, raw: &str) -> bool {
    !html.contains(raw) && !html.contains("<script>") && unescape(html).contains(raw)
}

/// The fact the questionnaire asks now, if any.
fn asked(html: &str) -> Option<String> {
    hidden_fields(html, "prereview")
        .into_iter()
        .find(|(name, _)| name == "ask")
        .map(|(_, value)| value)
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// What the applicant of these tests answers, as typed and as JSON.
fn answer_for(fact: &str) -> (&'static str, &'static str) {
    match fact {
        "birth_date" => ("1949-12-31", "\"1949-12-31\""),
        "hukou" => ("shanghai", "\"shanghai\""),
        "payment" => ("bank", "\"bank\""),
        "income" => ("1000.50", "1000.50"),
        "members" => ("2", "2"),
        "married" => ("true", "true"),
        other => panic!("unexpected question {other}"),
    }
}

/// The engine's next question for the facts given so far (all items, on the test day).
fn engine_next(app: &TestApp, given: &[(String, &str)]) -> Option<String> {
    let catalog = &app.state.catalog;
    let json = format!(
        "{{{}}}",
        given
            .iter()
            .map(|(fact, json)| format!("\"{fact}\":{json}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let applicant = Applicant::from_json(catalog, &json).expect("facts");
    let selected = catalog.select(&Selection::All).expect("all");
    let on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    catalog
        .prereview(&applicant, &selected, on)
        .questions
        .first()
        .map(|q| (*q).to_owned())
}

/// Answers every question the desk asks until the result, checking each is the engine's
/// next; returns the result page and the order asked.
async fn walk(app: &TestApp, desk: &Auth) -> (Page, Vec<String>) {
    let mut page = app.get_page("/desk", desk).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let mut given: Vec<(String, &str)> = Vec::new();
    let mut order = Vec::new();
    loop {
        let asked = asked(&page.html);
        assert_eq!(
            asked,
            engine_next(app, &given),
            "asked in the engine's order"
        );
        let Some(fact) = asked else { break };
        assert!(!order.contains(&fact), "{fact} asked twice");
        let (typed, json) = answer_for(&fact);
        let mut form = hidden_fields(&page.html, "prereview");
        form.push(("answer".into(), typed.into()));
        form.push(("step".into(), "answer".into()));
        page = app.post_form("/desk", &pairs(&form), desk).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        given.push((fact.clone(), json));
        order.push(fact);
    }
    (page, order)
}

/// The pairs that answer a question `fact` with `typed` on the first page.
fn answering(desk: &Auth, fact: &str, typed: &str) -> Vec<(String, String)> {
    vec![
        ("csrf_token".into(), desk.csrf().into()),
        ("selection".into(), String::new()),
        ("ask".into(), fact.into()),
        ("answer".into(), typed.into()),
        ("step".into(), "answer".into()),
    ]
}

/// The HTML from the question's fieldset to its end.
fn question_fieldset(html: &str) -> &str {
    let start = html.find("<fieldset class=\"question").expect("a question");
    let rest = &html[start..];
    &rest[..rest.find("</fieldset>").expect("fieldset end")]
}

#[tokio::test]
async fn staff_pages_send_strangers_to_sign_in() {
    let app = TestApp::new().await;
    let page = app.get_page("/desk", &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/login?next=/desk"));
    let post = app
        .post_form("/desk", &[("step", "answer")], &Auth::Anonymous)
        .await;
    assert_eq!(post.status, StatusCode::SEE_OTHER);
    assert_eq!(post.location(), Some("/login?next=/desk"));
    let with_query = app.get_page("/desk?lang=en", &Auth::Anonymous).await;
    assert_eq!(with_query.location(), Some("/login?next=/desk%3Flang%3Den"));
    let login = app.get_page("/login?next=/desk", &Auth::Anonymous).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.html.contains("name=\"next\" value=\"/desk\""));
}

#[tokio::test]
async fn a_wrong_password_is_said_next_to_the_form_and_the_username_kept() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Desk, "linfen").await;
    let page = app
        .post_form(
            "/login",
            &[
                ("username", "zhang"),
                ("password", "wrong"),
                ("next", "/desk"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.html.contains(
        "<p class=\"form-error\" id=\"login-error\" role=\"alert\">用户名、密码或动态验证码错误。</p>"
    ));
    assert!(
        page.html
            .contains("name=\"username\" type=\"text\" value=\"zhang\"")
    );
    assert!(page.cookie("haoban_session").is_none());
    // An unknown user reads the same, in English the API's own words.
    let english = app
        .post_form(
            "/login?lang=en",
            &[("username", "nobody"), ("password", "wrong")],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(english.status, StatusCode::UNAUTHORIZED);
    assert!(
        english
            .html
            .contains(">Wrong username, password or code.</p>")
    );
    assert!(english.html.contains("value=\"nobody\""));
    // Empty fields: a message next to each, and no attempt counted.
    let empty = app
        .post_form(
            "/login",
            &[("username", "zhang"), ("password", "")],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .html
            .contains("<p class=\"field-error\" id=\"password-error\">请输入密码。</p>")
    );
    assert!(empty.html.contains("value=\"zhang\""));
}

#[tokio::test]
async fn the_page_sign_in_locks_like_the_api() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Desk, "linfen").await;
    for _ in 0..5 {
        let page = app
            .post_form(
                "/login",
                &[("username", "zhang"), ("password", "guess")],
                &Auth::Anonymous,
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app
        .post_form(
            "/login",
            &[("username", "zhang"), ("password", PASSWORD)],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.html.contains("账号已暂时锁定"));
    assert!(locked.cookie("haoban_session").is_none());
    // The API sees the same lock.
    assert_eq!(
        app.sign_in("zhang", PASSWORD).await.unwrap_err().status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn signing_in_sets_the_session_and_goes_to_a_local_next_only() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Desk, "linfen").await;
    let page = app
        .post_form(
            "/login",
            &[
                ("username", "zhang"),
                ("password", PASSWORD),
                ("next", "/desk?lang=en"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/desk?lang=en"));
    let cookie = page.cookie("haoban_session").expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let secret = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("haoban_session=")
        .to_owned();
    let session = Auth::Cookie {
        secret,
        csrf: String::new(),
    };
    let desk = app.get_page("/desk", &session).await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.html.contains("zhang"));

    for next in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "",
    ] {
        let page = app
            .post_form(
                "/login",
                &[
                    ("username", "zhang"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
                &Auth::Anonymous,
            )
            .await;
        assert_eq!(page.location(), Some("/desk"), "next {next:?}");
    }
}

#[tokio::test]
async fn signing_out_needs_the_forms_token() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let page = app.get_page("/desk", &desk).await;
    assert!(page.html.contains("action=\"/logout\""));
    let refused = app
        .post_form("/logout", &[("csrf_token", "not-the-token")], &desk)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_page("/desk", &desk).await.status, StatusCode::OK);
    let out = app
        .post_form("/logout", &[("csrf_token", desk.csrf())], &desk)
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), Some("/login"));
    assert!(out.cookie("haoban_session").unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.get_page("/desk", &desk).await.status,
        StatusCode::SEE_OTHER,
        "the session is gone"
    );
}

#[tokio::test]
async fn only_the_first_windows_roles_use_the_desk() {
    let app = TestApp::new().await;
    for (name, role) in [
        ("d", Role::Desk),
        ("c", Role::Clerk),
        ("s", Role::Supervisor),
    ] {
        let auth = app.staff(name, role, "linfen").await;
        assert_eq!(
            app.get_page("/desk", &auth).await.status,
            StatusCode::OK,
            "{role}"
        );
    }
    for (name, role) in [
        ("o", Role::Office),
        ("a", Role::SystemAdmin),
        ("u", Role::Auditor),
    ] {
        let auth = app.staff(name, role, "linfen").await;
        let page = app.get_page("/desk", &auth).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        assert!(page.html.contains("无权访问"));
        let post = app
            .post_form("/desk", &[("csrf_token", auth.csrf())], &auth)
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn the_desk_form_needs_the_sessions_token() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let mut form = answering(&desk, "hukou", "shanghai");
    form[0].1 = "forged".into();
    let page = app.post_form("/desk", &pairs(&form), &desk).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let notice = app
        .post_form("/desk/notice", &[("csrf_token", "")], &desk)
        .await;
    assert_eq!(notice.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_questionnaire_asks_the_engines_questions_until_the_result() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let (result, order) = walk(&app, &desk).await;
    assert_eq!(
        order.first().map(String::as_str),
        Some("hukou"),
        "the fact most items need first"
    );
    assert_eq!(
        order.len(),
        6,
        "every given fact of the fixture mattered: {order:?}"
    );
    let html = &result.html;
    assert!(html.contains("预审结果"));
    assert!(html.contains("没有需要再问的问题了"));
    for item in ["老年综合津贴申领", "最低生活保障", "政策咨询"] {
        assert!(html.contains(item), "{item}");
    }
    let eligible = &html[html.find("class=\"item-group eligible\"").unwrap()..];
    let eligible = &eligible[..eligible.find("</section>").unwrap()];
    assert!(eligible.contains("老年综合津贴申领") && eligible.contains("最低生活保障"));
    for material in ["居民身份证", "户口簿", "银行卡", "结婚证"] {
        assert!(html.contains(material), "{material}");
    }
    assert!(html.contains("2 份"), "the largest copies count of id-card");
    assert!(html.contains("action=\"/desk/notice\""));
    assert!(html.contains("取号排队"), "the place of the ticket button");
    // The answers travel back in the notice form too.
    let notice_fields = hidden_fields(html, "notice");
    assert!(notice_fields.contains(&("f.married".into(), "true".into())));
    assert!(notice_fields.contains(&("f.income".into(), "1000.50".into())));
}

#[tokio::test]
async fn a_skipped_question_is_not_asked_again_and_stays_unknown() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let first = app.get_page("/desk", &desk).await;
    assert_eq!(asked(&first.html).as_deref(), Some("hukou"));
    let mut form = hidden_fields(&first.html, "prereview");
    form.push(("step".into(), "skip".into()));
    let mut page = app.post_form("/desk", &pairs(&form), &desk).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut seen = vec!["hukou".to_owned()];
    while let Some(fact) = asked(&page.html) {
        assert!(!seen.contains(&fact), "{fact} asked again");
        seen.push(fact);
        let mut form = hidden_fields(&page.html, "prereview");
        form.push(("step".into(), "skip".into()));
        page = app.post_form("/desk", &pairs(&form), &desk).await;
    }
    let html = &page.html;
    assert!(html.contains("预审结果"));
    assert!(
        html.contains("尚需了解：户籍"),
        "unknown items say what is missing"
    );
    assert!(hidden_fields(html, "prereview").contains(&("skip".into(), "hukou".into())));
    assert!(
        html.contains("视情况而定，取决于"),
        "conditional materials say on what"
    );

    // "Change" forgets a skipped fact, so it is asked again.
    let mut form = hidden_fields(html, "prereview");
    form.push(("forget".into(), "hukou".into()));
    let again = app.post_form("/desk", &pairs(&form), &desk).await;
    assert_eq!(asked(&again.html).as_deref(), Some("hukou"));
}

#[tokio::test]
async fn stopping_early_shows_the_result_with_what_is_still_unknown() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let form = vec![
        ("csrf_token", desk.csrf()),
        ("f.hukou", "other"),
        ("step", "finish"),
    ];
    let page = app.post_form("/desk", &form, &desk).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(asked(&page.html), None);
    let ineligible = &page.html[page.html.find("class=\"item-group ineligible\"").unwrap()..];
    let ineligible = &ineligible[..ineligible.find("</section>").unwrap()];
    assert!(ineligible.contains("老年综合津贴申领"));
    assert!(
        unescape(ineligible).contains("未满足：户籍 (hukou == \"shanghai\")"),
        "{ineligible}"
    );
}

#[tokio::test]
async fn a_bad_answer_is_refused_next_to_the_field_and_kept() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    for (fact, typed, message) in [
        ("members", "two", "请填写整数，例如 3。"),
        (
            "members",
            "99999999999999999999",
            "这个数字太大了，请核对。",
        ),
        ("income", "1,510", "请填写数字，例如 1510 或 1510.50。"),
        ("birth_date", "1950-02-30", "请按“年-月-日”填写真实的日期"),
        ("hukou", "beijing", "请从列表中选择一项。"),
        ("married", "maybe", "请选择“是”或“否”。"),
        ("members", "  ", "请填写后再提交"),
    ] {
        let page = app
            .post_form("/desk", &pairs(&answering(&desk, fact, typed)), &desk)
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fact}={typed}"
        );
        assert_eq!(
            asked(&page.html).as_deref(),
            Some(fact),
            "the same question again"
        );
        let fieldset = question_fieldset(&page.html);
        assert!(fieldset.contains(message), "{fact}={typed}: {fieldset}");
        assert!(fieldset.contains("class=\"question has-error\""));
        if matches!(fact, "members" | "income" | "birth_date") {
            assert!(
                fieldset.contains(&format!("value=\"{typed}\"")),
                "{fact}: the typed value is kept: {fieldset}"
            );
            assert!(fieldset.contains("aria-invalid=\"true\""));
        }
        assert!(
            !hidden_fields(&page.html, "prereview")
                .iter()
                .any(|(name, _)| name == &format!("f.{fact}")),
            "a refused answer is not recorded"
        );
    }
    // Altered hidden answers are refused as a whole.
    let page = app
        .post_form(
            "/desk",
            &[
                ("csrf_token", desk.csrf()),
                ("f.age", "70"),
                ("step", "stay"),
            ],
            &desk,
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn each_type_gets_its_control() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let controls = [
        ("hukou", "<select id=\"answer\" name=\"answer\""),
        ("birth_date", "type=\"date\""),
        ("members", "type=\"number\" step=\"1\""),
        ("income", "type=\"number\" step=\"any\""),
        ("married", "type=\"radio\" name=\"answer\" value=\"true\""),
    ];
    for (fact, control) in controls {
        // Asking a fact that is not the next one still shows its control (used on errors).
        let page = app
            .post_form("/desk", &pairs(&answering(&desk, fact, "")), &desk)
            .await;
        let fieldset = question_fieldset(&page.html);
        assert!(fieldset.contains(control), "{fact}: {fieldset}");
    }
    let page = app
        .post_form("/desk", &pairs(&answering(&desk, "hukou", "")), &desk)
        .await;
    let fieldset = question_fieldset(&page.html);
    assert!(fieldset.contains(">shanghai</option>") && fieldset.contains(">other</option>"));
    let yes_no = app
        .post_form("/desk", &pairs(&answering(&desk, "married", "")), &desk)
        .await;
    let fieldset = question_fieldset(&yes_no.html);
    assert!(fieldset.contains("> 是</label>") && fieldset.contains("> 否</label>"));
}

#[tokio::test]
async fn lang_en_switches_the_labels_and_is_remembered() {
    let app = TestApp::new().await;
    let login = app.get_page("/login?lang=en", &Auth::Anonymous).await;
    assert!(login.html.contains("<html lang=\"en\">"));
    assert!(login.html.contains("Staff sign-in"));
    let cookie = login.cookie("haoban_lang").expect("lang cookie");
    assert!(cookie.starts_with("haoban_lang=en;"));
    assert!(cookie.contains("Max-Age=31536000") && cookie.contains("SameSite=Lax"));

    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let remembered = app
        .page(Method::GET, "/desk", None, &desk, &["haoban_lang=en"])
        .await;
    assert!(
        remembered.cookie("haoban_lang").is_none(),
        "set only when asked"
    );
    let html = &remembered.html;
    assert!(html.contains("General desk · pre-review"));
    assert!(
        html.contains("Household registration"),
        "fact labels in English"
    );
    assert!(
        html.contains("Elderly comprehensive allowance"),
        "item names in English"
    );
    assert!(html.contains("Save and continue") && unescape(html).contains("Don't know — skip"));
    assert!(!html.contains("总服务台 · 准确预审"));
    // Back to Chinese.
    let zh = app
        .page(
            Method::GET,
            "/desk?lang=zh",
            None,
            &desk,
            &["haoban_lang=en"],
        )
        .await;
    assert!(zh.html.contains("总服务台 · 准确预审"));
    assert!(
        zh.cookie("haoban_lang")
            .unwrap()
            .starts_with("haoban_lang=zh;")
    );
    // The switch on a questionnaire page posts its answers along.
    let mut form = answering(&desk, "hukou", "shanghai");
    form.push(("f.married".into(), "true".into()));
    let page = app.post_form("/desk", &pairs(&form), &desk).await;
    assert!(page.html.contains("action=\"/desk?lang=en\""));
    let switched = app
        .post_form(
            "/desk?lang=en",
            &[
                ("csrf_token", desk.csrf()),
                ("f.hukou", "shanghai"),
                ("f.married", "true"),
                ("step", "stay"),
            ],
            &desk,
        )
        .await;
    assert!(switched.html.contains("Facts given"));
    assert!(switched.html.contains(">Yes</span>"));
}

#[tokio::test]
async fn the_notice_lists_every_material_once() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let (result, _) = walk(&app, &desk).await;
    let mut form = hidden_fields(&result.html, "notice");
    form.push(("name".into(), "王阿姨".into()));
    let notice = app.post_form("/desk/notice", &pairs(&form), &desk).await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.html);
    let html = &notice.html;
    assert!(html.contains("<h1>一次性告知单</h1>"));
    assert!(html.contains("测试目录"));
    assert!(html.contains(&app.state.catalog.version[..12]));
    assert!(html.contains("2026-11-02"));
    assert!(html.contains("王阿姨"));
    assert!(html.contains("linfen"));
    assert!(html.contains("本告知单依据预审时提供的情况出具"));
    for (id, name) in [
        ("id-card", "居民身份证"),
        ("hukou-booklet", "户口簿"),
        ("bank-card", "银行卡"),
        ("marriage-certificate", "结婚证"),
    ] {
        assert_eq!(html.matches(name).count(), 1, "{name} once");
        assert_eq!(html.matches(&format!("data-material=\"{id}\"")).count(), 1);
    }
    assert!(
        html.contains("可用电子证照代替"),
        "the e-licence note of the ID card"
    );
    let id_card = &html[html.find("data-material=\"id-card\"").unwrap()..];
    let id_card = &id_card[..id_card.find("</tr>").unwrap()];
    assert!(
        id_card.contains("<td class=\"for-items\">老年综合津贴申领、最低生活保障</td>"),
        "why: the items it is for: {id_card}"
    );
    assert!(!html.contains("尚需了解"), "nothing is unknown");

    // In English, through the notice's own switch.
    let mut english = hidden_fields(html, "notice-lang");
    assert!(english.iter().any(|(k, v)| k == "name" && v == "王阿姨"));
    english.retain(|(k, _)| k != "step");
    let en = app
        .post_form("/desk/notice?lang=en", &pairs(&english), &desk)
        .await;
    assert!(en.html.contains("One-time notice of what to bring"));
    assert!(en.html.contains("Resident identity card"));
    assert!(en.html.contains("2 copies"));
}

#[tokio::test]
async fn the_notice_refuses_an_overlong_name_on_the_result_page() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let long = "王".repeat(51);
    let page = app
        .post_form(
            "/desk/notice",
            &[
                ("csrf_token", desk.csrf()),
                ("step", "finish"),
                ("name", &long),
            ],
            &desk,
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("姓名太长了"));
    assert!(page.html.contains(&format!("value=\"{long}\"")));
}

#[tokio::test]
async fn what_people_type_is_escaped() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let script = "<script>alert(1)</script>";
    let page = app
        .post_form("/desk", &pairs(&answering(&desk, "members", script)), &desk)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown_escaped(question_fieldset(&page.html), script));

    let notice = app
        .post_form(
            "/desk/notice",
            &[
                ("csrf_token", desk.csrf()),
                ("name", "<script>x()</script>\" onload=\"y"),
            ],
            &desk,
        )
        .await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(shown_escaped(
        &notice.html,
        "<script>x()</script>\" onload=\"y"
    ));

    let login = app
        .post_form(
            "/login",
            &[("username", "<b>zhang</b>"), ("password", "x")],
            &Auth::Anonymous,
        )
        .await;
    assert!(shown_escaped(&login.html, "<b>zhang</b>"));
}

#[tokio::test]
async fn pages_come_with_their_stylesheet_and_safe_headers() {
    let app = TestApp::new().await;
    let css = app.get_page("/static/haoban.css", &Auth::Anonymous).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.html.contains("@media print") && css.html.contains("size: A4"));
    let login = app.get_page("/login", &Auth::Anonymous).await;
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"));
    assert_eq!(login.headers["cache-control"], "no-store");
    assert!(login.html.contains("href=\"/static/haoban.css\""));
    assert!(!login.html.contains("<script>"), "no inline scripts");
    assert!(!login.html.contains("style="), "no inline styles (CSP)");
    assert!(
        login.headers.get("strict-transport-security").is_none(),
        "no HSTS on plain HTTP"
    );
    // The API keeps its JSON 404s.
    let missing = app.get("/api/v1/nothing", &Auth::Anonymous).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn pages_served_over_tls_tell_browsers_to_stay_on_it() {
    let mut app = TestApp::new().await;
    app.state.config.secure_cookies = true;
    let login = app.get_page("/login?lang=en", &Auth::Anonymous).await;
    assert_eq!(
        login.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let lang = login.cookie("haoban_lang").expect("the language cookie");
    assert!(lang.contains("Secure"), "{lang}");
}

#[tokio::test]
async fn the_desk_issues_a_ticket_carrying_the_pre_review() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let (result, _) = walk(&app, &desk).await;
    let mut form = hidden_fields(&result.html, "ticket");
    form.push(("priority".into(), "elderly".into()));
    let slip = app.post_form("/desk/ticket", &pairs(&form), &desk).await;
    assert_eq!(slip.status, StatusCode::CREATED, "{}", slip.html);
    assert!(slip.html.contains(">A001<"), "{}", slip.html);
    assert!(
        slip.html.contains("老年综合津贴申领"),
        "the items found are on the slip"
    );
    assert!(slip.html.contains("叫号规则"));
    let queue = app
        .state
        .store
        .tickets(
            &haoban_cases::CenterId::parse("linfen").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        )
        .await
        .expect("tickets");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].priority, haoban_hall::Priority::Elderly);
    assert!(queue[0].items.contains(&"elderly-allowance".to_owned()));

    form.retain(|(k, _)| k != "priority");
    form.push(("priority".into(), "vip".into()));
    let refused = app.post_form("/desk/ticket", &pairs(&form), &desk).await;
    assert!(refused.status.is_client_error(), "{}", refused.html);
    assert_eq!(
        app.state
            .store
            .tickets(
                &haoban_cases::CenterId::parse("linfen").unwrap(),
                chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
            )
            .await
            .expect("tickets")
            .len(),
        1,
        "nothing issued"
    );
}

#[tokio::test]
async fn the_desk_registers_the_visitor_with_the_ticket_or_records_a_consultation() {
    let app = TestApp::new().await;
    let desk = app.staff("zhang", Role::Desk, "linfen").await;
    let (result, _) = walk(&app, &desk).await;
    let base = hidden_fields(&result.html, "ticket");
    let with = |extra: &[(&str, &str)]| {
        let mut form = base.clone();
        form.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        form
    };
    let bad = with(&[
        ("visitor_id", "110105194912310021"),
        ("visitor_name", "王阿姨"),
        ("visitor_phone", "12"),
    ]);
    let refused = app.post_form("/desk/ticket", &pairs(&bad), &desk).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("id=\"visitor_id-error\""),
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("value=\"110105194912310021\""),
        "what was typed is kept"
    );
    let new_without_name = with(&[("visitor_id", support::RESIDENT)]);
    let refused = app
        .post_form("/desk/ticket", &pairs(&new_without_name), &desk)
        .await;
    assert!(refused.html.contains("id=\"visitor_name-error\""));

    let good = with(&[
        ("visitor_id", support::RESIDENT),
        ("visitor_name", "王阿姨"),
        ("visitor_phone", "13812345678"),
    ]);
    let slip = app.post_form("/desk/ticket", &pairs(&good), &desk).await;
    assert_eq!(slip.status, StatusCode::CREATED, "{}", slip.html);
    let center = haoban_cases::CenterId::parse("linfen").unwrap();
    let queue = app
        .state
        .store
        .tickets(&center, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
        .await
        .unwrap();
    let carried = queue[0].carried.as_ref().expect("the pre-review travels");
    assert_eq!(carried.id_number.as_deref(), Some(support::RESIDENT));
    assert!(!carried.facts.is_empty());

    // Known now: the ID number alone finds the visitor; a consultation takes no ticket.
    let consult = with(&[("visitor_id", support::RESIDENT), ("step", "consult")]);
    let recorded = app.post_form("/desk/ticket", &pairs(&consult), &desk).await;
    assert_eq!(
        recorded.location(),
        Some("/desk?consulted=1"),
        "{}",
        recorded.html
    );
    assert_eq!(
        app.state
            .store
            .tickets(&center, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
    let chain = app.state.store.chain("linfen").await.unwrap();
    assert_eq!(chain.entries.last().unwrap().kind, "visit_recorded");
    let desk_page = app.get_page("/desk?consulted=1", &desk).await;
    assert!(desk_page.html.contains("已记录本次咨询"));
}
