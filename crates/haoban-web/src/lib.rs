//! haoban-web: the HTTP face of haoban. A JSON API under `/api/v1`, described at
//! `/api/openapi.json`; handlers hold `Arc<dyn Store>` and call domain code, never SQL.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::Duration;
use haoban_cases::{Action, Clock, Role, Scope, permits};
use haoban_catalog::Catalog;
use haoban_feedback::FeedbackConfig;
use haoban_store::Store;

mod api;
pub mod audit;
pub mod auth;
pub mod client_addr;
pub mod devices;
pub mod error;
pub mod list_export;
pub mod notifier;
mod pages;
pub mod rate_limit;
pub mod scheduler;

pub use api::feedback::record_due_defaults;
pub use auth::{Principal, hash_password};
pub use devices::{Devices, LogDevices, MemoryDevices};
pub use error::{AppError, AppResult};
pub use notifier::{LogNotifier, MemoryNotifier, Notifier};

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A cookie session ends after this long without a request.
    pub idle_timeout: Duration,
    /// ... and after this long in any case.
    pub absolute_timeout: Duration,
    /// Failed sign-ins to one account from one source before that source is locked out
    /// of it, and for how long.
    pub lock_after: u32,
    pub lock_for: Duration,
    /// The rule new staff passwords follow.
    pub password_rule: auth::PasswordRule,
    /// Roles besides the three administrators' whose sign-in needs a TOTP code too.
    pub totp_roles: Vec<Role>,
    /// Working days before the due date from which a case counts as due soon.
    pub due_soon_days: u64,
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookies: bool,
    /// Ratings: the default for the silent, the follow-up deadline, rating links.
    pub feedback: FeedbackConfig,
    /// Training: the high-frequency line, the tests' pass mark, the onboarding months.
    pub training: haoban_insight::TrainingConfig,
    /// The 24-hour area and online handling: cabinets, uploads, the kiosk.
    pub self_service: SelfServiceConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`client_addr`]).
    pub trusted_proxies: client_addr::TrustedProxies,
    /// How long personal data and the access log are kept.
    pub retention: Retention,
    /// Requests per minute one source may make at sign-in, code and kiosk doors.
    pub rate_limits: rate_limit::RateLimits,
}

/// How long what identifies people is kept. The retention job (`scheduler`) removes what is
/// older; see `docs/audit.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Visitors not seen since, appointments, offers, finished parcels, and the files of
    /// cases closed this many days ago.
    pub personal_data_days: u32,
    /// Access-log records: at least [`haoban_store::access::MIN_ACCESS_LOG_DAYS`].
    pub access_log_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        // Three years for what a case needs after it closes (an appeal, a complaint, the
        // follow-up of a rating), one year past the legal minimum for the access log.
        Retention {
            personal_data_days: 3 * 365,
            access_log_days: 365,
        }
    }
}

/// Why a retention is refused at startup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error(
        "the access log must be kept at least {min} days (等保2.0 level 3 asks six months); {0} days were configured",
        min = haoban_store::access::MIN_ACCESS_LOG_DAYS
    )]
    AccessLogTooShort(u32),
    #[error("personal data must be kept at least one day; 0 was configured")]
    PersonalDataZero,
}

impl Retention {
    /// Checks the configured days; the server refuses to start with a retention this refuses.
    pub fn new(personal_data_days: u32, access_log_days: u32) -> Result<Retention, RetentionError> {
        if i64::from(access_log_days) < haoban_store::access::MIN_ACCESS_LOG_DAYS {
            return Err(RetentionError::AccessLogTooShort(access_log_days));
        }
        if personal_data_days == 0 {
            return Err(RetentionError::PersonalDataZero);
        }
        Ok(Retention {
            personal_data_days,
            access_log_days,
        })
    }
}

#[derive(Debug, Clone)]
pub struct SelfServiceConfig {
    /// How long a result waits in a cabinet, and how many wrong codes it allows.
    pub pickup: haoban_hall::PickupRules,
    /// The largest file a resident may upload, in bytes.
    pub upload_limit: usize,
    /// Seconds without a touch after which the kiosk clears its screen.
    pub kiosk_idle_seconds: u32,
}

impl Default for SelfServiceConfig {
    fn default() -> Self {
        SelfServiceConfig {
            pickup: haoban_hall::PickupRules::default(),
            upload_limit: 5 * 1024 * 1024,
            kiosk_idle_seconds: 60,
        }
    }
}

