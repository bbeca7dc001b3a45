//! The monthly list (5个维度) as people outside the program read it: where a list came
//! from in one line, the labels shared by the command line's table and the workbook, and
//! the XLSX workbook itself ([`xlsx`]). `haoban report monthly --xlsx` and the page's
//! download (`/reports/monthly.xlsx`) both write it through here, so the two are the same
//! workbook. Pure: no async, no store.

use chrono::{DateTime, Utc};
use haoban_catalog::Locale;
use haoban_insight::{Dimension, MonthlyList};
use serde::Serialize;

mod xlsx;

pub use xlsx::{save, to_bytes};

/// The content type of an XLSX workbook.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Where the list shown came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The month as stored: a later catalog change does not alter it.
    Stored {
        saved_at: DateTime<Utc>,
        saved_by: String,
        /// With `--recompute`: whether a new computation from the record matches it.
        #[serde(skip_serializing_if = "Option::is_none")]
        recomputed_matches: Option<bool>,
    },
    /// Computed now from the process record.
    Computed {
        /// The month is over (otherwise: month to date).
        complete: bool,
        saved: bool,
    },
}

/// A dimension's heading in the chosen language.
pub fn heading(dimension: Dimension, locale: Locale) -> &'static str {
    match locale {
        Locale::Zh => dimension.label_zh(),
        Locale::En => dimension.label_en(),
    }
}

/// Labels of the text and the workbook, Chinese first.
pub struct Labels {
    pub title: &'static str,
    pub rank: &'static str,
    pub staff: &'static str,
    pub total: &'static str,
    pub days: &'static str,
    pub figures: &'static str,
    pub weights: &'static str,
    pub working_days: &'static str,
    pub figure_heads: [&'static str; 10],
    pub none: &'static str,
    pub formulas: &'static str,
}

pub fn labels(locale: Locale) -> Labels {
    match locale {
        Locale::Zh => Labels {
            title: "月度绩效榜（5个维度）",
            rank: "名次",
            staff: "人员",
            total: "总分",
            days: "在岗天数",
            figures: "各项得分所依据的数据",
            weights: "权重",
            working_days: "本月工作日",
            figure_heads: [
                "人员",
                "受理+不予受理+审批+叫号=数量",
                "折算数量",
                "按时办结",
                "时限节省",
                "价值量",
                "折算价值量",
                "评价（数/均分/好评率）",
                "未解决差评",
                "差错（补正+投诉）/每百件",
            ],
            none: "本月没有任何人员的工作记录。",
            formulas: "计算公式见 docs/performance.md；加 --json 可查看每个数字所依据的事件编号。",
        },
        Locale::En => Labels {
            title: "Monthly performance list (5 dimensions)",
            rank: "Rank",
            staff: "Staff",
            total: "Total",
            days: "Days on duty",
            figures: "The figures behind the scores",
            weights: "Weights",
            working_days: "Working days in the month",
            figure_heads: [
                "Staff",
                "accepted+refused+decided+tickets=Q",
                "Q adjusted",
                "on time",
                "time saved",
                "value",
                "value adjusted",
                "ratings (n/mean/good)",
                "unresolved bad",
                "faults (suppl.+upheld)/100",
            ],
            none: "Nobody's work is on record this month.",
            formulas: "Formulas: docs/performance.md; --json shows the events behind every figure.",
        },
    }
}

/// What the list is and where it came from, in one line.
pub fn describe(list: &MonthlyList, source: &Source, locale: Locale) -> String {
    let zh = locale == Locale::Zh;
    let when = |at: &DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let origin = match (source, zh) {
        (
            Source::Stored {
                saved_at,
                saved_by,
                recomputed_matches,
            },
            true,
        ) => {
            let mut text = format!("已存档的月度（{} 由 {saved_by} 存档）", when(saved_at));
            match recomputed_matches {
                Some(true) => text.push_str("；按过程记录重新计算，与存档完全一致"),
                Some(false) => {
                    text.push_str("；按过程记录重新计算，与存档不一致，以下为重新计算的结果")
                }
                None => {}
            }
            text
        }
        (
            Source::Stored {
                saved_at,
                saved_by,
                recomputed_matches,
            },
            false,
        ) => {
            let mut text = format!("the stored month (stored {} by {saved_by})", when(saved_at));
            match recomputed_matches {
                Some(true) => text.push_str("; computed again from the record, it matches exactly"),
                Some(false) => text.push_str(
                    "; computed again from the record, it differs: shown is the new computation",
                ),
                None => {}
            }
            text
        }
        (Source::Computed { complete, saved }, true) => format!(
            "根据过程记录计算（至第 {} 号事件）{}{}",
            list.through_seq,
            if *complete {
                ""
            } else {
                "，本月尚未结束，为截至目前的数据"
            },
            if *saved { "，已存档" } else { "" }
        ),
        (Source::Computed { complete, saved }, false) => format!(
            "computed from the process record (through event #{}){}{}",
            list.through_seq,
            if *complete { "" } else { ", month to date" },
            if *saved { ", now stored" } else { "" }
        ),
    };
    if zh {
        format!("中心 {} · {} · {origin}", list.center, list.month)
    } else {
        format!("center {} · {} · {origin}", list.center, list.month)
    }
}
