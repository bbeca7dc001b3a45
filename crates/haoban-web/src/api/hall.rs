//! The queue: tickets issued at the desk, called to windows, and the day's queue with
//! wait estimates.

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Path};
use axum::http::StatusCode;
use haoban_cases::Action;
use haoban_cases::CenterId;
use haoban_hall::{
    AgingRule, Priority, QueueCommand, Ticket, TicketNumber, TicketStatus, Window,
    estimate_in_queue,
};
use haoban_store::{By, NewTicket};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

pub(crate) fn by(state: &AppState, principal: &Principal) -> By {
    By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    }
}

pub(crate) fn ticket_view(ticket: &Ticket, estimate: Option<Value>) -> Value {
    json!({
        "number": ticket.number,
        "category": ticket.category.to_string(),
        "priority": ticket.priority,
        "status": ticket.status,
        "items": ticket.items,
        "window": ticket.window,
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
        "call_text": ticket.window.as_ref().map(|w| ticket.number.call_text(w)),
        "served_at": ticket.served_at,
        "finished_at": ticket.finished_at,
        "recalls": ticket.recalls,
        "reserved_for": ticket.reserved_for,
        "promised_wait": ticket.promised_wait,
        "estimate": estimate,
    })
}

#[derive(Deserialize)]
pub struct IssueRequest {
    /// The queue category letter; `A` (综合受理) when absent.
    category: Option<String>,
    priority: Option<Priority>,
    #[serde(default)]
    items: Vec<String>,
}

pub async fn issue(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<IssueRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    authorize(&principal, Action::IssueTicket)?;
    let Object(request) = body?;
    let category = match request.category.as_deref() {
        None => 'A',
        Some(text) => category_letter(text)?,
    };
    if let Some(unknown) = request
        .items
        .iter()
        .find(|id| state.catalog.item(id).is_none())
    {
        return Err(AppError::Invalid(format!(
            "`{unknown}` is not an item of the catalog"
        )));
    }
    let today = state.clock.today_in(state.catalog.time_zone);
    let ticket = state
        .store
        .issue_ticket(
            today,
            NewTicket {
                center: principal.center.clone(),
                category,
                priority: request.priority.unwrap_or(Priority::Normal),
                items: request.items,
                carried: None,
                rule: AgingRule::default(),
            },
            by(&state, &principal),
        )
        .await?;
    let queue = state.store.tickets(&principal.center, today).await?;
    let estimate = estimate_for(&queue, &ticket);
    Ok((StatusCode::CREATED, Json(ticket_view(&ticket, estimate))))
}

fn estimate_for(queue: &[Ticket], ticket: &Ticket) -> Option<Value> {
    estimate_in_queue(queue, &ticket.number, &AgingRule::default())
        .map(|e| json!({ "ahead": e.ahead, "minutes": e.minutes }))
}

pub async fn call_next(
    State(state): State<AppState>,
    principal: Principal,
    Path(window): Path<String>,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::CallTicket)?;
    let name = window_name(&window)?;
    let called = call_window(&state, &principal, name).await?;
    Ok(Json(match called {
        Some(ticket) => json!({ "ticket": ticket_view(&ticket, None) }),
        None => json!({ "ticket": null }),
    }))
}

/// Calls the next ticket window `name` may serve (by its skills as configured), if any.
pub(crate) async fn call_window(
    state: &AppState,
    principal: &Principal,
    name: &str,
) -> AppResult<Option<Ticket>> {
    authorize(principal, Action::CallTicket)?;
    let today = state.clock.today_in(state.catalog.time_zone);
    let window = configured_window(state, &principal.center, name).await?;
    Ok(state
        .store
        .call_next(
            today,
            &principal.center,
            &window,
            &AgingRule::default(),
            by(state, principal),
        )
        .await?)
}

/// The window as configured for the center, or one that serves everything (全岗通).
pub(crate) async fn configured_window(
    state: &AppState,
    center: &CenterId,
    name: &str,
) -> AppResult<Window> {
    Ok(state
        .store
        .windows(center)
        .await?
        .into_iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| Window::any(name)))
}

