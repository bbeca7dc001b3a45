//! The access log and the retention job. What the records are is `haoban_store::access`;
//! this is only the SQL. Appends lock the one head row (`FOR UPDATE`), so instances
//! append to the one chain in turn.

use haoban_cases::record::record_time;
use haoban_cases::{ApplicantId, CaseStatus};
use haoban_store::access::{
    AccessEntry, AccessFilter, AccessRecord, Expiry, Outcome, Purged, parse_stored_time,
    stored_time,
};
use haoban_store::vault::ERASED_VALUES;
use haoban_store::{StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use crate::{PostgresStore, count, db};

const COLUMNS: &str =
    "seq, at, actor, role, center, action, object, status, outcome, source, prev_hash, hash";

/// Appends `record` inside the caller's transaction, holding the head row's lock.
async fn append(conn: &mut PgConnection, record: &AccessRecord) -> StoreResult<AccessEntry> {
    let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let seq = count(head.get(0), "access log head seq")?;
    let prev: String = head.get(1);
    let entry = AccessEntry::chain(record.clone(), seq + 1, &prev);
    let at = stored_time(record.at);
    sqlx::query(&format!(
        "INSERT INTO access_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(i64::try_from(entry.seq).map_err(|_| StoreError::Corrupt("access log seq".into()))?)
    .bind(&at)
    .bind(&record.actor)
    .bind(&record.role)
    .bind(&record.center)
    .bind(&record.action)
    .bind(&record.object)
    .bind(i32::from(record.status))
    .bind(record.outcome.as_str())
    .bind(&record.source)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE access_log_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(i64::try_from(entry.seq).map_err(|_| StoreError::Corrupt("access log seq".into()))?)
        .bind(&entry.hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(entry)
}

fn entry_from_row(row: &PgRow) -> StoreResult<AccessEntry> {
    let text = |column: &str| -> String { row.get(column) };
    let outcome = text("outcome");
    let status: i32 = row.get("status");
    Ok(AccessEntry {
        seq: count(row.get("seq"), "access log seq")?,
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

impl PostgresStore {
    pub(crate) async fn log_append(&self, record: &AccessRecord) -> StoreResult<AccessEntry> {
        let mut tx = self.write().await?;
        let entry = append(&mut tx, record).await?;
        tx.commit().await.map_err(db)?;
        Ok(entry)
    }

    pub(crate) async fn log_read(&self, filter: &AccessFilter) -> StoreResult<Vec<AccessEntry>> {
        let mut query =
            QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS} FROM access_log WHERE TRUE"));
        if let Some(actor) = &filter.actor {
            query.push(" AND actor = ").push_bind(actor);
        }
        if let Some(object) = &filter.object {
            query
                .push(" AND strpos(object, ")
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
        let rows = query.build().fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(entry_from_row).collect()
    }

    pub(crate) async fn log_chain(&self) -> StoreResult<(Vec<AccessEntry>, Option<(u64, String)>)> {
        // One snapshot for the head and the rows.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db)?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM access_log ORDER BY seq"))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let head = match head {
            Some(row) => Some((count(row.get(0), "access log head seq")?, row.get(1))),
            None => None,
        };
        let entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((entries, head))
    }

    pub(crate) async fn purge(&self, expiry: &Expiry) -> StoreResult<Purged> {
        let personal = expiry.personal_before;
        let mut purged = Purged::default();
        let mut tx = self.write().await?;
        // Taken first, so a purge and the appends it races with keep one order.
        sqlx::query("SELECT seq FROM access_log_head WHERE id = 1 FOR UPDATE")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        purged.sessions = sqlx::query(
            "DELETE FROM sessions WHERE kind = 'cookie' AND (last_seen < $1 OR created_at < $2)",
        )
        .bind(expiry.idle_before)
        .bind(expiry.started_before)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        purged.login_codes = sqlx::query("DELETE FROM login_codes WHERE expires_at < $1")
            .bind(expiry.now)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.visitors = sqlx::query("DELETE FROM visitors WHERE last_seen < $1")
            .bind(personal)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.appointments = sqlx::query("DELETE FROM appointments WHERE day < $1")
            .bind(personal.date_naive())
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.offers = sqlx::query("DELETE FROM offers WHERE made_at < $1")
            .bind(personal)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        purged.parcels =
            sqlx::query("DELETE FROM parcels WHERE status <> 'waiting' AND deposited_at < $1")
                .bind(personal)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        let over: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_over())
            .map(|s| s.as_str().to_owned())
            .collect();
        purged.upload_bytes = sqlx::query(
            "UPDATE uploads SET body = ''::bytea, erased_at = $1
             WHERE erased_at IS NULL AND EXISTS (SELECT 1 FROM cases
                 WHERE cases.center = uploads.center AND cases.number = uploads.case_number
                 AND cases.updated_at < $2 AND cases.status = ANY($3))",
        )
        .bind(expiry.now)
        .bind(personal)
        .bind(&over)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        // The applicant's ID number of cases over before the retention: in the case row
        // and in the sealed values of its record entries, whose text and hashes stay.
        let erased: i64 = sqlx::query_scalar(
            "WITH erased AS (
                 UPDATE cases SET applicant = '',
                     state = jsonb_set(state::jsonb, '{applicant,id_number}', to_jsonb($1::text))::text
                 WHERE applicant <> '' AND updated_at < $2 AND status = ANY($3)
                 RETURNING center, number
             ), entries AS (
                 UPDATE events SET personal = $4 FROM erased
                 WHERE events.center = erased.center AND events.case_number = erased.number
                   AND events.personal IS NOT NULL
             )
             SELECT count(*) FROM erased",
        )
        .bind(ApplicantId::ERASED)
        .bind(personal)
        .bind(&over)
        .bind(ERASED_VALUES)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        purged.id_numbers = erased as u64;
        // The literal `LIKE` patterns are those of the partial indexes (migration 0012),
        // so only rows that still hold something to erase are read.
        purged.entries = sqlx::query(
            "UPDATE events SET personal = $1
             WHERE personal LIKE 'v1:%' AND at < $2 AND case_number IS NULL",
        )
        .bind(ERASED_VALUES)
        .bind(record_time(personal))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        purged.tickets = sqlx::query(
            "UPDATE tickets SET state = jsonb_set(state::jsonb, '{carried}', 'null')::text
             WHERE state LIKE '%\"carried\":{%' AND day < $1",
        )
        .bind(personal.date_naive())
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        purged.access_log = sqlx::query("DELETE FROM access_log WHERE at < $1")
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
