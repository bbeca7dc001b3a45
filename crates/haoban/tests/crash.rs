//! The crash test: `haoban serve` on one SQLite file, killed with SIGKILL while clients
//! open cases and take transitions as fast as they can, over and over. After every kill:
//!
//! - `haoban audit verify` passes (the process record is an unbroken chain);
//! - every transition that got a 2xx reply is there after a restart, read through the API:
//!   the case is at least at the acknowledged version, and its record holds the
//!   acknowledged events at the acknowledged places, by the acknowledged actor;
//! - a case's projection and its record agree (version = number of events), and a request
//!   whose reply was lost to the kill took effect entirely or not at all.
//!
//! `HAOBAN_CRASH_CYCLES` (default 50) sets the number of kills, `HAOBAN_CRASH_SEED` the
//! seed of the kill delays and the clients' choices.

mod support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::acks::{Ack, Checked, Unknown, assert_no_problems, check};
use support::{HttpError, Item, OPENED_KINDS, OPENED_STATUS, Rng, Server, Session, Who};

/// Concurrent clients per cycle.
const CLIENTS: usize = 4;
/// The server is killed this long (ms) after the clients start.
const KILL_AFTER_MS: (u64, u64) = (50, 400);
const CLERK: &str = "clerk";
const OFFICE: &str = "office";
/// How long a client may take to notice the kill and report.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Report {
    acks: Vec<Ack>,
    unknown: Vec<Unknown>,
    requests: u64,
    failures: Vec<String>,
}

enum Outcome {
    Reply(Value),
    /// The server is gone; nothing was sent.
    Stopped,
    /// The server went away with this request in flight.
    Unknown,
    Failed(String),
}

fn call(
    addr: SocketAddr,
    path: &str,
    body: &Value,
    session: &Session,
    expect: u16,
    killed: &AtomicBool,
) -> Outcome {
    match support::request(addr, "POST", path, Some(body), Some(session)) {
        Ok(reply) if reply.status == expect => Outcome::Reply(reply.body),
        Ok(reply) => Outcome::Failed(format!(
            "POST {path}: {} instead of {expect}: {}",
            reply.status, reply.body
        )),
        // The flag is set before the kill, so an error without it is no kill's doing.
        Err(err) if !killed.load(Ordering::SeqCst) => {
            Outcome::Failed(format!("POST {path}: failed before the kill: {err:?}"))
        }
        Err(HttpError::Connect(_)) => Outcome::Stopped,
        Err(HttpError::InFlight(_)) => Outcome::Unknown,
    }
}

/// Opens cases and drives each to `closed`, as fast as replies come, until the server is
/// killed.
fn client(
    addr: SocketAddr,
    seed: u64,
    clerk: &Session,
    office: &Session,
    killed: &AtomicBool,
) -> Report {
    let mut report = Report::default();
    let mut rng = Rng::new(seed);
    let mut case_index = 0u64;
    'cases: while !killed.load(Ordering::SeqCst) {
        let item = if rng.next_u64() % 2 == 0 {
            Item::Consult
        } else {
            Item::Elderly
        };
        case_index += 1;
        report.requests += 1;
        let number = match call(addr, "/api/v1/cases", &item.open_body(), clerk, 201, killed) {
            Outcome::Reply(body) => {
                let Some(number) = body["number"].as_str().map(str::to_owned) else {
                    report
                        .failures
                        .push(format!("opened without a number: {body}"));
                    break;
                };
                if body["version"] != 1 || body["status"] != OPENED_STATUS {
                    report
                        .failures
                        .push(format!("opening {number} replied {body}"));
                    break;
                }
                report.acks.push(Ack {
                    number: number.clone(),
                    version: 1,
                    status: OPENED_STATUS,
                    kinds: OPENED_KINDS,
                    actor: CLERK,
                });
                number
            }
            Outcome::Unknown => {
                report.unknown.push(Unknown {
                    number: None,
                    from: 0,
                    status: OPENED_STATUS,
                    kinds: OPENED_KINDS,
                });
                break;
            }
            Outcome::Stopped => break,
            Outcome::Failed(failure) => {
                report.failures.push(failure);
                break;
            }
        };
        let mut version = 1;
        for step in item.steps(&format!("note {seed:x}/{case_index}")) {
            let (session, actor) = match step.who {
                Who::Clerk => (clerk, CLERK),
                Who::Office => (office, OFFICE),
            };
            let path = format!("/api/v1/cases/{number}/actions/{}", step.action);
            report.requests += 1;
            match call(addr, &path, &step.body, session, 200, killed) {
                Outcome::Reply(body) => {
                    let expected = version + step.kinds.len() as u64;
                    if body["version"] != expected || body["status"] != step.status {
                        report.failures.push(format!(
                            "{path} at version {version} replied version {} status {}, \
                             expected {expected} {}",
                            body["version"], body["status"], step.status
                        ));
                        break 'cases;
                    }
                    version = expected;
                    report.acks.push(Ack {
                        number: number.clone(),
                        version,
                        status: step.status,
                        kinds: step.kinds,
                        actor,
                    });
                }
                Outcome::Unknown => {
                    report.unknown.push(Unknown {
                        number: Some(number.clone()),
                        from: version,
                        status: step.status,
                        kinds: step.kinds,
                    });
                    break 'cases;
                }
                Outcome::Stopped => break 'cases,
                Outcome::Failed(failure) => {
                    report.failures.push(failure);
                    break 'cases;
                }
            }
        }
    }
    report
}

fn sign_in(addr: SocketAddr, username: &str) -> Result<Session, String> {
    support::sign_in(addr, username)
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
        Err(_) => default,
    }
}

