//! Tracking a case at the kiosk (办件查询): the ID number and the case number from the
//! receipt give the status in words, the deadline (on track, due soon, overdue, as the
//! API judges it) and what happens next. A pair that does not match is "not found",
//! whether the ID number or the case number was wrong, so the kiosk never tells whose
//! case a number is. (The rating screen asks for the same pair.)

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Case, CaseNumber, CaseStatus, CenterId, Delivery, IdNumber};
use haoban_feedback::Target;

use super::{
    CenterQuery, FormPage, KioskField, KioskFrame, KioskMsgs, center_of, chrome, failed, field,
    queried_center, read_case, read_id,
};
use crate::AppState;
use crate::api::cases::case_deadline;
use crate::error::AppError;
use crate::pages::office::status_label;
use crate::pages::{Chrome, Lang, render};

/// What a screen that asks for an ID number and a case number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pair {
    Track,
    Rate,
}

/// The form asking for the pair, with what was typed and what is wrong with it.
pub(super) fn pair_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    center: &CenterId,
    purpose: Pair,
    fields: Vec<KioskField>,
    notice: Option<String>,
) -> FormPage {
    let k = KioskMsgs::of(lang);
    let (form_id, heading, intro, action, button) = match purpose {
        Pair::Track => (
            "kiosk-track",
            k.track_title,
            k.track_intro,
            "/kiosk/track",
            k.track_button,
        ),
        Pair::Rate => (
            "kiosk-rate",
            k.rate_title,
            k.rate_intro,
            "/kiosk/rate",
            k.rate_button,
        ),
    };
    FormPage {
        page: chrome(lang, heading, uri, action, Some(center)),
        k,
        frame: Some(KioskFrame::new(state, lang, center)),
        form_id,
        heading,
        intro,
        action,
        center: center.to_string(),
        fields,
        button,
        notice,
    }
}

/// The pair's two fields, empty or as typed.
pub(super) fn pair_fields(k: &KioskMsgs, id: &str, case: &str) -> Vec<KioskField> {
    vec![
        KioskField::id_number(k, id, "case_number"),
        KioskField::case_number(k, case),
    ]
}

/// The posted pair, read; else its fields with the message next to each one refused.
pub(super) fn read_pair(
    k: &KioskMsgs,
    center: &CenterId,
    pairs: &[(String, String)],
) -> Result<(IdNumber, CaseNumber), Vec<KioskField>> {
    let typed_id = field(pairs, "id_number");
    let typed_case = field(pairs, "case_number");
    let id = read_id(k, typed_id);
    let case = read_case(k, center, typed_case);
    match (id, case) {
        (Ok(id), Ok(case)) => Ok((id, case)),
        (id, case) => {
            let mut fields = pair_fields(k, typed_id, typed_case);
            fields[0].error = id.err().map(str::to_owned);
            fields[1].error = case.err().map(str::to_owned);
            Err(fields)
        }
    }
}

/// The case the pair names, when the ID number is its applicant's. `None` alike for an
/// unknown number and for someone else's case.
pub(super) async fn case_of_pair(
    state: &AppState,
    id: &IdNumber,
    number: &CaseNumber,
) -> Result<Option<Case>, AppError> {
    Ok(state
        .store
        .case(number)
        .await?
        .filter(|case| case.applicant.id_number.is(id)))
}

/// The posted form's fields and center, or the screen that says why it cannot be read.
pub(super) async fn posted(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<(CenterId, Vec<(String, String)>), Box<Response>> {
    let Ok(Form(pairs)) = form else {
        let unreadable = AppError::Invalid(lang.msgs().bad_form.to_owned());
        return Err(Box::new(failed(state, lang, uri, None, unreadable)));
    };
    let center = center_of(state, lang, uri, field(&pairs, "center")).await?;
    Ok((center, pairs))
}

/// `GET /kiosk/track?center=…`.
pub async fn track_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<CenterQuery>, QueryRejection>,
) -> Response {
    let center = match queried_center(&state, lang, &uri, query).await {
        Ok(center) => center,
        Err(refused) => return *refused,
    };
    let k = KioskMsgs::of(lang);
    let page = pair_page(
        &state,
        lang,
        &uri,
        &center,
        Pair::Track,
        pair_fields(k, "", ""),
        None,
    );
    render(page.status(), &page)
}

/// A deadline as the resident reads it.
struct DeadlineLine {
    due: String,
    mark: &'static str,
    /// `on-track`, `due-soon` or `overdue`, for the stylesheet.
    class: &'static str,
    paused: bool,
}

#[derive(Template)]
#[template(path = "kiosk_track.html")]
struct TrackPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    center: String,
    number: String,
    item: String,
    status: &'static str,
    deadline: Option<DeadlineLine>,
    next: String,
    /// The result waits in this center's cabinet.
    pickup: bool,
    /// Delivered and not rated yet: the pair goes on to the rating screen.
    rate: bool,
    id_number: String,
}

