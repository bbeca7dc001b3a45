//! Stored monthly lists. What is stored and how it is checked is `haoban_store::insight`;
//! this is only the SQL.

use haoban_cases::CenterId;
use haoban_insight::{Month, MonthlyList};
use haoban_store::insight::{
    ScoreRow, StoredList, already_stored, list_text, read_list, score_rows,
};
use haoban_store::{By, StoreResult};
use sqlx::Row;

use crate::{SqliteStore, db, parse_time, time};

impl SqliteStore {
    pub(crate) async fn insight_save(&self, list: &MonthlyList, by: By) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let month = list.month.to_string();
        let inserted = sqlx::query(
            "INSERT INTO monthly_lists (center, month, list, catalog_version, through_seq, saved_at, saved_by)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (center, month) DO NOTHING",
        )
        .bind(&list.center)
        .bind(&month)
        .bind(list_text(list)?)
        .bind(&list.catalog_version)
        .bind(list.through_seq as i64)
        .bind(time(by.at))
        .bind(&by.actor)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if inserted.rows_affected() == 0 {
            return Err(already_stored(list));
        }
        for row in score_rows(list) {
            sqlx::query(
                "INSERT INTO monthly_scores (center, month, staff, rank, total, quantity, efficiency, value, evaluation, quality)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&list.center)
            .bind(&month)
            .bind(&row.staff)
            .bind(row.rank)
            .bind(&row.total)
            .bind(&row.quantity)
            .bind(&row.efficiency)
            .bind(&row.value)
            .bind(&row.evaluation)
            .bind(&row.quality)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn insight_list(
        &self,
        center: &CenterId,
        month: Month,
    ) -> StoreResult<Option<StoredList>> {
        // One read transaction, so the list and its scores are of the same moment.
        let mut tx = self.reader.begin().await.map_err(db)?;
        let month = month.to_string();
        let Some(head) = sqlx::query(
            "SELECT list, saved_at, saved_by FROM monthly_lists WHERE center = ? AND month = ?",
        )
        .bind(center.as_ref())
        .bind(&month)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT staff, rank, total, quantity, efficiency, value, evaluation, quality
             FROM monthly_scores WHERE center = ? AND month = ?",
        )
        .bind(center.as_ref())
        .bind(&month)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let rows: Vec<ScoreRow> = rows
            .iter()
            .map(|row| ScoreRow {
                staff: row.get("staff"),
                rank: row.get("rank"),
                total: row.get("total"),
                quantity: row.get("quantity"),
                efficiency: row.get("efficiency"),
                value: row.get("value"),
                evaluation: row.get("evaluation"),
                quality: row.get("quality"),
            })
            .collect();
        Ok(Some(StoredList {
            list: read_list(head.get("list"), &rows)?,
            saved_at: parse_time(head.get("saved_at"))?,
            saved_by: head.get("saved_by"),
        }))
    }
}
