//! A column chart drawn as inline SVG from integers (no script, no style attribute: the
//! stylesheet colours it by class): a column per day or per level, bars side by side or
//! stacked, a value axis with round steps, and the same numbers as text for a table that
//! screen readers read instead.

pub struct Series {
    pub label: &'static str,
    /// The stylesheet's class for its bars.
    pub class: &'static str,
}

/// One column's data: a value per series, `None` where there is nothing to show (a day
/// still to come, a day without a called ticket).
pub struct Column {
    /// Under the axis: `2`, `5`.
    pub label: String,
    /// In full, for the table and the tooltips: `2026-11-02 星期一`.
    pub full: String,
    /// A day off in the calendar: shaded.
    pub off: bool,
    pub values: Vec<Option<i64>>,
}

pub struct BarChart {
    pub title: String,
    /// The table's first heading (`Day`).
    pub head: &'static str,
    pub series: Vec<Series>,
    pub width: i64,
    pub height: i64,
    pub plot_left: i64,
    pub plot_right: i64,
    pub plot_top: i64,
    pub plot_h: i64,
    pub baseline: i64,
    /// Where the column labels and the axis' numbers are written.
    pub label_y: i64,
    pub tick_x: i64,
    pub ticks: Vec<Tick>,
    pub legend: Vec<Legend>,
    pub columns: Vec<ColumnView>,
}

pub struct Tick {
    pub y: i64,
    pub text_y: i64,
    pub label: String,
}

pub struct Legend {
    pub class: &'static str,
    pub label: &'static str,
    pub x: i64,
    pub text_x: i64,
}

pub struct ColumnView {
    pub label: String,
    pub full: String,
    pub off: bool,
    pub band_x: i64,
    pub band_w: i64,
    pub middle: i64,
    pub bars: Vec<Bar>,
    /// The values as text, per series.
    pub cells: Vec<String>,
    /// The value written above a lone bar, when there is room.
    pub value: Option<ValueLabel>,
}

pub struct ValueLabel {
    pub y: i64,
    pub text: String,
}

pub struct Bar {
    pub class: &'static str,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub title: String,
}

const WIDTH: i64 = 900;
const LEFT: i64 = 64;
const RIGHT: i64 = 16;
const LEGEND: i64 = 44;
const TOP: i64 = 24;
const PLOT: i64 = 240;
/// Up to this many columns, a lone bar has its value written above it.
const LABELLED: usize = 12;

/// The smallest 1, 2 or 5 × 10ⁿ at least `raw` (at least 1).
fn round_step(raw: i64) -> i64 {
    let mut magnitude = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * magnitude >= raw {
                return factor * magnitude;
            }
        }
        magnitude *= 10;
    }
}

impl BarChart {
    /// `format` writes a value (`12`, `8.5`); `none` stands for a missing one.
    pub fn new(
        title: String,
        head: &'static str,
        series: Vec<Series>,
        columns: Vec<Column>,
        stacked: bool,
        format: fn(i64) -> String,
        none: &str,
    ) -> BarChart {
        let total = |c: &Column| -> i64 {
            let values = c.values.iter().map(|v| v.unwrap_or(0).max(0));
            if stacked {
                values.sum()
            } else {
                values.max().unwrap_or(0)
            }
        };
        let most = columns.iter().map(total).max().unwrap_or(0);
        let step = round_step((most + 3) / 4);
        let top = (most.max(1) + step - 1) / step * step;
        let plot_top = if series.len() > 1 { LEGEND + TOP } else { TOP };
        let baseline = plot_top + PLOT;
        let height_of = |v: i64| v.max(0) * PLOT / top;
        let n = columns.len().max(1) as i64;
        let band_w = (WIDTH - LEFT - RIGHT) / n;
        let group_w = band_w * 8 / 10;
        let lone = series.len() == 1 && columns.len() <= LABELLED;
        let columns = columns
            .into_iter()
            .enumerate()
            .map(|(i, column)| {
                let band_x = LEFT + i as i64 * band_w;
                let group_x = band_x + (band_w - group_w) / 2;
                let bar_w = if stacked {
                    group_w
                } else {
                    group_w / series.len().max(1) as i64
                };
                let mut bars = Vec::new();
                let mut stack_top = baseline;
                for (k, (value, s)) in column.values.iter().zip(&series).enumerate() {
                    let Some(value) = value else { continue };
                    let h = height_of(*value);
                    let (x, y) = if stacked {
                        stack_top -= h;
                        (group_x, stack_top)
                    } else {
                        (group_x + k as i64 * bar_w, baseline - h)
                    };
                    bars.push(Bar {
                        class: s.class,
                        x,
                        y,
                        width: bar_w,
                        height: h,
                        title: format!("{} · {}: {}", column.full, s.label, format(*value)),
                    });
                }
                let value = match column.values.first() {
                    Some(Some(v)) if lone => Some(ValueLabel {
                        y: baseline - height_of(*v) - 8,
                        text: format(*v),
                    }),
                    _ => None,
                };
                ColumnView {
                    cells: column
                        .values
                        .iter()
                        .map(|v| v.map_or_else(|| none.to_owned(), format))
                        .collect(),
                    label: column.label,
                    full: column.full,
                    off: column.off,
                    band_x,
                    band_w,
                    middle: band_x + band_w / 2,
                    bars,
                    value,
                }
            })
            .collect();
        let ticks = (0..=top / step)
            .map(|i| Tick {
                y: baseline - height_of(i * step),
                text_y: baseline - height_of(i * step) + 5,
                label: format(i * step),
            })
            .collect();
        let legend = if series.len() > 1 {
            series
                .iter()
                .enumerate()
                .map(|(i, s)| Legend {
                    class: s.class,
                    label: s.label,
                    x: LEFT + i as i64 * 200,
                    text_x: LEFT + i as i64 * 200 + 28,
                })
                .collect()
        } else {
            Vec::new()
        };
        BarChart {
            title,
            head,
            series,
            width: WIDTH,
            height: baseline + 40,
            plot_left: LEFT,
            plot_right: WIDTH - RIGHT,
            plot_top,
            plot_h: PLOT,
            baseline,
            label_y: baseline + 26,
            tick_x: LEFT - 10,
            ticks,
            legend,
            columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(v: i64) -> String {
        v.to_string()
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(round_step(0), 1);
        assert_eq!(round_step(3), 5);
        assert_eq!(round_step(7), 10);
        assert_eq!(round_step(11), 20);
        assert_eq!(round_step(260), 500);
    }

    #[test]
    fn stacked_bars_sit_on_each_other_and_the_tallest_fills_the_axis() {
        let columns = vec![
            Column {
                label: "1".into(),
                full: "d1".into(),
                off: false,
                values: vec![Some(3), Some(1)],
            },
            Column {
                label: "2".into(),
                full: "d2".into(),
                off: true,
                values: vec![None, None],
            },
        ];
        let series = vec![
            Series {
                label: "on time",
                class: "on-time",
            },
            Series {
                label: "late",
                class: "late",
            },
        ];
        let chart = BarChart::new(String::new(), "", series, columns, true, count, "—");
        let bars = &chart.columns[0].bars;
        // 4 in all: the axis goes to 4 in steps of 1.
        assert_eq!(chart.ticks.last().map(|t| t.label.as_str()), Some("4"));
        assert_eq!(bars[0].height, PLOT * 3 / 4);
        assert_eq!(bars[1].y + bars[1].height, bars[0].y);
        assert_eq!(bars[1].y, chart.plot_top);
        assert!(chart.columns[1].bars.is_empty());
        assert_eq!(chart.columns[1].cells, vec!["—", "—"]);
    }
}
