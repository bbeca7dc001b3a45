//! Appointments at the desk: the day's slots, booking with errors next to the fields, and
//! check-in issuing a ticket that goes ahead of the queue.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::Role;
use serde_json::json;
use support::{Auth, OTHER_RESIDENT, RESIDENT, TestApp};

fn booking<'a>(desk: &'a Auth, slot: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", desk.csrf()),
        ("day", "2026-11-02"),
        ("id_number", id),
        ("name", "王阿姨"),
        ("item", "elderly-allowance"),
        ("slot", slot),
    ]
}

#[tokio::test]
async fn a_slot_is_booked_and_shown_with_its_places() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let empty = app.get_page("/desk/appointments", &desk).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.html.contains("0/4"), "four places a slot");

    let mut bad = booking(&desk, "09:10", "110105194912310021");
    bad.retain(|(k, _)| *k != "name");
    bad.push(("name", ""));
    let refused = app.post_form("/desk/appointments", &bad, &desk).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["id_number-error", "name-error", "slot-error"] {
        assert!(refused.html.contains(&format!("id=\"{field}\"")), "{field}");
    }
    assert!(
        refused.html.contains("value=\"110105194912310021\""),
        "typed text is kept"
    );

    let booked = app
        .post_form(
            "/desk/appointments",
            &booking(&desk, "10:30", RESIDENT),
            &desk,
        )
        .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.html);
    assert_eq!(
        booked.location(),
        Some("/desk/appointments?day=2026-11-02&booked=1")
    );
    let shown = app.get_page(booked.location().unwrap(), &desk).await;
    assert!(shown.html.contains("已预约"));
    assert!(shown.html.contains("1/4"));
    assert!(shown.html.contains("王阿姨 1101**********002X"));

    let twice = app
        .post_form(
            "/desk/appointments",
            &booking(&desk, "11:00", RESIDENT),
            &desk,
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.html.contains("already has an appointment"));
}

#[tokio::test]
async fn checking_in_at_the_slot_issues_a_ticket_called_first() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    // Someone already waits; the clock stands at 10:00 in Shanghai.
    app.post("/api/v1/tickets", json!({}), &desk).await;
    app.post_form(
        "/desk/appointments",
        &booking(&desk, "10:00", RESIDENT),
        &desk,
    )
    .await;
    app.post_form(
        "/desk/appointments",
        &booking(&desk, "15:00", OTHER_RESIDENT),
        &desk,
    )
    .await;
    let slip = app
        .post_form(
            "/desk/appointments/check-in",
            &[("csrf_token", desk.csrf()), ("id_number", RESIDENT)],
            &desk,
        )
        .await;
    assert_eq!(slip.status, StatusCode::CREATED, "{}", slip.html);
    assert!(slip.html.contains(">A002<"));
    assert!(slip.html.contains("<dd>预约到时</dd>"), "{}", slip.html);
    let early = app
        .post_form(
            "/desk/appointments/check-in",
            &[("csrf_token", desk.csrf()), ("id_number", OTHER_RESIDENT)],
            &desk,
        )
        .await;
    assert!(
        early.html.contains(">A003<"),
        "early: a ticket, but no priority"
    );
    assert!(early.html.contains("<dd>普通</dd>"));
    let again = app
        .post_form(
            "/desk/appointments/check-in",
            &[("csrf_token", desk.csrf()), ("id_number", RESIDENT)],
            &desk,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.html.contains("未能签到"));

    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let called = app
        .request(Method::POST, "/api/v1/windows/1/call", None, &clerk)
        .await;
    assert_eq!(called.body["ticket"]["number"], "A002");
    let forged = app
        .post_form(
            "/desk/appointments/check-in",
            &[("csrf_token", "forged"), ("id_number", RESIDENT)],
            &desk,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_desk_looks_a_visitor_up_with_their_cases() {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let look_up = |id: &'static str, path: &'static str| {
        let app = &app;
        let desk = &desk;
        async move {
            app.post_form(path, &[("csrf_token", desk.csrf()), ("id", id)], desk)
                .await
        }
    };
    let bad = look_up("110105194912310021", "/desk/visitors").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"id-error\""));
    assert!(bad.html.contains("value=\"110105194912310021\""));
    let unknown = look_up(RESIDENT, "/desk/visitors").await;
    assert!(unknown.html.contains("尚未登记此办事人"));
    app.post(
        "/api/v1/visitors",
        json!({"id_number": RESIDENT, "name": "王阿姨", "phone": "13812345678"}),
        &desk,
    )
    .await;
    let case = app.open_case(&clerk).await;
    let found = look_up(RESIDENT, "/desk/visitors?lang=en").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.html.contains("王阿姨"));
    assert!(found.html.contains("13812345678"));
    assert!(found.html.contains(case["number"].as_str().unwrap()));
    assert!(found.html.contains("Elderly comprehensive allowance"));
    assert!(
        found
            .html
            .contains("<h2 class=\"visitor-id\">1101**********002X</h2>")
    );
    assert!(
        !found.html.contains(&format!("{RESIDENT}<")),
        "shown masked; only the field keeps what was typed"
    );
    let office = app.staff("li", Role::Office, "linfen").await;
    assert_eq!(
        app.get_page("/desk/visitors", &office).await.status,
        StatusCode::FORBIDDEN
    );
}
