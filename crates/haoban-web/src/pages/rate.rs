//! `/rate/{token}`, the page a rating link opens (好差评, no sign-in), and the window pad
//! ([`pad`]). The link's page shows what is rated (the case's item, or the visit) and five
//! large buttons, 非常满意 to 非常不满意.
//!
//! The token in the address is the only credential: it names the case or visit and the
//! resident, so the form carries no CSRF token and needs no session. Showing the page
//! never uses the link (a mail scanner or a preview may open it); posting a level does,
//! in the same transaction as the rating, so a form posted twice, or from two tabs at
//! once, rates once and the other gets "used". The rating goes through the API's own
//! path ([`crate::api::feedback::give`]), so the page cannot rate what the API would
//! refuse; a staff session is refused there as everywhere.

mod msgs;
pub mod pad;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_feedback::{Channel, Level, Rated, Target};
use haoban_store::RatingLink;

use self::msgs::RateMsgs;
use super::kiosk::KioskFrame;
use super::{Chrome, Lang, MaybeSignedIn, error_page, render};
use crate::api::feedback::{RateRequest, give};
use crate::auth::{Principal, hash_secret};
use crate::error::AppError;
use crate::{AppState, authorize};

/// One of the five buttons: the label in the page's language first, the other under it,
/// so a resident who reads only one of them still knows what they press.
pub(crate) struct LevelButton {
    pub(crate) value: u8,
    pub(crate) primary: &'static str,
    pub(crate) secondary: &'static str,
    pub(crate) secondary_lang: &'static str,
}

/// Best first, as `Level::ALL` orders them.
pub(crate) fn level_buttons(lang: Lang) -> Vec<LevelButton> {
    Level::ALL
        .iter()
        .map(|level| {
            let (primary, secondary) = match lang {
                Lang::Zh => (level.label_zh(), level.label_en()),
                Lang::En => (level.label_en(), level.label_zh()),
            };
            LevelButton {
                value: level.value(),
                primary,
                secondary,
                secondary_lang: lang.other().html_lang(),
            }
        })
        .collect()
}

/// A level's name in the page's language.
pub(crate) fn level_label(lang: Lang, level: Level) -> &'static str {
    match lang {
        Lang::Zh => level.label_zh(),
        Lang::En => level.label_en(),
    }
}

/// Whether the policy table keeps `principal` from rating: every staff role. The same
/// check `give` makes; asked first only to say so before the resident presses anything.
fn is_staff(principal: Option<&Principal>) -> bool {
    principal.is_some_and(|p| authorize(p, Action::Rate).is_err())
}

/// What the link rates, as the page shows it.
struct What {
    /// Empty for a visit.
    case: String,
    item: String,
    visit: String,
    center: String,
}

async fn what(state: &AppState, lang: Lang, link: &RatingLink) -> Result<What, AppError> {
    let r = RateMsgs::of(lang);
    let mut shown = What {
        case: String::new(),
        item: String::new(),
        visit: String::new(),
        center: link.center.to_string(),
    };
    match &link.target {
        Target::Case { case } => {
            shown.case = case.to_string();
            if let Some(found) = state.store.case(case).await? {
                shown.item = state
                    .catalog
                    .item(&found.item)
                    .map_or_else(|| found.item.clone(), |i| i.name.get(lang.locale()).into());
            }
        }
        Target::Visit { day, ticket } => {
            shown.visit = r
                .visit_text
                .replace("{day}", &day.format("%Y-%m-%d").to_string())
                .replace("{ticket}", &ticket.to_string());
        }
    }
    Ok(shown)
}

/// The link a token names, while it can still be used. A read for showing the page; the
/// rating itself uses the link up inside the store's transaction.
async fn live_link(state: &AppState, token: &str) -> Result<Option<RatingLink>, AppError> {
    Ok(state
        .store
        .rating_link(&hash_secret(token.trim()))
        .await?
        .filter(|link| link.expires_at > state.clock.now()))
}

#[derive(Template)]
#[template(path = "rate.html")]
struct RatePage {
    page: Chrome,
    r: &'static RateMsgs,
    token: String,
    what: What,
    levels: Vec<LevelButton>,
    level_error: Option<String>,
    /// Opened from the kiosk (`?kiosk=<center>`): the way back there.
    frame: Option<KioskFrame>,
}

/// The pages that say how it ended, or why nothing can be done.
#[derive(Template)]
#[template(path = "rate_message.html")]
struct MessagePage {
    page: Chrome,
    r: &'static RateMsgs,
    heading: String,
    message: String,
    /// The level just given, when there was one.
    level: Option<&'static str>,
    /// Set when the message is good news (a rating was taken).
    done: bool,
    /// Opened from the kiosk (`?kiosk=<center>`): the way back there.
    frame: Option<KioskFrame>,
}

fn message(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: Option<&Principal>,
    status: StatusCode,
    heading: &str,
    text: String,
) -> Response {
    let r = RateMsgs::of(lang);
    let page = MessagePage {
        page: Chrome::new(lang, heading, uri, principal),
        r,
        heading: heading.to_owned(),
        message: text,
        level: None,
        done: false,
        frame: KioskFrame::from_query(state, lang, uri),
    };
    render(status, &page)
}

