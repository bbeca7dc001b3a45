//! Cases at the kiosk: tracking by the pair (a wrong pair refused alike), pickup from the
//! cabinet (a wrong code, then the right one, then rating from there; too many wrong
//! codes), and rating a delivered case from the home.

use axum::http::StatusCode;
use haoban_cases::CenterId;
use serde_json::json;

use super::support::{OTHER_RESIDENT, RESIDENT, TestApp};
use super::{ANON, accepted_case, attribute_after, in_the_cabinet};

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
    app.act(&office, &number, "start_review", json!({})).await;
    let asked = json!({"request": "请补充户口簿复印件", "due": "2026-11-20"});
    app.act(&office, &number, "request_supplement", asked).await;
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

    app.act(&office, &number, "start_review", json!({})).await;
    app.act(&office, &number, "approve", json!({})).await;
    let ready = json!({"delivery": "window"});
    app.act(&office, &number, "mark_ready", ready).await;
    app.act(&clerk, &number, "deliver", json!({})).await;
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
