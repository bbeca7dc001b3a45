//! `/training`, training by the three firsts (3先3后). The director (`ViewTraining`) sees
//! the item frequency with the high-frequency line, the competence matrix and everyone's
//! plan; each member (`TakeTest`) sees their own plan at `/training/staff/{username}` and
//! takes tests (`test.rs`). The question bank (`questions.rs`) and the onboarding of new
//! staff (`onboarding.rs`) are the director's (`ManageTraining`).
//!
//! Every figure is computed by `haoban_insight` from the center's process record, read up
//! to today (the catalog's day, from the injected clock); this module only reads the store
//! and turns the figures into text.

mod msgs;
mod onboarding;
mod questions;
mod test;

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::{Action, Role, permits};
use haoban_catalog::Catalog;
use haoban_insight::{
    Attempt, CompetenceMatrix, Frequency, PlanStep, Work, passed, plan, read_work,
};

use self::msgs::TrainingMsgs;
use super::{Chrome, Lang, SignedIn, encode, error_page, render, see_other};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;

pub use self::onboarding::{start, step, tracked, tracker};
pub use self::questions::{add_question, bank};
pub use self::test::{hand_in, take};

/// Whether the navigation shows the training pages to this role.
pub fn may_use(principal: &Principal) -> bool {
    may(principal, Action::ViewTraining) || may(principal, Action::TakeTest)
}

pub fn nav_label(lang: Lang) -> &'static str {
    TrainingMsgs::of(lang).nav
}

fn may(principal: &Principal, action: Action) -> bool {
    permits(principal.role, action).is_some()
}

fn forbidden(lang: Lang, uri: &Uri, principal: &Principal, why: &str) -> Response {
    error_page(
        lang,
        uri,
        Some(principal),
        AppError::Forbidden(why.to_owned()),
    )
}

fn chrome(lang: Lang, title: &str, uri: &Uri, principal: &Principal) -> Chrome {
    let mut chrome = Chrome::new(lang, title, uri, Some(principal));
    chrome.nav = "training";
    chrome
}

/// `template` with its first `{}` replaced by `value`.
fn fill(template: &str, value: impl std::fmt::Display) -> String {
    template.replacen("{}", &value.to_string(), 1)
}

/// Today in the catalog's time zone: the day figures are computed up to.
fn today(state: &AppState) -> NaiveDate {
    state.clock.today_in(state.catalog.time_zone)
}

/// The center's case steps, read from its process record up to today.
async fn work(
    state: &AppState,
    principal: &Principal,
    today: NaiveDate,
) -> Result<Vec<Work>, AppError> {
    let center = principal.center.as_ref();
    let chain = state.store.chain(center).await?;
    Ok(read_work(
        center,
        &chain.entries,
        state.catalog.time_zone,
        today,
    )?)
}

/// An item's name in the page's language, or its id marked as gone from the catalog.
fn item_name(catalog: &Catalog, lang: Lang, id: &str) -> String {
    match catalog.item(id) {
        Some(item) => item.name.get(lang.locale()).to_owned(),
        None => format!("{id}{}", TrainingMsgs::of(lang).not_in_catalog),
    }
}

fn category_name(catalog: &Catalog, lang: Lang, id: &str) -> String {
    catalog
        .category(id)
        .map_or_else(|| id.to_owned(), |c| c.name.get(lang.locale()).to_owned())
}

