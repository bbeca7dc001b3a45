//! Fault injection: `haoban serve` on SQLite while the disk fails under it, with clients
//! opening cases and taking transitions throughout. Each fault is turned on while the
//! clients write and off again:
//!
//! - fsync failure and failing writes, with Debian's libfiu: the server runs under
//!   `fiu-run -x` (package `fiu-utils`) and `fiu-ctrl` turns failure points on and off in
//!   the running process: `posix/io/sync/fsync` on every call, then on half of them, then
//!   `posix/io/rw/pwrite` on 1 call in 20 (with a random errno: EIO, ENOSPC, EFBIG ...). The
//!   bundled SQLite writes with `pwrite64` and syncs with `fsync` (no `fdatasync`;
//!   `nm -D --undefined-only` on the binary lists them), both of which libfiu wraps.
//! - a full disk: the database on an 8 MiB tmpfs (mounting it needs root), filled with a
//!   file until `ENOSPC` while the clients write, then the file removed.
//!
//! For every fault:
//! - every reply is the expected 2xx, or a 5xx whose body is the generic one (a reference,
//!   nothing of the cause); never a 4xx, never a dropped connection;
//! - the fault had an effect: some requests sent during it failed, and while every fsync
//!   fails, all of them (under `synchronous=FULL` a commit waits for its fsync);
//! - after the fault clears, writes succeed again within `RECOVERY_LIMIT`, and every
//!   request sent after the first success succeeds.
//!
//! At the end, on the server still running and again after a restart (without libfiu):
//! every 2xx-acknowledged transition is there, at its place in the record, by its actor;
//! a request answered 5xx took effect whole or not at all (a 5xx does not mean "not
//! committed": SQLite may report a failed fsync after the commit's frames were written,
//! like a reply lost to a crash; a case opened by one holds its opening and nothing else);
//! and `haoban audit verify` passes.
//!
//! `HAOBAN_FAULT_ROUNDS` (default 1) repeats every fault that many times.
//!
//! Needs `fiu-run` and `fiu-ctrl` (`apt-get install fiu-utils`) and root: without them the
//! test fails; it never skips.

mod support;

use std::collections::HashSet;
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::acks::{Ack, Checked, Unknown, assert_no_problems, check};
use support::disk::{Tmpfs, fill, fiu_ctrl, require};
use support::{Item, OPENED_KINDS, OPENED_STATUS, Rng, Server, Session, Who};

const CLIENTS: usize = 3;
const CLERK: &str = "clerk";
const OFFICE: &str = "office";
/// Load before a fault is injected, and how long it stays on.
const BEFORE: Duration = Duration::from_millis(500);
const DURING: Duration = Duration::from_millis(1500);
/// Load that goes on after the first success once a fault has cleared.
const AFTER: Duration = Duration::from_millis(500);
/// The longest the server may take to write again once a fault has cleared.
const RECOVERY_LIMIT: Duration = Duration::from_secs(10);
const SEED: u64 = 0x6661_756c_7473;

/// One request as its client saw it.
struct Sent {
    path: String,
    started: Instant,
    finished: Instant,
    ok: bool,
}

#[derive(Default)]
struct Report {
    acks: Vec<Ack>,
    unknown: Vec<Unknown>,
    sent: Vec<Sent>,
    failures: Vec<String>,
}

enum Outcome {
    Reply(Value),
    /// A proper 5xx: the outcome is unknown to the client.
    ServerError,
    Failed(String),
}

/// What is wrong with a 5xx body, if anything: it must be the generic one, a reference and
/// nothing of the cause.
fn leak(body: &Value) -> Option<&'static str> {
    let message = body["error"]["message"].as_str().unwrap_or_default();
    if body["error"]["code"] != "internal" || !message.contains("reference") {
        return Some("is not the generic error");
    }
    let text = body.to_string().to_lowercase();
    [
        "disk", "i/o", "database", "sqlite", "full", "fsync", "code:",
    ]
    .iter()
    .any(|word| text.contains(word))
    .then_some("leaks its cause")
}

fn call(addr: SocketAddr, path: &str, body: &Value, session: &Session, expect: u16) -> Outcome {
    match support::request(addr, "POST", path, Some(body), Some(session)) {
        Ok(reply) if reply.status == expect => Outcome::Reply(reply.body),
        Ok(reply) if reply.status >= 500 => match leak(&reply.body) {
            None => Outcome::ServerError,
            Some(problem) => Outcome::Failed(format!(
                "POST {path}: {} {problem}: {}",
                reply.status, reply.body
            )),
        },
        Ok(reply) => Outcome::Failed(format!(
            "POST {path}: {} instead of {expect}: {}",
            reply.status, reply.body
        )),
        Err(err) => Outcome::Failed(format!("POST {path}: no reply: {err:?}")),
    }
}

