//! The SQLite store: the default, one file beside the binary. Writes go through one
//! connection in `BEGIN IMMEDIATE` transactions (SQLite has one writer anyway); reads use
//! a pool. The file is opened in WAL mode with `synchronous=FULL`, so a commit that
//! returned is on disk, and the store refuses to run otherwise.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Draft, Entry, GENESIS, Head};
use haoban_cases::{Case, CaseNumber, CenterId, Event, EventKind, Role};
use haoban_feedback::{
    DefaultRule, FollowUp, FollowUpCommand, FollowUpId, Month, Rated, Rating, Target,
};
use haoban_hall::{
    AgingRule, Appointment, HallEvent, QueueCommand, Ticket, TicketNumber, Visitor, Window,
};
use haoban_store::codec::{case_from_state, case_state};
use haoban_store::{
    By, CaseFilter, Chain, LoginCode, NewTicket, RatingLink, Session, SessionKind, Store,
    StoreError, StoreResult, User,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Acquire, QueryBuilder, Row};

mod feedback;
mod hall;
mod insight;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    path: PathBuf,
    writer: SqlitePool,
    reader: SqlitePool,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

fn db(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            StoreError::Conflict(e.message().to_owned())
        }
        _ => StoreError::Database(err.to_string()),
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time `{text}`: {e}")))
}

fn corrupt(what: &str) -> impl Fn(String) -> StoreError + '_ {
    move |detail| StoreError::Corrupt(format!("{what}: {detail}"))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(db)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(format!("migrations: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(db)?;
        let store = SqliteStore {
            path: path.to_path_buf(),
            writer,
            reader,
        };
        store.check_durability().await?;
        Ok(store)
    }

    /// Refuses settings under which an acknowledged write could be lost.
    async fn check_durability(&self) -> StoreResult<()> {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.writer)
            .await
            .map_err(db)?;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.writer)
            .await
            .map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") || sync < 2 {
            return Err(StoreError::Database(format!(
                "unsafe durability settings: journal_mode={mode}, synchronous={sync} (need wal and FULL=2)"
            )));
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

/// Appends `events` to their center's chain inside the caller's transaction.
async fn append(conn: &mut SqliteConnection, events: &[Event]) -> StoreResult<()> {
    let drafts: Vec<Draft> = events.iter().map(Draft::of_event).collect();
    append_drafts(conn, drafts).await
}

/// Appends `drafts` (all of one center) to the chain inside the caller's transaction.
async fn append_drafts(conn: &mut SqliteConnection, drafts: Vec<Draft>) -> StoreResult<()> {
    let Some(first) = drafts.first() else {
        return Ok(());
    };
    let center = first.center.clone();
    let head = sqlx::query("SELECT seq, hash FROM chain_heads WHERE center = ?")
        .bind(&center)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let (mut seq, mut prev) = match head {
        Some(row) => (row.get::<i64, _>(0) as u64, row.get::<String, _>(1)),
        None => (0, GENESIS.to_owned()),
    };
    for draft in drafts {
        if draft.center != center {
            return Err(StoreError::Corrupt(
                "events of one write span two centers".into(),
            ));
        }
        seq += 1;
        let entry = Entry::chain_draft(draft, seq, &prev);
        sqlx::query(
            "INSERT INTO events (center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&entry.center)
        .bind(entry.seq as i64)
        .bind(&entry.case)
        .bind(&entry.at)
        .bind(&entry.actor)
        .bind(&entry.role)
        .bind(&entry.kind)
        .bind(&entry.payload)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        prev = entry.hash;
    }
    sqlx::query(
        "INSERT INTO chain_heads (center, seq, hash) VALUES (?, ?, ?)
         ON CONFLICT (center) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(&center)
    .bind(seq as i64)
    .bind(&prev)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn save_case(
    conn: &mut SqliteConnection,
    case: &Case,
    previous_version: Option<u64>,
) -> StoreResult<()> {
    let state = case_state(case)?;
    let done = match previous_version {
        None => sqlx::query(
            "INSERT INTO cases (center, number, item, status, clerk, applicant, version, updated_at, state)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        Some(_) => sqlx::query(
            "UPDATE cases SET item = ?3, status = ?4, clerk = ?5, applicant = ?6, version = ?7,
                 updated_at = ?8, state = ?9
             WHERE center = ?1 AND number = ?2 AND version = ?10",
        ),
    }
    .bind(case.center.as_ref())
    .bind(case.number.as_ref())
    .bind(&case.item)
    .bind(case.status.as_str())
    .bind(&case.clerk)
    .bind(case.applicant.id_number.as_ref())
    .bind(case.version as i64)
    .bind(time(case.updated_at))
    .bind(state)
    .bind(previous_version.map(|v| v as i64))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "case {} changed meanwhile",
            case.number
        )));
    }
    Ok(())
}