/// `part ÷ whole` in percent with one decimal, rounded half up; a dash when `whole` is 0.
fn percent(part: u32, whole: u32, none: &str) -> String {
    if whole == 0 {
        return none.to_owned();
    }
    let (part, whole) = (u64::from(part), u64::from(whole));
    let tenths = (part * 2000 + whole) / (2 * whole);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// A stored time as the center's local date and minute.
fn local_time(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.catalog.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn plan_href(username: &str) -> String {
    format!("/training/staff/{}", encode(username))
}

/// The center's members who take tests (disabled accounts left out), by username.
async fn learners(state: &AppState, principal: &Principal) -> Result<Vec<String>, AppError> {
    let users = state.store.users(&principal.center).await?;
    Ok(users
        .into_iter()
        .filter(|u| !u.disabled && permits(u.role, Action::TakeTest).is_some())
        .map(|u| u.username)
        .collect())
}

struct FrequencyLine {
    id: String,
    item: String,
    category: String,
    breadth: u32,
    cases: u32,
    high: bool,
    /// The high-frequency line is drawn after this row.
    line_after: bool,
}

struct MatrixRow {
    staff: String,
    plan_href: String,
    cells: Vec<MatrixCell>,
}

struct MatrixCell {
    handled: u32,
    errors: Option<String>,
    tested: bool,
    /// Neither handled nor tested: a gap to train.
    gap: bool,
}

struct PlanSummary {
    staff: String,
    href: String,
    left: usize,
    next: Vec<String>,
}

#[derive(Template)]
#[template(path = "training.html")]
struct OverviewPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    freq_intro: String,
    line_row: String,
    /// No item reaches the line: it is drawn above the table's first row.
    line_first: bool,
    frequency: Vec<FrequencyLine>,
    /// The matrix's columns: item names, most cases first.
    columns: Vec<String>,
    matrix: Vec<MatrixRow>,
    plans: Vec<PlanSummary>,
}

/// GET /training: the overview for the director; anyone else who takes tests goes to
/// their own plan.
pub async fn overview(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    let m = TrainingMsgs::of(lang);
    if !may(&principal, Action::ViewTraining) {
        if may(&principal, Action::TakeTest) {
            return see_other(&plan_href(&principal.actor()));
        }
        return forbidden(lang, &uri, &principal, m.forbidden);
    }
    match overview_page(&state, lang, &uri, &principal).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

async fn overview_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
) -> Result<OverviewPage, AppError> {
    let m = TrainingMsgs::of(lang);
    let catalog = &state.catalog;
    let today = today(state);
    let work = work(state, principal, today).await?;
    let line = state.config.training.high_frequency_line;
    let frequency = Frequency::compute(catalog, &work, today, line);
    let attempts = state.store.attempts(&principal.center, None).await?;
    let staff = learners(state, principal).await?;
    let matrix = CompetenceMatrix::compute(catalog, &work, &staff, &passed(&attempts));

    let highs = frequency.rows.iter().filter(|r| r.high).count();
    let lines = frequency
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| FrequencyLine {
            id: row.item.clone(),
            item: item_name(catalog, lang, &row.item),
            category: row
                .category
                .as_deref()
                .map_or_else(|| m.none.to_owned(), |c| category_name(catalog, lang, c)),
            breadth: row.breadth,
            cases: row.cases,
            high: row.high,
            line_after: highs > 0 && index + 1 == highs,
        })
        .collect();
    // The matrix's columns follow the frequency table: what comes in most, leftmost.
    let order: Vec<&str> = frequency
        .rows
        .iter()
        .map(|r| r.item.as_str())
        .filter(|id| catalog.item(id).is_some())
        .collect();
    let rows = matrix
        .staff
        .iter()
        .map(|member| MatrixRow {
            staff: member.clone(),
            plan_href: plan_href(member),
            cells: order
                .iter()
                .map(|item| {
                    let cell = matrix.cell(member, item);
                    MatrixCell {
                        handled: cell.handled,
                        errors: (cell.accepted > 0)
                            .then(|| percent(cell.supplements, cell.accepted, m.none)),
                        tested: cell.tested,
                        gap: !cell.knows(),
                    }
                })
                .collect(),
        })
        .collect();
    let plans = matrix
        .staff
        .iter()
        .map(|member| {
            let steps = plan(catalog, &frequency, &matrix, member);
            PlanSummary {
                staff: member.clone(),
                href: plan_href(member),
                left: steps.len(),
                next: steps
                    .iter()
                    .take(3)
                    .map(|s| item_name(catalog, lang, &s.item))
                    .collect(),
            }
        })
        .collect();
    Ok(OverviewPage {
        page: chrome(lang, m.title, uri, principal),
        m,
        freq_intro: m
            .freq_intro
            .replace("{from}", &frequency.from.to_string())
            .replace("{to}", &frequency.to.to_string())
            .replace("{line}", &line.to_string()),
        line_row: fill(m.line_row, line),
        line_first: highs == 0,
        frequency: lines,
        columns: order
            .iter()
            .map(|id| item_name(catalog, lang, id))
            .collect(),
        matrix: rows,
        plans,
    })
}

struct StepLine {
    order: usize,
    item: String,
    category: String,
    high: bool,
    why: String,
    test_href: String,
}

struct AttemptLine {
    item: String,
    time: String,
    score: String,
    passed: bool,
    href: String,
}

