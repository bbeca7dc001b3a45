//! The list as text for a terminal: the scores, then the figures they came from.

use std::fmt::Write;
use std::path::Path;

use haoban_catalog::Locale;
use haoban_insight::{Dimension, MonthlyList, Row};
use haoban_web::list_export::{describe, labels};
use rust_decimal::Decimal;

use super::{Source, heading, show};

pub fn written(path: &Path, list: &MonthlyList, source: &Source, locale: Locale) -> String {
    match locale {
        Locale::Zh => format!(
            "已写入 {}：{}",
            path.display(),
            describe(list, source, locale)
        ),
        Locale::En => format!(
            "wrote {}: {}",
            path.display(),
            describe(list, source, locale)
        ),
    }
}

/// The scores line of a member: rank, staff, total, the five scores, days on duty.
pub fn score_cells(row: &Row) -> Vec<String> {
    let mut cells = vec![
        row.rank.to_string(),
        row.staff.clone(),
        row.total.to_string(),
    ];
    cells.extend(Dimension::ALL.iter().map(|d| show(row.score(*d))));
    cells.push(row.days_on_duty.days.to_string());
    cells
}

/// A 4-place figure without its trailing zeros (`36`, `22.5`), for reading.
fn plain(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.normalize().to_string())
}

fn percent(rate: Option<Decimal>) -> String {
    rate.map_or_else(
        || "—".to_owned(),
        |r| format!("{}%", (r * Decimal::ONE_HUNDRED).round_dp(2).normalize()),
    )
}

/// The figures line of a member, under `Labels::figure_heads`.
pub fn figure_cells(row: &Row) -> Vec<String> {
    let f = &row.figures;
    let q = &f.quantity;
    let e = &f.evaluation;
    vec![
        row.staff.clone(),
        format!(
            "{}+{}+{}+{}={}",
            q.accepted.count, q.not_accepted.count, q.decided.count, q.tickets.count, q.total
        ),
        plain(Some(q.adjusted)),
        if f.efficiency.cases.is_empty() {
            "—".to_owned()
        } else {
            format!("{}/{}", f.efficiency.on_time, f.efficiency.cases.len())
        },
        percent(f.efficiency.time_saved),
        plain(Some(f.value.points)),
        plain(Some(f.value.adjusted)),
        if e.count == 0 {
            "—".to_owned()
        } else {
            format!(
                "{}/{}/{}",
                e.count,
                plain(e.mean_level),
                percent(e.good_rate)
            )
        },
        e.unresolved.len().to_string(),
        format!(
            "{}+{} → {}",
            f.quality.supplements.count,
            f.quality.upheld_complaints.count,
            plain(f.quality.basis)
        ),
    ]
}

pub fn render(list: &MonthlyList, source: &Source, locale: Locale) -> String {
    let l = labels(locale);
    let mut out = String::new();
    let _ = writeln!(out, "{}", l.title);
    let _ = writeln!(out, "{}", describe(list, source, locale));
    let weights: Vec<String> = Dimension::ALL
        .iter()
        .map(|d| format!("{} {}", heading(*d, locale), list.weights.get(*d)))
        .collect();
    let colon = if locale == Locale::Zh { "：" } else { ": " };
    let _ = writeln!(
        out,
        "{}{colon}{} · {}{colon}{}",
        l.weights,
        weights.join(" · "),
        l.working_days,
        list.working_days
    );
    let _ = writeln!(out);
    if list.rows.is_empty() {
        let _ = writeln!(out, "{}", l.none);
        return out;
    }
    let mut head = vec![l.rank.to_owned(), l.staff.to_owned(), l.total.to_owned()];
    head.extend(
        Dimension::ALL
            .iter()
            .map(|d| heading(*d, locale).to_owned()),
    );
    head.push(l.days.to_owned());
    let mut lines = vec![head];
    lines.extend(list.rows.iter().map(score_cells));
    out.push_str(&columns(&lines));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.figures);
    let mut lines = vec![l.figure_heads.iter().map(|h| (*h).to_owned()).collect()];
    lines.extend(list.rows.iter().map(figure_cells));
    out.push_str(&columns(&lines));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.formulas);
    out
}

/// How many terminal columns a text takes: CJK and full-width characters take two.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

fn columns(lines: &[Vec<String>]) -> String {
    let count = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|i| {
            lines
                .iter()
                .filter_map(|l| l.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(i, cell)| format!("{cell}{}", " ".repeat(widths[i] - width(cell))))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
