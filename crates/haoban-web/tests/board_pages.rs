//! The hall board: open to all, the latest call with its voice text, the recent calls,
//! the waiting count, Chinese and English, the choice of center, and the live event
//! stream (`/board/events`) read in process.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use haoban_cases::Role;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use support::{Auth, TestApp, unescape};
use tower::ServiceExt;

/// A hall with two tickets issued at the desk and the first called to window 5.
async fn hall() -> (TestApp, Auth, Auth) {
    let app = TestApp::new().await;
    let desk = app.staff("wu", Role::Desk, "linfen").await;
    let clerk = app.staff("zhang", Role::Clerk, "linfen").await;
    for _ in 0..3 {
        let issued = app.post("/api/v1/tickets", json!({}), &desk).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    }
    app.clock.advance(chrono::Duration::minutes(2));
    call(&app, &clerk, "5", "A001").await;
    (app, desk, clerk)
}

async fn call(app: &TestApp, clerk: &Auth, window: &str, expected: &str) {
    let called = app
        .request(
            Method::POST,
            &format!("/api/v1/windows/{window}/call"),
            None,
            clerk,
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{:?}", called.body);
    assert_eq!(called.body["ticket"]["number"], expected);
}

/// `raw` is never markup on the page, but `shown` (which contains it) is there as text.
fn shown_escaped(html: &str, raw: &str, shown: &str) -> bool {
    !html.contains(raw) && unescape(html).contains(shown)
}

#[tokio::test]
async fn the_board_shows_the_latest_call_to_anyone() {
    let (app, _, _) = hall().await;
    let page = app.get_page("/board?center=linfen", &Auth::Anonymous).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("叫号屏"));
    assert!(
        html.contains("<p class=\"board-now-number\">A001</p>"),
        "{html}"
    );
    assert!(html.contains("5号窗口"));
    assert!(html.contains("请A001号到5号窗口"));
    assert!(
        html.contains("<p class=\"board-count\"><strong>2</strong>"),
        "two are waiting: {html}"
    );
    assert!(html.contains("叫号规则"), "the calling rule");
    assert!(html.contains("<td class=\"board-number\">A001</td>"));
    assert!(
        !html.contains("A002</td>"),
        "only called tickets are listed"
    );
    // No staff navigation, no inline script, the live part wired to the event stream.
    assert!(!html.contains("site-nav"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("<script src=\"/static/board.js\" defer></script>"));
    assert!(unescape(html).contains("data-events=\"/board/events?center=linfen&lang=zh\""));
    assert!(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"15\"></noscript>"));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"));
    assert!(
        !csp.contains("connect-src"),
        "EventSource falls back to default-src 'self'"
    );

    let script = app.get_page("/static/board.js", &Auth::Anonymous).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        script.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.html.contains("new EventSource("));
    assert!(script.html.contains("speechSynthesis"));
}

#[tokio::test]
async fn the_board_speaks_english_when_asked() {
    let (app, _, _) = hall().await;
    let page = app
        .get_page("/board?center=linfen&lang=en", &Auth::Anonymous)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Now calling"));
    assert!(html.contains("Window 5"));
    assert!(html.contains("Ticket A001, please go to window 5"));
    assert!(
        html.contains("lang=\"zh-CN\">请A001号到5号窗口"),
        "and the Chinese"
    );
    assert!(html.contains("Calling rule"));
    assert!(html.contains("data-voice-lang=\"en-US\""));
    assert!(html.contains("lang=en"));
    assert!(
        page.cookie("haoban_lang").is_some(),
        "the choice is remembered"
    );
}

#[tokio::test]
async fn without_a_center_the_board_takes_the_only_one_or_offers_a_choice() {
    let app = TestApp::new().await;
    let none = app.get_page("/board", &Auth::Anonymous).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.html.contains("请选择服务中心"));
    assert!(none.html.contains("还没有任何服务中心的记录"));

    let desk = app.staff("wu", Role::Desk, "linfen").await;
    app.post("/api/v1/tickets", json!({}), &desk).await;
    let only = app.get_page("/board", &Auth::Anonymous).await;
    assert_eq!(only.status, StatusCode::OK);
    assert!(
        unescape(&only.html).contains("data-events=\"/board/events?center=linfen&lang=zh\""),
        "{}",
        only.html
    );

    let other = app.staff("li", Role::Desk, "pudong-1").await;
    app.post("/api/v1/tickets", json!({}), &other).await;
    let choice = app.get_page("/board", &Auth::Anonymous).await;
    assert_eq!(choice.status, StatusCode::OK);
    assert!(
        choice
            .html
            .contains("<a href=\"/board?center=linfen\">linfen</a>")
    );
    assert!(
        choice
            .html
            .contains("<a href=\"/board?center=pudong-1\">pudong-1</a>")
    );
}

