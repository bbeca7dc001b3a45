//! The rating pages as a browser uses them: the page a rating link opens (once, never by
//! staff), the window pad, and the follow-up of a bad rating through its pages; in
//! Chinese and English.

mod support;

use axum::http::{StatusCode, header};
use haoban_cases::{CenterId, Clock, Role};
use haoban_hall::{AgingRule, Carried, Priority};
use haoban_store::{By, NewTicket};
use serde_json::{Value, json};
use support::{Auth, OTHER_RESIDENT, PASSWORD, RESIDENT, TestApp, all_received, at};

/// A case of `RESIDENT`, accepted by `clerk` and delivered; its number.
async fn delivered_case(app: &TestApp, clerk: &Auth, office: &Auth) -> String {
    let case = app.open_case(clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    app.act(clerk, &number, "accept", all_received()).await;
    app.act(office, &number, "start_review", json!({})).await;
    app.act(office, &number, "approve", json!({})).await;
    let ready = json!({"delivery": "window"});
    app.act(office, &number, "mark_ready", ready).await;
    app.act(clerk, &number, "deliver", json!({})).await;
    number
}

/// The path of the last rating link the notifier sent, as the message gives it.
fn last_link(app: &TestApp) -> String {
    let (_, message) = app
        .notifier
        .sent()
        .into_iter()
        .rev()
        .find(|(_, m)| m.contains("/rate/"))
        .expect("a rating link was sent");
    let start = message.find("/rate/").expect("link");
    let path: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect();
    assert_eq!(path.len(), "/rate/".len() + 64, "{message}");
    path
}

/// Two staff and a delivered case with its link: (clerk, office, case number, link path).
async fn delivered(app: &TestApp) -> (Auth, Auth, String, String) {
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("wang", Role::Office, "linfen").await;
    let number = delivered_case(app, &clerk, &office).await;
    let link = last_link(app);
    (clerk, office, number, link)
}

async fn press(app: &TestApp, link: &str, level: &str, auth: &Auth) -> support::Page {
    app.post_form(link, &[("level", level)], auth).await
}

#[tokio::test]
async fn the_link_page_rates_once_and_refuses_reuse() {
    let app = TestApp::new().await;
    let (_, _, number, link) = delivered(&app).await;
    let page = app.get_page(&link, &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("服务评价") && page.html.contains(&number));
    assert!(
        page.html.contains("老年综合津贴"),
        "the item: {}",
        page.html
    );
    for (value, label) in [(5, "非常满意"), (3, "基本满意"), (1, "非常不满意")] {
        let button = format!(r#"name="level" value="{value}""#);
        assert!(page.html.contains(&button) && page.html.contains(label));
    }
    // The token is the credential: no session, so no CSRF field; never cached.
    assert!(!page.html.contains("csrf_token"));
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    // Showing the page does not use the link; a level outside 1 to 5 is asked again.
    let odd = press(&app, &link, "9", &Auth::Anonymous).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        odd.html.contains("请点击下面的一个评价按钮"),
        "{}",
        odd.html
    );
    let none = app.post_form(&link, &[], &Auth::Anonymous).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);

    let done = press(&app, &link, "2", &Auth::Anonymous).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.html.contains("感谢您的评价") && done.html.contains("不满意"));
    // A bad rating: the resident is told by when they will be called back.
    assert!(done.html.contains("2026-11-09"), "{}", done.html);
    // The same form again, and the link opened again: used.
    let again = press(&app, &link, "5", &Auth::Anonymous).await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.html);
    assert!(again.html.contains("此评价链接已失效"));
    let reopened = app.get_page(&link, &Auth::Anonymous).await;
    assert_eq!(reopened.status, StatusCode::GONE);
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    let listed = app.get("/api/v1/ratings?month=2026-11", &boss).await;
    let ratings = listed.body["ratings"].as_array().expect("ratings").clone();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(
        (&ratings[0]["channel"], &ratings[0]["level"]["value"]),
        (&json!("link"), &json!(2))
    );
    assert_eq!(ratings[0]["follow_up"], Value::Null);
    let follow_ups = app.get("/api/v1/follow-ups", &boss).await;
    assert_eq!(follow_ups.body["follow_ups"][0]["id"], number);

    // A link whose case was rated some other way says so before anything is pressed.
    let clerk = app.sign_in("zhang", PASSWORD).await.expect("sign in");
    let office = app.sign_in("wang", PASSWORD).await.expect("sign in");
    let second = delivered_case(&app, &clerk, &office).await;
    let link = last_link(&app);
    let resident = app.resident(RESIDENT).await;
    let body = json!({"target": {"kind": "case", "case": second}, "level": 4, "channel": "portal"});
    assert_eq!(
        app.post("/api/v1/ratings", body, &resident).await.status,
        StatusCode::CREATED
    );
    let page = app.get_page(&link, &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.html.contains("已经评价过了"), "{}", page.html);
    // An expired link is as good as used.
    let third = delivered_case(&app, &clerk, &office).await;
    let link = last_link(&app);
    app.clock.advance(chrono::Duration::days(11));
    let page = app.get_page(&link, &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::GONE, "{third}: {}", page.html);
}