/// Opens cases and drives each to `closed` until `stop`. A case whose request got a 5xx is
/// left there (its state is unknown) and the client opens another. `ok_started` keeps the
/// latest start (ns after `base`) of a request that succeeded.
fn client(
    addr: SocketAddr,
    seed: u64,
    sessions: &(Session, Session),
    stop: &AtomicBool,
    base: Instant,
    ok_started: &AtomicU64,
) -> Report {
    let (clerk, office) = sessions;
    let mut report = Report::default();
    let mut rng = Rng::new(seed);
    let mut case_index = 0u64;
    let send = |report: &mut Report, path: &str, body: &Value, session, expect| {
        let started = Instant::now();
        let outcome = call(addr, path, body, session, expect);
        let ok = matches!(outcome, Outcome::Reply(_));
        report.sent.push(Sent {
            path: path.to_owned(),
            started,
            finished: Instant::now(),
            ok,
        });
        if ok {
            let at = u64::try_from((started - base).as_nanos()).unwrap_or(u64::MAX);
            ok_started.fetch_max(at, Ordering::SeqCst);
        }
        outcome
    };
    'cases: while !stop.load(Ordering::SeqCst) {
        let item = if rng.next_u64() % 2 == 0 {
            Item::Consult
        } else {
            Item::Elderly
        };
        case_index += 1;
        let number = match send(&mut report, "/api/v1/cases", &item.open_body(), clerk, 201) {
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
            Outcome::ServerError => {
                report.unknown.push(Unknown {
                    number: None,
                    from: 0,
                    status: OPENED_STATUS,
                    kinds: OPENED_KINDS,
                });
                continue;
            }
            Outcome::Failed(failure) => {
                report.failures.push(failure);
                break;
            }
        };
        let mut version = 1;
        for step in item.steps(&format!("note {seed:x}/{case_index}")) {
            if stop.load(Ordering::SeqCst) {
                break 'cases;
            }
            let (session, actor) = match step.who {
                Who::Clerk => (clerk, CLERK),
                Who::Office => (office, OFFICE),
            };
            let path = format!("/api/v1/cases/{number}/actions/{}", step.action);
            match send(&mut report, &path, &step.body, session, 200) {
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
                Outcome::ServerError => {
                    report.unknown.push(Unknown {
                        number: Some(number.clone()),
                        from: version,
                        status: step.status,
                        kinds: step.kinds,
                    });
                    continue 'cases;
                }
                Outcome::Failed(failure) => {
                    report.failures.push(failure);
                    break 'cases;
                }
            }
        }
    }
    report
}

/// What one fault did.
struct Figures {
    name: &'static str,
    /// Requests sent after the fault was on and answered before it began to clear, and how
    /// many of them failed (5xx).
    during: usize,
    errors: usize,
    /// From clearing the fault to the first successful reply to a request sent after.
    recovery: Duration,
    requests: usize,
}

/// Everything the clients were told, over all faults.
#[derive(Default)]
struct Told {
    acks: Vec<Ack>,
    unknown: Vec<Unknown>,
    figures: Vec<Figures>,
}

