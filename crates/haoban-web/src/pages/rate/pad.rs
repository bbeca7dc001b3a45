//! `/pad?center=linfen&w=5`, the window pad (窗口评价器): the tablet at a window that faces
//! the resident. It shows the ticket the window last called, five large buttons, then
//! "thank you", then waits for the next ticket the window serves.
//!
//! Why no sign-in: the API takes `window_pad` ratings from the hall's devices *without* a
//! session, and refuses any staff session on every channel, the clerk's included (a clerk
//! must never be able to rate their own service). So the pad cannot run in the clerk's
//! session; with no device credentials in the design, the honest pad is what the API
//! already allows anyone in the hall: a page with no sign-in that rates today's visit of
//! the ticket this window called, anonymously when the ticket carries no ID number, else
//! with the ID card's number. A staff session on the device is refused here as in the
//! API. What it cannot stop is what the API cannot either: someone at the pad pressing
//! for the resident (a device credential per window would narrow it to the hall).
//!
//! No script: the waiting and thank-you screens reload themselves with the `Refresh`
//! header, and so does the rating screen, more slowly, so a resident who walks away
//! unrated does not leave their ticket for the next one to rate.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use chrono::TimeDelta;
use haoban_cases::CenterId;
use haoban_feedback::{Channel, Level, Target};
use haoban_hall::{Ticket, TicketNumber, TicketStatus};
use serde::Deserialize;

use super::msgs::RateMsgs;
use super::{LevelButton, is_staff, level_buttons, level_label};
use crate::AppState;
use crate::api::feedback::{RateRequest, give};
use crate::api::hall::window_name;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{
    Chrome, Lang, MaybeSignedIn, check_csrf, csrf_page, encode, error_page, form_field,
};
use crate::pages::{render, see_other};

/// How long a finished visit stays on the pad: long enough to rate on the way out, short
/// enough that a window closing for lunch does not offer its last visit all afternoon.
const LINGER: TimeDelta = TimeDelta::minutes(10);
/// Seconds between reloads: waiting for a call, thanking, and offering a rating.
const WAIT_RELOAD: u32 = 3;
const THANKS_RELOAD: u32 = 6;
const RATE_RELOAD: u32 = 30;
/// Longer while an ID number is asked for, so a reload never wipes what someone types.
const RATE_RELOAD_TYPING: u32 = 120;

#[derive(Deserialize, Default)]
pub struct PadQuery {
    center: Option<String>,
    w: Option<String>,
    /// The ticket just rated, for the thank-you screen.
    thanks: Option<String>,
}

/// Where the pad stands.
struct Place {
    center: CenterId,
    window: String,
}

impl Place {
    fn href(&self) -> String {
        format!(
            "/pad?center={}&w={}",
            encode(self.center.as_ref()),
            encode(&self.window)
        )
    }
}

/// The setup form, with what was typed and what is wrong with it.
#[derive(Default)]
struct Setup {
    center: String,
    window: String,
    center_error: Option<&'static str>,
    window_error: Option<&'static str>,
}

impl Setup {
    fn refused(&self) -> bool {
        self.center_error.is_some() || self.window_error.is_some()
    }
}

#[derive(Template)]
#[template(path = "pad.html")]
struct PadPage {
    page: Chrome,
    r: &'static RateMsgs,
    /// `setup`, `staff`, `waiting`, `rate` or `thanks`.
    mode: &'static str,
    setup: Setup,
    center: String,
    window: String,
    heading: String,
    ticket: String,
    needs_id: bool,
    id_number: String,
    id_error: Option<&'static str>,
    level_error: Option<&'static str>,
    refused: Option<String>,
    levels: Vec<LevelButton>,
    /// On the thank-you screen: the level given, whether it was bad, or already rated.
    thanks_level: Option<&'static str>,
    bad: bool,
    /// A resident signed in on the device: their session's token, checked on the post.
    csrf_token: String,
}

impl PadPage {
    fn new(lang: Lang, uri: &Uri, principal: Option<&Principal>, mode: &'static str) -> Self {
        let r = RateMsgs::of(lang);
        let mut page = Chrome::new(lang, r.pad_title, uri, principal);
        page.nav = "pad";
        PadPage {
            page,
            r,
            mode,
            setup: Setup::default(),
            center: String::new(),
            window: String::new(),
            heading: String::new(),
            ticket: String::new(),
            needs_id: false,
            id_number: String::new(),
            id_error: None,
            level_error: None,
            refused: None,
            levels: level_buttons(lang),
            thanks_level: None,
            bad: false,
            csrf_token: principal.map(|p| p.csrf_token.clone()).unwrap_or_default(),
        }
    }

    fn at(mut self, place: &Place) -> Self {
        self.center = place.center.to_string();
        self.window = place.window.clone();
        self.heading = self.r.pad_window.replace("{}", &place.window);
        self
    }
}

