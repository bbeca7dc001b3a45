//! What the access log costs a request: every audited request appends one chained record in
//! its own transaction, after the handler's. Appends `RECORDS` records into a fresh SQLite
//! file (WAL, synchronous=FULL, as the server runs it) from 1 and from 4 concurrent
//! writers, and prints the rate and the latency of an append.
//!
//! `cargo run --release -p haoban-store-sqlite --example access_log [RECORDS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use haoban_cases::{Clock, SystemClock};
use haoban_store::Store;
use haoban_store::access::{AccessRecord, Outcome};
use haoban_store::vault::Vault;
use haoban_store_sqlite::SqliteStore;

fn record(n: usize) -> AccessRecord {
    AccessRecord {
        at: SystemClock.now(),
        actor: format!("clerk-{}", n % 20),
        role: "clerk".into(),
        center: "linfen".into(),
        action: "POST /api/v1/cases/{number}/actions/{action}".into(),
        object: format!("number=linfen-20261202-{:04} action=accept", n % 10_000),
        status: 200,
        outcome: Outcome::Allowed,
        source: "10.0.0.7".into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let records: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|e| format!("RECORDS `{n}`: {e}"))?,
        None => 2_000,
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = SqliteStore::open(&dir.path().join("bench.db"), Arc::new(Vault::for_tests()))
        .await
        .map_err(|e| e.to_string())?;
    let store: Arc<dyn Store> = Arc::new(store);
    for writers in [1, 4] {
        let started = Instant::now();
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut took = Vec::new();
                    for n in (w..records).step_by(writers) {
                        let at = Instant::now();
                        store
                            .append_access(&record(n))
                            .await
                            .map_err(|e| e.to_string())?;
                        took.push(at.elapsed());
                    }
                    Ok::<_, String>(took)
                })
            })
            .collect();
        let mut took = Vec::new();
        for task in tasks {
            took.extend(task.await.map_err(|e| e.to_string())??);
        }
        let elapsed = started.elapsed();
        took.sort_unstable();
        println!(
            "{writers} writer(s): {records} appends in {elapsed:.2?}: {:.0}/s; an append p50 {:.2?}, p99 {:.2?}",
            records as f64 / elapsed.as_secs_f64(),
            percentile(&took, 0.5),
            percentile(&took, 0.99),
        );
    }
    let (chain, head) = store.access_chain().await.map_err(|e| e.to_string())?;
    haoban_store::access::verify(&chain, head).map_err(|e| format!("the chain: {e:?}"))?;
    println!("the log: {} records, one verified chain", chain.len());
    Ok(())
}
