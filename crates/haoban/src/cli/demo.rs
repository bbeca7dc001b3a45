//! `haoban demo`: a demo center on its own SQLite file, already holding a simulated year
//! (recorded through the domain and the store, so `haoban audit verify` passes on it),
//! with staff accounts, served exactly as `haoban serve` serves.
//!
//! The file: absent, it is seeded; a demo's own file (its only center is `demo` and its
//! accounts exist) is reused as it is, quickly, unless `--fresh` asks to seed it anew; a
//! demo's file whose seeding was interrupted (no accounts yet: they are created last) is
//! seeded anew; any other file is refused and left untouched.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use haoban_cases::{CenterId, Clock, Role};
use haoban_catalog::Catalog;
use haoban_sim::{Model, Scenario, until_now};
use haoban_store::{Store, User};
use haoban_store_sqlite::SqliteStore;
use haoban_web::auth::totp::TotpSecret;

use super::server::{failed, runtime, serve_on};
use super::{bad_input, load_catalog};

/// The demo's center.
pub const CENTER: &str = "demo";
/// Every demo account's password: it is a demo, and the password is printed.
pub const PASSWORD: &str = "haoban-demo";
/// The demo's security administrator (安全管理员), who manages its accounts.
const SECURITY_ADMIN: &str = "anquan";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo's SQLite file: seeded when absent, reused when it is a demo's.
    #[arg(long, default_value = "haoban-demo.db")]
    db: PathBuf,
    /// The catalog.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The simulation's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days of history, the last of them today up to now.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Seed a new history even if the file holds a demo already (only a demo's file is
    /// ever replaced).
    #[arg(long)]
    fresh: bool,
}

/// What the file at the demo's path is.
enum Found {
    Nothing,
    Demo,
    /// A demo's file whose seeding did not finish (no accounts yet: they come last).
    Unfinished,
    Other(String),
}

async fn inspect(path: &Path) -> Result<Found, String> {
    if !path.exists() {
        return Ok(Found::Nothing);
    }
    let peek = SqliteStore::peek(path)
        .await
        .map_err(|e| format!("cannot read {} as a haoban database: {e}", path.display()))?;
    let Some(peek) = peek else {
        return Ok(Found::Other("it is not a haoban database".into()));
    };
    let accounts = |center: &str| peek.accounts.iter().any(|(c, n)| c == center && *n > 0);
    Ok(match peek.centers.as_slice() {
        [only] if only == CENTER && peek.accounts.iter().all(|(c, _)| c == CENTER) => {
            if accounts(CENTER) {
                Found::Demo
            } else {
                Found::Unfinished
            }
        }
        [] => Found::Other("it holds no center's activity".into()),
        centers => Found::Other(format!("it holds the centers {}", centers.join(", "))),
    })
}

/// Removes a demo's database file and its write-ahead log.
fn remove(path: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                    "cannot remove {}: {e}",
                    PathBuf::from(name).display()
                ));
            }
        }
    }
    Ok(())
}

pub fn run(args: &DemoArgs, clock: &dyn Clock) -> ExitCode {
    if !(1..=super::sim::MAX_DAYS).contains(&args.days) {
        return bad_input(format!(
            "--days {} must be from 1 to {}",
            args.days,
            super::sim::MAX_DAYS
        ));
    }
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    runtime().block_on(async {
        // Listen first: a port in use is said at once, not after a minute of seeding.
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(listener) => listener,
            Err(err) => return failed(format!("cannot listen on {}: {err}", args.listen)),
        };
        let found = match inspect(&args.db).await {
            Ok(found) => found,
            Err(problem) => return failed(problem),
        };
        let seed = match found {
            Found::Other(what) => {
                return failed(format!(
                    "{} is not a demo database ({what}); haoban demo only reuses or replaces \
                     its own: choose another --db",
                    args.db.display()
                ));
            }
            Found::Demo if !args.fresh => false,
            Found::Demo | Found::Unfinished => {
                if let Err(problem) = remove(&args.db) {
                    return failed(problem);
                }
                true
            }
            Found::Nothing => true,
        };
        let vault = match super::server::data_keys(None, Some(&args.db)) {
            Ok(vault) => vault,
            Err(err) => return failed(format!("{}: {err}", args.db.display())),
        };
        let store: Arc<dyn Store> = match SqliteStore::open(&args.db, vault).await {
            Ok(store) => Arc::new(store),
            Err(err) => return failed(format!("{}: {err}", args.db.display())),
        };
        if seed {
            if let Err(problem) = seed_demo(&store, &catalog, args, clock).await {
                return failed(problem);
            }
        } else {
            eprintln!(
                "reusing the demo in {} as it was seeded (--fresh seeds a new one ending now)",
                args.db.display()
            );
        }
        let address = listener.local_addr().map_or(args.listen, |a| a);
        println!("haoban is serving http://{address}/");
        println!(
            "  the demo center `{CENTER}` in SQLite {}",
            args.db.display()
        );
        if let Err(problem) = print_accounts(&store, address).await {
            return failed(problem);
        }
        serve_on(listener, store, catalog, haoban_web::WebConfig::default()).await
    })
}

