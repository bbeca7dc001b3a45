//! Persistence, as the use cases need it. Every method is one transaction: it commits
//! before it returns `Ok`, and on `Err` nothing of it is stored.
//!
//! Backends: `haoban-store-sqlite` (the default, one file) and `haoban-store-postgres`
//! (a city). Both pass [`contract`], the one suite that defines what a store does.

use std::fmt::Debug;

use access::{AccessEntry, AccessFilter, AccessRecord, Expiry, Purged};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Entry, Head};
use haoban_cases::{Case, CaseNumber, CaseStatus, CenterId, Event, Role};
use haoban_feedback::{
    DefaultRule, FollowUp, FollowUpCommand, FollowUpId, Month, Rated, Rating, Target,
};
use haoban_hall::{
    AgingRule, Appointment, Cabinet, Carried, HallEvent, Parcel, PickupRules, Priority,
    QueueCommand, Ticket, TicketNumber, Visitor, Window,
};
use self_service::{Attempt, Deposit, Upload};

pub mod access;
pub mod codec;
pub mod contract;
pub mod feedback;
pub mod hall;
pub mod history;
pub mod insight;
pub mod offers;
pub mod self_service;
pub mod training;
pub mod vault;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// Someone else changed it first, or it already exists.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The stored data breaks a rule the application keeps (a bad row, a broken projection).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The database failed (I/O, full disk, lost connection). Not shown to users.
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which cases to list. Every field narrows the list; `center` is always required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub center: CenterId,
    pub statuses: Vec<CaseStatus>,
    pub item: Option<String>,
    pub clerk: Option<String>,
    /// The applicant's ID number, exactly.
    pub applicant: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl CaseFilter {
    pub fn center(center: CenterId) -> Self {
        CaseFilter {
            center,
            statuses: Vec::new(),
            item: None,
            clerk: None,
            applicant: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub role: Role,
    pub center: CenterId,
    /// Argon2id PHC string; never the password.
    pub password_hash: String,
    pub disabled: bool,
    /// The TOTP secret (base32) once a second factor is issued; then every sign-in needs a code.
    pub totp_secret: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A signed-in session or an API token, stored by the SHA-256 of its secret only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub kind: SessionKind,
    /// A staff username, or for residents the ID number they signed in with.
    pub subject: String,
    pub role: Role,
    pub center: CenterId,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Forms must send this back (CSRF); API tokens do not use it.
    pub csrf_token: String,
    /// For a resident's session a clerk opened beside them (网上办理导引): the clerk.
    pub assisted_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Cookie,
    ApiToken,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::ApiToken => "token",
        }
    }

    pub fn parse(text: &str) -> Option<SessionKind> {
        match text {
            "cookie" => Some(SessionKind::Cookie),
            "token" => Some(SessionKind::ApiToken),
            _ => None,
        }
    }
}

/// A one-time sign-in code sent to a resident, stored hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCode {
    /// The center whose portal sent it.
    pub center: CenterId,
    pub id_number: String,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
}

/// A center's chain of events and its head, for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub center: String,
    pub entries: Vec<Entry>,
    pub head: Option<Head>,
}

/// Who takes a step in the hall, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct By {
    pub actor: String,
    pub role: Role,
    pub at: DateTime<Utc>,
}

/// A ticket to issue: its category letter, priority class, the items pre-review found and
/// what the first window learned; `rule` orders the queue for the wait it promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub center: CenterId,
    pub category: char,
    pub priority: Priority,
    pub items: Vec<String>,
    pub carried: Option<Carried>,
    pub rule: AgingRule,
}

