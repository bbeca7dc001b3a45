//! `/training/onboarding`, new staff (上岗后跟踪): who is tracked with which mentor from
//! when, and the form that starts tracking someone; `/training/onboarding/{staff}`, one
//! member's first months from the record (volume by month, item mix, quality), the tests
//! they passed, the supervisors' reviews and the ready-for-duty decision, taken once and
//! dated today. All of it is the director's (`ViewTraining` to see, `ManageTraining` to act).

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_catalog::value::parse_date;
use haoban_insight::{Onboarding, OnboardingError, OnboardingStep, Tracker, Volume, note};
use haoban_store::{By, StoreError};
use serde::Deserialize;

use super::msgs::TrainingMsgs;
use super::{chrome, fill, forbidden, item_name, local_time, may, percent, plan_href, today, work};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, encode, error_page, posted_form, render, see_other};

fn field(fields: &[(String, String)], name: &str) -> String {
    crate::pages::form_field(fields, name).to_owned()
}

fn by(state: &AppState, principal: &Principal) -> By {
    By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    }
}

fn tracker_href(staff: &str) -> String {
    format!("/training/onboarding/{}", encode(staff))
}

/// The start form as typed, with its messages.
#[derive(Debug, Default)]
struct StartEntry {
    staff: String,
    mentor: String,
    start: String,
    staff_error: Option<String>,
    mentor_error: Option<String>,
    start_error: Option<String>,
}

struct TrackedLine {
    staff: String,
    href: String,
    mentor: String,
    start: String,
    end: String,
    status: String,
    ready: bool,
}

struct Member {
    name: String,
    staff_selected: bool,
    mentor_selected: bool,
}

#[derive(Template)]
#[template(path = "training_onboarding.html")]
struct TrackedPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    intro: String,
    csrf_token: String,
    manage: bool,
    confirmation: Option<String>,
    lines: Vec<TrackedLine>,
    members: Vec<Member>,
    entry: StartEntry,
}

fn status(
    m: &TrainingMsgs,
    onboarding: &Onboarding,
    end: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> String {
    match &onboarding.ready {
        Some(decision) => fill(m.status_ready, decision.on),
        None if today > end => m.status_due.to_owned(),
        None => m.status_tracking.to_owned(),
    }
}

async fn tracked_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    started: Option<String>,
    entry: Option<StartEntry>,
) -> Result<TrackedPage, AppError> {
    let m = TrainingMsgs::of(lang);
    let months = state.config.training.onboarding_months;
    let today = today(state);
    let records = state.store.onboardings(&principal.center).await?;
    let users = state.store.users(&principal.center).await?;
    let entry = entry.unwrap_or_else(|| StartEntry {
        start: today.to_string(),
        ..StartEntry::default()
    });
    let confirmation = started
        .filter(|name| records.iter().any(|r| r.staff == *name))
        .map(|name| fill(m.started, name));
    Ok(TrackedPage {
        page: chrome(lang, m.onboarding_title, uri, principal),
        m,
        intro: fill(m.onboarding_intro, months),
        csrf_token: principal.csrf_token.clone(),
        manage: may(principal, Action::ManageTraining),
        confirmation,
        lines: records
            .iter()
            .map(|r| {
                let end = r.end(months);
                TrackedLine {
                    staff: r.staff.clone(),
                    href: tracker_href(&r.staff),
                    mentor: r.mentor.clone(),
                    start: r.start.to_string(),
                    end: end.to_string(),
                    status: status(m, r, end, today),
                    ready: r.ready.is_some(),
                }
            })
            .collect(),
        members: users
            .iter()
            .filter(|u| !u.disabled)
            .map(|u| Member {
                name: u.username.clone(),
                staff_selected: u.username == entry.staff,
                mentor_selected: u.username == entry.mentor,
            })
            .collect(),
        entry,
    })
}

#[derive(Deserialize)]
pub struct TrackedQuery {
    started: Option<String>,
}

