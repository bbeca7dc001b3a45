//! The process record (过程记录): events chained by SHA-256, per center. Each entry's hash
//! covers the previous hash and the entry's canonical text, so altering, deleting,
//! reordering or inserting an entry breaks the chain from that entry on.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::case::Event;
use crate::ids::CenterId;

/// The previous hash of a center's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as stored: its place in the center's chain and the text that is hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub center: String,
    pub seq: u64,
    pub case: Option<String>,
    /// RFC 3339 with microseconds in UTC, exactly as stored.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub kind: String,
    /// The event's JSON payload, exactly as stored and hashed: personal values (ID and
    /// phone numbers) are pseudonyms in it (docs/personal-data.md).
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
    /// The payload with the personal values the store opened put back, when it holds
    /// any: what [`Entry::event`] reads. Never hashed, so re-sealing under a new key or
    /// erasing a value leaves the chain as it was.
    #[serde(skip)]
    pub revealed: Option<String>,
}

/// Something to record, before it has its place in a chain: a case event, or a step of
/// another part of the center (a ticket called, a cabinet opened) in the same shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub center: String,
    pub case: Option<String>,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub kind: String,
    pub payload: String,
}

/// How the record writes a time: RFC 3339, UTC, microseconds.
pub fn record_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl Draft {
    pub fn of_event(event: &Event) -> Draft {
        Draft {
            center: event.center.to_string(),
            case: event.case.as_ref().map(ToString::to_string),
            at: record_time(event.at),
            actor: event.actor.clone(),
            role: event.role.as_str().to_owned(),
            kind: event.kind.name().to_owned(),
            payload: serde_json::to_string(&event.kind).expect("events serialize"),
        }
    }
}

impl Entry {
    /// Builds the next entry of a chain whose last hash is `prev_hash`.
    pub fn chain(event: &Event, seq: u64, prev_hash: &str) -> Entry {
        Entry::chain_draft(Draft::of_event(event), seq, prev_hash)
    }

    pub fn chain_draft(draft: Draft, seq: u64, prev_hash: &str) -> Entry {
        let mut entry = Entry {
            center: draft.center,
            seq,
            case: draft.case,
            at: draft.at,
            actor: draft.actor,
            role: draft.role,
            kind: draft.kind,
            payload: draft.payload,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
            revealed: None,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// SHA-256 over the previous hash and every stored field, each on its own line.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for field in [
            self.prev_hash.as_str(),
            &self.seq.to_string(),
            &self.center,
            self.case.as_deref().unwrap_or(""),
            &self.at,
            &self.actor,
            &self.role,
            &self.kind,
            &self.payload,
        ] {
            hasher.update(field.as_bytes());
            hasher.update(b"\n");
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The payload as the application reads it: with personal values, when the store
    /// opened them.
    pub fn text(&self) -> &str {
        self.revealed.as_deref().unwrap_or(&self.payload)
    }

    /// The event back from its stored form.
    pub fn event(&self) -> Result<Event, String> {
        let kind = serde_json::from_str(self.text()).map_err(|e| format!("payload: {e}"))?;
        Ok(Event {
            center: CenterId::parse(&self.center).map_err(|e| e.to_string())?,
            case: self
                .case
                .as_deref()
                .map(crate::ids::CaseNumber::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            at: chrono::DateTime::parse_from_rfc3339(&self.at)
                .map_err(|e| format!("time: {e}"))?
                .with_timezone(&chrono::Utc),
            actor: self.actor.clone(),
            role: crate::policy::Role::parse(&self.role)
                .ok_or_else(|| format!("role `{}`", self.role))?,
            kind,
        })
    }
}

/// The head of a center's chain as the application last wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub center: String,
    pub seq: u64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub center: String,
    /// The first entry that does not fit (for a chain cut short: the first missing one).
    pub seq: u64,
    pub problem: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "center {} event #{}: {}",
            self.center, self.seq, self.problem
        )
    }
}

