//! The staff side of the cabinets: occupancy and overdue compartments, and installing a
//! cabinet with bad input refused next to its field.

use axum::http::StatusCode;
use haoban_cases::Role;
use serde_json::json;

use super::all_received;
use super::support::{self, TestApp};

#[tokio::test]
async fn staff_see_the_cabinets_and_the_admin_installs_one() {
    let app = TestApp::new().await;
    let admin = app.staff("admin", Role::SystemAdmin, "linfen").await;
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
        app.act(&clerk, &number, "accept", all_received()).await;
        app.act(&office, &number, "start_review", json!({})).await;
        app.act(&office, &number, "approve", json!({})).await;
        let ready = json!({"delivery": "cabinet"});
        app.act(&office, &number, "mark_ready", ready).await;
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
