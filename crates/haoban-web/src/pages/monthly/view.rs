//! The list page's content: the scores table, the chart of what each total is made of,
//! and the figures table whose numbers open to their events. Numbers are the list's own
//! decimals, written as the command line writes them.

use haoban_insight::{Dimension, Month, Row};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::figure::Figure;
use super::msgs::{MonthlyMsgs, fill};
use super::{Loaded, MonthSteps, segment, source_line};
use crate::AppState;
use crate::list_export::heading;
use crate::pages::Lang;

pub struct ListView {
    pub heading: String,
    pub steps: MonthSteps,
    /// `stored`, `live` (this month) or `computed` (over, not stored yet).
    pub source_kind: &'static str,
    pub source_text: String,
    pub xlsx_href: String,
    pub dashboard_href: String,
    pub weights: Vec<(&'static str, String)>,
    pub working_days: u32,
    /// The five dimensions' headings, in the list's order.
    pub dimensions: Vec<&'static str>,
    pub rows: Vec<ScoreLine>,
    pub chart: ScoreChart,
    pub groups: Vec<(&'static str, Vec<&'static str>)>,
    pub figures: Vec<FigureLine>,
    pub warnings: Vec<String>,
}

/// A number of the list, and where it opens to.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// For `data-figure`: which figure it is.
    pub figure: &'static str,
}

pub struct ScoreLine {
    pub rank: u32,
    pub staff: String,
    pub total: String,
    pub scores: Vec<Cell>,
    pub days: Cell,
}

pub struct FigureLine {
    pub staff: String,
    pub days: Cell,
    /// In the order of `ListView::groups`' columns.
    pub cells: Vec<Cell>,
}

/// A 4-place figure without its trailing zeros (`36`, `22.5`), as the command line shows it.
fn plain(value: Option<Decimal>, none: &str) -> String {
    value.map_or_else(|| none.to_owned(), |v| v.normalize().to_string())
}

fn percent(rate: Option<Decimal>, none: &str) -> String {
    rate.map_or_else(
        || none.to_owned(),
        |r| format!("{}%", (r * Decimal::ONE_HUNDRED).round_dp(2).normalize()),
    )
}

/// Where a member's figure opens to.
pub fn figure_href(month: Month, staff: &str, figure: Figure) -> String {
    format!(
        "/reports/monthly/{month}/{}?figure={}",
        segment(staff),
        figure.slug()
    )
}

pub fn list_view(state: &AppState, lang: Lang, loaded: &Loaded, this_month: Month) -> ListView {
    let m = MonthlyMsgs::of(lang);
    let list = &loaded.list;
    let month = list.month;
    let (source_kind, source_text) = source_line(state, m, loaded);
    let dimensions: Vec<&'static str> = Dimension::ALL
        .iter()
        .map(|d| heading(*d, lang.locale()))
        .collect();
    let link = |row: &Row, figure: Figure, text: String| Cell {
        text,
        href: Some(figure_href(month, &row.staff, figure)),
        figure: figure.slug(),
    };
    let rows = list
        .rows
        .iter()
        .map(|row| ScoreLine {
            rank: row.rank,
            staff: row.staff.clone(),
            total: row.total.to_string(),
            scores: Dimension::ALL
                .iter()
                .map(|d| match row.score(*d) {
                    Some(score) => link(row, Figure::of(*d), score.to_string()),
                    None => Cell {
                        text: m.none.to_owned(),
                        href: None,
                        figure: Figure::of(*d).slug(),
                    },
                })
                .collect(),
            days: link(row, Figure::Days, row.days_on_duty.days.to_string()),
        })
        .collect();
    ListView {
        heading: format!("{} · {month}", m.title),
        steps: MonthSteps::new("/reports/monthly", month, this_month),
        source_kind,
        source_text,
        xlsx_href: format!("/reports/monthly.xlsx?month={month}"),
        dashboard_href: format!("/reports/month?month={month}"),
        weights: Dimension::ALL
            .iter()
            .map(|d| {
                (
                    heading(*d, lang.locale()),
                    list.weights.get(*d).normalize().to_string(),
                )
            })
            .collect(),
        working_days: list.working_days,
        dimensions: dimensions.clone(),
        rows,
        chart: ScoreChart::new(m, lang, list),
        groups: vec![
            (
                dimensions[0],
                vec![
                    m.fig_accepted,
                    m.fig_refused,
                    m.fig_decided,
                    m.fig_tickets,
                    m.fig_sum,
                    m.fig_adjusted,
                ],
            ),
            (dimensions[1], vec![m.fig_cases, m.fig_on_time, m.fig_saved]),
            (dimensions[2], vec![m.fig_points, m.fig_adjusted]),
            (
                dimensions[3],
                vec![m.fig_ratings, m.fig_mean, m.fig_good, m.fig_unresolved],
            ),
            (
                dimensions[4],
                vec![m.fig_supplements, m.fig_upheld, m.fig_per_hundred],
            ),
        ],
        figures: list
            .rows
            .iter()
            .map(|row| figure_line(m, month, row))
            .collect(),
        warnings: list.warnings.clone(),
    }
}

