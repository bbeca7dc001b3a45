//! The server and the commands operators run beside it: migrate, create users, verify
//! the process record.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use haoban_cases::record::{verify, verify_projections};
use haoban_cases::{CenterId, Role, SystemClock};
use haoban_store::vault::{Vault, default_key_file, load_key_file};
use haoban_store::{CaseFilter, Store, StoreError};
use haoban_store_postgres::PostgresStore;
use haoban_store_sqlite::SqliteStore;
use haoban_web::auth::PasswordRule;
use haoban_web::{AppState, LogDevices, LogNotifier, WebConfig};

use super::load_catalog;

/// Where the data lives: an SQLite file (the default) or a PostgreSQL database.
#[derive(Debug, Args)]
pub struct Database {
    /// The SQLite database file.
    #[arg(long, default_value = "haoban.db", conflicts_with = "database_url")]
    pub(super) db: PathBuf,
    /// A PostgreSQL URL instead of SQLite, e.g. postgres://user@host/haoban.
    #[arg(long, env = "HAOBAN_DATABASE_URL")]
    pub(super) database_url: Option<String>,
    /// The keys that seal ID and phone numbers (docs/personal-data.md). Required with
    /// PostgreSQL; for SQLite `<db>.keys` beside the database, created with a new database.
    #[arg(long, env = "HAOBAN_DATA_KEY_FILE")]
    pub(super) data_key_file: Option<PathBuf>,
}

impl Database {
    pub(super) fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => format!("PostgreSQL {}", haoban_store_postgres::redact_url(url)),
            None => format!("SQLite {}", self.db.display()),
        }
    }

    /// Opens a database that must already exist (never creates an empty one to report on).
    pub(super) async fn open_existing(&self) -> Result<Arc<dyn Store>, StoreError> {
        if self.database_url.is_none() && !self.db.is_file() {
            return Err(StoreError::NotFound(format!(
                "database file {}",
                self.db.display()
            )));
        }
        self.open().await
    }

    /// Opens the store. SQLite migrates itself; PostgreSQL expects `haoban migrate` first.
    /// Both refuse settings under which an acknowledged write could be lost, and data keys
    /// that are not the database's.
    pub(super) async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        let vault = self.vault()?;
        match &self.database_url {
            Some(url) => {
                let store = PostgresStore::connect(url, vault).await?;
                store.check_ready().await?;
                Ok(Arc::new(store))
            }
            None => Ok(Arc::new(SqliteStore::open(&self.db, vault).await?)),
        }
    }

    /// The data keys: the configured key file, or for SQLite the one beside the database,
    /// made (and announced) together with a new database so the quick start needs no step.
    pub(super) fn vault(&self) -> Result<Arc<Vault>, StoreError> {
        data_keys(
            self.data_key_file.as_deref(),
            self.database_url.is_none().then_some(self.db.as_path()),
        )
    }
}

