//! The process record is tamper-evident, end to end: a database built by the real server
//! through the HTTP API, then altered behind the application's back in every way the
//! chain is meant to catch. `haoban audit verify` must exit 1 and name the center and the
//! first event that does not fit; the untouched database must verify.
//!
//! Tampering goes through sqlx (the driver the SQLite store already uses), so the test
//! needs no `sqlite3` program.

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use haoban_cases::record::Entry;
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};
use support::{Item, OPENED_STATUS, Server, Session, Who, text};

const LINFEN_CASES: usize = 10;
const XUHUI_CASES: usize = 2;

/// A connection to a database file, driven synchronously.
struct Db {
    runtime: tokio::runtime::Runtime,
    conn: Option<SqliteConnection>,
}

enum Arg {
    Int(i64),
    Text(String),
}

impl Db {
    fn open(path: &Path) -> Db {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        // No journal mode given: the file stays in the WAL mode the store put it in.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(false);
        let conn = runtime
            .block_on(SqliteConnection::connect_with(&options))
            .expect("open the database");
        Db {
            runtime,
            conn: Some(conn),
        }
    }

    fn exec(&mut self, sql: &str, args: Vec<Arg>) -> u64 {
        let conn = self.conn.as_mut().expect("open");
        let mut query = sqlx::query(sql);
        for arg in args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
            };
        }
        self.runtime
            .block_on(query.execute(&mut *conn))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .rows_affected()
    }

    fn entries(&mut self, center: &str) -> Vec<Entry> {
        let conn = self.conn.as_mut().expect("open");
        let rows = self
            .runtime
            .block_on(
                sqlx::query(
                    "SELECT center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash
                     FROM events WHERE center = ? ORDER BY seq",
                )
                .bind(center)
                .fetch_all(&mut *conn),
            )
            .expect("read events");
        rows.iter()
            .map(|row| Entry {
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
            })
            .collect()
    }

    /// Overwrites the stored row `seq` of the entry's center with every field of `entry`.
    fn put(&mut self, seq: u64, entry: &Entry) {
        let done = self.exec(
            "UPDATE events SET seq = ?, case_number = ?, at = ?, actor = ?, role = ?, kind = ?,
                 payload = ?, prev_hash = ?, hash = ?
             WHERE center = ? AND seq = ?",
            vec![
                Arg::Int(entry.seq as i64),
                Arg::Text(entry.case.clone().unwrap_or_default()),
                Arg::Text(entry.at.clone()),
                Arg::Text(entry.actor.clone()),
                Arg::Text(entry.role.clone()),
                Arg::Text(entry.kind.clone()),
                Arg::Text(entry.payload.clone()),
                Arg::Text(entry.prev_hash.clone()),
                Arg::Text(entry.hash.clone()),
                Arg::Text(entry.center.clone()),
                Arg::Int(seq as i64),
            ],
        );
        assert_eq!(done, 1, "row #{seq} updated");
    }

    fn insert(&mut self, entry: &Entry) {
        self.exec(
            "INSERT INTO events (center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                Arg::Text(entry.center.clone()),
                Arg::Int(entry.seq as i64),
                Arg::Text(entry.case.clone().unwrap_or_default()),
                Arg::Text(entry.at.clone()),
                Arg::Text(entry.actor.clone()),
                Arg::Text(entry.role.clone()),
                Arg::Text(entry.kind.clone()),
                Arg::Text(entry.payload.clone()),
                Arg::Text(entry.prev_hash.clone()),
                Arg::Text(entry.hash.clone()),
            ],
        );
    }

    /// Closes the connection; the last connection to close folds the WAL into the file.
    fn close(mut self) {
        if let Some(conn) = self.conn.take() {
            self.runtime.block_on(conn.close()).expect("close");
        }
    }
}

fn path_with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the database (and, should one be left, its WAL) to `to`.
fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the database");
    let wal = path_with_suffix(from, "-wal");
    if wal.exists() {
        std::fs::copy(&wal, path_with_suffix(to, "-wal")).expect("copy the WAL");
    }
}

/// Drives one case from opening to closing through the API; returns its number.
fn make_case(
    addr: std::net::SocketAddr,
    clerk: &Session,
    office: &Session,
    item: Item,
    note: &str,
) -> String {
    let opened = support::request(
        addr,
        "POST",
        "/api/v1/cases",
        Some(&item.open_body()),
        Some(clerk),
    )
    .expect("open a case");
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(opened.body["status"], OPENED_STATUS);
    let number = opened.body["number"].as_str().expect("number").to_owned();
    for step in item.steps(note) {
        let who = match step.who {
            Who::Clerk => clerk,
            Who::Office => office,
        };
        let path = format!("/api/v1/cases/{number}/actions/{}", step.action);
        let reply = support::request(addr, "POST", &path, Some(&step.body), Some(who))
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.body["status"], step.status, "{path}");
    }
    number
}

