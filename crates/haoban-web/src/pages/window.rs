//! `/window`, the window console (综合受理): the clerk chooses the window they sit at,
//! calls the next ticket the window may serve, sees what the first window recorded,
//! takes the queue steps (recall, start, no-show, park, resume, transfer, finish) and
//! accepts the case ([`intake`]), printing the receipt.
//!
//! Every step goes through the same store methods as the API, so the page and the API
//! cannot disagree about who may call what.

mod intake;
mod msgs;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use haoban_cases::{Action, IdNumber, permits};
use haoban_catalog::Catalog;
use haoban_hall::{Ticket, TicketNumber, TicketStatus};
use serde::Deserialize;

use self::intake::{IntakeView, intake_view};
pub use self::intake::{accept, receipt};
use self::msgs::WindowMsgs;
use super::{Chrome, CsrfForm, Lang, SignedIn, encode, error_page, posted_form, render};
use crate::AppState;
use crate::api::hall::{call_window, configured_window, queue_command, take_step, window_name};
use crate::auth::Principal;
use crate::error::AppError;

/// The window this browser sits at, remembered between requests.
const WINDOW_COOKIE: &str = "haoban_window";

#[derive(Template)]
#[template(path = "window.html")]
struct ConsolePage {
    page: Chrome,
    w: &'static WindowMsgs,
    /// Empty until a window is chosen.
    window: String,
    waiting: usize,
    held: Option<HeldView>,
    parked: Vec<String>,
    problem: Option<String>,
    transfer: TransferForm,
    intake: Option<IntakeView>,
}

/// The ticket the window holds, as the console shows it.
pub(crate) struct HeldView {
    number: String,
    serving: bool,
    priority: &'static str,
    recalls: u32,
    visitor: Option<String>,
    items: Vec<(String, String)>,
    facts: Vec<(String, String)>,
}

#[derive(Default)]
struct TransferForm {
    to_window: String,
    category: String,
    error: Option<String>,
    /// The field the error is about: `to_window`, `category`, or empty for both.
    field: &'static str,
}

#[derive(Deserialize, Default)]
pub struct ConsoleQuery {
    w: Option<String>,
    item: Option<String>,
}

fn may_use_window(principal: &Principal) -> bool {
    permits(principal.role, Action::CallTicket).is_some()
}

fn forbidden(lang: Lang, uri: &Uri, principal: &Principal) -> Response {
    let why = WindowMsgs::of(lang).forbidden.to_owned();
    error_page(lang, uri, Some(principal), AppError::Forbidden(why))
}

/// The window from `?w=`, else from the cookie; `None` when neither names a valid one.
fn chosen_window(query: Option<&str>, headers: &HeaderMap) -> Option<String> {
    let from_cookie = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == WINDOW_COOKIE)
            .map(|(_, value)| value.to_owned())
    };
    let text = query.map(str::to_owned).or_else(from_cookie)?;
    window_name(&text).ok().map(str::to_owned)
}

fn held_view(catalog: &Catalog, lang: Lang, ticket: &Ticket) -> HeldView {
    let locale = lang.locale();
    let carried = ticket.carried.clone().unwrap_or_default();
    let visitor = match (&carried.name, &carried.id_number) {
        (None, None) => None,
        (name, id) => Some(
            [
                name.clone(),
                id.as_deref()
                    .and_then(|id| IdNumber::parse(id).ok())
                    .map(|id| id.masked()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        ),
    };
    let facts = carried
        .facts
        .iter()
        .map(|(id, value)| {
            let label = catalog
                .fact(id)
                .and_then(|f| f.label.as_ref())
                .map_or_else(|| id.clone(), |l| l.get(locale).to_owned());
            let shown = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Bool(true) => lang.msgs().yes.to_owned(),
                serde_json::Value::Bool(false) => lang.msgs().no.to_owned(),
                other => other.to_string(),
            };
            (label, shown)
        })
        .collect();
    HeldView {
        number: ticket.number.to_string(),
        serving: ticket.status == TicketStatus::Serving,
        priority: lang.msgs().priority(ticket.priority),
        recalls: ticket.recalls,
        visitor,
        items: ticket
            .items
            .iter()
            .map(|id| {
                let name = catalog
                    .item(id)
                    .map_or_else(|| id.clone(), |i| i.name.get(locale).to_owned());
                (id.clone(), name)
            })
            .collect(),
        facts,
    }
}

/// What the console shows besides the form state: the window's tickets today.
struct Desk {
    waiting: usize,
    held: Option<Ticket>,
    parked: Vec<String>,
}

async fn read_desk(
    state: &AppState,
    principal: &Principal,
    window: &str,
) -> Result<Desk, AppError> {
    let today = state.clock.today_in(state.catalog.time_zone);
    let tickets = state.store.tickets(&principal.center, today).await?;
    let config = configured_window(state, &principal.center, window).await?;
    let mine = |t: &&Ticket| t.window.as_deref() == Some(window);
    Ok(Desk {
        waiting: tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting && config.can_serve(t))
            .count(),
        held: tickets
            .iter()
            .filter(mine)
            .filter(|t| matches!(t.status, TicketStatus::Called | TicketStatus::Serving))
            .max_by_key(|t| t.called_at)
            .cloned(),
        parked: tickets
            .iter()
            .filter(mine)
            .filter(|t| t.status == TicketStatus::Parked)
            .map(|t| t.number.to_string())
            .collect(),
    })
}

