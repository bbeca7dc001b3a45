//! `GET /api/v1/access-log`: the access log (审计日志) for the audit role, newest first,
//! narrowed by who, object and days, a page at a time. The page `/access-log` reads it
//! through [`read`] too.
//!
//! The log is one for the installation (one chain, anonymous sign-in attempts included),
//! so an auditor reads all of it, not only their center's.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use haoban_cases::Action;
use haoban_store::access::{AccessEntry, AccessFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

/// Records per page unless the caller asks for fewer or more.
pub const PAGE: u32 = 50;
/// The most records one page shows.
pub const PAGE_MAX: u32 = 500;

/// The filters, as typed: every one optional.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub object: String,
    /// The first day (`YYYY-MM-DD`, in the catalog's time zone).
    #[serde(default)]
    pub from: String,
    /// The last day, included.
    #[serde(default)]
    pub until: String,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// One page of records and where the next begins.
#[derive(Debug)]
pub struct LogPage {
    pub entries: Vec<AccessEntry>,
    pub limit: u32,
    pub offset: u32,
    pub next_offset: Option<u32>,
}

fn day(text: &str, what: &str) -> AppResult<Option<NaiveDate>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Invalid(format!("{what} must be a day as YYYY-MM-DD")))
}

/// The filter a query asks for: days are whole days in `zone`, `until` included.
pub fn filter(query: &LogQuery, zone: chrono_tz::Tz) -> AppResult<AccessFilter> {
    let start = |d: NaiveDate| -> Option<DateTime<Utc>> {
        zone.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let from = day(&query.from, "from")?;
    let until = day(&query.until, "until")?;
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        return Err(AppError::Invalid("until is before from".into()));
    }
    let limit = query.limit.unwrap_or(PAGE);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::Invalid(format!("limit must be 1 to {PAGE_MAX}")));
    }
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(AccessFilter {
        actor: text(&query.actor),
        object: text(&query.object),
        from: from.and_then(start),
        until: until
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(start),
        limit,
        offset: query.offset.unwrap_or(0),
    })
}

/// Reads a page for `principal`, who must hold [`Action::ReadAccessLog`].
pub async fn read(state: &AppState, principal: &Principal, query: &LogQuery) -> AppResult<LogPage> {
    authorize(principal, Action::ReadAccessLog)?;
    let mut filter = filter(query, state.catalog.time_zone)?;
    let (limit, offset) = (filter.limit, filter.offset);
    // One more than shown says whether there is a next page.
    filter.limit = limit + 1;
    let mut entries = state.store.access_log(&filter).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    Ok(LogPage {
        entries,
        limit,
        offset,
        next_offset: more.then(|| offset.saturating_add(limit)),
    })
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> AppResult<Json<Value>> {
    let Query(query) = query.map_err(|e| AppError::Invalid(e.body_text()))?;
    let page = read(&state, &principal, &query).await?;
    Ok(Json(json!({
        "entries": page.entries,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    })))
}
