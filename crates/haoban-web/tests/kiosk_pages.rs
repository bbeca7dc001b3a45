//! The kiosk as a browser on the touch screen uses it, without any sign-in: the choice
//! of center, the home, pre-review with the desk's questionnaire, a ticket, tracking a
//! case (a wrong pair refused without saying which half was wrong), pickup from the
//! cabinet with a wrong code then the right one, rating, the idle seconds carried to the
//! page, Chinese and English.

mod support;

// Split by subject to keep each file short; one test binary.
#[path = "kiosk/cabinets.rs"]
mod cabinets;
#[path = "kiosk/cases.rs"]
mod cases;

use axum::http::{StatusCode, header};
use haoban_cases::{CenterId, Clock, Role};
use serde_json::json;
use support::{Auth, TestApp, all_received};

const ANON: Auth = Auth::Anonymous;

/// A case of `RESIDENT` at `linfen`, accepted by a clerk: (clerk, office, number).
async fn accepted_case(app: &TestApp) -> (Auth, Auth, String) {
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    app.act(&clerk, &number, "accept", all_received()).await;
    (clerk, office, number)
}

/// The case approved and put in a compartment of a one-cabinet hall; the code sent.
async fn in_the_cabinet(app: &TestApp) -> (String, String) {
    let admin = app.staff("admin", Role::SystemAdmin, "linfen").await;
    let cabinet = json!({"name": "A", "location": "24小时自助区", "small": 2});
    let installed = app.post("/api/v1/cabinets", cabinet, &admin).await;
    assert_eq!(
        installed.status,
        StatusCode::CREATED,
        "{:?}",
        installed.body
    );
    let (_, office, number) = accepted_case(app).await;
    app.act(&office, &number, "start_review", json!({})).await;
    app.act(&office, &number, "approve", json!({})).await;
    let ready = json!({"delivery": "cabinet"});
    app.act(&office, &number, "mark_ready", ready).await;
    let (_, message) = app.notifier.sent().last().cloned().expect("the code");
    let code: String = message
        .split("取件码")
        .nth(1)
        .expect("the code is named")
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take(6)
        .collect();
    (number, code)
}

/// The value of the first `attribute="…"` after `marker` in `html`.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> String {
    let from = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[from..];
    let key = format!("{attribute}=\"");
    let start = rest.find(&key).expect("attribute") + key.len();
    let end = rest[start..].find('"').expect("closing quote");
    rest[start..start + end].replace("&#38;", "&")
}

/// The hidden and named fields of the form with `id`, as the browser would send them
/// (buttons left out).
fn form_fields(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("<form id=\"{id}\""))
        .unwrap_or_else(|| panic!("form {id} in {html}"));
    let end = start + html[start..].find("</form>").expect("form end");
    let form = &html[start..end];
    form.split("<input")
        .skip(1)
        .filter_map(|input| {
            let tag = &input[..input.find('>')?];
            let value_of = |name: &str| {
                let key = format!(" {name}=\"");
                let at = tag.find(&key)? + key.len();
                Some(tag[at..at + tag[at..].find('"')?].replace("&#34;", "\""))
            };
            Some((value_of("name")?, value_of("value").unwrap_or_default()))
        })
        .collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_home_needs_no_sign_in_and_carries_the_idle_seconds() {
    let mut app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    app.state.config.self_service.kiosk_idle_seconds = 90;
    let page = app.get_page("/kiosk?center=linfen", &ANON).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    assert!(html.contains("<html lang=\"zh-CN\" class=\"kiosk-root\">"));
    for tile in ["预审", "取号", "办件查询", "取件", "评价"] {
        assert!(html.contains(tile), "{tile}");
    }
    for id in [
        "kiosk-prereview",
        "kiosk-ticket",
        "kiosk-track",
        "kiosk-pickup",
        "kiosk-rate",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("href=\"/kiosk/pickup?center=linfen\""));
    assert!(html.contains("data-idle=\"90\""), "{html}");
    assert!(html.contains("data-home=\"/kiosk?center=linfen&#38;lang=zh\""));
    // Nothing to clear on the home in Chinese; the countdown is there, hidden.
    assert!(html.contains("data-at-home=\"true\""));
    assert!(html.contains("id=\"kiosk-countdown\""));
    assert!(html.contains("即将返回首页"));
    assert!(html.contains("<script src=\"/static/kiosk.js\" defer></script>"));
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style=\""), "no inline style");
    assert!(!html.contains("site-nav"), "no staff navigation");
    let headers = &page.headers;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );

    // Any other screen resets itself, with the same seconds.
    let track = app.get_page("/kiosk/track?center=linfen", &ANON).await;
    assert!(track.html.contains("data-at-home=\"false\""));
    assert!(track.html.contains("data-idle=\"90\""));
    assert!(track.html.contains("id=\"kiosk-home\""));

    // The script and the stylesheet are served.
    let js = app.get_page("/static/kiosk.js", &ANON).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.html.contains("location.replace"));
    let css = app.get_page("/static/kiosk.css", &ANON).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.html.contains("88px"));
}

