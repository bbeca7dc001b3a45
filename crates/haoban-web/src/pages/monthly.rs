//! `/reports/monthly`, the monthly list (5个维度) for the center director: a finished
//! month as the scheduler stored it, or, until then, computed from the process record
//! (the current month live, month to date); the scores with a chart, the figures behind
//! them, each opening to its events (`/reports/monthly/{month}/{staff}?figure=`), the
//! workbook `haoban report monthly --xlsx` writes (`/reports/monthly.xlsx`), and how
//! every figure is computed (`/reports/monthly/formulas`). `/reports/month` is the
//! center's month as charts (`dashboard.rs`).
//!
//! The list is `haoban_insight::MonthlyList`, never recomputed differently here: a stored
//! month is shown as stored, so a later catalog cannot rewrite it on the page either.

mod chart;
mod dashboard;
mod drill;
mod figure;
mod formulas;
mod msgs;
mod view;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::Entry;
use haoban_cases::{Action, CenterId, permits};
use haoban_insight::{Config, Month, MonthlyList};

use self::msgs::{MonthlyMsgs, fill};
use super::{Chrome, Lang, SignedIn, error_page, render};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::list_export::{self, Source, XLSX_CONTENT_TYPE};
use crate::scheduler::SCHEDULER;

pub use dashboard::month;
pub use drill::figure;

/// The navigation entry's label, for `nav_links`.
pub fn nav_label(lang: &Lang) -> &'static str {
    MonthlyMsgs::of(*lang).nav
}

/// A month's list and where it came from.
pub(crate) struct Loaded {
    pub list: MonthlyList,
    pub source: Source,
    /// The center's chain, when it was read (always, unless the month is stored and it
    /// was not asked for).
    pub entries: Option<Vec<Entry>>,
}

/// The stored list of `month`, else the list computed now from the record, as the
/// scheduler would compute it (the center's time zone, default weights).
pub(crate) async fn load(
    state: &AppState,
    center: &CenterId,
    month: Month,
    today: NaiveDate,
    want_chain: bool,
) -> Result<Loaded, AppError> {
    let stored = state.store.monthly_list(center, month).await?;
    if let Some(stored) = stored {
        let entries = if want_chain {
            Some(state.store.chain(center.as_ref()).await?.entries)
        } else {
            None
        };
        return Ok(Loaded {
            list: stored.list,
            source: Source::Stored {
                saved_at: stored.saved_at,
                saved_by: stored.saved_by,
                recomputed_matches: None,
            },
            entries,
        });
    }
    let entries = state.store.chain(center.as_ref()).await?.entries;
    let catalog = &state.catalog;
    let config = Config {
        time_zone: catalog.time_zone,
        ..Config::default()
    };
    let list = MonthlyList::compute(
        center.as_ref(),
        &entries,
        catalog.as_ref(),
        catalog.calendar(),
        month,
        &config,
    )
    .map_err(|e| AppError::Unexpected(format!("the process record of {center}: {e}")))?;
    Ok(Loaded {
        list,
        source: Source::Computed {
            complete: today > month.last_day(),
            saved: false,
        },
        entries: Some(entries),
    })
}

