//! The OpenAPI document of `/api/v1`, kept beside the code in `openapi.json` and checked
//! against the router by the tests. The file cannot know which catalog a server loads, so
//! the served document lists the catalog's item, bundle and material ids in the `ItemId`,
//! `BundleId` and `MaterialId` schemas: a client (or schemathesis) then knows which ids
//! are valid.

use axum::Json;
use axum::extract::State;
use haoban_catalog::Catalog;
use serde_json::{Value, json};

use crate::AppState;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document(State(state): State<AppState>) -> Json<Value> {
    Json(for_catalog(&state.catalog))
}

/// The document with the ids of `catalog` in `ItemId`, `BundleId` and `MaterialId`.
pub fn for_catalog(catalog: &Catalog) -> Value {
    let mut document: Value =
        serde_json::from_str(DOCUMENT).expect("openapi.json is JSON (a test reads it)");
    let mut items: Vec<&str> = catalog.items().map(|item| item.id.as_str()).collect();
    let mut bundles: Vec<&str> = catalog.bundles().map(|b| b.id.as_str()).collect();
    // A file given for a supplement request (补正) may be none of the catalog's materials.
    let mut materials: Vec<&str> = catalog.materials().map(|m| m.id.as_str()).collect();
    materials.push(super::self_service::SUPPLEMENT);
    items.sort_unstable();
    bundles.sort_unstable();
    materials.sort_unstable();
    let schemas = &mut document["components"]["schemas"];
    schemas["ItemId"]["enum"] = json!(items);
    schemas["BundleId"]["enum"] = json!(bundles);
    schemas["MaterialId"]["enum"] = json!(materials);
    document
}