/// Runs the clients against `server`, calls `inject` after `BEFORE`, `clear` after
/// `DURING`, waits for the recovery, and checks what the clients saw: with
/// `every_write_fails`, no request sent during the fault may succeed.
fn under_fault(
    name: &'static str,
    every_write_fails: bool,
    server: &Server,
    sessions: &Arc<(Session, Session)>,
    told: &mut Told,
    inject: impl FnOnce(),
    clear: impl FnOnce(),
) {
    let base = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let ok_started = Arc::new(AtomicU64::new(0));
    let mut rng = Rng::new(SEED ^ told.figures.len() as u64);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (sessions, stop, ok_started) = (sessions.clone(), stop.clone(), ok_started.clone());
            let (addr, seed) = (server.addr, rng.next_u64());
            std::thread::spawn(move || client(addr, seed, &sessions, &stop, base, &ok_started))
        })
        .collect();
    std::thread::sleep(BEFORE);
    // fiu-ctrl returns once the process has taken the command, and the disk is full once
    // `fill` returns: requests sent from here on meet the fault.
    inject();
    let on = Instant::now();
    std::thread::sleep(DURING);
    let clearing = Instant::now();
    clear();
    let off = Instant::now();
    let since = |at: Instant| u64::try_from((at - base).as_nanos()).unwrap_or(u64::MAX);
    while ok_started.load(Ordering::SeqCst) <= since(off) && off.elapsed() < RECOVERY_LIMIT {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(AFTER);
    stop.store(true, Ordering::SeqCst);
    let reports: Vec<Report> = threads
        .into_iter()
        .map(|t| t.join().expect("client thread"))
        .collect();
    let failures: Vec<&String> = reports.iter().flat_map(|r| &r.failures).collect();
    assert!(
        failures.is_empty(),
        "{name}: {failures:?}\n{}",
        server.log_tail()
    );
    let sent: Vec<&Sent> = reports.iter().flat_map(|r| &r.sent).collect();
    let during: Vec<&&Sent> = sent
        .iter()
        .filter(|s| s.started >= on && s.finished <= clearing)
        .collect();
    let errors = during.iter().filter(|s| !s.ok).count();
    assert!(
        errors > 0,
        "{name}: none of the {} requests sent during the fault failed: was it injected?",
        during.len()
    );
    // With `synchronous=FULL` every commit waits for an fsync: while every fsync fails,
    // a success would be a commit that is not on disk.
    assert!(
        !every_write_fails || errors == during.len(),
        "{name}: {} of {} requests sent while every fsync failed were acknowledged: {:?}\n{}",
        during.len() - errors,
        during.len(),
        during
            .iter()
            .filter(|s| s.ok)
            .map(|s| (&s.path, s.started - on, s.finished - on))
            .collect::<Vec<_>>(),
        server.log_tail()
    );
    let recovered = sent
        .iter()
        .filter(|s| s.ok && s.started >= off)
        .map(|s| s.finished)
        .min()
        .unwrap_or_else(|| {
            panic!(
                "{name}: no write succeeded within {RECOVERY_LIMIT:?} of the fault clearing\n{}",
                server.log_tail()
            )
        });
    let late = sent
        .iter()
        .filter(|s| !s.ok && s.started >= recovered)
        .count();
    assert_eq!(
        late,
        0,
        "{name}: requests failed after the server had recovered\n{}",
        server.log_tail()
    );
    told.figures.push(Figures {
        name,
        during: during.len(),
        errors,
        recovery: recovered - off,
        requests: sent.len(),
    });
    for report in reports {
        told.acks.extend(report.acks);
        told.unknown.extend(report.unknown);
    }
}

/// The cases nobody was told of: opened by a request answered 5xx, found in the list. Each
/// must hold its opening and nothing else, and there can be no more of them than such
/// requests.
fn unlearnt_opens(addr: SocketAddr, session: &Session, told: &Told) -> Result<usize, String> {
    let learnt: HashSet<&str> = told.acks.iter().map(|a| a.number.as_str()).collect();
    let (mut unlearnt, mut listed) = (0, 0);
    for page in 0.. {
        let path = format!("/api/v1/cases?limit=500&offset={}", page * 500);
        let body = support::acks::get(addr, &path, session)?;
        let cases = body["cases"].as_array().cloned().unwrap_or_default();
        for case in &cases {
            let number = case["number"].as_str().unwrap_or_default();
            if learnt.contains(number) {
                listed += 1;
                continue;
            }
            if case["version"] != 1 || case["status"] != OPENED_STATUS {
                return Err(format!(
                    "{number}, opened by a request answered 5xx: {case}"
                ));
            }
            unlearnt += 1;
        }
        if cases.len() < 500 {
            break;
        }
    }
    if listed != learnt.len() {
        return Err(format!(
            "the list shows {listed} of the {} acknowledged cases",
            learnt.len()
        ));
    }
    let failed_opens = told.unknown.iter().filter(|u| u.number.is_none()).count();
    if unlearnt > failed_opens {
        return Err(format!(
            "{unlearnt} cases nobody was told of, but only {failed_opens} opens were answered 5xx"
        ));
    }
    Ok(unlearnt)
}

/// Checks everything acknowledged on the running server, then stops it, verifies the
/// record, restarts it plainly and checks again. Prints the figures.
fn verify_and_report(
    test: &str,
    server: Server,
    sessions: &(Session, Session),
    db: &Path,
    told: &Told,
) {
    let mut live = Checked::default();
    let problems = check(
        server.addr,
        &sessions.0,
        &told.acks,
        &told.unknown,
        &mut live,
    );
    assert_no_problems(
        &format!("{test}: after the faults cleared"),
        &problems,
        &server,
    );
    let log = server.log_path().to_path_buf();
    drop(server);
    let out = support::audit_verify(db);
    let stdout = support::text(&out.stdout);
    assert!(
        out.status.code() == Some(0) && stdout.contains("process record intact"),
        "{test}: audit verify: {:?}\n{stdout}{}",
        out.status.code(),
        support::text(&out.stderr)
    );
    let server = Server::start(db, &support::fixture_catalog(), &log);
    let reader = support::sign_in(server.addr, CLERK).expect("the clerk signs in");
    let mut restarted = Checked::default();
    let problems = check(
        server.addr,
        &reader,
        &told.acks,
        &told.unknown,
        &mut restarted,
    );
    assert_no_problems(&format!("{test}: after a restart"), &problems, &server);
    let opened = unlearnt_opens(server.addr, &reader, told)
        .unwrap_or_else(|problem| panic!("{test}: {problem}\n{}", server.log_tail()));
    for f in &told.figures {
        println!(
            "{test}: {}: {} requests sent during the fault, {} errors (5xx, no cause), {} \
             successes; writes again {:?} after it cleared; {} requests in all",
            f.name,
            f.during,
            f.errors,
            f.during - f.errors,
            f.recovery,
            f.requests
        );
    }
    let opens = told.unknown.iter().filter(|u| u.number.is_none()).count();
    println!(
        "{test}: {} acknowledged transitions on {} cases all there after the faults cleared \
         and after a restart, 0 lost; audit verify passed; {} requests answered 5xx \
         ({opens} opens, of which {opened} created a case), of those on known cases {} took \
         effect whole, {} not at all",
        told.acks.len(),
        restarted.cases,
        told.unknown.len(),
        restarted.unknown_applied,
        restarted.unknown_not_applied
    );
}

