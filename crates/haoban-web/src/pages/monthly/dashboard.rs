//! `/reports/month?month=`: the center's month as charts, for the director: the volume of
//! each day (tickets issued, cases accepted), the mean wait of each day, deadlines met
//! (decided cases on time or late, by the day decided) and the ratings by level with the
//! good-rating rate. Each chart has the same numbers in a table screen readers read.
//!
//! Waits are the day report's ([`haoban_hall::DayReport`] over each day's tickets);
//! acceptances are read from the process record by the day they were recorded; whether a
//! decided case met its deadline is the monthly list's own judgement (its efficiency
//! figures), so the two pages never disagree.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate};
use haoban_cases::record::Entry;
use haoban_feedback::{Level, Tally};
use haoban_hall::DayReport;
use haoban_insight::Month;

use super::chart::{BarChart, Column, Series};
use super::msgs::{MonthlyMsgs, fill};
use super::{Loaded, MonthSteps, chosen_month, chrome, load, refused, source_line};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, error_page, render};

pub struct DashMsgs {
    pub title: &'static str,
    pub intro: &'static str,
    pub contents: &'static str,
    pub list_link: &'static str,
    pub col_day: &'static str,
    pub weekdays: [&'static str; 7],
    pub volume_heading: &'static str,
    /// `{month}` in the chart titles.
    pub volume_title: &'static str,
    pub volume_note: &'static str,
    pub issued: &'static str,
    pub accepted: &'static str,
    pub waits_heading: &'static str,
    pub waits_title: &'static str,
    pub waits_note: &'static str,
    pub wait_mean: &'static str,
    pub called: &'static str,
    pub minutes: &'static str,
    pub deadlines_heading: &'static str,
    pub deadlines_title: &'static str,
    pub deadlines_note: &'static str,
    pub decided: &'static str,
    pub on_time: &'static str,
    pub late: &'static str,
    pub on_time_rate: &'static str,
    pub ratings_heading: &'static str,
    pub ratings_title: &'static str,
    pub ratings_note: &'static str,
    pub col_level: &'static str,
    pub ratings: &'static str,
    pub good: &'static str,
    pub good_rate: &'static str,
}

static ZH: DashMsgs = DashMsgs {
    title: "中心月度概况",
    intro: "本中心一个月的办件量、等候时间、办结时限和好差评。",
    contents: "本页内容",
    list_link: "月度绩效榜",
    col_day: "日期",
    weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    volume_heading: "每日办件量",
    volume_title: "{month} 每天的取号数和受理件数",
    volume_note: "取号按取号当天计，受理（含容缺受理）按受理当天计；灰色为休息日。",
    issued: "取号",
    accepted: "受理",
    waits_heading: "每日平均等候",
    waits_title: "{month} 每天已叫号的号的平均等候（分钟）",
    waits_note: "等候 = 叫号时刻 − 取号时刻；全月平均按每天叫号的号数加权。",
    wait_mean: "平均等候",
    called: "已叫号",
    minutes: "分钟",
    deadlines_heading: "办结时限",
    deadlines_title: "{month} 每天办结的办件：按时与超时",
    deadlines_note: "办件批准或不予批准时是否在承诺时限内（补正期间暂停计时），按办结当天计，与月度绩效榜的效率数据相同。",
    decided: "办结",
    on_time: "按时",
    late: "超时",
    on_time_rate: "按时办结率",
    ratings_heading: "好差评",
    ratings_title: "{month} 各等级的评价数",
    ratings_note: "好评率 = 非常满意、满意和基本满意占全部评价的比例，含到期未评的默认评价。",
    col_level: "等级",
    ratings: "评价数",
    good: "好评",
    good_rate: "好评率",
};

static EN: DashMsgs = DashMsgs {
    title: "The center's month",
    intro: "The center's volume, waits, deadlines met and ratings over a month.",
    contents: "On this page",
    list_link: "Monthly list",
    col_day: "Day",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    volume_heading: "Volume per day",
    volume_title: "Tickets issued and cases accepted each day of {month}",
    volume_note: "Tickets count on the day issued, acceptances (with deficiency or not) on the day accepted; days off are shaded.",
    issued: "Tickets issued",
    accepted: "Cases accepted",
    waits_heading: "Mean wait per day",
    waits_title: "Mean wait of the tickets called each day of {month} (minutes)",
    waits_note: "Wait = called − issued; the month's mean weighs each day by its tickets called.",
    wait_mean: "Mean wait",
    called: "Tickets called",
    minutes: "min",
    deadlines_heading: "Deadlines met",
    deadlines_title: "Cases decided each day of {month}: on time and late",
    deadlines_note: "Whether a case was approved or denied within its promised days (the clock stops during a supplement), by the day decided; the monthly list's efficiency figures judge the same way.",
    decided: "Decided",
    on_time: "On time",
    late: "Late",
    on_time_rate: "On-time rate",
    ratings_heading: "Ratings",
    ratings_title: "Ratings by level in {month}",
    ratings_note: "Good-rating rate = very satisfied, satisfied and fairly satisfied over all ratings, defaults for unrated cases included.",
    col_level: "Level",
    ratings: "Ratings",
    good: "Good",
    good_rate: "Good rate",
};

impl DashMsgs {
    fn of(lang: Lang) -> &'static DashMsgs {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

#[derive(Template)]
#[template(path = "month.html")]
struct MonthPage {
    page: Chrome,
    m: &'static MonthlyMsgs,
    d: &'static DashMsgs,
    typed: String,
    month_error: Option<&'static str>,
    view: Option<MonthView>,
}

struct MonthView {
    heading: String,
    steps: MonthSteps,
    source_kind: &'static str,
    source_text: String,
    list_href: String,
    sections: Vec<ChartSection>,
}

/// One chart with its figures above it.
struct ChartSection {
    id: &'static str,
    heading: &'static str,
    note: &'static str,
    tiles: Vec<Tile>,
    chart: BarChart,
}

struct Tile {
    /// For `data-figure`.
    figure: &'static str,
    label: &'static str,
    value: String,
    unit: &'static str,
}

/// GET /reports/month: the center's month.
pub async fn month(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if let Some(refusal) = refused(lang, &uri, &principal) {
        return refusal;
    }
    let m = MonthlyMsgs::of(lang);
    let d = DashMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let this_month = Month::of(today);
    let (typed, month_error, view) = match chosen_month(&uri, this_month, m) {
        Ok(month) => match month_view(&state, lang, &principal, month, today).await {
            Ok(view) => (month.to_string(), None, Some(view)),
            Err(err) => return error_page(lang, &uri, Some(&principal), err),
        },
        Err((typed, message)) => (typed, Some(message), None),
    };
    let status = if view.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = view.as_ref().map_or(d.title, |v| v.heading.as_str());
    let page = MonthPage {
        page: chrome(lang, title, &uri, &principal),
        m,
        d,
        typed,
        month_error,
        view,
    };
    render(status, &page)
}

/// Seconds as tenths of a minute, rounded to the nearest (a half up), as the day report does.
fn tenths(seconds: i64) -> i64 {
    (2 * seconds + 6).div_euclid(12)
}

fn minutes(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn count(n: i64) -> String {
    n.to_string()
}

/// `part` of `whole` as a percentage with two decimals, rounded down (integers only).
fn percent(part: u64, whole: u64) -> Option<String> {
    (whole > 0).then(|| {
        let bp = u128::from(part) * 10_000 / u128::from(whole);
        format!("{}.{:02}%", bp / 100, bp % 100)
    })
}

/// What each day of the month adds up to.
#[derive(Default, Clone)]
struct Day {
    issued: i64,
    accepted: i64,
    /// Tickets called and the sum of their (rounded) mean waits.
    called: i64,
    wait_seconds: i64,
    on_time: i64,
    late: i64,
}

async fn month_view(
    state: &AppState,
    lang: Lang,
    principal: &Principal,
    month: Month,
    today: NaiveDate,
) -> Result<MonthView, AppError> {
    let m = MonthlyMsgs::of(lang);
    let d = DashMsgs::of(lang);
    let zone = state.catalog.time_zone;
    let loaded: Loaded = load(state, &principal.center, month, today, true).await?;
    let days: Vec<NaiveDate> = month.days().collect();
    let mut by_day = vec![Day::default(); days.len()];
    let index = |day: NaiveDate| (day.day0() as usize).min(days.len() - 1);
    for day in days.iter().filter(|day| **day <= today) {
        let tickets = state.store.tickets(&principal.center, *day).await?;
        let report = DayReport::of(&tickets, &zone);
        let slot = &mut by_day[index(*day)];
        slot.issued = report.total.issued as i64;
        if let Some(wait) = report.total.wait {
            slot.called = wait.count as i64;
            slot.wait_seconds = wait.mean * wait.count as i64;
        }
    }
    let entries: &[Entry] = loaded.entries.as_deref().unwrap_or_default();
    for entry in entries
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "accepted" | "accepted_with_deficiency"))
    {
        let Ok(at) = DateTime::parse_from_rfc3339(&entry.at) else {
            continue;
        };
        let day = at.with_timezone(&zone).date_naive();
        if month.contains(day) {
            by_day[index(day)].accepted += 1;
        }
    }
    for case in loaded
        .list
        .rows
        .iter()
        .flat_map(|r| &r.figures.efficiency.cases)
        .filter(|c| month.contains(c.decided_on))
    {
        let slot = &mut by_day[index(case.decided_on)];
        if case.on_time {
            slot.on_time += 1;
        } else {
            slot.late += 1;
        }
    }
    let ratings = state.store.ratings(&principal.center, month).await?;
    let tally = Tally::of(ratings.iter().map(|r| &r.level));

