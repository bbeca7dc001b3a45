//! `/reports`, the staffed hall's day report for the center director and supervisors: the
//! queue of a chosen day (`?day=YYYY-MM-DD`, today in the catalog's time zone by
//! default), the wait promised on the slips checked against the wait had, the cases of
//! the day by item, and the deadlines of the pending cases as of today.
//!
//! The figures are computed by [`haoban_hall::DayReport`] (pure) from the day's tickets;
//! this module reads the store, counts the day's cases and turns it all into text in the
//! page's language. Deadlines are judged by [`crate::api::cases::case_deadline`], the
//! API's own rule.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use haoban_cases::{Action, Case, CaseStatus, DeadlineState, permits};
use haoban_catalog::value::parse_date;
use haoban_hall::{DayReport, Priority, Spread, Tally, Ticket};
use haoban_store::CaseFilter;

use super::{Chrome, Lang, SignedIn, error_page, render};
use crate::AppState;
use crate::api::cases::case_deadline;
use crate::auth::Principal;
use crate::error::AppError;

/// The first page of cases read for the day's counts; doubled until the day is covered.
const CASES_PAGE: u32 = 500;
/// The most pending cases judged for the deadline list (as the API's `?due=` does).
const PENDING_MAX: u32 = 10_000;
/// The chart always spans at least the center's usual opening hours.
const OPENING_HOURS: (usize, usize) = (8, 17);