/// A one-time link to rate a case or a visit, sent to the resident; kept by the SHA-256
/// of its token only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RatingLink {
    pub token_hash: String,
    pub center: CenterId,
    pub target: Target,
    /// The resident it was sent to: the rating is theirs.
    pub id_number: String,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait Store: Send + Sync + Debug {
    /// Opens a case: numbers the `submitted` event (`event.case` is `None`) with the next
    /// number of its center and `day`, records it and the projection.
    async fn open_case(&self, day: NaiveDate, submitted: Event) -> StoreResult<Case>;

    /// Records `events` for a case and the new projection. With `expected_version`, the
    /// case must still be at that version (`Conflict` if it moved on meanwhile); without,
    /// the events are appended whatever came before (notes, views of personal data).
    async fn record(
        &self,
        number: &CaseNumber,
        expected_version: Option<u64>,
        events: Vec<Event>,
    ) -> StoreResult<Case>;

    async fn case(&self, number: &CaseNumber) -> StoreResult<Option<Case>>;

    /// Cases matching the filter, most recently updated first.
    async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>>;

    /// The process record of one case, oldest first.
    async fn case_record(&self, number: &CaseNumber) -> StoreResult<Vec<Entry>>;

    /// Every center that has a chain.
    async fn centers(&self) -> StoreResult<Vec<String>>;

    /// One center's whole chain in stored order (by sequence), and its head.
    async fn chain(&self, center: &str) -> StoreResult<Chain>;

    /// Replays a case's events and rewrites its projection; returns the rebuilt case.
    async fn rebuild_case(&self, number: &CaseNumber) -> StoreResult<Case>;

    /// Records a stretch of history the domain already decided (a simulated year, an
    /// import), all of it or nothing, with exactly the rows and entries the one-step
    /// methods would have written in the same order (see [`history`]). `Conflict` when a
    /// number it expects is not the one the store gives next, or a call would be answered
    /// with another ticket.
    async fn import_history(&self, history: &history::History) -> StoreResult<history::Imported>;

    /// Issues the next ticket of its center, `day` and category (A001, A002, …) with the
    /// wait it promises (from the day's queue), and records it.
    async fn issue_ticket(&self, day: NaiveDate, ticket: NewTicket, by: By) -> StoreResult<Ticket>;

    /// A window's step with a ticket it holds (recall, start, finish, no-show, transfer,
    /// park, resume), checked by `haoban_hall::serve` and recorded. `Conflict` when the
    /// ticket's state or window does not allow it.
    async fn serve_ticket(
        &self,
        day: NaiveDate,
        center: &CenterId,
        number: &TicketNumber,
        window: &str,
        command: &QueueCommand,
        by: By,
    ) -> StoreResult<Ticket>;

    /// Calls the ticket `window` should serve next under `rule`, marks it called and
    /// records it, all in one transaction: no ticket is ever called by two windows.
    async fn call_next(
        &self,
        day: NaiveDate,
        center: &CenterId,
        window: &Window,
        rule: &AgingRule,
        by: By,
    ) -> StoreResult<Option<Ticket>>;

    /// The center's tickets of `day`, in issue order.
    async fn tickets(&self, center: &CenterId, day: NaiveDate) -> StoreResult<Vec<Ticket>>;

    /// The windows configured for a center, by name. A window not listed serves everything.
    async fn windows(&self, center: &CenterId) -> StoreResult<Vec<Window>>;
    /// Creates or replaces a window's skills, recorded.
    async fn save_window(&self, center: &CenterId, window: &Window, by: By) -> StoreResult<()>;
    /// `NotFound` when there is no such window.
    async fn remove_window(&self, center: &CenterId, name: &str, by: By) -> StoreResult<()>;

    async fn visitor(&self, center: &CenterId, id_number: &str) -> StoreResult<Option<Visitor>>;
    /// Registers a visitor, or updates the name and phone of one already known.
    async fn save_visitor(&self, center: &CenterId, visitor: &Visitor) -> StoreResult<()>;
    /// Appends a step of the hall that changes no table (a visit, a consultation).
    async fn note_hall(&self, center: &CenterId, event: &HallEvent, by: By) -> StoreResult<()>;

    /// Books a slot: `Conflict` when the slot already has `capacity` bookings or the visitor
    /// already has an appointment that day.
    async fn book_appointment(
        &self,
        center: &CenterId,
        day: NaiveDate,
        appointment: &Appointment,
        capacity: u32,
        by: By,
    ) -> StoreResult<()>;
    /// A day's appointments, by slot.
    async fn appointments(
        &self,
        center: &CenterId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Appointment>>;
    /// Checks a booked visitor in: issues their ticket and marks the appointment, at once.
    /// `NotFound` without a booking that day, `Conflict` when already checked in.
    async fn check_in(
        &self,
        day: NaiveDate,
        visitor: &str,
        ticket: NewTicket,
        by: By,
    ) -> StoreResult<Ticket>;

    /// Records a rating and, for a bad one, the follow-up it opens, with their entries.
    /// `Conflict` when the target already has a rating: a rating is never changed, and of
    /// two given at once exactly one is stored. With `link` (a rating link's token hash)
    /// the link is used up in the same transaction: `NotFound` when it was already used or
    /// had expired at the rating's time.
    async fn rate(&self, rated: &Rated, link: Option<&str>) -> StoreResult<()>;
    async fn rating(&self, center: &CenterId, target: &Target) -> StoreResult<Option<Rating>>;
    /// A center's ratings given (or counted by default) in `month`, in the order given.
    async fn ratings(&self, center: &CenterId, month: Month) -> StoreResult<Vec<Rating>>;
    /// Records, at `at`, the default ratings due `today` under `rule` for the center's
    /// delivered cases nobody rated (`haoban_feedback::due_defaults`), and returns them.
    /// Running it again the same day records nothing more.
    async fn record_default_ratings(
        &self,
        center: &CenterId,
        today: NaiveDate,
        rule: &DefaultRule,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Rating>>;
    async fn put_rating_link(&self, link: &RatingLink) -> StoreResult<()>;
    async fn rating_link(&self, token_hash: &str) -> StoreResult<Option<RatingLink>>;
    async fn follow_up(&self, center: &CenterId, id: &FollowUpId) -> StoreResult<Option<FollowUp>>;
    /// A center's follow-ups (only the unresolved with `open_only`), by due date.
    async fn follow_ups(&self, center: &CenterId, open_only: bool) -> StoreResult<Vec<FollowUp>>;
    /// A step on a follow-up, checked by `haoban_feedback::step` and recorded: `NotFound`
    /// without the follow-up, `Conflict` when the step is not allowed (as it now stands).
    async fn follow_up_step(
        &self,
        center: &CenterId,
        id: &FollowUpId,
        command: &FollowUpCommand,
        by: By,
    ) -> StoreResult<FollowUp>;

    // The self-service area: cabinets (自助证照柜) and residents' uploads.

    /// Installs a cabinet, or changes one of that name whose compartments are all free.
    async fn install_cabinet(
        &self,
        center: &CenterId,
        cabinet: &Cabinet,
        by: By,
    ) -> StoreResult<()>;

    async fn cabinets(&self, center: &CenterId) -> StoreResult<Vec<Cabinet>>;

    /// Records `events`, which leave the case ready for the cabinet, if the case is still
    /// at `expected_version`, and puts the result in the smallest free compartment it fits
    /// (`Conflict` when none is free: nothing is recorded then).
    async fn deposit_parcel(
        &self,
        number: &CaseNumber,
        expected_version: u64,
        events: Vec<Event>,
        deposit: &Deposit,
        by: By,
    ) -> StoreResult<(Case, Parcel)>;

    /// The center's parcels, most recent first; only those in a compartment if `waiting_only`.
    async fn parcels(&self, center: &CenterId, waiting_only: bool) -> StoreResult<Vec<Parcel>>;

    /// One try of a pickup code by the resident with `id_number` (see
    /// [`self_service::attempt`]); the opened parcel's case is delivered on `today`.
    async fn try_pickup(
        &self,
        center: &CenterId,
        id_number: &str,
        code: &str,
        rules: PickupRules,
        today: NaiveDate,
        by: By,
    ) -> StoreResult<Attempt>;

    /// Returns the parcels past their time to the desk.
    async fn expire_parcels(&self, center: &CenterId, by: By) -> StoreResult<Vec<Parcel>>;

    /// Keeps an upload (already checked) with its bytes, on the case's record.
    async fn save_upload(&self, upload: &Upload, bytes: &[u8], by: By) -> StoreResult<()>;

    /// A case's uploads, oldest first, without their bytes.
    async fn uploads(&self, number: &CaseNumber) -> StoreResult<Vec<Upload>>;

    /// An upload and its bytes, checked against the SHA-256 it was stored with:
    /// `Corrupt` if they were altered since.
    async fn upload(&self, center: &CenterId, id: &str) -> StoreResult<Option<(Upload, Vec<u8>)>>;

    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn user(&self, username: &str) -> StoreResult<Option<User>>;
    /// A center's staff accounts, disabled ones too, by username (in byte order).
    async fn users(&self, center: &CenterId) -> StoreResult<Vec<User>>;
    /// Until when sign-ins to `username` from `source` (a client address) are refused, if they are.
    async fn sign_in_locked_until(
        &self,
        username: &str,
        source: &str,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// Counts a failed sign-in to `username` from `source`; at `lock_after` such failures
    /// that source is locked out of that account until `lock_until` (others are not).
    async fn sign_in_failed(
        &self,
        username: &str,
        source: &str,
        lock_after: u32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Clears the failures counted for `username` from `source`.
    async fn sign_in_succeeded(&self, username: &str, source: &str) -> StoreResult<()>;
    /// Issues (`Some`) or withdraws (`None`) an account's TOTP secret; a new one may be used
    /// from its first time step.
    async fn set_totp_secret(&self, username: &str, secret: Option<&str>) -> StoreResult<()>;
    /// Takes TOTP time step `step` for `username`: `false` if a code of that step or a later
    /// one was accepted already (each code is good once).
    async fn claim_totp_step(&self, username: &str, step: i64) -> StoreResult<bool>;
    /// Disables an account and ends all its sessions and tokens at once.
    async fn disable_user(&self, username: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>>;
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Replaces any earlier code for the same ID number.
    async fn put_login_code(&self, code: &LoginCode) -> StoreResult<()>;
    /// Counts an attempt and returns the code as it now stands.
    async fn login_code_attempt(&self, id_number: &str) -> StoreResult<Option<LoginCode>>;
    async fn delete_login_code(&self, id_number: &str) -> StoreResult<()>;

    /// Stores a center's list for a month as computed, each member's scores beside it.
    /// A month is stored once: `Conflict` when the center already has it, so neither a
    /// recomputation nor a later catalog ever rewrites a past month.
    async fn save_monthly_list(
        &self,
        list: &haoban_insight::MonthlyList,
        by: By,
    ) -> StoreResult<()>;
    /// A center's stored list for `month`, checked against the scores stored with it.
    async fn monthly_list(
        &self,
        center: &CenterId,
        month: haoban_insight::Month,
    ) -> StoreResult<Option<insight::StoredList>>;

    // Training (3先3后): what `haoban_store::training` says the rows are.

    /// Stores a question a supervisor wrote (checked by the caller) and gives it its number.
    async fn add_question(
        &self,
        question: &haoban_insight::NewQuestion,
        by: By,
    ) -> StoreResult<haoban_insight::WrittenQuestion>;
    /// A center's written questions (only `item`'s, with `item`), oldest first.
    async fn questions(
        &self,
        center: &CenterId,
        item: Option<&str>,
    ) -> StoreResult<Vec<haoban_insight::WrittenQuestion>>;
    /// Stores a test taken and gives it its number. Attempts are never changed: a retake
    /// is another attempt.
    async fn record_attempt(
        &self,
        attempt: &haoban_insight::NewAttempt,
    ) -> StoreResult<haoban_insight::Attempt>;
    /// A center's test attempts (only `staff`'s, with `staff`), in the order taken.
    async fn attempts(
        &self,
        center: &CenterId,
        staff: Option<&str>,
    ) -> StoreResult<Vec<haoban_insight::Attempt>>;
    /// Starts tracking a new member: `Conflict` when they already have a record at the center.
    async fn start_onboarding(&self, onboarding: &haoban_insight::Onboarding) -> StoreResult<()>;
    async fn onboarding(
        &self,
        center: &CenterId,
        staff: &str,
    ) -> StoreResult<Option<haoban_insight::Onboarding>>;
    /// A center's onboarding records, latest start first, then by username.
    async fn onboardings(&self, center: &CenterId) -> StoreResult<Vec<haoban_insight::Onboarding>>;
    /// A review or the ready-for-duty decision, checked by `haoban_insight::Onboarding::step`
    /// against the record as it now stands: `NotFound` without a record, `Conflict` when the
    /// step is not allowed (a second decision, of two taken at once too).
    async fn onboarding_step(
        &self,
        center: &CenterId,
        staff: &str,
        step: &haoban_insight::OnboardingStep,
        by: By,
    ) -> StoreResult<haoban_insight::Onboarding>;

    // Offers (一键即享): what `haoban_store::offers` says they are.

    /// Makes `offers` (residents a scan found eligible on `on`) in one transaction, with one
    /// `offers_made` entry for the run. An offer the center already made for the same
    /// resident and item, whatever became of it, is not made again; repeats in `offers`
    /// count once.
    async fn make_offers(
        &self,
        center: &CenterId,
        on: NaiveDate,
        offers: &[offers::NewOffer],
        by: By,
    ) -> StoreResult<offers::OffersMade>;
    /// A resident's offers at a center, by item.
    async fn offers_for(
        &self,
        center: &CenterId,
        id_number: &haoban_cases::IdNumber,
    ) -> StoreResult<Vec<offers::Offer>>;
    /// The resident confirms or declines an open offer, recorded: `NotFound` without the
    /// offer, `Conflict` when it was already answered.
    async fn answer_offer(
        &self,
        center: &CenterId,
        id_number: &haoban_cases::IdNumber,
        item: &str,
        answer: offers::OfferAnswer,
        by: By,
    ) -> StoreResult<offers::Offer>;

    /// Seals again under the current key up to `batch` rows whose personal values an
    /// older key of the key file sealed (docs/personal-data.md, rotation): how many rows it
    /// re-sealed, 0 when none is left. The process record's hashes are not touched.
    async fn reseal(&self, batch: u32) -> StoreResult<u64>;

    // The access log (审计日志) and retention: what `haoban_store::access` says they are.

    /// Appends a record to the access log's chain.
    async fn append_access(&self, record: &AccessRecord) -> StoreResult<AccessEntry>;
    /// Records matching the filter, newest first.
    async fn access_log(&self, filter: &AccessFilter) -> StoreResult<Vec<AccessEntry>>;
    /// The whole log oldest first, and its head `(seq, hash)`, for [`access::verify`].
    async fn access_chain(&self) -> StoreResult<(Vec<AccessEntry>, Option<(u64, String)>)>;
    /// Removes the personal data past its retention (see [`Expiry`]) and the access-log
    /// records past theirs, and appends one access-log record of the counts, all in one
    /// transaction. Upload bytes go, their description and SHA-256 stay; reading one then
    /// is `NotFound`.
    async fn purge_personal_data(&self, expiry: &Expiry) -> StoreResult<Purged>;
}
