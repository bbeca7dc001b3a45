//! No ID number or phone number in clear at rest (issue 8): a resident signs in with their
//! ID number, a visitor is registered with a phone number, a case is opened and looked up,
//! a backup is taken, all through the real `haoban serve` logging at `debug`; then the
//! SQLite file, its WAL, the backup and the server's log are read as bytes and searched
//! for the numbers, with and without the usual separators. The same on PostgreSQL, with a
//! plain `pg_dump` of the database searched (the test fails, never skips, without a
//! server).

mod support;

use std::ffi::OsStr;

use serde_json::json;
use support::{Item, RESIDENT, Server, fixture_catalog, request, run, sign_in, text};

const PHONE: &str = "13912345678";

/// Every way the numbers are commonly written.
fn forms() -> Vec<String> {
    let id = RESIDENT;
    vec![
        id.to_owned(),
        id.to_ascii_lowercase(),
        format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
        format!("{}-{}-{}", &id[..6], &id[6..14], &id[14..]),
        // The 17 digits without the check character: a prefix search finds it too.
        id[..17].to_owned(),
        PHONE.to_owned(),
        format!("{} {} {}", &PHONE[..3], &PHONE[3..7], &PHONE[7..]),
        format!("{}-{}-{}", &PHONE[..3], &PHONE[3..7], &PHONE[7..]),
        format!("+86{PHONE}"),
    ]
}

