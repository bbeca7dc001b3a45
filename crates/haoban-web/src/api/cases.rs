//! Cases: open one from a pre-review, act on it, read it, list them, read its record.

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Path, Query};
use axum::http::StatusCode;
use haoban_cases::{
    Action, Applicant, Case, CaseNumber, CaseStatus, Channel, Command, Context, Deadline,
    DeadlineState, EventKind, IdNumber, ItemTerms, Role, Scope, deadline, decide, submit,
};
use haoban_catalog::{Applicant as Facts, Selection, Status};
use haoban_hall::CompartmentSize;
use haoban_store::CaseFilter;
use haoban_store::self_service::readies_for_cabinet;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

fn context(state: &AppState, principal: &Principal, center: &haoban_cases::CenterId) -> Context {
    Context {
        actor: principal.actor(),
        role: principal.role,
        // Residents act on their case wherever it is; staff only in their own center,
        // which `decide` checks against this.
        center: if principal.role == Role::Resident {
            center.clone()
        } else {
            principal.center.clone()
        },
        now: state.clock.now(),
        today: state.clock.today_in(state.catalog.time_zone),
    }
}

/// The case's deadline today: due soon within `config.due_soon_days` working days.
pub(crate) fn case_deadline(state: &AppState, case: &Case) -> Option<Deadline> {
    let today = state.clock.today_in(state.catalog.time_zone);
    deadline(
        case,
        state.catalog.calendar(),
        today,
        state.config.due_soon_days,
    )
}

/// The case as the API shows it: ID number masked unless `unmasked`, deadline computed.
fn view(state: &AppState, case: &Case, unmasked: bool) -> Value {
    let deadline = case_deadline(state, case);
    let item_name = state.catalog.item(&case.item).map(|i| i.name.zh.clone());
    let id_number = if unmasked {
        case.applicant.id_number.unmasked()
    } else {
        case.applicant.id_number.masked()
    };
    json!({
        "number": case.number,
        "center": case.center,
        "item": case.item,
        "item_name": item_name,
        "catalog_version": case.catalog_version,
        "status": case.status,
        "status_label": case.status.label_zh(),
        "channel": case.channel,
        "applicant": { "name": case.applicant.name, "id_number": id_number },
        "promised_days": case.promised_days,
        "required_materials": case.required_materials,
        "conditional_materials": case.conditional_materials,
        "materials": case.materials,
        "deficiency": case.deficiency,
        "suspensions": case.suspensions,
        "accepted_on": case.accepted_on,
        "decided_on": case.decided_on,
        "deadline": deadline,
        "clerk": case.clerk,
        "reason": case.reason,
        "legal_basis": case.legal_basis,
        "delivery": case.delivery,
        "version": case.version,
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
    })
}

fn parse_number(text: &str) -> AppResult<CaseNumber> {
    CaseNumber::parse(text).map_err(|_| AppError::NotFound(format!("case {text} not found")))
}

/// Loads a case the principal may see under `action`; anything else is "not found".
pub(crate) async fn reachable(
    state: &AppState,
    principal: &Principal,
    number: &str,
    action: Action,
) -> AppResult<Case> {
    let scope = authorize(principal, action)?;
    let number = parse_number(number)?;
    let missing = || AppError::NotFound(format!("case {number} not found"));
    if !principal.may_reach(&number) {
        return Err(missing());
    }
    let case = state.store.case(&number).await?.ok_or_else(missing)?;
    let visible = match scope {
        Scope::Public => true,
        Scope::OwnCenter => case.center == principal.center,
        Scope::OwnCases => principal.applied_for(&case),
    };
    if visible { Ok(case) } else { Err(missing()) }
}

#[derive(Deserialize)]
pub struct NewApplicant {
    id_number: String,
    name: String,
}

#[derive(Deserialize)]
pub struct NewCase {
    item: String,
    applicant: NewApplicant,
    /// The pre-review facts the case is opened from.
    facts: Option<Box<RawValue>>,
    channel: Option<Channel>,
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<NewCase>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let Object(request) = body?;
    let opening = Opening {
        item: &request.item,
        id_number: &request.applicant.id_number,
        name: &request.applicant.name,
        facts: request.facts.as_deref().map(RawValue::get),
        channel: request.channel,
    };
    let case = open(&state, &principal, opening).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &case, false))))
}

/// What a case is opened from, as the API and the window console receive it.
pub(crate) struct Opening<'a> {
    pub item: &'a str,
    pub id_number: &'a str,
    pub name: &'a str,
    /// The pre-review facts, as JSON.
    pub facts: Option<&'a str>,
    pub channel: Option<Channel>,
}

