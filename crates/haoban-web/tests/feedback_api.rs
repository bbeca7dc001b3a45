//! Ratings (好差评) over HTTP: once per case or visit, only by the resident, never edited;
//! the follow-up of a bad one with its working-day deadline and appeal; defaults; links.

mod support;

use axum::http::StatusCode;
use haoban_cases::{Clock, Role};
use haoban_feedback::{DefaultRule, FeedbackConfig, Level};
use haoban_hall::{AgingRule, Carried, Priority};
use haoban_store::{By, NewTicket};
use haoban_web::record_due_defaults;
use serde_json::{Value, json};
use support::{Auth, OTHER_RESIDENT, PASSWORD, RESIDENT, Reply, TestApp, all_received, at};

/// A case of `RESIDENT` accepted by `clerk`.
async fn accepted_case(app: &TestApp, clerk: &Auth) -> String {
    let case = app.open_case(clerk).await;
    let number = case["number"].as_str().expect("number").to_owned();
    app.act(clerk, &number, "accept", all_received()).await;
    number
}

async fn deliver(app: &TestApp, clerk: &Auth, office: &Auth, number: &str) {
    app.act(office, number, "start_review", json!({})).await;
    app.act(office, number, "approve", json!({})).await;
    app.act(office, number, "mark_ready", json!({"delivery": "window"}))
        .await;
    app.act(clerk, number, "deliver", json!({})).await;
}

fn on_case(number: &str, level: i64, channel: &str) -> Value {
    json!({"target": {"kind": "case", "case": number}, "level": level, "channel": channel})
}

fn on_visit(day: &str, ticket: &str, level: i64) -> Value {
    json!({"target": {"kind": "visit", "day": day, "ticket": ticket}, "center": "linfen",
           "level": level, "channel": "window_pad"})
}

async fn rate(app: &TestApp, auth: &Auth, body: Value) -> Reply {
    app.post("/api/v1/ratings", body, auth).await
}

/// Issues a ticket, calls it to `window` and finishes it, all by `clerk`; its number.
async fn served(app: &TestApp, clerk: &Auth, window: &str) -> String {
    let issued = app.post("/api/v1/tickets", json!({}), clerk).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    let number = issued.body["number"].as_str().expect("number").to_owned();
    call_and_finish(app, clerk, window, &number).await;
    number
}

async fn call_and_finish(app: &TestApp, clerk: &Auth, window: &str, number: &str) {
    let called = app
        .post(&format!("/api/v1/windows/{window}/call"), json!({}), clerk)
        .await;
    assert_eq!(called.body["ticket"]["number"], number, "{:?}", called.body);
    let finished = app
        .post(
            &format!("/api/v1/tickets/{number}/actions/finish"),
            json!({"window": window}),
            clerk,
        )
        .await;
    assert_eq!(finished.status, StatusCode::OK, "{:?}", finished.body);
}

/// The token of the last rating link the notifier sent.
fn last_link(app: &TestApp) -> String {
    let (_, message) = app
        .notifier
        .sent()
        .into_iter()
        .rev()
        .find(|(_, m)| m.contains("/rate/"))
        .expect("a rating link was sent");
    let start = message.find("/rate/").expect("link") + "/rate/".len();
    message[start..start + 64].to_owned()
}

#[tokio::test]
async fn a_resident_rates_their_case_once_and_staff_never() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let supervisor = app.staff("boss", Role::Supervisor, "linfen").await;
    let number = accepted_case(&app, &clerk).await;
    let mut staff = vec![clerk.clone(), supervisor.clone()];
    for role in [Role::Desk, Role::Office, Role::SystemAdmin, Role::Auditor] {
        staff.push(app.staff(&format!("{role}-1"), role, "linfen").await);
    }
    // Staff self-ratings: every staff role, the clerk rated included, on every channel.
    for auth in &staff {
        for channel in ["portal", "window_pad", "kiosk", "link"] {
            let mut body = on_case(&number, 5, channel);
            body["id_number"] = json!(RESIDENT);
            let reply = rate(&app, auth, body).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{channel}: {:?}",
                reply.body
            );
        }
    }
    let anonymous = rate(&app, &Auth::Anonymous, on_case(&number, 5, "portal")).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let stranger = app.resident(OTHER_RESIDENT).await;
    let reply = rate(&app, &stranger, on_case(&number, 1, "portal")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", reply.body);

    let resident = app.resident(RESIDENT).await;
    let first = rate(&app, &resident, on_case(&number, 5, "portal")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["staff"], "zhang");
    assert_eq!(first.body["level"]["zh"], "非常满意");
    assert_eq!(first.body["rater"], "resident:1101**********002X");
    assert_eq!(first.body["follow_up"], Value::Null);
    // Never edited: a second rating, through any channel, is refused and changes nothing.
    let again = rate(&app, &resident, on_case(&number, 1, "portal")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    let mut at_pad = on_case(&number, 2, "window_pad");
    at_pad["id_number"] = json!(RESIDENT);
    assert_eq!(
        rate(&app, &Auth::Anonymous, at_pad).await.status,
        StatusCode::CONFLICT
    );
    let listed = app.get("/api/v1/ratings?month=2026-11", &supervisor).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let ratings = listed.body["ratings"].as_array().expect("ratings");
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0]["level"]["value"], 5);
    let follow_ups = app.get("/api/v1/follow-ups?all=true", &supervisor).await;
    assert_eq!(follow_ups.body["follow_ups"], json!([]));
    // A case a window has not taken has nobody to rate yet.
    let untaken = app.open_case(&clerk).await;
    let untaken = untaken["number"].as_str().expect("number");
    let reply = rate(&app, &resident, on_case(untaken, 4, "portal")).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
}

