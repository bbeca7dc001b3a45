//! `haoban backup` and `haoban restore`: copies taken while the server keeps writing come
//! back with their process record intact; a restore never replaces a database and refuses
//! what is not a backup. PostgreSQL too (dump and restore into an empty database; the
//! test fails, never skips, without a server).

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use support::pg::TestDatabase;
use support::{Item, Server, create_user, fixture_catalog, request, run, sign_in, text};

/// Runs `haoban` with `args`; its exit code, stdout and stderr.
fn haoban(args: &[&str]) -> (Option<i32>, String, String) {
    let out = run(args, "");
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn sqlite_backups_taken_while_the_server_writes_restore_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    create_user(&db, "zhang", "clerk", "linfen");
    let server = Server::start(&db, &fixture_catalog(), &dir.path().join("server.log"));
    let clerk = sign_in(server.addr, "zhang").expect("sign in");

    // A clerk keeps opening cases while three backups are taken.
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, opened, addr) = (stop.clone(), opened.clone(), server.addr);
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let body = Item::Elderly.open_body();
                let reply = request(addr, "POST", "/api/v1/cases", Some(&body), Some(&clerk));
                if reply.is_ok_and(|r| r.status == 201) {
                    opened.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    while opened.load(Ordering::Relaxed) < 5 {
        thread::yield_now();
    }
    let backups: Vec<_> = (0..3)
        .map(|n| {
            let out = dir.path().join(format!("backup-{n}.db"));
            let (code, stdout, stderr) =
                haoban(&["backup", "--db", path(&db), "--out", path(&out)]);
            assert_eq!(code, Some(0), "{stdout}{stderr}");
            assert!(stdout.contains("process record intact"), "{stdout}");
            out
        })
        .collect();
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("the writer");
    assert!(
        opened.load(Ordering::Relaxed) > 5,
        "cases were opened during the backups"
    );

    for (n, backup) in backups.iter().enumerate() {
        let restored = dir.path().join(format!("restored-{n}.db"));
        let (code, stdout, stderr) =
            haoban(&["restore", "--in", path(backup), "--db", path(&restored)]);
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        let out = support::audit_verify(&restored);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            !Path::new(&format!("{}.restoring", restored.display())).exists(),
            "nothing is left beside the restored file"
        );
    }

    // A backup never overwrites, a restore never replaces.
    let (code, _, stderr) = haoban(&["backup", "--db", path(&db), "--out", path(&backups[0])]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    let before = std::fs::metadata(&db).expect("db").len();
    let (code, _, stderr) = haoban(&["restore", "--in", path(&backups[0]), "--db", path(&db)]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("never replaces"), "{stderr}");
    assert!(std::fs::metadata(&db).expect("db").len() >= before);
    drop(server);
}

#[test]
fn a_restore_refuses_what_is_not_a_backup_or_fails_its_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a database at all").expect("write");
    let target = dir.path().join("restored.db");
    let (code, _, stderr) = haoban(&["restore", "--in", path(&junk), "--db", path(&target)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("neither an SQLite backup nor a PostgreSQL dump"),
        "{stderr}"
    );
    assert!(!target.exists());

    // A backup whose record was altered afterwards is refused, and nothing is put in place.
    let db = dir.path().join("haoban.db");
    create_user(&db, "zhang", "clerk", "linfen");
    let server = Server::start(&db, &fixture_catalog(), &dir.path().join("server.log"));
    let clerk = sign_in(server.addr, "zhang").expect("sign in");
    let body = Item::Elderly.open_body();
    let reply = request(
        server.addr,
        "POST",
        "/api/v1/cases",
        Some(&body),
        Some(&clerk),
    )
    .expect("open a case");
    assert_eq!(reply.status, 201);
    drop(server);
    let backup = dir.path().join("backup.db");
    let (code, stdout, stderr) = haoban(&["backup", "--db", path(&db), "--out", path(&backup)]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    support::pg::block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", backup.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open");
        sqlx::query("UPDATE events SET actor = 'someone else' WHERE seq = 1")
            .execute(&mut conn)
            .await
            .expect("alter");
        conn.close().await.expect("close");
    });
    let (code, _, stderr) = haoban(&["restore", "--in", path(&backup), "--db", path(&target)]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("TAMPERED"), "{stderr}");
    assert!(
        !target.exists(),
        "a backup that fails its audit is not restored"
    );
}

#[test]
fn a_postgresql_dump_restores_into_an_empty_database_intact() {
    let source = TestDatabase::create("backup_source");
    let target = TestDatabase::create("backup_target");
    let (code, stdout, stderr) = haoban(&["migrate", "--database-url", &source.url]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let simulated = haoban(&[
        "sim",
        "--database-url",
        &source.url,
        "--days",
        "2",
        "--from",
        "2026-11-02",
        "--catalog",
        path(&support::root().join("catalog/shanghai")),
    ]);
    assert_eq!(simulated.0, Some(0), "{}{}", simulated.1, simulated.2);

    let dir = tempfile::tempdir().expect("tempdir");
    let dump = dir.path().join("haoban.dump");
    let (code, stdout, stderr) = haoban(&[
        "backup",
        "--database-url",
        &source.url,
        "--out",
        path(&dump),
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    let (code, stdout, stderr) = haoban(&[
        "restore",
        "--in",
        path(&dump),
        "--database-url",
        &target.url,
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let intact = |url: &str| {
        let (code, stdout, stderr) = haoban(&["audit", "verify", "--database-url", url]);
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        stdout
            .lines()
            .last()
            .and_then(|line| line.split(" (").next())
            .map(str::to_owned)
            .expect("a summary")
    };
    assert_eq!(intact(&source.url), intact(&target.url), "the same record");

    // Not into a database that already holds one.
    let (code, _, stderr) = haoban(&[
        "restore",
        "--in",
        path(&dump),
        "--database-url",
        &target.url,
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("empty database"), "{stderr}");
}