fn verify_record(db: &Path, cycle: u64) {
    let out = support::audit_verify(db);
    let stdout = support::text(&out.stdout);
    assert!(
        out.status.code() == Some(0) && stdout.contains("process record intact"),
        "cycle {cycle}: audit verify after the kill: {:?}\n{stdout}{}",
        out.status.code(),
        support::text(&out.stderr)
    );
}

#[test]
fn acknowledged_transitions_survive_sigkill() {
    let started = Instant::now();
    let cycles = env_number("HAOBAN_CRASH_CYCLES", 50);
    let seed = env_number("HAOBAN_CRASH_SEED", 0x6861_6f62_616e);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    let log = dir.path().join("server.log");
    let catalog = support::fixture_catalog();
    support::create_user(&db, CLERK, "clerk", "linfen");
    support::create_user(&db, OFFICE, "office", "linfen");

    let mut rng = Rng::new(seed);
    let mut all_acks: Vec<Ack> = Vec::new();
    let mut all_unknown: Vec<Unknown> = Vec::new();
    let mut last_acks: Vec<Ack> = Vec::new();
    let mut last_unknown: Vec<Unknown> = Vec::new();
    let mut numbers: HashSet<String> = HashSet::new();
    let mut requests = 0;
    let mut checked = Checked::default();
    let mut busy = Duration::ZERO;
    let mut verifications = 0u64;
    for cycle in 0..cycles {
        let mut server = Server::start(&db, &catalog, &log);
        let addr = server.addr;
        // Signing in costs an argon2 hash each (slow in a debug build): once per cycle and
        // role, the sessions shared by the clients and the checker.
        let clerk = Arc::new(sign_in(addr, CLERK).expect("the clerk signs in"));
        let office = Arc::new(sign_in(addr, OFFICE).expect("the office signs in"));
        // What the previous cycle acknowledged must have survived its kill.
        let problems = check(addr, &clerk, &last_acks, &last_unknown, &mut checked);
        assert_no_problems(&format!("before cycle {cycle}"), &problems, &server);

        let killed = Arc::new(AtomicBool::new(false));
        let (report_tx, reports) = mpsc::channel();
        let mut threads = Vec::new();
        for _ in 0..CLIENTS {
            let (clerk, office, killed) = (clerk.clone(), office.clone(), killed.clone());
            let report_tx = report_tx.clone();
            let client_seed = rng.next_u64();
            threads.push(std::thread::spawn(move || {
                let report = client(addr, client_seed, &clerk, &office, &killed);
                let _ = report_tx.send(report);
            }));
        }
        // Only the clients hold senders now: a client that panics disconnects at once.
        drop(report_tx);
        let delay = Duration::from_millis(rng.between(KILL_AFTER_MS.0, KILL_AFTER_MS.1));
        let work_started = Instant::now();
        std::thread::sleep(delay);
        killed.store(true, Ordering::SeqCst);
        server.kill();
        busy += work_started.elapsed();

        let mut acks = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..CLIENTS {
            let report = reports
                .recv_timeout(CLIENT_TIMEOUT)
                .unwrap_or_else(|e| panic!("cycle {cycle}: a client did not report: {e}"));
            assert!(
                report.failures.is_empty(),
                "cycle {cycle}: {}\n{}",
                report.failures.join("\n"),
                server.log_tail()
            );
            requests += report.requests;
            acks.extend(report.acks);
            unknown.extend(report.unknown);
        }
        for thread in threads {
            thread.join().expect("client thread");
        }
        for ack in acks.iter().filter(|a| a.version == 1) {
            assert!(
                numbers.insert(ack.number.clone()),
                "cycle {cycle}: case number {} was given out twice",
                ack.number
            );
        }
        drop(server);

        verify_record(&db, cycle);
        verifications += 1;
        all_acks.extend(acks.iter().cloned());
        all_unknown.extend(unknown.iter().cloned());
        last_acks = acks;
        last_unknown = unknown;
    }

    // Once more at the end: after the last kill, everything acknowledged in any cycle.
    let server = Server::start(&db, &catalog, &log);
    let reader = sign_in(server.addr, CLERK).expect("the clerk signs in");
    let mut total = Checked::default();
    let problems = check(server.addr, &reader, &all_acks, &all_unknown, &mut total);
    assert_no_problems("at the end", &problems, &server);
    drop(server);

    let in_flight = all_unknown.len();
    println!(
        "crash: {cycles} kills (seed {seed:#x}) in {:?} ({busy:?} of it under load); \
         {requests} requests, {} transitions acknowledged on {} cases, all present after \
         restarts ({} case checks); {in_flight} requests in flight at the kills ({} opens), \
         of those on known cases {} took effect whole and {} not at all",
        started.elapsed(),
        all_acks.len(),
        total.cases,
        checked.cases + total.cases,
        all_unknown.iter().filter(|u| u.number.is_none()).count(),
        total.unknown_applied,
        total.unknown_not_applied,
    );
    assert!(
        !all_acks.is_empty() || cycles == 0,
        "no transition was ever acknowledged: the test tested nothing"
    );
    // One line for bench/crash.sh to read. It is printed only once every check passed, so
    // `lost=0` is what the assertions above established, not a count that could be nonzero.
    eprintln!(
        "crash-summary cycles={cycles} seed={seed:#x} requests={requests} acks={} \
         ack_checks={} case_checks={} lost=0 in_flight={in_flight} in_flight_applied={} \
         in_flight_not_applied={} chain_verifications={verifications} busy_ms={} wall_ms={}",
        all_acks.len(),
        checked.acks + total.acks,
        checked.cases + total.cases,
        total.unknown_applied,
        total.unknown_not_applied,
        busy.as_millis(),
        started.elapsed().as_millis(),
    );
}