/// The page, reloading itself to `place` after `seconds`.
fn reloading(status: StatusCode, page: &PadPage, place: &Place, seconds: u32) -> Response {
    let seconds = if page.needs_id {
        seconds.max(RATE_RELOAD_TYPING)
    } else {
        seconds
    };
    let mut response = render(status, page);
    if let Ok(value) = HeaderValue::from_str(&format!("{seconds}; url={}", place.href())) {
        response.headers_mut().insert(header::REFRESH, value);
    }
    response
}

fn staff(lang: Lang, uri: &Uri, principal: Option<&Principal>) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &PadPage::new(lang, uri, principal, "staff"),
    )
}

/// The pad's center and window from the address, or the setup form saying what is
/// missing. A center left out is the only one there is, when there is only one.
async fn place(
    state: &AppState,
    lang: Lang,
    center: Option<&str>,
    window: Option<&str>,
) -> Result<Result<Place, Setup>, AppError> {
    let r = RateMsgs::of(lang);
    let centers = state.store.centers().await?;
    let typed_center = center.map(str::trim).filter(|c| !c.is_empty());
    let typed_window = window.map(str::trim).filter(|w| !w.is_empty());
    let mut setup = Setup {
        center: typed_center.unwrap_or_default().to_owned(),
        window: typed_window.unwrap_or_default().to_owned(),
        ..Setup::default()
    };
    let center = match typed_center {
        Some(text) => CenterId::parse(text)
            .ok()
            .filter(|c| centers.iter().any(|known| known == c.as_ref())),
        None if centers.len() == 1 => CenterId::parse(&centers[0]).ok(),
        None => None,
    };
    if center.is_none() && typed_center.is_some() {
        setup.center_error = Some(r.err_center);
    }
    let window = typed_window.and_then(|w| window_name(w).ok().map(str::to_owned));
    if window.is_none() && typed_window.is_some() {
        setup.window_error = Some(r.err_window);
    }
    match (center, window) {
        (Some(center), Some(window)) => Ok(Ok(Place { center, window })),
        (center, _) => {
            if let Some(center) = center {
                setup.center = center.to_string();
            }
            Ok(Err(setup))
        }
    }
}

fn setup_page(lang: Lang, uri: &Uri, principal: Option<&Principal>, setup: Setup) -> Response {
    let mut page = PadPage::new(lang, uri, principal, "setup");
    let status = if setup.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.setup = setup;
    render(status, &page)
}

/// The ticket the pad offers to rate: the last one this window called today, while the
/// resident is there (called, being served, or finished within [`LINGER`]), if it is not
/// rated yet. A no-show, a parked or a transferred ticket offers nothing.
async fn current_ticket(state: &AppState, place: &Place) -> Result<Option<Ticket>, AppError> {
    let today = state.clock.today_in(state.catalog.time_zone);
    let now = state.clock.now();
    let last = state
        .store
        .tickets(&place.center, today)
        .await?
        .into_iter()
        .filter(|t| t.window.as_deref() == Some(place.window.as_str()) && t.called_at.is_some())
        .max_by_key(|t| t.called_at);
    let Some(ticket) = last else { return Ok(None) };
    let present = match ticket.status {
        TicketStatus::Called | TicketStatus::Serving => true,
        TicketStatus::Done => ticket.finished_at.is_some_and(|at| now - at <= LINGER),
        TicketStatus::Waiting | TicketStatus::NoShow | TicketStatus::Parked => false,
    };
    if !present || ticket.served_by.is_none() {
        return Ok(None);
    }
    let target = visit(state, &ticket.number);
    if state.store.rating(&place.center, &target).await?.is_some() {
        return Ok(None);
    }
    Ok(Some(ticket))
}

fn visit(state: &AppState, ticket: &TicketNumber) -> Target {
    Target::Visit {
        day: state.clock.today_in(state.catalog.time_zone),
        ticket: ticket.clone(),
    }
}

fn needs_id(ticket: &Ticket) -> bool {
    ticket
        .carried
        .as_ref()
        .is_some_and(|c| c.id_number.is_some())
}

/// GET /pad: set up, waiting, a ticket to rate, or thanks.
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    query: Result<Query<PadQuery>, QueryRejection>,
) -> Response {
    let principal = principal.as_ref();
    if is_staff(principal) {
        return staff(lang, &uri, principal);
    }
    let Query(query) = query.unwrap_or_default();
    let place = match place(&state, lang, query.center.as_deref(), query.w.as_deref()).await {
        Ok(Ok(place)) => place,
        Ok(Err(setup)) => return setup_page(lang, &uri, principal, setup),
        Err(err) => return error_page(lang, &uri, principal, err),
    };
    if let Some(number) = query.thanks.as_deref().map(str::trim) {
        return thanks(&state, lang, &uri, principal, &place, number).await;
    }
    match current_ticket(&state, &place).await {
        Ok(Some(ticket)) => {
            let mut page = PadPage::new(lang, &uri, principal, "rate").at(&place);
            page.ticket = ticket.number.to_string();
            page.needs_id = needs_id(&ticket);
            reloading(StatusCode::OK, &page, &place, RATE_RELOAD)
        }
        Ok(None) => {
            let page = PadPage::new(lang, &uri, principal, "waiting").at(&place);
            reloading(StatusCode::OK, &page, &place, WAIT_RELOAD)
        }
        Err(err) => error_page(lang, &uri, principal, err),
    }
}

