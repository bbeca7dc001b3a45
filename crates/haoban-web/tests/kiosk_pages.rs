//! The kiosk as a browser on the touch screen uses it, without any sign-in: the choice
//! of center, the home, pre-review with the desk's questionnaire, a ticket, tracking a
//! case (a wrong pair refused without saying which half was wrong), pickup from the
//! cabinet with a wrong code then the right one, rating, the idle seconds carried to the
//! page, Chinese and English.

mod support;

use axum::http::{StatusCode, header};
use haoban_cases::{CenterId, Clock, Role};
use serde_json::{Value, json};
use support::{Auth, OTHER_RESIDENT, RESIDENT, TestApp};

const ANON: Auth = Auth::Anonymous;

async fn act(app: &TestApp, auth: &Auth, case: &str, action: &str, body: Value) {
    let path = format!("/api/v1/cases/{case}/actions/{action}");
    let reply = app.post(&path, body, auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{action}: {:?}", reply.body);
}

fn all_received() -> Value {
    json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]})
}

/// A case of `RESIDENT` at `linfen`, accepted by a clerk: (clerk, office, number).
async fn accepted_case(app: &TestApp) -> (Auth, Auth, String) {
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let case = app.open_case(&clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    act(app, &clerk, &number, "accept", all_received()).await;
    (clerk, office, number)
}

/// The case approved and put in a compartment of a one-cabinet hall; the code sent.
async fn in_the_cabinet(app: &TestApp) -> (String, String) {
    let admin = app.staff("admin", Role::Admin, "linfen").await;
    let cabinet = json!({"name": "A", "location": "24小时自助区", "small": 2});
    let installed = app.post("/api/v1/cabinets", cabinet, &admin).await;
    assert_eq!(
        installed.status,
        StatusCode::CREATED,
        "{:?}",
        installed.body
    );
    let (_, office, number) = accepted_case(app).await;
    act(app, &office, &number, "start_review", json!({})).await;
    act(app, &office, &number, "approve", json!({})).await;
    let ready = json!({"delivery": "cabinet"});
    act(app, &office, &number, "mark_ready", ready).await;
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
async fn a_case_is_tracked_by_its_pair_and_a_wrong_pair_is_not_found() {
    let app = TestApp::new().await;
    let (_, office, number) = accepted_case(&app).await;
    let page = app.get_page("/kiosk/track?center=linfen", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    for id in [
        "id=\"id_number\"",
        "id=\"case_number\"",
        "id=\"keypad\"",
        "id=\"key-x\"",
        "id=\"key-del\"",
        "id=\"key-clear\"",
        "id=\"kiosk-submit\"",
        "inputmode=\"none\"",
        "data-keypad=\"id\"",
        "data-next=\"case_number\"",
    ] {
        assert!(page.html.contains(id), "{id}");
    }

    // The digits of the number are enough: the keypad has no letters.
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    for typed in [number.as_str(), digits.as_str()] {
        let form = [
            ("center", "linfen"),
            ("id_number", RESIDENT),
            ("case_number", typed),
        ];
        let page = app.post_form("/kiosk/track", &form, &ANON).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(page.html.contains(&number));
        assert!(page.html.contains("老年综合津贴申领"));
        assert!(page.html.contains("已受理"), "{}", page.html);
        assert!(page.html.contains("按期办理中"));
        assert!(page.html.contains("正在审核"));
    }

    // A supplement asked: what and by when.
    act(&app, &office, &number, "start_review", json!({})).await;
    let asked = json!({"request": "请补充户口簿复印件", "due": "2026-11-20"});
    act(&app, &office, &number, "request_supplement", asked).await;
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("case_number", number.as_str()),
    ];
    let page = app.post_form("/kiosk/track", &form, &ANON).await;
    assert!(page.html.contains("待补正"));
    assert!(page.html.contains("请补充户口簿复印件"), "{}", page.html);
    assert!(page.html.contains("补正期间暂停计时"));

    // Someone else's ID, or a number that is nobody's: the same words.
    let other_sequence = format!("{}9", &number[..number.len() - 1]);
    let mut refusals = Vec::new();
    for (id, case) in [
        (OTHER_RESIDENT, number.as_str()),
        (RESIDENT, other_sequence.as_str()),
    ] {
        let form = [
            ("center", "linfen"),
            ("id_number", id),
            ("case_number", case),
        ];
        let page = app.post_form("/kiosk/track", &form, &ANON).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.html.contains("id=\"kiosk-notice\""));
        assert!(page.html.contains("没有找到这件办件"));
        assert!(page.html.contains(&format!("value=\"{id}\"")), "typed kept");
        assert!(!page.html.contains("老年综合津贴申领"));
        let start = page.html.find("id=\"kiosk-notice\"").unwrap();
        refusals.push(page.html[start..start + 200].to_owned());
    }
    assert_eq!(
        refusals[0], refusals[1],
        "the refusal does not say which was wrong"
    );

    // What cannot be an ID number or a case number is said next to its field.
    let form = [
        ("center", "linfen"),
        ("id_number", "110105194912310021"),
        ("case_number", "12"),
    ];
    let page = app.post_form("/kiosk/track", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"id_number-error\""));
    assert!(page.html.contains("id=\"case_number-error\""));
    assert!(page.html.contains("value=\"110105194912310021\""));
    let form = [("center", "linfen"), ("id_number", ""), ("case_number", "")];
    let page = app.post_form("/kiosk/track", &form, &ANON).await;
    assert!(page.html.contains("请输入身份证号"));
    assert!(page.html.contains("请输入办件编号"));
}

