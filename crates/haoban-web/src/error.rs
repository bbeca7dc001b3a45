//! One error type for every handler, grouped by meaning, with one mapping to HTTP.
//! A 5xx never shows its cause to the client: the cause goes to the log with a reference
//! the client can quote.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haoban_cases::CaseError;
use haoban_feedback::{FollowUpError, RatingError};
use haoban_insight::{InsightError, OnboardingError};
use haoban_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("too many failed attempts; try again after {0}")]
    Locked(String),
    /// Over a per-source rate limit: the seconds to wait.
    #[error(
        "请求过于频繁，请 {0} 秒后再试。Too many requests from this address; try again in {0} seconds."
    )]
    RateLimited(u64),
    #[error("internal error")]
    Unexpected(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Locked(_) => (StatusCode::TOO_MANY_REQUESTS, "locked"),
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::Unexpected(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            AppError::Unexpected(cause) => {
                let reference = format!("{:016x}", rand::random::<u64>());
                tracing::error!(%reference, %cause, "request failed");
                format!("something went wrong on our side (reference {reference})")
            }
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        if let AppError::RateLimited(wait) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, wait.into());
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => AppError::NotFound(format!("{what} not found")),
            StoreError::Conflict(why) => AppError::Conflict(why),
            StoreError::Corrupt(_) | StoreError::Database(_) => {
                AppError::Unexpected(err.to_string())
            }
        }
    }
}

impl From<CaseError> for AppError {
    fn from(err: CaseError) -> Self {
        match err {
            CaseError::NotAllowed { .. } => AppError::Forbidden(err.to_string()),
            // Someone else's case is not shown to exist.
            CaseError::OtherCenter { case, .. } => {
                AppError::NotFound(format!("case {case} not found"))
            }
            CaseError::NotOwnCase => AppError::NotFound("case not found".into()),
            CaseError::WrongState { .. } => AppError::Conflict(err.to_string()),
            CaseError::Invalid(why) => AppError::Invalid(why),
        }
    }
}

impl From<RatingError> for AppError {
    fn from(err: RatingError) -> Self {
        match err {
            RatingError::Calendar(_) => AppError::Unexpected(err.to_string()),
            RatingError::FollowUpId(_) => AppError::NotFound(err.to_string()),
            RatingError::Level(_)
            | RatingError::Month(_)
            | RatingError::BadDefault
            | RatingError::NoStaff
            | RatingError::NoChannel => AppError::Invalid(err.to_string()),
        }
    }
}

impl From<FollowUpError> for AppError {
    fn from(err: FollowUpError) -> Self {
        match err {
            FollowUpError::NotAllowed { .. }
            | FollowUpError::NotTheRated { .. }
            | FollowUpError::OwnAppeal => AppError::Forbidden(err.to_string()),
            FollowUpError::WrongStage { .. } => AppError::Conflict(err.to_string()),
            FollowUpError::Invalid(why) => AppError::Invalid(why),
        }
    }
}

/// The record or the configuration could not be read: nothing the caller can fix.
impl From<InsightError> for AppError {
    fn from(err: InsightError) -> Self {
        AppError::Unexpected(err.to_string())
    }
}

impl From<OnboardingError> for AppError {
    fn from(err: OnboardingError) -> Self {
        match err {
            OnboardingError::NotAllowed(_) | OnboardingError::Own => {
                AppError::Forbidden(err.to_string())
            }
            OnboardingError::AlreadyReady(_) => AppError::Conflict(err.to_string()),
            OnboardingError::Mentor
            | OnboardingError::Staff
            | OnboardingError::Note
            | OnboardingError::BeforeStart(_) => AppError::Invalid(err.to_string()),
        }
    }
}

/// A JSON body that could not be read becomes a 422 that says what is wrong.
impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        AppError::Invalid(rejection.body_text())
    }
}