    let calendar = state.catalog.calendar();
    let column = |day: &NaiveDate, values: Vec<Option<i64>>| Column {
        label: day.day().to_string(),
        full: format!(
            "{day} {}",
            d.weekdays[day.weekday().num_days_from_monday() as usize]
        ),
        off: !calendar.is_working_day(*day),
        values,
    };
    let past = |day: &NaiveDate| *day <= today;
    let title = |template: &str| fill(template, &[("{month}", &month.to_string())]);
    let sum = |pick: fn(&Day) -> i64| by_day.iter().map(pick).sum::<i64>();

    let volume = BarChart::new(
        title(d.volume_title),
        d.col_day,
        vec![
            Series {
                label: d.issued,
                class: "issued",
            },
            Series {
                label: d.accepted,
                class: "accepted",
            },
        ],
        days.iter()
            .zip(&by_day)
            .map(|(day, n)| {
                let values = if past(day) {
                    vec![Some(n.issued), Some(n.accepted)]
                } else {
                    vec![None, None]
                };
                column(day, values)
            })
            .collect(),
        false,
        count,
        m.none,
    );
    let waits = BarChart::new(
        title(d.waits_title),
        d.col_day,
        vec![Series {
            label: d.wait_mean,
            class: "wait",
        }],
        days.iter()
            .zip(&by_day)
            .map(|(day, n)| {
                let mean = (n.called > 0).then(|| tenths(n.wait_seconds / n.called));
                column(day, vec![mean])
            })
            .collect(),
        false,
        minutes,
        m.none,
    );
    let deadlines = BarChart::new(
        title(d.deadlines_title),
        d.col_day,
        vec![
            Series {
                label: d.on_time,
                class: "on-time",
            },
            Series {
                label: d.late,
                class: "late",
            },
        ],
        days.iter()
            .zip(&by_day)
            .map(|(day, n)| {
                let values = if past(day) {
                    vec![Some(n.on_time), Some(n.late)]
                } else {
                    vec![None, None]
                };
                column(day, values)
            })
            .collect(),
        true,
        count,
        m.none,
    );
    // Very satisfied first, as the levels are listed everywhere.
    let levels = Level::ALL;
    let rating_chart = BarChart::new(
        title(d.ratings_title),
        d.col_level,
        vec![Series {
            label: d.ratings,
            class: "rating",
        }],
        levels
            .iter()
            .map(|level| Column {
                label: format!("{}", level.value()),
                full: format!(
                    "{} ({})",
                    match lang {
                        Lang::Zh => level.label_zh(),
                        Lang::En => level.label_en(),
                    },
                    level.value()
                ),
                off: false,
                values: vec![Some(tally.count(*level) as i64)],
            })
            .collect(),
        false,
        count,
        m.none,
    );

