//! Follow-ups of bad ratings: the supervisor sees them all and records the call-back and
//! the fix; the staff member rated sees their own and may appeal; a supervisor other than
//! them decides the appeal.

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Path, Query};
use haoban_cases::Action;
use haoban_feedback::{FollowUp, FollowUpCommand, FollowUpId, step};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

/// Whether the principal sees every follow-up of the center (the supervisor) or only
/// those about them (any other staff member, who may appeal their own); 403 for a role
/// that may do neither.
pub(crate) fn sees_all(principal: &Principal) -> AppResult<bool> {
    if authorize(principal, Action::HandleFollowUp).is_ok() {
        return Ok(true);
    }
    authorize(principal, Action::AppealRating)?;
    Ok(false)
}

fn view(state: &AppState, follow_up: &FollowUp) -> Value {
    let today = state.clock.today_in(state.catalog.time_zone);
    json!({
        "id": follow_up.id,
        "target": follow_up.target,
        "level": follow_up.level,
        "staff": follow_up.staff,
        "opened_on": follow_up.opened_on,
        "due": follow_up.due,
        "stage": follow_up.stage(),
        "appeal_state": follow_up.appeal_state(),
        "resolved": follow_up.resolved(),
        "overdue": follow_up.overdue(today),
        "call_back": follow_up.call_back,
        "fix": follow_up.fix,
        "appeal": follow_up.appeal,
        "decision": follow_up.decision,
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// Resolved ones too.
    #[serde(default)]
    all: bool,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let views: Vec<Value> = listed(&state, &principal, query.all)
        .await?
        .iter()
        .map(|f| view(&state, f))
        .collect();
    Ok(Json(json!({ "follow_ups": views })))
}

/// The follow-ups the principal may see (only the unresolved unless `all`), by due date:
/// the one listing for the API and the pages.
pub(crate) async fn listed(
    state: &AppState,
    principal: &Principal,
    all: bool,
) -> AppResult<Vec<FollowUp>> {
    let all_staff = sees_all(principal)?;
    Ok(state
        .store
        .follow_ups(&principal.center, !all)
        .await?
        .into_iter()
        .filter(|f| all_staff || f.staff == principal.subject)
        .collect())
}

/// The follow-up `id` of the principal's center, if they may see it; "not found" otherwise.
pub(crate) async fn visible(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> AppResult<FollowUp> {
    let all_staff = sees_all(principal)?;
    let missing = || AppError::NotFound(format!("follow-up {id} not found"));
    let id = FollowUpId::parse(id).map_err(|_| missing())?;
    state
        .store
        .follow_up(&principal.center, &id)
        .await?
        .filter(|f| all_staff || f.staff == principal.subject)
        .ok_or_else(missing)
}

pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let follow_up = visible(&state, &principal, &id).await?;
    Ok(Json(view(&state, &follow_up)))
}

async fn act(
    state: &AppState,
    principal: &Principal,
    id: &str,
    command: FollowUpCommand,
) -> AppResult<Json<Value>> {
    let next = take(state, principal, id, command).await?;
    Ok(Json(view(state, &next)))
}

/// One step, the one path for the API and the pages: checked here first, so that a
/// refusal says who may take it (403) or why not now (409; an empty or overlong note is
/// 422), then checked again and recorded by the store in one transaction.
pub(crate) async fn take(
    state: &AppState,
    principal: &Principal,
    id: &str,
    command: FollowUpCommand,
) -> AppResult<FollowUp> {
    authorize(principal, command.action())?;
    let follow_up = visible(state, principal, id).await?;
    let by = crate::api::hall::by(state, principal);
    step(&follow_up, &command, &by.actor, by.role, by.at)?;
    Ok(state
        .store
        .follow_up_step(&principal.center, &follow_up.id, &command, by)
        .await?)
}

#[derive(Deserialize)]
pub struct NoteRequest {
    note: String,
}

#[derive(Deserialize)]
pub struct AppealRequest {
    reason: String,
}

#[derive(Deserialize)]
pub struct DecideRequest {
    /// The bad rating stands against the staff member.
    upheld: bool,
    note: String,
}

pub async fn call_back(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    body: Body<NoteRequest>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    let command = FollowUpCommand::CallBack { note: request.note };
    act(&state, &principal, &id, command).await
}

pub async fn fix(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    body: Body<NoteRequest>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    act(
        &state,
        &principal,
        &id,
        FollowUpCommand::Fix { note: request.note },
    )
    .await
}

pub async fn appeal(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    body: Body<AppealRequest>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    let command = FollowUpCommand::Appeal {
        reason: request.reason,
    };
    act(&state, &principal, &id, command).await
}

pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    body: Body<DecideRequest>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    let command = FollowUpCommand::Decide {
        upheld: request.upheld,
        note: request.note,
    };
    act(&state, &principal, &id, command).await
}