/// The data keys from `configured`, else (SQLite at `db`) from the key file beside it,
/// created when the database does not exist yet.
pub(super) fn data_keys(
    configured: Option<&std::path::Path>,
    db: Option<&std::path::Path>,
) -> Result<Arc<Vault>, StoreError> {
    let refused = StoreError::Database;
    let (vault, created, path) = match (configured, db) {
        (Some(path), _) => {
            let (vault, _) = load_key_file(path, false).map_err(refused)?;
            (vault, false, path.to_path_buf())
        }
        (None, Some(db)) => {
            let path = default_key_file(db);
            let create = !db.exists();
            if !create && !path.exists() {
                return Err(refused(format!(
                    "no data key file for {}: give the one it was written with \
                     (--data-key-file, HAOBAN_DATA_KEY_FILE; by default {})",
                    db.display(),
                    path.display()
                )));
            }
            let (vault, created) = load_key_file(&path, create).map_err(refused)?;
            (vault, created, path)
        }
        (None, None) => {
            return Err(refused(
                "PostgreSQL needs the data key file: --data-key-file or HAOBAN_DATA_KEY_FILE \
                 (docs/personal-data.md)"
                    .into(),
            ));
        }
    };
    if created {
        eprintln!(
            "created the data key file {} (mode 0600) for the new database: keep it and back it \
             up apart from the database; without it ID and phone numbers cannot be read",
            path.display()
        );
    }
    Ok(Arc::new(vault))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: Database,
    /// The catalog directory.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seconds without a touch after which a kiosk screen clears itself and goes home
    /// (the last ten are counted down on the screen).
    #[arg(long, env = "HAOBAN_KIOSK_IDLE_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(10..=3600))]
    kiosk_idle_seconds: u32,
    /// The rule new staff passwords follow: `mlps` (等保2.0: 8 characters of three kinds)
    /// or `asvs` (OWASP ASVS: 12 characters, no composition rule).
    #[arg(long, env = "HAOBAN_PASSWORD_RULE", default_value = "mlps",
          value_parser = parse_password_rule)]
    password_rule: PasswordRule,
    /// Served over TLS by a reverse proxy (docs/deploy-tls.md): cookies are `Secure` and
    /// pages send Strict-Transport-Security.
    #[arg(long, env = "HAOBAN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Roles besides the three administrators' that sign in with a TOTP code too,
    /// comma-separated, e.g. `supervisor,office`.
    #[arg(long, env = "HAOBAN_TOTP_ROLES", value_delimiter = ',', value_parser = parse_staff_role)]
    totp_roles: Vec<Role>,
    /// Days personal data is kept: visitors not seen since, appointments, offers, finished
    /// cabinet parcels, and the files of cases closed that long ago (docs/audit.md).
    #[arg(long, env = "HAOBAN_PERSONAL_DATA_RETENTION_DAYS", default_value_t = 3 * 365)]
    personal_data_retention_days: u32,
    /// Days the access log (审计日志) is kept: at least 180, or the server refuses to start.
    #[arg(long, env = "HAOBAN_ACCESS_LOG_RETENTION_DAYS", default_value_t = 365)]
    access_log_retention_days: u32,
    /// A reverse proxy whose X-Forwarded-For names the client (repeat for several). Without
    /// one, the client is the address that connected.
    #[arg(
        long = "trusted-proxy",
        env = "HAOBAN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
}

fn parse_password_rule(text: &str) -> Result<PasswordRule, String> {
    PasswordRule::parse(text)
        .ok_or_else(|| format!("`{text}` is not a password rule: mlps or asvs"))
}

pub(super) fn parse_staff_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .filter(|role| *role != Role::Resident)
        .ok_or_else(|| {
            let roles: Vec<_> = Role::STAFF.iter().map(|r| r.as_str()).collect();
            format!("`{text}` is not a staff role: {}", roles.join(", "))
        })
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The PostgreSQL database to bring up to date.
    #[arg(long, env = "HAOBAN_DATABASE_URL")]
    database_url: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    database: Database,
}

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

pub(super) fn failed(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

/// How often the server looks for scheduled work (monthly lists, default ratings).
const SCHEDULER_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

pub fn serve(args: &ServeArgs) -> ExitCode {
    let retention = match haoban_web::Retention::new(
        args.personal_data_retention_days,
        args.access_log_retention_days,
    ) {
        Ok(retention) => retention,
        Err(err) => return failed(err),
    };
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    runtime().block_on(async {
        let store = match args.database.open().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(listener) => listener,
            Err(err) => return failed(format!("cannot listen on {}: {err}", args.listen)),
        };
        let address = listener.local_addr().map_or(args.listen, |a| a);
        println!("haoban is serving http://{address}/");
        println!("  catalog:  {} ({} items, version {})", args.catalog.display(), catalog.items().len(), &catalog.version[..12]);
        println!("  database: {}", args.database.describe());
        println!("  API:      http://{address}/api/v1, described at http://{address}/api/openapi.json");
        println!("  sign in:  POST /api/v1/session {{\"username\", \"password\"}}; create staff accounts with");
        println!("            haoban admin create-user --username NAME --role clerk --center CENTER  (password on stdin)");
        let mut config = WebConfig::default();
        config.self_service.kiosk_idle_seconds = args.kiosk_idle_seconds;
        config.password_rule = args.password_rule;
        config.secure_cookies = args.secure_cookies;
        config.totp_roles = args.totp_roles.clone();
        config.retention = retention;
        config.trusted_proxies =
            haoban_web::client_addr::TrustedProxies::new(args.trusted_proxies.iter().copied());
        serve_on(listener, store, catalog, config).await
    })
}

