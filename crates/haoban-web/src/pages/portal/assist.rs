//! `/portal/assist`, assisted online handling (网上办理导引): a clerk at the online area
//! opens the portal for a resident beside them. The resident's own one-time code signs
//! them in (so the clerk cannot act for someone who is not there), the clerk's session
//! ends, and every step taken in the resident's session is recorded as assisted by them.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, IdNumber, Role, permits};

use super::msgs::PortalMsgs;
use super::{SignInForm, SignInPage, check_sign_in, chrome, with_session};
use crate::AppState;
use crate::api::session::{send_resident_code, sign_resident_in};
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Lang, SignedIn, check_csrf, csrf_page, error_page, form_field, render};

/// Staff who open cases for residents may guide them online.
fn may_assist(principal: &Principal) -> bool {
    principal.role != Role::Resident && permits(principal.role, Action::CreateCase).is_some()
}

async fn assist_page(state: &AppState, lang: Lang, uri: &Uri, principal: &Principal) -> SignInPage {
    let p = PortalMsgs::of(lang);
    let mut page = SignInPage::new(state, lang, uri, Some(principal.center.to_string())).await;
    (page.page, page.c) = chrome(lang, p.assist_title, uri, Some(principal));
    page.centers = vec![principal.center.to_string()];
    page.action = "/portal/assist";
    page.title = p.assist_title;
    page.intro = p.assist_intro;
    page
}

/// `GET /portal/assist`.
pub async fn assist_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if !may_assist(&principal) {
        let refused = AppError::Forbidden(format!("the {} role may not assist", principal.role));
        return error_page(lang, &uri, Some(&principal), refused);
    }
    render(
        StatusCode::OK,
        &assist_page(&state, lang, &uri, &principal).await,
    )
}

/// `POST /portal/assist`: `step=code` sends the resident their code; `step=sign_in`
/// checks it, ends the clerk's session and starts the resident's, marked assisted.
pub async fn assist_step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !may_assist(&principal) {
        let refused = AppError::Forbidden(format!("the {} role may not assist", principal.role));
        return error_page(lang, &uri, Some(&principal), refused);
    }
    let pairs = form.map(|Form(pairs)| pairs).unwrap_or_default();
    let field = |name: &str| form_field(&pairs, name).to_owned();
    if !check_csrf(&principal, &field("csrf_token")) {
        return csrf_page(lang, &uri, &principal);
    }
    let p = PortalMsgs::of(lang);
    let form = SignInForm {
        id_number: field("id_number"),
        center: principal.center.to_string(),
        code: field("code"),
        step: field("step"),
    };
    let mut page = assist_page(&state, lang, &uri, &principal).await;
    if !check_sign_in(&mut page, p, &form) {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let masked = IdNumber::parse(&page.id_number)
        .map(|id| id.masked())
        .unwrap_or_default();
    page.code_sent = Some(p.code_sent.replace("{}", &masked));
    if form.step != "sign_in" {
        return match send_resident_code(&state, &page.id_number, &page.center).await {
            Ok(()) => render(StatusCode::OK, &page),
            Err(err) => error_page(lang, &uri, Some(&principal), err),
        };
    }
    let code = form.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        page.code_error = Some(p.err_code);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let clerk = principal.subject.clone();
    match sign_resident_in(&state, &page.id_number, code, Some(clerk)).await {
        Ok(signed_in) => {
            if let Err(err) = state.store.delete_session(&principal.session_hash).await {
                return error_page(lang, &uri, Some(&principal), err.into());
            }
            with_session(signed_in, "/portal")
        }
        Err(AppError::Forbidden(_)) => {
            page.code_error = Some(p.err_code_wrong);
            render(StatusCode::UNAUTHORIZED, &page)
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}
