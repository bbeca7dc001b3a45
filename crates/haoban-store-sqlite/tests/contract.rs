//! The store contract, on SQLite.

use std::sync::Arc;

use haoban_store::Store;
use haoban_store_sqlite::SqliteStore;

/// A fresh database file per test; the directory is leaked so the file outlives the store.
async fn fresh() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Arc::new(
        SqliteStore::open(
            &dir.join("haoban.db"),
            std::sync::Arc::new(haoban_store::vault::Vault::for_tests()),
        )
        .await
        .expect("open store"),
    )
}

haoban_store::contract_suite!(fresh);
