//! The PostgreSQL store: for a city, where several server instances may write at once.
//!
//! Every method is one transaction. Writes run at READ COMMITTED and serialize where it
//! matters with row locks: appending to a center's chain locks that center's row in
//! `chain_heads` (`SELECT ... FOR UPDATE`), so two writers can never both extend the same
//! head; recording on a case locks the case's row first, so its version check and the
//! projection it writes are against the latest commit. Case writes take the case counter
//! or case row, then the chain head; the hall's writes (`hall.rs`) take the chain head
//! first and then only hall rows (ticket counters, tickets, windows, appointments), which
//! no case write locks. So no two writers wait on each other in opposite orders.
//!
//! The store does not migrate on connect: run [`PostgresStore::migrate`] once (e.g. from
//! the deployment step), so that instances starting together do not race over the schema.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Draft, Entry, GENESIS};
use haoban_cases::{Case, CaseNumber, CenterId, Event, Role};
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
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};

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

/// Every write transaction: READ COMMITTED, stated so that a server-wide
/// `default_transaction_isolation` cannot change what the row locks guarantee.
const BEGIN_WRITE: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";

/// Reads that span several statements see one snapshot.
const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

pub struct PostgresStore {
    /// The connection URL with any password replaced by `***`.
    url: String,
    pool: PgPool,
    /// Seals and opens ID and phone numbers at the column boundary.
    vault: Arc<Vault>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish()
    }
}

/// The URL with its password (in the user info or a `password=` parameter) replaced by
/// `***`, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{host}", &userinfo[..colon]),
                None => authority.to_owned(),
            }
        }
        None => authority.to_owned(),
    };
    let tail = match tail.find('?') {
        Some(q) => {
            let (path, query) = tail.split_at(q + 1);
            let (query, fragment) = match query.find('#') {
                Some(h) => query.split_at(h),
                None => (query, ""),
            };
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}{}{fragment}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

fn db(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            StoreError::Conflict(e.message().to_owned())
        }
        _ => StoreError::Database(err.to_string()),
    }
}

fn corrupt(what: &str) -> impl Fn(String) -> StoreError + '_ {
    move |detail| StoreError::Corrupt(format!("{what}: {detail}"))
}

fn count(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}

fn small_count(value: i64, what: &str) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}

