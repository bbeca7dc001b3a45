//! The store contract, on PostgreSQL: every test gets a new, empty, migrated database
//! (see `common`). Without a reachable server these tests fail, they never skip.

mod common;

use std::sync::Arc;

use haoban_store::Store;
use haoban_store_postgres::PostgresStore;

async fn fresh() -> Arc<dyn Store> {
    let url = common::fresh_url().await;
    let store = PostgresStore::connect(&url, Arc::new(haoban_store::vault::Vault::for_tests()))
        .await
        .expect("connect to the test database");
    store.check_data_key().await.expect("the test keys");
    Arc::new(store)
}

haoban_store::contract_suite!(fresh);
