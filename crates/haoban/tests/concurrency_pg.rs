//! The hall's queue under load: two `haoban serve` instances on one PostgreSQL database,
//! desks issuing tickets at both while eight windows call tickets at both, all at once,
//! over real HTTP. Afterwards:
//!
//! - no number was issued twice, and each category's numbers run from 001 without a gap;
//! - every issued ticket was called exactly once, and nothing else was called;
//! - the day's queue, read from either instance, shows every ticket called, to the window
//!   that called it;
//! - `haoban audit verify` passes, and the record holds one event per issue and per call.
//!
//! The server comes from `HAOBAN_TEST_DATABASE_URL` (an admin URL that may create
//! databases; default `postgres://postgres@127.0.0.1:5432/test`). Without a reachable
//! server the test fails, it never skips.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::pg::TestDatabase;
use support::{PASSWORD, Server, Session};

const CENTER: &str = "linfen";
/// Desks issuing at the same time, alternating between the two instances.
const DESKS: usize = 4;
const TICKETS_PER_DESK: usize = 15;
const TICKETS: usize = DESKS * TICKETS_PER_DESK;
/// Windows calling at the same time, alternating between the two instances.
const WINDOWS: usize = 8;
/// Far beyond what the exchange needs: a hang fails the test instead of blocking the run.
const DEADLINE: Duration = Duration::from_secs(90);
/// How long a window waits before asking again when the queue is momentarily empty.
const IDLE_POLL: Duration = Duration::from_millis(5);

/// Runs a `haoban` subcommand against the database and insists that it succeeds.
fn haoban_ok(args: &[&str], stdin: &str) -> String {
    let out = support::run(args, stdin);
    let shown: Vec<String> = args
        .iter()
        .map(|arg| haoban_store_postgres::redact_url(arg))
        .collect();
    assert_eq!(
        out.status.code(),
        Some(0),
        "haoban {}: {}{}",
        shown.join(" "),
        support::text(&out.stdout),
        support::text(&out.stderr)
    );
    support::text(&out.stdout)
}

fn create_user(url: &str, username: &str, role: &str) {
    haoban_ok(
        &[
            "admin",
            "create-user",
            "--database-url",
            url,
            "--username",
            username,
            "--role",
            role,
            "--center",
            CENTER,
        ],
        &format!("{PASSWORD}\n"),
    );
}

/// A ticket as its desk saw it issued.
#[derive(Debug)]
struct Issued {
    number: String,
    desk: String,
}

/// A ticket as its window saw it called.
#[derive(Debug)]
struct Called {
    number: String,
    window: String,
}

fn post(addr: SocketAddr, path: &str, body: &Value, session: &Session) -> Result<Value, String> {
    let reply = support::request(addr, "POST", path, Some(body), Some(session))
        .map_err(|e| format!("{}: POST {path}: {e:?}", session.username))?;
    if reply.is_success() {
        Ok(reply.body)
    } else {
        Err(format!(
            "{}: POST {path} answered {}: {}",
            session.username, reply.status, reply.body
        ))
    }
}

/// Issues `count` tickets, rotating through the default category, `A` named, and `B`.
fn issue_tickets(addr: SocketAddr, desk: &Session, count: usize) -> Result<Vec<Issued>, String> {
    let bodies = [
        json!({}),
        json!({"category": "A"}),
        json!({"category": "B"}),
    ];
    let mut issued = Vec::with_capacity(count);
    for i in 0..count {
        let body = &bodies[i % bodies.len()];
        let reply = post(addr, "/api/v1/tickets", body, desk)?;
        let expected_category = body["category"].as_str().unwrap_or("A");
        let number = reply["number"].as_str().unwrap_or_default();
        if reply["status"] != "waiting"
            || reply["category"] != expected_category
            || !number.starts_with(expected_category)
        {
            return Err(format!(
                "{}: issuing {body} answered {reply}",
                desk.username
            ));
        }
        issued.push(Issued {
            number: number.to_owned(),
            desk: desk.username.clone(),
        });
    }
    Ok(issued)
}