fn sign_in_both(addr: SocketAddr) -> Arc<(Session, Session)> {
    Arc::new((
        support::sign_in(addr, CLERK).expect("the clerk signs in"),
        support::sign_in(addr, OFFICE).expect("the office signs in"),
    ))
}

/// How many times each fault is injected: `HAOBAN_FAULT_ROUNDS`, 1 by default (CI).
fn rounds() -> u64 {
    std::env::var("HAOBAN_FAULT_ROUNDS").map_or(1, |text| {
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("HAOBAN_FAULT_ROUNDS={text:?} is not a whole number"))
    })
}

#[test]
fn fsync_and_write_failures_give_errors_never_a_false_success_and_clear() {
    let fiu_run = require("fiu-run");
    let fiu_ctrl_path = require("fiu-ctrl");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    let log = dir.path().join("server.log");
    let fifo = dir.path().join("fiu-ctrl");
    support::create_user(&db, CLERK, "clerk", "linfen");
    support::create_user(&db, OFFICE, "office", "linfen");

    let mut command = Command::new(&fiu_run);
    command
        .arg("-x")
        .arg("-f")
        .arg(&fifo)
        .arg(support::HAOBAN)
        .env("RUST_LOG", "warn")
        .env("HAOBAN_DATA_KEY_FILE", support::data_key_file());
    let server = Server::start_with(
        command,
        &[OsStr::new("--db"), db.as_os_str()],
        &support::fixture_catalog(),
        &log,
    );
    let pid = server.pid();
    let sessions = sign_in_both(server.addr);
    let ctrl = |command: &str| fiu_ctrl(&fiu_ctrl_path, &fifo, pid, command);
    let mut told = Told::default();
    let faults = [
        (
            "fsync fails always",
            true,
            "enable name=posix/io/sync/fsync",
            "posix/io/sync/fsync",
        ),
        (
            "fsync fails half the time",
            false,
            "enable_random name=posix/io/sync/fsync,probability=0.5",
            "posix/io/sync/fsync",
        ),
        (
            "pwrite fails 1 time in 20",
            false,
            "enable_random name=posix/io/rw/pwrite,probability=0.05",
            "posix/io/rw/pwrite",
        ),
    ];
    for _ in 0..rounds() {
        for (name, every_write_fails, enable, point) in faults {
            under_fault(
                name,
                every_write_fails,
                &server,
                &sessions,
                &mut told,
                || ctrl(enable),
                || ctrl(&format!("disable name={point}")),
            );
        }
    }
    verify_and_report("faults (libfiu)", server, &sessions, &db, &told);
}

#[test]
fn a_full_disk_gives_errors_never_a_false_success_and_clears() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).expect("mount point");
    let _tmpfs = Tmpfs::mount(&mount, "8m");
    let db = mount.join("haoban.db");
    let filler = mount.join("filler");
    let log = dir.path().join("server.log");
    support::create_user(&db, CLERK, "clerk", "linfen");
    support::create_user(&db, OFFICE, "office", "linfen");

    let server = Server::start(&db, &support::fixture_catalog(), &log);
    let sessions = sign_in_both(server.addr);
    let mut told = Told::default();
    for _ in 0..rounds() {
        // Not every write fails on a full disk: a commit whose WAL frames land in pages
        // the WAL file already has needs no new space.
        under_fault(
            "the disk is full",
            false,
            &server,
            &sessions,
            &mut told,
            || {
                fill(&filler);
            },
            || std::fs::remove_file(&filler).expect("remove the filler"),
        );
    }
    verify_and_report("faults (full disk)", server, &sessions, &db, &told);
}