fn entry_from_row(row: &SqliteRow) -> Entry {
    Entry {
        center: row.get("center"),
        seq: row.get::<i64, _>("seq") as u64,
        case: row.get("case_number"),
        at: row.get("at"),
        actor: row.get("actor"),
        role: row.get("role"),
        kind: row.get("kind"),
        payload: row.get("payload"),
        prev_hash: row.get("prev_hash"),
        hash: row.get("hash"),
    }
}

fn user_from_row(row: &SqliteRow) -> StoreResult<User> {
    let role: String = row.get("role");
    let center: String = row.get("center");
    Ok(User {
        username: row.get("username"),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        center: CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: row.get("password_hash"),
        disabled: row.get::<i64, _>("disabled") != 0,
        failed_logins: row.get::<i64, _>("failed_logins") as u32,
        locked_until: row
            .get::<Option<String>, _>("locked_until")
            .map(|t| parse_time(&t))
            .transpose()?,
        created_at: parse_time(&row.get::<String, _>("created_at"))?,
    })
}

fn session_from_row(row: &SqliteRow) -> StoreResult<Session> {
    let role: String = row.get("role");
    let kind: String = row.get("kind");
    let center: String = row.get("center");
    Ok(Session {
        id_hash: row.get("id_hash"),
        kind: SessionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("session kind `{kind}`")))?,
        subject: row.get("subject"),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        center: CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: parse_time(&row.get::<String, _>("created_at"))?,
        last_seen: parse_time(&row.get::<String, _>("last_seen"))?,
        csrf_token: row.get("csrf_token"),
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn issue_ticket(&self, day: NaiveDate, new: NewTicket, by: By) -> StoreResult<Ticket> {
        self.hall_issue(day, new, by).await
    }

    async fn call_next(
        &self,
        day: NaiveDate,
        center: &CenterId,
        window: &Window,
        rule: &AgingRule,
        by: By,
    ) -> StoreResult<Option<Ticket>> {
        self.hall_call(day, center, window, rule, by).await
    }

    async fn serve_ticket(
        &self,
        day: NaiveDate,
        center: &CenterId,
        number: &TicketNumber,
        window: &str,
        command: &QueueCommand,
        by: By,
    ) -> StoreResult<Ticket> {
        self.hall_serve(day, center, number, window, command, by)
            .await
    }

    async fn tickets(&self, center: &CenterId, day: NaiveDate) -> StoreResult<Vec<Ticket>> {
        self.hall_tickets(center, day).await
    }

    async fn windows(&self, center: &CenterId) -> StoreResult<Vec<Window>> {
        self.hall_windows(center).await
    }

    async fn save_window(&self, center: &CenterId, window: &Window, by: By) -> StoreResult<()> {
        self.hall_save_window(center, window, by).await
    }

    async fn remove_window(&self, center: &CenterId, name: &str, by: By) -> StoreResult<()> {
        self.hall_remove_window(center, name, by).await
    }

    async fn visitor(&self, center: &CenterId, id_number: &str) -> StoreResult<Option<Visitor>> {
        self.hall_visitor(center, id_number).await
    }

    async fn save_visitor(&self, center: &CenterId, visitor: &Visitor) -> StoreResult<()> {
        self.hall_save_visitor(center, visitor).await
    }

    async fn note_hall(&self, center: &CenterId, event: &HallEvent, by: By) -> StoreResult<()> {
        self.hall_note(center, event, by).await
    }

    async fn book_appointment(
        &self,
        center: &CenterId,
        day: NaiveDate,
        appointment: &Appointment,
        capacity: u32,
        by: By,
    ) -> StoreResult<()> {
        self.hall_book(center, day, appointment, capacity, by).await
    }

    async fn appointments(
        &self,
        center: &CenterId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Appointment>> {
        self.hall_appointments(center, day).await
    }

    async fn check_in(
        &self,
        day: NaiveDate,
        visitor: &str,
        new: NewTicket,
        by: By,
    ) -> StoreResult<Ticket> {
        self.hall_check_in(day, visitor, new, by).await
    }

    async fn open_case(&self, day: NaiveDate, mut submitted: Event) -> StoreResult<Case> {
        let mut tx = self.write().await?;
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
        append(conn, std::slice::from_ref(&submitted)).await?;
        save_case(conn, &case, None).await?;
        tx.commit().await.map_err(db)?;
        Ok(case)
    }

    async fn record(
        &self,
        number: &CaseNumber,
        expected_version: Option<u64>,
        events: Vec<Event>,
    ) -> StoreResult<Case> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT state, version FROM cases WHERE center = ? AND number = ?")
            .bind(number.center().as_ref())
            .bind(number.as_ref())
            .fetch_optional(&mut *tx)
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
        let mut case = case_from_state(&row.get::<String, _>("state"))?;
        for event in &events {
            if event.case.as_ref() != Some(number) {
                return Err(StoreError::Corrupt(format!(
                    "an event for another case was recorded on {number}"
                )));
            }
            case =
                Case::apply(Some(case), event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let conn = tx.acquire().await.map_err(db)?;
        append(conn, &events).await?;
        save_case(conn, &case, Some(version)).await?;
        tx.commit().await.map_err(db)?;
        Ok(case)
    }

    async fn case(&self, number: &CaseNumber) -> StoreResult<Option<Case>> {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM cases WHERE center = ? AND number = ?")
                .bind(number.center().as_ref())
                .bind(number.as_ref())
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        state.as_deref().map(case_from_state).transpose()
    }

    async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
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
            query.push(" AND applicant = ").push_bind(applicant);
        }
        query
            .push(" ORDER BY updated_at DESC, number DESC LIMIT ")
            .push_bind(i64::from(filter.limit))
            .push(" OFFSET ")
            .push_bind(i64::from(filter.offset));
        let rows = query.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter()
            .map(|row| case_from_state(&row.get::<String, _>(0)))
            .collect()
    }

    async fn case_record(&self, number: &CaseNumber) -> StoreResult<Vec<Entry>> {
        let rows =
            sqlx::query("SELECT * FROM events WHERE center = ? AND case_number = ? ORDER BY seq")
                .bind(number.center().as_ref())
                .bind(number.as_ref())
                .fetch_all(&self.reader)
                .await
                .map_err(db)?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    async fn centers(&self) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT center FROM chain_heads UNION SELECT DISTINCT center FROM events ORDER BY 1",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db)
    }

    async fn chain(&self, center: &str) -> StoreResult<Chain> {
        // One read transaction, so entries and head are one consistent snapshot.
        let mut tx = self.reader.begin().await.map_err(db)?;
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
            entries: rows.iter().map(entry_from_row).collect(),
            head,
        })
    }

    async fn rebuild_case(&self, number: &CaseNumber) -> StoreResult<Case> {
        let mut tx = self.write().await?;
        let rows =
            sqlx::query("SELECT * FROM events WHERE center = ? AND case_number = ? ORDER BY seq")
                .bind(number.center().as_ref())
                .bind(number.as_ref())
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        // Ratings of the case are recorded under it too; only its own events fold into it.
        let events = rows
            .iter()
            .map(entry_from_row)
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
        save_case(conn, &case, version.map(|v| v as u64)).await?;
        tx.commit().await.map_err(db)?;
        Ok(case)
    }

    async fn rate(&self, rated: &Rated, link: Option<&str>) -> StoreResult<()> {
        self.feedback_rate(rated, link).await
    }

    async fn rating(&self, center: &CenterId, target: &Target) -> StoreResult<Option<Rating>> {
        self.feedback_rating(center, target).await
    }

    async fn ratings(&self, center: &CenterId, month: Month) -> StoreResult<Vec<Rating>> {
        self.feedback_ratings(center, month).await
    }

    async fn record_default_ratings(
        &self,
        center: &CenterId,
        today: NaiveDate,
        rule: &DefaultRule,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Rating>> {
        self.feedback_defaults(center, today, rule, at).await
    }

    async fn put_rating_link(&self, link: &RatingLink) -> StoreResult<()> {
        self.feedback_put_link(link).await
    }

    async fn rating_link(&self, token_hash: &str) -> StoreResult<Option<RatingLink>> {
        self.feedback_link(token_hash).await
    }

    async fn follow_up(&self, center: &CenterId, id: &FollowUpId) -> StoreResult<Option<FollowUp>> {
        self.feedback_follow_up(center, id).await
    }

    async fn follow_ups(&self, center: &CenterId, open_only: bool) -> StoreResult<Vec<FollowUp>> {
        self.feedback_follow_ups(center, open_only).await
    }

    async fn follow_up_step(
        &self,
        center: &CenterId,
        id: &FollowUpId,
        command: &FollowUpCommand,
        by: By,
    ) -> StoreResult<FollowUp> {
        self.feedback_step(center, id, command, by).await
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (center, username, role, password_hash, disabled, failed_logins, locked_until, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.center.as_ref())
        .bind(&user.username)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(i64::from(user.disabled))
        .bind(i64::from(user.failed_logins))
        .bind(user.locked_until.map(time))
        .bind(time(user.created_at))
        .execute(&self.writer)
        .await
        .map_err(|e| match db(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("user `{}` already exists", user.username)),
            other => other,
        })?;
        Ok(())
    }

    async fn user(&self, username: &str) -> StoreResult<Option<User>> {
        sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    async fn users(&self, center: &CenterId) -> StoreResult<Vec<User>> {
        sqlx::query("SELECT * FROM users WHERE center = ? ORDER BY username")
            .bind(center.as_ref())
            .fetch_all(&self.reader)
            .await
            .map_err(db)?
            .iter()
            .map(user_from_row)
            .collect()
    }

    async fn login_failed(
        &self,
        username: &str,
        lock_after: u32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1,
                 locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
             WHERE username = ?",
        )
        .bind(i64::from(lock_after))
        .bind(time(lock_until))
        .bind(username)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn login_succeeded(&self, username: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?")
            .bind(username)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn disable_user(&self, username: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET disabled = 1 WHERE username = ?")
            .bind(username)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user `{username}`")));
        }
        sqlx::query("DELETE FROM sessions WHERE subject = ? AND role != 'resident'")
            .bind(username)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (center, id_hash, kind, subject, role, created_at, last_seen, csrf_token)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(session.center.as_ref())
        .bind(&session.id_hash)
        .bind(session.kind.as_str())
        .bind(&session.subject)
        .bind(session.role.as_str())
        .bind(time(session.created_at))
        .bind(time(session.last_seen))
        .bind(&session.csrf_token)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>> {
        sqlx::query("SELECT * FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?
            .as_ref()
            .map(session_from_row)
            .transpose()
    }

    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen = ? WHERE id_hash = ?")
            .bind(time(at))
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn put_login_code(&self, code: &LoginCode) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_codes (center, id_number, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (id_number) DO UPDATE SET center = excluded.center, code_hash = excluded.code_hash,
                 expires_at = excluded.expires_at, attempts = excluded.attempts",
        )
        .bind(code.center.as_ref())
        .bind(&code.id_number)
        .bind(&code.code_hash)
        .bind(time(code.expires_at))
        .bind(i64::from(code.attempts))
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn login_code_attempt(&self, id_number: &str) -> StoreResult<Option<LoginCode>> {
        let row = sqlx::query(
            "UPDATE login_codes SET attempts = attempts + 1 WHERE id_number = ?
             RETURNING center, id_number, code_hash, expires_at, attempts",
        )
        .bind(id_number)
        .fetch_optional(&self.writer)
        .await
        .map_err(db)?;
        row.map(|row| {
            Ok(LoginCode {
                center: CenterId::parse(&row.get::<String, _>("center"))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                id_number: row.get("id_number"),
                code_hash: row.get("code_hash"),
                expires_at: parse_time(&row.get::<String, _>("expires_at"))?,
                attempts: row.get::<i64, _>("attempts") as u32,
            })
        })
        .transpose()
    }

    async fn delete_login_code(&self, id_number: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_codes WHERE id_number = ?")
            .bind(id_number)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn save_monthly_list(
        &self,
        list: &haoban_insight::MonthlyList,
        by: By,
    ) -> StoreResult<()> {
        self.insight_save(list, by).await
    }

    async fn monthly_list(
        &self,
        center: &CenterId,
        month: haoban_insight::Month,
    ) -> StoreResult<Option<haoban_store::insight::StoredList>> {
        self.insight_list(center, month).await
    }
}
