//! `/metrics`: the center's state for the street's operations center, in the Prometheus
//! text format (version 0.0.4). Computed from the store at each scrape, so every instance
//! answers the same; only counts, never personal data. Scrapers use an API token.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use haoban_cases::{Action, CaseStatus, DeadlineState};
use haoban_feedback::{Level, Month, Tally};
use haoban_hall::TicketStatus;
use haoban_store::CaseFilter;

use super::cases::case_deadline;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::{AppState, authorize};

/// The most pending cases one scrape reads.
const CASES_MAX: u32 = 10_000;

/// One metric family: its help line, type and samples.
struct Family<'a> {
    name: &'a str,
    help: &'a str,
    kind: &'a str,
    samples: Vec<(Vec<(&'a str, String)>, f64)>,
}

fn render(families: &[Family<'_>]) -> String {
    let mut out = String::new();
    for family in families {
        let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind);
        for (labels, value) in &family.samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
                .collect();
            let _ = writeln!(out, "{}{{{}}} {}", family.name, labels.join(","), value);
        }
    }
    out
}

/// Label values escape backslash, double quote and newline, as the format requires.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub async fn metrics(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    authorize(&principal, Action::ViewReports)?;
    let center = principal.center.to_string();
    let now = state.clock.now();
    let today = state.clock.today_in(state.catalog.time_zone);
    let tickets = state.store.tickets(&principal.center, today).await?;
    let waiting: Vec<_> = tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting)
        .collect();
    let longest_wait = waiting
        .iter()
        .map(|t| (now - t.issued_at).num_seconds().max(0))
        .max()
        .unwrap_or(0);
    let at_windows = tickets
        .iter()
        .filter(|t| matches!(t.status, TicketStatus::Called | TicketStatus::Serving))
        .count();
    let served = tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Done)
        .count();
    let mut filter = CaseFilter::center(principal.center.clone());
    filter.statuses = CaseStatus::ALL
        .into_iter()
        .filter(|s| s.is_pending())
        .collect();
    filter.limit = CASES_MAX;
    let pending = state.store.cases(&filter).await?;
    let by_deadline = |wanted: DeadlineState| {
        pending
            .iter()
            .filter(|case| case_deadline(&state, case).is_some_and(|d| d.state == wanted))
            .count() as f64
    };
    let month = Month::of(today);
    let ratings = Tally::of(
        state
            .store
            .ratings(&principal.center, month)
            .await?
            .iter()
            .map(|r| &r.level),
    );
    let open_follow_ups = state.store.follow_ups(&principal.center, true).await?;
    let follow_ups_overdue = open_follow_ups.iter().filter(|f| f.due < today).count();
    let labels = || vec![("center", center.clone())];
    let gauge = |name, help, value: f64| Family {
        name,
        help,
        kind: "gauge",
        samples: vec![(labels(), value)],
    };
    let by_level = Family {
        name: "haoban_ratings_month",
        help: "Ratings given (or counted by default) this month, by level (5 best).",
        kind: "gauge",
        samples: (1..=5u8)
            .filter_map(|value| Level::new(value).ok())
            .map(|level| {
                let mut labels = labels();
                labels.push(("level", level.value().to_string()));
                (labels, ratings.count(level) as f64)
            })
            .collect(),
    };
    let good_rate = ratings
        .good_rate()
        .map_or(1.0, |rate| rate.good as f64 / rate.total as f64);
    let families = [
        gauge(
            "haoban_queue_waiting",
            "Tickets waiting to be called now.",
            waiting.len() as f64,
        ),
        gauge(
            "haoban_queue_longest_wait_seconds",
            "How long the longest-waiting ticket has waited so far.",
            longest_wait as f64,
        ),
        gauge(
            "haoban_queue_at_windows",
            "Tickets called to a window or being served now.",
            at_windows as f64,
        ),
        gauge(
            "haoban_tickets_issued_today",
            "Tickets issued today (the center's day).",
            tickets.len() as f64,
        ),
        gauge(
            "haoban_tickets_served_today",
            "Tickets whose service finished today.",
            served as f64,
        ),
        gauge(
            "haoban_cases_pending",
            "Cases accepted and not yet decided.",
            pending.len() as f64,
        ),
        gauge(
            "haoban_cases_due_soon",
            "Pending cases within the due-soon working days of their deadline.",
            by_deadline(DeadlineState::DueSoon),
        ),
        gauge(
            "haoban_cases_overdue",
            "Pending cases past their deadline.",
            by_deadline(DeadlineState::Overdue),
        ),
        by_level,
        gauge(
            "haoban_ratings_good_ratio_month",
            "Good ratings (levels 5, 4, 3) over all ratings this month; 1 with none yet.",
            good_rate,
        ),
        gauge(
            "haoban_follow_ups_open",
            "Bad ratings whose follow-up is not resolved.",
            open_follow_ups.len() as f64,
        ),
        gauge(
            "haoban_follow_ups_overdue",
            "Open follow-ups past their working-day deadline.",
            follow_ups_overdue as f64,
        ),
    ];
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(&families),
    )
        .into_response())
}
