//! Personal data at rest on SQLite: the contract's checks, with the database file and its
//! WAL read as bytes.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use haoban_store::contract::personal_data::Reopen;
use haoban_store::vault::Vault;
use haoban_store::{Store, StoreResult};
use haoban_store_sqlite::SqliteStore;

struct File(PathBuf);

#[async_trait]
impl Reopen for File {
    async fn open(&self, vault: Arc<Vault>) -> StoreResult<Arc<dyn Store>> {
        Ok(Arc::new(SqliteStore::open(&self.0, vault).await?))
    }

    async fn raw(&self) -> String {
        let mut bytes = std::fs::read(&self.0).expect("database file");
        let mut wal = self.0.as_os_str().to_owned();
        wal.push("-wal");
        bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

async fn fresh() -> Box<dyn Reopen> {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Box::new(File(dir.join("haoban.db")))
}

haoban_store::personal_data_suite!(fresh);
