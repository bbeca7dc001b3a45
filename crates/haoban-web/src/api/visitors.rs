//! The first window's visitors: look up and register, record a visit (also one that was
//! only a consultation), and appointments by slot with check-in.

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Query};
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveTime};
use haoban_cases::{Action, IdNumber};
use haoban_hall::{AgingRule, Appointment, AppointmentStatus, HallEvent, SlotPlan, Visitor};
use haoban_store::NewTicket;
use serde::Deserialize;
use serde_json::{Value, json};

use super::hall::{by, ticket_view};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

fn visitor_view(visitor: &Visitor) -> Value {
    json!({
        "id_number": IdNumber::parse(&visitor.id_number).map(|id| id.masked()).unwrap_or_default(),
        "name": visitor.name,
        "phone": visitor.phone,
        "registered_at": visitor.registered_at,
    })
}

#[derive(Deserialize)]
pub struct LookupRequest {
    id_number: String,
}

/// Looks a visitor up. The ID number travels in the body, never in the address, so it
/// stays out of access logs and histories.
pub async fn lookup(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<LookupRequest>,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::IssueTicket)?;
    let Object(request) = body?;
    let id = IdNumber::parse(&request.id_number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let visitor = state
        .store
        .visitor(&principal.center, id.as_ref())
        .await?
        .ok_or_else(|| AppError::NotFound("no visitor with that ID number".into()))?;
    Ok(Json(visitor_view(&visitor)))
}

#[derive(Deserialize)]
pub struct VisitorRequest {
    id_number: String,
    name: String,
    phone: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<VisitorRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    authorize(&principal, Action::IssueTicket)?;
    let Object(request) = body?;
    let visitor = Visitor::new(
        &request.id_number,
        &request.name,
        request.phone.as_deref(),
        state.clock.now(),
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    state
        .store
        .save_visitor(&principal.center, &visitor)
        .await?;
    let kept = state
        .store
        .visitor(&principal.center, &visitor.id_number)
        .await?
        .unwrap_or(visitor);
    Ok((StatusCode::CREATED, Json(visitor_view(&kept))))
}

#[derive(Deserialize)]
pub struct VisitRequest {
    id_number: Option<String>,
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    note: String,
}

/// Records a consultation that needed no ticket (咨询): who, about what.
pub async fn consult(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<VisitRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    authorize(&principal, Action::IssueTicket)?;
    let Object(request) = body?;
    let event = consultation(
        &state,
        request.id_number.as_deref(),
        request.items,
        &request.note,
    )?;
    state
        .store
        .note_hall(&principal.center, &event, by(&state, &principal))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "recorded": true }))))
}

/// A consultation-only visit, each part checked.
pub(crate) fn consultation(
    state: &AppState,
    id_number: Option<&str>,
    items: Vec<String>,
    note: &str,
) -> AppResult<HallEvent> {
    let visitor = id_number
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| IdNumber::parse(id).map_err(|e| AppError::Invalid(e.to_string())))
        .transpose()?;
    if let Some(unknown) = items.iter().find(|id| state.catalog.item(id).is_none()) {
        return Err(AppError::Invalid(format!(
            "`{unknown}` is not an item of the catalog"
        )));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::Invalid(
            "a note has at most 500 characters".into(),
        ));
    }
    Ok(HallEvent::VisitRecorded {
        visitor: visitor.map(|id| id.as_ref().to_owned()),
        items,
        consult_only: true,
        note: note.to_owned(),
    })
}

#[derive(Deserialize)]
pub struct BookRequest {
    id_number: String,
    name: String,
    item: String,
    day: String,
    /// `09:30`: a slot start of the day's plan.
    slot: String,
}

fn appointment_view(appointment: &Appointment, zone: chrono_tz::Tz) -> Value {
    json!({
        "id_number": IdNumber::parse(&appointment.visitor).map(|id| id.masked()).unwrap_or_default(),
        "name": appointment.name,
        "item": appointment.item,
        "slot": appointment.slot.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        "status": appointment.status,
        "ticket": appointment.ticket,
    })
}

/// The field of a booking that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BookField {
    IdNumber,
    Name,
    Item,
    Day,
    Slot,
}

