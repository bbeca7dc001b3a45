//! The catalog, item guides and pre-review: open to everyone, signed in or not.

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Path, Query};
use haoban_catalog::guide::ItemGuide;
use haoban_catalog::{Applicant, Locale, Selection};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{AppError, AppResult};

#[derive(Deserialize)]
pub struct Lang {
    lang: Option<String>,
}

impl Lang {
    fn locale(&self, default: Locale) -> AppResult<Locale> {
        match self.lang.as_deref() {
            None => Ok(default),
            Some(code) => Locale::parse(code)
                .ok_or_else(|| AppError::Invalid(format!("lang `{code}` is not zh or en"))),
        }
    }
}

pub async fn catalog(
    State(state): State<AppState>,
    Query(lang): Query<Lang>,
) -> AppResult<Json<Value>> {
    let catalog = &state.catalog;
    let locale = lang.locale(catalog.default_locale)?;
    let items: Vec<Value> = catalog
        .items()
        .map(|item| {
            json!({
                "id": item.id,
                "name": item.name.get(locale),
                "category": item.category,
                "promised_days": item.promised_days,
                "channels": item.channels,
                "proactive": item.proactive,
            })
        })
        .collect();
    let bundles: Vec<Value> = catalog
        .bundles()
        .map(|b| json!({ "id": b.id, "name": b.name.get(locale), "items": b.items }))
        .collect();
    Ok(Json(json!({
        "name": catalog.name.get(locale),
        "version": catalog.version,
        "items": items,
        "bundles": bundles,
    })))
}

pub async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(lang): Query<Lang>,
) -> AppResult<Json<Value>> {
    let locale = lang.locale(state.catalog.default_locale)?;
    let item = state
        .catalog
        .item(&id)
        .ok_or_else(|| AppError::NotFound(format!("item `{id}` not found")))?;
    let guide = ItemGuide::new(&state.catalog, item, locale);
    serde_json::to_value(&guide)
        .map(Json)
        .map_err(|e| AppError::Unexpected(e.to_string()))
}

#[derive(Deserialize)]
pub struct PrereviewRequest {
    /// Kept as written, so decimals are read exactly.
    facts: Box<RawValue>,
    items: Option<Vec<String>>,
    bundle: Option<String>,
    on: Option<String>,
}

pub async fn prereview(
    State(state): State<AppState>,
    body: Result<Object<PrereviewRequest>, AppError>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    let catalog = &state.catalog;
    let applicant = Applicant::from_json(catalog, request.facts.get())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let selection = match (request.items, request.bundle) {
        (Some(_), Some(_)) => {
            return Err(AppError::Invalid("give items or bundle, not both".into()));
        }
        (Some(items), None) => Selection::Items(items),
        (None, Some(bundle)) => Selection::Bundle(bundle),
        (None, None) => Selection::All,
    };
    let selected = catalog
        .select(&selection)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let on = match request.on {
        Some(text) => haoban_catalog::value::parse_date(&text).ok_or_else(|| {
            AppError::Invalid(format!("on `{text}` is not a date written YYYY-MM-DD"))
        })?,
        None => state.clock.today_in(catalog.time_zone),
    };
    let review = catalog.prereview(&applicant, &selected, on);
    serde_json::to_value(&review)
        .map(Json)
        .map_err(|e| AppError::Unexpected(e.to_string()))
}