/// A time of the record in the center's zone, to the minute.
pub(crate) fn local_time(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.catalog.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Where the list came from, for `data-source` and in words.
pub(crate) fn source_line(
    state: &AppState,
    m: &MonthlyMsgs,
    loaded: &Loaded,
) -> (&'static str, String) {
    let seq = loaded.list.through_seq.to_string();
    match &loaded.source {
        Source::Stored {
            saved_at, saved_by, ..
        } => {
            let by = if saved_by == SCHEDULER {
                m.by_scheduler
            } else {
                saved_by
            };
            let at = local_time(state, *saved_at);
            let text = fill(
                m.source_stored,
                &[("{at}", &at), ("{by}", by), ("{seq}", &seq)],
            );
            ("stored", text)
        }
        Source::Computed {
            complete: false, ..
        } => {
            let at = local_time(state, state.clock.now());
            (
                "live",
                fill(m.source_live, &[("{at}", &at), ("{seq}", &seq)]),
            )
        }
        Source::Computed { complete: true, .. } => {
            ("computed", fill(m.source_unsaved, &[("{seq}", &seq)]))
        }
    }
}

/// The month asked for (`?month=`, this month when empty), or the text typed and why it
/// cannot be shown.
pub(crate) fn chosen_month(
    uri: &Uri,
    this_month: Month,
    m: &'static MonthlyMsgs,
) -> Result<Month, (String, &'static str)> {
    let pairs = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .unwrap_or_default();
    let typed = match pairs.iter().rev().find(|(name, _)| name == "month") {
        Some((_, value)) if !value.trim().is_empty() => value.trim().to_owned(),
        _ => return Ok(this_month),
    };
    match Month::parse(&typed) {
        Ok(month) if month <= this_month => Ok(month),
        Ok(_) => Err((typed, m.err_future)),
        Err(_) => Err((typed, m.err_month)),
    }
}

/// The month before and after (none after this month), and this month's link.
pub(crate) struct MonthSteps {
    pub prev_href: String,
    pub next_href: Option<String>,
    pub this_href: Option<String>,
}

impl MonthSteps {
    pub fn new(path: &str, month: Month, this_month: Month) -> MonthSteps {
        let href = |m: Month| format!("{path}?month={m}");
        let next = Month::of(month.last_day().succ_opt().unwrap_or(month.last_day()));
        MonthSteps {
            prev_href: href(month.previous()),
            next_href: (month < this_month).then(|| href(next)),
            this_href: (month != this_month).then(|| path.to_owned()),
        }
    }
}

/// Who may see the month's pages: the day report's readers.
pub(crate) fn refused(lang: Lang, uri: &Uri, principal: &Principal) -> Option<Response> {
    permits(principal.role, Action::ViewReports)
        .is_none()
        .then(|| {
            let err = AppError::Forbidden(MonthlyMsgs::of(lang).forbidden.to_owned());
            error_page(lang, uri, Some(principal), err)
        })
}

#[derive(Template)]
#[template(path = "monthly.html")]
struct MonthlyPage {
    page: Chrome,
    m: &'static MonthlyMsgs,
    /// What the month field shows: the month, or what was typed when it was refused.
    typed: String,
    month_error: Option<&'static str>,
    view: Option<view::ListView>,
}

fn chrome(lang: Lang, title: &str, uri: &Uri, principal: &Principal) -> Chrome {
    let mut chrome = Chrome::new(lang, title, uri, Some(principal));
    chrome.nav = "monthly";
    chrome
}

/// The page that says why a month cannot be shown, next to its field.
fn refused_month(
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    typed: String,
    message: &'static str,
) -> Response {
    let m = MonthlyMsgs::of(lang);
    let page = MonthlyPage {
        page: chrome(lang, m.title, uri, principal),
        m,
        typed,
        month_error: Some(message),
        view: None,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// GET /reports/monthly: the list of a month.
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if let Some(refusal) = refused(lang, &uri, &principal) {
        return refusal;
    }
    let m = MonthlyMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let this_month = Month::of(today);
    let month = match chosen_month(&uri, this_month, m) {
        Ok(month) => month,
        Err((typed, message)) => return refused_month(lang, &uri, &principal, typed, message),
    };
    let loaded = match load(&state, &principal.center, month, today, false).await {
        Ok(loaded) => loaded,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let view = view::list_view(&state, lang, &loaded, this_month);
    let page = MonthlyPage {
        page: chrome(lang, &view.heading, &uri, &principal),
        m,
        typed: month.to_string(),
        month_error: None,
        view: Some(view),
    };
    render(StatusCode::OK, &page)
}

/// GET /reports/monthly.xlsx: the workbook of the month shown, as the command line writes it.
pub async fn xlsx(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if let Some(refusal) = refused(lang, &uri, &principal) {
        return refusal;
    }
    let m = MonthlyMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let month = match chosen_month(&uri, Month::of(today), m) {
        Ok(month) => month,
        Err((typed, message)) => return refused_month(lang, &uri, &principal, typed, message),
    };
    let loaded = match load(&state, &principal.center, month, today, false).await {
        Ok(loaded) => loaded,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let bytes = match list_export::to_bytes(&loaded.list, &loaded.source, lang.locale()) {
        Ok(bytes) => bytes,
        Err(err) => {
            let err = AppError::Unexpected(format!("writing the workbook: {err}"));
            return error_page(lang, &uri, Some(&principal), err);
        }
    };
    // The center and month name the file; both are checked ASCII (`linfen`, `2026-11`).
    let disposition = format!(
        "attachment; filename=\"haoban-{}-{month}.xlsx\"",
        principal.center
    );
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(XLSX_CONTENT_TYPE),
        )],
        bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[derive(Template)]
#[template(path = "monthly_formulas.html")]
struct FormulasPage {
    page: Chrome,
    m: &'static MonthlyMsgs,
    f: &'static formulas::Formulas,
}

/// GET /reports/monthly/formulas: how every figure is computed (docs/performance.md for
/// the director).
pub async fn explain(lang: Lang, uri: Uri, SignedIn(principal): SignedIn) -> Response {
    if let Some(refusal) = refused(lang, &uri, &principal) {
        return refusal;
    }
    let f = formulas::Formulas::of(lang);
    let page = FormulasPage {
        page: chrome(lang, f.title, &uri, &principal),
        m: MonthlyMsgs::of(lang),
        f,
    };
    render(StatusCode::OK, &page)
}

/// A path segment with everything but unreserved characters percent-encoded (a username
/// in `/reports/monthly/{month}/{staff}`).
pub(crate) fn segment(text: &str) -> String {
    super::encode(text).replace('/', "%2F")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_stop_at_this_month() {
        let this = Month::parse("2026-11").unwrap();
        let steps = MonthSteps::new("/reports/monthly", this, this);
        assert_eq!(steps.prev_href, "/reports/monthly?month=2026-10");
        assert!(steps.next_href.is_none() && steps.this_href.is_none());
        let december = MonthSteps::new("/x", Month::parse("2025-12").unwrap(), this);
        assert_eq!(december.next_href.as_deref(), Some("/x?month=2026-01"));
        assert_eq!(december.this_href.as_deref(), Some("/x"));
    }

    #[test]
    fn a_username_is_one_path_segment() {
        assert_eq!(segment("li.na"), "li.na");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