/// A window name as typed: 1 to 16 characters, no control characters.
pub(crate) fn window_name(text: &str) -> AppResult<&str> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 16 || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(
            "a window name has 1 to 16 characters".into(),
        ));
    }
    Ok(name)
}

#[derive(Deserialize)]
pub struct StepRequest {
    /// The window taking the step (the one holding the ticket).
    window: String,
    to_window: Option<String>,
    category: Option<String>,
}

/// The step `action` names, with what a transfer needs.
pub(crate) fn queue_command(
    action: &str,
    to_window: Option<&str>,
    category: Option<&str>,
) -> AppResult<QueueCommand> {
    Ok(match action {
        "recall" => QueueCommand::Recall,
        "start" => QueueCommand::Start,
        "finish" => QueueCommand::Finish,
        "no_show" => QueueCommand::NoShow,
        "park" => QueueCommand::Park,
        "resume" => QueueCommand::Resume,
        "transfer" => {
            let to_window = to_window
                .filter(|w| !w.trim().is_empty())
                .map(|w| window_name(w).map(str::to_owned))
                .transpose()?;
            let category = category
                .filter(|c| !c.trim().is_empty())
                .map(category_letter)
                .transpose()?;
            if to_window.is_none() && category.is_none() {
                return Err(AppError::Invalid(
                    "a transfer names the window or the category it goes to".into(),
                ));
            }
            QueueCommand::Transfer {
                to_window,
                category,
            }
        }
        other => {
            return Err(AppError::Invalid(format!(
                "`{other}` is not a step: recall, start, finish, no_show, transfer, park or resume"
            )));
        }
    })
}

pub(crate) fn category_letter(text: &str) -> AppResult<char> {
    let mut chars = text.trim().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_uppercase() => Ok(c),
        _ => Err(AppError::Invalid(format!(
            "category `{text}` must be one capital letter"
        ))),
    }
}

pub async fn step(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, action)): Path<(String, String)>,
    body: Body<StepRequest>,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::CallTicket)?;
    let Object(request) = body?;
    let number = TicketNumber::parse(&number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let window = window_name(&request.window)?;
    let command = queue_command(
        &action,
        request.to_window.as_deref(),
        request.category.as_deref(),
    )?;
    let ticket = take_step(&state, &principal, &number, window, &command).await?;
    Ok(Json(ticket_view(&ticket, None)))
}

/// `window`'s step with today's ticket `number`, by the principal; a finished visit of a
/// visitor known by ID number sends them a rating link.
pub(crate) async fn take_step(
    state: &AppState,
    principal: &Principal,
    number: &TicketNumber,
    window: &str,
    command: &QueueCommand,
) -> AppResult<Ticket> {
    authorize(principal, Action::CallTicket)?;
    let today = state.clock.today_in(state.catalog.time_zone);
    let ticket = state
        .store
        .serve_ticket(
            today,
            &principal.center,
            number,
            window,
            command,
            by(state, principal),
        )
        .await?;
    // A visitor known by ID number gets a link to rate the visit; others rate at the pad.
    let known = ticket.carried.as_ref().and_then(|c| c.id_number.clone());
    if let (QueueCommand::Finish, Some(id_number)) = (command, known) {
        let target = haoban_feedback::Target::Visit {
            day: today,
            ticket: ticket.number.clone(),
        };
        let _ = crate::api::feedback::invite(state, &principal.center, target, &id_number).await;
    }
    Ok(ticket)
}

pub async fn queue(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Value>> {
    authorize(&principal, Action::ViewQueue)?;
    let today = state.clock.today_in(state.catalog.time_zone);
    let tickets = state.store.tickets(&principal.center, today).await?;
    let views: Vec<Value> = tickets
        .iter()
        .map(|t| {
            let estimate = (t.status == TicketStatus::Waiting)
                .then(|| estimate_for(&tickets, t))
                .flatten();
            ticket_view(t, estimate)
        })
        .collect();
    let rule = AgingRule::default();
    Ok(Json(json!({
        "day": today,
        "rule": { "zh": rule.describe_zh(), "en": rule.describe_en() },
        "tickets": views,
    })))
}
