//! Ratings, follow-ups and rating links. What the rows become is decided in
//! `haoban_store::feedback` and `haoban_feedback`; this is only the SQL.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::CenterId;
use haoban_feedback::{
    DefaultRule, FollowUp, FollowUpCommand, FollowUpId, Month, Rated, Rating, Target,
};
use haoban_store::codec::{from_state, state};
use haoban_store::{By, RatingLink, StoreError, StoreResult, feedback};
use sqlx::{Row, SqliteConnection};

use crate::{SqliteStore, append_drafts, db, time};

/// Inserts `rating`; the primary key refuses a second rating of its target.
pub(crate) async fn insert_rating(conn: &mut SqliteConnection, rating: &Rating) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO ratings (center, target, rated_on, at, level, staff, state)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(rating.center.as_ref())
    .bind(rating.target.key())
    .bind(rating.on.to_string())
    .bind(time(rating.at))
    .bind(i64::from(rating.level.value()))
    .bind(&rating.staff)
    .bind(state(rating)?)
    .execute(&mut *conn)
    .await
    .map_err(|e| match db(e) {
        StoreError::Conflict(_) => feedback::already_rated(&rating.target),
        other => other,
    })?;
    Ok(())
}

pub(crate) async fn save_follow_up(
    conn: &mut SqliteConnection,
    follow_up: &FollowUp,
    new: bool,
) -> StoreResult<()> {
    let query = if new {
        "INSERT INTO follow_ups (due, resolved, state, center, id) VALUES (?, ?, ?, ?, ?)"
    } else {
        "UPDATE follow_ups SET due = ?, resolved = ?, state = ? WHERE center = ? AND id = ?"
    };
    sqlx::query(query)
        .bind(follow_up.due.to_string())
        .bind(i64::from(follow_up.resolved()))
        .bind(state(follow_up)?)
        .bind(follow_up.center.as_ref())
        .bind(follow_up.id.as_ref())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn feedback_rate(&self, rated: &Rated, link: Option<&str>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_rating(&mut tx, &rated.rating).await?;
        if let Some(hash) = link {
            let used =
                sqlx::query("DELETE FROM rating_links WHERE token_hash = ? AND expires_at > ?")
                    .bind(hash)
                    .bind(time(rated.rating.at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            if used.rows_affected() != 1 {
                return Err(StoreError::NotFound(feedback::LINK_USED.into()));
            }
        }
        if let Some(follow_up) = &rated.follow_up {
            save_follow_up(&mut tx, follow_up, true).await?;
        }
        append_drafts(&mut tx, &self.vault, rated.drafts()).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn feedback_rating(
        &self,
        center: &CenterId,
        target: &Target,
    ) -> StoreResult<Option<Rating>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM ratings WHERE center = ? AND target = ?")
                .bind(center.as_ref())
                .bind(target.key())
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        row.map(|s| from_state("rating", &s)).transpose()
    }

    pub(crate) async fn feedback_ratings(
        &self,
        center: &CenterId,
        month: Month,
    ) -> StoreResult<Vec<Rating>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM ratings WHERE center = ? AND rated_on >= ? AND rated_on < ?
             ORDER BY at, target",
        )
        .bind(center.as_ref())
        .bind(month.first_day().to_string())
        .bind(month.next_first_day().to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(|s| from_state("rating", s)).collect()
    }

    pub(crate) async fn feedback_defaults(
        &self,
        center: &CenterId,
        today: NaiveDate,
        rule: &DefaultRule,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Rating>> {
        // BEGIN IMMEDIATE: a resident's rating cannot slip in between the read and the insert.
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "SELECT e.case_number, e.payload, c.clerk FROM events e
             JOIN cases c ON c.center = e.center AND c.number = e.case_number
             WHERE e.center = ? AND e.kind = 'delivered'
               AND NOT EXISTS (SELECT 1 FROM ratings r
                               WHERE r.center = e.center AND r.target = 'case:' || e.case_number)
             ORDER BY e.seq",
        )
        .bind(center.as_ref())
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let delivered = rows
            .iter()
            .map(|row| {
                feedback::delivered(
                    &row.get::<String, _>(0),
                    &row.get::<String, _>(1),
                    row.get(2),
                )
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let (ratings, drafts) = feedback::defaults(&delivered, rule, today, at);
        for rating in &ratings {
            insert_rating(&mut tx, rating).await?;
        }
        append_drafts(&mut tx, &self.vault, drafts).await?;
        tx.commit().await.map_err(db)?;
        Ok(ratings)
    }

    pub(crate) async fn feedback_put_link(&self, link: &RatingLink) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rating_links (token_hash, center, target, expires_at, state)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&link.token_hash)
        .bind(link.center.as_ref())
        .bind(link.target.key())
        .bind(time(link.expires_at))
        .bind(state(link)?)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    pub(crate) async fn feedback_link(&self, token_hash: &str) -> StoreResult<Option<RatingLink>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM rating_links WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        row.map(|s| from_state("rating link", &s)).transpose()
    }

    pub(crate) async fn feedback_follow_up(
        &self,
        center: &CenterId,
        id: &FollowUpId,
    ) -> StoreResult<Option<FollowUp>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM follow_ups WHERE center = ? AND id = ?")
                .bind(center.as_ref())
                .bind(id.as_ref())
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        row.map(|s| from_state("follow-up", &s)).transpose()
    }

    pub(crate) async fn feedback_follow_ups(
        &self,
        center: &CenterId,
        open_only: bool,
    ) -> StoreResult<Vec<FollowUp>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM follow_ups WHERE center = ? AND (? = 0 OR resolved = 0)
             ORDER BY due, id",
        )
        .bind(center.as_ref())
        .bind(i64::from(open_only))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(|s| from_state("follow-up", s)).collect()
    }

    pub(crate) async fn feedback_step(
        &self,
        center: &CenterId,
        id: &FollowUpId,
        command: &FollowUpCommand,
        by: By,
    ) -> StoreResult<FollowUp> {
        let mut tx = self.write().await?;
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM follow_ups WHERE center = ? AND id = ?")
                .bind(center.as_ref())
                .bind(id.as_ref())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let follow_up: FollowUp = from_state(
            "follow-up",
            &row.ok_or_else(|| StoreError::NotFound(format!("follow-up {id}")))?,
        )?;
        let (next, draft) = feedback::step(&follow_up, command, &by)?;
        save_follow_up(&mut tx, &next, false).await?;
        append_drafts(&mut tx, &self.vault, vec![draft]).await?;
        tx.commit().await.map_err(db)?;
        Ok(next)
    }
}