#[tokio::test]
async fn a_visit_is_rated_at_the_window_pad_and_rates_who_served_it() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let ticket = served(&app, &clerk, "5").await;
    let reply = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", &ticket, 4)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(
        (reply.body["staff"].as_str(), reply.body["rater"].as_str()),
        (Some("zhang"), Some("anonymous"))
    );
    let again = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", &ticket, 1)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        rate(&app, &clerk, on_visit("2026-11-02", &ticket, 5))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "the clerk cannot rate their own service from the pad while signed in"
    );
    // Not called yet: nobody to rate. Another day's visit is not rated at the pad.
    let waiting = app.post("/api/v1/tickets", json!({}), &clerk).await;
    let waiting = waiting.body["number"].as_str().expect("number");
    let reply = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", waiting, 4)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
    let reply = rate(&app, &Auth::Anonymous, on_visit("2026-11-01", &ticket, 4)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    let reply = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", "Z999", 4)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", reply.body);

    // A ticket the first window issued to a registered visitor is theirs to rate.
    let today = app.clock.today_in(app.state.catalog.time_zone);
    let carried = app
        .state
        .store
        .issue_ticket(
            today,
            NewTicket {
                center: haoban_cases::CenterId::parse("linfen").expect("center"),
                category: 'A',
                priority: Priority::Elderly,
                items: Vec::new(),
                carried: Some(Carried {
                    id_number: Some(RESIDENT.into()),
                    ..Carried::default()
                }),
                rule: AgingRule::default(),
            },
            By {
                actor: "desk-a".into(),
                role: Role::Desk,
                at: app.clock.now(),
            },
        )
        .await
        .expect("issue");
    let number = carried.number.to_string();
    call_and_finish(&app, &clerk, "6", &number).await;
    let reply = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", &number, 5)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    let mut someone_else = on_visit("2026-11-02", &number, 5);
    someone_else["id_number"] = json!(OTHER_RESIDENT);
    assert_eq!(
        rate(&app, &Auth::Anonymous, someone_else).await.status,
        StatusCode::NOT_FOUND
    );
    let mut theirs = on_visit("2026-11-02", &number, 3);
    theirs["id_number"] = json!(RESIDENT);
    let reply = rate(&app, &Auth::Anonymous, theirs).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["rater"], "resident:1101**********002X");
    // Finishing their visit sent them a link too; the visit is rated already.
    let token = last_link(&app);
    let by_link = json!({"channel": "link", "token": token, "level": 1});
    assert_eq!(
        rate(&app, &Auth::Anonymous, by_link).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_bad_rating_opens_a_follow_up_due_in_working_days_across_the_holiday() {
    let app = TestApp::new().await;
    // Wednesday 30 September, 10:00 in Shanghai. The fixture calendar has 1-2 and 5-7
    // October off and Saturday 10 October worked: five working days end on 13 October.
    app.clock.set(at("2026-09-30 02:00"));
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let supervisor = app.staff("boss", Role::Supervisor, "linfen").await;
    let number = accepted_case(&app, &clerk).await;
    let resident = app.resident(RESIDENT).await;
    let reply = rate(&app, &resident, on_case(&number, 2, "portal")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(
        reply.body["follow_up"],
        json!({"id": number, "due": "2026-10-13"})
    );
    let listed = app.get("/api/v1/follow-ups", &supervisor).await;
    let follow_up = &listed.body["follow_ups"][0];
    assert_eq!(
        (
            &follow_up["due"],
            &follow_up["stage"],
            &follow_up["staff"],
            &follow_up["overdue"]
        ),
        (
            &json!("2026-10-13"),
            &json!("open"),
            &json!("zhang"),
            &json!(false)
        )
    );
    app.clock.set(at("2026-10-14 02:00"));
    // Two weeks on, the session has ended: sign in again.
    let supervisor = app.sign_in("boss", PASSWORD).await.expect("sign in");
    let read = app
        .get(&format!("/api/v1/follow-ups/{number}"), &supervisor)
        .await;
    assert_eq!(read.body["overdue"], true, "{:?}", read.body);
}

#[tokio::test]
async fn the_supervisor_follows_up_and_decides_the_appeal_of_the_staff_member_rated() {
    let app = TestApp::new().await;
    let zhang = app.staff("zhang", Role::Clerk, "linfen").await;
    let li = app.staff("li", Role::Clerk, "linfen").await;
    let office = app.staff("wang", Role::Office, "linfen").await;
    let boss = app.staff("boss", Role::Supervisor, "linfen").await;
    let number = accepted_case(&app, &zhang).await;
    let resident = app.resident(RESIDENT).await;
    let rated = rate(&app, &resident, on_case(&number, 1, "portal")).await;
    assert_eq!(rated.status, StatusCode::CREATED, "{:?}", rated.body);
    let path = |step: &str| format!("/api/v1/follow-ups/{number}/{step}");
    let note = json!({"note": "电话回访：等候过久"});

    // Each sees what is theirs: zhang was rated, li was not.
    let own = app.get("/api/v1/follow-ups", &zhang).await;
    assert_eq!(own.body["follow_ups"].as_array().map(Vec::len), Some(1));
    let others = app.get("/api/v1/follow-ups", &li).await;
    assert_eq!(others.body["follow_ups"], json!([]));
    let reply = app.get(&format!("/api/v1/follow-ups/{number}"), &li).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/follow-ups", &resident).await.status,
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        app.post(&path("call_back"), note.clone(), &zhang)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let early = app.post(&path("fix"), note.clone(), &boss).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    let called = app.post(&path("call_back"), note.clone(), &boss).await;
    assert_eq!(called.status, StatusCode::OK, "{:?}", called.body);
    assert_eq!(called.body["stage"], "called_back");

    let reason = json!({"reason": "申请人误触"});
    assert_eq!(
        app.post(&path("appeal"), reason.clone(), &li).await.status,
        StatusCode::NOT_FOUND
    );
    let appealed = app.post(&path("appeal"), reason.clone(), &zhang).await;
    assert_eq!(appealed.status, StatusCode::OK, "{:?}", appealed.body);
    assert_eq!(appealed.body["appeal_state"], "pending");
    assert_eq!(
        app.post(&path("appeal"), reason, &zhang).await.status,
        StatusCode::CONFLICT
    );
    // Only a supervisor decides: not the clerk rated, not the office.
    let decision = json!({"upheld": false, "note": "录像显示为误触"});
    for auth in [&zhang, &li, &office] {
        let reply = app.post(&path("decide"), decision.clone(), auth).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    }
    let decided = app.post(&path("decide"), decision.clone(), &boss).await;
    assert_eq!(decided.status, StatusCode::OK, "{:?}", decided.body);
    assert_eq!(
        (&decided.body["appeal_state"], &decided.body["resolved"]),
        (&json!("rejected"), &json!(true))
    );
    assert_eq!(
        app.post(&path("decide"), decision, &boss).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(&path("fix"), note, &boss).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.get("/api/v1/follow-ups", &boss).await.body["follow_ups"],
        json!([])
    );

    // Every step is in the chain; the case's record shows the rating and the opening only.
    let verified = app.get("/api/v1/audit/verify", &boss).await;
    assert_eq!(verified.body["intact"], true, "{:?}", verified.body);
    let record = app
        .get(&format!("/api/v1/cases/{number}/record"), &zhang)
        .await;
    let kinds: Vec<&str> = record.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec!["submitted", "accepted", "rating_given", "follow_up_opened"]
    );
}

#[tokio::test]
async fn defaults_are_recorded_after_the_configured_days_and_once() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    app.with_user("boss", Role::Supervisor, "linfen").await;
    let number = accepted_case(&app, &clerk).await;
    deliver(&app, &clerk, &office, &number).await;
    let store = app.state.store.clone();
    let zone = app.state.catalog.time_zone;
    let rule = FeedbackConfig::default().defaults;
    assert_eq!((rule.level(), rule.after_days()), (Level::SATISFIED, 10));
    let run = |rule: DefaultRule| {
        let store = store.clone();
        let clock = app.clock.clone();
        async move {
            record_due_defaults(&*store, &*clock, zone, &rule)
                .await
                .expect("defaults")
        }
    };
    // Delivered Monday 2 November: nothing on the 11th, the default on the 12th, once.
    app.clock.set(at("2026-11-11 02:00"));
    assert!(run(rule).await.is_empty());
    app.clock.set(at("2026-11-12 02:00"));
    let recorded = run(rule).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].target.key(), format!("case:{number}"));
    assert!(run(rule).await.is_empty(), "never twice");
    let supervisor = app.sign_in("boss", PASSWORD).await.expect("sign in");
    let listed = app.get("/api/v1/ratings?month=2026-11", &supervisor).await;
    let rating = &listed.body["ratings"][0];
    assert_eq!(
        (
            &rating["defaulted"],
            &rating["level"]["value"],
            &rating["channel"],
            &rating["staff"]
        ),
        (&json!(true), &json!(4), &Value::Null, &json!("zhang"))
    );
    // The delivery's link lasted as long as the wait for the default: it is gone now.
    let token = last_link(&app);
    let by_link = json!({"channel": "link", "token": token, "level": 1});
    assert_eq!(
        rate(&app, &Auth::Anonymous, by_link).await.status,
        StatusCode::NOT_FOUND
    );
    // Both the level and the days are configurable.
    let clerk = app.sign_in("zhang", PASSWORD).await.expect("sign in");
    let office = app.sign_in("li", PASSWORD).await.expect("sign in");
    let another = accepted_case(&app, &clerk).await;
    deliver(&app, &clerk, &office, &another).await;
    let praise = DefaultRule::new(Level::VERY_SATISFIED, 0).expect("rule");
    let recorded = run(praise).await;
    assert_eq!(
        (recorded.len(), recorded[0].level),
        (1, Level::VERY_SATISFIED)
    );
}