#[tokio::test]
async fn an_unknown_or_malformed_center_is_a_clear_error() {
    let (app, _, _) = hall().await;
    let unknown = app
        .get_page("/board?center=nowhere", &Auth::Anonymous)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.html.contains("没有这个服务中心"));
    assert!(unknown.html.contains("<code>nowhere</code>"));
    assert!(unknown.html.contains("href=\"/board\""));

    let bad = app
        .get_page("/board?center=%3Cscript%3E&lang=en", &Auth::Anonymous)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.html
            .contains("A center id is 1 to 32 lowercase letters")
    );
    assert!(
        shown_escaped(&bad.html, "<script>", "<code><script></code>"),
        "{}",
        bad.html
    );

    let stream = app
        .get_page("/board/events?center=nowhere", &Auth::Anonymous)
        .await;
    assert_eq!(stream.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn window_names_are_escaped() {
    let (app, _, clerk) = hall().await;
    call(&app, &clerk, "%3Cb%3E", "A002").await;
    let page = app.get_page("/board?center=linfen", &Auth::Anonymous).await;
    assert!(
        shown_escaped(&page.html, "<b>", "请A002号到<b>号窗口"),
        "{}",
        page.html
    );
    let mut events = EventStream::open(&app, "/board/events?center=linfen", None).await;
    let first = events.next().await;
    assert_eq!(first.name, "board");
    assert!(shown_escaped(&first.data, "<b>", "<b>号窗口"));
}

/// One server-sent event.
#[derive(Debug)]
struct Sent {
    name: String,
    data: String,
    id: Option<String>,
}

/// The body of `/board/events`, read event by event as a browser's `EventSource` would.
struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    async fn open(app: &TestApp, path: &str, last_event_id: Option<&str>) -> EventStream {
        let mut request = Request::builder().uri(path);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = haoban_web::router(app.state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        EventStream {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event (comments such as keep-alives skipped), within five seconds.
    async fn next(&mut self) -> Sent {
        tokio::time::timeout(Duration::from_secs(5), self.read())
            .await
            .expect("an event within five seconds")
    }

    async fn read(&mut self) -> Sent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut sent = Sent {
                    name: "message".into(),
                    data: String::new(),
                    id: None,
                };
                let mut data = Vec::new();
                for line in block.lines() {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "event" => sent.name = value.to_owned(),
                        "data" => data.push(value),
                        "id" => sent.id = Some(value.to_owned()),
                        _ => {}
                    }
                }
                if data.is_empty() {
                    continue;
                }
                sent.data = data.join("\n");
                return sent;
            }
            let frame = self
                .body
                .frame()
                .await
                .expect("the stream stays open")
                .expect("a frame");
            if let Ok(bytes) = frame.into_data() {
                self.buffer.push_str(std::str::from_utf8(&bytes).unwrap());
            }
        }
    }

    /// Events until one named `name` whose data contains `text`.
    async fn until(&mut self, name: &str, text: &str) -> Sent {
        loop {
            let sent = self.next().await;
            if sent.name == name && sent.data.contains(text) {
                return sent;
            }
        }
    }
}

#[tokio::test]
async fn the_event_stream_sends_the_board_and_each_new_call() {
    let (app, _, clerk) = hall().await;
    let mut events = EventStream::open(&app, "/board/events?center=linfen", None).await;

    let first = events.next().await;
    assert_eq!(first.name, "board", "{first:?}");
    assert!(
        first
            .data
            .contains("<p class=\"board-now-number\">A001</p>")
    );
    assert!(first.data.contains("请A001号到5号窗口"));
    let first_id = first.id.expect("the board carries the newest call's id");
    assert!(first_id.ends_with("-A001-0"), "{first_id}");
    assert!(
        first.data.contains('\n'),
        "a multi-line fragment arrives whole"
    );

    app.clock.advance(chrono::Duration::minutes(1));
    call(&app, &clerk, "6", "A002").await;
    let board = events
        .until("board", "<p class=\"board-now-number\">A002</p>")
        .await;
    assert!(board.data.contains("请A002号到6号窗口"));
    assert!(board.data.contains("<td class=\"board-number\">A001</td>"));
    assert!(
        board
            .data
            .contains("<p class=\"board-count\"><strong>1</strong>")
    );
    let announced = events.next().await;
    assert_eq!(announced.name, "call", "{announced:?}");
    let data: Value = serde_json::from_str(&announced.data).unwrap();
    assert_eq!(data["number"], "A002");
    assert_eq!(data["window"], "6");
    assert_eq!(data["text"], "请A002号到6号窗口");
    assert_eq!(data["lang"], "zh-CN");
    let heard = announced.id.clone().expect("a call carries its id");
    assert_eq!(data["id"], heard);

    // A recall at the same minute is a new call: announced again, the board unchanged.
    let recalled = app
        .post(
            "/api/v1/tickets/A002/actions/recall",
            json!({"window": "6"}),
            &clerk,
        )
        .await;
    assert_eq!(recalled.status, StatusCode::OK, "{:?}", recalled.body);
    let again = events.next().await;
    assert_eq!(again.name, "call", "{again:?}");
    assert!(again.data.contains("请A002号到6号窗口"));
    assert_ne!(again.id.as_deref(), Some(heard.as_str()));

    // A browser that reconnects after hearing the first call is told of the recall.
    let mut reconnected =
        EventStream::open(&app, "/board/events?center=linfen&lang=en", Some(&heard)).await;
    let board = reconnected.next().await;
    assert_eq!(board.name, "board");
    assert!(board.data.contains("Ticket A002, please go to window 6"));
    let missed = reconnected.next().await;
    assert_eq!(missed.name, "call");
    assert_eq!(missed.id, again.id);
    let data: Value = serde_json::from_str(&missed.data).unwrap();
    assert_eq!(data["text"], "Ticket A002, please go to window 6");
    assert_eq!(data["lang"], "en-US");
}
