//! The hall board (叫号屏): the big screen in the waiting hall. It shows the latest call
//! in huge type with what the speakers say (请A023号到5号窗口), the recent calls with their
//! windows, how many are waiting and the calling rule. Open to all: it shows ticket
//! numbers and window names, never who holds a ticket.
//!
//! Live through the database, so every server instance shows the same: `/board/events`
//! is a server-sent event stream that reads the day's tickets from the store every second
//! and sends the board's live part (`board_live.html`, the very template the page
//! includes) when it changed, and a `call` event for each new call (recalls included),
//! which `static/board.js` speaks and flashes. A stream ends after [`STREAM_LIFETIME`]
//! and the browser reconnects with the id of the newest call it knows of (every event
//! carries one): a server shutting down gracefully waits at most that long for the hall's
//! screens, and no call is lost in between.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use futures_util::StreamExt;
use futures_util::stream;
use haoban_cases::CenterId;
use haoban_hall::{AgingRule, Ticket, TicketStatus};
use haoban_store::StoreError;
use serde::Deserialize;

use super::{Chrome, Lang, encode, error_page, render, static_file};
use crate::AppState;

const JS: &str = include_str!("../../static/board.js");

/// How often the event stream reads the store.
const POLL: Duration = Duration::from_secs(1);
/// How long one event stream lasts before the browser is asked to reconnect.
const STREAM_LIFETIME: Duration = Duration::from_secs(60);
/// How soon the browser reconnects after a stream ends or breaks.
const RECONNECT: Duration = Duration::from_secs(1);
/// On a reconnect, calls older than this are not announced any more.
const STALE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// How many calls the board lists.
const RECENT: usize = 8;

/// The board's own labels, once per language.
pub struct BoardMsgs {
    pub title: &'static str,
    pub now_calling: &'static str,
    pub no_call: &'static str,
    pub recent: &'static str,
    pub col_number: &'static str,
    pub col_window: &'static str,
    pub col_status: &'static str,
    pub col_time: &'static str,
    pub status_called: &'static str,
    pub status_serving: &'static str,
    pub waiting: &'static str,
    pub waiting_unit: &'static str,
    pub choose_center: &'static str,
    pub choose_hint: &'static str,
    pub no_centers: &'static str,
    pub error_title: &'static str,
    pub bad_center: &'static str,
    pub unknown_center: &'static str,
    pub back_to_centers: &'static str,
    pub voice_on: &'static str,
    pub voice_lang: &'static str,
}

pub const ZH: BoardMsgs = BoardMsgs {
    title: "叫号屏",
    now_calling: "正在叫号",
    no_call: "暂无叫号",
    recent: "最近叫号",
    col_number: "号码",
    col_window: "窗口",
    col_status: "状态",
    col_time: "叫号时间",
    status_called: "请前往窗口",
    status_serving: "正在办理",
    waiting: "等候人数",
    waiting_unit: "人",
    choose_center: "请选择服务中心",
    choose_hint: "叫号屏显示所选服务中心今天的叫号。",
    no_centers: "还没有任何服务中心的记录，取号后即可显示。",
    error_title: "无法显示叫号屏",
    bad_center: "服务中心编号只能由小写字母、数字和连字符组成（1 至 32 个字符）：",
    unknown_center: "没有这个服务中心：",
    back_to_centers: "选择服务中心",
    voice_on: "开启语音叫号",
    voice_lang: "zh-CN",
};

pub const EN: BoardMsgs = BoardMsgs {
    title: "Hall board",
    now_calling: "Now calling",
    no_call: "No ticket called yet",
    recent: "Recent calls",
    col_number: "Ticket",
    col_window: "Window",
    col_status: "Status",
    col_time: "Called at",
    status_called: "Called",
    status_serving: "Serving",
    waiting: "Waiting",
    waiting_unit: "",
    choose_center: "Choose a service center",
    choose_hint: "The board shows today's calls of the center chosen.",
    no_centers: "No service center has any records yet; the board shows one once a ticket is issued.",
    error_title: "The board cannot be shown",
    bad_center: "A center id is 1 to 32 lowercase letters, digits and hyphens: ",
    unknown_center: "There is no such service center: ",
    back_to_centers: "Choose a service center",
    voice_on: "Turn on voice calls",
    voice_lang: "en-US",
};

