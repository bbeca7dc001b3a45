//! `haoban backup` and `haoban restore`: a consistent copy of the whole store, taken while
//! the server runs, and put back only after its process record is proved intact.
//!
//! SQLite: `VACUUM INTO` (one snapshot of the WAL database) into a new file; a restore
//! copies the backup beside the target, verifies it there and only then renames it into
//! place, so a bad backup never replaces anything. PostgreSQL: `pg_dump --format=custom`
//! (one repeatable-read snapshot) and `pg_restore` into an empty database, verified after.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use clap::Args;
use haoban_store::vault::{Vault, default_key_file, load_key_file};
use haoban_store_postgres::{PostgresStore, redact_url};
use haoban_store_sqlite::SqliteStore;

use super::bad_input;
use super::server::{Database, Unverified, failed, runtime, verify_record};

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    database: Database,
    /// Where to write the backup; it must not exist yet.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore.
    #[arg(long = "in")]
    input: PathBuf,
    /// Where to: an SQLite file that does not exist yet, or an empty PostgreSQL database.
    #[command(flatten)]
    database: Database,
}

/// A PostgreSQL custom-format dump starts with these bytes.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

pub fn backup(args: &BackupArgs) -> ExitCode {
    if args.out.exists() {
        return bad_input(format!(
            "{} already exists; a backup never overwrites a file",
            args.out.display()
        ));
    }
    let written = match &args.database.database_url {
        Some(url) => pg_dump(url, &args.out),
        None => match args.database.vault() {
            Ok(vault) => runtime().block_on(sqlite_backup(&args.database.db, vault, &args.out)),
            Err(err) => Err(err.to_string()),
        },
    };
    match written {
        Ok(summary) => {
            println!("backup written to {}: {summary}", args.out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Nothing half-written is left behind to be mistaken for a backup.
            let _ = std::fs::remove_file(&args.out);
            failed(err)
        }
    }
}

async fn sqlite_backup(db: &Path, vault: Arc<Vault>, out: &Path) -> Result<String, String> {
    if !db.is_file() {
        return Err(format!("database file {} not found", db.display()));
    }
    let store = SqliteStore::open(db, vault.clone())
        .await
        .map_err(|e| format!("SQLite {}: {e}", db.display()))?;
    store
        .backup_to(out)
        .await
        .map_err(|e| format!("backing up {}: {e}", db.display()))?;
    // The copy is checked like a restore would check it, so a backup that says it was
    // written is one that can be put back.
    let copy = SqliteStore::open(out, vault)
        .await
        .map_err(|e| format!("the backup {} cannot be opened: {e}", out.display()))?;
    verified(&copy).await
}

async fn verified(store: &dyn haoban_store::Store) -> Result<String, String> {
    match verify_record(store, false).await {
        Ok(intact) => Ok(intact.summary()),
        Err(Unverified::Tampered(broken)) => Err(format!("TAMPERED: {broken}")),
        Err(Unverified::Unreadable(err)) => Err(err),
    }
}

fn pg_dump(url: &str, out: &Path) -> Result<String, String> {
    let shown = redact_url(url);
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(out)
        .arg(url)
        .output()
        .map_err(|e| format!("pg_dump could not be run (is postgresql-client installed?): {e}"))?;
    if !dumped.status.success() {
        return Err(format!(
            "pg_dump of {shown} failed: {}",
            String::from_utf8_lossy(&dumped.stderr).trim()
        ));
    }
    let listed = Command::new("pg_restore")
        .arg("--list")
        .arg(out)
        .output()
        .map_err(|e| format!("pg_restore could not be run: {e}"))?;
    if !listed.status.success() {
        return Err(format!(
            "the dump of {shown} cannot be read back: {}",
            String::from_utf8_lossy(&listed.stderr).trim()
        ));
    }
    let entries = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| !line.starts_with(';') && !line.trim().is_empty())
        .count();
    Ok(format!("a PostgreSQL dump of {shown} ({entries} objects)"))
}

/// What kind of backup a file is, by its first bytes.
enum Kind {
    Sqlite,
    PgDump,
}

fn kind_of(path: &Path) -> Result<Kind, String> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut head))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if SqliteStore::is_sqlite_file(path).map_err(|e| format!("{}: {e}", path.display()))? {
        Ok(Kind::Sqlite)
    } else if head[..read].starts_with(PG_DUMP_MAGIC) {
        Ok(Kind::PgDump)
    } else {
        Err(format!(
            "{} is neither an SQLite backup nor a PostgreSQL dump",
            path.display()
        ))
    }
}