/// Calls tickets to `window` until the queue is empty after every desk has finished.
fn staff_window(
    addr: SocketAddr,
    clerk: &Session,
    window: &str,
    all_issued: &AtomicBool,
    abort: &AtomicBool,
    deadline: Instant,
) -> Result<Vec<Called>, String> {
    let path = format!("/api/v1/windows/{window}/call");
    let mut called = Vec::new();
    loop {
        if abort.load(Ordering::SeqCst) {
            return Ok(called);
        }
        if Instant::now() > deadline {
            return Err(format!("window {window}: still calling after {DEADLINE:?}"));
        }
        // Read before asking: an empty answer only means "done" if every ticket had
        // already been issued (acknowledged, hence committed) when the question was asked.
        let issuing_was_over = all_issued.load(Ordering::SeqCst);
        let reply = post(addr, &path, &json!({}), clerk)?;
        let ticket = &reply["ticket"];
        if ticket.is_null() {
            if issuing_was_over {
                return Ok(called);
            }
            std::thread::sleep(IDLE_POLL);
            continue;
        }
        let number = ticket["number"].as_str().unwrap_or_default();
        if number.is_empty() || ticket["status"] != "called" || ticket["window"] != window {
            return Err(format!("window {window}: the call answered {reply}"));
        }
        called.push(Called {
            number: number.to_owned(),
            window: window.to_owned(),
        });
    }
}

/// Joins every thread; a panic in one becomes that thread's failure.
fn collect<T>(
    handles: Vec<std::thread::ScopedJoinHandle<'_, Result<Vec<T>, String>>>,
    failures: &mut Vec<String>,
) -> Vec<T> {
    let mut all = Vec::new();
    for handle in handles {
        match handle.join() {
            Ok(Ok(items)) => all.extend(items),
            Ok(Err(failure)) => failures.push(failure),
            Err(_) => failures.push("a client thread panicked".to_owned()),
        }
    }
    all
}

fn duplicates<'a>(numbers: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for number in numbers {
        *counts.entry(number).or_insert(0) += 1;
    }
    counts.retain(|_, count| *count > 1);
    counts
}

/// `haoban serve` on the test's PostgreSQL database, on a port the OS picks; dropping it
/// kills it, so a failing test leaves nothing running.
fn instance(url: &str, log: &Path) -> Server {
    let catalog = support::root().join("catalog/shanghai");
    Server::start_on(
        &[OsStr::new("--database-url"), OsStr::new(url)],
        &catalog,
        log,
    )
}