fn msgs(lang: Lang) -> &'static BoardMsgs {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A window as the board names it: 5号窗口, Window 5.
fn window_label(lang: Lang, window: &str) -> String {
    match lang {
        Lang::Zh => format!("{window}号窗口"),
        Lang::En => format!("Window {window}"),
    }
}

/// What the speakers say, in English (the Chinese is `TicketNumber::call_text`).
fn call_text_en(number: &str, window: &str) -> String {
    format!("Ticket {number}, please go to window {window}")
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    page: Chrome,
    b: &'static BoardMsgs,
    center: String,
    events_href: String,
    /// `board_live.html`, rendered: the part the event stream replaces.
    live_html: String,
    rule: String,
}

#[derive(Template)]
#[template(path = "board_live.html")]
struct BoardLive {
    b: &'static BoardMsgs,
    latest: Option<CallView>,
    recent: Vec<CallView>,
    waiting: usize,
}

#[derive(Template)]
#[template(path = "board_centers.html")]
struct CentersPage {
    page: Chrome,
    b: &'static BoardMsgs,
    centers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "board_error.html")]
struct BoardErrorPage {
    page: Chrome,
    b: &'static BoardMsgs,
    message: &'static str,
    given: String,
}

/// A called ticket as the board shows it.
#[derive(Clone)]
struct CallView {
    number: String,
    window_label: String,
    /// The voice text in the board's language.
    text: String,
    /// On the English board, the Chinese the speakers may also say.
    text_zh: Option<String>,
    status: &'static str,
    status_label: &'static str,
    time: String,
}

/// A call, ordered by when it happened: a recall is a new call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CallKey {
    millis: i64,
    number: String,
    recalls: u32,
}

impl CallKey {
    fn of(ticket: &Ticket) -> Option<CallKey> {
        let showing = matches!(ticket.status, TicketStatus::Called | TicketStatus::Serving);
        match (showing, ticket.called_at, &ticket.window) {
            (true, Some(at), Some(_)) => Some(CallKey {
                millis: at.timestamp_millis(),
                number: ticket.number.to_string(),
                recalls: ticket.recalls,
            }),
            _ => None,
        }
    }

    /// The event id: `millis-number-recalls` (`0` before any call), what the browser
    /// sends back as `Last-Event-ID` when it reconnects.
    fn id(&self) -> String {
        format!("{}-{}-{}", self.millis, self.number, self.recalls)
    }

    fn parse(id: &str) -> Option<CallKey> {
        let mut parts = id.trim().splitn(3, '-');
        let millis = parts.next()?.parse().ok()?;
        let number = parts.next().unwrap_or_default().to_owned();
        let recalls = parts.next().map_or(Some(0), |r| r.parse().ok())?;
        Some(CallKey {
            millis,
            number,
            recalls,
        })
    }
}

/// The tickets on the board: called or being served, newest call first.
fn calls(tickets: &[Ticket]) -> Vec<(CallKey, &Ticket)> {
    let mut calls: Vec<(CallKey, &Ticket)> = tickets
        .iter()
        .filter_map(|t| CallKey::of(t).map(|key| (key, t)))
        .collect();
    calls.sort_by(|a, b| b.0.cmp(&a.0));
    calls
}

fn call_view(lang: Lang, zone: Tz, ticket: &Ticket) -> CallView {
    let b = msgs(lang);
    let window = ticket.window.as_deref().unwrap_or_default();
    let number = ticket.number.to_string();
    let zh = ticket.number.call_text(window);
    let (text, text_zh) = match lang {
        Lang::Zh => (zh, None),
        Lang::En => (call_text_en(&number, window), Some(zh)),
    };
    let serving = ticket.status == TicketStatus::Serving;
    CallView {
        window_label: window_label(lang, window),
        number,
        text,
        text_zh,
        status: if serving { "serving" } else { "called" },
        status_label: if serving {
            b.status_serving
        } else {
            b.status_called
        },
        time: ticket
            .called_at
            .map(|at| at.with_timezone(&zone).format("%H:%M").to_string())
            .unwrap_or_default(),
    }
}

/// The board's live part, rendered.
fn render_live(lang: Lang, zone: Tz, tickets: &[Ticket]) -> Result<String, askama::Error> {
    let recent: Vec<CallView> = calls(tickets)
        .into_iter()
        .take(RECENT)
        .map(|(_, t)| call_view(lang, zone, t))
        .collect();
    let live = BoardLive {
        b: msgs(lang),
        latest: recent.first().cloned(),
        recent,
        waiting: tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting)
            .count(),
    };
    // SSE data is sent line by line; keep one kind of line break.
    live.render()
        .map(|html| html.replace("\r\n", "\n").replace('\r', "\n"))
}

