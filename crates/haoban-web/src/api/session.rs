//! Signing in and out: staff with a password, residents with a one-time code, scripts
//! with API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use haoban_cases::{CenterId, IdNumber, Role};
use haoban_store::{LoginCode, Session, SessionKind, User};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::Object;
use crate::AppState;
use crate::audit::AccessNote;
use crate::auth::totp::TotpSecret;
use crate::auth::{
    Principal, SESSION_COOKIE, hash_secret, new_secret, verify_nothing, verify_password,
};
use crate::client_addr::ClientSource;
use crate::error::{AppError, AppResult};

/// Wrong codes allowed before a resident must ask for a new one.
const CODE_ATTEMPTS: u32 = 5;
const CODE_VALID_MINUTES: i64 = 10;

#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
    /// The authenticator app's code, for accounts with a second factor.
    #[serde(default)]
    totp: Option<String>,
}

impl SignIn {
    pub fn new(username: String, password: String, totp: Option<String>) -> SignIn {
        SignIn {
            username,
            password,
            totp,
        }
    }
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
    ClientSource(source): ClientSource,
    note: AccessNote,
    body: Result<Object<SignIn>, AppError>,
) -> AppResult<Response> {
    let Object(form) = body?;
    note.attempted(&form.username);
    Ok(sign_staff_in(&state, &source, &form).await?)
}

/// Why a staff sign-in did not go through: the API answers each as an `AppError`; the
/// login page says each in its own words.
#[derive(Debug)]
pub(crate) enum SignInError {
    /// A wrong username, password or code: one answer for all, so none is confirmed.
    WrongCredentials,
    /// The role signs in with a second factor and the account has no key yet.
    NoSecondFactor(Role),
    /// This place is locked out of the account until then (UTC, as shown).
    Locked(String),
    Unexpected(AppError),
}

impl From<AppError> for SignInError {
    fn from(error: AppError) -> Self {
        SignInError::Unexpected(error)
    }
}

impl From<haoban_store::StoreError> for SignInError {
    fn from(error: haoban_store::StoreError) -> Self {
        SignInError::Unexpected(error.into())
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::WrongCredentials => AppError::Forbidden(WRONG_CREDENTIALS.into()),
            SignInError::NoSecondFactor(role) => AppError::Forbidden(format!(
                "the {role} role signs in with a second factor (TOTP) and this account has none yet: ask the security administrator to issue one"
            )),
            SignInError::Locked(until) => AppError::Locked(until),
            SignInError::Unexpected(error) => error,
        }
    }
}

/// Checks a staff member's password and, where the account has one, TOTP code, and
/// starts their session. Failures are counted per account and source: guessing from one
/// place locks that place out of the account, never the owner signing in from elsewhere.
pub(crate) async fn sign_staff_in(
    state: &AppState,
    source: &str,
    form: &SignIn,
) -> Result<Response, SignInError> {
    let now = state.clock.now();
    // Unknown usernames are counted and locked the same, so a lock tells nothing.
    if let Some(until) = state
        .store
        .sign_in_locked_until(&form.username, source)
        .await?
        .filter(|until| *until > now)
    {
        return Err(SignInError::Locked(
            until.format("%Y-%m-%d %H:%M UTC").to_string(),
        ));
    }
    let user = state.store.user(&form.username).await?;
    let checked = match &user {
        Some(user) => {
            !user.disabled
                && verify_password(&form.password, &user.password_hash)
                && second_factor_holds(state, user, form.totp.as_deref()).await?
        }
        None => {
            verify_nothing(&form.password);
            false
        }
    };
    let Some(user) = user.filter(|_| checked) else {
        state
            .store
            .sign_in_failed(
                &form.username,
                source,
                state.config.lock_after,
                now + state.config.lock_for,
            )
            .await?;
        return Err(SignInError::WrongCredentials);
    };
    if user.totp_secret.is_none() && state.config.needs_totp(user.role) {
        return Err(SignInError::NoSecondFactor(user.role));
    }
    state
        .store
        .sign_in_succeeded(&user.username, source)
        .await?;
    let (secret, session) = start_session(
        state,
        user.username,
        user.role,
        user.center,
        SessionKind::Cookie,
        None,
    )
    .await?;
    Ok(signed_in(state, &secret, &session))
}

/// One message for a wrong username, password or code, so none of them is confirmed.
const WRONG_CREDENTIALS: &str = "wrong username, password or code";

/// An account without a TOTP secret has nothing more to show; one with a secret must
/// send a code of the current step (or one either side) not used before.
async fn second_factor_holds(state: &AppState, user: &User, code: Option<&str>) -> AppResult<bool> {
    let Some(text) = &user.totp_secret else {
        return Ok(true);
    };
    let secret = TotpSecret::from_base32(text)
        .map_err(|e| AppError::Unexpected(format!("the TOTP secret of {}: {e}", user.username)))?;
    let Some(step) = code.and_then(|code| secret.matching_step(code, state.clock.now())) else {
        return Ok(false);
    };
    Ok(state.store.claim_totp_step(&user.username, step).await?)
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
    note: AccessNote,
    body: Result<Object<CodeRequest>, AppError>,
) -> AppResult<StatusCode> {
    let Object(request) = body?;
    note.attempted(&request.id_number);
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
    note: AccessNote,
    body: Result<Object<ResidentSignIn>, AppError>,
) -> AppResult<Response> {
    let Object(form) = body?;
    note.attempted(&form.id_number);
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
