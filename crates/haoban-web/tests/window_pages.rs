//! The window console: choosing a window, calling, the steps with a held ticket, and
//! acceptance with materials ticked, 容缺 and refusal, through to the receipt.

mod support;

use axum::http::StatusCode;
use haoban_cases::{CenterId, Role};
use haoban_hall::{AgingRule, Carried, Priority};
use haoban_store::{By, NewTicket};
use support::{Auth, RESIDENT, TestApp};

/// A ticket as the first window issues it: the pre-review facts of an elderly resident
/// who is paid through a bank, so the bank card is needed too.
async fn ticket_from_the_desk(app: &TestApp) {
    let today = app.state.clock.today_in(app.state.catalog.time_zone);
    let carried = Carried {
        id_number: Some(RESIDENT.into()),
        name: Some("王阿姨".into()),
        facts: [
            ("birth_date".to_owned(), serde_json::json!("1949-12-31")),
            ("hukou".to_owned(), serde_json::json!("shanghai")),
            ("payment".to_owned(), serde_json::json!("bank")),
        ]
        .into(),
    };
    let new = NewTicket {
        center: CenterId::parse("linfen").unwrap(),
        category: 'A',
        priority: Priority::Elderly,
        items: vec!["elderly-allowance".into()],
        carried: Some(carried),
        rule: AgingRule::default(),
    };
    let by = By {
        actor: "wu".into(),
        role: Role::Desk,
        at: app.state.clock.now(),
    };
    app.state.store.issue_ticket(today, new, by).await.unwrap();
}

async fn call(app: &TestApp, clerk: &Auth) {
    let called = app
        .post_form(
            "/window/step",
            &[
                ("csrf_token", clerk.csrf()),
                ("window", "5"),
                ("action", "call"),
            ],
            clerk,
        )
        .await;
    assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", called.html);
    assert_eq!(called.location(), Some("/window?w=5"));
}

fn accept_form<'a>(clerk: &'a Auth, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf_token", clerk.csrf()),
        ("window", "5"),
        ("ticket", "A001"),
        ("item", "elderly-allowance"),
        ("case", ""),
        ("id_number", RESIDENT),
        ("name", "王阿姨"),
    ];
    form.extend_from_slice(extra);
    form
}

#[tokio::test]
async fn a_clerk_chooses_a_window_and_the_console_remembers_it() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let chooser = app.get_page("/window", &clerk).await;
    assert_eq!(chooser.status, StatusCode::OK);
    assert!(chooser.html.contains("选择窗口"));
    let bad = app.get_page("/window?w=%20", &clerk).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("窗口号为 1 至 16 个字符"));
    let chosen = app.get_page("/window?w=5", &clerk).await;
    assert!(chosen.html.contains("5 号窗口"));
    let cookie = chosen.cookie("haoban_window").expect("remembered");
    let again = app
        .page(
            axum::http::Method::GET,
            "/window",
            None,
            &clerk,
            &[cookie.split(';').next().unwrap()],
        )
        .await;
    assert!(again.html.contains("5 号窗口"));
    assert!(
        chosen
            .html
            .contains("href=\"/window\" aria-current=\"page\"")
    );
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    assert_eq!(
        app.get_page("/window", &desk).await.status,
        StatusCode::FORBIDDEN
    );
    let desk_nav = app.get_page("/desk", &desk).await;
    assert!(
        !desk_nav.html.contains("href=\"/window\""),
        "the navigation offers only the pages the role may use"
    );
    assert!(desk_nav.html.contains("href=\"/board\""));
    let anonymous = app.get_page("/window", &Auth::Anonymous).await;
    assert_eq!(anonymous.location(), Some("/login?next=/window"));
}

#[tokio::test]
async fn the_called_ticket_shows_what_the_first_window_recorded_and_its_checklist() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    ticket_from_the_desk(&app).await;
    call(&app, &clerk).await;
    let console = app.get_page("/window?w=5", &clerk).await;
    let html = &console.html;
    assert!(html.contains("A001"));
    assert!(html.contains("王阿姨 · 1101**********002X"), "{html}");
    assert!(html.contains("shanghai"));
    assert!(html.contains("name=\"m.id-card\""));
    assert!(
        html.contains("name=\"m.bank-card\""),
        "paid by bank: the card is needed"
    );
    assert!(
        html.contains("value=\"11010519491231002X\""),
        "the ID number is filled in"
    );

    let no_target = app
        .post_form(
            "/window/step",
            &[
                ("csrf_token", clerk.csrf()),
                ("window", "5"),
                ("ticket", "A001"),
                ("action", "transfer"),
                ("to_window", ""),
                ("category", "b"),
            ],
            &clerk,
        )
        .await;
    assert_eq!(no_target.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_target.html.contains("类别为一个大写字母"));
    assert!(
        no_target.html.contains("value=\"b\""),
        "what was typed is kept"
    );

    let other_window = app
        .post_form(
            "/window/step",
            &[
                ("csrf_token", clerk.csrf()),
                ("window", "6"),
                ("ticket", "A001"),
                ("action", "start"),
            ],
            &clerk,
        )
        .await;
    assert_eq!(other_window.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(other_window.html.contains("not window 6"));
}