#[tokio::test]
async fn a_result_is_picked_up_with_its_code_after_a_wrong_one_then_rated() {
    let app = TestApp::new().await;
    let (number, code) = in_the_cabinet(&app).await;

    // Tracking says where it is.
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("case_number", number.as_str()),
    ];
    let page = app.post_form("/kiosk/track", &form, &ANON).await;
    assert!(page.html.contains("自助证照柜"));
    assert!(page.html.contains("id=\"track-pickup\""));

    let page = app.get_page("/kiosk/pickup?center=linfen", &ANON).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"code\""));
    assert!(page.html.contains("maxlength=\"6\""));

    // A code that is not six digits is refused before anything is tried.
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("code", "12345"),
    ];
    let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("取件码是6位数字"));

    let wrong = if code == "000000" { "000001" } else { "000000" };
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("code", wrong),
    ];
    let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.html.contains("取件码不正确，还可尝试 4 次"),
        "{}",
        page.html
    );
    assert!(page.html.contains("id=\"code-error\""));
    assert!(page.html.contains(&format!("value=\"{RESIDENT}\"")));
    assert!(app.devices.opened().is_empty());

    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("code", code.as_str()),
    ];
    let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains("<p id=\"opened-compartment\" class=\"kiosk-huge\">A-01</p>")
    );
    assert!(page.html.contains("A-01 柜门已打开"));
    assert_eq!(app.devices.opened(), ["compartment:A-01"]);

    // Rate now: the rating link's page, leading back to the kiosk.
    let rate = attribute_after(&page.html, "id=\"rate-now\"", "href");
    assert!(
        rate.starts_with("/rate/") && rate.ends_with("?kiosk=linfen"),
        "{rate}"
    );
    let form_page = app.get_page(&rate, &ANON).await;
    assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.html);
    assert!(form_page.html.contains("id=\"kiosk-config\""));
    assert!(form_page.html.contains("/static/kiosk.js"));
    assert!(form_page.html.contains(&format!("action=\"{rate}\"")));
    let done = app.post_form(&rate, &[("level", "5")], &ANON).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.html.contains("感谢您的评价"));
    assert!(done.html.contains("id=\"kiosk-home\""));
    assert!(done.html.contains("href=\"/kiosk?center=linfen\""));

    // Rated once: the kiosk's rating screen says so.
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("case_number", number.as_str()),
    ];
    let page = app.post_form("/kiosk/rate", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.html.contains("已经评价过了"));
}

#[tokio::test]
async fn too_many_wrong_codes_send_the_result_back_to_the_desk() {
    let app = TestApp::new().await;
    let (_, code) = in_the_cabinet(&app).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("code", wrong),
    ];
    for left in (1..5).rev() {
        let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
        assert!(page.html.contains(&format!("还可尝试 {left} 次")));
    }
    let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.html.contains("已退回服务台，请到服务台领取"));
    // The right code no longer opens anything.
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("code", code.as_str()),
    ];
    let page = app.post_form("/kiosk/pickup", &form, &ANON).await;
    assert!(app.devices.opened().is_empty(), "{}", page.html);
}

#[tokio::test]
async fn a_delivered_case_is_rated_from_the_home_with_its_pair() {
    let app = TestApp::new().await;
    let (clerk, office, number) = accepted_case(&app).await;
    let form = [
        ("center", "linfen"),
        ("id_number", RESIDENT),
        ("case_number", number.as_str()),
    ];
    // Not delivered yet: nothing to rate.
    let page = app.post_form("/kiosk/rate", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("还没有办结送达"));

    act(&app, &office, &number, "start_review", json!({})).await;
    act(&app, &office, &number, "approve", json!({})).await;
    let ready = json!({"delivery": "window"});
    act(&app, &office, &number, "mark_ready", ready).await;
    act(&app, &clerk, &number, "deliver", json!({})).await;
    let sent = app.notifier.sent().len();

    // A wrong pair: not found, as tracking says it.
    let wrong = [
        ("center", "linfen"),
        ("id_number", OTHER_RESIDENT),
        ("case_number", number.as_str()),
    ];
    let page = app.post_form("/kiosk/rate", &wrong, &ANON).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("没有找到这件办件"));

    let page = app.post_form("/kiosk/rate", &form, &ANON).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let link = page.location().expect("to the link's page").to_owned();
    assert!(
        link.starts_with("/rate/") && link.ends_with("?kiosk=linfen"),
        "{link}"
    );
    assert_eq!(
        app.notifier.sent().len(),
        sent,
        "the resident is here: nothing sent"
    );
    let rate = app.get_page(&link, &ANON).await;
    assert_eq!(rate.status, StatusCode::OK);
    assert!(rate.html.contains(&number));
    let done = app.post_form(&link, &[("level", "4")], &ANON).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let rating = app
        .state
        .store
        .rating(
            &CenterId::parse("linfen").unwrap(),
            &haoban_feedback::Target::Case {
                case: haoban_cases::CaseNumber::parse(&number).unwrap(),
            },
        )
        .await
        .unwrap()
        .expect("rated");
    assert_eq!(rating.level.value(), 4);
    assert_eq!(rating.staff, "zhang");

    // The rating screen speaks English too.
    let page = app
        .get_page("/kiosk/rate?center=linfen&lang=en", &ANON)
        .await;
    assert!(
        page.html
            .contains("Enter your ID number and the number of a finished case")
    );
}

