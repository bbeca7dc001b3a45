//! The catalog section: the catalog in use (name, version, items), and a check of a catalog
//! directory on the server with `Catalog::load`, which shows its version and item count or
//! its problems (`file:line:col: message`) and never replaces the catalog in use: that
//! happens at restart, with `--catalog`.

use std::path::PathBuf;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_catalog::Catalog;

use super::msgs::AdminMsgs;
use super::{Posted, Shown, fill, show};
use crate::AppState;
use crate::error::AppError;
use crate::pages::{Lang, SignedIn, error_page};

/// The longest path the check takes, in characters.
const PATH_MAX: usize = 1024;

/// The check form as typed, and what the check found.
#[derive(Debug, Default, Clone)]
pub(super) struct CheckEntry {
    path: String,
    error: Option<String>,
    outcome: Option<Outcome>,
}

#[derive(Debug, Clone)]
pub(super) struct Outcome {
    /// Whether it loads.
    pub(super) loads: bool,
    /// `… loads.`, or how many problems.
    pub(super) summary: String,
    pub(super) name: String,
    pub(super) version: String,
    pub(super) items: usize,
    /// It is the catalog in use (same version).
    pub(super) same: bool,
    pub(super) problems: Vec<String>,
}

pub(super) struct ItemRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) category: String,
    pub(super) department: String,
    pub(super) channels: String,
    pub(super) promised: String,
}

pub(super) struct CatalogSection {
    pub(super) name: String,
    pub(super) version: String,
    pub(super) time_zone: String,
    pub(super) count: usize,
    pub(super) items: Vec<ItemRow>,
    pub(super) check_path: String,
    pub(super) check_error: Option<String>,
    pub(super) outcome: Option<Outcome>,
}

impl CatalogSection {
    pub(super) fn new(state: &AppState, lang: Lang, check: CheckEntry) -> CatalogSection {
        let a = AdminMsgs::of(lang);
        let locale = lang.locale();
        let catalog = &state.catalog;
        let items = catalog
            .items()
            .map(|item| ItemRow {
                id: item.id.clone(),
                name: item.name.get(locale).to_owned(),
                category: catalog.category(&item.category).map_or_else(
                    || item.category.clone(),
                    |category| category.name.get(locale).to_owned(),
                ),
                department: item.department.get(locale).to_owned(),
                channels: item
                    .channels
                    .iter()
                    .map(|c| a.channel(c))
                    .collect::<Vec<_>>()
                    .join(if lang == Lang::Zh { "、" } else { ", " }),
                promised: if item.is_instant() {
                    a.instant.to_owned()
                } else {
                    fill(a.working_days, &item.promised_days.to_string())
                },
            })
            .collect();
        CatalogSection {
            name: catalog.name.get(locale).to_owned(),
            version: catalog.version.clone(),
            time_zone: catalog.time_zone.name().to_owned(),
            count: catalog.items().len(),
            items,
            check_path: check.path,
            check_error: check.error,
            outcome: check.outcome,
        }
    }
}

/// Loads the directory (blocking file reads) and says what it found; `Err` is the message
/// for the path field.
fn check_directory(typed: &str, in_use: &str, lang: Lang) -> Result<Outcome, &'static str> {
    let a = AdminMsgs::of(lang);
    let path = typed.trim();
    if path.is_empty() {
        return Err(a.err_path_required);
    }
    if path.chars().count() > PATH_MAX {
        return Err(a.err_path_long);
    }
    let dir = PathBuf::from(path);
    if !dir.is_dir() {
        return Err(a.err_path_not_dir);
    }
    Ok(match Catalog::load(&dir) {
        Ok(catalog) => Outcome {
            loads: true,
            summary: fill(a.check_ok, path),
            name: catalog.name.get(lang.locale()).to_owned(),
            same: catalog.version == in_use,
            items: catalog.items().len(),
            version: catalog.version.clone(),
            problems: Vec::new(),
        },
        Err(problems) => Outcome {
            loads: false,
            summary: fill(a.check_problems, &problems.0.len().to_string()),
            name: String::new(),
            version: String::new(),
            items: 0,
            same: false,
            problems: problems.0.iter().map(ToString::to_string).collect(),
        },
    })
}

/// POST /admin/catalog/check: checks a catalog directory on the server; the catalog in use
/// stays as it is.
pub async fn check(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::CheckCatalog, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let typed = posted.field("path");
    let in_use = state.catalog.version.clone();
    let path = typed.clone();
    let checked = tokio::task::spawn_blocking(move || check_directory(&path, &in_use, lang)).await;
    let (entry, status) = match checked {
        Ok(Ok(outcome)) => (
            CheckEntry {
                path: typed,
                error: None,
                outcome: Some(outcome),
            },
            StatusCode::OK,
        ),
        Ok(Err(message)) => (
            CheckEntry {
                path: typed,
                error: Some(message.to_owned()),
                outcome: None,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => {
            let err = AppError::Unexpected(format!("checking a catalog directory: {err}"));
            return error_page(lang, &uri, Some(&principal), err);
        }
    };
    let shown = Shown {
        check: Some(entry),
        ..Shown::default()
    };
    show(&state, lang, &uri, &principal, shown, status).await
}
