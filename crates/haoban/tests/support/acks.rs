//! What clients were told, and the check that the server kept its word: shared by the
//! crash test (SIGKILL) and the fault test (fsync failure, a full disk).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::Value;

use super::{Server, Session};

/// A transition that got a 2xx reply: afterwards the case was at `version` with `status`,
/// and the record's events `version - kinds.len() + 1 ..= version` are `kinds`.
#[derive(Clone, Debug)]
pub struct Ack {
    pub number: String,
    pub version: u64,
    pub status: &'static str,
    pub kinds: &'static [&'static str],
    pub actor: &'static str,
}

/// A transition whose outcome the client cannot know (its reply lost to a kill, or a 5xx
/// reply): it happened entirely or not at all.
#[derive(Clone, Debug)]
pub struct Unknown {
    /// `None` for a case being opened: its number was never learnt.
    pub number: Option<String>,
    pub from: u64,
    pub status: &'static str,
    pub kinds: &'static [&'static str],
}

pub fn get(addr: SocketAddr, path: &str, session: &Session) -> Result<Value, String> {
    match super::request(addr, "GET", path, None, Some(session)) {
        Ok(reply) if reply.status == 200 => Ok(reply.body),
        Ok(reply) => Err(format!("GET {path}: {} {}", reply.status, reply.body)),
        Err(err) => Err(format!("GET {path}: {err:?}")),
    }
}

#[derive(Default)]
pub struct Checked {
    pub cases: usize,
    /// Acknowledged transitions whose events were looked for in the record.
    pub acks: usize,
    pub unknown_applied: usize,
    pub unknown_not_applied: usize,
}

/// Reads every case in `acks` and `unknown` back through the API and checks it against
/// what was acknowledged. Returns the problems found.
pub fn check(
    addr: SocketAddr,
    session: &Session,
    acks: &[Ack],
    unknown: &[Unknown],
    checked: &mut Checked,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_case: BTreeMap<&str, Vec<&Ack>> = BTreeMap::new();
    for ack in acks {
        by_case.entry(&ack.number).or_default().push(ack);
    }
    let pending: BTreeMap<&str, &Unknown> = unknown
        .iter()
        .filter_map(|u| u.number.as_deref().map(|n| (n, u)))
        .collect();
    for (number, acks) in &by_case {
        checked.cases += 1;
        let last = acks.iter().max_by_key(|a| a.version).expect("one ack");
        let case = match get(addr, &format!("/api/v1/cases/{number}"), session) {
            Ok(case) => case,
            Err(err) => {
                problems.push(format!("acknowledged case lost: {err}"));
                continue;
            }
        };
        let record = match get(addr, &format!("/api/v1/cases/{number}/record"), session) {
            Ok(record) => record,
            Err(err) => {
                problems.push(err);
                continue;
            }
        };
        let version = case["version"].as_u64().unwrap_or(0);
        let events = record["events"].as_array().cloned().unwrap_or_default();
        if version != events.len() as u64 {
            problems.push(format!(
                "{number}: the case says version {version}, its record has {} events",
                events.len()
            ));
        }
        if version < last.version {
            problems.push(format!(
                "{number}: at version {version} but version {} ({}) was acknowledged",
                last.version, last.status
            ));
        }
        // Which state it must be in: the last acknowledged one, or the one after a
        // request with no known outcome (in flight at a kill, or answered 5xx), applied whole.
        match pending.get(number) {
            Some(u) if u.from != last.version => problems.push(format!(
                "{number}: test bookkeeping: unknown from {} but acknowledged up to {}",
                u.from, last.version
            )),
            Some(u) if version == u.from + u.kinds.len() as u64 => {
                checked.unknown_applied += 1;
                expect_events(&mut problems, number, &events, version, u.kinds, None);
                if case["status"] != u.status {
                    problems.push(format!(
                        "{number}: status {} after the unknown outcome, expected {}",
                        case["status"], u.status
                    ));
                }
            }
            Some(u) if version == u.from => checked.unknown_not_applied += 1,
            Some(u) => problems.push(format!(
                "{number}: at version {version}: the request with no known outcome took \
                 effect in part (from {} it adds {} events)",
                u.from,
                u.kinds.len()
            )),
            None if version != last.version => problems.push(format!(
                "{number}: at version {version}, but nothing beyond version {} was done",
                last.version
            )),
            None if case["status"] != last.status => problems.push(format!(
                "{number}: status {} but {} was acknowledged",
                case["status"], last.status
            )),
            None => {}
        }
        for ack in acks {
            checked.acks += 1;
            expect_events(
                &mut problems,
                number,
                &events,
                ack.version,
                ack.kinds,
                Some(ack.actor),
            );
        }
    }
    problems
}

/// The record's events ending at `version` are `kinds` (by `actor`, if given).
fn expect_events(
    problems: &mut Vec<String>,
    number: &str,
    events: &[Value],
    version: u64,
    kinds: &[&str],
    actor: Option<&str>,
) {
    let first = version as usize - kinds.len();
    for (i, kind) in kinds.iter().enumerate() {
        let Some(event) = events.get(first + i) else {
            problems.push(format!(
                "{number}: acknowledged event #{} ({kind}) is missing from the record",
                first + i + 1
            ));
            return;
        };
        if event["kind"] != *kind || actor.is_some_and(|a| event["actor"] != a) {
            problems.push(format!(
                "{number}: event #{} is {} by {}, acknowledged as {kind} by {}",
                first + i + 1,
                event["kind"],
                event["actor"],
                actor.unwrap_or("anyone")
            ));
        }
    }
}

pub fn assert_no_problems(what: &str, problems: &[String], server: &Server) {
    assert!(
        problems.is_empty(),
        "{what}: {} problems, the first ones:\n{}\n{}",
        problems.len(),
        problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        server.log_tail()
    );
}
