//! `/desk/appointments`: the day's slots with their bookings, booking a slot for a
//! resident (预约), and check-in when they arrive, which issues their ticket (ahead of the
//! queue when it is their slot's time, see `SlotPlan::check_in_priority`).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::IdNumber;
use haoban_hall::{Appointment, AppointmentStatus, SlotPlan};
use serde::Deserialize;

use super::desk::{forbidden, may_use_desk};
use super::ticket::slip;
use super::{Chrome, CsrfForm, Lang, SignedIn, error_page, posted_form, render, see_other};
use crate::AppState;
use crate::api::visitors::{BookField, arrive, book_slot, booking};
use crate::auth::Principal;
use crate::error::AppError;

pub struct AppointmentMsgs {
    pub title: &'static str,
    pub intro: &'static str,
    pub day: &'static str,
    pub show_day: &'static str,
    pub col_slot: &'static str,
    pub col_booked: &'static str,
    pub col_who: &'static str,
    pub full: &'static str,
    pub checked_in: &'static str,
    pub check_in: &'static str,
    pub book_title: &'static str,
    pub id_number: &'static str,
    pub name: &'static str,
    pub item: &'static str,
    pub slot: &'static str,
    pub book: &'static str,
    pub booked: &'static str,
    pub err_id_number: &'static str,
    pub err_name: &'static str,
    pub err_item: &'static str,
    pub err_day: &'static str,
    pub err_slot: &'static str,
    pub err_taken: &'static str,
    pub err_check_in: &'static str,
}

const ZH: AppointmentMsgs = AppointmentMsgs {
    title: "预约",
    intro: "按时段预约；预约人在时段前后 15 分钟内签到，取号时优先叫号。",
    day: "日期",
    show_day: "查看",
    col_slot: "时段",
    col_booked: "已约/名额",
    col_who: "预约人",
    full: "已满",
    checked_in: "已签到",
    check_in: "签到取号",
    book_title: "新增预约",
    id_number: "身份证号",
    name: "姓名",
    item: "办理事项",
    slot: "时段",
    book: "预约",
    booked: "已预约。",
    err_id_number: "身份证号不正确，请核对 18 位号码及校验位。",
    err_name: "请填写姓名（1 至 40 个字）。",
    err_item: "请选择办理事项。",
    err_day: "请按 2026-11-30 的格式填写日期。",
    err_slot: "请选择当天尚未过去的时段。",
    err_taken: "未能预约：",
    err_check_in: "未能签到：",
};

const EN: AppointmentMsgs = AppointmentMsgs {
    title: "Appointments",
    intro: "Booked by slot; a resident who checks in within 15 minutes of their slot is called ahead of the queue.",
    day: "Day",
    show_day: "Show",
    col_slot: "Slot",
    col_booked: "Booked / places",
    col_who: "Booked by",
    full: "full",
    checked_in: "checked in",
    check_in: "Check in and issue the ticket",
    book_title: "Book a slot",
    id_number: "ID number",
    name: "Name",
    item: "Item",
    slot: "Slot",
    book: "Book",
    booked: "Booked.",
    err_id_number: "The ID number is not valid: check the 18 characters and the check digit.",
    err_name: "Enter the name (1 to 40 characters).",
    err_item: "Choose an item.",
    err_day: "Enter a date like 2026-11-30.",
    err_slot: "Choose a slot of that day that has not passed.",
    err_taken: "Not booked: ",
    err_check_in: "Not checked in: ",
};