/// Seeds a year (or `--days`) of the demo center, then its accounts: the accounts come
/// last, so a file with none is known to be unfinished.
async fn seed_demo(
    store: &Arc<dyn Store>,
    catalog: &Catalog,
    args: &DemoArgs,
    clock: &dyn Clock,
) -> Result<(), String> {
    let now = clock.now();
    let center = CenterId::parse(CENTER).map_err(|e| e.to_string())?;
    let scenario = Scenario::default();
    let first = now.date_naive() - chrono::Duration::days(i64::from(args.days));
    let model = Model::new(scenario, catalog, args.seed, first).map_err(|e| e.to_string())?;
    let days = until_now(now, args.days, &model);
    let roster = model.roster.clone();
    eprintln!(
        "seeding {} with {} days of a simulated center (seed {}) ...",
        args.db.display(),
        days.len(),
        args.seed
    );
    // The final line, with the cases recorded per second, goes to standard error.
    super::sim::record(
        store.clone(),
        catalog,
        center.clone(),
        model,
        &days,
        "seeding",
    )
    .await
    .map_err(|e| format!("seeding the demo: {e}"))?;
    // The 24-hour area's pickup cabinet, so results can be delivered there from the start.
    let cabinet =
        haoban_hall::Cabinet::new("A", "24小时自助区", 16, 6, 2).map_err(|e| e.to_string())?;
    let by = haoban_store::By {
        actor: roster
            .staff
            .iter()
            .find(|m| m.role == Role::SystemAdmin)
            .map_or_else(|| "admin".to_owned(), |m| m.username.clone()),
        role: Role::SystemAdmin,
        at: now,
    };
    store
        .install_cabinet(&center, &cabinet, by)
        .await
        .map_err(|e| format!("installing the demo's cabinet: {e}"))?;
    let hash = haoban_web::hash_password(PASSWORD).map_err(|e| e.to_string())?;
    // The simulated center has no use for a security administrator; the demo's visitors do.
    let security = (SECURITY_ADMIN.to_owned(), Role::SecurityAdmin);
    let members = roster.staff.iter().map(|m| (m.username.clone(), m.role));
    for (username, role) in members.chain([security]) {
        let user = User {
            username: username.clone(),
            role,
            center: center.clone(),
            password_hash: hash.clone(),
            disabled: false,
            totp_secret: None,
            created_at: now,
        };
        store
            .create_user(&user)
            .await
            .map_err(|e| format!("creating the account {username}: {e}"))?;
    }
    Ok(())
}

/// What each role opens first.
fn start_page(role: Role) -> &'static str {
    match role {
        Role::Desk => "/desk",
        Role::Clerk => "/window",
        Role::Office => "/office",
        Role::Supervisor => "/reports",
        Role::SystemAdmin | Role::SecurityAdmin => "/admin",
        Role::Auditor | Role::Resident => "/api/v1/audit/verify",
    }
}

async fn print_accounts(store: &Arc<dyn Store>, address: SocketAddr) -> Result<(), String> {
    let center = CenterId::parse(CENTER).map_err(|e| e.to_string())?;
    let read = |e| format!("reading the demo's accounts: {e}");
    // The administrators sign in with a TOTP code; a demo seeded before they did gets keys.
    for user in store.users(&center).await.map_err(read)? {
        if user.role.is_admin() && user.totp_secret.is_none() {
            let key = TotpSecret::generate().to_base32();
            store
                .set_totp_secret(&user.username, Some(&key))
                .await
                .map_err(|e| format!("issuing {} a TOTP key: {e}", user.username))?;
        }
    }
    let mut users = store.users(&center).await.map_err(read)?;
    users.sort_by_key(|u| (u.role, u.username.clone()));
    println!("  sign in at http://{address}/login; every account's password is `{PASSWORD}`:");
    for user in &users {
        let key = user
            .totp_secret
            .as_ref()
            .map(|key| format!("  TOTP key {key}"))
            .unwrap_or_default();
        println!(
            "    {:<11} {:<12} http://{address}{}{key}",
            user.role.as_str(),
            user.username,
            start_page(user.role)
        );
    }
    println!(
        "  administrators also type their authenticator app's code; `haoban admin totp-code --key KEY` prints it"
    );
    println!("  the hall board (no sign-in): http://{address}/board?center={CENTER}");
    println!("  the 24-hour kiosk (no sign-in): http://{address}/kiosk?center={CENTER}");
    println!(
        "  the resident portal: http://{address}/portal?center={CENTER} (the sign-in code is in the log)"
    );
    Ok(())
}
