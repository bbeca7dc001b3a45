//! Picking a result up from the certificate cabinet (自助证照柜取件): the ID number and the
//! 6-digit code from the text message, typed on the keypad, tried through
//! `api::self_service::pick_up` (the API's own path: the store counts wrong codes, opens
//! the compartment, delivers the case and keeps a rating link). Opened: the
//! compartment's label, huge, and a button to rate the service now. Wrong: how many
//! tries are left, next to the code. Too many, or too late: back to the service desk.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::CenterId;

use super::track::posted;
use super::{
    CenterQuery, FormPage, KioskField, KioskFrame, KioskMsgs, chrome, failed, field, message_page,
    queried_center, read_id,
};
use crate::AppState;
use crate::api::feedback::link_path;
use crate::api::self_service::pick_up;
use crate::pages::{Chrome, Lang, render};

fn code_field(k: &KioskMsgs, typed: &str) -> KioskField {
    KioskField {
        name: "code",
        label: k.code_label,
        hint: k.code_hint,
        value: typed.trim().to_owned(),
        error: None,
        maxlength: 6,
        keypad: "digits",
        next: None,
    }
}

fn pickup_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    center: &CenterId,
    fields: Vec<KioskField>,
) -> Response {
    let k = KioskMsgs::of(lang);
    let page = FormPage {
        page: chrome(lang, k.pickup_title, uri, "/kiosk/pickup", Some(center)),
        k,
        frame: Some(KioskFrame::new(state, lang, center)),
        form_id: "kiosk-pickup",
        heading: k.pickup_title,
        intro: k.pickup_intro,
        action: "/kiosk/pickup",
        center: center.to_string(),
        fields,
        button: k.pickup_button,
        notice: None,
    };
    render(page.status(), &page)
}

/// `GET /kiosk/pickup?center=…`.
pub async fn pickup_form(
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
    let fields = vec![KioskField::id_number(k, "", "code"), code_field(k, "")];
    pickup_page(&state, lang, &uri, &center, fields)
}

#[derive(Template)]
#[template(path = "kiosk_opened.html")]
struct OpenedPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    compartment: String,
    heading: String,
    /// The rating link's page, leading back to the kiosk.
    rate_href: Option<String>,
}

/// `POST /kiosk/pickup`: one try of the code.
pub async fn pickup_try(
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
    let typed_id = field(&pairs, "id_number");
    let typed_code = field(&pairs, "code");
    let mut fields = vec![
        KioskField::id_number(k, typed_id, "code"),
        code_field(k, typed_code),
    ];
    let id = read_id(k, typed_id);
    let code = typed_code.trim();
    let code_ok = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let id = match id {
        Ok(id) if code_ok => id,
        id => {
            fields[0].error = id.err().map(str::to_owned);
            fields[1].error = (!code_ok).then(|| k.err_code.to_owned());
            return pickup_page(&state, lang, &uri, &center, fields);
        }
    };
    let picked = match pick_up(&state, center.as_ref(), id.as_ref(), code).await {
        Ok(picked) => picked,
        Err(err) => return failed(&state, lang, &uri, Some(&center), err),
    };
    match (picked.outcome, picked.compartment) {
        ("opened", Some(compartment)) => {
            let frame = KioskFrame::new(&state, lang, &center);
            let label = compartment.label();
            let page = OpenedPage {
                page: chrome(lang, k.pickup_title, &uri, "/kiosk/pickup", Some(&center)),
                k,
                rate_href: picked
                    .rating_token
                    .map(|token| format!("{}?{}", link_path(&token), frame.query())),
                frame: Some(frame),
                heading: k.opened.replace("{}", &label),
                compartment: label,
            };
            render(StatusCode::OK, &page)
        }
        ("wrong", _) => {
            let left = picked.left.unwrap_or_default().to_string();
            fields[1].error = Some(k.wrong_code.replace("{}", &left));
            pickup_page(&state, lang, &uri, &center, fields)
        }
        // Locked (one wrong code too many) or returned (too late, or gone already).
        _ => message_page(
            &state,
            lang,
            &uri,
            Some(&center),
            StatusCode::GONE,
            k.returned_title,
            k.returned.to_owned(),
            "warn",
        ),
    }
}