fn assert_nowhere(what: &str, bytes: &[u8]) {
    assert!(!bytes.is_empty(), "{what} is empty: nothing was searched");
    let haystack = String::from_utf8_lossy(bytes);
    for form in forms() {
        assert!(
            !haystack.contains(&form),
            "{what} holds `{form}` in clear ({} bytes searched)",
            bytes.len()
        );
    }
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Staff accounts on `database` (`--db PATH` or `--database-url URL`).
fn create_users(database: &[&str]) {
    for (username, role) in [("zhang", "clerk"), ("li", "desk")] {
        let mut args = vec!["admin", "create-user"];
        args.extend_from_slice(database);
        args.extend_from_slice(&["--username", username, "--role", role, "--center", "linfen"]);
        let out = run(&args, &format!("{}\n", support::PASSWORD));
        assert!(
            out.status.success(),
            "create-user {username}: {}",
            text(&out.stderr)
        );
    }
}

/// What the test does through the server: the visitor with a phone number registered and
/// looked up, a case opened, the resident signed in by ID number and code, their cases.
fn scenario(server: &Server, log: &std::path::Path) {
    let desk = sign_in(server.addr, "li").expect("desk signs in");
    let clerk = sign_in(server.addr, "zhang").expect("clerk signs in");

    // The first window registers the visitor with a phone number and looks them up.
    let visitor = json!({"id_number": RESIDENT, "name": "王阿姨", "phone": PHONE});
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/visitors",
        Some(&visitor),
        Some(&desk),
    )
    .expect("register");
    assert!(
        reply.is_success(),
        "register: {} {}",
        reply.status,
        reply.body
    );
    let lookup = json!({"id_number": RESIDENT});
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/visitors/lookup",
        Some(&lookup),
        Some(&desk),
    )
    .expect("lookup");
    assert!(
        reply.is_success(),
        "lookup: {} {}",
        reply.status,
        reply.body
    );
    assert!(reply.body.to_string().contains("王阿姨"), "{}", reply.body);

    // A clerk opens a case for them.
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/cases",
        Some(&Item::Elderly.open_body()),
        Some(&clerk),
    )
    .expect("open");
    assert!(reply.is_success(), "open: {} {}", reply.status, reply.body);

    // The resident signs in with their ID number and the code the log delivered.
    let asked = json!({"id_number": RESIDENT, "center": "linfen"});
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/resident/code",
        Some(&asked),
        None,
    )
    .expect("code");
    assert!(reply.is_success(), "code: {} {}", reply.status, reply.body);
    let logged = text(&read(log));
    let code = logged
        .rsplit("Your sign-in code is ")
        .next()
        .map(|rest| rest.chars().take(6).collect::<String>())
        .filter(|code| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in the log:\n{logged}"));
    let signed = json!({"id_number": RESIDENT, "code": code});
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/resident/session",
        Some(&signed),
        None,
    )
    .expect("resident session");
    assert!(
        reply.is_success(),
        "resident session: {} {}",
        reply.status,
        reply.body
    );
    let cookie = reply
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .and_then(|pair| pair.strip_prefix("haoban_session="))
        .expect("resident cookie")
        .to_owned();
    let resident = support::Session {
        username: "resident".into(),
        cookie,
        csrf: reply.body["csrf_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    };
    // Their cases are found by their ID number's pseudonym.
    let reply =
        request(server.addr, "GET", "/api/v1/cases", None, Some(&resident)).expect("own cases");
    assert!(
        reply.is_success(),
        "own cases: {} {}",
        reply.status,
        reply.body
    );
    assert_eq!(
        reply.body["cases"].as_array().map(Vec::len),
        Some(1),
        "{}",
        reply.body
    );
}

#[test]
fn no_id_or_phone_number_in_the_database_wal_backup_or_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    let log = dir.path().join("server.log");
    create_users(&["--db", db.to_str().expect("utf-8")]);
    let server = Server::start_logging(
        &[OsStr::new("--db"), db.as_os_str()],
        &fixture_catalog(),
        &log,
        "debug",
    );
    scenario(&server, &log);

    // A backup while the server runs.
    let backup = dir.path().join("backup.db");
    let out = run(
        &[
            "backup",
            "--db",
            db.to_str().expect("utf-8"),
            "--out",
            backup.to_str().expect("utf-8"),
        ],
        "",
    );
    assert!(out.status.success(), "backup: {}", text(&out.stderr));

    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    // The search would find what is there: the name (not sealed) is in the files.
    let mut stored = read(&db);
    stored.extend(read(&wal));
    assert!(String::from_utf8_lossy(&stored).contains("王阿姨"));
    assert!(String::from_utf8_lossy(&read(&backup)).contains("王阿姨"));
    assert_nowhere("the database file", &read(&db));
    assert_nowhere("the WAL", &read(&wal));
    assert_nowhere("the backup", &read(&backup));
    assert_nowhere("the server log", &read(&log));
    drop(server);
    // After a kill the WAL is what the next start replays: still nothing in clear.
    assert_nowhere("the WAL after the server stopped", &read(&wal));

    // Rotation: a new key appended, everything re-sealed, then the old key dropped; the
    // record still verifies with the new key alone.
    let old_keys = std::fs::read_to_string(support::data_key_file()).expect("keys");
    let new_line = format!(
        "seal k2 {}\n",
        "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
    );
    let rotated = dir.path().join("rotated.keys");
    std::fs::write(&rotated, format!("{old_keys}{new_line}")).expect("rotated keys");
    let db_arg = db.to_str().expect("utf-8");
    let out = run(
        &[
            "admin",
            "reseal",
            "--db",
            db_arg,
            "--batch",
            "3",
            "--data-key-file",
            rotated.to_str().expect("utf-8"),
        ],
        "",
    );
    assert!(out.status.success(), "reseal: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("re-sealed "),
        "{}",
        text(&out.stdout)
    );
    let lookup_only = old_keys
        .lines()
        .filter(|line| line.starts_with("lookup"))
        .collect::<Vec<_>>()
        .join("\n");
    let new_only = dir.path().join("new.keys");
    std::fs::write(&new_only, format!("{lookup_only}\n{new_line}")).expect("new keys");
    let out = run(
        &[
            "audit",
            "verify",
            "--db",
            db_arg,
            "--data-key-file",
            new_only.to_str().expect("utf-8"),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "audit verify with the new key alone: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_nowhere("the re-sealed database", &read(&db));
}

#[test]
fn no_id_or_phone_number_in_a_postgresql_dump_or_the_log() {
    let database = support::pg::TestDatabase::create("personal_data");
    let out = run(&["migrate", "--database-url", &database.url], "");
    assert!(out.status.success(), "migrate: {}", text(&out.stderr));
    create_users(&["--database-url", &database.url]);
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("server.log");
    let server = Server::start_logging(
        &[OsStr::new("--database-url"), OsStr::new(&database.url)],
        &fixture_catalog(),
        &log,
        "debug",
    );
    scenario(&server, &log);
    drop(server);
    // A plain-text dump, so the search reads the rows as PostgreSQL gives them out (the
    // custom format `haoban backup` writes is compressed).
    let dump = std::process::Command::new("pg_dump")
        .args(["--format=plain", "--no-owner", "--no-privileges"])
        .arg(&database.url)
        .output()
        .expect("pg_dump runs");
    assert!(dump.status.success(), "pg_dump: {}", text(&dump.stderr));
    assert!(
        text(&dump.stdout).contains("王阿姨"),
        "the search would find what is there"
    );
    assert_nowhere("the PostgreSQL dump", &dump.stdout);
    assert_nowhere("the server log", &read(&log));
}
