//! `haoban demo` on a few days: it seeds a fresh file through the store, prints accounts
//! that sign in, serves cases and a live hall, passes `haoban audit verify`, reuses its own
//! file, and refuses (untouched) a file that is not a demo's.

mod support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use support::{Session, haoban, request, root, text};

/// A running `haoban demo`, killed when dropped.
struct Demo {
    child: Child,
    addr: SocketAddr,
    /// What it printed after its address (the accounts).
    lines: Vec<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long seeding a few days and starting may take in a debug build on a busy machine.
const STARTUP: Duration = Duration::from_secs(180);

fn start(db: &Path, extra: &[&str]) -> Demo {
    let mut child = haoban()
        .arg("demo")
        .arg("--db")
        .arg(db)
        .arg("--catalog")
        .arg(root().join("catalog/shanghai"))
        .args(["--listen", "127.0.0.1:0", "--days", "3", "--seed", "5"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("haoban demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines
        .recv_timeout(STARTUP)
        .unwrap_or_else(|_| panic!("haoban demo printed nothing within {STARTUP:?}"));
    let addr: SocketAddr = first
        .strip_prefix("haoban is serving http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"));
    let mut printed = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
        let board = line.contains("/board");
        printed.push(line);
        if board {
            break;
        }
    }
    Demo {
        child,
        addr,
        lines: printed,
    }
}

/// The printed password and the username printed for `role`.
fn account(demo: &Demo, role: &str) -> (String, String) {
    let password = demo
        .lines
        .iter()
        .find_map(|l| l.split('`').nth(1).filter(|_| l.contains("password")))
        .expect("the password is printed")
        .to_owned();
    let username = demo
        .lines
        .iter()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(role)).then(|| words.next().map(str::to_owned))?
        })
        .unwrap_or_else(|| panic!("an account of role {role} in {:?}", demo.lines));
    (username, password)
}

/// The TOTP key printed for `role`'s account, if it has one (the administrators do).
fn totp_key(demo: &Demo, role: &str) -> Option<String> {
    let line = demo
        .lines
        .iter()
        .find(|l| l.split_whitespace().next() == Some(role))?;
    let key = line.split("TOTP key ").nth(1)?.split_whitespace().next()?;
    Some(key.to_owned())
}

fn sign_in(addr: SocketAddr, username: &str, password: &str, key: Option<&str>) -> Session {
    let totp = key.map(|key| {
        haoban_web::auth::totp::TotpSecret::from_base32(key)
            .expect("a base32 key")
            .code_at(haoban_cases::Clock::now(&haoban_cases::SystemClock))
    });
    let reply = request(
        addr,
        "POST",
        "/api/v1/session",
        Some(&json!({"username": username, "password": password, "totp": totp})),
        None,
    )
    .expect("sign in");
    assert_eq!(reply.status, 200, "{username}: {}", reply.body);
    Session {
        username: username.to_owned(),
        cookie: reply
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .and_then(|pair| pair.strip_prefix("haoban_session="))
            .expect("a session cookie")
            .to_owned(),
        csrf: reply.body["csrf_token"].as_str().expect("csrf").to_owned(),
    }
}

