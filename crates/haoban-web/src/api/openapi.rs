//! The OpenAPI document of `/api/v1`, kept beside the code in `openapi.json` and checked
//! against the router by the tests.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