impl WebConfig {
    /// Whether `role` signs in with a TOTP code: the administrators always (三权分立 accounts
    /// hold the keys to everything else), others as configured.
    pub fn needs_totp(&self, role: Role) -> bool {
        role.is_admin() || self.totp_roles.contains(&role)
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
            lock_after: 5,
            lock_for: Duration::minutes(15),
            password_rule: auth::PasswordRule::default(),
            totp_roles: Vec::new(),
            due_soon_days: 2,
            secure_cookies: false,
            feedback: FeedbackConfig::default(),
            training: haoban_insight::TrainingConfig::default(),
            self_service: SelfServiceConfig::default(),
            trusted_proxies: client_addr::TrustedProxies::none(),
            retention: Retention::default(),
            rate_limits: rate_limit::RateLimits::default(),
        }
    }
}

/// What every handler can reach. Nothing in it is state another instance would need:
/// sessions, codes and cases all live in the store.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub clock: Arc<dyn Clock>,
    pub notifier: Arc<dyn Notifier>,
    /// The 24-hour area's door and cabinet locks.
    pub devices: Arc<dyn Devices>,
    pub config: WebConfig,
    /// This process's per-source counts (see [`rate_limit`]).
    pub rate_limiter: Arc<rate_limit::RateLimiter>,
}

/// Checks the policy table for `action`: the scope it is allowed in, or 403.
pub fn authorize(principal: &Principal, action: Action) -> AppResult<Scope> {
    permits(principal.role, action)
        .ok_or_else(|| AppError::Forbidden(format!("the {} role may not {action}", principal.role)))
}

pub fn router(state: AppState) -> Router {
    // Room for a file at the limit and a form around it; a larger file is refused by size
    // with the limit named, not cut off.
    let upload_body_limit = state.config.self_service.upload_limit + 256 * 1024;
    let v1 = Router::new()
        .route(
            "/session",
            post(api::session::sign_in)
                .delete(api::session::sign_out)
                .get(api::session::whoami),
        )
        .route("/tokens", post(api::session::create_token))
        .route("/resident/code", post(api::session::send_code))
        .route("/resident/session", post(api::session::resident_sign_in))
        .route("/catalog", get(api::catalog::catalog))
        .route("/items/{id}", get(api::catalog::item))
        .route("/prereview", post(api::catalog::prereview))
        .route("/cases", post(api::cases::create).get(api::cases::list))
        .route("/cases/{number}", get(api::cases::read))
        .route("/cases/{number}/record", get(api::cases::record))
        .route("/cases/{number}/actions/{action}", post(api::cases::act))
        .route("/audit/verify", get(api::audit::verify))
        .route("/access-log", get(api::access_log::list))
        .route("/tickets", post(api::hall::issue).get(api::hall::queue))
        .route("/windows/{window}/call", post(api::hall::call_next))
        .route("/tickets/{number}/actions/{action}", post(api::hall::step))
        .route("/visitors", post(api::visitors::register))
        .route("/visitors/lookup", post(api::visitors::lookup))
        .route("/visits", post(api::visitors::consult))
        .route(
            "/appointments",
            post(api::visitors::book).get(api::visitors::appointments),
        )
        .route("/appointments/check-in", post(api::visitors::check_in))
        .route(
            "/ratings",
            post(api::feedback::rate).get(api::feedback::list),
        )
        .route("/follow-ups", get(api::follow_ups::list))
        .route("/follow-ups/{id}", get(api::follow_ups::read))
        .route(
            "/follow-ups/{id}/call_back",
            post(api::follow_ups::call_back),
        )
        .route("/follow-ups/{id}/fix", post(api::follow_ups::fix))
        .route("/follow-ups/{id}/appeal", post(api::follow_ups::appeal))
        .route("/follow-ups/{id}/decide", post(api::follow_ups::decide))
        .route("/kiosk/door", post(api::self_service::door))
        .route("/kiosk/pickup", post(api::self_service::pickup))
        .route(
            "/cabinets",
            get(api::self_service::cabinets).post(api::self_service::install),
        )
        .route(
            "/cases/{number}/uploads",
            get(api::self_service::uploads)
                .post(api::self_service::upload)
                .layer(DefaultBodyLimit::max(upload_body_limit)),
        )
        .route(
            "/cases/{number}/uploads/{id}",
            get(api::self_service::download),
        );
    Router::new()
        .nest("/api/v1", v1)
        .route("/api/openapi.json", get(api::openapi::document))
        .route("/metrics", get(api::metrics::metrics))
        .merge(pages::router(&state))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .with_state(state)
}