/// Renders the console for `window` with whatever form state a failed post left.
pub(crate) async fn console(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    window: &str,
    item: Option<&str>,
    failed: Failed,
) -> Response {
    let w = WindowMsgs::of(lang);
    let desk = match read_desk(state, principal, window).await {
        Ok(desk) => desk,
        Err(err) => return error_page(lang, uri, Some(principal), err),
    };
    let held = desk
        .held
        .as_ref()
        .map(|t| held_view(&state.catalog, lang, t));
    let intake = match (&desk.held, failed.intake) {
        (_, Some(intake)) => Some(intake),
        (Some(ticket), None) => intake_view(state, lang, ticket, item),
        (None, None) => None,
    };
    let mut page = Chrome::new(lang, w.title, uri, Some(principal));
    page.nav = "window";
    let refused = failed.problem.is_some()
        || failed.transfer.error.is_some()
        || intake.as_ref().is_some_and(IntakeView::has_errors);
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ConsolePage {
            page,
            w,
            window: window.to_owned(),
            waiting: desk.waiting,
            held,
            parked: desk.parked,
            problem: failed.problem,
            transfer: failed.transfer,
            intake,
        },
    )
}

/// Form state to show again after a post that could not be done.
#[derive(Default)]
pub(crate) struct Failed {
    problem: Option<String>,
    transfer: TransferForm,
    intake: Option<IntakeView>,
}

/// GET /window: the chooser, or the console of the chosen window.
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    SignedIn(principal): SignedIn,
    query: Result<Query<ConsoleQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if !may_use_window(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let Query(query) = query.unwrap_or_default();
    let Some(window) = chosen_window(query.w.as_deref(), &headers) else {
        let w = WindowMsgs::of(lang);
        let mut page = Chrome::new(lang, w.choose_title, &uri, Some(&principal));
        page.nav = "window";
        let chooser = ConsolePage {
            page,
            w,
            window: String::new(),
            waiting: 0,
            held: None,
            parked: Vec::new(),
            problem: query.w.is_some().then(|| w.bad_window.to_owned()),
            transfer: TransferForm::default(),
            intake: None,
        };
        let status = if query.w.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        return render(status, &chooser);
    };
    let mut response = console(
        &state,
        lang,
        &uri,
        &principal,
        &window,
        query.item.as_deref(),
        Failed::default(),
    )
    .await;
    if query.w.is_some()
        && window
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "{WINDOW_COOKIE}={window}; Path=/; SameSite=Strict; Max-Age=86400; HttpOnly"
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

impl CsrfForm for StepForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf_token: String,
    window: String,
    #[serde(default)]
    ticket: String,
    action: String,
    #[serde(default)]
    to_window: String,
    #[serde(default)]
    category: String,
}

/// POST /window/step: call the next ticket or take a step with the one held.
pub async fn step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    if !may_use_window(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let form = match posted_form(lang, &uri, &principal, form) {
        Ok(form) => form,
        Err(refused) => return *refused,
    };
    let w = WindowMsgs::of(lang);
    let Ok(window) = window_name(&form.window).map(str::to_owned) else {
        return error_page(
            lang,
            &uri,
            Some(&principal),
            AppError::Invalid(w.bad_window.into()),
        );
    };
    let done = match form.action.as_str() {
        "call" => call(&state, &principal, &window).await,
        action => match transfer_checked(w, action, &form) {
            Err(transfer) => {
                let failed = Failed {
                    transfer,
                    ..Failed::default()
                };
                return console(&state, lang, &uri, &principal, &window, None, failed).await;
            }
            Ok(()) => step_from_form(&state, &principal, &window, &form).await,
        },
    };
    match done {
        Ok(()) => super::see_other(&format!("/window?w={}", encode(&window))),
        Err(AppError::Unexpected(cause)) => {
            error_page(lang, &uri, Some(&principal), AppError::Unexpected(cause))
        }
        Err(refused) => {
            let failed = Failed {
                problem: Some(format!("{}{}", w.step_refused, refused)),
                ..Failed::default()
            };
            console(&state, lang, &uri, &principal, &window, None, failed).await
        }
    }
}

/// A transfer's fields, checked with a message next to them.
fn transfer_checked(w: &WindowMsgs, action: &str, form: &StepForm) -> Result<(), TransferForm> {
    if action != "transfer" {
        return Ok(());
    }
    let kept = |error: &str, field: &'static str| TransferForm {
        to_window: form.to_window.clone(),
        category: form.category.clone(),
        error: Some(error.to_owned()),
        field,
    };
    let to_window = form.to_window.trim();
    let category = form.category.trim();
    if to_window.is_empty() && category.is_empty() {
        return Err(kept(w.transfer_needs_target, ""));
    }
    if !to_window.is_empty() && window_name(to_window).is_err() {
        return Err(kept(w.bad_window, "to_window"));
    }
    if !category.is_empty() && crate::api::hall::category_letter(category).is_err() {
        return Err(kept(w.bad_category, "category"));
    }
    Ok(())
}

async fn call(state: &AppState, principal: &Principal, window: &str) -> Result<(), AppError> {
    call_window(state, principal, window).await.map(drop)
}

async fn step_from_form(
    state: &AppState,
    principal: &Principal,
    window: &str,
    form: &StepForm,
) -> Result<(), AppError> {
    let number =
        TicketNumber::parse(form.ticket.trim()).map_err(|e| AppError::Invalid(e.to_string()))?;
    let command = queue_command(
        &form.action,
        Some(form.to_window.as_str()),
        Some(form.category.as_str()),
    )?;
    take_step(state, principal, &number, window, &command).await?;
    Ok(())
}
