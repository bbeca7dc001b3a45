//! The access log and the retention job. What the records are is `haoban_store::access`;
//! this is only the SQL.

use chrono::NaiveDate;
use haoban_cases::record::{GENESIS, record_time};
use haoban_cases::{ApplicantId, CaseStatus};
use haoban_store::access::{
    AccessEntry, AccessFilter, AccessRecord, Expiry, Outcome, Purged, parse_stored_time,
    stored_time,
};
use haoban_store::vault::ERASED_VALUES;
use haoban_store::{StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::{SqliteStore, db, time};

const COLUMNS: &str =
    "seq, at, actor, role, center, action, object, status, outcome, source, prev_hash, hash";

/// Appends `record` inside the caller's transaction (which holds SQLite's one write lock).
async fn append(conn: &mut SqliteConnection, record: &AccessRecord) -> StoreResult<AccessEntry> {
    let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let (seq, prev) = match head {
        Some(row) => (row.get::<i64, _>(0) as u64, row.get::<String, _>(1)),
        None => (0, GENESIS.to_owned()),
    };
    let entry = AccessEntry::chain(record.clone(), seq + 1, &prev);
    sqlx::query(&format!(
        "INSERT INTO access_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(entry.seq as i64)
    .bind(stored_time(record.at))
    .bind(&record.actor)
    .bind(&record.role)
    .bind(&record.center)
    .bind(&record.action)
    .bind(&record.object)
    .bind(i64::from(record.status))
    .bind(record.outcome.as_str())
    .bind(&record.source)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query(
        "INSERT INTO access_log_head (id, seq, hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(entry.seq as i64)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(entry)
}

fn entry_from_row(row: &SqliteRow) -> StoreResult<AccessEntry> {
    let text = |column: &str| -> String { row.get(column) };
    let outcome = text("outcome");
    let status = row.get::<i64, _>("status");
    Ok(AccessEntry {
        seq: row.get::<i64, _>("seq") as u64,
        record: AccessRecord {
            at: parse_stored_time(&text("at")).map_err(StoreError::Corrupt)?,
            actor: text("actor"),
            role: text("role"),
            center: text("center"),
            action: text("action"),
            object: text("object"),
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt(format!("access log status {status}")))?,
            outcome: Outcome::parse(&outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("access log outcome {outcome}")))?,
            source: text("source"),
        },
        prev_hash: text("prev_hash"),
        hash: text("hash"),
    })
}

/// The statuses of cases that are over: their uploads' bytes go at the end of retention.
fn over_statuses() -> Vec<&'static str> {
    CaseStatus::ALL
        .into_iter()
        .filter(|s| s.is_over())
        .map(CaseStatus::as_str)
        .collect()
}

/// `AND cases.updated_at < before AND cases.status IN (…)`: a case that is over
/// ([`CaseStatus::is_over`]), and has been since before the retention.
fn over_before<'a>(query: &mut QueryBuilder<'a, Sqlite>, before: &'a str) {
    query
        .push(" AND cases.updated_at < ")
        .push_bind(before)
        .push(" AND cases.status IN (");
    let mut statuses = query.separated(", ");
    for status in over_statuses() {
        statuses.push_bind(status);
    }
    query.push(")");
}

