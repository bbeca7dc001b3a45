//! `/api/v1`: one module per resource.

pub mod access_log;
pub mod audit;
pub mod cases;
pub mod catalog;
pub(crate) mod extract;
pub mod feedback;
pub mod follow_ups;
pub mod hall;
pub mod metrics;
pub mod openapi;
pub mod self_service;
pub mod session;
pub mod visitors;

use crate::error::AppError;

pub async fn not_found() -> AppError {
    AppError::NotFound("no such endpoint".into())
}