/// Opens a case in the principal's center: checks the item, the channel and that the
/// applicant qualifies on the facts given, fixes the item's terms and materials from
/// the catalog in use, and records the submission.
pub(crate) async fn open(
    state: &AppState,
    principal: &Principal,
    opening: Opening<'_>,
) -> AppResult<Case> {
    authorize(principal, Action::CreateCase)?;
    let catalog = &state.catalog;
    let item = catalog.item(opening.item).ok_or_else(|| {
        AppError::Invalid(format!("`{}` is not an item of the catalog", opening.item))
    })?;
    let id_number =
        IdNumber::parse(opening.id_number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let channel = match (principal.role, opening.channel) {
        (Role::Resident, Some(Channel::Online) | None) => Channel::Online,
        (Role::Resident, Some(_)) => {
            return Err(AppError::Invalid("residents apply online".into()));
        }
        (_, Some(channel)) => channel,
        (_, None) => Channel::Window,
    };
    if principal.role == Role::Resident && !principal.owns(id_number.as_ref()) {
        return Err(AppError::Forbidden("residents apply for themselves".into()));
    }
    let channel_name = match channel {
        Channel::Window => "window",
        Channel::Online => "online",
        Channel::Kiosk => "kiosk",
    };
    if channel != Channel::Window && !item.channels.iter().any(|c| c == channel_name) {
        return Err(AppError::Invalid(format!(
            "item `{}` cannot be applied for {channel_name}",
            item.id
        )));
    }
    let facts = match opening.facts {
        Some(raw) => {
            Facts::from_json(catalog, raw).map_err(|e| AppError::Invalid(e.to_string()))?
        }
        None => Facts::empty(catalog),
    };
    let today = state.clock.today_in(catalog.time_zone);
    let selected = catalog
        .select(&Selection::Items(vec![item.id.clone()]))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let review = catalog.prereview(&facts, &selected, today);
    if let Some(result) = review
        .items
        .first()
        .filter(|r| r.status == Status::Ineligible)
    {
        return Err(AppError::Invalid(format!(
            "the applicant does not qualify for `{}`: {}",
            item.id,
            result.failed.join("; ")
        )));
    }
    let terms = ItemTerms {
        id: item.id.clone(),
        catalog_version: catalog.version.clone(),
        promised_days: item.promised_days,
        required_materials: review
            .checklist
            .iter()
            .filter(|e| !e.conditional)
            .map(|e| e.material.to_owned())
            .collect(),
        conditional_materials: review
            .checklist
            .iter()
            .filter(|e| e.conditional)
            .map(|e| e.material.to_owned())
            .collect(),
    };
    let applicant = Applicant {
        id_number: id_number.into(),
        name: opening.name.trim().to_owned(),
    };
    let ctx = context(state, principal, &principal.center);
    let submitted = submit(&ctx, applicant, channel, &terms)?;
    Ok(state.store.open_case(today, submitted).await?)
}

#[derive(Deserialize)]
pub struct ReadQuery {
    #[serde(default)]
    unmask: bool,
}

pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    Query(query): Query<ReadQuery>,
) -> AppResult<Json<Value>> {
    let case = reachable(&state, &principal, &number, Action::ReadCase).await?;
    if !query.unmask {
        return Ok(Json(view(&state, &case, false)));
    }
    authorize(&principal, Action::Unmask)?;
    let ctx = context(&state, &principal, &case.center);
    let viewed = haoban_cases::event(
        &ctx,
        &case.number,
        EventKind::PersonalDataViewed {
            what: "applicant.id_number".into(),
        },
    );
    let case = state.store.record(&case.number, None, vec![viewed]).await?;
    Ok(Json(view(&state, &case, true)))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    item: Option<String>,
    clerk: Option<String>,
    /// `soon` or `overdue`.
    due: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let scope = authorize(&principal, Action::ListCases)?;
    let mut filter = CaseFilter::center(principal.center.clone());
    if scope == Scope::OwnCases {
        filter.applicant = Some(principal.subject.clone());
    }
    if let Some(statuses) = &query.status {
        filter.statuses = statuses
            .split(',')
            .map(|s| {
                CaseStatus::parse(s.trim())
                    .ok_or_else(|| AppError::Invalid(format!("`{s}` is not a case status")))
            })
            .collect::<AppResult<_>>()?;
    }
    filter.item = query.item.clone();
    filter.clerk = query.clerk.clone();
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let offset = query.offset.unwrap_or(0);
    let wanted = match query.due.as_deref() {
        None => None,
        Some("soon") => Some(DeadlineState::DueSoon),
        Some("overdue") => Some(DeadlineState::Overdue),
        Some(other) => {
            return Err(AppError::Invalid(format!(
                "due `{other}` is not soon or overdue"
            )));
        }
    };
    let cases = match wanted {
        None => {
            filter.limit = limit;
            filter.offset = offset;
            state.store.cases(&filter).await?
        }
        Some(wanted) => {
            // Deadlines are computed, not stored: take the pending cases and judge each.
            let pending: Vec<CaseStatus> = CaseStatus::ALL
                .into_iter()
                .filter(|s| s.is_pending())
                .collect();
            filter.statuses = if filter.statuses.is_empty() {
                pending
            } else {
                filter
                    .statuses
                    .into_iter()
                    .filter(|s| pending.contains(s))
                    .collect()
            };
            filter.limit = 10_000;
            state
                .store
                .cases(&filter)
                .await?
                .into_iter()
                .filter(|case| case_deadline(&state, case).is_some_and(|d| d.state == wanted))
                .skip(offset as usize)
                .take(limit as usize)
                .collect()
        }
    };
    let views: Vec<Value> = cases.iter().map(|case| view(&state, case, false)).collect();
    Ok(Json(json!({ "cases": views })))
}

pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> AppResult<Json<Value>> {
    let case = reachable(&state, &principal, &number, Action::ReadRecord).await?;
    let entries = state.store.case_record(&case.number).await?;
    let events: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let mut payload: Value = serde_json::from_str(&entry.payload).unwrap_or(Value::Null);
            if let Some(id) = payload.pointer_mut("/applicant/id_number") {
                *id = json!(case.applicant.id_number.masked());
            }
            json!({
                "seq": entry.seq,
                "at": entry.at,
                "actor": entry.actor,
                "role": entry.role,
                "kind": entry.kind,
                "payload": payload,
                "hash": entry.hash,
            })
        })
        .collect();
    Ok(Json(json!({ "case": case.number, "events": events })))
}

/// `POST /cases/{number}/actions/{action}`: the body holds the action's fields and,
/// optionally, the `version` the caller last saw (409 if the case has moved on).
pub async fn act(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, action)): Path<(String, String)>,
    body: Result<Option<Json<Value>>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Json<Value>> {
    let mut fields = match body? {
        Some(Json(Value::Object(map))) => map,
        Some(Json(Value::Null)) | None => serde_json::Map::new(),
        Some(Json(_)) => return Err(AppError::Invalid("the body must be a JSON object".into())),
    };
    let version = match fields.remove("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| AppError::Invalid("version must be a whole number".into()))?,
        ),
    };
    fields.insert("action".into(), Value::String(action.clone()));
    let command: Command = serde_json::from_value(Value::Object(fields))
        .map_err(|e| AppError::Invalid(format!("action `{action}`: {e}")))?;
    let updated = apply(&state, &principal, &number, command, version).await?;
    Ok(Json(view(&state, &updated, false)))
}

/// Acts on a case: the one path for the API and the pages. Checks the policy table and
/// the case's center, lets the domain decide, records the events if the case is still at
/// `version` (409 if it has moved on; `None`: whatever it is now), tells the resident
/// what a supplement request asks of them, puts a result for the cabinet in a compartment
/// (the pickup code sent), and on delivery sends them a rating link.
pub(crate) async fn apply(
    state: &AppState,
    principal: &Principal,
    number: &str,
    command: Command,
    version: Option<u64>,
) -> AppResult<Case> {
    let case = reachable(state, principal, number, command.action()).await?;
    let ctx = context(state, principal, &case.center);
    let owns = principal.applied_for(&case);
    let notice = match &command {
        Command::RequestSupplement { request, due } => Some(format!(
            "【好办】您的办件 {} 需要补正：{request}。请于 {due} 前补交。",
            case.number
        )),
        _ => None,
    };
    if matches!(command, Command::Deliver) {
        crate::api::self_service::not_in_a_cabinet(state, &case).await?;
    }
    let events = decide(&ctx, &case, command, owns)?;
    // Delivered by this step: a hand-over, or an instant item (即办件) accepted, which the
    // domain delivers at the same sitting; either way the resident gets their link once.
    let delivered = events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Delivered { .. }));
    let version = version.unwrap_or(case.version);
    let updated = if readies_for_cabinet(&events) {
        let size = CompartmentSize::Small;
        crate::api::self_service::deposit(state, principal, &case, version, events, size).await?
    } else {
        state
            .store
            .record(&case.number, Some(version), events)
            .await?
    };
    // A case whose applicant is erased is long over: no one is told of it any more.
    let Some(applicant) = updated.applicant.id_number.known() else {
        return Ok(updated);
    };
    if let Some(message) = notice {
        state.notifier.send(applicant.as_ref(), &message).await;
    }
    if delivered {
        let _ = crate::api::feedback::invite(
            state,
            &updated.center,
            crate::api::feedback::case_target(&updated.number),
            applicant.as_ref(),
        )
        .await;
    }
    Ok(updated)
}
