//! `/reports/monthly/{month}/{staff}?figure=`: one figure of a member's line opened down
//! to the entries of the process record it was counted from, read from the center's chain
//! by sequence number: when (in the center's zone), what happened in words, who recorded
//! it, and the case, linked for roles that may open cases.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::DateTime;
use haoban_cases::record::Entry;
use haoban_cases::{Action, permits};
use haoban_feedback::Level;
use haoban_insight::{Month, Row};
use serde::Deserialize;
use serde_json::Value;

use super::figure::Figure;
use super::msgs::{MonthlyMsgs, fill};
use super::view::figure_href;
use super::{Loaded, chrome, load, local_time, refused, source_line};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, error_page, render};

#[derive(Deserialize)]
pub struct FigureQuery {
    figure: Option<String>,
}

#[derive(Template)]
#[template(path = "monthly_figure.html")]
struct FigurePage {
    page: Chrome,
    m: &'static MonthlyMsgs,
    v: FigureView,
}

struct FigureView {
    heading: String,
    staff: String,
    slug: &'static str,
    name: &'static str,
    what: &'static str,
    count: u32,
    source_kind: &'static str,
    source_text: String,
    back_href: String,
    time_note: String,
    others: Vec<Other>,
    events: Vec<EventLine>,
    handled: Vec<HandledLine>,
    valued: Vec<ValuedLine>,
}

struct Other {
    name: &'static str,
    count: u32,
    href: String,
    current: bool,
}

struct EventLine {
    seq: u64,
    time: String,
    event: String,
    actor: String,
    case: Option<String>,
    case_href: Option<String>,
    detail: String,
    missing: bool,
}

struct HandledLine {
    case: String,
    case_href: Option<String>,
    item: String,
    accepted: String,
    decided: String,
    working_days: u64,
    promised_days: u32,
    on_time: bool,
    saved: String,
}

struct ValuedLine {
    seq: u64,
    case: String,
    case_href: Option<String>,
    item: String,
    points: String,
}