#[tokio::test]
async fn the_home_speaks_english_and_resets_to_chinese() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let page = app.get_page("/kiosk?center=linfen&lang=en", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Welcome. What would you like to do?"));
    assert!(html.contains("Track a case"));
    assert!(html.contains("Returning to the home screen in"));
    // In English the home is not where the next resident starts: it resets to Chinese.
    assert!(html.contains("data-at-home=\"false\""));
    assert!(page.cookie("haoban_lang").is_some());
    assert!(html.contains("href=\"/kiosk?center=linfen&#38;lang=zh\""));
    let form = app
        .get_page("/kiosk/pickup?center=linfen&lang=en", &ANON)
        .await;
    assert!(form.html.contains("Pickup code"));
    assert!(form.html.contains("Delete"));
}

#[tokio::test]
async fn without_a_center_the_kiosk_lists_them() {
    let app = TestApp::new().await;
    // No center has a record yet.
    let page = app.get_page("/kiosk", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("请选择服务中心"));
    assert!(page.html.contains("还没有任何服务中心的记录"));

    // One center: straight to it.
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let issued = app.post("/api/v1/tickets", json!({}), &desk).await;
    assert_eq!(issued.status, StatusCode::CREATED);
    let page = app.get_page("/kiosk", &ANON).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/kiosk?center=linfen"));

    // Two: a big button each.
    let other = app.staff("qian", Role::Desk, "jingan").await;
    let issued = app.post("/api/v1/tickets", json!({}), &other).await;
    assert_eq!(issued.status, StatusCode::CREATED);
    let page = app.get_page("/kiosk", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"kiosk-center-linfen\""));
    assert!(page.html.contains("href=\"/kiosk?center=jingan\""));

    // A center that is not one, or that nobody knows.
    let page = app.get_page("/kiosk?center=Nowhere!", &ANON).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains("服务中心编号只能由"));
    let page = app.get_page("/kiosk?center=nowhere", &ANON).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.html.contains("没有这个服务中心：nowhere"));
    // A screen without its center leads to the home.
    let page = app.get_page("/kiosk/track", &ANON).await;
    assert_eq!(page.location(), Some("/kiosk"));
    // A posted form for an unknown center is refused the same way.
    let form = [("center", "nowhere"), ("selection", "")];
    let page = app.post_form("/kiosk/ticket", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_ticket_is_taken_for_what_the_resident_came_for() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let page = app.get_page("/kiosk/ticket?center=linfen", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"choice-item-elderly-allowance\""));
    assert!(page.html.contains("老年综合津贴申领"));
    assert!(page.html.contains("id=\"choice-bundle-elderly\""));
    assert!(
        page.html.contains("社会救助"),
        "items under their broad category"
    );
    assert!(page.html.contains("id=\"choice-all\""));

    let form = [
        ("center", "linfen"),
        ("selection", "item:elderly-allowance"),
    ];
    let page = app.post_form("/kiosk/ticket", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.html);
    assert!(
        page.html
            .contains("<p id=\"ticket-number\" class=\"kiosk-huge\">A001</p>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("前面还有 0 人"));
    assert!(page.html.contains("预计等候约"));
    assert!(page.html.contains("老年综合津贴申领"));

    let center = CenterId::parse("linfen").unwrap();
    let today = app.clock.today_in(app.state.catalog.time_zone);
    let tickets = app.state.store.tickets(&center, today).await.unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].items, ["elderly-allowance"]);

    // Not sure: a ticket all the same.
    let form = [("center", "linfen"), ("selection", "")];
    let page = app.post_form("/kiosk/ticket", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::CREATED);
    assert!(page.html.contains(">A002</p>"));
    assert!(page.html.contains("前面还有 1 人"));

    // The record says the kiosk issued them, as a resident's step.
    let chain = app.state.store.chain("linfen").await.unwrap();
    let issued: Vec<_> = chain
        .entries
        .iter()
        .filter(|e| e.kind == "ticket_issued")
        .collect();
    assert_eq!(issued.len(), 2);
    assert!(
        issued
            .iter()
            .all(|e| e.actor == "kiosk" && e.role == "resident")
    );
}