#[derive(Deserialize)]
pub struct BoardQuery {
    center: Option<String>,
}

/// Why a board (or a kiosk) cannot be shown for the center asked for.
pub(super) enum Refused {
    Invalid(String),
    Unknown(String),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(err: StoreError) -> Self {
        Refused::Store(err)
    }
}

/// The center asked for, validated and known to the store (it has a record or staff).
/// Shared with the kiosk, which is set up the same way.
pub(super) async fn known_center(state: &AppState, text: &str) -> Result<CenterId, Refused> {
    let center = CenterId::parse(text).map_err(|_| Refused::Invalid(text.to_owned()))?;
    if state
        .store
        .centers()
        .await?
        .iter()
        .any(|c| c == center.as_ref())
        || !state.store.users(&center).await?.is_empty()
    {
        Ok(center)
    } else {
        Err(Refused::Unknown(text.to_owned()))
    }
}

fn refused_page(lang: Lang, uri: &Uri, refused: Refused) -> Response {
    let b = msgs(lang);
    let (status, message, given) = match refused {
        Refused::Invalid(given) => (StatusCode::BAD_REQUEST, b.bad_center, given),
        Refused::Unknown(given) => (StatusCode::NOT_FOUND, b.unknown_center, given),
        Refused::Store(err) => return error_page(lang, uri, None, err.into()),
    };
    let page = BoardErrorPage {
        page: Chrome::new(lang, b.error_title, uri, None),
        b,
        message,
        given,
    };
    render(status, &page)
}

