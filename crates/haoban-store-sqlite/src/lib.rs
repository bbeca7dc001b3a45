//! The SQLite store: the default, one file beside the binary. Writes go through one
//! connection in `BEGIN IMMEDIATE` transactions (SQLite has one writer anyway); reads use
//! a pool. The file is opened in WAL mode with `synchronous=FULL`, so a commit that
//! returned is on disk, and the store refuses to run otherwise.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Draft, Entry, GENESIS};
use haoban_cases::{Case, CaseNumber, CenterId, Event};
use haoban_feedback::{
    DefaultRule, FollowUp, FollowUpCommand, FollowUpId, Month, Rated, Rating, Target,
};
use haoban_hall::{
    AgingRule, Appointment, Cabinet, HallEvent, Parcel, PickupRules, QueueCommand, Ticket,
    TicketNumber, Visitor, Window,
};
use haoban_store::access::{AccessEntry, AccessFilter, AccessRecord, Expiry, Purged};
use haoban_store::codec::{case_state, lookup};
use haoban_store::self_service::{Attempt, Deposit, Upload};
use haoban_store::vault::Vault;
use haoban_store::{
    By, CaseFilter, Chain, LoginCode, NewTicket, RatingLink, Session, Store, StoreError,
    StoreResult, User,
};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};

mod access;
mod accounts;
mod cases;
mod feedback;
mod hall;
mod history;
mod insight;
mod offers;
mod personal;
mod self_service;
mod training;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What a database file holds, seen without opening it as a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peek {
    pub centers: Vec<String>,
    /// Staff accounts per center.
    pub accounts: Vec<(String, u64)>,
}