#[tokio::test]
async fn staff_cannot_rate_from_the_link_or_the_pad() {
    let app = TestApp::new().await;
    let (clerk, office, _, link) = delivered(&app).await;
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    for auth in [&clerk, &office, &boss] {
        let page = app.get_page(&link, auth).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.html.contains("工作人员不能评价"), "{}", page.html);
        let pressed = press(&app, &link, "5", auth).await;
        assert_eq!(pressed.status, StatusCode::FORBIDDEN, "{}", pressed.html);
    }
    // Refused, the link is still the resident's to use.
    assert_eq!(
        app.get_page(&link, &Auth::Anonymous).await.status,
        StatusCode::OK
    );

    // The pad in the clerk's own session: refused, whatever is posted.
    let ticket = called(&app, &clerk, "5").await;
    let pad = app.get_page("/pad?w=5", &clerk).await;
    assert_eq!(pad.status, StatusCode::FORBIDDEN);
    assert!(pad.html.contains("工作人员不能评价") && !pad.html.contains(&ticket));
    let form = [
        ("center", "linfen"),
        ("w", "5"),
        ("ticket", ticket.as_str()),
        ("level", "5"),
    ];
    let posted = app.post_form("/pad", &form, &clerk).await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let listed = app.get("/api/v1/ratings?month=2026-11", &boss).await;
    assert_eq!(listed.body["ratings"], json!([]));
}

/// Issues an anonymous ticket and calls it to `window`; its number.
async fn called(app: &TestApp, clerk: &Auth, window: &str) -> String {
    let issued = app.post("/api/v1/tickets", json!({}), clerk).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    let number = issued.body["number"].as_str().expect("number").to_owned();
    let path = format!("/api/v1/windows/{window}/call");
    let reply = app.post(&path, json!({}), clerk).await;
    assert_eq!(reply.body["ticket"]["number"], number, "{:?}", reply.body);
    number
}