fn used(state: &AppState, lang: Lang, uri: &Uri, principal: Option<&Principal>) -> Response {
    let r = RateMsgs::of(lang);
    let days = state.config.feedback.link_valid_days.to_string();
    let text = r.used.replace("{days}", &days);
    message(
        state,
        lang,
        uri,
        principal,
        StatusCode::GONE,
        r.used_title,
        text,
    )
}

fn already(state: &AppState, lang: Lang, uri: &Uri, principal: Option<&Principal>) -> Response {
    let r = RateMsgs::of(lang);
    let text = r.already.to_owned();
    message(
        state,
        lang,
        uri,
        principal,
        StatusCode::CONFLICT,
        r.already_title,
        text,
    )
}

fn staff(state: &AppState, lang: Lang, uri: &Uri, principal: Option<&Principal>) -> Response {
    let r = RateMsgs::of(lang);
    let text = r.staff.to_owned();
    message(
        state,
        lang,
        uri,
        principal,
        StatusCode::FORBIDDEN,
        r.staff_title,
        text,
    )
}

/// The form for a live link, or the message that replaces it.
async fn form_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: Option<&Principal>,
    token: &str,
    level_error: Option<String>,
) -> Response {
    let r = RateMsgs::of(lang);
    let link = match live_link(state, token).await {
        Ok(Some(link)) => link,
        Ok(None) => return used(state, lang, uri, principal),
        Err(err) => return error_page(lang, uri, principal, err),
    };
    // Rated some other way since the link was sent (the portal, the pad): say so now,
    // rather than after the resident has chosen.
    match state.store.rating(&link.center, &link.target).await {
        Ok(Some(_)) => return already(state, lang, uri, principal),
        Ok(None) => {}
        Err(err) => return error_page(lang, uri, principal, err.into()),
    }
    let what = match what(state, lang, &link).await {
        Ok(what) => what,
        Err(err) => return error_page(lang, uri, principal, err),
    };
    let status = if level_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RatePage {
        page: Chrome::new(lang, r.title, uri, principal),
        r,
        token: token.trim().to_owned(),
        what,
        levels: level_buttons(lang),
        level_error,
        frame: KioskFrame::from_query(state, lang, uri),
    };
    render(status, &page)
}

/// GET /rate/{token}: what is rated and the five buttons. Never uses the link.
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(token): Path<String>,
) -> Response {
    if is_staff(principal.as_ref()) {
        return staff(&state, lang, &uri, principal.as_ref());
    }
    form_page(&state, lang, &uri, principal.as_ref(), &token, None).await
}

/// POST /rate/{token}: the level pressed, given once.
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(token): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let r = RateMsgs::of(lang);
    let principal = principal.as_ref();
    let pairs = form.map(|Form(pairs)| pairs).unwrap_or_default();
    let level = pairs
        .iter()
        .rev()
        .find(|(name, _)| name == "level")
        .and_then(|(_, value)| value.trim().parse::<i64>().ok());
    let again = |why: &str| form_page(&state, lang, &uri, principal, &token, Some(why.into()));
    // The domain's own reading of a level: anything but 1 to 5 is asked again.
    let Some(level) = level.filter(|l| Level::parse(*l).is_ok()) else {
        return again(r.err_level).await;
    };
    let request = RateRequest {
        target: None,
        center: None,
        level,
        channel: Channel::Link,
        id_number: None,
        token: Some(token.trim().to_owned()),
    };
    match give(&state, principal, request).await {
        Ok(rated) => done(&state, lang, &uri, principal, &rated),
        Err(AppError::Forbidden(_)) => staff(&state, lang, &uri, principal),
        // The link is gone: used (perhaps a moment ago, from another tab) or expired.
        Err(AppError::NotFound(_)) => used(&state, lang, &uri, principal),
        Err(AppError::Conflict(why)) => match live_link(&state, &token).await {
            Ok(Some(link)) => match state.store.rating(&link.center, &link.target).await {
                Ok(Some(_)) => already(&state, lang, &uri, principal),
                Ok(None) => message(
                    &state,
                    lang,
                    &uri,
                    principal,
                    StatusCode::CONFLICT,
                    r.title,
                    format!("{}{why}", r.refused),
                ),
                Err(err) => error_page(lang, &uri, principal, err.into()),
            },
            Ok(None) => used(&state, lang, &uri, principal),
            Err(err) => error_page(lang, &uri, principal, err),
        },
        Err(other) => error_page(lang, &uri, principal, other),
    }
}

/// The confirmation: the level given, and for a bad one when the resident will be called.
fn done(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: Option<&Principal>,
    rated: &Rated,
) -> Response {
    let r = RateMsgs::of(lang);
    let text = match &rated.follow_up {
        Some(follow_up) => r
            .done_follow_up
            .replace("{due}", &follow_up.due.format("%Y-%m-%d").to_string()),
        None => r.done_good.to_owned(),
    };
    let page = MessagePage {
        page: Chrome::new(lang, r.done_title, uri, principal),
        r,
        heading: r.done_title.to_owned(),
        message: text,
        level: Some(level_label(lang, rated.rating.level)),
        done: true,
        frame: KioskFrame::from_query(state, lang, uri),
    };
    render(StatusCode::OK, &page)
}
