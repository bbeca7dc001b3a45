//! The queue: tickets issued at the desk, called to windows, and the day's queue with
//! wait estimates.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use haoban_cases::Action;
use haoban_hall::{AgingRule, Priority, Ticket, TicketStatus, Window, estimate_in_queue};
use haoban_store::{By, NewTicket};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

fn by(state: &AppState, principal: &Principal) -> By {
    By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    }
}

fn ticket_view(ticket: &Ticket, estimate: Option<Value>) -> Value {
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
    let Json(request) = body?;
    let category = match request.category.as_deref() {
        None => 'A',
        Some(text) => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_uppercase() => c,
                _ => {
                    return Err(AppError::Invalid(format!(
                        "category `{text}` must be one capital letter"
                    )));
                }
            }
        }
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
    let name = window.trim();
    if name.is_empty() || name.chars().count() > 16 {
        return Err(AppError::Invalid(
            "a window name has 1 to 16 characters".into(),
        ));
    }
    let today = state.clock.today_in(state.catalog.time_zone);
    let called = state
        .store
        .call_next(
            today,
            &principal.center,
            &Window::any(name),
            &AgingRule::default(),
            by(&state, &principal),
        )
        .await?;
    Ok(Json(match called {
        Some(ticket) => json!({ "ticket": ticket_view(&ticket, None) }),
        None => json!({ "ticket": null }),
    }))
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