#[tokio::test]
async fn pre_review_asks_the_desks_questions_by_touch_and_takes_a_ticket() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let page = app.get_page("/kiosk/prereview?center=linfen", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"scope-all\""));
    assert!(page.html.contains("id=\"scope-item-elderly-allowance\""));

    let form = [
        ("center", "linfen"),
        ("step", "select"),
        ("selection", "item:elderly-allowance"),
    ];
    let mut page = app.post_form("/kiosk/prereview", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let mut asked = Vec::new();
    while page.html.contains("name=\"ask\"") {
        let fact = attribute_after(&page.html, "name=\"ask\"", "value");
        let mut fields = form_fields(&page.html, "kiosk-question");
        match fact.as_str() {
            "birth_date" => {
                // Typed on the keypad: a number field with no system keyboard.
                assert!(page.html.contains("inputmode=\"none\""));
                assert!(page.html.contains("id=\"key-0\""));
                // A bad date is refused next to the field, what was typed kept.
                let mut bad = fields.clone();
                bad.retain(|(k, _)| k != "answer");
                bad.push(("answer".into(), "1949".into()));
                bad.push(("step".into(), "answer".into()));
                let refused = app.post_form("/kiosk/prereview", &pairs(&bad), &ANON).await;
                assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(refused.html.contains("id=\"answer-error\""));
                assert!(refused.html.contains("value=\"1949\""));
                fields.retain(|(k, _)| k != "answer");
                fields.push(("answer".into(), "19491231".into()));
                fields.push(("step".into(), "answer".into()));
            }
            "hukou" => {
                // A choice: one button per value, pressing it answers.
                assert!(page.html.contains("id=\"answer-choice-1\""));
                fields.push(("answer".into(), "shanghai".into()));
            }
            "payment" => fields.push(("answer".into(), "bank".into())),
            _ => fields.push(("step".into(), "skip".into())),
        }
        asked.push(fact);
        page = app
            .post_form("/kiosk/prereview", &pairs(&fields), &ANON)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(asked.len() < 10, "the questionnaire ends");
    }
    assert!(asked.contains(&"birth_date".to_owned()), "{asked:?}");
    assert!(asked.contains(&"hukou".to_owned()), "{asked:?}");
    // The desk's result: eligible, with the checklist.
    assert!(page.html.contains("预审结果"));
    assert!(page.html.contains("item-group eligible"));
    assert!(page.html.contains("居民身份证"));
    assert!(
        page.html.contains("1949-12-31"),
        "the date as the engine read it"
    );

    // A ticket for these carries the answers to the window, as the desk's does.
    let fields = form_fields(&page.html, "kiosk-ticket-for-these-form");
    let slip = app.post_form("/kiosk/ticket", &pairs(&fields), &ANON).await;
    assert_eq!(slip.status, StatusCode::CREATED, "{}", slip.html);
    let center = CenterId::parse("linfen").unwrap();
    let today = app.clock.today_in(app.state.catalog.time_zone);
    let tickets = app.state.store.tickets(&center, today).await.unwrap();
    let carried = tickets[0].carried.as_ref().expect("carried");
    assert_eq!(carried.facts["birth_date"], "1949-12-31");
    assert_eq!(carried.facts["hukou"], "shanghai");
    assert_eq!(tickets[0].items, ["elderly-allowance"]);
}

#[tokio::test]
async fn an_altered_form_is_refused_on_a_kiosk_screen_that_still_leads_home() {
    let app = TestApp::new().await;
    app.with_user("zhang", Role::Clerk, "linfen").await;
    let form = [
        ("center", "linfen"),
        ("step", "select"),
        ("selection", "item:no-such-item"),
    ];
    let page = app.post_form("/kiosk/prereview", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains("class=\"kiosk-root\""), "{}", page.html);
    assert!(page.html.contains("id=\"kiosk-home\""));
    assert!(page.html.contains("id=\"kiosk-config\""));
}