pub struct SqliteStore {
    path: PathBuf,
    writer: SqlitePool,
    reader: SqlitePool,
    /// Seals and opens ID and phone numbers at the column boundary.
    vault: Arc<Vault>,
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

/// Whether a pooled connection may be handed out again. When SQLite fails a `COMMIT` or a
/// statement with an I/O error (a failed fsync, a full disk) it rolls the transaction back
/// itself; sqlx, whose `COMMIT` failed, still counts the connection as inside a
/// transaction, its `ROLLBACK` then fails too, and every later `BEGIN` is refused. With one
/// writer connection that refused every write until a restart (found by `tests/faults.rs`).
/// Such a connection is closed instead (which rolls back whatever SQLite may still hold
/// open), and the pool opens a fresh one: the next write after the fault clears succeeds.
fn usable(conn: &SqliteConnection) -> bool {
    use sqlx::TransactionManager;
    let depth = sqlx::sqlite::SqliteTransactionManager::get_transaction_depth(conn);
    if depth != 0 {
        tracing::warn!(
            depth,
            "a database connection was left inside a failed transaction; reopening it"
        );
    }
    depth == 0
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies pending migrations and
    /// checks that `vault` holds this database's data keys.
    pub async fn open(path: &Path, vault: Arc<Vault>) -> StoreResult<SqliteStore> {
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
            .before_acquire(|conn, _| Box::pin(async move { Ok(usable(conn)) }))
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(format!("migrations: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .before_acquire(|conn, _| Box::pin(async move { Ok(usable(conn)) }))
            .connect_with(options.read_only(true))
            .await
            .map_err(db)?;
        let store = SqliteStore {
            path: path.to_path_buf(),
            writer,
            reader,
            vault,
        };
        store.check_durability().await?;
        store.check_data_key().await?;
        Ok(store)
    }

    /// Refuses a key file that is not this database's: the lookup key by the check value
    /// kept at the first open, the sealing keys by opening one sealed value of the record.
    /// A database written before personal data was sealed (migration 0010) is refused too:
    /// its record hashes the values in clear (docs/personal-data.md).
    async fn check_data_key(&self) -> StoreResult<()> {
        let kept: Option<String> =
            sqlx::query_scalar("SELECT lookup_check FROM data_key_check WHERE id = 1")
                .fetch_optional(&self.writer)
                .await
                .map_err(db)?;
        let check = self.vault.lookup_check();
        match kept {
            Some(kept) if kept == check => {}
            Some(_) => {
                return Err(StoreError::Database(
                    haoban_store::vault::WRONG_KEY_FILE.into(),
                ));
            }
            None => {
                let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
                    .fetch_one(&self.writer)
                    .await
                    .map_err(db)?;
                if entries > 0 {
                    return Err(StoreError::Database(
                        haoban_store::vault::WRITTEN_IN_CLEAR.into(),
                    ));
                }
                sqlx::query("INSERT INTO data_key_check (id, lookup_check) VALUES (1, ?)")
                    .bind(&check)
                    .execute(&self.writer)
                    .await
                    .map_err(db)?;
            }
        }
        let sample = sqlx::query(
            "SELECT * FROM events WHERE personal LIKE 'v1:%' ORDER BY center, seq DESC LIMIT 1",
        )
        .fetch_optional(&self.writer)
        .await
        .map_err(db)?;
        if let Some(row) = sample {
            let entry = entry_from_row(&self.vault, &row)?;
            let personal: String = row.get("personal");
            // A key missing from the file is refused here; a value that does not open
            // under a key the file has is an altered row, for `audit verify` to name.
            if let Err(e @ haoban_store::vault::VaultError::UnknownKey(_)) =
                haoban_store::vault::entry_opens(&self.vault, &entry, &personal)
            {
                return Err(StoreError::Database(e.to_string()));
            }
        }
        Ok(())
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

    /// Writes a consistent copy of the whole database to `out` (which must not exist) while
    /// the store stays in use: `VACUUM INTO` reads one snapshot, so a write committed during
    /// the copy is either wholly in it or wholly not.
    pub async fn backup_to(&self, out: &Path) -> StoreResult<()> {
        if out.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; a backup never overwrites a file",
                out.display()
            )));
        }
        let target = out.to_str().ok_or_else(|| {
            StoreError::Conflict(format!("{} is not a UTF-8 path", out.display()))
        })?;
        // A connection of its own: the copy reads a WAL snapshot, so the writer goes on
        // committing meanwhile.
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(db)?
            .filename(&self.path)
            .busy_timeout(Duration::from_secs(10));
        let mut conn = sqlx::ConnectOptions::connect(&options).await.map_err(db)?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&mut conn)
            .await
            .map_err(db)?;
        sqlx::Connection::close(conn).await.map_err(db)?;
        Ok(())
    }

    /// Whether the file at `path` starts as an SQLite database does.
    pub fn is_sqlite_file(path: &Path) -> std::io::Result<bool> {
        use std::io::Read;
        let mut head = [0u8; 16];
        let mut file = std::fs::File::open(path)?;
        let read = file.read(&mut head)?;
        Ok(read == 16 && &head == b"SQLite format 3\0")
    }

    /// What the file at `path` holds, looked at read-only, so that a file that is not a
    /// haoban database is left exactly as it was (opening it as a store would migrate it):
    /// `None` when it is not one, else its centers (those with a chain) and, per center,
    /// how many staff accounts it has.
    pub async fn peek(path: &Path) -> StoreResult<Option<Peek>> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(db)?
            .filename(path)
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(db)?;
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master
             WHERE type = 'table' AND name IN ('events', 'chain_heads', 'users')",
        )
        .fetch_one(&pool)
        .await
        .map_err(db)?;
        let peek = if tables == 3 {
            let centers = sqlx::query_scalar("SELECT center FROM chain_heads ORDER BY center")
                .fetch_all(&pool)
                .await
                .map_err(db)?;
            let accounts: Vec<(String, i64)> = sqlx::query_as(
                "SELECT center, count(*) FROM users GROUP BY center ORDER BY center",
            )
            .fetch_all(&pool)
            .await
            .map_err(db)?;
            Some(Peek {
                centers,
                accounts: accounts
                    .into_iter()
                    .map(|(center, n)| (center, u64::try_from(n).unwrap_or_default()))
                    .collect(),
            })
        } else {
            None
        };
        pool.close().await;
        Ok(peek)
    }

    async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

/// Appends `events` to their center's chain inside the caller's transaction.
async fn append(conn: &mut SqliteConnection, vault: &Vault, events: &[Event]) -> StoreResult<()> {
    let drafts: Vec<Draft> = events.iter().map(Draft::of_event).collect();
    append_drafts(conn, vault, drafts).await
}

/// Entries inserted by one statement (11 parameters each, well under SQLite's limit).
const ROWS_PER_INSERT: usize = 100;