/// Checks one center's chain, entries in stored order, against its head. Returns how many
/// entries were verified, or the first that is wrong.
pub fn verify<'a>(
    center: &str,
    entries: impl IntoIterator<Item = &'a Entry>,
    head: Option<&Head>,
) -> Result<u64, Break> {
    let broken = |seq: u64, problem: String| Break {
        center: center.to_owned(),
        seq,
        problem,
    };
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    for entry in entries {
        if entry.seq != expected_seq {
            let problem = if entry.seq > expected_seq {
                format!(
                    "found #{} where #{expected_seq} should be: entries were deleted or reordered",
                    entry.seq
                )
            } else {
                format!(
                    "#{} appears again after #{}: entries were reordered or duplicated",
                    entry.seq,
                    expected_seq - 1
                )
            };
            return Err(broken(expected_seq, problem));
        }
        if entry.prev_hash != prev {
            return Err(broken(
                entry.seq,
                "does not link to the entry before it: an entry was inserted, deleted or reordered"
                    .into(),
            ));
        }
        if entry.compute_hash() != entry.hash {
            return Err(broken(
                entry.seq,
                "its content does not match its hash: the entry was altered".into(),
            ));
        }
        prev = entry.hash.clone();
        expected_seq += 1;
    }
    let count = expected_seq - 1;
    match head {
        Some(head) if head.seq > count => Err(broken(
            count + 1,
            format!(
                "the chain ends at #{count} but the application wrote up to #{}: entries were deleted",
                head.seq
            ),
        )),
        Some(head) if head.seq < count => Err(broken(
            head.seq + 1,
            format!(
                "entries after #{} were added outside the application",
                head.seq
            ),
        )),
        Some(head) if head.hash != prev => Err(broken(
            count,
            "the last entry is not the one the application wrote".into(),
        )),
        None if count > 0 => Err(broken(1, "the center has entries but no chain head".into())),
        _ => Ok(count),
    }
}

/// Checks that every stored case is exactly the replay of its events in the chain, and that
/// every case with events has a stored row. The case rows are what screens show, so an edit
/// to them must show as plainly as an edit to the record. Returns how many cases matched.
pub fn verify_projections(
    center: &str,
    entries: &[Entry],
    cases: &[crate::Case],
) -> Result<u64, Break> {
    use std::collections::BTreeMap;
    let mismatch = |seq: u64, problem: String| Break {
        center: center.to_owned(),
        seq,
        problem,
    };
    let mut events: BTreeMap<&str, Vec<(u64, Event)>> = BTreeMap::new();
    for entry in entries {
        if let Some(case) = &entry.case
            && crate::EventKind::is_case_kind(&entry.kind)
        {
            let event = entry.event().map_err(|e| {
                mismatch(entry.seq, format!("its content cannot be read back: {e}"))
            })?;
            events
                .entry(case.as_str())
                .or_default()
                .push((entry.seq, event));
        }
    }
    let stored: BTreeMap<&str, &crate::Case> =
        cases.iter().map(|c| (c.number.as_ref(), c)).collect();
    for case in cases {
        if !events.contains_key(case.number.as_ref()) {
            return Err(mismatch(
                0,
                format!(
                    "case {} has a row but no events: it was added outside the application",
                    case.number
                ),
            ));
        }
    }
    for (number, history) in &events {
        let last = history.last().map_or(0, |(seq, _)| *seq);
        let replayed = crate::Case::replay(history.iter().map(|(_, e)| e)).map_err(|e| {
            mismatch(
                last,
                format!("case {number}: its events do not replay: {e}"),
            )
        })?;
        match (replayed, stored.get(number)) {
            (Some(replayed), Some(row)) if replayed == **row => {}
            (Some(replayed), Some(row)) => {
                return Err(mismatch(
                    last,
                    format!(
                        "case {number}: the stored case (status {}, version {}) is not what its events say (status {}, version {}): the case row was altered",
                        row.status, row.version, replayed.status, replayed.version
                    ),
                ));
            }
            _ => {
                return Err(mismatch(
                    last,
                    format!("case {number} has events but no case row: it was deleted"),
                ));
            }
        }
    }
    Ok(events.len() as u64)
}
