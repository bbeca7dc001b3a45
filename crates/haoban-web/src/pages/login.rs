//! `/login` and `/logout`: the form face of `POST/DELETE /api/v1/session`. Signing in
//! goes through the API's own handler, so the rules (argon2 check, lockout, one message
//! for a wrong name or password) are the same by construction.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use haoban_cases::Role;
use serde::Deserialize;

use super::{
    Chrome, Lang, MaybeSignedIn, SignedIn, check_csrf, csrf_page, error_page, render, safe_next,
    see_other,
};
use crate::AppState;
use crate::api::session::{SignIn, SignInError, sign_out as api_sign_out, sign_staff_in};
use crate::audit::AccessNote;
use crate::client_addr::ClientSource;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    next: String,
    username: String,
    username_error: Option<&'static str>,
    password_error: Option<&'static str>,
    /// Wrong password, locked account: shown next to the form.
    form_error: Option<String>,
    signed_in: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(
    lang: Lang,
    uri: Uri,
    Query(query): Query<NextQuery>,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Response {
    let t = lang.msgs();
    let page = LoginPage {
        page: Chrome::new(lang, t.login_title, &uri, principal.as_ref()),
        next: safe_next(query.next.as_deref()),
        username: String::new(),
        username_error: None,
        password_error: None,
        form_error: None,
        signed_in: principal.is_some(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The authenticator app's code; empty for accounts without a second factor.
    #[serde(default)]
    totp: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientSource(source): ClientSource,
    note: AccessNote,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let t = lang.msgs();
    let Ok(Form(form)) = form else {
        return error_page(
            lang,
            &uri,
            None,
            AppError::Invalid("unreadable form".into()),
        );
    };
    // A sign-in started by another site (login CSRF) is refused; browsers say so.
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        return error_page(
            lang,
            &uri,
            None,
            AppError::Forbidden(t.csrf_failed.to_owned()),
        );
    }
    let next = safe_next(form.next.as_deref());
    let mut page = LoginPage {
        page: Chrome::new(lang, t.login_title, &uri, None),
        next: next.clone(),
        username: form.username.clone(),
        username_error: form
            .username
            .trim()
            .is_empty()
            .then_some(t.username_required),
        password_error: form.password.is_empty().then_some(t.password_required),
        form_error: None,
        signed_in: false,
    };
    if page.username_error.is_some() || page.password_error.is_some() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    note.attempted(&form.username);
    let totp = Some(form.totp.trim().to_owned()).filter(|code| !code.is_empty());
    let username = form.username.clone();
    let body = SignIn::new(form.username, form.password, totp);
    match sign_staff_in(&state, &source, &body).await {
        Ok(signed_in) => {
            // The administrators have no use for the desk, where a sign-in goes by default.
            let landing = match state.store.user(&username).await {
                Ok(Some(user)) if next == "/desk" => start_page(user.role),
                _ => next.as_str(),
            };
            let mut response = see_other(landing);
            if let Some(cookie) = signed_in.headers().get(header::SET_COOKIE) {
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookie.clone());
            }
            response
        }
        Err(SignInError::WrongCredentials) => {
            page.form_error = Some(t.login_wrong.to_owned());
            render(StatusCode::UNAUTHORIZED, &page)
        }
        Err(SignInError::NoSecondFactor(_)) => {
            page.form_error = Some(t.login_needs_totp.to_owned());
            render(StatusCode::FORBIDDEN, &page)
        }
        Err(SignInError::Locked(until)) => {
            page.form_error = Some(t.login_locked.replace("{}", &until));
            render(StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(SignInError::Unexpected(other)) => error_page(lang, &uri, None, other),
    }
}

/// Where a role starts when it signed in without asking for a page.
fn start_page(role: Role) -> &'static str {
    match role {
        Role::SystemAdmin | Role::SecurityAdmin => "/admin",
        Role::Auditor => "/access-log",
        _ => "/desk",
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let sent = form.map(|Form(f)| f.csrf_token).unwrap_or_default();
    if !check_csrf(&principal, &sent) {
        return csrf_page(lang, &uri, &principal);
    }
    // A resident goes back to the portal; a clerk who was assisting one, to sign in again.
    let after = match (principal.role, &principal.assisted_by) {
        (Role::Resident, Some(_)) => "/login?next=/portal/assist",
        (Role::Resident, None) => "/portal",
        _ => "/login",
    };
    match api_sign_out(State(state), principal).await {
        Ok(signed_out) => {
            let mut response = see_other(after);
            if let Some(cookie) = signed_out.headers().get(header::SET_COOKIE) {
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookie.clone());
            }
            response
        }
        Err(err) => error_page(lang, &uri, None, err),
    }
}
