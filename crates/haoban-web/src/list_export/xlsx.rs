//! The list as an XLSX workbook: the scores, the figures behind them as numbers a
//! spreadsheet can chart, and the events behind every figure.

use std::path::Path;

use haoban_catalog::Locale;
use haoban_insight::{Count, Dimension, MonthlyList, Row};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{Source, describe, heading, labels};

/// A spreadsheet cell holds a binary float: fine for showing and charting a score that was
/// computed exactly and rounded to two places, never used to decide anything.
fn number(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

fn decimal(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<Decimal>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(value) => sheet.write_number_with_format(row, col, number(value), format)?,
        // Right-aligned like the numbers around it.
        None => sheet.write_string_with_format(
            row,
            col,
            "—",
            &Format::new().set_align(FormatAlign::Right),
        )?,
    };
    Ok(())
}

fn seqs(seqs: &[u64]) -> String {
    seqs.iter()
        .map(|s| format!("#{s}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the workbook to `path` (the command line).
pub fn save(
    path: &Path,
    list: &MonthlyList,
    source: &Source,
    locale: Locale,
) -> Result<(), XlsxError> {
    workbook(list, source, locale)?.save(path)
}

/// The workbook as bytes (the page's download).
pub fn to_bytes(list: &MonthlyList, source: &Source, locale: Locale) -> Result<Vec<u8>, XlsxError> {
    workbook(list, source, locale)?.save_to_buffer()
}

fn workbook(list: &MonthlyList, source: &Source, locale: Locale) -> Result<Workbook, XlsxError> {
    let zh = locale == Locale::Zh;
    let l = labels(locale);
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let four = Format::new().set_num_format("0.0000");
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    sheet.set_name(if zh { "月度绩效" } else { "Monthly list" })?;
    sheet.write_string_with_format(0, 0, l.title, &bold)?;
    sheet.write_string(1, 0, describe(list, source, locale))?;
    let colon = if zh { "：" } else { ": " };
    let weights: Vec<String> = Dimension::ALL
        .iter()
        .map(|d| format!("{} {}", heading(*d, locale), list.weights.get(*d)))
        .collect();
    sheet.write_string(
        2,
        0,
        format!(
            "{}{colon}{} · {}{colon}{}",
            l.weights,
            weights.join(" · "),
            l.working_days,
            list.working_days
        ),
    )?;
    let mut head = vec![l.rank, l.staff, l.total];
    head.extend(Dimension::ALL.iter().map(|d| heading(*d, locale)));
    head.push(l.days);
    for (col, text) in head.iter().enumerate() {
        sheet.write_string_with_format(4, col as u16, *text, &bold)?;
        sheet.set_column_width(col as u16, if col == 1 { 16 } else { 12 })?;
    }
    for (i, row) in list.rows.iter().enumerate() {
        let r = 5 + i as u32;
        sheet.write_number(r, 0, row.rank)?;
        sheet.write_string(r, 1, &row.staff)?;
        decimal(sheet, r, 2, Some(row.total), &two)?;
        for (j, dimension) in Dimension::ALL.iter().enumerate() {
            decimal(sheet, r, 3 + j as u16, row.score(*dimension), &two)?;
        }
        sheet.write_number(r, 8, row.days_on_duty.days)?;
    }
    sheet.set_freeze_panes(5, 2)?;

    let sheet = book.add_worksheet();
    sheet.set_name(if zh { "原始数据" } else { "Figures" })?;
    let heads: [&str; 21] = if zh {
        [
            "人员",
            "受理",
            "不予受理",
            "审批决定",
            "叫号服务",
            "工作数量",
            "在岗天数",
            "折算数量",
            "办结件数",
            "按时办结",
            "按时率",
            "时限节省",
            "价值量",
            "折算价值量",
            "评价数",
            "平均分",
            "好评率",
            "未解决差评",
            "补正（受理差错）",
            "投诉属实",
            "差错/每百件",
        ]
    } else {
        [
            "Staff",
            "Accepted",
            "Refused",
            "Decided",
            "Tickets",
            "Quantity",
            "Days on duty",
            "Quantity adjusted",
            "Cases decided",
            "On time",
            "On-time rate",
            "Time saved",
            "Value",
            "Value adjusted",
            "Ratings",
            "Mean level",
            "Good rate",
            "Unresolved bad",
            "Supplements",
            "Complaints upheld",
            "Faults per 100",
        ]
    };
    for (col, text) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *text, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 16 } else { 11 })?;
    }
    for (i, row) in list.rows.iter().enumerate() {
        figures_line(sheet, 1 + i as u32, row, &two, &four)?;
    }
    sheet.set_freeze_panes(1, 1)?;

    let sheet = book.add_worksheet();
    sheet.set_name(if zh { "事件" } else { "Events" })?;
    let heads = if zh {
        ["人员", "数据", "件数", "过程记录中的事件编号"]
    } else {
        ["Staff", "Figure", "Count", "Events in the process record"]
    };
    for (col, text) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *text, &bold)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(3, 80)?;
    let mut r = 1;
    for row in &list.rows {
        for (figure, count, events) in drill_down(row, zh) {
            sheet.write_string(r, 0, &row.staff)?;
            sheet.write_string(r, 1, figure)?;
            sheet.write_number(r, 2, count)?;
            sheet.write_string(r, 3, events)?;
            r += 1;
        }
    }
    Ok(book)
}