/// Erases the applicant's ID number of every case over before `before`: in the case row
/// (its state and its lookup column) and in the sealed values of its record entries,
/// whose text and hashes stay as they are. Returns how many cases.
async fn erase_applicants(conn: &mut SqliteConnection, before: &str) -> StoreResult<u64> {
    let mut cases = QueryBuilder::<Sqlite>::new(
        "UPDATE cases SET applicant = '', state = json_set(state, '$.applicant.id_number', ",
    );
    cases
        .push_bind(ApplicantId::ERASED)
        .push(") WHERE applicant <> ''");
    over_before(&mut cases, before);
    let erased = cases
        .push(" RETURNING center, number")
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    for case in &erased {
        sqlx::query(
            "UPDATE events SET personal = ?
             WHERE center = ? AND case_number = ? AND personal IS NOT NULL",
        )
        .bind(ERASED_VALUES)
        .bind(case.get::<String, _>(0))
        .bind(case.get::<String, _>(1))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(erased.len() as u64)
}

impl SqliteStore {
    pub(crate) async fn log_append(&self, record: &AccessRecord) -> StoreResult<AccessEntry> {
        let mut tx = self.write().await?;
        let entry = append(&mut tx, record).await?;
        tx.commit().await.map_err(db)?;
        Ok(entry)
    }

    pub(crate) async fn log_read(&self, filter: &AccessFilter) -> StoreResult<Vec<AccessEntry>> {
        let mut query =
            QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM access_log WHERE 1 = 1"));
        if let Some(actor) = &filter.actor {
            query.push(" AND actor = ").push_bind(actor);
        }
        if let Some(object) = &filter.object {
            query
                .push(" AND instr(object, ")
                .push_bind(object)
                .push(") > 0");
        }
        if let Some(from) = filter.from {
            query.push(" AND at >= ").push_bind(stored_time(from));
        }
        if let Some(until) = filter.until {
            query.push(" AND at < ").push_bind(stored_time(until));
        }
        query
            .push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(filter.limit))
            .push(" OFFSET ")
            .push_bind(i64::from(filter.offset));
        let rows = query.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(entry_from_row).collect()
    }

    pub(crate) async fn log_chain(&self) -> StoreResult<(Vec<AccessEntry>, Option<(u64, String)>)> {
        // One read transaction, so the head and the rows are one snapshot.
        let mut tx = self.reader.begin().await.map_err(db)?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM access_log ORDER BY seq"))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .map(|row| (row.get::<i64, _>(0) as u64, row.get::<String, _>(1)));
        tx.commit().await.map_err(db)?;
        let entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((entries, head))
    }

    pub(crate) async fn purge(&self, expiry: &Expiry) -> StoreResult<Purged> {
        let personal = time(expiry.personal_before);
        let mut tx = self.write().await?;
        let mut purged = Purged::default();
        let run = |sql: &'static str| sqlx::query(sql);
        purged.sessions =
            run("DELETE FROM sessions WHERE kind = 'cookie' AND (last_seen < ? OR created_at < ?)")
                .bind(time(expiry.idle_before))
                .bind(time(expiry.started_before))
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        purged.login_codes = run("DELETE FROM login_codes WHERE expires_at < ?")
            .bind(time(expiry.now))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.visitors = run("DELETE FROM visitors WHERE last_seen < ?")
            .bind(&personal)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let day: NaiveDate = expiry.personal_before.date_naive();
        purged.appointments = run("DELETE FROM appointments WHERE day < ?")
            .bind(day.format("%Y-%m-%d").to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.offers = run("DELETE FROM offers WHERE made_at < ?")
            .bind(&personal)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.parcels = run("DELETE FROM parcels WHERE status <> 'waiting' AND deposited_at < ?")
            .bind(&personal)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let mut erase = QueryBuilder::<Sqlite>::new("UPDATE uploads SET body = x'', erased_at = ");
        erase.push_bind(time(expiry.now)).push(
            " WHERE erased_at IS NULL AND EXISTS (SELECT 1 FROM cases
                  WHERE cases.center = uploads.center AND cases.number = uploads.case_number",
        );
        over_before(&mut erase, &personal);
        erase.push(")");
        purged.upload_bytes = erase
            .build()
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.id_numbers = erase_applicants(&mut tx, &personal).await?;
        // The literal `LIKE` patterns are those of the partial indexes (migration 0012),
        // so only rows that still hold something to erase are read.
        purged.entries = sqlx::query(
            "UPDATE events SET personal = ?
             WHERE personal LIKE 'v1:%' AND at < ? AND case_number IS NULL",
        )
        .bind(ERASED_VALUES)
        .bind(record_time(expiry.personal_before))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        purged.tickets = sqlx::query(
            "UPDATE tickets SET state = json_set(state, '$.carried', json('null'))
             WHERE state LIKE '%\"carried\":{%' AND day < ?",
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        purged.access_log = run("DELETE FROM access_log WHERE at < ?")
            .bind(stored_time(expiry.access_log_before))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        append(&mut tx, &purged.record(expiry)).await?;
        tx.commit().await.map_err(db)?;
        Ok(purged)
    }
}
