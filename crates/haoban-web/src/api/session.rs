//! Signing in and out: staff with a password, residents with a one-time code, scripts
//! with API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use haoban_cases::{CenterId, IdNumber, Role};
use haoban_store::{LoginCode, Session, SessionKind};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::Object;
use crate::AppState;
use crate::auth::{
    Principal, SESSION_COOKIE, hash_secret, new_secret, verify_nothing, verify_password,
};
use crate::error::{AppError, AppResult};

/// Wrong codes allowed before a resident must ask for a new one.
const CODE_ATTEMPTS: u32 = 5;
const CODE_VALID_MINUTES: i64 = 10;

#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
}

fn session_cookie(state: &AppState, secret: &str) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.config.absolute_timeout.num_seconds()
    )
}

async fn start_session(
    state: &AppState,
    subject: String,
    role: Role,
    center: CenterId,
    kind: SessionKind,
    assisted_by: Option<String>,
) -> AppResult<(String, Session)> {
    let secret = new_secret();
    let now = state.clock.now();
    let session = Session {
        id_hash: hash_secret(&secret),
        kind,
        subject,
        role,
        center,
        created_at: now,
        last_seen: now,
        csrf_token: new_secret(),
        assisted_by,
    };
    state.store.create_session(&session).await?;
    Ok((secret, session))
}

fn signed_in(state: &AppState, secret: &str, session: &Session) -> Response {
    (
        [(header::SET_COOKIE, session_cookie(state, secret))],
        Json(json!({
            "subject": session.subject,
            "role": session.role,
            "center": session.center,
            "csrf_token": session.csrf_token,
        })),
    )
        .into_response()
}

pub async fn sign_in(
    State(state): State<AppState>,
    body: Result<Object<SignIn>, AppError>,
) -> AppResult<Response> {
    let Object(form) = body?;
    let wrong = || AppError::Forbidden("wrong username or password".into());
    let Some(user) = state.store.user(&form.username).await? else {
        verify_nothing(&form.password);
        return Err(wrong());
    };
    let now = state.clock.now();
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(AppError::Locked(
            until.format("%Y-%m-%d %H:%M UTC").to_string(),
        ));
    }
    if user.disabled || !verify_password(&form.password, &user.password_hash) {
        state
            .store
            .login_failed(
                &user.username,
                state.config.lock_after,
                now + state.config.lock_for,
            )
            .await?;
        return Err(wrong());
    }
    state.store.login_succeeded(&user.username).await?;
    let (secret, session) = start_session(
        &state,
        user.username,
        user.role,
        user.center,
        SessionKind::Cookie,
        None,
    )
    .await?;
    Ok(signed_in(&state, &secret, &session))
}

pub async fn sign_out(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    state.store.delete_session(&principal.session_hash).await?;
    let expired = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok(([(header::SET_COOKIE, expired)], StatusCode::NO_CONTENT).into_response())
}

pub async fn whoami(principal: Principal) -> Json<Value> {
    Json(json!({
        "subject": principal.actor(),
        "role": principal.role,
        "center": principal.center,
        "csrf_token": principal.csrf_token,
    }))
}

/// An API token for scripts: same role and center as the staff member who asks.
pub async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<(StatusCode, Json<Value>)> {
    if principal.role == Role::Resident {
        return Err(AppError::Forbidden(
            "residents sign in with a code, not tokens".into(),
        ));
    }
    let (secret, _) = start_session(
        &state,
        principal.subject,
        principal.role,
        principal.center,
        SessionKind::ApiToken,
        None,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "token": secret }))))
}

#[derive(Deserialize)]
pub struct CodeRequest {
    id_number: String,
    center: String,
}

fn code_hash(id_number: &str, code: &str) -> String {
    hash_secret(&format!("{id_number}:{code}"))
}

pub async fn send_code(
    State(state): State<AppState>,
    body: Result<Object<CodeRequest>, AppError>,
) -> AppResult<StatusCode> {
    let Object(request) = body?;
    send_resident_code(&state, &request.id_number, &request.center).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sends a resident a one-time sign-in code for `center`'s portal, kept only hashed.
pub(crate) async fn send_resident_code(
    state: &AppState,
    id_number: &str,
    center: &str,
) -> AppResult<()> {
    let id = IdNumber::parse(id_number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let center = CenterId::parse(center).map_err(|e| AppError::Invalid(e.to_string()))?;
    let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
    state
        .store
        .put_login_code(&LoginCode {
            center,
            id_number: id.to_string(),
            code_hash: code_hash(id.as_ref(), &code),
            expires_at: state.clock.now() + Duration::minutes(CODE_VALID_MINUTES),
            attempts: 0,
        })
        .await?;
    let message = format!(
        "【好办】您的登录验证码为 {code}，{CODE_VALID_MINUTES} 分钟内有效。Your sign-in code is {code}."
    );
    state.notifier.send(id.as_ref(), &message).await;
    Ok(())
}

#[derive(Deserialize)]
pub struct ResidentSignIn {
    id_number: String,
    code: String,
}

pub async fn resident_sign_in(
    State(state): State<AppState>,
    body: Result<Object<ResidentSignIn>, AppError>,
) -> AppResult<Response> {
    let Object(form) = body?;
    sign_resident_in(&state, &form.id_number, &form.code, None).await
}

/// Checks a resident's one-time code and starts their session; `assisted_by` names the
/// clerk who opened it beside them at the online area (网上办理导引).
pub(crate) async fn sign_resident_in(
    state: &AppState,
    id_number: &str,
    code: &str,
    assisted_by: Option<String>,
) -> AppResult<Response> {
    let wrong = || AppError::Forbidden("wrong or expired code; ask for a new one".into());
    let id = IdNumber::parse(id_number).map_err(|e| AppError::Invalid(e.to_string()))?;
    let Some(sent) = state.store.login_code_attempt(id.as_ref()).await? else {
        return Err(wrong());
    };
    if sent.attempts > CODE_ATTEMPTS || sent.expires_at < state.clock.now() {
        state.store.delete_login_code(id.as_ref()).await?;
        return Err(wrong());
    }
    if sent.code_hash != code_hash(id.as_ref(), code.trim()) {
        return Err(wrong());
    }
    state.store.delete_login_code(id.as_ref()).await?;
    let (secret, session) = start_session(
        state,
        id.to_string(),
        Role::Resident,
        sent.center,
        SessionKind::Cookie,
        assisted_by,
    )
    .await?;
    Ok(signed_in(state, &secret, &session))
}
