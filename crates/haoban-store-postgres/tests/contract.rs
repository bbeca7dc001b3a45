//! The store contract, on PostgreSQL: every test gets a new, empty, migrated database
//! (see `common`). Without a reachable server these tests fail, they never skip.

mod common;

use std::sync::Arc;

use haoban_store::Store;
use haoban_store_postgres::PostgresStore;

async fn fresh() -> Arc<dyn Store> {
    let url = common::fresh_url().await;
    Arc::new(
        PostgresStore::connect(&url)
            .await
            .expect("connect to the test database"),
    )
}

haoban_store::contract_suite!(fresh);
