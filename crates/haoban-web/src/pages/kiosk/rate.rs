//! Rating a case from the kiosk's home (评价): the ID number and the case number of a
//! delivered case open a one-time rating link, kept as `api::feedback::invite` keeps
//! the ones it sends (not sent: the resident is here), and the kiosk goes on to the
//! link's page, `/rate/{token}?kiosk=<center>`, which rates once through the API's own
//! path and leads back to the kiosk. The pair is checked as tracking checks it, so a
//! wrong pair says only "not found". Visits are rated on the window pad.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::CaseStatus;
use haoban_feedback::Target;

use super::track::{Pair, case_of_pair, pair_fields, pair_page, posted, read_pair};
use super::{CenterQuery, KioskFrame, KioskMsgs, failed, field, message_page, queried_center};
use crate::AppState;
use crate::api::feedback::{link_path, rating_link};
use crate::pages::{Lang, render, see_other};

/// `GET /kiosk/rate?center=…`.
pub async fn rate_form(
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
    let fields = pair_fields(k, "", "");
    let page = pair_page(&state, lang, &uri, &center, Pair::Rate, fields, None);
    render(page.status(), &page)
}

/// `POST /kiosk/rate`: the rating link's page for the case the pair names, or why not.
pub async fn rate_open(
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
    let again = |notice: &str| {
        let fields = pair_fields(k, field(&pairs, "id_number"), field(&pairs, "case_number"));
        let page = pair_page(
            &state,
            lang,
            &uri,
            &center,
            Pair::Rate,
            fields,
            Some(notice.to_owned()),
        );
        render(page.status(), &page)
    };
    let (id, number) = match read_pair(k, &center, &pairs) {
        Ok(pair) => pair,
        Err(fields) => {
            let page = pair_page(&state, lang, &uri, &center, Pair::Rate, fields, None);
            return render(page.status(), &page);
        }
    };
    let case = match case_of_pair(&state, &id, &number).await {
        Ok(Some(case)) => case,
        Ok(None) => return again(k.not_found),
        Err(err) => return failed(&state, lang, &uri, Some(&center), err),
    };
    if !matches!(case.status, CaseStatus::Delivered | CaseStatus::Closed) {
        return again(k.not_delivered);
    }
    let target = Target::Case {
        case: case.number.clone(),
    };
    match state.store.rating(&case.center, &target).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            let thanks = k.already_rated.to_owned();
            let status = StatusCode::CONFLICT;
            let center = Some(&center);
            return message_page(
                &state,
                lang,
                &uri,
                center,
                status,
                k.rate_title,
                thanks,
                "ok",
            );
        }
        Err(err) => return failed(&state, lang, &uri, Some(&center), err.into()),
    }
    match rating_link(&state, &case.center, target, id.as_ref()).await {
        Some(token) => {
            let back = KioskFrame::new(&state, lang, &center).query();
            see_other(&format!("{}?{back}", link_path(&token)))
        }
        None => again(k.no_link),
    }
}