/// The report's labels, once per language (kept apart from `i18n::Msgs`, which the other
/// pages share). Both tables fill every field, so English is complete.
pub struct ReportMsgs {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub forbidden: &'static str,
    pub contents: &'static str,
    /// The links to the month's pages (`/reports/monthly`, `/reports/month`).
    pub monthly_link: &'static str,
    pub month_link: &'static str,
    // The day.
    pub day_label: &'static str,
    pub day_hint: &'static str,
    pub show: &'static str,
    pub prev_day: &'static str,
    pub next_day: &'static str,
    pub today: &'static str,
    pub err_day: &'static str,
    pub err_future: &'static str,
    pub weekdays: [&'static str; 7],
    // The queue.
    pub queue_heading: &'static str,
    pub queue_empty: &'static str,
    pub issued: &'static str,
    pub served: &'static str,
    pub no_shows: &'static str,
    pub waiting: &'static str,
    pub at_window: &'static str,
    pub parked: &'static str,
    pub wait_mean: &'static str,
    pub wait_median: &'static str,
    pub wait_longest: &'static str,
    pub service_mean: &'static str,
    pub service_median: &'static str,
    pub minutes: &'static str,
    pub no_data: &'static str,
    pub queue_note: &'static str,
    pub hours_heading: &'static str,
    /// `{}` is the day.
    pub hours_desc: &'static str,
    pub col_hour: &'static str,
    pub col_tickets: &'static str,
    pub groups_heading: &'static str,
    pub by_category: &'static str,
    pub by_priority: &'static str,
    pub col_group: &'static str,
    /// `{}` is the category's letter.
    pub category: &'static str,
    pub priorities: [&'static str; 5],
    pub total: &'static str,
    pub windows_heading: &'static str,
    pub windows_empty: &'static str,
    pub col_window: &'static str,
    /// `{}` is the window's name.
    pub window: &'static str,
    // The promise.
    pub promise_heading: &'static str,
    pub promise_intro: &'static str,
    pub promise_empty: &'static str,
    pub promise_checked: &'static str,
    pub promise_mae: &'static str,
    /// `{}` is the tolerance in minutes.
    pub promise_within: &'static str,
    pub worst_heading: &'static str,
    pub col_ticket: &'static str,
    pub col_promised: &'static str,
    pub col_waited: &'static str,
    pub col_error: &'static str,
    pub longer: &'static str,
    pub shorter: &'static str,
    // Cases.
    pub cases_heading: &'static str,
    pub cases_note: &'static str,
    pub cases_empty: &'static str,
    pub col_item: &'static str,
    pub opened: &'static str,
    pub accepted: &'static str,
    pub accepted_deficiency: &'static str,
    pub not_accepted: &'static str,
    pub deadlines_heading: &'static str,
    /// `{}` is the number of working days.
    pub deadlines_intro: &'static str,
    pub deadlines_empty: &'static str,
    /// `{}` is a number of cases.
    pub count_overdue: &'static str,
    pub count_due_soon: &'static str,
    pub col_case: &'static str,
    pub col_status: &'static str,
    pub col_accepted_on: &'static str,
    pub col_due: &'static str,
    pub col_deadline: &'static str,
    pub due_soon: &'static str,
    pub overdue: &'static str,
    pub paused: &'static str,
}

pub const ZH: ReportMsgs = ReportMsgs {
    nav: "报表",
    title: "每日报表",
    intro: "大厅排队与当日办件的情况，供中心主任和督导查看。",
    forbidden: "每日报表只有中心主任和系统管理员可以查看。",
    contents: "本页内容",
    monthly_link: "月度绩效",
    month_link: "中心月度概况",
    day_label: "日期",
    day_hint: "按 年-月-日 填写，如 2026-11-02",
    show: "查看",
    prev_day: "前一天",
    next_day: "后一天",
    today: "今天",
    err_day: "请按 年-月-日 填写一个日期，如 2026-11-02。",
    err_future: "这一天还没有到，没有可以报告的内容。",
    weekdays: [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ],
    queue_heading: "大厅排队",
    queue_empty: "当天没有取号。",
    issued: "取号",
    served: "已办结",
    no_shows: "过号未到",
    waiting: "仍在等候",
    at_window: "窗口办理中",
    parked: "暂停（补取材料）",
    wait_mean: "平均等候",
    wait_median: "等候中位数",
    wait_longest: "最长等候",
    service_mean: "平均办理时长",
    service_median: "办理时长中位数",
    minutes: "分钟",
    no_data: "—",
    queue_note: "等候时间 = 叫号时刻 − 取号时刻（重新呼叫或转窗后以最后一次叫号为准）；办理时长只计办结的号，从开始办理（未点开始则从叫号）算到办结。",
    hours_heading: "各时段取号",
    hours_desc: "{} 每小时的取号数（本地时间）",
    col_hour: "时段",
    col_tickets: "取号数",
    groups_heading: "按类别",
    by_category: "按队列类别",
    by_priority: "按优先类别",
    col_group: "类别",
    category: "{} 类",
    priorities: ["普通", "老年人", "残疾人", "退役军人", "预约到时"],
    total: "合计",
    windows_heading: "各窗口",
    windows_empty: "当天没有窗口叫号。",
    col_window: "窗口",
    window: "{} 号窗口",
    promise_heading: "预计等候的准确度",
    promise_intro: "取号时告知的预计等候，与实际等候（叫号时刻 − 取号时刻）相比；只计已叫号且告知了预计等候的号。",
    promise_empty: "当天没有可以核对的预计等候。",
    promise_checked: "核对的号",
    promise_mae: "平均绝对误差",
    promise_within: "误差在 ±{} 分钟内",
    worst_heading: "偏差最大的号",
    col_ticket: "号码",
    col_promised: "预计（分钟）",
    col_waited: "实际（分钟）",
    col_error: "偏差（分钟）",
    longer: "比预计久",
    shorter: "比预计短",
    cases_heading: "当日办件",
    cases_note: "按事情发生的日期计：新建按提交时刻，受理和容缺受理按受理日期，不予受理按作出决定的时刻。",
    cases_empty: "当天没有新建、受理或不予受理的办件。",
    col_item: "事项",
    opened: "新建",
    accepted: "受理",
    accepted_deficiency: "容缺受理",
    not_accepted: "不予受理",
    deadlines_heading: "办结时限（截至今天）",
    deadlines_intro: "在办的件中已超时的和 {} 个工作日内到期的，最早到期的在前。",
    deadlines_empty: "没有已超时或临近时限的在办件。",
    count_overdue: "已超时 {} 件",
    count_due_soon: "临近时限 {} 件",
    col_case: "办件编号",
    col_status: "状态",
    col_accepted_on: "受理日期",
    col_due: "办结时限",
    col_deadline: "时限",
    due_soon: "临近时限",
    overdue: "已超时",
    paused: "补正中，暂停计时",
};

pub const EN: ReportMsgs = ReportMsgs {
    nav: "Reports",
    title: "Day report",
    intro: "The hall's queue and the day's cases, for the center director and supervisors.",
    forbidden: "Only the center director and administrators may see the day report.",
    contents: "On this page",
    monthly_link: "Monthly list",
    month_link: "The center's month",
    day_label: "Day",
    day_hint: "Year-month-day, e.g. 2026-11-02",
    show: "Show",
    prev_day: "Previous day",
    next_day: "Next day",
    today: "Today",
    err_day: "Enter a day as year-month-day, e.g. 2026-11-02.",
    err_future: "That day has not come yet: there is nothing to report.",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    queue_heading: "The hall's queue",
    queue_empty: "No tickets were issued that day.",
    issued: "Tickets issued",
    served: "Served",
    no_shows: "No-shows",
    waiting: "Still waiting",
    at_window: "At a window",
    parked: "Parked (fetching documents)",
    wait_mean: "Mean wait",
    wait_median: "Median wait",
    wait_longest: "Longest wait",
    service_mean: "Mean service time",
    service_median: "Median service time",
    minutes: "min",
    no_data: "—",
    queue_note: "Wait = called − issued (after a recall or a transfer the last call counts); service times count only tickets served to the end, from the start of service (or the call, if not started) to the finish.",
    hours_heading: "Tickets by hour",
    hours_desc: "Tickets issued each hour on {} (local time)",
    col_hour: "Hour",
    col_tickets: "Tickets",
    groups_heading: "By group",
    by_category: "By queue category",
    by_priority: "By priority class",
    col_group: "Group",
    category: "Category {}",
    priorities: [
        "Normal",
        "Older person",
        "Person with a disability",
        "Veteran",
        "Appointment due",
    ],
    total: "Total",
    windows_heading: "By window",
    windows_empty: "No window called a ticket that day.",
    col_window: "Window",
    window: "Window {}",
    promise_heading: "How good the wait estimates were",
    promise_intro: "The wait promised on the slip against the wait had (called − issued), for the called tickets that were given a promise.",
    promise_empty: "There is no promised wait to check that day.",
    promise_checked: "Tickets checked",
    promise_mae: "Mean absolute error",
    promise_within: "Within ±{} minutes",
    worst_heading: "The worst misses",
    col_ticket: "Ticket",
    col_promised: "Promised (min)",
    col_waited: "Waited (min)",
    col_error: "Off by (min)",
    longer: "longer than promised",
    shorter: "shorter than promised",
    cases_heading: "Cases of the day",
    cases_note: "Counted on the day each happened: opened when submitted, accepted (with deficiency or not) on the day of acceptance, not accepted when refused.",
    cases_empty: "No case was opened, accepted or refused that day.",
    col_item: "Item",
    opened: "Opened",
    accepted: "Accepted",
    accepted_deficiency: "Accepted with deficiency",
    not_accepted: "Not accepted",
    deadlines_heading: "Deadlines (as of today)",
    deadlines_intro: "Pending cases that are overdue or due within {} working days, earliest due first.",
    deadlines_empty: "No pending case is overdue or due soon.",
    count_overdue: "{} overdue",
    count_due_soon: "{} due soon",
    col_case: "Case",
    col_status: "Status",
    col_accepted_on: "Accepted on",
    col_due: "Due",
    col_deadline: "Deadline",
    due_soon: "Due soon",
    overdue: "Overdue",
    paused: "paused for a supplement",
};

impl ReportMsgs {
    pub fn of(lang: Lang) -> &'static ReportMsgs {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    fn priority(&self, priority: Priority) -> &'static str {
        let index = haoban_hall::PRIORITIES
            .iter()
            .position(|p| *p == priority)
            .unwrap_or(0);
        self.priorities[index]
    }

    fn status(&self, lang: Lang, status: CaseStatus) -> &'static str {
        if lang == Lang::Zh {
            return status.label_zh();
        }
        match status {
            CaseStatus::Submitted => "Submitted",
            CaseStatus::Accepted => "Accepted",
            CaseStatus::AcceptedWithDeficiency => "Accepted with deficiency",
            CaseStatus::NotAccepted => "Not accepted",
            CaseStatus::InReview => "In review",
            CaseStatus::SupplementRequested => "Supplement requested",
            CaseStatus::Approved => "Approved",
            CaseStatus::Denied => "Denied",
            CaseStatus::Ready => "Ready",
            CaseStatus::Delivered => "Delivered",
            CaseStatus::Closed => "Closed",
            CaseStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// The navigation entry's label, for `base.html` (askama passes the language by reference).
pub fn nav_label(lang: &Lang) -> &'static str {
    ReportMsgs::of(*lang).nav
}

fn fill(template: &str, value: impl std::fmt::Display) -> String {
    template.replace("{}", &value.to_string())
}

/// Seconds as minutes with one decimal, rounded to the nearest tenth (a half up).
fn minutes(seconds: i64) -> String {
    let tenths = (2 * seconds + 6).div_euclid(12);
    let sign = if tenths < 0 { "−" } else { "" };
    let tenths = tenths.abs();
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

/// A signed difference in minutes: `+18.0`, `−19.0`.
fn signed_minutes(seconds: i64) -> String {
    let text = minutes(seconds);
    if seconds > 0 {
        format!("+{text}")
    } else {
        text
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    page: Chrome,
    r: &'static ReportMsgs,
    /// What the date field shows: the day, or what was typed when it was refused.
    typed: String,
    day_error: Option<&'static str>,
    /// `None` when the day was refused.
    day: Option<DayView>,
}

struct DayView {
    heading: String,
    prev_href: String,
    next_href: Option<String>,
    today_href: Option<String>,
    tiles: Vec<Tile>,
    chart: HourChart,
    groups: Vec<GroupBlock>,
    total: GroupRow,
    windows: Vec<WindowRow>,
    promise: Option<PromiseView>,
    cases: Vec<CaseRow>,
    cases_total: CaseRow,
    deadlines_intro: String,
    overdue_count: String,
    due_soon_count: String,
    deadlines: Vec<DeadlineRow>,
}

/// One figure at the top: `figure` names it for machines (`data-figure`).
struct Tile {
    figure: &'static str,
    label: &'static str,
    value: String,
    unit: &'static str,
}

struct GroupBlock {
    heading: &'static str,
    rows: Vec<GroupRow>,
}

struct GroupRow {
    label: String,
    issued: usize,
    served: usize,
    no_shows: usize,
    waiting: usize,
    at_window: usize,
    parked: usize,
    wait_mean: String,
    wait_median: String,
    wait_longest: String,
}

struct WindowRow {
    name: String,
    served: usize,
    no_shows: usize,
    service_mean: String,
    service_median: String,
}

struct PromiseView {
    checked: usize,
    mae: String,
    within: String,
    within_label: String,
    misses: Vec<MissRow>,
}

struct MissRow {
    number: String,
    promised: i64,
    waited: String,
    error: String,
    direction: &'static str,
    late: bool,
}

#[derive(Default)]
struct CaseRow {
    item: String,
    opened: usize,
    accepted: usize,
    deficiency: usize,
    not_accepted: usize,
}

struct DeadlineRow {
    number: String,
    /// Where the number links, for roles that may open the case.
    href: Option<String>,
    item: String,
    status: &'static str,
    accepted_on: String,
    due: String,
    class: &'static str,
    mark: &'static str,
    paused: bool,
}

/// The hours chart: an inline SVG drawn from these numbers (no script, no style
/// attribute: the stylesheet colours it).
struct HourChart {
    width: i64,
    height: i64,
    baseline: i64,
    title: String,
    bars: Vec<HourBar>,
}

struct HourBar {
    hour: String,
    span: String,
    count: usize,
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    middle: i64,
    count_y: i64,
    hour_y: i64,
}

const SLOT: i64 = 56;
const BAR: i64 = 38;
const PAD: i64 = 12;
const TOP: i64 = 30;
const PLOT: i64 = 170;

impl HourChart {
    fn new(title: String, by_hour: &[usize; 24]) -> HourChart {
        let used: Vec<usize> = (0..24).filter(|h| by_hour[*h] > 0).collect();
        let first = used
            .first()
            .map_or(OPENING_HOURS.0, |h| (*h).min(OPENING_HOURS.0));
        let last = used
            .last()
            .map_or(OPENING_HOURS.1, |h| (*h).max(OPENING_HOURS.1));
        let most = by_hour.iter().copied().max().unwrap_or(0).max(1) as i64;
        let baseline = TOP + PLOT;
        let bars = (first..=last)
            .enumerate()
            .map(|(slot, hour)| {
                let count = by_hour[hour];
                let height = count as i64 * PLOT / most;
                let x = PAD + slot as i64 * SLOT + (SLOT - BAR) / 2;
                HourBar {
                    hour: format!("{hour:02}"),
                    span: format!("{hour:02}:00–{hour:02}:59"),
                    count,
                    x,
                    y: baseline - height,
                    width: BAR,
                    height,
                    middle: x + BAR / 2,
                    count_y: baseline - height - 8,
                    hour_y: baseline + 26,
                }
            })
            .collect::<Vec<_>>();
        HourChart {
            width: 2 * PAD + bars.len() as i64 * SLOT,
            height: baseline + 38,
            baseline,
            title,
            bars,
        }
    }
}

/// The day asked for, or why it cannot be: the text typed and the message.
fn chosen_day(
    uri: &Uri,
    today: NaiveDate,
    r: &'static ReportMsgs,
) -> Result<NaiveDate, (String, &'static str)> {
    let pairs = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .unwrap_or_default();
    let typed = match pairs.iter().rev().find(|(name, _)| name == "day") {
        Some((_, value)) if !value.trim().is_empty() => value.trim().to_owned(),
        _ => return Ok(today),
    };
    match parse_date(&typed) {
        Some(day) if day <= today => Ok(day),
        Some(_) => Err((typed, r.err_future)),
        None => Err((typed, r.err_day)),
    }
}

/// GET /reports: the day report.
pub async fn day(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    let r = ReportMsgs::of(lang);
    if permits(principal.role, Action::ViewReports).is_none() {
        let err = AppError::Forbidden(r.forbidden.to_owned());
        return error_page(lang, &uri, Some(&principal), err);
    }
    let mut chrome = Chrome::new(lang, r.title, &uri, Some(&principal));
    chrome.nav = "reports";
    let today = state.clock.today_in(state.catalog.time_zone);
    let day = match chosen_day(&uri, today, r) {
        Ok(day) => day,
        Err((typed, message)) => {
            let page = ReportPage {
                page: chrome,
                r,
                typed,
                day_error: Some(message),
                day: None,
            };
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match day_view(&state, lang, &principal, day, today).await {
        Ok(view) => render(
            StatusCode::OK,
            &ReportPage {
                page: chrome,
                r,
                typed: day.to_string(),
                day_error: None,
                day: Some(view),
            },
        ),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

async fn day_view(
    state: &AppState,
    lang: Lang,
    principal: &Principal,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<DayView, AppError> {
    let r = ReportMsgs::of(lang);
    let zone = state.catalog.time_zone;
    let tickets: Vec<Ticket> = state.store.tickets(&principal.center, day).await?;
    let report = DayReport::of(&tickets, &zone);
    let day_cases = cases_of_day(state, principal, day).await?;
    let deadlines = deadline_rows(state, lang, principal).await?;

    let href = |d: NaiveDate| format!("/reports?day={d}");
    let heading = format!(
        "{} · {day} {}",
        r.title,
        r.weekdays[day.weekday().num_days_from_monday() as usize]
    );
    let overdue = deadlines.iter().filter(|d| d.class == "overdue").count();
    let due_soon = deadlines.len() - overdue;
    let (cases, cases_total) = case_rows(state, lang, &day_cases);
    Ok(DayView {
        heading,
        prev_href: href(day - Duration::days(1)),
        next_href: (day < today).then(|| href(day + Duration::days(1))),
        today_href: (day != today).then(|| "/reports".to_owned()),
        tiles: tiles(r, &report),
        chart: HourChart::new(fill(r.hours_desc, day), &report.issued_by_hour),
        groups: vec![
            GroupBlock {
                heading: r.by_category,
                rows: report
                    .by_category
                    .iter()
                    .map(|(letter, tally)| group_row(r, fill(r.category, letter), tally))
                    .collect(),
            },
            GroupBlock {
                heading: r.by_priority,
                rows: report
                    .by_priority
                    .iter()
                    .map(|(priority, tally)| group_row(r, r.priority(*priority).to_owned(), tally))
                    .collect(),
            },
        ],
        total: group_row(r, r.total.to_owned(), &report.total),
        windows: report
            .windows
            .iter()
            .map(|w| WindowRow {
                name: fill(r.window, &w.window),
                served: w.served,
                no_shows: w.no_shows,
                service_mean: spread(r, w.service, |s| s.mean),
                service_median: spread(r, w.service, |s| s.median),
            })
            .collect(),
        promise: report.promises.as_ref().map(|check| PromiseView {
            checked: check.checked,
            mae: minutes(check.mean_abs_error),
            within: format!("{}%", check.within_percent()),
            within_label: fill(r.promise_within, haoban_hall::PROMISE_TOLERANCE_MINUTES),
            misses: check
                .worst
                .iter()
                .map(|m| MissRow {
                    number: m.number.to_string(),
                    promised: m.promised,
                    waited: minutes(m.waited),
                    error: signed_minutes(m.error),
                    direction: if m.error > 0 { r.longer } else { r.shorter },
                    late: m.error > 0,
                })
                .collect(),
        }),
        cases,
        cases_total,
        deadlines_intro: fill(r.deadlines_intro, state.config.due_soon_days),
        overdue_count: fill(r.count_overdue, overdue),
        due_soon_count: fill(r.count_due_soon, due_soon),
        deadlines,
    })
}

fn spread(r: &ReportMsgs, spread: Option<Spread>, pick: fn(&Spread) -> i64) -> String {
    spread.map_or_else(|| r.no_data.to_owned(), |s| minutes(pick(&s)))
}

fn tiles(r: &'static ReportMsgs, report: &DayReport) -> Vec<Tile> {
    let total = &report.total;
    let count = |figure, label, n: usize| Tile {
        figure,
        label,
        value: n.to_string(),
        unit: "",
    };
    let time = |figure, label, value: String| Tile {
        unit: if value == r.no_data { "" } else { r.minutes },
        figure,
        label,
        value,
    };
    vec![
        count("issued", r.issued, total.issued),
        count("served", r.served, total.served),
        count("no-shows", r.no_shows, total.no_shows),
        count("waiting", r.waiting, total.waiting),
        count("at-window", r.at_window, total.at_window),
        count("parked", r.parked, total.parked),
        time("wait-mean", r.wait_mean, spread(r, total.wait, |s| s.mean)),
        time(
            "wait-median",
            r.wait_median,
            spread(r, total.wait, |s| s.median),
        ),
        time(
            "wait-longest",
            r.wait_longest,
            spread(r, total.wait, |s| s.longest),
        ),
        time(
            "service-mean",
            r.service_mean,
            spread(r, report.service, |s| s.mean),
        ),
        time(
            "service-median",
            r.service_median,
            spread(r, report.service, |s| s.median),
        ),
    ]
}

fn group_row(r: &ReportMsgs, label: String, tally: &Tally) -> GroupRow {
    GroupRow {
        label,
        issued: tally.issued,
        served: tally.served,
        no_shows: tally.no_shows,
        waiting: tally.waiting,
        at_window: tally.at_window,
        parked: tally.parked,
        wait_mean: spread(r, tally.wait, |s| s.mean),
        wait_median: spread(r, tally.wait, |s| s.median),
        wait_longest: spread(r, tally.wait, |s| s.longest),
    }
}

/// What happened to a case on the day.
#[derive(Default)]
struct OnDay {
    opened: bool,
    accepted: bool,
    deficiency: bool,
    not_accepted: bool,
}

fn local<Z: TimeZone>(at: DateTime<Utc>, zone: &Z) -> NaiveDate {
    at.with_timezone(zone).date_naive()
}

/// Every case opened, accepted or refused on `day`, with what happened to it then.
///
/// The store lists cases most recently updated first, and a case with a step on `day` was
/// updated on or after it: so the cases read stop at the first one last updated before
/// the day. Each read is one query (a consistent list); it is repeated with twice the
/// limit until it reaches back past the day.
async fn cases_of_day(
    state: &AppState,
    principal: &Principal,
    day: NaiveDate,
) -> Result<Vec<(Case, OnDay)>, AppError> {
    let zone = &state.catalog.time_zone;
    let mut limit = CASES_PAGE;
    let touched: Vec<Case> = loop {
        let mut filter = CaseFilter::center(principal.center.clone());
        filter.limit = limit;
        let cases = state.store.cases(&filter).await?;
        let complete = cases.len() < limit as usize
            || cases
                .last()
                .is_some_and(|c| local(c.updated_at, zone) < day)
            || limit == u32::MAX;
        if complete {
            break cases
                .into_iter()
                .take_while(|c| local(c.updated_at, zone) >= day)
                .collect();
        }
        limit = limit.saturating_mul(2);
    };
    let mut found = Vec::new();
    for case in touched {
        let on_day = OnDay {
            opened: local(case.submitted_at, zone) == day,
            accepted: case.accepted_on == Some(day) && case.deficiency.is_none(),
            deficiency: case.accepted_on == Some(day) && case.deficiency.is_some(),
            not_accepted: case.status == CaseStatus::NotAccepted
                && refused_on(state, &case, day).await?,
        };
        if on_day.opened || on_day.accepted || on_day.deficiency || on_day.not_accepted {
            found.push((case, on_day));
        }
    }
    Ok(found)
}

/// Whether a case not accepted was refused on `day`. Submitted and last updated that
/// day, it was; otherwise its record says when.
async fn refused_on(state: &AppState, case: &Case, day: NaiveDate) -> Result<bool, AppError> {
    let zone = &state.catalog.time_zone;
    if local(case.submitted_at, zone) == day && local(case.updated_at, zone) == day {
        return Ok(true);
    }
    if local(case.submitted_at, zone) > day || local(case.updated_at, zone) < day {
        return Ok(false);
    }
    let record = state.store.case_record(&case.number).await?;
    Ok(record
        .iter()
        .filter(|entry| entry.kind == "not_accepted")
        .filter_map(|entry| DateTime::parse_from_rfc3339(&entry.at).ok())
        .any(|at| local(at.with_timezone(&Utc), zone) == day))
}

fn item_name(state: &AppState, lang: Lang, id: &str) -> String {
    state.catalog.item(id).map_or_else(
        || id.to_owned(),
        |item| item.name.get(lang.locale()).to_owned(),
    )
}

/// The day's cases by item, in catalog order (id order), and their total.
fn case_rows(state: &AppState, lang: Lang, cases: &[(Case, OnDay)]) -> (Vec<CaseRow>, CaseRow) {
    let mut by_item: BTreeMap<&str, CaseRow> = BTreeMap::new();
    let mut total = CaseRow {
        item: ReportMsgs::of(lang).total.to_owned(),
        ..CaseRow::default()
    };
    for (case, on_day) in cases {
        let row = by_item.entry(&case.item).or_insert_with(|| CaseRow {
            item: item_name(state, lang, &case.item),
            ..CaseRow::default()
        });
        for row in [row, &mut total] {
            row.opened += usize::from(on_day.opened);
            row.accepted += usize::from(on_day.accepted);
            row.deficiency += usize::from(on_day.deficiency);
            row.not_accepted += usize::from(on_day.not_accepted);
        }
    }
    (by_item.into_values().collect(), total)
}

/// The pending cases overdue or due soon today, overdue first, each by due date.
async fn deadline_rows(
    state: &AppState,
    lang: Lang,
    principal: &Principal,
) -> Result<Vec<DeadlineRow>, AppError> {
    let r = ReportMsgs::of(lang);
    let mut filter = CaseFilter::center(principal.center.clone());
    filter.statuses = CaseStatus::ALL
        .into_iter()
        .filter(|s| s.is_pending())
        .collect();
    filter.limit = PENDING_MAX;
    let may_open = permits(principal.role, Action::ReadCase).is_some();
    let mut rows: Vec<(bool, NaiveDate, DeadlineRow)> = state
        .store
        .cases(&filter)
        .await?
        .into_iter()
        .filter_map(|case| {
            let deadline = case_deadline(state, &case)?;
            let (overdue, class, mark) = match deadline.state {
                DeadlineState::Overdue => (true, "overdue", r.overdue),
                DeadlineState::DueSoon => (false, "due-soon", r.due_soon),
                DeadlineState::OnTrack => return None,
            };
            let number = case.number.to_string();
            let row = DeadlineRow {
                href: may_open.then(|| format!("/office/cases/{number}")),
                number,
                item: item_name(state, lang, &case.item),
                status: r.status(lang, case.status),
                accepted_on: case.accepted_on.map(|d| d.to_string()).unwrap_or_default(),
                due: deadline.due.to_string(),
                class,
                mark,
                paused: deadline.paused,
            };
            Some((!overdue, deadline.due, row))
        })
        .collect();
    rows.sort_by(|a, b| (a.0, a.1, &a.2.number).cmp(&(b.0, b.1, &b.2.number)));
    Ok(rows.into_iter().map(|(_, _, row)| row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_have_one_decimal_rounded_half_up() {
        assert_eq!(minutes(0), "0.0");
        assert_eq!(minutes(600), "10.0");
        assert_eq!(minutes(528), "8.8");
        assert_eq!(minutes(3), "0.1");
        assert_eq!(minutes(2), "0.0");
        assert_eq!(minutes(-1140), "−19.0");
        assert_eq!(signed_minutes(1080), "+18.0");
        assert_eq!(signed_minutes(-60), "−1.0");
    }

    #[test]
    fn the_chart_spans_the_opening_hours_and_any_hour_with_tickets() {
        let mut hours = [0; 24];
        hours[7] = 2;
        hours[9] = 4;
        let chart = HourChart::new(String::new(), &hours);
        let labels: Vec<&str> = chart.bars.iter().map(|b| b.hour.as_str()).collect();
        assert_eq!(labels.first(), Some(&"07"));
        assert_eq!(labels.last(), Some(&"17"));
        let tallest = &chart.bars[2];
        assert_eq!((tallest.count, tallest.height), (4, PLOT));
        assert_eq!(chart.bars[0].height, PLOT / 2);
        assert_eq!(chart.bars[1].height, 0);
    }
}