/// GET /reports/monthly/{month}/{staff}
pub async fn figure(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Path((month, staff)): Path<(String, String)>,
    query: Result<Query<FigureQuery>, axum::extract::rejection::QueryRejection>,
    SignedIn(principal): SignedIn,
) -> Response {
    if let Some(refusal) = refused(lang, &uri, &principal) {
        return refusal;
    }
    let not_found = || {
        let err = AppError::NotFound(format!("{staff} in the list of {month}"));
        error_page(lang, &uri, Some(&principal), err)
    };
    let today = state.clock.today_in(state.catalog.time_zone);
    let Some(month) = Month::parse(&month).ok().filter(|m| *m <= Month::of(today)) else {
        return not_found();
    };
    let figure = match query.ok().and_then(|Query(q)| q.figure) {
        None => Some(Figure::Quantity),
        Some(name) => Figure::parse(name.trim()),
    };
    let Some(figure) = figure else {
        return not_found();
    };
    let loaded = match load(&state, &principal.center, month, today, true).await {
        Ok(loaded) => loaded,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let Some(row) = loaded.list.row(&staff) else {
        return not_found();
    };
    let v = figure_view(&state, lang, &principal, &loaded, row, figure);
    let page = FigurePage {
        page: chrome(lang, &v.heading, &uri, &principal),
        m: MonthlyMsgs::of(lang),
        v,
    };
    render(StatusCode::OK, &page)
}

fn figure_view(
    state: &AppState,
    lang: Lang,
    principal: &Principal,
    loaded: &Loaded,
    row: &Row,
    figure: Figure,
) -> FigureView {
    let m = MonthlyMsgs::of(lang);
    let month = loaded.list.month;
    let (name, what) = m.figures[figure.index()];
    let (source_kind, source_text) = source_line(state, m, loaded);
    let may_open = permits(principal.role, Action::ReadCase).is_some();
    let case_href = |case: &str| may_open.then(|| format!("/office/cases/{case}"));
    let entries: &[Entry] = loaded.entries.as_deref().unwrap_or_default();
    let events = figure
        .seqs(row)
        .into_iter()
        .map(|seq| match find(entries, seq) {
            Some(entry) => EventLine {
                seq,
                time: DateTime::parse_from_rfc3339(&entry.at)
                    .map_or_else(|_| entry.at.clone(), |at| local_time(state, at.to_utc())),
                event: m.event(&entry.kind).to_owned(),
                actor: entry.actor.clone(),
                case_href: entry.case.as_deref().and_then(case_href),
                case: entry.case.clone(),
                detail: detail(m, lang, entry),
                missing: false,
            },
            None => EventLine {
                seq,
                time: String::new(),
                event: m.missing_event.to_owned(),
                actor: String::new(),
                case: None,
                case_href: None,
                detail: String::new(),
                missing: true,
            },
        })
        .collect();
    let item_name = |id: &str| {
        state.catalog.item(id).map_or_else(
            || id.to_owned(),
            |item| item.name.get(lang.locale()).to_owned(),
        )
    };
    let handled = if figure == Figure::Efficiency {
        row.figures
            .efficiency
            .cases
            .iter()
            .map(|c| HandledLine {
                case_href: case_href(&c.case),
                case: c.case.clone(),
                item: item_name(&c.item),
                accepted: format!("{} (#{})", c.accepted_on, c.accepted_seq),
                decided: format!("{} (#{})", c.decided_on, c.decided_seq),
                working_days: c.working_days,
                promised_days: c.promised_days,
                on_time: c.on_time,
                saved: format!(
                    "{}%",
                    (c.time_saved * rust_decimal::Decimal::ONE_HUNDRED)
                        .round_dp(2)
                        .normalize()
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let valued = if figure == Figure::Value {
        row.figures
            .value
            .cases
            .iter()
            .map(|c| ValuedLine {
                seq: c.seq,
                case_href: case_href(&c.case),
                case: c.case.clone(),
                item: item_name(&c.item),
                points: c
                    .points
                    .map_or_else(|| m.unknown_item.to_owned(), |p| p.normalize().to_string()),
            })
            .collect()
    } else {
        Vec::new()
    };
    FigureView {
        heading: format!("{} · {month} · {name}", row.staff),
        staff: row.staff.clone(),
        slug: figure.slug(),
        name,
        what,
        count: figure.count(row),
        source_kind,
        source_text,
        back_href: format!("/reports/monthly?month={month}"),
        time_note: fill(m.time_note, &[("{}", state.catalog.time_zone.name())]),
        others: Figure::ALL
            .iter()
            .map(|f| Other {
                name: m.figures[f.index()].0,
                count: f.count(row),
                href: figure_href(month, &row.staff, *f),
                current: *f == figure,
            })
            .collect(),
        events,
        handled,
        valued,
    }
}

/// The entry numbered `seq`: chains are read in order, numbered from 1 without gaps, so it
/// is usually at `seq - 1`; otherwise it is searched for.
fn find(entries: &[Entry], seq: u64) -> Option<&Entry> {
    let at = usize::try_from(seq.checked_sub(1)?).ok()?;
    match entries.get(at) {
        Some(entry) if entry.seq == seq => Some(entry),
        _ => entries
            .binary_search_by_key(&seq, |e| e.seq)
            .ok()
            .map(|i| &entries[i]),
    }
}

/// What the entry's payload adds in words: the ticket and window of a hall step, the level
/// of a rating, the outcome of an appeal.
fn detail(m: &MonthlyMsgs, lang: Lang, entry: &Entry) -> String {
    let Ok(payload) = serde_json::from_str::<Value>(&entry.payload) else {
        return String::new();
    };
    let text = |key: &str| payload.get(key).and_then(Value::as_str);
    let mut parts = Vec::new();
    let ticket = text("number").or_else(|| payload.pointer("/target/ticket")?.as_str());
    if let Some(number) = ticket {
        parts.push(fill(m.ticket, &[("{}", number)]));
    }
    if let Some(window) = text("window").or_else(|| text("from_window")) {
        parts.push(fill(m.window, &[("{}", window)]));
    }
    let level = payload
        .get("level")
        .and_then(Value::as_i64)
        .and_then(|l| Level::parse(l).ok());
    if let Some(level) = level {
        let words = match lang {
            Lang::Zh => level.label_zh(),
            Lang::En => level.label_en(),
        };
        parts.push(format!("{words} ({})", level.value()));
        if entry.kind == "rating_defaulted" {
            parts.push(m.defaulted.to_owned());
        }
    }
    if let Some(upheld) = payload.get("upheld").and_then(Value::as_bool) {
        parts.push(if upheld { m.upheld } else { m.dismissed }.to_owned());
    }
    if let Some(id) = text("id") {
        parts.push(id.to_owned());
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Entry {
        Entry {
            center: "linfen".into(),
            seq,
            case: None,
            at: "2026-11-02T02:00:00.000000Z".into(),
            actor: "zhang".into(),
            role: "clerk".into(),
            kind: "ticket_called".into(),
            payload: r#"{"type":"ticket_called","number":"A001","window":"5"}"#.into(),
            prev_hash: String::new(),
            hash: String::new(),
            revealed: None,
        }
    }

    #[test]
    fn entries_are_found_by_their_number() {
        let chain: Vec<Entry> = (1..=5).map(entry).collect();
        assert_eq!(find(&chain, 3).map(|e| e.seq), Some(3));
        assert!(find(&chain, 0).is_none() && find(&chain, 6).is_none());
        let gapped: Vec<Entry> = [1, 2, 4, 7].into_iter().map(entry).collect();
        assert_eq!(find(&gapped, 7).map(|e| e.seq), Some(7));
        assert!(find(&gapped, 3).is_none());
    }

    #[test]
    fn a_hall_step_names_its_ticket_and_window() {
        let zh = detail(MonthlyMsgs::of(Lang::Zh), Lang::Zh, &entry(1));
        assert_eq!(zh, "A001 号 · 5 号窗口");
        let en = detail(MonthlyMsgs::of(Lang::En), Lang::En, &entry(1));
        assert_eq!(en, "ticket A001 · window 5");
    }
}