fn figure_line(m: &MonthlyMsgs, month: Month, row: &Row) -> FigureLine {
    let f = &row.figures;
    let none = m.none;
    let link = |figure: Figure, text: String| Cell {
        text,
        href: Some(figure_href(month, &row.staff, figure)),
        figure: figure.slug(),
    };
    let count = |figure: Figure| link(figure, figure.count(row).to_string());
    let text = |figure: &'static str, text: String| Cell {
        text,
        href: None,
        figure,
    };
    let efficiency = &f.efficiency;
    let on_time = if efficiency.cases.is_empty() {
        text("on_time", none.to_owned())
    } else {
        link(
            Figure::Efficiency,
            format!("{}/{}", efficiency.on_time, efficiency.cases.len()),
        )
    };
    let e = &f.evaluation;
    FigureLine {
        staff: row.staff.clone(),
        days: link(Figure::Days, row.days_on_duty.days.to_string()),
        cells: vec![
            count(Figure::Accepted),
            count(Figure::NotAccepted),
            count(Figure::Decided),
            count(Figure::Tickets),
            count(Figure::Quantity),
            text("quantity_adjusted", plain(Some(f.quantity.adjusted), none)),
            count(Figure::Efficiency),
            on_time,
            text("time_saved", percent(efficiency.time_saved, none)),
            link(Figure::Value, plain(Some(f.value.points), none)),
            text("value_adjusted", plain(Some(f.value.adjusted), none)),
            count(Figure::Ratings),
            text("mean_level", plain(e.mean_level, none)),
            text("good_rate", percent(e.good_rate, none)),
            count(Figure::Unresolved),
            count(Figure::Supplements),
            count(Figure::Upheld),
            link(Figure::Quality, plain(f.quality.basis, none)),
        ],
    }
}

/// Each member's total as a horizontal bar in parts, one per dimension: the dimension's
/// score × weight ÷ the weights of the member's dimensions, which add up to the total.
/// An inline SVG drawn from these numbers; the stylesheet colours it (no style attribute).
pub struct ScoreChart {
    pub title: String,
    pub width: i64,
    pub height: i64,
    /// The grid's top and bottom, and where the axis' numbers and the names are written.
    pub grid_top: i64,
    pub grid_bottom: i64,
    pub tick_y: i64,
    pub label_x: i64,
    pub bar_h: i64,
    pub ticks: Vec<AxisTick>,
    pub legend: Vec<LegendItem>,
    pub bars: Vec<StaffBar>,
    /// The parts as text, for the table screen readers read instead.
    pub table: Vec<(String, Vec<String>, String)>,
}

pub struct AxisTick {
    pub x: i64,
    pub label: String,
}

pub struct LegendItem {
    pub class: &'static str,
    pub label: &'static str,
    pub x: i64,
    pub text_x: i64,
}

pub struct StaffBar {
    pub label: String,
    pub y: i64,
    pub text_y: i64,
    pub total: String,
    pub total_x: i64,
    pub segments: Vec<Segment>,
}

pub struct Segment {
    pub class: &'static str,
    pub x: i64,
    pub width: i64,
    pub title: String,
}

const LABEL_W: i64 = 190;
const PLOT_W: i64 = 600;
const RIGHT_W: i64 = 90;
const LEGEND_H: i64 = 56;
const ROW_H: i64 = 46;
const BAR_H: i64 = 28;