struct TestLink {
    item: String,
    href: String,
    passed: bool,
}

#[derive(Template)]
#[template(path = "training_plan.html")]
struct PlanPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    heading: String,
    /// The director came from the overview.
    overview: bool,
    steps: Vec<StepLine>,
    attempts: Vec<AttemptLine>,
    tests: Vec<TestLink>,
}

fn test_href(item: &str) -> String {
    format!("/training/tests/{}", encode(item))
}

fn step_line(catalog: &Catalog, lang: Lang, order: usize, step: &PlanStep) -> StepLine {
    let m = TrainingMsgs::of(lang);
    let mut why = Vec::new();
    if step.high {
        why.push(m.high.to_owned());
    }
    why.push(fill(m.breadth, step.breadth));
    why.push(fill(m.cases, step.cases));
    StepLine {
        order,
        item: item_name(catalog, lang, &step.item),
        category: category_name(catalog, lang, &step.category),
        high: step.high,
        why: why.join(" · "),
        test_href: test_href(&step.item),
    }
}

fn attempt_line(state: &AppState, lang: Lang, attempt: &Attempt) -> AttemptLine {
    let a = &attempt.attempt;
    AttemptLine {
        item: item_name(&state.catalog, lang, &a.item),
        time: local_time(state, a.at),
        score: format!(
            "{} / {} ({}%)",
            a.score.correct,
            a.score.total,
            a.score.percent()
        ),
        passed: a.score.passed,
        href: format!("{}?attempt={}", test_href(&a.item), attempt.id),
    }
}

/// GET /training/staff/{username}: a member's plan, their tests and every item's test.
pub async fn staff_plan(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(username): Path<String>,
) -> Response {
    let m = TrainingMsgs::of(lang);
    let director = may(&principal, Action::ViewTraining);
    let own = may(&principal, Action::TakeTest) && principal.actor() == username;
    if !(director || own) {
        let why = if principal.role == Role::Resident {
            m.forbidden
        } else {
            m.forbidden_plan
        };
        return forbidden(lang, &uri, &principal, why);
    }
    match plan_page(&state, lang, &uri, &principal, &username, director).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

async fn plan_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    username: &str,
    director: bool,
) -> Result<PlanPage, AppError> {
    let m = TrainingMsgs::of(lang);
    if principal.actor() != username {
        // Accounts are disabled, never deleted: anyone the matrix lists is found.
        let user = state.store.user(username).await?;
        if user.is_none_or(|u| u.center != principal.center) {
            return Err(AppError::NotFound(format!("staff member {username}")));
        }
    }
    let catalog = &state.catalog;
    let today = today(state);
    let work = work(state, principal, today).await?;
    let line = state.config.training.high_frequency_line;
    let frequency = Frequency::compute(catalog, &work, today, line);
    let attempts = state
        .store
        .attempts(&principal.center, Some(username))
        .await?;
    let member = [username.to_owned()];
    let matrix = CompetenceMatrix::compute(catalog, &work, &member, &passed(&attempts));
    let steps = plan(catalog, &frequency, &matrix, username);
    let heading = fill(m.plan_title, username);
    let tested: BTreeSet<&str> = attempts
        .iter()
        .filter(|a| a.attempt.score.passed)
        .map(|a| a.attempt.item.as_str())
        .collect();
    Ok(PlanPage {
        page: chrome(lang, &heading, uri, principal),
        m,
        heading,
        overview: director,
        steps: steps
            .iter()
            .enumerate()
            .map(|(index, step)| step_line(catalog, lang, index + 1, step))
            .collect(),
        // Latest first: the last try is what one looks for.
        attempts: attempts
            .iter()
            .rev()
            .map(|a| attempt_line(state, lang, a))
            .collect(),
        tests: catalog
            .items()
            .map(|item| TestLink {
                item: item.name.get(lang.locale()).to_owned(),
                href: test_href(&item.id),
                passed: tested.contains(item.id.as_str()),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_have_one_decimal_rounded_half_up() {
        assert_eq!(percent(1, 12, "—"), "8.3%");
        assert_eq!(percent(1, 8, "—"), "12.5%");
        assert_eq!(percent(1, 16, "—"), "6.3%");
        assert_eq!(percent(3, 2, "—"), "150.0%");
        assert_eq!(percent(0, 5, "—"), "0.0%");
        assert_eq!(percent(0, 0, "—"), "—");
    }
}