#[tokio::test]
async fn staff_see_the_cabinets_and_the_admin_installs_one() {
    let app = TestApp::new().await;
    let admin = app.staff("admin", Role::Admin, "linfen").await;
    let page = app.get_page("/cabinets", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"no-cabinets\""));
    assert!(
        page.html.contains("href=\"/cabinets\""),
        "in the navigation"
    );
    let csrf = admin.csrf();

    // Bad input: each message next to its field, what was typed kept.
    let form = [
        ("csrf_token", csrf),
        ("name", "A B"),
        ("location", ""),
        ("small", "two"),
        ("medium", ""),
        ("large", ""),
    ];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert!(
        page.html.contains("id=\"cabinet-name-error\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("value=\"A B\""));
    assert!(page.html.contains("id=\"cabinet-small-error\""));
    assert!(page.html.contains("value=\"two\""));
    let form = [
        ("csrf_token", csrf),
        ("name", "B"),
        ("location", "东侧"),
        ("small", "0"),
        ("medium", ""),
        ("large", ""),
    ];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"cabinet-counts-error\""));
    assert!(page.html.contains("格口合计须为 1 至 99 个"));
    let form = [
        ("csrf_token", csrf),
        ("name", "B"),
        ("location", " "),
        ("small", "2"),
    ];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert!(page.html.contains("id=\"cabinet-location-error\""));
    // Without the session's token: refused.
    let form = [("name", "B"), ("location", "东侧"), ("small", "2")];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let form = [
        ("csrf_token", csrf),
        ("name", "b"),
        ("location", "24小时自助区东侧"),
        ("small", "2"),
        ("medium", "1"),
        ("large", "1"),
    ];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let to = page.location().expect("back to the page").to_owned();
    let page = app.get_page(&to, &admin).await;
    assert!(page.html.contains("证照柜 B 已安装"), "{}", page.html);
    assert!(page.html.contains("data-cabinet=\"B\""));
    // The administrator sees counts, not whose results wait where.
    assert!(!page.html.contains("id=\"compartments-table\""));

    // A clerk sees every compartment and the result waiting in one.
    let (number, _) = {
        let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
        let office = app.staff("li", Role::Office, "linfen").await;
        let case = app.open_case(&clerk).await;
        let number = case["number"].as_str().unwrap().to_owned();
        act(&app, &clerk, &number, "accept", all_received()).await;
        act(&app, &office, &number, "start_review", json!({})).await;
        act(&app, &office, &number, "approve", json!({})).await;
        let ready = json!({"delivery": "cabinet"});
        act(&app, &office, &number, "mark_ready", ready).await;
        (number, clerk)
    };
    let clerk = app.sign_in("zhang", support::PASSWORD).await.unwrap();
    let page = app.get_page("/cabinets", &clerk).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("data-compartment=\"B-01\""));
    assert!(page.html.contains(&number));
    assert!(page.html.contains("没有超期未取的件"));
    assert!(
        !page.html.contains("id=\"cabinet-form\""),
        "clerks do not install"
    );
    let form = [
        ("csrf_token", clerk.csrf()),
        ("name", "C"),
        ("location", "x"),
        ("small", "1"),
    ];
    let page = app.post_form("/cabinets", &form, &clerk).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Past its time: overdue, marked and listed.
    app.clock.advance(chrono::Duration::days(8));
    // Sessions end after 12 hours: sign in again.
    let clerk = app.sign_in("zhang", support::PASSWORD).await.unwrap();
    let admin = app.sign_in("admin", support::PASSWORD).await.unwrap();
    let csrf = admin.csrf();
    let page = app.get_page("/cabinets?lang=en", &clerk).await;
    assert!(page.html.contains("Overdue, not picked up"));
    assert!(page.html.contains("compartment-overdue"));
    let listed = page
        .html
        .find("cabinet-overdue-list")
        .expect("the overdue list");
    assert!(page.html[listed..].contains(&number));

    // A cabinet holding a result cannot be changed under it.
    let form = [
        ("csrf_token", csrf),
        ("name", "B"),
        ("location", "西侧"),
        ("small", "1"),
    ];
    let page = app.post_form("/cabinets", &form, &admin).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("柜子 B 中还有待取的件"), "{}", page.html);
}