#[tokio::test]
async fn the_delivery_message_carries_a_one_time_rating_link() {
    let app = TestApp::new().await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    let office = app.staff("li", Role::Office, "linfen").await;
    let number = accepted_case(&app, &clerk).await;
    deliver(&app, &clerk, &office, &number).await;
    let (to, message) = app.notifier.sent().last().cloned().expect("a message");
    assert_eq!(to, RESIDENT);
    assert!(message.contains(&number), "{message}");
    let token = last_link(&app);
    let forged = json!({"channel": "link", "token": "0".repeat(64), "level": 5});
    assert_eq!(
        rate(&app, &Auth::Anonymous, forged).await.status,
        StatusCode::NOT_FOUND
    );
    let by_link = json!({"channel": "link", "token": token, "level": 2});
    assert_eq!(
        rate(&app, &clerk, by_link.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let reply = rate(&app, &Auth::Anonymous, by_link.clone()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["channel"], "link");
    assert_eq!(reply.body["follow_up"]["id"], number.as_str());
    let used = rate(&app, &Auth::Anonymous, by_link).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND, "{:?}", used.body);
}

#[tokio::test]
async fn the_good_rating_rate_is_levels_five_four_and_three_over_all() {
    let app = TestApp::new().await;
    let zhang = app.staff("zhang", Role::Clerk, "linfen").await;
    let li = app.staff("li", Role::Clerk, "linfen").await;
    let supervisor = app.staff("boss", Role::Supervisor, "linfen").await;
    for (clerk, level) in [(&zhang, 5), (&zhang, 4), (&li, 3), (&li, 2), (&zhang, 1)] {
        let ticket = served(&app, clerk, "5").await;
        let reply = rate(
            &app,
            &Auth::Anonymous,
            on_visit("2026-11-02", &ticket, level),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let listed = app.get("/api/v1/ratings", &supervisor).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body["month"], "2026-11");
    assert_eq!(
        listed.body["tally"],
        json!({"by_level": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}, "total": 5, "good": 3, "good_rate": "60.00"})
    );
    assert_eq!(listed.body["by_staff"][0]["staff"], "li");
    assert_eq!(listed.body["by_staff"][0]["tally"]["good_rate"], "50.00");
    assert_eq!(listed.body["by_staff"][1]["tally"]["good_rate"], "66.66");
    let empty = app.get("/api/v1/ratings?month=2026-10", &supervisor).await;
    assert_eq!(empty.body["tally"]["good_rate"], Value::Null);
    let bad = app.get("/api/v1/ratings?month=2026-13", &supervisor).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/ratings", &zhang).await.status,
        StatusCode::FORBIDDEN
    );
    let level_zero = rate(&app, &Auth::Anonymous, on_visit("2026-11-02", "A001", 0)).await;
    assert_eq!(level_zero.status, StatusCode::UNPROCESSABLE_ENTITY);
}