/// `POST /kiosk/track`: the case the pair names, or the form again.
pub async fn track_look_up(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let k = KioskMsgs::of(lang);
    let (center, pairs) = match posted(&state, lang, &uri, form).await {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let again = |fields, notice| {
        let page = pair_page(&state, lang, &uri, &center, Pair::Track, fields, notice);
        render(page.status(), &page)
    };
    let (id, number) = match read_pair(k, &center, &pairs) {
        Ok(pair) => pair,
        Err(fields) => return again(fields, None),
    };
    let case = match case_of_pair(&state, &id, &number).await {
        Ok(Some(case)) => case,
        Ok(None) => {
            let fields = pair_fields(k, field(&pairs, "id_number"), field(&pairs, "case_number"));
            return again(fields, Some(k.not_found.to_owned()));
        }
        Err(err) => return failed(&state, lang, &uri, Some(&center), err),
    };
    let delivered = matches!(case.status, CaseStatus::Delivered | CaseStatus::Closed);
    let rate = delivered
        && match state.store.rating(&case.center, &case_target(&case)).await {
            Ok(rating) => rating.is_none(),
            Err(err) => return failed(&state, lang, &uri, Some(&center), err.into()),
        };
    let deadline = case_deadline(&state, &case).map(|d| DeadlineLine {
        due: d.due.format("%Y-%m-%d").to_string(),
        mark: k.deadline_state(d.state),
        class: match d.state {
            haoban_cases::DeadlineState::OnTrack => "on-track",
            haoban_cases::DeadlineState::DueSoon => "due-soon",
            haoban_cases::DeadlineState::Overdue => "overdue",
        },
        paused: d.paused,
    });
    let page = TrackPage {
        page: chrome(lang, k.track_title, &uri, "/kiosk/track", Some(&center)),
        k,
        frame: Some(KioskFrame::new(&state, lang, &center)),
        center: center.to_string(),
        number: case.number.to_string(),
        item: state
            .catalog
            .item(&case.item)
            .map_or_else(|| case.item.clone(), |i| i.name.get(lang.locale()).into()),
        status: status_label(lang, case.status),
        deadline,
        next: next_step(&state, lang, &case),
        pickup: case.status == CaseStatus::Ready
            && case.delivery == Some(Delivery::Cabinet)
            && case.center == center,
        rate,
        id_number: id.to_string(),
    };
    render(StatusCode::OK, &page)
}

fn case_target(case: &Case) -> Target {
    Target::Case {
        case: case.number.clone(),
    }
}

fn date(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// What the resident should expect or do next, in words.
fn next_step(state: &AppState, lang: Lang, case: &Case) -> String {
    let k = KioskMsgs::of(lang);
    let materials = |ids: &[String]| {
        ids.iter()
            .map(|id| {
                state
                    .catalog
                    .material(id)
                    .map_or_else(|| id.clone(), |m| m.name.get(lang.locale()).to_owned())
            })
            .collect::<Vec<_>>()
            .join(lang.msgs().list_sep)
    };
    let owed = case
        .deficiency
        .as_ref()
        .filter(|d| d.fulfilled_on.is_none() && case.status.is_pending())
        .map(|d| {
            k.next_deficiency
                .replace("{materials}", &materials(&d.materials))
                .replace("{due}", &date(d.due))
        });
    let reason = || case.reason.clone().unwrap_or_default();
    match case.status {
        CaseStatus::Submitted => k.next_submitted.to_owned(),
        CaseStatus::SupplementRequested => {
            match case.suspensions.iter().rev().find(|s| s.until.is_none()) {
                Some(open) => k
                    .next_supplement
                    .replace("{request}", &open.request)
                    .replace("{due}", &date(open.due)),
                None => k.next_in_review.to_owned(),
            }
        }
        CaseStatus::Accepted | CaseStatus::AcceptedWithDeficiency | CaseStatus::InReview => {
            owed.unwrap_or_else(|| k.next_in_review.to_owned())
        }
        CaseStatus::Approved => k.next_approved.to_owned(),
        CaseStatus::Ready => match case.delivery {
            Some(Delivery::Cabinet) => k.next_ready_cabinet,
            Some(Delivery::Post) => k.next_ready_post,
            Some(Delivery::ELicence) => k.next_ready_e_licence,
            Some(Delivery::Window) | None => k.next_ready_window,
        }
        .to_owned(),
        CaseStatus::Delivered => k.next_delivered.to_owned(),
        CaseStatus::Closed => k.next_closed.to_owned(),
        CaseStatus::NotAccepted | CaseStatus::Denied => k.next_refused.replace("{}", &reason()),
        CaseStatus::Withdrawn => k.next_withdrawn.to_owned(),
    }
}