/// Serves `store` on `listener` until interrupted (Ctrl-C or SIGTERM): the API and the
/// pages, with the scheduler ticking beside them.
pub(super) async fn serve_on(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    catalog: haoban_catalog::Catalog,
    config: WebConfig,
) -> ExitCode {
    let state = AppState {
        store,
        catalog: Arc::new(catalog),
        clock: Arc::new(SystemClock),
        notifier: Arc::new(LogNotifier),
        devices: Arc::new(LogDevices),
        config,
        rate_limiter: Arc::default(),
    };
    // Monthly lists on the first working day, default ratings each day.
    let scheduled = haoban_web::scheduler::spawn(state.clone(), SCHEDULER_EVERY);
    // The peer's address reaches the access log and the sign-in lockout (and, behind a
    // trusted proxy, the client's from X-Forwarded-For).
    let app = haoban_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await;
    scheduled.abort();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => failed(err),
    }
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

pub fn migrate(args: &MigrateArgs) -> ExitCode {
    runtime().block_on(async {
        let redacted = haoban_store_postgres::redact_url(&args.database_url);
        // Migrating reads no personal data: any keys will do, none are checked.
        let keys = Arc::new(Vault::for_tests());
        let store = match PostgresStore::connect(&args.database_url, keys).await {
            Ok(store) => store,
            Err(err) => return failed(format!("PostgreSQL {redacted}: {err}")),
        };
        match store.migrate().await {
            Ok(()) => {
                println!("migrated PostgreSQL {redacted}");
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        }
    })
}

pub fn audit_verify(args: &VerifyArgs) -> ExitCode {
    runtime().block_on(async {
        let store = match args.database.open_existing().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        match verify_record(store.as_ref(), true).await {
            Ok(intact) => {
                println!("{} ({})", intact.summary(), args.database.describe());
                ExitCode::SUCCESS
            }
            Err(Unverified::Tampered(broken)) => {
                eprintln!("TAMPERED: {broken}");
                ExitCode::FAILURE
            }
            Err(Unverified::Unreadable(err)) => failed(err),
        }
    })
}

/// What a verified process record holds.
pub(super) struct Intact {
    pub centers: usize,
    pub events: u64,
    pub cases: u64,
    /// Records of the access log (审计日志), one chain for the installation.
    pub access_records: usize,
}

impl Intact {
    pub(super) fn summary(&self) -> String {
        format!(
            "process record intact: {} center{}, {} events, {} cases; access log intact: {} records",
            self.centers,
            if self.centers == 1 { "" } else { "s" },
            self.events,
            self.cases,
            self.access_records
        )
    }
}

pub(super) enum Unverified {
    Tampered(String),
    Unreadable(String),
}

/// Checks every center's chain and that every case row is the replay of its events;
/// `per_center` prints a line for each.
pub(super) async fn verify_record(
    store: &dyn Store,
    per_center: bool,
) -> Result<Intact, Unverified> {
    let unreadable = |err: StoreError| Unverified::Unreadable(err.to_string());
    let centers = store.centers().await.map_err(unreadable)?;
    let mut intact = Intact {
        centers: centers.len(),
        events: 0,
        cases: 0,
        access_records: 0,
    };
    for center in &centers {
        let chain = store.chain(center).await.map_err(unreadable)?;
        let center_id = CenterId::parse(center).map_err(|err| {
            Unverified::Unreadable(format!("a stored center name is invalid: {err}"))
        })?;
        let mut filter = CaseFilter::center(center_id);
        filter.limit = u32::MAX;
        let rows = store.cases(&filter).await.map_err(unreadable)?;
        let (count, matched) = verify(center, &chain.entries, chain.head.as_ref())
            .and_then(|count| Ok((count, verify_projections(center, &chain.entries, &rows)?)))
            .map_err(|broken| Unverified::Tampered(broken.to_string()))?;
        if per_center {
            println!("center {center}: {count} events intact, {matched} cases match their events");
        }
        intact.events += count;
        intact.cases += matched;
    }
    let (records, head) = store.access_chain().await.map_err(unreadable)?;
    haoban_store::access::verify(&records, head)
        .map_err(|broken| Unverified::Tampered(format!("access log: {broken}")))?;
    intact.access_records = records.len();
    Ok(intact)
}
