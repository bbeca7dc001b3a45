//! The API's `Query` and `Path` extractors: axum's, with a bad query string or path
//! answered in the API's own error JSON instead of axum's plain-text 400, which a client
//! reading `{"error": ...}` cannot parse. A query string that does not fit is 422 naming
//! the parameter; a path that does not decode (invalid UTF-8) names nothing: 404.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::AppError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::Invalid(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(err) => {
                AppError::NotFound(format!("no such resource: {}", err.body_text()))
            }
            // The route and the handler disagree: the server's fault, not the caller's.
            other => AppError::Unexpected(other.body_text()),
        }
    }
}

/// A JSON object as the request body. axum's `Json` would let serde read a struct from
/// an array too (`[null, null]` as `{category: null, priority: null}`), which the document
/// does not allow; anything but an object is refused, in the API's error JSON.
pub struct Object<T>(pub T);

impl<S, T> FromRequest<S> for Object<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        // Kept as written, so a field that keeps its raw JSON (decimals) still can.
        let Json(raw) = Json::<Box<RawValue>>::from_request(req, state).await?;
        if !raw.get().starts_with('{') {
            return Err(AppError::Invalid("the body must be a JSON object".into()));
        }
        // axum's reading, so a message names the field (`priority: unknown variant`).
        let Json(value) = Json::<T>::from_bytes(raw.get().as_bytes())?;
        Ok(Object(value))
    }
}
