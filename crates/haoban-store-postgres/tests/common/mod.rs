//! Test databases: every call to [`fresh_url`] creates a new, empty, migrated database.
//!
//! The server comes from `HAOBAN_TEST_DATABASE_URL` (an admin URL that may create
//! databases; default `postgres://postgres@127.0.0.1:5432/test`). Without a reachable
//! server the tests fail, they never skip.
//!
//! Databases are named `haoban_test_<pid>_<n>`. Each test process first drops the ones left
//! by processes that are no longer running, so a run leaves at most its own behind.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use haoban_store_postgres::{PostgresStore, redact_url};
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};
use tokio::sync::OnceCell;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const PREFIX: &str = "haoban_test_";

fn admin_url() -> String {
    std::env::var("HAOBAN_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => url.split_at(q),
        None => (url, ""),
    };
    let after_scheme = base.find("://").map_or(0, |at| at + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

async fn admin() -> PgConnection {
    let url = admin_url();
    let shown = redact_url(&url);
    let connecting = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(&url));
    match connecting.await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!(
            "PostgreSQL not reachable at {shown}: {e}\n\
             These tests need a server. Start the local one with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point HAOBAN_TEST_DATABASE_URL at one whose user may CREATE DATABASE."
        ),
        Err(_) => panic!(
            "PostgreSQL not reachable at {shown}: no answer within 10 s\n\
             Start the local one with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point HAOBAN_TEST_DATABASE_URL at a running server."
        ),
    }
}

/// Drops the test databases of processes that have exited. Without FORCE: a database
/// someone is still connected to is left alone.
async fn drop_stale_databases(admin: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
            .bind(format!("{PREFIX}%"))
            .fetch_all(&mut *admin)
            .await
            .expect("list test databases");
    for name in names {
        let pid = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let running = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !running {
            // Best effort: another process may be dropping it too.
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS \"{name}\"").as_str())
                .await;
        }
    }
}

/// Creates a new, migrated database and returns its URL.
pub async fn fresh_url() -> String {
    static SWEPT: OnceCell<()> = OnceCell::const_new();
    static NEXT: AtomicU32 = AtomicU32::new(0);

    let mut admin = admin().await;
    SWEPT
        .get_or_init(|| async {
            let mut sweeper = self::admin().await;
            drop_stale_databases(&mut sweeper).await;
            let _ = sweeper.close().await;
        })
        .await;
    let name = format!(
        "{PREFIX}{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    admin
        .execute(format!("DROP DATABASE IF EXISTS \"{name}\"").as_str())
        .await
        .expect("drop a leftover database of the same name");
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = admin.close().await;

    let url = with_database(&admin_url(), &name);
    let store = PostgresStore::connect(
        &url,
        std::sync::Arc::new(haoban_store::vault::Vault::for_tests()),
    )
    .await
    .expect("connect to the test database");
    store.migrate().await.expect("migrate");
    store.close().await;
    url
}

#[test]
fn replaces_the_database_in_a_url() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
