//! The access log (审计日志): one record per state-changing request and per read of
//! personal data, refused and failed ones included — who, what, when, object, result and
//! where from. Distinct from the process record (the per-center event chain): that one
//! says what happened to a case; this one says who asked for what.
//!
//! The log is append-only and hash-chained like the events, as one chain for the whole
//! installation (anonymous requests have no center): record *n* hashes record *n−1*'s
//! hash and its own fields, and a head row says what the application last wrote, so an
//! altered, removed or appended record shows. Retention removes the oldest records only
//! ([`Store::purge_personal_data`](crate::Store::purge_personal_data)), so what remains is
//! still one unbroken chain from its first record's `prev_hash`, and the removal is itself
//! a record of the log.

use chrono::{DateTime, Utc};
use haoban_cases::record::GENESIS;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How a request ended, as the log files it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Answered (2xx, 3xx).
    Allowed,
    /// Not signed in or not permitted (401, 403), or locked out (423, 429).
    Refused,
    /// Asked but not done: bad input, not found, conflict, or a server fault.
    Failed,
}

impl Outcome {
    pub fn of_status(status: u16) -> Outcome {
        match status {
            100..=399 => Outcome::Allowed,
            401 | 403 | 423 | 429 => Outcome::Refused,
            _ => Outcome::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        [Outcome::Allowed, Outcome::Refused, Outcome::Failed]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// One request, as written. No field ever holds a password, code, token or a full ID
/// number: the web layer builds records from the route and the principal, never from
/// bodies, and masks residents (`resident:1101**********002X`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRecord {
    pub at: DateTime<Utc>,
    /// The principal's `actor()`, `anonymous`, or for a sign-in the username tried.
    pub actor: String,
    /// The role, or empty when nobody is signed in.
    pub role: String,
    /// The principal's center, or empty.
    pub center: String,
    /// The route template with its method (`POST /api/v1/cases/{number}/actions/{action}`)
    /// or a job's name (`retention.purge`).
    pub action: String,
    /// What it was done to: the path's parameters (`number=linfen-20261102-0001`), or a
    /// job's counts.
    pub object: String,
    pub status: u16,
    pub outcome: Outcome,
    /// The client's address (see haoban-web's `client_addr`), or `scheduler`.
    pub source: String,
}

/// A record in the log: its place in the chain and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub seq: u64,
    #[serde(flatten)]
    pub record: AccessRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// The stored form of a time: fixed width, so it sorts as text and hashes byte for byte.
pub fn stored_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_stored_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("time `{text}`: {e}"))
}

impl AccessEntry {
    /// The record chained after `prev_hash` at `seq`.
    pub fn chain(record: AccessRecord, seq: u64, prev_hash: &str) -> AccessEntry {
        let hash = hash(&record, seq, prev_hash);
        AccessEntry {
            seq,
            record,
            prev_hash: prev_hash.to_owned(),
            hash,
        }
    }
}

/// SHA-256 over the previous hash and every field, each prefixed by its length so no
/// choice of text in one field can imitate another split.
fn hash(record: &AccessRecord, seq: u64, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    for field in [
        prev_hash,
        &seq.to_string(),
        &stored_time(record.at),
        &record.actor,
        &record.role,
        &record.center,
        &record.action,
        &record.object,
        &record.status.to_string(),
        record.outcome.as_str(),
        &record.source,
    ] {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a chain of records breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("record {0} does not match its hash (altered)")]
    Altered(u64),
    #[error("record {0} does not follow the record before it (removed or inserted)")]
    Gap(u64),
    #[error("the log ends at {found} but the head says {head} (cut or appended)")]
    Head { found: u64, head: u64 },
}

/// Checks `entries` (oldest first, as [`Store::access_chain`](crate::Store::access_chain)
/// gives them) against each other and the head `(seq, hash)`. The first record may follow
/// records retention removed; its own hash is still checked.
pub fn verify(entries: &[AccessEntry], head: Option<(u64, String)>) -> Result<(), Break> {
    let mut prev: Option<&AccessEntry> = None;
    for entry in entries {
        if hash(&entry.record, entry.seq, &entry.prev_hash) != entry.hash {
            return Err(Break::Altered(entry.seq));
        }
        if let Some(before) = prev
            && (entry.seq != before.seq + 1 || entry.prev_hash != before.hash)
        {
            return Err(Break::Gap(entry.seq));
        }
        prev = Some(entry);
    }
    let (found, last_hash) = prev.map_or((0, GENESIS), |e| (e.seq, e.hash.as_str()));
    let (head_seq, head_hash) = head.unwrap_or((0, GENESIS.to_owned()));
    if found != head_seq || (found != 0 && last_hash != head_hash) {
        return Err(Break::Head {
            found,
            head: head_seq,
        });
    }
    Ok(())
}