fn refresh(page: &support::Page) -> &str {
    page.headers
        .get(header::REFRESH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn the_pad_rates_the_ticket_the_window_called_then_waits() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let nobody = Auth::Anonymous;
    // No window: the setup form; an unknown center next to its field, typed text kept.
    let setup = app.get_page("/pad", &nobody).await;
    assert!(setup.html.contains("设置评价器"), "{}", setup.html);
    let ticket = called(&app, &clerk, "5").await;
    let wrong = app.get_page("/pad?center=nowhere&w=5", &nobody).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.html.contains("没有这个服务中心") && wrong.html.contains(r#"value="nowhere""#));

    // One center: `?w=5` is enough. The ticket window 5 called, and the five buttons.
    let pad = app.get_page("/pad?w=5", &nobody).await;
    assert_eq!(pad.status, StatusCode::OK, "{}", pad.html);
    assert!(pad.html.contains(&format!("{ticket} 号")) && pad.html.contains("非常不满意"));
    assert!(!pad.html.contains(r#"name="id_number""#));
    assert!(refresh(&pad).starts_with("30; url=/pad?center=linfen&w=5"));
    // Another window's pad does not offer it.
    let other = app.get_page("/pad?w=6", &nobody).await;
    assert!(other.html.contains("欢迎您") && !other.html.contains(&ticket));

    let form = [
        ("center", "linfen"),
        ("w", "5"),
        ("ticket", ticket.as_str()),
        ("level", "4"),
    ];
    let posted = app.post_form("/pad", &form, &nobody).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let thanks_at = posted.location().expect("redirect").to_owned();
    assert_eq!(thanks_at, format!("/pad?center=linfen&w=5&thanks={ticket}"));
    let thanks = app.get_page(&thanks_at, &nobody).await;
    assert!(thanks.html.contains("谢谢您的评价") && thanks.html.contains("满意"));
    assert!(refresh(&thanks).starts_with("6; url=/pad?center=linfen&w=5"));
    // Rated: the pad waits for the next ticket; a second press is refused.
    let waiting = app.get_page("/pad?w=5", &nobody).await;
    assert!(waiting.html.contains("欢迎您") && !waiting.html.contains(&ticket));
    assert!(refresh(&waiting).starts_with("3; "));
    let twice = app.post_form("/pad", &form, &nobody).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.html.contains("这个号已经评价过了"));
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    let listed = app.get("/api/v1/ratings?month=2026-11", &boss).await;
    let rating = &listed.body["ratings"][0];
    assert_eq!(
        (&rating["channel"], &rating["staff"], &rating["rater"]),
        (&json!("window_pad"), &json!("zhang"), &json!("anonymous"))
    );
    // A finished visit stays on the pad for a while, then the pad waits.
    let next = called(&app, &clerk, "5").await;
    let finish = format!("/api/v1/tickets/{next}/actions/finish");
    let done = app.post(&finish, json!({"window": "5"}), &clerk).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(app.get_page("/pad?w=5", &nobody).await.html.contains(&next));
    app.clock.advance(chrono::Duration::minutes(11));
    assert!(!app.get_page("/pad?w=5", &nobody).await.html.contains(&next));
}

#[tokio::test]
async fn a_ticket_with_an_id_number_is_rated_with_the_id_card() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let today = app.clock.today_in(app.state.catalog.time_zone);
    let new_ticket = NewTicket {
        center: CenterId::parse("linfen").expect("center"),
        category: 'A',
        priority: Priority::Elderly,
        items: Vec::new(),
        carried: Some(Carried {
            id_number: Some(RESIDENT.into()),
            ..Carried::default()
        }),
        rule: AgingRule::default(),
    };
    let by = By {
        actor: "desk-a".into(),
        role: Role::Desk,
        at: app.clock.now(),
    };
    let issued = app.state.store.issue_ticket(today, new_ticket, by).await;
    let ticket = issued.expect("issue").number.to_string();
    let reply = app.post("/api/v1/windows/5/call", json!({}), &clerk).await;
    assert_eq!(reply.body["ticket"]["number"], ticket, "{:?}", reply.body);
    let nobody = Auth::Anonymous;
    let pad = app.get_page("/pad?w=5", &nobody).await;
    assert!(pad.html.contains(r#"name="id_number""#), "{}", pad.html);
    // It reloads, but slowly enough not to wipe a number being typed.
    assert!(refresh(&pad).starts_with("120; "), "{}", refresh(&pad));
    // Enter from a card reader must not press a level: the first submit button is disabled.
    let form_start = pad.html.find(r#"id="pad-rate""#).expect("form");
    let first_button = pad.html[form_start..].find("<button").expect("button") + form_start;
    assert!(
        pad.html[first_button..]
            .starts_with(r#"<button type="submit" class="visually-hidden" disabled"#)
    );

    let post = |id: &'static str| {
        let ticket = ticket.clone();
        let app = &app;
        async move {
            let form = [
                ("center", "linfen"),
                ("w", "5"),
                ("ticket", ticket.as_str()),
                ("needs_id", "1"),
                ("id_number", id),
                ("level", "3"),
            ];
            app.post_form("/pad", &form, &Auth::Anonymous).await
        }
    };
    for (typed, error) in [
        ("", "请刷身份证或输入身份证号"),
        ("1234", "身份证号不正确"),
        (OTHER_RESIDENT, "不是这个号登记的身份证号"),
    ] {
        let page = post(typed).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(page.html.contains(error), "{typed}: {}", page.html);
        assert!(page.html.contains(&format!(r#"value="{typed}""#)), "kept");
        assert!(page.html.contains(r#"aria-invalid="true""#));
    }
    let page = post(RESIDENT).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
}

#[tokio::test]
async fn a_bad_rating_is_followed_up_through_the_pages() {
    let app = TestApp::new().await;
    let (clerk, _, number, link) = delivered(&app).await;
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    let desk = app.staff("desk-a", Role::Desk, "linfen").await;
    let admin = app.staff("root", Role::SystemAdmin, "linfen").await;
    assert_eq!(
        press(&app, &link, "1", &Auth::Anonymous).await.status,
        StatusCode::OK
    );
    let detail = format!("/follow-ups/{number}");

    // The list: the supervisor's, with the link in the navigation.
    let list = app.get_page("/follow-ups", &boss).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(list.html.contains(r#"href="/follow-ups""#) && list.html.contains("差评回访"));
    assert!(list.html.contains(&detail) && list.html.contains("待回访"));
    assert!(list.html.contains("2026-11-09") && list.html.contains("非常不满意"));
    // The staff member rated sees their own; another sees none; the admin may not.
    assert!(
        app.get_page("/follow-ups", &clerk)
            .await
            .html
            .contains(&detail)
    );
    let others = app.get_page("/follow-ups", &desk).await;
    assert!(others.html.contains("没有差评回访任务"), "{}", others.html);
    assert_eq!(
        app.get_page(&detail, &desk).await.status,
        StatusCode::NOT_FOUND
    );
    let refused = app.get_page("/follow-ups", &admin).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin_nav = app.get_page("/admin", &admin).await;
    assert!(!admin_nav.html.contains(r#"href="/follow-ups""#));

    // The clerk rated appeals; an empty reason is refused next to its field.
    let page = app.get_page(&detail, &clerk).await;
    assert!(page.html.contains(r#"id="appeal""#) && !page.html.contains(r#"id="call_back""#));
    let appeal = format!("{detail}/appeal");
    let empty = [("csrf_token", clerk.csrf()), ("appeal_reason", "   ")];
    let page = app.post_form(&appeal, &empty, &clerk).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert!(page.html.contains("appeal_reason-error") && page.html.contains("请填写内容"));
    let forged = app
        .post_form(&appeal, &[("appeal_reason", "误触")], &clerk)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let reason = [
        ("csrf_token", clerk.csrf()),
        ("appeal_reason", "办事人误触了按钮"),
    ];
    let page = app.post_form(&appeal, &reason, &clerk).await;
    assert_eq!(
        page.location(),
        Some(format!("{detail}?done=appeal").as_str())
    );

    // The supervisor: the call-back (empty first), the decision (none chosen first), the fix.
    let page = app.get_page(&detail, &boss).await;
    for form in [r#"id="call_back""#, r#"id="decide""#] {
        assert!(page.html.contains(form), "{form}: {}", page.html);
    }
    assert!(!page.html.contains(r#"id="fix""#) && page.html.contains("办事人误触了按钮"));
    let call_back = format!("{detail}/call_back");
    let empty = [("csrf_token", boss.csrf()), ("call_back_note", "")];
    let page = app.post_form(&call_back, &empty, &boss).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("call_back_note-error"));
    let note = [
        ("csrf_token", boss.csrf()),
        ("call_back_note", "电话回访：等候太久"),
    ];
    let page = app.post_form(&call_back, &note, &boss).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let decide = format!("{detail}/decide");
    let unchosen = [("csrf_token", boss.csrf()), ("decide_note", "查看了录像")];
    let page = app.post_form(&decide, &unchosen, &boss).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("decision-error") && page.html.contains("查看了录像"));
    let chosen = [
        ("csrf_token", boss.csrf()),
        ("decision", "upheld"),
        ("decide_note", "查看了录像，服务确有不足"),
    ];
    let page = app.post_form(&decide, &chosen, &boss).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let page = app.get_page(&format!("{detail}?done=decide"), &boss).await;
    assert!(page.html.contains("已保存裁定") && page.html.contains("驳回（差评成立）"));
    let fix = [("csrf_token", boss.csrf()), ("fix_note", "增开一个窗口")];
    let page = app.post_form(&format!("{detail}/fix"), &fix, &boss).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    // Done: a second fix is refused in the words of the domain, the note kept.
    let page = app.post_form(&format!("{detail}/fix"), &fix, &boss).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    let list = app.get_page("/follow-ups", &boss).await;
    assert!(list.html.contains("已整改") && list.html.contains("未办结 0 件"));
    let api = app
        .get(&format!("/api/v1/follow-ups/{number}"), &boss)
        .await;
    assert_eq!(
        (&api.body["stage"], &api.body["resolved"]),
        (&json!("fixed"), &json!(true))
    );
}

#[tokio::test]
async fn an_overdue_follow_up_is_marked_and_the_pages_speak_english() {
    let app = TestApp::new().await;
    let (_, _, number, link) = delivered(&app).await;
    let english = app
        .get_page(&format!("{link}?lang=en"), &Auth::Anonymous)
        .await;
    assert!(english.html.contains(r#"<html lang="en">"#));
    assert!(
        english.html.contains("Rate our service") && english.html.contains("very dissatisfied")
    );
    let done = app
        .page(
            axum::http::Method::POST,
            &link,
            Some(&[("level", "2")]),
            &Auth::Anonymous,
            &["haoban_lang=en"],
        )
        .await;
    assert!(
        done.html.contains("Thank you for your rating"),
        "{}",
        done.html
    );
    assert!(done.html.contains("call you back by 2026-11-09"));
    let pad = app.get_page("/pad?w=5&lang=en", &Auth::Anonymous).await;
    assert!(pad.html.contains("Rating pad") && pad.html.contains("Welcome!"));

    // A week and a half later the follow-up is overdue.
    app.clock.set(at("2026-11-12 02:00"));
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    let list = app.get_page("/follow-ups?lang=en", &boss).await;
    assert!(list.html.contains("Follow-ups of bad ratings") && list.html.contains("to call back"));
    assert!(
        list.html.contains(r#"class="overdue""#) && list.html.contains("1 open, 1 of them overdue")
    );
    let page = app
        .get_page(&format!("/follow-ups/{number}?lang=en"), &boss)
        .await;
    assert!(
        page.html.contains("Record the call-back")
            && page.html.contains("rating link in a message")
    );
}

#[tokio::test]
async fn an_instant_item_sends_its_rating_link_when_accepted() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let opened = app
        .post(
            "/api/v1/cases",
            json!({
                "item": "consult",
                "applicant": {"id_number": RESIDENT, "name": "王阿姨"},
                "facts": {}
            }),
            &clerk,
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{:?}", opened.body);
    let number = opened.body["number"].as_str().expect("number").to_owned();
    app.act(&clerk, &number, "accept", json!({"materials": []}))
        .await;
    let link = last_link(&app);
    let page = app.get_page(&link, &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(&number) && page.html.contains("政策咨询"));
}