#[tokio::test]
async fn acceptance_with_a_missing_material_needs_the_promise_and_prints_the_receipt() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    ticket_from_the_desk(&app).await;
    call(&app, &clerk).await;

    let unmarked = app
        .post_form(
            "/window/accept",
            &accept_form(&clerk, &[("decision", "accept")]),
            &clerk,
        )
        .await;
    assert_eq!(unmarked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unmarked.html.contains("请逐项标明每份材料"));

    let materials = [("m.id-card", "received"), ("m.bank-card", "missing")];
    let mut typed = materials.to_vec();
    typed.extend([
        ("decision", "deficiency"),
        ("promise", ""),
        ("due", "2026-10-01"),
    ]);
    let incomplete = app
        .post_form("/window/accept", &accept_form(&clerk, &typed), &clerk)
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &incomplete.html;
    assert!(html.contains("id=\"promise-error\""), "{html}");
    assert!(html.contains("日期不能早于今天"));
    assert!(
        html.contains("value=\"2026-10-01\""),
        "the date typed is kept"
    );
    assert!(
        html.contains("value=\"missing\" checked"),
        "the ticks are kept"
    );
    assert!(
        app.state
            .store
            .cases(&haoban_store::CaseFilter::center(
                CenterId::parse("linfen").unwrap()
            ))
            .await
            .unwrap()
            .is_empty(),
        "nothing is opened from a form with errors"
    );

    let mut good = materials.to_vec();
    good.extend([
        ("decision", "deficiency"),
        ("promise", "三日内补交银行卡复印件"),
        ("due", "2026-11-05"),
    ]);
    let accepted = app
        .post_form("/window/accept", &accept_form(&clerk, &good), &clerk)
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.html);
    let receipt_path = accepted.location().unwrap().to_owned();
    assert_eq!(receipt_path, "/window/cases/linfen-20261102-0001/receipt");
    let receipt = app.get_page(&receipt_path, &clerk).await;
    let html = &receipt.html;
    assert!(html.contains("受理回执"));
    assert!(html.contains("linfen-20261102-0001"));
    assert!(html.contains("三日内补交银行卡复印件"));
    assert!(html.contains("2026-11-05"));
    assert!(
        html.contains("2026-11-30"),
        "20 working days from Monday 2 November: {html}"
    );
    assert!(!html.contains(RESIDENT), "the ID number is masked on paper");
}

#[tokio::test]
async fn not_accepting_needs_the_reason_and_the_legal_basis() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    ticket_from_the_desk(&app).await;
    call(&app, &clerk).await;
    let missing_basis = app
        .post_form(
            "/window/accept",
            &accept_form(
                &clerk,
                &[
                    ("decision", "not_accept"),
                    ("reason", "不属于本中心受理范围"),
                ],
            ),
            &clerk,
        )
        .await;
    assert_eq!(missing_basis.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_basis.html.contains("id=\"legal_basis-error\""));
    assert!(missing_basis.html.contains("不属于本中心受理范围"));
    let refused = app
        .post_form(
            "/window/accept",
            &accept_form(
                &clerk,
                &[
                    ("decision", "not_accept"),
                    ("reason", "不属于本中心受理范围"),
                    (
                        "legal_basis",
                        "《上海市社区事务受理服务中心管理办法》第十条",
                    ),
                ],
            ),
            &clerk,
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.html);
    let notice = app.get_page(refused.location().unwrap(), &clerk).await;
    assert!(notice.html.contains("不予受理告知书"));
    assert!(notice.html.contains("第十条"));
    let english = app
        .get_page(&format!("{}?lang=en", refused.location().unwrap()), &clerk)
        .await;
    assert!(english.html.contains("Notice of non-acceptance"));
}
