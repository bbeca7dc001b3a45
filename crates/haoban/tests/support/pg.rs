//! PostgreSQL for the end-to-end tests: a database of its own per test, created from the
//! admin URL in `HAOBAN_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
//! and dropped however the test ends. Without a reachable server a test fails, it never skips.

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The naming scheme of `haoban-store-postgres`'s test databases, so that either test's
/// sweep removes what a killed run of the other left behind.
const DATABASE_PREFIX: &str = "haoban_test_";

pub fn admin_url() -> String {
    std::env::var("HAOBAN_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
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

/// The test is synchronous (blocking HTTP from threads); only the admin connection is async.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

pub async fn connect_admin(url: &str) -> Result<PgConnection, String> {
    let shown = haoban_store_postgres::redact_url(url);
    match tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!(
            "PostgreSQL not reachable at {shown}: {e}\n\
             This test needs a server. Start the local one with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point HAOBAN_TEST_DATABASE_URL at one whose user may CREATE DATABASE."
        )),
        Err(_) => Err(format!(
            "PostgreSQL not reachable at {shown}: no answer within 10 s\n\
             Start the local one with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point HAOBAN_TEST_DATABASE_URL at a running server."
        )),
    }
}

/// A database of its own, dropped when the test ends, however it ends.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// A fresh database named for this process and `purpose`.
    pub fn create(purpose: &str) -> TestDatabase {
        let admin_url = admin_url();
        let name = format!("{DATABASE_PREFIX}{}_{purpose}", std::process::id());
        block_on(async {
            let mut admin = connect_admin(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            drop_stale_databases(&mut admin).await;
            admin
                .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                .await
                .expect("drop a leftover database of the same name");
            admin
                .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
                .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
            let _ = admin.close().await;
        });
        TestDatabase {
            url: with_database(&admin_url, &name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort and never a panic: this also runs while a failed assertion unwinds.
        let name = &self.name;
        let dropped = block_on(async {
            let mut admin = connect_admin(&admin_url()).await?;
            // FORCE: a server instance whose guard has not run yet may still hold connections.
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let result = admin.execute(sql.as_str()).await.map_err(|e| e.to_string());
            let _ = admin.close().await;
            result
        });
        if let Err(e) = dropped {
            eprintln!("could not drop test database {name}: {e}");
        }
    }
}

/// Drops test databases of processes that have exited (a run killed before its guards ran).
async fn drop_stale_databases(admin: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
            .bind(format!("{DATABASE_PREFIX}%"))
            .fetch_all(&mut *admin)
            .await
            .expect("list test databases");
    for name in names {
        let pid = name
            .strip_prefix(DATABASE_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let running = pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !running {
            // Without FORCE, and ignoring failure: another sweeper may be at it too.
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS \"{name}\"").as_str())
                .await;
        }
    }
}
