//! Times the daily retention run (`Store::purge_personal_data`) on a copy of a database,
//! as if every case over were past its retention: the first run erases the whole history
//! (the worst case, a first run on an old database), the second is the run of any later
//! day with nothing new to erase. `bench/retention.sh` seeds a demo and runs this.
//!
//! `cargo run --release -p haoban-store-sqlite --example retention -- DB KEY_FILE`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use haoban_cases::{Clock, SystemClock};
use haoban_store::Store;
use haoban_store::access::Expiry;
use haoban_store::vault::load_key_file;
use haoban_store_sqlite::SqliteStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(db), Some(keys)) = (args.next(), args.next()) else {
        return Err("usage: retention DB KEY_FILE (the database is changed: give a copy)".into());
    };
    let (vault, _) = load_key_file(&keys, false)?;
    let store = SqliteStore::open(&db, Arc::new(vault))
        .await
        .map_err(|e| e.to_string())?;
    let now = SystemClock.now() + Duration::days(1);
    let expiry = Expiry {
        now,
        personal_before: now,
        idle_before: now - Duration::minutes(30),
        started_before: now - Duration::hours(12),
        access_log_before: now - Duration::days(180),
        actor: "bench".into(),
    };
    for run in ["first run (the whole history)", "next day's run"] {
        let started = Instant::now();
        let purged = store
            .purge_personal_data(&expiry)
            .await
            .map_err(|e| e.to_string())?;
        println!("{run}: {:?}: {}", started.elapsed(), purged.summary());
    }
    Ok(())
}
