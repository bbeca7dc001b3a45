//! `/kiosk`, the self-service terminal of the 24-hour area (自助终端): a touch screen
//! made for 1080×1920 portrait, with no staff sign-in. Without `?center=` it lists the
//! centers; with one, its home offers pre-review, a queue ticket, tracking a case,
//! pickup from the certificate cabinet and rating.
//!
//! No keyboard: fields take `inputmode="none"` and `static/kiosk.js` types into them
//! from an on-screen keypad. Nothing stays on the screen for the next person:
//! the script clears every field and returns to the home (in Chinese) after
//! `self_service.kiosk_idle_seconds` without a touch, counting the last ten seconds
//! down, and the pages are never cached (`no-store`), so Back shows nothing either.
//!
//! No session: every form carries the center in a hidden field and what it needs
//! (the questionnaire's answers, as the desk's form does); the server keeps nothing
//! between steps. What the kiosk does goes through the same paths as the desk and the
//! API: the desk's questionnaire and ticket rules, `api::self_service::pick_up`, the
//! rating link's page. Steps are recorded as the resident (masked) or, with no ID
//! number, as `kiosk`, both with the resident role, which the performance list and
//! training never credit to staff.

mod msgs;
mod pickup;
mod prereview;
mod rate;
mod ticket;
mod track;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{CaseNumber, CenterId, IdNumber};
use serde::Deserialize;

pub use self::msgs::KioskMsgs;
pub use self::pickup::{pickup_form, pickup_try};
pub use self::prereview::{prereview_start, prereview_step};
pub use self::rate::{rate_form, rate_open};
pub use self::ticket::{ticket_choose, ticket_issue};
pub use self::track::{track_form, track_look_up};
use super::board::{Refused, known_center};
use super::{Chrome, Lang, encode, reference, render, see_other, static_file};
use crate::AppState;
use crate::error::AppError;

const JS: &str = include_str!("../../static/kiosk.js");
const CSS: &str = include_str!("../../static/kiosk.css");

/// What every kiosk screen carries for `kiosk.js`: where home is, and when to go there.
pub struct KioskFrame {
    pub k: &'static KioskMsgs,
    pub center: String,
    /// The home in the language now shown (the home button).
    pub home: String,
    /// The home in Chinese, where the idle reset goes: the next resident starts there.
    pub reset: String,
    pub idle_seconds: u32,
    /// The home in Chinese has nothing to clear, so it never resets itself.
    pub at_home: bool,
}

impl KioskFrame {
    pub fn new(state: &AppState, lang: Lang, center: &CenterId) -> KioskFrame {
        let home = format!("/kiosk?center={}", encode(center.as_ref()));
        KioskFrame {
            k: KioskMsgs::of(lang),
            center: center.to_string(),
            reset: format!("{home}&lang={}", Lang::default().code()),
            home,
            idle_seconds: state.config.self_service.kiosk_idle_seconds.max(1),
            at_home: false,
        }
    }

    /// For a page the kiosk opens outside `/kiosk` (the rating link's): `?kiosk=<center>`
    /// in its address. Only the center id's shape is checked: it is a way back, nothing more.
    pub fn from_query(state: &AppState, lang: Lang, uri: &Uri) -> Option<KioskFrame> {
        #[derive(Deserialize)]
        struct Back {
            kiosk: Option<String>,
        }
        let Query(back) = Query::<Back>::try_from_uri(uri).ok()?;
        let center = CenterId::parse(back.kiosk?.trim()).ok()?;
        Some(KioskFrame::new(state, lang, &center))
    }

    /// What a page opened from the kiosk adds to its own address to lead back here.
    pub fn query(&self) -> String {
        format!("kiosk={}", encode(&self.center))
    }
}

/// A kiosk screen's frame: no user, the language switch to `path` in the other language
/// at the same center.
fn chrome(lang: Lang, title: &str, uri: &Uri, path: &str, center: Option<&CenterId>) -> Chrome {
    let mut chrome = Chrome::new(lang, title, uri, None);
    chrome.switch_href = match center {
        Some(center) => format!(
            "{path}?center={}&lang={}",
            encode(center.as_ref()),
            lang.other().code()
        ),
        None => format!("{path}?lang={}", lang.other().code()),
    };
    chrome.nav = "kiosk";
    chrome
}