#[test]
fn two_instances_issue_and_call_each_ticket_exactly_once() {
    let began = Instant::now();
    let database = TestDatabase::create("concurrency");
    let url = database.url.as_str();
    haoban_ok(&["migrate", "--database-url", url], "");
    let desks: Vec<String> = (1..=DESKS).map(|d| format!("desk{d}")).collect();
    let clerks: Vec<String> = (1..=WINDOWS).map(|w| format!("clerk{w}")).collect();
    for desk in &desks {
        create_user(url, desk, "desk");
    }
    for clerk in &clerks {
        create_user(url, clerk, "clerk");
    }

    let logs = tempfile::tempdir().expect("a directory for server logs");
    let instances = [
        instance(url, &logs.path().join("instance-1.log")),
        instance(url, &logs.path().join("instance-2.log")),
    ];
    let addr_of = |i: usize| instances[i % instances.len()].addr;
    let sign_in =
        |addr, username: &str| support::sign_in(addr, username).unwrap_or_else(|e| panic!("{e}"));
    let desk_sessions: Vec<(SocketAddr, Session)> = desks
        .iter()
        .enumerate()
        .map(|(i, desk)| (addr_of(i), sign_in(addr_of(i), desk)))
        .collect();
    // Window `n` is staffed by clerk `n` and talks to instance 1 when odd, 2 when even.
    let window_sessions: Vec<(SocketAddr, String, Session)> = clerks
        .iter()
        .enumerate()
        .map(|(i, clerk)| (addr_of(i), (i + 1).to_string(), sign_in(addr_of(i), clerk)))
        .collect();
    let ready = began.elapsed();

    let all_issued = AtomicBool::new(false);
    let abort = AtomicBool::new(false);
    let deadline = Instant::now() + DEADLINE;
    let mut failures = Vec::new();
    let exchange_began = Instant::now();
    let (issued, called) = std::thread::scope(|scope| {
        let windows: Vec<_> = window_sessions
            .iter()
            .map(|(addr, window, clerk)| {
                let (all_issued, abort) = (&all_issued, &abort);
                scope.spawn(move || staff_window(*addr, clerk, window, all_issued, abort, deadline))
            })
            .collect();
        let issuers: Vec<_> = desk_sessions
            .iter()
            .map(|(addr, desk)| scope.spawn(move || issue_tickets(*addr, desk, TICKETS_PER_DESK)))
            .collect();
        let issued = collect(issuers, &mut failures);
        if !failures.is_empty() {
            abort.store(true, Ordering::SeqCst);
        }
        all_issued.store(true, Ordering::SeqCst);
        let called = collect(windows, &mut failures);
        (issued, called)
    });
    let exchange = exchange_began.elapsed();
    assert!(
        failures.is_empty(),
        "requests failed:\n{}\n{}\n{}",
        failures.join("\n"),
        instances[0].log_tail(),
        instances[1].log_tail()
    );

    assert_eq!(issued.len(), TICKETS, "tickets issued");
    let issued_twice = duplicates(issued.iter().map(|t| t.number.as_str()));
    let issued_by = |number: &str| -> Vec<&str> {
        issued
            .iter()
            .filter(|t| t.number == number)
            .map(|t| t.desk.as_str())
            .collect()
    };
    assert!(
        issued_twice.is_empty(),
        "numbers issued more than once: {:?}",
        issued_twice
            .keys()
            .map(|number| (number, issued_by(number)))
            .collect::<Vec<_>>()
    );
    // Each category's counter runs from 001 without a gap: no increment was lost or doubled.
    let mut by_category: BTreeMap<char, Vec<u32>> = BTreeMap::new();
    for ticket in &issued {
        let (category, sequence) = ticket.number.split_at(1);
        let sequence = sequence.parse().expect("a ticket number's digits");
        by_category
            .entry(category.chars().next().expect("a category letter"))
            .or_default()
            .push(sequence);
    }
    for (category, sequences) in &mut by_category {
        sequences.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(sequences.len()).expect("few")).collect();
        assert_eq!(
            *sequences, expected,
            "category {category}'s numbers are not 1..=n"
        );
    }

    let called_twice = duplicates(called.iter().map(|t| t.number.as_str()));
    assert!(
        called_twice.is_empty(),
        "numbers called more than once: {called_twice:?}\n{called:?}"
    );
    let issued_numbers: BTreeSet<&str> = issued.iter().map(|t| t.number.as_str()).collect();
    let called_numbers: BTreeSet<&str> = called.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(
        called_numbers, issued_numbers,
        "the numbers called are not the numbers issued"
    );
    let windows_used: BTreeSet<&str> = called.iter().map(|t| t.window.as_str()).collect();

    let window_of: BTreeMap<&str, &str> = called
        .iter()
        .map(|t| (t.number.as_str(), t.window.as_str()))
        .collect();
    for Server { addr, .. } in &instances {
        let (_, _, clerk) = window_sessions
            .iter()
            .find(|(at, _, _)| at == addr)
            .expect("a clerk signed in at each instance");
        let reply = support::request(*addr, "GET", "/api/v1/tickets", None, Some(clerk))
            .unwrap_or_else(|e| panic!("GET /api/v1/tickets from {addr}: {e:?}"));
        assert_eq!(reply.status, 200, "the queue from {addr}: {}", reply.body);
        let tickets = reply.body["tickets"].as_array().expect("tickets");
        let shown: BTreeMap<&str, (&str, &str)> = tickets
            .iter()
            .map(|t| {
                (
                    t["number"].as_str().unwrap_or_default(),
                    (
                        t["status"].as_str().unwrap_or_default(),
                        t["window"].as_str().unwrap_or_default(),
                    ),
                )
            })
            .collect();
        assert_eq!(tickets.len(), TICKETS, "the queue from {addr}: {tickets:?}");
        let expected: BTreeMap<&str, (&str, &str)> = window_of
            .iter()
            .map(|(number, window)| (*number, ("called", *window)))
            .collect();
        assert_eq!(
            shown, expected,
            "the queue from {addr} is not every ticket called to its window"
        );
    }

    let verified = haoban_ok(&["audit", "verify", "--database-url", url], "");
    // One event per ticket issued and one per ticket called; an empty call records nothing.
    let events = 2 * TICKETS;
    assert!(
        verified.contains(&format!("{events} events")),
        "audit verify should count {events} events: {verified}"
    );

    eprintln!(
        "{TICKETS} tickets issued by {DESKS} desks and called by {} windows through 2 \
         instances in {exchange:?} (setup {ready:?}, total {:?})",
        windows_used.len(),
        began.elapsed()
    );
}