/// The thank-you screen for the visit of ticket `number`, as rated (read back, so the
/// address cannot make the pad thank for a rating nobody gave).
async fn thanks(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: Option<&Principal>,
    place: &Place,
    number: &str,
) -> Response {
    let rating = match TicketNumber::parse(number) {
        Ok(ticket) => match state
            .store
            .rating(&place.center, &visit(state, &ticket))
            .await
        {
            Ok(rating) => rating,
            Err(err) => return error_page(lang, uri, principal, err.into()),
        },
        Err(_) => None,
    };
    let mut page = PadPage::new(lang, uri, principal, "thanks").at(place);
    if let Some(rating) = rating {
        page.ticket = number.to_owned();
        page.thanks_level = Some(level_label(lang, rating.level));
        page.bad = rating.level.is_bad();
    }
    reloading(StatusCode::OK, &page, place, THANKS_RELOAD)
}

/// POST /pad: the level pressed for the ticket shown, with the ID number when it needs one.
pub async fn rate(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let r = RateMsgs::of(lang);
    let principal = principal.as_ref();
    if is_staff(principal) {
        return staff(lang, &uri, principal);
    }
    let pairs = form.map(|Form(pairs)| pairs).unwrap_or_default();
    let field = |name: &str| form_field(&pairs, name).trim().to_owned();
    // A resident signed in on the device rates as themselves: their form proves it came
    // from the pad. Without a session there is nothing a forged form could borrow.
    if let Some(principal) = principal
        && !check_csrf(principal, &field("csrf_token"))
    {
        return csrf_page(lang, &uri, principal);
    }
    let place = match place(&state, lang, Some(&field("center")), Some(&field("w"))).await {
        Ok(Ok(place)) => place,
        Ok(Err(setup)) => return setup_page(lang, &uri, principal, setup),
        Err(err) => return error_page(lang, &uri, principal, err),
    };
    let Ok(number) = TicketNumber::parse(&field("ticket")) else {
        return see_other(&place.href());
    };
    let id_number = field("id_number");
    let mut page = PadPage::new(lang, &uri, principal, "rate").at(&place);
    page.ticket = number.to_string();
    page.id_number = id_number.clone();
    page.needs_id = field("needs_id") == "1";
    let again = |mut page: PadPage| {
        page.needs_id = page.needs_id || page.id_error.is_some();
        reloading(StatusCode::UNPROCESSABLE_ENTITY, &page, &place, RATE_RELOAD)
    };
    let level = field("level").parse::<i64>().ok();
    // The domain's own reading of a level; anything else is asked again.
    let Some(level) = level.filter(|l| Level::parse(*l).is_ok()) else {
        page.level_error = Some(r.err_level);
        return again(page);
    };
    let request = RateRequest {
        target: Some(visit(&state, &number)),
        center: Some(place.center.to_string()),
        level,
        channel: Channel::WindowPad,
        id_number: (!id_number.is_empty()).then(|| id_number.clone()),
        token: None,
    };
    let typed = !id_number.is_empty();
    match give(&state, principal, request).await {
        Ok(_) => see_other(&format!("{}&thanks={}", place.href(), number)),
        // The ticket carries an ID number and none was given (staff were turned away above).
        Err(AppError::Forbidden(_)) => {
            page.id_error = Some(r.err_id_needed);
            again(page)
        }
        Err(AppError::Invalid(_)) if typed => {
            page.id_error = Some(r.err_id_invalid);
            again(page)
        }
        Err(AppError::NotFound(_)) if typed => {
            page.id_error = Some(r.err_id_mismatch);
            again(page)
        }
        Err(AppError::Conflict(why)) => {
            match state
                .store
                .rating(&place.center, &visit(&state, &number))
                .await
            {
                Ok(Some(_)) => {
                    let mut page = PadPage::new(lang, &uri, principal, "thanks").at(&place);
                    page.refused = Some(r.pad_already.to_owned());
                    reloading(StatusCode::CONFLICT, &page, &place, THANKS_RELOAD)
                }
                Ok(None) => {
                    page.refused = Some(format!("{}{why}", r.refused));
                    again(page)
                }
                Err(err) => error_page(lang, &uri, principal, err.into()),
            }
        }
        Err(AppError::Unexpected(cause)) => {
            error_page(lang, &uri, principal, AppError::Unexpected(cause))
        }
        Err(other) => {
            page.refused = Some(format!("{}{other}", r.refused));
            again(page)
        }
    }
}