    let (called, waited) = (sum(|n| n.called), sum(|n| n.wait_seconds));
    let (on_time, late) = (sum(|n| n.on_time), sum(|n| n.late));
    let tile = |figure, label, value: String, unit| Tile {
        figure,
        label,
        value,
        unit,
    };
    let none = || m.none.to_owned();
    let (source_kind, source_text) = source_line(state, m, &loaded);
    Ok(MonthView {
        heading: format!("{} · {month}", d.title),
        steps: MonthSteps::new("/reports/month", month, Month::of(today)),
        source_kind,
        source_text,
        list_href: format!("/reports/monthly?month={month}"),
        sections: vec![
            ChartSection {
                id: "volume",
                heading: d.volume_heading,
                note: d.volume_note,
                tiles: vec![
                    tile("issued", d.issued, sum(|n| n.issued).to_string(), ""),
                    tile("accepted", d.accepted, sum(|n| n.accepted).to_string(), ""),
                ],
                chart: volume,
            },
            ChartSection {
                id: "waits",
                heading: d.waits_heading,
                note: d.waits_note,
                tiles: vec![
                    match called {
                        0 => tile("wait-mean", d.wait_mean, none(), ""),
                        _ => tile(
                            "wait-mean",
                            d.wait_mean,
                            minutes(tenths(waited / called)),
                            d.minutes,
                        ),
                    },
                    tile("called", d.called, called.to_string(), ""),
                ],
                chart: waits,
            },
            ChartSection {
                id: "deadlines",
                heading: d.deadlines_heading,
                note: d.deadlines_note,
                tiles: vec![
                    tile("decided", d.decided, (on_time + late).to_string(), ""),
                    tile("on-time", d.on_time, on_time.to_string(), ""),
                    tile(
                        "on-time-rate",
                        d.on_time_rate,
                        percent(on_time as u64, (on_time + late) as u64).unwrap_or_else(none),
                        "",
                    ),
                ],
                chart: deadlines,
            },
            ChartSection {
                id: "ratings",
                heading: d.ratings_heading,
                note: d.ratings_note,
                tiles: vec![
                    tile("ratings", d.ratings, tally.total().to_string(), ""),
                    tile("good", d.good, tally.good().to_string(), ""),
                    tile(
                        "good-rate",
                        d.good_rate,
                        tally
                            .good_rate()
                            .map_or_else(none, |rate| format!("{rate}%")),
                        "",
                    ),
                ],
                chart: rating_chart,
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_minutes_are_written_without_floating_point() {
        assert_eq!(percent(2, 3).as_deref(), Some("66.66%"));
        assert_eq!(percent(1, 1).as_deref(), Some("100.00%"));
        assert_eq!(percent(0, 0), None);
        assert_eq!(minutes(tenths(660)), "11.0");
        assert_eq!(minutes(tenths(531)), "8.9");
    }
}