#[derive(Template)]
#[template(path = "kiosk_centers.html")]
struct CentersPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    centers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "kiosk_home.html")]
struct HomePage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
}

/// A screen that only says something: how a step ended, or why it cannot be taken.
#[derive(Template)]
#[template(path = "kiosk_message.html")]
struct MessagePage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    heading: String,
    message: String,
    /// `ok`, `warn` or `no`, for the stylesheet (the words say it too).
    tone: &'static str,
    /// A button to go on with, besides the home button.
    link: Option<(String, String)>,
}

#[allow(clippy::too_many_arguments)]
fn message_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    center: Option<&CenterId>,
    status: StatusCode,
    heading: &str,
    message: String,
    tone: &'static str,
) -> Response {
    let k = KioskMsgs::of(lang);
    let page = MessagePage {
        page: chrome(lang, heading, uri, "/kiosk", center),
        k,
        frame: center.map(|c| KioskFrame::new(state, lang, c)),
        heading: heading.to_owned(),
        message,
        tone,
        link: None,
    };
    render(status, &page)
}

/// An error as a kiosk screen: the same grouping and words as the staff pages' error
/// page, but in the kiosk's frame, so it still leads home and clears itself.
fn failed(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    center: Option<&CenterId>,
    err: AppError,
) -> Response {
    let t = lang.msgs();
    let (status, heading, message) = match err {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, t.not_found_title, t.not_found.into()),
        AppError::Invalid(_) | AppError::Conflict(_) => {
            (StatusCode::BAD_REQUEST, t.bad_form_title, t.bad_form.into())
        }
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, t.forbidden_title, why),
        AppError::Unauthorized | AppError::Locked(_) | AppError::RateLimited(_) => (
            StatusCode::UNAUTHORIZED,
            t.forbidden_title,
            t.bad_form.into(),
        ),
        AppError::Unexpected(cause) => {
            let reference = reference();
            tracing::error!(%reference, %cause, "kiosk request failed");
            let message = format!("{} {reference}", t.error_reference);
            (StatusCode::INTERNAL_SERVER_ERROR, t.error_title, message)
        }
    };
    message_page(state, lang, uri, center, status, heading, message, "no")
}

/// The screen for a center the kiosk cannot serve, or a store that could not be read.
fn refused(state: &AppState, lang: Lang, uri: &Uri, refused: Refused) -> Response {
    let k = KioskMsgs::of(lang);
    let (status, why, given) = match refused {
        Refused::Invalid(given) => (StatusCode::BAD_REQUEST, k.bad_center, given),
        Refused::Unknown(given) => (StatusCode::NOT_FOUND, k.unknown_center, given),
        Refused::Store(err) => return failed(state, lang, uri, None, err.into()),
    };
    let message = format!("{why}{given}");
    message_page(state, lang, uri, None, status, k.title, message, "no")
}

/// The center a kiosk screen is for, known to the store; else the screen saying why not.
async fn center_of(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    text: &str,
) -> Result<CenterId, Box<Response>> {
    known_center(state, text.trim())
        .await
        .map_err(|why| Box::new(refused(state, lang, uri, why)))
}

#[derive(Deserialize)]
pub struct CenterQuery {
    center: Option<String>,
}

/// The `?center=` of a kiosk screen's address, checked; an address without one leads
/// to the home, which lists the centers.
async fn queried_center(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    query: Result<Query<CenterQuery>, QueryRejection>,
) -> Result<CenterId, Box<Response>> {
    let text = query.ok().and_then(|Query(q)| q.center).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(Box::new(see_other("/kiosk")));
    }
    center_of(state, lang, uri, &text).await
}

use super::form_field as field;