/// Which records to read: every field narrows; newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFilter {
    /// The actor, exactly.
    pub actor: Option<String>,
    /// Records whose object contains this text.
    pub object: Option<String>,
    /// From this time (inclusive) ...
    pub from: Option<DateTime<Utc>>,
    /// ... until this time (exclusive).
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
    pub offset: u32,
}

/// What the retention job removes: everything personal older than its cutoff. Each time
/// is a boundary: rows from before it go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// When the job runs (the injectable clock); login codes that expired before it go.
    pub now: DateTime<Utc>,
    /// Personal data's retention: visitors not seen since, appointments of days before,
    /// offers made before, parcels finished before, upload bytes and the applicant's ID
    /// number of cases over before.
    pub personal_before: DateTime<Utc>,
    /// Cookie sessions idle since (the idle timeout) ...
    pub idle_before: DateTime<Utc>,
    /// ... or started before (the absolute timeout).
    pub started_before: DateTime<Utc>,
    /// Access-log records from before this (at least 180 days before `now`).
    pub access_log_before: DateTime<Utc>,
    /// Who the job's own record names, and from where.
    pub actor: String,
}

/// What one run removed, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub sessions: u64,
    pub login_codes: u64,
    pub visitors: u64,
    pub appointments: u64,
    pub offers: u64,
    pub parcels: u64,
    /// Uploads whose bytes were removed; their hash and description stay.
    pub upload_bytes: u64,
    /// Cases over before the retention whose applicant's ID number was erased, in the
    /// case and in its process record (the entries and their hashes stay).
    pub id_numbers: u64,
    /// Record entries outside a case (visits, appointments, offers' answers) recorded
    /// before the retention whose sealed ID and phone numbers were erased.
    pub entries: u64,
    /// Tickets of days before the retention whose carried pre-review was removed.
    pub tickets: u64,
    pub access_log: u64,
}

impl Purged {
    /// The counts as the job's record writes them in its object.
    pub fn summary(&self) -> String {
        format!(
            "sessions={} login_codes={} visitors={} appointments={} offers={} parcels={} upload_bytes={} id_numbers={} entries={} tickets={} access_log={}",
            self.sessions,
            self.login_codes,
            self.visitors,
            self.appointments,
            self.offers,
            self.parcels,
            self.upload_bytes,
            self.id_numbers,
            self.entries,
            self.tickets,
            self.access_log
        )
    }

    /// The job's own record of what it removed, written in the same transaction.
    pub fn record(&self, expiry: &Expiry) -> AccessRecord {
        AccessRecord {
            at: expiry.now,
            actor: expiry.actor.clone(),
            role: String::new(),
            center: String::new(),
            action: RETENTION_ACTION.to_owned(),
            object: self.summary(),
            status: 200,
            outcome: Outcome::Allowed,
            source: expiry.actor.clone(),
        }
    }
}

/// The action name of the retention job's record.
pub const RETENTION_ACTION: &str = "retention.purge";

/// The shortest retention of the access log the store accepts: 180 days (等保2.0 level 3
/// asks six months of audit records).
pub const MIN_ACCESS_LOG_DAYS: i64 = 180;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(n: u16) -> AccessRecord {
        AccessRecord {
            at: Utc
                .with_ymd_and_hms(2026, 11, 2, 2, 0, 0)
                .single()
                .expect("time"),
            actor: "li".into(),
            role: "clerk".into(),
            center: "linfen".into(),
            action: "POST /api/v1/cases".into(),
            object: String::new(),
            status: n,
            outcome: Outcome::of_status(n),
            source: "127.0.0.1".into(),
        }
    }

    #[test]
    fn a_chain_verifies_and_any_change_shows() {
        let first = AccessEntry::chain(record(201), 1, GENESIS);
        let second = AccessEntry::chain(record(403), 2, &first.hash);
        let head = Some((2, second.hash.clone()));
        assert_eq!(
            verify(&[first.clone(), second.clone()], head.clone()),
            Ok(())
        );
        // Retention removed the first: the rest still verifies.
        assert_eq!(verify(std::slice::from_ref(&second), head.clone()), Ok(()));
        let mut altered = second.clone();
        altered.record.status = 200;
        assert_eq!(
            verify(&[first.clone(), altered], head.clone()),
            Err(Break::Altered(2))
        );
        assert_eq!(
            verify(std::slice::from_ref(&first), head),
            Err(Break::Head { found: 1, head: 2 })
        );
        let third = AccessEntry::chain(record(200), 3, &second.hash);
        assert_eq!(
            verify(&[first, third.clone()], Some((3, third.hash.clone()))),
            Err(Break::Gap(3))
        );
    }

    #[test]
    fn outcomes_follow_the_status() {
        assert_eq!(Outcome::of_status(303), Outcome::Allowed);
        assert_eq!(Outcome::of_status(403), Outcome::Refused);
        assert_eq!(Outcome::of_status(404), Outcome::Failed);
        assert_eq!(Outcome::of_status(500), Outcome::Failed);
    }
}