pub fn restore(args: &RestoreArgs) -> ExitCode {
    let kind = match kind_of(&args.input) {
        Ok(kind) => kind,
        Err(err) => return bad_input(err),
    };
    let vault = match restore_keys(&args.database) {
        Ok(vault) => vault,
        Err(err) => return bad_input(err),
    };
    let restored = match (&args.database.database_url, kind) {
        (None, Kind::Sqlite) => {
            runtime().block_on(sqlite_restore(&args.input, &args.database.db, vault))
        }
        (Some(url), Kind::PgDump) => runtime().block_on(pg_restore(&args.input, url, vault)),
        (None, Kind::PgDump) => {
            return bad_input(format!(
                "{} is a PostgreSQL dump: restore it with --database-url",
                args.input.display()
            ));
        }
        (Some(_), Kind::Sqlite) => {
            return bad_input(format!(
                "{} is an SQLite backup: restore it with --db PATH",
                args.input.display()
            ));
        }
    };
    match restored {
        Ok(summary) => {
            println!("restored into {}: {summary}", args.database.describe());
            ExitCode::SUCCESS
        }
        Err(err) => failed(err),
    }
}

/// The keys a backup was written with: the configured key file, or for SQLite one already
/// put beside the target. Never new keys: they could not open what the backup holds.
fn restore_keys(database: &Database) -> Result<Arc<Vault>, String> {
    let path = match (&database.data_key_file, &database.database_url) {
        (Some(path), _) => path.clone(),
        (None, None) => default_key_file(&database.db),
        (None, Some(_)) => {
            return Err(
                "give the data key file the dump was written with: --data-key-file or \
                 HAOBAN_DATA_KEY_FILE (docs/personal-data.md)"
                    .into(),
            );
        }
    };
    if !path.exists() {
        return Err(format!(
            "no data key file {}: give the one the backup was written with (--data-key-file, \
             HAOBAN_DATA_KEY_FILE), or put it there (docs/personal-data.md)",
            path.display()
        ));
    }
    let (vault, _) = load_key_file(&path, false)?;
    Ok(Arc::new(vault))
}

async fn sqlite_restore(input: &Path, target: &Path, vault: Arc<Vault>) -> Result<String, String> {
    if target.exists() {
        return Err(format!(
            "{} exists: a restore never replaces a database; move it away (or choose another --db)",
            target.display()
        ));
    }
    let mut staging = target.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(input, &staging).map_err(|e| {
        format!(
            "copying {} beside {}: {e}",
            input.display(),
            target.display()
        )
    })?;
    let checked = async {
        let store = SqliteStore::open(&staging, vault)
            .await
            .map_err(|e| format!("the backup {} cannot be opened: {e}", input.display()))?;
        let summary = verified(&store).await?;
        // Closed before the rename, so its WAL is checkpointed into the file that moves.
        drop(store);
        Ok::<_, String>(summary)
    }
    .await;
    match checked {
        Ok(summary) => {
            std::fs::rename(&staging, target)
                .map_err(|e| format!("moving the restored file into place: {e}"))?;
            for leftover in ["-wal", "-shm"] {
                let mut side = staging.as_os_str().to_owned();
                side.push(leftover);
                let _ = std::fs::remove_file(PathBuf::from(side));
            }
            Ok(summary)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&staging);
            Err(err)
        }
    }
}

async fn pg_restore(input: &Path, url: &str, vault: Arc<Vault>) -> Result<String, String> {
    let shown = redact_url(url);
    let store = PostgresStore::connect(url, vault)
        .await
        .map_err(|e| format!("PostgreSQL {shown}: {e}"))?;
    if store
        .has_schema()
        .await
        .map_err(|e| format!("PostgreSQL {shown}: {e}"))?
    {
        return Err(format!(
            "{shown} already holds a haoban schema: a restore goes into an empty database"
        ));
    }
    let restored = Command::new("pg_restore")
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(url)
        .arg(input)
        .output()
        .map_err(|e| {
            format!("pg_restore could not be run (is postgresql-client installed?): {e}")
        })?;
    if !restored.status.success() {
        return Err(format!(
            "pg_restore into {shown} failed: {}",
            String::from_utf8_lossy(&restored.stderr).trim()
        ));
    }
    store
        .check_ready()
        .await
        .map_err(|e| format!("PostgreSQL {shown} after the restore: {e}"))?;
    verified(&store).await
}