/// `GET /kiosk[?center=…]`: the home, or the centers to choose from (straight to the only
/// one when there is one).
pub async fn home(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<CenterQuery>, QueryRejection>,
) -> Response {
    let k = KioskMsgs::of(lang);
    let asked = query.ok().and_then(|Query(q)| q.center);
    let Some(text) = asked.filter(|c| !c.trim().is_empty()) else {
        let centers = match state.store.centers().await {
            Ok(centers) => centers,
            Err(err) => return failed(&state, lang, &uri, None, err.into()),
        };
        if let [only] = centers.as_slice() {
            return see_other(&format!("/kiosk?center={}", encode(only)));
        }
        let page = CentersPage {
            page: chrome(lang, k.choose_center, &uri, "/kiosk", None),
            k,
            frame: None,
            centers: centers
                .into_iter()
                .map(|c| (format!("/kiosk?center={}", encode(&c)), c))
                .collect(),
        };
        return render(StatusCode::OK, &page);
    };
    let center = match center_of(&state, lang, &uri, &text).await {
        Ok(center) => center,
        Err(refused) => return *refused,
    };
    let mut frame = KioskFrame::new(&state, lang, &center);
    frame.at_home = lang == Lang::default();
    let page = HomePage {
        page: chrome(lang, k.title, &uri, "/kiosk", Some(&center)),
        k,
        frame: Some(frame),
    };
    render(StatusCode::OK, &page)
}

/// `GET /static/kiosk.js`.
pub async fn script() -> Response {
    static_file("text/javascript; charset=utf-8", JS)
}

/// `GET /static/kiosk.css`.
pub async fn stylesheet() -> Response {
    static_file("text/css; charset=utf-8", CSS)
}

// ---- the fields the kiosk's forms share --------------------------------------------

/// A field typed on the keypad, as shown: what was typed and what is wrong with it.
pub struct KioskField {
    /// The field's `name` and `id`.
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub maxlength: usize,
    /// Which keys the keypad offers for it: `id` (digits and X) or `digits`.
    pub keypad: &'static str,
    /// The field the keypad moves on to once this one is full.
    pub next: Option<&'static str>,
}

impl KioskField {
    fn id_number(k: &KioskMsgs, typed: &str, next: &'static str) -> KioskField {
        KioskField {
            name: "id_number",
            label: k.id_label,
            hint: k.id_hint,
            value: typed.trim().to_owned(),
            error: None,
            maxlength: 18,
            keypad: "id",
            next: Some(next),
        }
    }

    fn case_number(k: &KioskMsgs, typed: &str) -> KioskField {
        KioskField {
            name: "case_number",
            label: k.case_label,
            hint: k.case_hint,
            value: typed.trim().to_owned(),
            error: None,
            // The whole number as printed, when typed on a keyboard.
            maxlength: 48,
            keypad: "digits",
            next: None,
        }
    }
}

/// The ID number typed, or the message for its field.
fn read_id(k: &KioskMsgs, typed: &str) -> Result<IdNumber, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(k.err_id_required);
    }
    IdNumber::parse(typed).map_err(|_| k.err_id)
}

/// The case number typed: as printed (`linfen-20261127-0012`), or only its digits (the
/// keypad has no letters), which name a case of this kiosk's center.
fn read_case(k: &KioskMsgs, center: &CenterId, typed: &str) -> Result<CaseNumber, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(k.err_case_required);
    }
    if let Ok(number) = CaseNumber::parse(typed) {
        return Ok(number);
    }
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(12..=17).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(k.err_case);
    }
    let (day, sequence) = digits.split_at(8);
    CaseNumber::parse(&format!("{center}-{day}-{sequence}")).map_err(|_| k.err_case)
}

/// The kiosk's keypad form: two fields, the keypad, one button.
#[derive(Template)]
#[template(path = "kiosk_form.html")]
struct FormPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    /// The form's id, and the id of its heading (`…-title`).
    form_id: &'static str,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    center: String,
    fields: Vec<KioskField>,
    button: &'static str,
    /// A refusal that belongs to no one field (a wrong pair), shown above the fields.
    notice: Option<String>,
}

impl FormPage {
    /// The field to type into first: the first refused, else the first.
    fn focus(&self) -> &'static str {
        self.fields
            .iter()
            .find(|f| f.error.is_some())
            .or(self.fields.first())
            .map_or("", |f| f.name)
    }

    fn status(&self) -> StatusCode {
        if self.notice.is_some() || self.fields.iter().any(|f| f.error.is_some()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}
