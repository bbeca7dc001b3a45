//! Cases and the process record: opening, recording events with their projection,
//! listing, and the per-center chain.

use chrono::NaiveDate;
use haoban_cases::record::{Entry, Head};
use haoban_cases::{Case, CaseNumber, Event, EventKind};
use haoban_store::codec::{case_from_state, lookup};
use haoban_store::vault::Vault;
use haoban_store::{CaseFilter, Chain, StoreError, StoreResult};
use sqlx::{Acquire, QueryBuilder, Row, SqliteConnection};

use crate::{SqliteStore, append, corrupt, db, entry_from_row, save_case};

pub(crate) async fn open_case(
    store: &SqliteStore,
    day: NaiveDate,
    mut submitted: Event,
) -> StoreResult<Case> {
    let mut tx = store.write().await?;
    let center = submitted.center.clone();
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO case_counters (center, day, last) VALUES (?, ?, 1)
         ON CONFLICT (center, day) DO UPDATE SET last = last + 1
         RETURNING last",
    )
    .bind(center.as_ref())
    .bind(day.format("%Y%m%d").to_string())
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let sequence =
        u32::try_from(sequence).map_err(|_| StoreError::Corrupt("case counter".into()))?;
    submitted.case = Some(CaseNumber::new(&center, day, sequence));
    let case = Case::apply(None, &submitted).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let conn = tx.acquire().await.map_err(db)?;
    append(conn, &store.vault, std::slice::from_ref(&submitted)).await?;
    save_case(conn, &store.vault, &case, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

/// The case and its version, inside a write; `Conflict` if it is not at `expected_version`.
pub(crate) async fn load_for_update(
    conn: &mut SqliteConnection,
    vault: &Vault,
    number: &CaseNumber,
    expected_version: Option<u64>,
) -> StoreResult<(Case, u64)> {
    let row = sqlx::query("SELECT state, version FROM cases WHERE center = ? AND number = ?")
        .bind(number.center().as_ref())
        .bind(number.as_ref())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| StoreError::NotFound(format!("case {number}")))?;
    let version = row.get::<i64, _>("version") as u64;
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(StoreError::Conflict(format!(
            "case {number} is at version {version}, not {expected}: reload it and try again"
        )));
    }
    Ok((
        case_from_state(vault, &row.get::<String, _>("state"))?,
        version,
    ))
}

pub(crate) async fn record(
    store: &SqliteStore,
    number: &CaseNumber,
    expected_version: Option<u64>,
    events: Vec<Event>,
) -> StoreResult<Case> {
    let mut tx = store.write().await?;
    let (mut case, version) =
        load_for_update(&mut tx, &store.vault, number, expected_version).await?;
    for event in &events {
        if event.case.as_ref() != Some(number) {
            return Err(StoreError::Corrupt(format!(
                "an event for another case was recorded on {number}"
            )));
        }
        case = Case::apply(Some(case), event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    let conn = tx.acquire().await.map_err(db)?;
    append(conn, &store.vault, &events).await?;
    save_case(conn, &store.vault, &case, Some(version)).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

pub(crate) async fn case(store: &SqliteStore, number: &CaseNumber) -> StoreResult<Option<Case>> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM cases WHERE center = ? AND number = ?")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_optional(&store.reader)
            .await
            .map_err(db)?;
    state
        .as_deref()
        .map(|state| case_from_state(&store.vault, state))
        .transpose()
}

pub(crate) async fn cases(store: &SqliteStore, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
    let mut query = QueryBuilder::new("SELECT state FROM cases WHERE center = ");
    query.push_bind(filter.center.as_ref());
    if !filter.statuses.is_empty() {
        query.push(" AND status IN (");
        let mut list = query.separated(", ");
        for status in &filter.statuses {
            list.push_bind(status.as_str());
        }
        query.push(")");
    }
    if let Some(item) = &filter.item {
        query.push(" AND item = ").push_bind(item);
    }
    if let Some(clerk) = &filter.clerk {
        query.push(" AND clerk = ").push_bind(clerk);
    }
    if let Some(applicant) = &filter.applicant {
        query
            .push(" AND applicant = ")
            .push_bind(lookup(&store.vault, applicant));
    }
    query
        .push(" ORDER BY updated_at DESC, number DESC LIMIT ")
        .push_bind(i64::from(filter.limit))
        .push(" OFFSET ")
        .push_bind(i64::from(filter.offset));
    let rows = query.build().fetch_all(&store.reader).await.map_err(db)?;
    rows.iter()
        .map(|row| case_from_state(&store.vault, &row.get::<String, _>(0)))
        .collect()
}

pub(crate) async fn case_record(
    store: &SqliteStore,
    number: &CaseNumber,
) -> StoreResult<Vec<Entry>> {
    let rows =
        sqlx::query("SELECT * FROM events WHERE center = ? AND case_number = ? ORDER BY seq")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_all(&store.reader)
            .await
            .map_err(db)?;
    rows.iter()
        .map(|row| entry_from_row(&store.vault, row))
        .collect()
}

pub(crate) async fn centers(store: &SqliteStore) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT center FROM chain_heads UNION SELECT DISTINCT center FROM events ORDER BY 1",
    )
    .fetch_all(&store.reader)
    .await
    .map_err(db)
}

pub(crate) async fn chain(store: &SqliteStore, center: &str) -> StoreResult<Chain> {
    // One read transaction, so entries and head are one consistent snapshot.
    let mut tx = store.reader.begin().await.map_err(db)?;
    let rows = sqlx::query("SELECT * FROM events WHERE center = ? ORDER BY seq")
        .bind(center)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let head = sqlx::query("SELECT seq, hash FROM chain_heads WHERE center = ?")
        .bind(center)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|row| Head {
            center: center.to_owned(),
            seq: row.get::<i64, _>(0) as u64,
            hash: row.get(1),
        });
    tx.commit().await.map_err(db)?;
    Ok(Chain {
        center: center.to_owned(),
        entries: rows
            .iter()
            .map(|row| entry_from_row(&store.vault, row))
            .collect::<StoreResult<_>>()?,
        head,
    })
}

pub(crate) async fn rebuild_case(store: &SqliteStore, number: &CaseNumber) -> StoreResult<Case> {
    let mut tx = store.write().await?;
    let rows =
        sqlx::query("SELECT * FROM events WHERE center = ? AND case_number = ? ORDER BY seq")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
    // Ratings of the case are recorded under it too; only its own events fold into it.
    let entries = rows
        .iter()
        .map(|row| entry_from_row(&store.vault, row))
        .collect::<StoreResult<Vec<_>>>()?;
    let events = entries
        .iter()
        .filter(|entry| EventKind::is_case_kind(&entry.kind))
        .map(|entry| entry.event())
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt("stored event"))?;
    let case = Case::replay(&events)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .ok_or_else(|| StoreError::NotFound(format!("case {number}")))?;
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM cases WHERE center = ? AND number = ?")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
    let conn = tx.acquire().await.map_err(db)?;
    save_case(conn, &store.vault, &case, version.map(|v| v as u64)).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}