/// Appends `drafts` (all of one center) to the chain inside the caller's transaction.
async fn append_drafts(
    conn: &mut SqliteConnection,
    vault: &Vault,
    drafts: Vec<Draft>,
) -> StoreResult<()> {
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
    let mut entries = Vec::with_capacity(drafts.len());
    for draft in drafts {
        if draft.center != center {
            return Err(StoreError::Corrupt(
                "events of one write span two centers".into(),
            ));
        }
        seq += 1;
        let (entry, personal) = haoban_store::vault::chain_sealed(vault, draft, seq, &prev);
        prev = entry.hash.clone();
        entries.push((entry, personal));
    }
    // Many rows a statement: a day of history is a million-entry year's 1/365th.
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO events (center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash, personal) ",
        );
        insert.push_values(chunk, |mut row, (entry, personal)| {
            row.push_bind(&entry.center)
                .push_bind(entry.seq as i64)
                .push_bind(&entry.case)
                .push_bind(&entry.at)
                .push_bind(&entry.actor)
                .push_bind(&entry.role)
                .push_bind(&entry.kind)
                .push_bind(&entry.payload)
                .push_bind(&entry.prev_hash)
                .push_bind(&entry.hash)
                .push_bind(personal);
        });
        insert.build().execute(&mut *conn).await.map_err(db)?;
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
    vault: &Vault,
    case: &Case,
    previous_version: Option<u64>,
) -> StoreResult<()> {
    let state = case_state(vault, case)?;
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
    .bind(
        case.applicant
            .id_number
            .known()
            .map_or_else(String::new, |id| lookup(vault, id.as_ref())),
    )
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

/// An entry as stored, with its personal values opened (`revealed`).
fn entry_from_row(vault: &Vault, row: &SqliteRow) -> StoreResult<Entry> {
    let mut entry = Entry {
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
        revealed: None,
    };
    let personal: Option<String> = row.get("personal");
    haoban_store::vault::reveal_entry(vault, &mut entry, personal.as_deref());
    Ok(entry)
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

    async fn open_case(&self, day: NaiveDate, submitted: Event) -> StoreResult<Case> {
        cases::open_case(self, day, submitted).await
    }

    async fn record(
        &self,
        number: &CaseNumber,
        expected_version: Option<u64>,
        events: Vec<Event>,
    ) -> StoreResult<Case> {
        cases::record(self, number, expected_version, events).await
    }

    async fn case(&self, number: &CaseNumber) -> StoreResult<Option<Case>> {
        cases::case(self, number).await
    }

    async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
        cases::cases(self, filter).await
    }

    async fn case_record(&self, number: &CaseNumber) -> StoreResult<Vec<Entry>> {
        cases::case_record(self, number).await
    }

    async fn centers(&self) -> StoreResult<Vec<String>> {
        cases::centers(self).await
    }

    async fn chain(&self, center: &str) -> StoreResult<Chain> {
        cases::chain(self, center).await
    }

    async fn rebuild_case(&self, number: &CaseNumber) -> StoreResult<Case> {
        cases::rebuild_case(self, number).await
    }

    async fn import_history(
        &self,
        history: &haoban_store::history::History,
    ) -> StoreResult<haoban_store::history::Imported> {
        self.history_import(history).await
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

    async fn install_cabinet(
        &self,
        center: &CenterId,
        cabinet: &Cabinet,
        by: By,
    ) -> StoreResult<()> {
        self.ss_install_cabinet(center, cabinet, by).await
    }

    async fn cabinets(&self, center: &CenterId) -> StoreResult<Vec<Cabinet>> {
        self.ss_cabinets(center).await
    }

    async fn deposit_parcel(
        &self,
        number: &CaseNumber,
        expected_version: u64,
        events: Vec<Event>,
        deposit: &Deposit,
        by: By,
    ) -> StoreResult<(Case, Parcel)> {
        self.ss_deposit(number, expected_version, events, deposit, by)
            .await
    }

    async fn parcels(&self, center: &CenterId, waiting_only: bool) -> StoreResult<Vec<Parcel>> {
        self.ss_parcels(center, waiting_only).await
    }

    async fn try_pickup(
        &self,
        center: &CenterId,
        id_number: &str,
        code: &str,
        rules: PickupRules,
        today: NaiveDate,
        by: By,
    ) -> StoreResult<Attempt> {
        self.ss_try_pickup(center, id_number, code, rules, today, by)
            .await
    }

    async fn expire_parcels(&self, center: &CenterId, by: By) -> StoreResult<Vec<Parcel>> {
        self.ss_expire(center, by).await
    }

    async fn save_upload(&self, upload: &Upload, bytes: &[u8], by: By) -> StoreResult<()> {
        self.ss_save_upload(upload, bytes, by).await
    }

    async fn uploads(&self, number: &CaseNumber) -> StoreResult<Vec<Upload>> {
        self.ss_uploads(number).await
    }

    async fn upload(&self, center: &CenterId, id: &str) -> StoreResult<Option<(Upload, Vec<u8>)>> {
        self.ss_upload(center, id).await
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        accounts::create_user(self, user).await
    }

    async fn user(&self, username: &str) -> StoreResult<Option<User>> {
        accounts::user(self, username).await
    }

    async fn users(&self, center: &CenterId) -> StoreResult<Vec<User>> {
        accounts::users(self, center).await
    }

    async fn sign_in_locked_until(
        &self,
        username: &str,
        source: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        accounts::sign_in_locked_until(self, username, source).await
    }

    async fn sign_in_failed(
        &self,
        username: &str,
        source: &str,
        lock_after: u32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        accounts::sign_in_failed(self, username, source, lock_after, lock_until).await
    }

    async fn sign_in_succeeded(&self, username: &str, source: &str) -> StoreResult<()> {
        accounts::sign_in_succeeded(self, username, source).await
    }

    async fn set_totp_secret(&self, username: &str, secret: Option<&str>) -> StoreResult<()> {
        accounts::set_totp_secret(self, username, secret).await
    }

    async fn claim_totp_step(&self, username: &str, step: i64) -> StoreResult<bool> {
        accounts::claim_totp_step(self, username, step).await
    }

    async fn disable_user(&self, username: &str) -> StoreResult<()> {
        accounts::disable_user(self, username).await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        accounts::create_session(self, session).await
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>> {
        accounts::session(self, id_hash).await
    }

    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        accounts::touch_session(self, id_hash, at).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        accounts::delete_session(self, id_hash).await
    }

    async fn put_login_code(&self, code: &LoginCode) -> StoreResult<()> {
        accounts::put_login_code(self, code).await
    }

    async fn login_code_attempt(&self, id_number: &str) -> StoreResult<Option<LoginCode>> {
        accounts::login_code_attempt(self, id_number).await
    }

    async fn delete_login_code(&self, id_number: &str) -> StoreResult<()> {
        accounts::delete_login_code(self, id_number).await
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

    async fn add_question(
        &self,
        question: &haoban_insight::NewQuestion,
        by: By,
    ) -> StoreResult<haoban_insight::WrittenQuestion> {
        training::add_question(self, question, by).await
    }

    async fn questions(
        &self,
        center: &CenterId,
        item: Option<&str>,
    ) -> StoreResult<Vec<haoban_insight::WrittenQuestion>> {
        training::questions(self, center, item).await
    }

    async fn record_attempt(
        &self,
        attempt: &haoban_insight::NewAttempt,
    ) -> StoreResult<haoban_insight::Attempt> {
        training::record_attempt(self, attempt).await
    }

    async fn attempts(
        &self,
        center: &CenterId,
        staff: Option<&str>,
    ) -> StoreResult<Vec<haoban_insight::Attempt>> {
        training::attempts(self, center, staff).await
    }

    async fn start_onboarding(&self, onboarding: &haoban_insight::Onboarding) -> StoreResult<()> {
        training::start_onboarding(self, onboarding).await
    }

    async fn onboarding(
        &self,
        center: &CenterId,
        staff: &str,
    ) -> StoreResult<Option<haoban_insight::Onboarding>> {
        training::onboarding(self, center, staff).await
    }

    async fn onboardings(&self, center: &CenterId) -> StoreResult<Vec<haoban_insight::Onboarding>> {
        training::onboardings(self, center).await
    }

    async fn onboarding_step(
        &self,
        center: &CenterId,
        staff: &str,
        step: &haoban_insight::OnboardingStep,
        by: By,
    ) -> StoreResult<haoban_insight::Onboarding> {
        training::onboarding_step(self, center, staff, step, by).await
    }

    async fn make_offers(
        &self,
        center: &CenterId,
        on: NaiveDate,
        new: &[haoban_store::offers::NewOffer],
        by: By,
    ) -> StoreResult<haoban_store::offers::OffersMade> {
        offers::make_offers(self, center, on, new, by).await
    }

    async fn offers_for(
        &self,
        center: &CenterId,
        id_number: &haoban_cases::IdNumber,
    ) -> StoreResult<Vec<haoban_store::offers::Offer>> {
        offers::offers_for(self, center, id_number).await
    }

    async fn answer_offer(
        &self,
        center: &CenterId,
        id_number: &haoban_cases::IdNumber,
        item: &str,
        answer: haoban_store::offers::OfferAnswer,
        by: By,
    ) -> StoreResult<haoban_store::offers::Offer> {
        offers::answer_offer(self, center, id_number, item, answer, by).await
    }

    async fn reseal(&self, batch: u32) -> StoreResult<u64> {
        personal::reseal(self, batch).await
    }

    async fn append_access(&self, record: &AccessRecord) -> StoreResult<AccessEntry> {
        self.log_append(record).await
    }

    async fn access_log(&self, filter: &AccessFilter) -> StoreResult<Vec<AccessEntry>> {
        self.log_read(filter).await
    }

    async fn access_chain(&self) -> StoreResult<(Vec<AccessEntry>, Option<(u64, String)>)> {
        self.log_chain().await
    }

    async fn purge_personal_data(&self, expiry: &Expiry) -> StoreResult<Purged> {
        self.purge(expiry).await
    }
}