#[test]
fn the_demo_seeds_signs_in_serves_and_passes_the_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    {
        let demo = start(&db, &[]);
        for role in [
            "desk",
            "clerk",
            "office",
            "supervisor",
            "sysadmin",
            "secadmin",
            "auditor",
        ] {
            let (username, password) = account(&demo, role);
            sign_in(
                demo.addr,
                &username,
                &password,
                totp_key(&demo, role).as_deref(),
            );
        }
        let (clerk, password) = account(&demo, "clerk");
        let session = sign_in(demo.addr, &clerk, &password, None);
        let cases = request(
            demo.addr,
            "GET",
            "/api/v1/cases?limit=5",
            None,
            Some(&session),
        )
        .expect("cases");
        assert_eq!(cases.status, 200, "{}", cases.body);
        let listed = cases.body["cases"]
            .as_array()
            .or_else(|| cases.body.as_array())
            .map_or(0, Vec::len);
        assert!(listed > 0, "the demo holds cases: {}", cases.body);
        let queue =
            request(demo.addr, "GET", "/api/v1/tickets", None, Some(&session)).expect("queue");
        assert_eq!(queue.status, 200, "{}", queue.body);
        // The 24-hour area's cabinet is installed and empty, ready for results.
        let cabinets =
            request(demo.addr, "GET", "/api/v1/cabinets", None, Some(&session)).expect("cabinets");
        assert_eq!(cabinets.status, 200, "{}", cabinets.body);
        let compartments = cabinets.body["compartments"]
            .as_array()
            .expect("compartments");
        assert_eq!(compartments.len(), 24, "{}", cabinets.body);
        // The simulation runs up to now. Within a working day's ordinary hours it runs as
        // the calendar would, fully staffed, and the queue may well be empty at a given
        // minute; at any other time the demo opens the hall for the last ninety minutes with
        // too few windows, so people are waiting. (Just after midnight the day is too young
        // to hold anyone: a ticket belongs to the day it was issued.)
        let local = haoban_cases::Clock::now(&haoban_cases::SystemClock)
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%H:%M")
            .to_string();
        let tickets = queue.body["tickets"].as_array().expect("tickets");
        if local.as_str() >= "01:30" {
            assert!(
                !tickets.is_empty(),
                "today's hall had visitors: {}",
                queue.body
            );
        }
        if local.as_str() >= "01:30" && !("10:30".."17:00").contains(&local.as_str()) {
            assert!(
                tickets.iter().any(|t| t["status"] == "waiting"),
                "people wait in the demo's hall at {local}: {}",
                queue.body
            );
        }
    }
    // The demo keeps its data key beside its own file, whatever the environment says.
    let verified = haoban()
        .env_remove("HAOBAN_DATA_KEY_FILE")
        .args(["audit", "verify", "--db"])
        .arg(&db)
        .output()
        .expect("haoban audit verify runs");
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}{}",
        text(&verified.stdout),
        text(&verified.stderr)
    );
    assert!(text(&verified.stdout).contains("process record intact"));
    let seeded = std::fs::metadata(&db).expect("the file").len();
    // Started again: its own file is reused as it is, and its accounts still sign in.
    let again = start(&db, &[]);
    let (username, password) = account(&again, "supervisor");
    sign_in(again.addr, &username, &password, None);
    assert!(std::fs::metadata(&db).expect("the file").len() >= seeded);
}

#[test]
fn a_file_that_is_not_a_demo_s_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = dir.path().join("notes.db");
    std::fs::write(&notes, "not a database at all\n").expect("write");
    // A center's own database: a day of activity at center linfen.
    let other = dir.path().join("linfen.db");
    let simulated = support::run(
        &[
            "sim",
            "--db",
            other.to_str().expect("utf-8"),
            "--catalog",
            root().join("catalog/shanghai").to_str().expect("utf-8"),
            "--center",
            "linfen",
            "--days",
            "1",
            "--from",
            "2026-03-02",
        ],
        "",
    );
    assert_eq!(
        simulated.status.code(),
        Some(0),
        "{}",
        text(&simulated.stderr)
    );
    for file in [&notes, &other] {
        let before = std::fs::read(file).expect("read");
        let out = support::run(
            &[
                "demo",
                "--db",
                file.to_str().expect("utf-8"),
                "--catalog",
                root().join("catalog/shanghai").to_str().expect("utf-8"),
                "--listen",
                "127.0.0.1:0",
                "--days",
                "2",
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let said = text(&out.stderr);
        assert!(
            said.contains("not a demo database") || said.contains("as a haoban database"),
            "{said}"
        );
        assert!(said.contains(file.to_str().expect("utf-8")), "{said}");
        assert_eq!(std::fs::read(file).expect("read"), before, "left untouched");
    }
}