fn big(value: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is too large")))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`). Does
    /// not migrate: see [`PostgresStore::migrate`]; [`PostgresStore::check_ready`] checks
    /// the data keys in `vault` against the database.
    pub async fn connect(url: &str, vault: Arc<Vault>) -> StoreResult<PostgresStore> {
        let redacted = redact_url(url);
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await
            .map_err(|e| StoreError::Database(format!("connecting to {redacted}: {e}")))?;
        Ok(PostgresStore {
            url: redacted,
            pool,
            vault,
        })
    }

    /// Applies pending migrations (under PostgreSQL's advisory lock, so concurrent calls
    /// from several instances are safe).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("migrations: {e}")))
    }

    /// Refuses a server on which a commit could be acknowledged and then lost
    /// (`fsync` or `synchronous_commit` off), and a schema that `haoban migrate` has not
    /// brought up to date.
    pub async fn check_ready(&self) -> StoreResult<()> {
        for setting in ["fsync", "synchronous_commit"] {
            let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
            if value == "off" {
                return Err(StoreError::Database(format!(
                    "unsafe durability settings: {setting} is off on {}",
                    self.url
                )));
            }
        }
        let applied: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let pending = if applied == 0 {
            true
        } else {
            let done: Vec<i64> =
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
            MIGRATOR.iter().any(|m| !done.contains(&m.version))
        };
        if pending {
            return Err(StoreError::Database(format!(
                "the schema of {} is not up to date: run `haoban migrate --database-url …` first",
                self.url
            )));
        }
        self.check_data_key().await
    }

    /// Refuses a key file that is not this database's: the lookup key by the check value
    /// kept by the first instance, the sealing keys by opening one sealed value of the
    /// record. A database with a record written before personal data was sealed
    /// (migration 0010) is refused too (docs/personal-data.md).
    pub async fn check_data_key(&self) -> StoreResult<()> {
        let check = self.vault.lookup_check();
        let has_row: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM data_key_check WHERE id = 1)")
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        if !has_row {
            let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
            if entries > 0 {
                return Err(StoreError::Database(
                    haoban_store::vault::WRITTEN_IN_CLEAR.into(),
                ));
            }
            sqlx::query(
                "INSERT INTO data_key_check (id, lookup_check) VALUES (1, $1)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&check)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        }
        let kept: String =
            sqlx::query_scalar("SELECT lookup_check FROM data_key_check WHERE id = 1")
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        if kept != check {
            return Err(StoreError::Database(
                haoban_store::vault::WRONG_KEY_FILE.into(),
            ));
        }
        let sample = sqlx::query(
            "SELECT * FROM events WHERE personal LIKE 'v1:%' ORDER BY center, seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
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

    /// Whether the database already holds a haoban schema (a restore needs an empty one).
    pub async fn has_schema(&self) -> StoreResult<bool> {
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema()
               AND table_name IN ('_sqlx_migrations', 'events', 'cases')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(tables > 0)
    }

    /// The connection URL, password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes every connection; further calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin_with(BEGIN_WRITE).await.map_err(db)
    }
}

/// Locks `center`'s chain head for the rest of the caller's transaction and returns it,
/// creating it (at sequence 0, hash [`GENESIS`]) for a center's first event. Concurrent
/// first writers both insert with `ON CONFLICT DO NOTHING`; the second waits for the
/// first to commit and then locks the row the first wrote.
async fn lock_head(conn: &mut PgConnection, center: &str) -> StoreResult<(u64, String)> {
    const LOCK: &str = "SELECT seq, hash FROM chain_heads WHERE center = $1 FOR UPDATE";
    let mut head = sqlx::query(LOCK)
        .bind(center)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    if head.is_none() {
        sqlx::query(
            "INSERT INTO chain_heads (center, seq, hash) VALUES ($1, 0, $2)
             ON CONFLICT (center) DO NOTHING",
        )
        .bind(center)
        .bind(GENESIS)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        head = sqlx::query(LOCK)
            .bind(center)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
    }
    let row = head.ok_or_else(|| {
        StoreError::Database(format!("the chain head of center {center} vanished"))
    })?;
    Ok((count(row.get(0), "chain head seq")?, row.get(1)))
}

/// Appends `events` to their center's chain inside the caller's transaction.
async fn append(conn: &mut PgConnection, vault: &Vault, events: &[Event]) -> StoreResult<()> {
    let drafts: Vec<Draft> = events.iter().map(Draft::of_event).collect();
    append_drafts(conn, vault, drafts).await
}

/// Entries inserted by one statement (11 parameters each, well under PostgreSQL's limit).
const ROWS_PER_INSERT: usize = 100;

/// Appends `drafts` (all of one center) to the chain, holding the center's head lock.
async fn append_drafts(
    conn: &mut PgConnection,
    vault: &Vault,
    drafts: Vec<Draft>,
) -> StoreResult<()> {
    let Some(first) = drafts.first() else {
        return Ok(());
    };
    let center = first.center.clone();
    if drafts.iter().any(|d| d.center != center) {
        return Err(StoreError::Corrupt(
            "events of one write span two centers".into(),
        ));
    }
    let (mut seq, mut prev) = lock_head(conn, &center).await?;
    let mut entries = Vec::with_capacity(drafts.len());
    for draft in drafts {
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
        let mut rows = Vec::with_capacity(chunk.len());
        for (entry, personal) in chunk {
            rows.push((entry, personal, big(entry.seq, "event seq")?));
        }
        insert.push_values(rows, |mut row, (entry, personal, seq)| {
            row.push_bind(&entry.center)
                .push_bind(seq)
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
    sqlx::query("UPDATE chain_heads SET seq = $2, hash = $3 WHERE center = $1")
        .bind(&center)
        .bind(big(seq, "chain head seq")?)
        .bind(&prev)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn save_case(
    conn: &mut PgConnection,
    vault: &Vault,
    case: &Case,
    previous_version: Option<u64>,
) -> StoreResult<()> {
    let state = case_state(vault, case)?;
    let done = match previous_version {
        None => sqlx::query(
            "INSERT INTO cases (center, number, item, status, clerk, applicant, version, updated_at, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ),
        Some(_) => sqlx::query(
            "UPDATE cases SET item = $3, status = $4, clerk = $5, applicant = $6, version = $7,
                 updated_at = $8, state = $9
             WHERE center = $1 AND number = $2 AND version = $10",
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
    .bind(big(case.version, "case version")?)
    .bind(case.updated_at)
    .bind(state);
    let done = match previous_version {
        None => done,
        Some(version) => done.bind(big(version, "case version")?),
    }
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
fn entry_from_row(vault: &Vault, row: &PgRow) -> StoreResult<Entry> {
    let mut entry = Entry {
        center: row.get("center"),
        seq: count(row.get("seq"), "event seq")?,
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

fn role(text: &str) -> StoreResult<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("role `{text}`")))
}

fn center(text: &str) -> StoreResult<CenterId> {
    CenterId::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[async_trait]
impl Store for PostgresStore {
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

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn hides_passwords_in_urls() {
        assert_eq!(
            redact_url("postgres://user:secret@host:5432/db"),
            "postgres://user:***@host:5432/db"
        );
        assert_eq!(
            redact_url("postgres://user:p@ss:w@rd@host/db?sslmode=disable"),
            "postgres://user:***@host/db?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("postgres://host/db?user=u&password=secret&application_name=a"),
            "postgres://host/db?user=u&password=***&application_name=a"
        );
        assert_eq!(redact_url("postgres:///db"), "postgres:///db");
    }
}
