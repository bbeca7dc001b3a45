//! Re-sealing personal data under the key file's current key (docs/personal-data.md):
//! the values an older key sealed, up to a batch of rows per transaction. The process
//! record's text and hashes are never touched: only `events.personal` and the columns
//! that hold values sealed in place.

use haoban_store::vault::{SEALED_COLUMNS, VaultError};
use haoban_store::{StoreError, StoreResult};
use sqlx::Row;

use crate::{PostgresStore, db};

fn unopened(what: &str) -> impl Fn(VaultError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) async fn reseal(store: &PostgresStore, batch: u32) -> StoreResult<u64> {
    let vault = &*store.vault;
    let mut tx = store.write().await?;
    let mut done: u64 = 0;
    for old in vault.old_keys() {
        let pattern = format!("%v1:{old}:%");
        for (table, column) in SEALED_COLUMNS {
            let left = i64::from(batch).saturating_sub(done as i64);
            if left <= 0 {
                break;
            }
            // Locked rows keep their ctid until this transaction ends.
            let rows = sqlx::query(&format!(
                "SELECT ctid::text, {column} FROM {table} WHERE {column} LIKE $1 LIMIT $2
                 FOR UPDATE"
            ))
            .bind(&pattern)
            .bind(left)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            for row in rows {
                let text: String = row.get(1);
                let what = format!("{table}.{column}");
                let resealed = if column == "subject" {
                    vault.reseal_field(&text)
                } else {
                    vault.reseal_inline(&text)
                }
                .map_err(unopened(&what))?;
                sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1 WHERE ctid = $2::tid"
                ))
                .bind(resealed)
                .bind(row.get::<String, _>(0))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                done += 1;
            }
        }
        let left = i64::from(batch).saturating_sub(done as i64);
        if left > 0 {
            let rows = sqlx::query(
                "SELECT center, seq, hash, personal FROM events WHERE personal LIKE $1 LIMIT $2
                 FOR UPDATE",
            )
            .bind(format!("v1:{old}:%"))
            .bind(left)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            for row in rows {
                let (center, seq): (String, i64) = (row.get(0), row.get(1));
                let what = format!("record entry {seq} of {center}");
                let resealed = vault
                    .reseal_values(row.get(2), row.get(3))
                    .map_err(unopened(&what))?;
                sqlx::query("UPDATE events SET personal = $1 WHERE center = $2 AND seq = $3")
                    .bind(resealed)
                    .bind(&center)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                done += 1;
            }
        }
    }
    // Staff accounts' TOTP keys, each bound to its username.
    for old in vault.old_keys() {
        let left = i64::from(batch).saturating_sub(done as i64);
        if left <= 0 {
            break;
        }
        let rows = sqlx::query(
            "SELECT username, totp_secret FROM users WHERE totp_secret LIKE $1 LIMIT $2",
        )
        .bind(format!("v1:{old}:%"))
        .bind(left)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        for row in rows {
            let username: String = row.get(0);
            let resealed = vault
                .reseal_totp(&username, row.get(1))
                .map_err(unopened("users.totp_secret"))?;
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE username = $2")
                .bind(resealed)
                .bind(&username)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            done += 1;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(done)
}
