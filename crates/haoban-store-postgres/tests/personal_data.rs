//! Personal data at rest on PostgreSQL: the contract's checks, with every row of every
//! table read as text. Without a reachable server these tests fail, they never skip.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use haoban_store::contract::personal_data::Reopen;
use haoban_store::vault::Vault;
use haoban_store::{Store, StoreResult};
use haoban_store_postgres::PostgresStore;
use sqlx::{Connection, PgConnection};

struct Database(String);

#[async_trait]
impl Reopen for Database {
    async fn open(&self, vault: Arc<Vault>) -> StoreResult<Arc<dyn Store>> {
        let store = PostgresStore::connect(&self.0, vault).await?;
        store.check_ready().await?;
        Ok(Arc::new(store))
    }

    async fn raw(&self) -> String {
        let mut conn = PgConnection::connect(&self.0).await.expect("connect");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        let mut all = String::new();
        for table in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            all.push_str(&rows.join("\n"));
        }
        all
    }
}

async fn fresh() -> Box<dyn Reopen> {
    Box::new(Database(common::fresh_url().await))
}

haoban_store::personal_data_suite!(fresh);