/// GET /training/onboarding: who is tracked, and the start form.
pub async fn tracked(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<Query<TrackedQuery>, QueryRejection>,
) -> Response {
    if !may(&principal, Action::ViewTraining) {
        return forbidden(
            lang,
            &uri,
            &principal,
            TrainingMsgs::of(lang).forbidden_manage,
        );
    }
    let started = query.ok().and_then(|Query(q)| q.started);
    match tracked_page(&state, lang, &uri, &principal, started, None).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

/// POST /training/onboarding: starts tracking a member.
pub async fn start(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let m = TrainingMsgs::of(lang);
    if !may(&principal, Action::ManageTraining) {
        return forbidden(lang, &uri, &principal, m.forbidden_manage);
    }
    let fields = match posted_form(lang, &uri, &principal, form) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    let mut entry = StartEntry {
        staff: field(&fields, "staff"),
        mentor: field(&fields, "mentor"),
        start: field(&fields, "start"),
        ..StartEntry::default()
    };
    let users = match state.store.users(&principal.center).await {
        Ok(users) => users,
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let member = |name: &str| {
        users
            .iter()
            .any(|u| !u.disabled && u.username == name.trim())
    };
    if !member(&entry.staff) {
        entry.staff_error = Some(m.err_staff.to_owned());
    }
    if !member(&entry.mentor) || entry.mentor.trim() == entry.staff.trim() {
        entry.mentor_error = Some(m.err_mentor.to_owned());
    }
    let start = parse_date(entry.start.trim());
    if start.is_none() {
        entry.start_error = Some(m.err_date.to_owned());
    }
    let mut started = None;
    if let (None, None, Some(start)) = (&entry.staff_error, &entry.mentor_error, start) {
        let by = by(&state, &principal);
        let record = Onboarding::start(
            principal.center.clone(),
            &entry.staff,
            &entry.mentor,
            start,
            (&by.actor, by.role, by.at),
        );
        match record {
            Ok(record) => started = Some(record),
            Err(OnboardingError::Mentor) => entry.mentor_error = Some(m.err_mentor.to_owned()),
            Err(OnboardingError::Own) => entry.staff_error = Some(m.err_own.to_owned()),
            Err(_) => entry.staff_error = Some(m.err_staff.to_owned()),
        }
    }
    if let Some(record) = started {
        match state.store.start_onboarding(&record).await {
            Ok(()) => {
                return see_other(&format!(
                    "/training/onboarding?started={}",
                    encode(&record.staff)
                ));
            }
            Err(StoreError::Conflict(_)) => entry.staff_error = Some(m.err_staff_exists.to_owned()),
            Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
        }
    }
    match tracked_page(&state, lang, &uri, &principal, None, Some(entry)).await {
        Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

struct VolumeLine {
    label: String,
    range: String,
    handled: u32,
    accepted: u32,
    supplements: u32,
    rate: String,
}

struct ReviewLine {
    time: String,
    by: String,
    note: String,
}

struct DecidedLine {
    text: String,
    note: String,
}

/// A step's form as typed, with its message.
#[derive(Default)]
struct NoteEntry {
    note: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "training_tracker.html")]
struct TrackerPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    heading: String,
    csrf_token: String,
    manage: bool,
    mentor: String,
    period: String,
    status: String,
    plan_href: String,
    confirmation: Option<&'static str>,
    periods: Vec<VolumeLine>,
    total: VolumeLine,
    mix: Vec<VolumeLine>,
    tests: Vec<(String, String)>,
    reviews: Vec<ReviewLine>,
    review: NoteEntry,
    review_action: String,
    decided: Option<DecidedLine>,
    decision: NoteEntry,
    decision_action: String,
    decision_dated: String,
    decision_early: Option<String>,
}

fn volume_line(m: &TrainingMsgs, label: String, range: String, v: &Volume) -> VolumeLine {
    VolumeLine {
        label,
        range,
        handled: v.handled,
        accepted: v.accepted,
        supplements: v.supplements,
        rate: percent(v.supplements, v.accepted, m.none),
    }
}

/// What the page shows besides the stored record: a step's form as typed, or a done step.
#[derive(Default)]
struct Shown {
    done: Option<String>,
    review: NoteEntry,
    decision: NoteEntry,
}

async fn tracker_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    staff: &str,
    shown: Shown,
) -> Result<TrackerPage, AppError> {
    let m = TrainingMsgs::of(lang);
    let catalog = &state.catalog;
    let months = state.config.training.onboarding_months;
    let record = state
        .store
        .onboarding(&principal.center, staff)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the onboarding of {staff}")))?;
    let today = today(state);
    let work = work(state, principal, today).await?;
    let attempts = state.store.attempts(&principal.center, Some(staff)).await?;
    let tracker = Tracker::compute(&record, months, &work, &attempts, today);
    let heading = fill(m.tracker_title, staff);
    let confirmation = match shown.done.as_deref() {
        Some("review") if !record.reviews.is_empty() => Some(m.reviewed),
        Some("ready") if record.ready.is_some() => Some(m.decision_done),
        _ => None,
    };
    let mut chrome = chrome(lang, &heading, uri, principal);
    if uri.path() != tracker_href(staff) {
        // A step's answer: the switch leads to the tracker, not to the step's address.
        chrome.switch_href = format!("{}?lang={}", tracker_href(staff), lang.other().code());
    }
    Ok(TrackerPage {
        page: chrome,
        m,
        heading,
        csrf_token: principal.csrf_token.clone(),
        manage: may(principal, Action::ManageTraining),
        mentor: record.mentor.clone(),
        period: format!("{} – {}", tracker.start, tracker.end),
        status: status(m, &record, tracker.end, today),
        plan_href: plan_href(staff),
        confirmation,
        periods: tracker
            .periods
            .iter()
            .map(|p| {
                let range = format!("{} – {}", p.from, p.to);
                volume_line(m, fill(m.month_n, p.number), range, &p.volume)
            })
            .collect(),
        total: volume_line(m, m.total.to_owned(), String::new(), &tracker.total),
        mix: tracker
            .mix
            .iter()
            .map(|(item, v)| volume_line(m, item_name(catalog, lang, item), String::new(), v))
            .collect(),
        tests: tracker
            .tests_passed
            .iter()
            .map(|(item, at)| (item_name(catalog, lang, item), local_time(state, *at)))
            .collect(),
        reviews: record
            .reviews
            .iter()
            .map(|r| ReviewLine {
                time: local_time(state, r.at),
                by: r.by.clone(),
                note: r.note.clone(),
            })
            .collect(),
        review: shown.review,
        review_action: format!("{}/review", tracker_href(staff)),
        decided: record.ready.as_ref().map(|d| DecidedLine {
            text: m
                .decided
                .replace("{by}", &d.by)
                .replace("{on}", &d.on.to_string()),
            note: d.note.clone(),
        }),
        decision: shown.decision,
        decision_action: format!("{}/ready", tracker_href(staff)),
        decision_dated: fill(m.decision_dated, today),
        decision_early: (today <= tracker.end).then(|| fill(m.decision_early, tracker.end)),
    })
}

async fn show(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    staff: &str,
    shown: Shown,
    status: StatusCode,
) -> Response {
    match tracker_page(state, lang, uri, principal, staff, shown).await {
        Ok(page) => render(status, &page),
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}

#[derive(Deserialize)]
pub struct TrackerQuery {
    done: Option<String>,
}

/// GET /training/onboarding/{staff}: one member's tracker.
pub async fn tracker(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(staff): Path<String>,
    query: Result<Query<TrackerQuery>, QueryRejection>,
) -> Response {
    if !may(&principal, Action::ViewTraining) {
        return forbidden(
            lang,
            &uri,
            &principal,
            TrainingMsgs::of(lang).forbidden_manage,
        );
    }
    let shown = Shown {
        done: query.ok().and_then(|Query(q)| q.done),
        ..Shown::default()
    };
    show(
        &state,
        lang,
        &uri,
        &principal,
        &staff,
        shown,
        StatusCode::OK,
    )
    .await
}

/// POST /training/onboarding/{staff}/{review|ready}: a review, or the decision.
pub async fn step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path((staff, which)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let m = TrainingMsgs::of(lang);
    if !may(&principal, Action::ManageTraining) {
        return forbidden(lang, &uri, &principal, m.forbidden_manage);
    }
    let fields = match posted_form(lang, &uri, &principal, form) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    let ready = match which.as_str() {
        "review" => false,
        "ready" => true,
        _ => {
            let err = AppError::NotFound(format!("step {which}"));
            return error_page(lang, &uri, Some(&principal), err);
        }
    };
    let mut entry = NoteEntry {
        note: field(&fields, "note"),
        error: None,
    };
    let taken = match note(&entry.note) {
        _ if principal.actor() == staff => Err(m.err_own.to_owned()),
        Err(_) => Err(m.err_note.to_owned()),
        Ok(text) if ready => Ok(OnboardingStep::Ready {
            note: text,
            on: today(&state),
        }),
        Ok(text) => Ok(OnboardingStep::Review { note: text }),
    };
    let refusal = match taken {
        Ok(taken) => {
            let done = state
                .store
                .onboarding_step(&principal.center, &staff, &taken, by(&state, &principal))
                .await;
            match done {
                Ok(_) => {
                    let section = if ready { "decision" } else { "reviews" };
                    return see_other(&format!("{}?done={which}#{section}", tracker_href(&staff)));
                }
                // Another supervisor decided first: the page now shows their decision.
                Err(StoreError::Conflict(_)) if ready => m.err_decided.to_owned(),
                Err(StoreError::Conflict(why)) => why,
                Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
            }
        }
        Err(why) => why,
    };
    entry.error = Some(refusal);
    let shown = if ready {
        Shown {
            decision: entry,
            ..Shown::default()
        }
    } else {
        Shown {
            review: entry,
            ..Shown::default()
        }
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show(&state, lang, &uri, &principal, &staff, shown, status).await
}