/// One tampering: what is done to a fresh copy, and where verification must say it broke.
struct Tampering {
    name: &'static str,
    center: &'static str,
    first_bad: u64,
    apply: Box<dyn Fn(&mut Db)>,
}

fn expect_tampered(db: &Path, name: &str, center: &str, first_bad: u64) {
    let out = support::audit_verify(db);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name}: audit verify must fail\nstdout: {stdout}\nstderr: {stderr}"
    );
    let wanted = format!("TAMPERED: center {center} event #{first_bad}: ");
    assert!(
        stderr.lines().any(|line| line.starts_with(&wanted)),
        "{name}: expected a line starting {wanted:?}\nstderr: {stderr}"
    );
    assert!(
        !stdout.contains("process record intact"),
        "{name}: {stdout}"
    );
}

/// Changes one character of a stored time by one microsecond (or so): still a valid time.
fn nudge_time(at: &str) -> String {
    let mut chars: Vec<char> = at.chars().collect();
    let i = chars.len() - 2; // the last digit before `Z`
    chars[i] = if chars[i] == '9' {
        '8'
    } else {
        (chars[i] as u8 + 1) as char
    };
    let nudged: String = chars.into_iter().collect();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&nudged).is_ok(),
        "{nudged}"
    );
    nudged
}

/// The note text of a stored `note_added` payload, whatever shape the payload has.
fn note_text(payload: &str) -> String {
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => map
                .get("text")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| map.values().find_map(find)),
            _ => None,
        }
    }
    find(&serde_json::from_str(payload).expect("payload is JSON")).expect("a note text")
}