fn figures_line(
    sheet: &mut Worksheet,
    r: u32,
    row: &Row,
    two: &Format,
    four: &Format,
) -> Result<(), XlsxError> {
    let f = &row.figures;
    let q = &f.quantity;
    sheet.write_string(r, 0, &row.staff)?;
    let counts = [
        q.accepted.count,
        q.not_accepted.count,
        q.decided.count,
        q.tickets.count,
        q.total,
        row.days_on_duty.days,
    ];
    for (j, count) in counts.into_iter().enumerate() {
        sheet.write_number(r, 1 + j as u16, count)?;
    }
    decimal(sheet, r, 7, Some(q.adjusted), four)?;
    sheet.write_number(r, 8, f.efficiency.cases.len() as u32)?;
    sheet.write_number(r, 9, f.efficiency.on_time)?;
    decimal(sheet, r, 10, f.efficiency.on_time_rate, four)?;
    decimal(sheet, r, 11, f.efficiency.time_saved, four)?;
    decimal(sheet, r, 12, Some(f.value.points), two)?;
    decimal(sheet, r, 13, Some(f.value.adjusted), four)?;
    sheet.write_number(r, 14, f.evaluation.count)?;
    decimal(sheet, r, 15, f.evaluation.mean_level, four)?;
    decimal(sheet, r, 16, f.evaluation.good_rate, four)?;
    sheet.write_number(r, 17, f.evaluation.unresolved.len() as u32)?;
    sheet.write_number(r, 18, f.quality.supplements.count)?;
    sheet.write_number(r, 19, f.quality.upheld_complaints.count)?;
    decimal(sheet, r, 20, f.quality.basis, four)?;
    Ok(())
}

/// Every figure of a member with the events it was counted from.
fn drill_down(row: &Row, zh: bool) -> Vec<(&'static str, u32, String)> {
    let f = &row.figures;
    let t = |zh_text: &'static str, en: &'static str| if zh { zh_text } else { en };
    let count = |c: &Count| (c.count, seqs(&c.seqs));
    let mut lines = vec![
        (t("受理", "accepted"), count(&f.quantity.accepted)),
        (t("不予受理", "refused"), count(&f.quantity.not_accepted)),
        (t("审批决定", "decided"), count(&f.quantity.decided)),
        (t("叫号服务", "tickets served"), count(&f.quantity.tickets)),
    ];
    let handled: Vec<String> = f
        .efficiency
        .cases
        .iter()
        .map(|c| {
            format!(
                "{} #{}→#{} {}/{}{}",
                c.case,
                c.accepted_seq,
                c.decided_seq,
                c.working_days,
                c.promised_days,
                if c.on_time { "" } else { " ✗" }
            )
        })
        .collect();
    lines.push((
        t("办结（工作日/承诺）", "decided (days/promised)"),
        (f.efficiency.cases.len() as u32, handled.join("; ")),
    ));
    let valued: Vec<String> = f
        .value
        .cases
        .iter()
        .map(|c| {
            let points = c.points.map_or_else(|| "?".to_owned(), |p| p.to_string());
            format!("#{} {} {points}", c.seq, c.item)
        })
        .collect();
    lines.push((
        t("价值量", "value points"),
        (f.value.cases.len() as u32, valued.join("; ")),
    ));
    let ratings: Vec<String> = f
        .evaluation
        .ratings
        .iter()
        .map(|r| format!("#{}={}", r.seq, r.level))
        .collect();
    lines.push((
        t("评价", "ratings"),
        (f.evaluation.count, ratings.join(" ")),
    ));
    let unresolved: Vec<String> = f
        .evaluation
        .unresolved
        .iter()
        .map(|u| match u.appeal_seq {
            Some(appeal) => format!("{} #{} #{appeal}", u.follow_up, u.opened_seq),
            None => format!("{} #{}", u.follow_up, u.opened_seq),
        })
        .collect();
    lines.push((
        t("未解决差评", "unresolved bad ratings"),
        (f.evaluation.unresolved.len() as u32, unresolved.join("; ")),
    ));
    lines.push((
        t("补正（受理差错）", "supplements"),
        count(&f.quality.supplements),
    ));
    lines.push((
        t("投诉属实", "complaints upheld"),
        count(&f.quality.upheld_complaints),
    ));
    let days: Vec<String> = row
        .days_on_duty
        .record
        .iter()
        .map(|d| format!("{} #{}", d.date, d.seq))
        .collect();
    lines.push((
        t("在岗（记录）", "on duty (record)"),
        (row.days_on_duty.record.len() as u32, days.join("; ")),
    ));
    lines
        .into_iter()
        .map(|(figure, (count, events))| (figure, count, events))
        .collect()
}
