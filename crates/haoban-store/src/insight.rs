//! Stored monthly lists, shared by every backend: a month's list is kept exactly as it was
//! computed (its JSON), and each member's scores beside it in columns that reports and
//! dashboards can query. A stored month is never rewritten, so a later catalog change
//! (an item's value points revised) cannot change what a past month paid.

use chrono::{DateTime, Utc};
use haoban_insight::MonthlyList;

use crate::{StoreError, StoreResult};

/// A month as stored: the list, and who stored it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredList {
    pub list: MonthlyList,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

/// One member's line of a stored month, in its own row. Decimals are kept as their text
/// (`"87.50"`), exactly as the list has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub staff: String,
    pub rank: i64,
    pub total: String,
    pub quantity: String,
    pub efficiency: Option<String>,
    pub value: String,
    pub evaluation: Option<String>,
    pub quality: Option<String>,
}

pub fn already_stored(list: &MonthlyList) -> StoreError {
    StoreError::Conflict(format!(
        "the list of center {} for {} is already stored: a stored month is never rewritten",
        list.center, list.month
    ))
}

pub fn list_text(list: &MonthlyList) -> StoreResult<String> {
    serde_json::to_string(list).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn score_rows(list: &MonthlyList) -> Vec<ScoreRow> {
    list.rows
        .iter()
        .map(|row| ScoreRow {
            staff: row.staff.clone(),
            rank: i64::from(row.rank),
            total: row.total.to_string(),
            quantity: row.quantity.to_string(),
            efficiency: row.efficiency.map(|d| d.to_string()),
            value: row.value.to_string(),
            evaluation: row.evaluation.map(|d| d.to_string()),
            quality: row.quality.map(|d| d.to_string()),
        })
        .collect()
}

/// The list back from its stored text, checked against the score rows stored with it: a
/// score edited in either place shows, as an edited case row does.
pub fn read_list(text: &str, rows: &[ScoreRow]) -> StoreResult<MonthlyList> {
    let list: MonthlyList = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("stored monthly list: {e}")))?;
    let mut expected = score_rows(&list);
    let mut stored = rows.to_vec();
    expected.sort_by(|a, b| a.staff.cmp(&b.staff));
    stored.sort_by(|a, b| a.staff.cmp(&b.staff));
    if expected != stored {
        return Err(StoreError::Corrupt(format!(
            "the stored scores of center {} for {} do not match its stored list",
            list.center, list.month
        )));
    }
    Ok(list)
}