#[test]
fn audit_verify_finds_every_kind_of_tampering() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    support::create_user(&db, "u", "clerk", "linfen");
    support::create_user(&db, "o", "office", "linfen");
    support::create_user(&db, "x", "clerk", "xuhui");

    let mut server = Server::start(
        &db,
        &support::fixture_catalog(),
        &dir.path().join("server.log"),
    );
    let addr = server.addr;
    let clerk = support::sign_in(addr, "u").expect("clerk signs in");
    let office = support::sign_in(addr, "o").expect("office signs in");
    let xuhui = support::sign_in(addr, "x").expect("xuhui clerk signs in");
    let mut linfen_events = 0;
    for i in 0..LINFEN_CASES {
        let item = if i % 2 == 0 {
            Item::Consult
        } else {
            Item::Elderly
        };
        make_case(addr, &clerk, &office, item, &format!("已电话核实 {i}"));
        linfen_events += item.events();
    }
    for i in 0..XUHUI_CASES {
        make_case(addr, &xuhui, &xuhui, Item::Consult, &format!("徐汇 {i}"));
    }
    let xuhui_events = XUHUI_CASES * Item::Consult.events();
    server.kill();
    drop(server);
    let built = started.elapsed();

    // The untouched database, straight after SIGKILL (WAL not yet folded in), verifies.
    let out = support::audit_verify(&db);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("center linfen: {linfen_events} events intact")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("center xuhui: {xuhui_events} events intact")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "process record intact: 2 centers, {} events",
            linfen_events + xuhui_events
        )),
        "{stdout}"
    );

    // Fold the WAL into the file, so a copy of the file is the whole database.
    let mut original = Db::open(&db);
    original.exec("PRAGMA wal_checkpoint(TRUNCATE)", vec![]);
    let chain = original.entries("linfen");
    let xuhui_chain = original.entries("xuhui");
    original.close();
    assert_eq!(chain.len(), linfen_events);
    assert_eq!(xuhui_chain.len(), xuhui_events);
    let n = chain.len() as u64;
    let entry = |seq: u64| chain[(seq - 1) as usize].clone();
    let middle = n / 2;
    // A note in the second half, so there is chain on both sides of it.
    let note = chain
        .iter()
        .find(|e| e.seq >= middle && e.kind == "note_added")
        .expect("a note in the second half")
        .seq;
    let altered = |e: &Entry| {
        let mut e = e.clone();
        let text = note_text(&e.payload);
        e.payload = e.payload.replacen(&text, "无需核实", 1);
        assert_ne!(e.payload, chain[(e.seq - 1) as usize].payload);
        e
    };

    let tamperings: Vec<Tampering> = vec![
        Tampering {
            name: "(a) one event's payload altered",
            center: "linfen",
            first_bad: note,
            apply: Box::new({
                let e = altered(&entry(note));
                move |db| db.put(e.seq, &e)
            }),
        },
        Tampering {
            name: "(b) a middle event deleted",
            center: "linfen",
            first_bad: middle,
            apply: Box::new(move |db| {
                let done = db.exec(
                    "DELETE FROM events WHERE center = 'linfen' AND seq = ?",
                    vec![Arg::Int(middle as i64)],
                );
                assert_eq!(done, 1);
            }),
        },
        Tampering {
            name: "(b') the first event deleted",
            center: "linfen",
            first_bad: 1,
            apply: Box::new(|db| {
                db.exec(
                    "DELETE FROM events WHERE center = 'linfen' AND seq = 1",
                    vec![],
                );
            }),
        },
        Tampering {
            name: "(c) two neighbouring events swapped (their seq exchanged)",
            center: "linfen",
            first_bad: middle,
            apply: Box::new(move |db| swap(db, middle, middle + 1)),
        },
        Tampering {
            name: "(c') two distant events swapped",
            center: "linfen",
            first_bad: 3,
            apply: Box::new(move |db| swap(db, 3, n - 2)),
        },
        Tampering {
            name: "(d) the last event deleted",
            center: "linfen",
            first_bad: n,
            apply: Box::new(move |db| {
                let done = db.exec(
                    "DELETE FROM events WHERE center = 'linfen' AND seq = ?",
                    vec![Arg::Int(n as i64)],
                );
                assert_eq!(done, 1);
            }),
        },
        Tampering {
            name: "(e) an event appended outside the application, correctly chained",
            center: "linfen",
            first_bad: n + 1,
            apply: Box::new({
                let forged = forged_append(&entry(n), &entry(note));
                move |db| db.insert(&forged)
            }),
        },
        Tampering {
            name: "(f) one event's actor altered",
            center: "linfen",
            first_bad: middle,
            apply: Box::new({
                let mut e = entry(middle);
                e.actor = format!("{}2", e.actor);
                move |db| db.put(e.seq, &e)
            }),
        },
        Tampering {
            name: "(f') one event's time altered by a microsecond",
            center: "linfen",
            first_bad: middle + 1,
            apply: Box::new({
                let mut e = entry(middle + 1);
                e.at = nudge_time(&e.at);
                move |db| db.put(e.seq, &e)
            }),
        },
        Tampering {
            name: "(f'') one event's case number altered",
            center: "linfen",
            first_bad: 2,
            apply: Box::new({
                let mut e = entry(2);
                let other = chain
                    .iter()
                    .rev()
                    .find_map(|o| o.case.clone())
                    .expect("case");
                assert_ne!(e.case.as_deref(), Some(other.as_str()));
                e.case = Some(other);
                move |db| db.put(e.seq, &e)
            }),
        },
        Tampering {
            name: "(g) one event altered and its own hash recomputed",
            center: "linfen",
            first_bad: note + 1,
            apply: Box::new({
                let mut e = altered(&entry(note));
                e.hash = e.compute_hash();
                move |db| db.put(e.seq, &e)
            }),
        },
        Tampering {
            name: "(h) one event altered and every later one rechained",
            center: "linfen",
            first_bad: n,
            apply: Box::new({
                let mut rewritten = Vec::new();
                let mut prev = entry(note - 1).hash;
                for seq in note..=n {
                    let mut e = if seq == note {
                        altered(&entry(seq))
                    } else {
                        entry(seq)
                    };
                    e.prev_hash = prev;
                    e.hash = e.compute_hash();
                    prev = e.hash.clone();
                    rewritten.push(e);
                }
                move |db| {
                    for e in &rewritten {
                        db.put(e.seq, e);
                    }
                }
            }),
        },
        Tampering {
            name: "(i) the chain head removed",
            center: "linfen",
            first_bad: 1,
            apply: Box::new(|db| {
                db.exec("DELETE FROM chain_heads WHERE center = 'linfen'", vec![]);
            }),
        },
        Tampering {
            name: "(j) another center's event altered",
            center: "xuhui",
            first_bad: 2,
            apply: Box::new({
                let mut e = xuhui_chain[1].clone();
                assert_eq!(e.kind, "note_added");
                e.payload = e.payload.replacen("徐汇", "临汾", 1);
                move |db| db.put(e.seq, &e)
            }),
        },
    ];

    for (i, tampering) in tamperings.iter().enumerate() {
        let copy = dir.path().join(format!("tampered-{i}.db"));
        copy_db(&db, &copy);
        let mut conn = Db::open(&copy);
        (tampering.apply)(&mut conn);
        conn.close();
        expect_tampered(&copy, tampering.name, tampering.center, tampering.first_bad);
    }

    // Controls: the copies are faithful, and the forged entry is well formed: with a forged
    // chain head as well, the chain itself checks out, and what still catches it is that
    // the case's stored row no longer matches a replay of its events.
    let control = dir.path().join("control.db");
    copy_db(&db, &control);
    let out = support::audit_verify(&control);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let forged = forged_append(&entry(n), &entry(note));
    let mut conn = Db::open(&control);
    conn.insert(&forged);
    conn.exec(
        "UPDATE chain_heads SET seq = ?, hash = ? WHERE center = 'linfen'",
        vec![Arg::Int(forged.seq as i64), Arg::Text(forged.hash.clone())],
    );
    conn.close();
    let out = support::audit_verify(&control);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a forged entry and head: {}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("is not what its events say"),
        "{}",
        text(&out.stderr)
    );

    // The case rows the screens show are checked against the record too.
    let rows = dir.path().join("rows.db");
    copy_db(&db, &rows);
    let mut conn = Db::open(&rows);
    let changed = conn.exec(
        "UPDATE cases SET status = 'denied', state = json_set(state, '$.status', 'denied') WHERE center = 'linfen' AND number = (SELECT min(number) FROM cases WHERE center = 'linfen')",
        vec![],
    );
    conn.close();
    assert_eq!(changed, 1);
    let out = support::audit_verify(&rows);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an altered case row: {}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("TAMPERED: center linfen")
            && stderr.contains("the case row was altered"),
        "{stderr}"
    );

    // The retention run erases an applicant's number from the case row and from its record
    // together; erased from the record alone (the entry's text and hash untouched), the
    // record no longer replays to the row.
    let erased = dir.path().join("erased.db");
    copy_db(&db, &erased);
    let mut conn = Db::open(&erased);
    let changed = conn.exec(
        "UPDATE events SET personal = 'erased' WHERE center = 'linfen' AND seq = (SELECT min(seq) FROM events WHERE center = 'linfen' AND kind = 'submitted')",
        vec![],
    );
    conn.close();
    assert_eq!(changed, 1);
    let out = support::audit_verify(&erased);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("TAMPERED: center linfen")
            && stderr.contains("is not what its events say"),
        "{stderr}"
    );

    // The access log is chained too: who made a request, changed behind the server's back.
    let log = dir.path().join("access-log.db");
    copy_db(&db, &log);
    let mut conn = Db::open(&log);
    let changed = conn.exec(
        "UPDATE access_log SET actor = 'someone-else' WHERE seq = (SELECT min(seq) FROM access_log)",
        vec![],
    );
    conn.close();
    assert_eq!(changed, 1, "the server's requests are on the access log");
    let out = support::audit_verify(&log);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("TAMPERED: access log: record ") && stderr.contains("altered"),
        "{stderr}"
    );

    // A mistyped path is an error, not an empty database reported intact.
    let missing = dir.path().join("no-such.db");
    let out = support::audit_verify(&missing);
    assert_eq!(out.status.code(), Some(1));
    assert!(!missing.exists(), "audit verify must not create a database");

    println!(
        "tamper: {} tamperings caught, {linfen_events}+{xuhui_events} events; database built in {built:?}, all in {:?}",
        tamperings.len(),
        started.elapsed()
    );
}

/// Exchanges the seq of two stored events of linfen (through a free seq, as (center, seq)
/// is the primary key).
fn swap(db: &mut Db, a: u64, b: u64) {
    let (a, b) = (a as i64, b as i64);
    for (from, to) in [(a, -1), (b, a), (-1, b)] {
        let done = db.exec(
            "UPDATE events SET seq = ? WHERE center = 'linfen' AND seq = ?",
            vec![Arg::Int(to), Arg::Int(from)],
        );
        assert_eq!(done, 1);
    }
}

/// A plausible note after `last`, linked to it and hashed as the application would.
fn forged_append(last: &Entry, a_note: &Entry) -> Entry {
    let mut e = a_note.clone();
    e.seq = last.seq + 1;
    e.case = last.case.clone();
    e.at = nudge_time(&last.at);
    e.payload = e.payload.replacen(&note_text(&e.payload), "补录", 1);
    e.prev_hash = last.hash.clone();
    e.hash = e.compute_hash();
    e
}