/// A booking as typed, each field checked against the catalog and the day's slot plan:
/// the day and the appointment, or every field that is wrong and why.
pub(crate) fn booking(
    state: &AppState,
    plan: &SlotPlan,
    id_number: &str,
    name: &str,
    item: &str,
    day: &str,
    slot: &str,
) -> Result<(NaiveDate, Appointment), Vec<(BookField, String)>> {
    let mut wrong = Vec::new();
    let id = IdNumber::parse(id_number)
        .map_err(|e| wrong.push((BookField::IdNumber, e.to_string())))
        .ok();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        wrong.push((BookField::Name, "a name has 1 to 40 characters".into()));
    }
    if state.catalog.item(item).is_none() {
        wrong.push((
            BookField::Item,
            format!("`{item}` is not an item of the catalog"),
        ));
    }
    let day = haoban_catalog::value::parse_date(day.trim());
    if day.is_none() {
        wrong.push((BookField::Day, "the day is a date like 2026-11-30".into()));
    }
    let time = NaiveTime::parse_from_str(slot.trim(), "%H:%M")
        .map_err(|_| {
            wrong.push((
                BookField::Slot,
                format!("slot `{slot}` is not a time like 09:30"),
            ))
        })
        .ok();
    let starts = match (day, time) {
        (Some(day), Some(time)) => plan
            .slot(&state.catalog.time_zone, day, time, state.clock.now())
            .map_err(|e| wrong.push((BookField::Slot, e.to_string())))
            .ok(),
        _ => None,
    };
    match (id, day, starts) {
        (Some(id), Some(day), Some(slot)) if wrong.is_empty() => Ok((
            day,
            Appointment {
                visitor: id.as_ref().to_owned(),
                name: name.to_owned(),
                item: item.to_owned(),
                slot,
                status: AppointmentStatus::Booked,
                ticket: None,
            },
        )),
        _ => Err(wrong),
    }
}

/// Books `appointment` on `day` if its slot has room under `plan`.
pub(crate) async fn book_slot(
    state: &AppState,
    principal: &Principal,
    plan: &SlotPlan,
    day: NaiveDate,
    appointment: &Appointment,
) -> AppResult<()> {
    authorize(principal, Action::IssueTicket)?;
    Ok(state
        .store
        .book_appointment(
            &principal.center,
            day,
            appointment,
            plan.capacity,
            by(state, principal),
        )
        .await?)
}

pub async fn book(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<BookRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    authorize(&principal, Action::IssueTicket)?;
    let Object(request) = body?;
    let plan = SlotPlan::default();
    let (day, appointment) = booking(
        &state,
        &plan,
        &request.id_number,
        &request.name,
        &request.item,
        &request.day,
        &request.slot,
    )
    .map_err(|wrong| {
        AppError::Invalid(
            wrong
                .into_iter()
                .map(|(_, why)| why)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    book_slot(&state, &principal, &plan, day, &appointment).await?;
    let zone = state.catalog.time_zone;
    Ok((
        StatusCode::CREATED,
        Json(appointment_view(&appointment, zone)),
    ))
}

#[derive(Deserialize)]
pub struct DayQuery {
    day: Option<NaiveDate>,
}

pub async fn appointments(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<DayQuery>,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::ViewQueue)?;
    let zone = state.catalog.time_zone;
    let day = query.day.unwrap_or_else(|| state.clock.today_in(zone));
    let booked = state.store.appointments(&principal.center, day).await?;
    let plan = SlotPlan::default();
    Ok(Json(json!({
        "day": day,
        "slots": plan.slots().iter().map(|t| t.format("%H:%M").to_string()).collect::<Vec<_>>(),
        "capacity": plan.capacity,
        "appointments": booked.iter().map(|a| appointment_view(a, zone)).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
pub struct CheckInRequest {
    id_number: String,
}

/// The resident has arrived: a ticket, ahead of the queue when it is their slot's time.
pub async fn check_in(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<CheckInRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let Object(request) = body?;
    let ticket = arrive(&state, &principal, &request.id_number).await?;
    Ok((StatusCode::CREATED, Json(ticket_view(&ticket, None))))
}

/// Checks in today's appointment of `id_number`: its ticket carries the item and who.
pub(crate) async fn arrive(
    state: &AppState,
    principal: &Principal,
    id_number: &str,
) -> AppResult<haoban_hall::Ticket> {
    authorize(principal, Action::IssueTicket)?;
    let id = IdNumber::parse(id_number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let zone = state.catalog.time_zone;
    let now = state.clock.now();
    let day = state.clock.today_in(zone);
    let booked = state
        .store
        .appointments(&principal.center, day)
        .await?
        .into_iter()
        .find(|a| a.visitor == id.as_ref())
        .ok_or_else(|| AppError::NotFound("no appointment today for that ID number".into()))?;
    let plan = SlotPlan::default();
    let new = NewTicket {
        center: principal.center.clone(),
        category: 'A',
        priority: plan.check_in_priority(booked.slot, now),
        items: vec![booked.item.clone()],
        carried: Some(haoban_hall::Carried {
            id_number: Some(booked.visitor.clone()),
            name: Some(booked.name.clone()),
            facts: Default::default(),
        }),
        rule: AgingRule::default(),
    };
    Ok(state
        .store
        .check_in(day, id.as_ref(), new, by(state, principal))
        .await?)
}
