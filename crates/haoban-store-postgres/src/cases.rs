//! Cases and the process record: opening, recording events with their projection,
//! listing, and the per-center chain.

use chrono::NaiveDate;
use haoban_cases::record::{Entry, Head};
use haoban_cases::{Case, CaseNumber, Event, EventKind};
use haoban_store::codec::{case_from_state, lookup};
use haoban_store::vault::Vault;
use haoban_store::{CaseFilter, Chain, StoreError, StoreResult};
use sqlx::{PgConnection, QueryBuilder, Row};

use crate::{BEGIN_SNAPSHOT, PostgresStore, append, corrupt, count, db, entry_from_row, save_case};

pub(crate) async fn open_case(
    store: &PostgresStore,
    day: NaiveDate,
    mut submitted: Event,
) -> StoreResult<Case> {
    let mut tx = store.write().await?;
    let center = submitted.center.clone();
    // The upsert locks the (center, day) counter row until commit.
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO case_counters (center, day, last) VALUES ($1, $2, 1)
         ON CONFLICT (center, day) DO UPDATE SET last = case_counters.last + 1
         RETURNING last",
    )
    .bind(center.as_ref())
    .bind(day)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let sequence =
        u32::try_from(sequence).map_err(|_| StoreError::Corrupt("case counter".into()))?;
    submitted.case = Some(CaseNumber::new(&center, day, sequence));
    let case = Case::apply(None, &submitted).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    append(&mut tx, &store.vault, std::slice::from_ref(&submitted)).await?;
    save_case(&mut tx, &store.vault, &case, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

/// The case and its version, its row locked for the rest of the transaction (so this
/// reads the latest commit and keeps other writers of the case out until it commits);
/// `Conflict` if it is not at `expected_version`.
pub(crate) async fn load_for_update(
    conn: &mut PgConnection,
    vault: &Vault,
    number: &CaseNumber,
    expected_version: Option<u64>,
) -> StoreResult<(Case, u64)> {
    let row = sqlx::query(
        "SELECT state, version FROM cases WHERE center = $1 AND number = $2 FOR UPDATE",
    )
    .bind(number.center().as_ref())
    .bind(number.as_ref())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    .ok_or_else(|| StoreError::NotFound(format!("case {number}")))?;
    let version = count(row.get("version"), "case version")?;
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(StoreError::Conflict(format!(
            "case {number} is at version {version}, not {expected}: reload it and try again"
        )));
    }
    Ok((case_from_state(vault, row.get("state"))?, version))
}

pub(crate) async fn record(
    store: &PostgresStore,
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
    append(&mut tx, &store.vault, &events).await?;
    save_case(&mut tx, &store.vault, &case, Some(version)).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

pub(crate) async fn case(store: &PostgresStore, number: &CaseNumber) -> StoreResult<Option<Case>> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM cases WHERE center = $1 AND number = $2")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_optional(&store.pool)
            .await
            .map_err(db)?;
    state
        .as_deref()
        .map(|state| case_from_state(&store.vault, state))
        .transpose()
}

pub(crate) async fn cases(store: &PostgresStore, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
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
    let rows = query.build().fetch_all(&store.pool).await.map_err(db)?;
    rows.iter()
        .map(|row| case_from_state(&store.vault, row.get(0)))
        .collect()
}

pub(crate) async fn case_record(
    store: &PostgresStore,
    number: &CaseNumber,
) -> StoreResult<Vec<Entry>> {
    let rows =
        sqlx::query("SELECT * FROM events WHERE center = $1 AND case_number = $2 ORDER BY seq")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_all(&store.pool)
            .await
            .map_err(db)?;
    rows.iter()
        .map(|row| entry_from_row(&store.vault, row))
        .collect()
}

pub(crate) async fn centers(store: &PostgresStore) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT center FROM chain_heads UNION SELECT DISTINCT center FROM events ORDER BY 1",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(db)
}

pub(crate) async fn chain(store: &PostgresStore, center: &str) -> StoreResult<Chain> {
    // One snapshot, so entries and head agree even while others append.
    let mut tx = store.pool.begin_with(BEGIN_SNAPSHOT).await.map_err(db)?;
    let rows = sqlx::query("SELECT * FROM events WHERE center = $1 ORDER BY seq")
        .bind(center)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let head = sqlx::query("SELECT seq, hash FROM chain_heads WHERE center = $1")
        .bind(center)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|row| {
            Ok::<_, StoreError>(Head {
                center: center.to_owned(),
                seq: count(row.get(0), "chain head seq")?,
                hash: row.get(1),
            })
        })
        .transpose()?;
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

pub(crate) async fn rebuild_case(store: &PostgresStore, number: &CaseNumber) -> StoreResult<Case> {
    let mut tx = store.write().await?;
    // Lock the projection first: a concurrent `record` on this case holds the same lock
    // while it appends, so the events read below are complete.
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM cases WHERE center = $1 AND number = $2 FOR UPDATE",
    )
    .bind(number.center().as_ref())
    .bind(number.as_ref())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let rows =
        sqlx::query("SELECT * FROM events WHERE center = $1 AND case_number = $2 ORDER BY seq")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
    // Ratings of the case are recorded under it too; only its own events fold into it.
    let events = rows
        .iter()
        .map(|row| entry_from_row(&store.vault, row))
        .filter(|entry| {
            entry
                .as_ref()
                .map_or(true, |e| EventKind::is_case_kind(&e.kind))
        })
        .map(|entry| entry?.event().map_err(corrupt("stored event")))
        .collect::<StoreResult<Vec<_>>>()?;
    let case = Case::replay(&events)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .ok_or_else(|| StoreError::NotFound(format!("case {number}")))?;
    let version = version.map(|v| count(v, "case version")).transpose()?;
    save_case(&mut tx, &store.vault, &case, version).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}