fn asked_center(
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Result<Option<String>, Refused> {
    match query {
        Ok(Query(q)) => Ok(q.center.filter(|c| !c.trim().is_empty())),
        Err(rejection) => Err(Refused::Invalid(rejection.body_text())),
    }
}

fn rule_text(lang: Lang) -> String {
    let rule = AgingRule::default();
    match lang {
        Lang::Zh => rule.describe_zh(),
        Lang::En => rule.describe_en(),
    }
}

/// `GET /board?center=…`: the board, or the list of centers to choose from.
pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Response {
    let b = msgs(lang);
    let center = match asked_center(query) {
        Ok(Some(text)) => known_center(&state, &text).await,
        Ok(None) => match state.store.centers().await {
            Ok(centers) if centers.len() == 1 => {
                CenterId::parse(&centers[0]).map_err(|_| Refused::Invalid(centers[0].clone()))
            }
            Ok(centers) => {
                let page = CentersPage {
                    page: Chrome::new(lang, b.choose_center, &uri, None),
                    b,
                    centers: centers
                        .into_iter()
                        .map(|c| (format!("/board?center={}", encode(&c)), c))
                        .collect(),
                };
                return render(StatusCode::OK, &page);
            }
            Err(err) => Err(err.into()),
        },
        Err(refused) => Err(refused),
    };
    let center = match center {
        Ok(center) => center,
        Err(refused) => return refused_page(lang, &uri, refused),
    };
    let zone = state.catalog.time_zone;
    let today = state.clock.today_in(zone);
    let tickets = match state.store.tickets(&center, today).await {
        Ok(tickets) => tickets,
        Err(err) => return error_page(lang, &uri, None, err.into()),
    };
    let live_html = match render_live(lang, zone, &tickets) {
        Ok(html) => html,
        Err(err) => {
            let err = crate::error::AppError::Unexpected(format!("rendering the board: {err}"));
            return error_page(lang, &uri, None, err);
        }
    };
    let page = BoardPage {
        page: Chrome::new(lang, &format!("{} · {center}", b.title), &uri, None),
        b,
        events_href: format!(
            "/board/events?center={}&lang={}",
            encode(center.as_ref()),
            lang.code()
        ),
        center: center.to_string(),
        live_html,
        rule: rule_text(lang),
    };
    render(StatusCode::OK, &page)
}

/// What one event stream remembers between reads of the store.
struct Feed {
    state: AppState,
    center: CenterId,
    lang: Lang,
    interval: tokio::time::Interval,
    ends: tokio::time::Instant,
    /// The live part last sent; `None` before the first.
    sent: Option<String>,
    /// The calls already on the board (or announced); `None` before the first read.
    seen: Option<BTreeSet<CallKey>>,
    /// The newest call the browser knows of: on a reconnect, from its `Last-Event-ID`.
    newest: Option<CallKey>,
}

impl Feed {
    /// Waits for the next second and reads the store: the events to send, possibly none.
    /// `None` when the stream's time is up.
    async fn next(&mut self) -> Option<Vec<Event>> {
        if tokio::time::Instant::now() >= self.ends {
            return None;
        }
        tokio::select! {
            _ = self.interval.tick() => {}
            () = tokio::time::sleep_until(self.ends) => return None,
        }
        let zone = self.state.catalog.time_zone;
        let today = self.state.clock.today_in(zone);
        let tickets = match self.state.store.tickets(&self.center, today).await {
            Ok(tickets) => tickets,
            Err(err) => {
                tracing::warn!(center = %self.center, cause = %err, "the board could not read the queue");
                return Some(Vec::new());
            }
        };
        let current = calls(&tickets);
        let fresh: Vec<&(CallKey, &Ticket)> = match (&self.seen, &self.newest) {
            (Some(seen), _) => current.iter().filter(|(k, _)| !seen.contains(k)).collect(),
            // A reconnect: what came after the newest call the browser knew of.
            (None, Some(heard)) => {
                let recent = (self.state.clock.now() - STALE).timestamp_millis();
                current
                    .iter()
                    .filter(|(k, _)| k > heard && k.millis >= recent)
                    .collect()
            }
            // A first connection: the board shows what is called; nothing to announce.
            (None, None) => Vec::new(),
        };
        let known = current
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !fresh.iter().any(|(f, _)| f == *k))
            .max()
            .cloned();
        self.newest = self.newest.take().max(known);
        let mut events = Vec::new();
        match render_live(self.lang, zone, &tickets) {
            Ok(html) if self.sent.as_ref() != Some(&html) => {
                // The id is the newest call the browser now knows of, so that a reconnect
                // announces exactly the calls it has not heard.
                let mut event = Event::default().event("board").id(self
                    .newest
                    .as_ref()
                    .map_or_else(|| "0".to_owned(), CallKey::id));
                if self.sent.is_none() {
                    event = event.retry(RECONNECT);
                }
                events.push(event.data(&html));
                self.sent = Some(html);
            }
            Ok(_) => {}
            Err(err) => tracing::error!(cause = %err, "rendering the board failed"),
        }
        for (key, ticket) in fresh.into_iter().rev() {
            let view = call_view(self.lang, zone, ticket);
            let data = serde_json::json!({
                "id": key.id(),
                "number": view.number,
                "window": ticket.window,
                "text": view.text,
                "lang": msgs(self.lang).voice_lang,
            });
            events.push(
                Event::default()
                    .event("call")
                    .id(key.id())
                    .data(data.to_string()),
            );
            self.newest = self.newest.take().max(Some(key.clone()));
        }
        self.seen = Some(current.into_iter().map(|(k, _)| k).collect());
        Some(events)
    }
}

/// `GET /board/events?center=…`: the board, live (server-sent events).
pub async fn events(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Response {
    let center = match asked_center(query) {
        Ok(Some(text)) => known_center(&state, &text).await,
        Ok(None) => Err(Refused::Invalid(String::new())),
        Err(refused) => Err(refused),
    };
    let center = match center {
        Ok(center) => center,
        Err(refused) => return refused_page(lang, &uri, refused),
    };
    let heard = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(CallKey::parse);
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let feed = Feed {
        state,
        center,
        lang,
        interval,
        ends: tokio::time::Instant::now() + STREAM_LIFETIME,
        sent: None,
        seen: None,
        newest: heard,
    };
    let stream = stream::unfold(feed, |mut feed| async move {
        feed.next().await.map(|events| (events, feed))
    })
    .flat_map(|events| stream::iter(events.into_iter().map(Ok::<Event, Infallible>)));
    // A proxy in front (nginx) must pass each event on at once, not buffer them.
    (
        [("x-accel-buffering", "no")],
        Sse::new(stream).keep_alive(KeepAlive::default()),
    )
        .into_response()
}

/// `GET /static/board.js`.
pub async fn script() -> Response {
    static_file("text/javascript; charset=utf-8", JS)
}