impl AppointmentMsgs {
    fn of(lang: Lang) -> &'static AppointmentMsgs {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

struct SlotRow {
    time: String,
    booked: usize,
    full: bool,
    /// Already begun (and past its late margin): it can no longer be booked.
    past: bool,
    people: Vec<Person>,
}

struct Person {
    label: String,
    id_number: String,
    checked_in: bool,
}

#[derive(Default)]
struct Entered {
    id_number: String,
    name: String,
    item: String,
    slot: String,
}

#[derive(Default)]
struct Errors {
    id_number: Option<&'static str>,
    name: Option<&'static str>,
    item: Option<&'static str>,
    day: Option<&'static str>,
    slot: Option<&'static str>,
    form: Option<String>,
}

/// What the booking form shows besides the day: what was typed, what is wrong, and
/// whether a booking was just made.
#[derive(Default)]
struct FormState {
    entered: Entered,
    errors: Errors,
    confirmed: bool,
}

#[derive(Template)]
#[template(path = "appointments.html")]
struct AppointmentsPage {
    page: Chrome,
    a: &'static AppointmentMsgs,
    day: String,
    today: bool,
    capacity: u32,
    slots: Vec<SlotRow>,
    items: Vec<(String, String)>,
    entered: Entered,
    errors: Errors,
    confirmed: bool,
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    day: Option<String>,
    booked: Option<String>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    day_text: &str,
    form: FormState,
) -> Response {
    let FormState {
        entered,
        mut errors,
        confirmed,
    } = form;
    let a = AppointmentMsgs::of(lang);
    let zone = state.catalog.time_zone;
    let today = state.clock.today_in(zone);
    let now = state.clock.now();
    let day = match haoban_catalog::value::parse_date(day_text.trim()) {
        Some(day) => day,
        None if day_text.trim().is_empty() => today,
        None => {
            errors.day = Some(a.err_day);
            today
        }
    };
    let booked = match state.store.appointments(&principal.center, day).await {
        Ok(booked) => booked,
        Err(err) => return error_page(lang, uri, Some(principal), err.into()),
    };
    let plan = SlotPlan::default();
    let locale = lang.locale();
    let slots = plan
        .slots()
        .into_iter()
        .map(|time| {
            let people: Vec<&Appointment> = booked
                .iter()
                .filter(|b| b.slot.with_timezone(&zone).time() == time)
                .collect();
            SlotRow {
                time: time.format("%H:%M").to_string(),
                booked: people.len(),
                full: people.len() >= plan.capacity as usize,
                past: plan.slot(&zone, day, time, now).is_err(),
                people: people
                    .iter()
                    .map(|b| Person {
                        label: format!(
                            "{} {} · {}",
                            b.name,
                            IdNumber::parse(&b.visitor)
                                .map(|id| id.masked())
                                .unwrap_or_default(),
                            state
                                .catalog
                                .item(&b.item)
                                .map_or_else(|| b.item.clone(), |i| i.name.get(locale).to_owned())
                        ),
                        id_number: b.visitor.clone(),
                        checked_in: b.status == AppointmentStatus::CheckedIn,
                    })
                    .collect(),
            }
        })
        .collect();
    let any_error = errors.id_number.is_some()
        || errors.name.is_some()
        || errors.item.is_some()
        || errors.day.is_some()
        || errors.slot.is_some()
        || errors.form.is_some();
    let mut chrome = Chrome::new(lang, a.title, uri, Some(principal));
    chrome.nav = "desk";
    let shown = AppointmentsPage {
        page: chrome,
        a,
        day: if errors.day.is_some() {
            day_text.to_owned()
        } else {
            day.to_string()
        },
        today: day == today,
        capacity: plan.capacity,
        slots,
        items: state
            .catalog
            .items()
            .map(|i| (i.id.clone(), i.name.get(locale).to_owned()))
            .collect(),
        entered,
        errors,
        confirmed,
    };
    let status = if any_error {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &shown)
}

/// GET /desk/appointments?day=
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<axum::extract::Query<DayQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if !may_use_desk(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let axum::extract::Query(query) = query.unwrap_or_default();
    let day = query.day.unwrap_or_default();
    let confirmed = query.booked.is_some();
    page(
        &state,
        lang,
        &uri,
        &principal,
        &day,
        FormState {
            confirmed,
            ..FormState::default()
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct BookForm {
    csrf_token: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    slot: String,
}

/// POST /desk/appointments: book a slot.
pub async fn book(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<BookForm>, FormRejection>,
) -> Response {
    if !may_use_desk(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let form = match posted_form(lang, &uri, &principal, form) {
        Ok(form) => form,
        Err(refused) => return *refused,
    };
    let a = AppointmentMsgs::of(lang);
    let plan = SlotPlan::default();
    let entered = Entered {
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        item: form.item.clone(),
        slot: form.slot.clone(),
    };
    let checked = booking(
        &state,
        &plan,
        &form.id_number,
        &form.name,
        &form.item,
        &form.day,
        &form.slot,
    );
    let (day, appointment) = match checked {
        Ok(booked) => booked,
        Err(wrong) => {
            let mut errors = Errors::default();
            for (field, _) in wrong {
                match field {
                    BookField::IdNumber => errors.id_number = Some(a.err_id_number),
                    BookField::Name => errors.name = Some(a.err_name),
                    BookField::Item => errors.item = Some(a.err_item),
                    BookField::Day => errors.day = Some(a.err_day),
                    BookField::Slot => errors.slot = Some(a.err_slot),
                }
            }
            return page(
                &state,
                lang,
                &uri,
                &principal,
                &form.day,
                FormState {
                    entered,
                    errors,
                    confirmed: false,
                },
            )
            .await;
        }
    };
    match book_slot(&state, &principal, &plan, day, &appointment).await {
        Ok(()) => see_other(&format!("/desk/appointments?day={day}&booked=1")),
        Err(AppError::Unexpected(cause)) => {
            error_page(lang, &uri, Some(&principal), AppError::Unexpected(cause))
        }
        Err(refused) => {
            let errors = Errors {
                form: Some(format!("{}{refused}", a.err_taken)),
                ..Errors::default()
            };
            page(
                &state,
                lang,
                &uri,
                &principal,
                &day.to_string(),
                FormState {
                    entered,
                    errors,
                    confirmed: false,
                },
            )
            .await
        }
    }
}

impl CsrfForm for BookForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl CsrfForm for CheckInForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct CheckInForm {
    csrf_token: String,
    id_number: String,
}

/// POST /desk/appointments/check-in: the resident is here; their ticket slip.
pub async fn check_in(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<CheckInForm>, FormRejection>,
) -> Response {
    if !may_use_desk(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let form = match posted_form(lang, &uri, &principal, form) {
        Ok(form) => form,
        Err(refused) => return *refused,
    };
    match arrive(&state, &principal, &form.id_number).await {
        Ok(ticket) => slip(&state, lang, &uri, &principal, &ticket).await,
        Err(AppError::Unexpected(cause)) => {
            error_page(lang, &uri, Some(&principal), AppError::Unexpected(cause))
        }
        Err(refused) => {
            let errors = Errors {
                form: Some(format!(
                    "{}{refused}",
                    AppointmentMsgs::of(lang).err_check_in
                )),
                ..Errors::default()
            };
            let today = state.clock.today_in(state.catalog.time_zone).to_string();
            page(
                &state,
                lang,
                &uri,
                &principal,
                &today,
                FormState {
                    errors,
                    ..FormState::default()
                },
            )
            .await
        }
    }
}