fn px(points: Decimal) -> i64 {
    (points * Decimal::from(PLOT_W) / Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(0)
        .clamp(0, PLOT_W)
}

impl ScoreChart {
    fn new(m: &MonthlyMsgs, lang: Lang, list: &haoban_insight::MonthlyList) -> ScoreChart {
        let plot_top = LEGEND_H;
        let plot_bottom = plot_top + list.rows.len().max(1) as i64 * ROW_H;
        let mut bars = Vec::new();
        let mut table = Vec::new();
        for (i, row) in list.rows.iter().enumerate() {
            let y = plot_top + i as i64 * ROW_H + (ROW_H - BAR_H) / 2;
            let present: Vec<(Dimension, Decimal)> = Dimension::ALL
                .iter()
                .filter_map(|d| row.score(*d).map(|s| (*d, s)))
                .collect();
            let sum: Decimal = present.iter().map(|(d, _)| list.weights.get(*d)).sum();
            let mut segments = Vec::new();
            let mut parts = Vec::new();
            let mut done = Decimal::ZERO;
            for dimension in Dimension::ALL {
                let score = present.iter().find(|(d, _)| *d == dimension).map(|p| p.1);
                let (Some(score), false) = (score, sum.is_zero()) else {
                    parts.push(m.none.to_owned());
                    continue;
                };
                let weight = list.weights.get(dimension);
                let part = weight * score / sum;
                let start = px(done);
                done += part;
                let end = px(done);
                let part_text = part.round_dp(2).to_string();
                parts.push(part_text.clone());
                if end > start {
                    segments.push(Segment {
                        class: dimension.as_str(),
                        x: LABEL_W + start,
                        width: end - start,
                        title: fill(
                            m.chart_segment,
                            &[
                                ("{staff}", &row.staff),
                                ("{dimension}", heading(dimension, lang.locale())),
                                ("{score}", &score.to_string()),
                                ("{weight}", &weight.normalize().to_string()),
                                ("{sum}", &sum.normalize().to_string()),
                                ("{part}", &part_text),
                            ],
                        ),
                    });
                }
            }
            let end = segments.last().map_or(LABEL_W, |s| s.x + s.width);
            bars.push(StaffBar {
                label: format!("{}. {}", row.rank, row.staff),
                y,
                text_y: y + BAR_H / 2 + 6,
                total: row.total.to_string(),
                total_x: end + 10,
                segments,
            });
            table.push((row.staff.clone(), parts, row.total.to_string()));
        }
        ScoreChart {
            title: fill(m.chart_title, &[("{month}", &list.month.to_string())]),
            width: LABEL_W + PLOT_W + RIGHT_W,
            height: plot_bottom + 36,
            grid_top: plot_top - 6,
            grid_bottom: plot_bottom,
            tick_y: plot_bottom + 26,
            label_x: LABEL_W - 14,
            bar_h: BAR_H,
            ticks: (0..=5)
                .map(|i| AxisTick {
                    x: LABEL_W + i * PLOT_W / 5,
                    label: (i * 20).to_string(),
                })
                .collect(),
            legend: Dimension::ALL
                .iter()
                .enumerate()
                .map(|(i, d)| LegendItem {
                    class: d.as_str(),
                    label: heading(*d, lang.locale()),
                    x: 20 + i as i64 * 165,
                    text_x: 20 + i as i64 * 165 + 28,
                })
                .collect(),
            bars,
            table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_as_the_command_line_writes_them() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(plain(Some(d("36.0000")), "—"), "36");
        assert_eq!(plain(Some(d("22.5000")), "—"), "22.5");
        assert_eq!(plain(None, "—"), "—");
        assert_eq!(percent(Some(d("0.8750")), "—"), "87.5%");
        assert_eq!(percent(Some(d("1.0000")), "—"), "100%");
    }

    #[test]
    fn a_bar_is_as_long_as_its_total() {
        assert_eq!(px(Decimal::ONE_HUNDRED), PLOT_W);
        assert_eq!(px(Decimal::from(50)), PLOT_W / 2);
        assert_eq!(px(Decimal::from(200)), PLOT_W, "kept within the plot");
    }
}
