//! Training records: written questions, test attempts, onboarding. What the rows are is
//! `haoban_store::training`; this is only the SQL.

use haoban_cases::CenterId;
use haoban_insight::{
    Attempt, NewAttempt, NewQuestion, Onboarding, OnboardingStep, WrittenQuestion,
};
use haoban_store::codec::{from_state, state};
use haoban_store::training::{already_onboarding, id, no_onboarding, step};
use haoban_store::{By, StoreError, StoreResult};
use sqlx::Row;

use crate::{SqliteStore, db, time};

pub(crate) async fn add_question(
    store: &SqliteStore,
    question: &NewQuestion,
    by: By,
) -> StoreResult<WrittenQuestion> {
    let mut tx = store.write().await?;
    // The number comes first, so the stored state carries it.
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO training_questions (center, item, added_at, state) VALUES (?, ?, ?, '')
         RETURNING id",
    )
    .bind(question.center.as_ref())
    .bind(&question.item)
    .bind(time(by.at))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let written = WrittenQuestion {
        id: id(number, "question")?,
        question: question.clone(),
        author: by.actor,
        added_at: by.at,
    };
    sqlx::query("UPDATE training_questions SET state = ? WHERE id = ?")
        .bind(state(&written)?)
        .bind(number)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(written)
}

pub(crate) async fn questions(
    store: &SqliteStore,
    center: &CenterId,
    item: Option<&str>,
) -> StoreResult<Vec<WrittenQuestion>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM training_questions WHERE center = ?1 AND (?2 IS NULL OR item = ?2)
         ORDER BY id",
    )
    .bind(center.as_ref())
    .bind(item)
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter().map(|s| from_state("question", s)).collect()
}

pub(crate) async fn record_attempt(
    store: &SqliteStore,
    attempt: &NewAttempt,
) -> StoreResult<Attempt> {
    let mut tx = store.write().await?;
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO training_attempts (center, staff, item, at, passed, state)
         VALUES (?, ?, ?, ?, ?, '') RETURNING id",
    )
    .bind(attempt.center.as_ref())
    .bind(&attempt.staff)
    .bind(&attempt.item)
    .bind(time(attempt.at))
    .bind(attempt.score.passed)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let stored = Attempt {
        id: id(number, "attempt")?,
        attempt: attempt.clone(),
    };
    sqlx::query("UPDATE training_attempts SET state = ? WHERE id = ?")
        .bind(state(&stored)?)
        .bind(number)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(stored)
}

pub(crate) async fn attempts(
    store: &SqliteStore,
    center: &CenterId,
    staff: Option<&str>,
) -> StoreResult<Vec<Attempt>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM training_attempts WHERE center = ?1 AND (?2 IS NULL OR staff = ?2)
         ORDER BY at, id",
    )
    .bind(center.as_ref())
    .bind(staff)
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter().map(|s| from_state("attempt", s)).collect()
}

pub(crate) async fn start_onboarding(
    store: &SqliteStore,
    onboarding: &Onboarding,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO onboardings (center, staff, start, state) VALUES (?, ?, ?, ?)")
        .bind(onboarding.center.as_ref())
        .bind(&onboarding.staff)
        .bind(onboarding.start)
        .bind(state(onboarding)?)
        .execute(&store.writer)
        .await
        .map_err(|e| match db(e) {
            StoreError::Conflict(_) => already_onboarding(onboarding),
            other => other,
        })?;
    Ok(())
}

pub(crate) async fn onboarding(
    store: &SqliteStore,
    center: &CenterId,
    staff: &str,
) -> StoreResult<Option<Onboarding>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT state FROM onboardings WHERE center = ? AND staff = ?")
            .bind(center.as_ref())
            .bind(staff)
            .fetch_optional(&store.reader)
            .await
            .map_err(db)?;
    row.map(|s| from_state("onboarding", &s)).transpose()
}

pub(crate) async fn onboardings(
    store: &SqliteStore,
    center: &CenterId,
) -> StoreResult<Vec<Onboarding>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM onboardings WHERE center = ? ORDER BY start DESC, staff",
    )
    .bind(center.as_ref())
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter().map(|s| from_state("onboarding", s)).collect()
}

pub(crate) async fn onboarding_step(
    store: &SqliteStore,
    center: &CenterId,
    staff: &str,
    taken: &OnboardingStep,
    by: By,
) -> StoreResult<Onboarding> {
    // BEGIN IMMEDIATE: no other write comes between the read and the update.
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT state FROM onboardings WHERE center = ? AND staff = ?")
        .bind(center.as_ref())
        .bind(staff)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| no_onboarding(staff))?;
    let current: Onboarding = from_state("onboarding", row.get("state"))?;
    let next = step(&current, taken, &by)?;
    sqlx::query("UPDATE onboardings SET state = ? WHERE center = ? AND staff = ?")
        .bind(state(&next)?)
        .bind(center.as_ref())
        .bind(staff)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(next)
}
