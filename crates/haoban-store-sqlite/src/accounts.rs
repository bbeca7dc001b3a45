//! Staff accounts, sessions and residents' sign-in codes.

use chrono::{DateTime, Utc};
use haoban_cases::{CenterId, Role};
use haoban_store::codec::lookup;
use haoban_store::vault::Vault;
use haoban_store::{LoginCode, Session, SessionKind, StoreError, StoreResult, User};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, db, parse_time, time};

pub(crate) async fn create_user(store: &SqliteStore, user: &User) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (center, username, role, password_hash, disabled, totp_secret, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user.center.as_ref())
    .bind(&user.username)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(i64::from(user.disabled))
    .bind(
        user.totp_secret
            .as_deref()
            .map(|key| store.vault.seal_totp(&user.username, key)),
    )
    .bind(time(user.created_at))
    .execute(&store.writer)
    .await
    .map_err(|e| match db(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("user `{}` already exists", user.username)),
        other => other,
    })?;
    Ok(())
}

pub(crate) async fn user(store: &SqliteStore, username: &str) -> StoreResult<Option<User>> {
    sqlx::query("SELECT * FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?
        .as_ref()
        .map(|row| user_from_row(&store.vault, row))
        .transpose()
}

pub(crate) async fn users(store: &SqliteStore, center: &CenterId) -> StoreResult<Vec<User>> {
    sqlx::query("SELECT * FROM users WHERE center = ? ORDER BY username")
        .bind(center.as_ref())
        .fetch_all(&store.reader)
        .await
        .map_err(db)?
        .iter()
        .map(|row| user_from_row(&store.vault, row))
        .collect()
}

pub(crate) async fn sign_in_locked_until(
    store: &SqliteStore,
    username: &str,
    source: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    let row =
        sqlx::query("SELECT locked_until FROM sign_in_failures WHERE username = ? AND source = ?")
            .bind(username)
            .bind(source)
            .fetch_optional(&store.reader)
            .await
            .map_err(db)?;
    row.and_then(|row| row.get::<Option<String>, _>("locked_until"))
        .map(|t| parse_time(&t))
        .transpose()
}

pub(crate) async fn sign_in_failed(
    store: &SqliteStore,
    username: &str,
    source: &str,
    lock_after: u32,
    lock_until: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    // A failure after a lock has run out starts the count again.
    sqlx::query(
        "INSERT INTO sign_in_failures (username, source, failures, locked_until)
         VALUES (?, ?, 1, NULL)
         ON CONFLICT (username, source) DO UPDATE SET
             failures = CASE WHEN sign_in_failures.locked_until IS NULL
                             THEN sign_in_failures.failures + 1 ELSE 1 END,
             locked_until = NULL",
    )
    .bind(username)
    .bind(source)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    sqlx::query(
        "UPDATE sign_in_failures SET locked_until = ?
         WHERE username = ? AND source = ? AND failures >= ?",
    )
    .bind(time(lock_until))
    .bind(username)
    .bind(source)
    .bind(i64::from(lock_after))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn sign_in_succeeded(
    store: &SqliteStore,
    username: &str,
    source: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE username = ? AND source = ?")
        .bind(username)
        .bind(source)
        .execute(&store.writer)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn set_totp_secret(
    store: &SqliteStore,
    username: &str,
    secret: Option<&str>,
) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE username = ?")
            .bind(secret.map(|key| store.vault.seal_totp(username, key)))
            .bind(username)
            .execute(&store.writer)
            .await
            .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user `{username}`")));
    }
    Ok(())
}

pub(crate) async fn claim_totp_step(
    store: &SqliteStore,
    username: &str,
    step: i64,
) -> StoreResult<bool> {
    // One statement, so two sign-ins racing with the same code cannot both win.
    let done = sqlx::query(
        "UPDATE users SET totp_last_step = ?
         WHERE username = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
    )
    .bind(step)
    .bind(username)
    .bind(step)
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn disable_user(store: &SqliteStore, username: &str) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("UPDATE users SET disabled = 1 WHERE username = ?")
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user `{username}`")));
    }
    sqlx::query("DELETE FROM sessions WHERE subject = ? AND role != 'resident'")
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn create_session(store: &SqliteStore, session: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (center, id_hash, kind, subject, role, created_at, last_seen, csrf_token,
             assisted_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(session.center.as_ref())
    .bind(&session.id_hash)
    .bind(session.kind.as_str())
    .bind(store.vault.seal_field(&session.subject))
    .bind(session.role.as_str())
    .bind(time(session.created_at))
    .bind(time(session.last_seen))
    .bind(&session.csrf_token)
    .bind(&session.assisted_by)
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn session(store: &SqliteStore, id_hash: &str) -> StoreResult<Option<Session>> {
    sqlx::query("SELECT * FROM sessions WHERE id_hash = ?")
        .bind(id_hash)
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?
        .as_ref()
        .map(|row| session_from_row(&store.vault, row))
        .transpose()
}

pub(crate) async fn touch_session(
    store: &SqliteStore,
    id_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen = ? WHERE id_hash = ?")
        .bind(time(at))
        .bind(id_hash)
        .execute(&store.writer)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn delete_session(store: &SqliteStore, id_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(id_hash)
        .execute(&store.writer)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn put_login_code(store: &SqliteStore, code: &LoginCode) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO login_codes (center, id_number, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id_number) DO UPDATE SET center = excluded.center, code_hash = excluded.code_hash,
             expires_at = excluded.expires_at, attempts = excluded.attempts",
    )
    .bind(code.center.as_ref())
    .bind(lookup(&store.vault, &code.id_number))
    .bind(&code.code_hash)
    .bind(time(code.expires_at))
    .bind(i64::from(code.attempts))
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn login_code_attempt(
    store: &SqliteStore,
    id_number: &str,
) -> StoreResult<Option<LoginCode>> {
    let row = sqlx::query(
        "UPDATE login_codes SET attempts = attempts + 1 WHERE id_number = ?
         RETURNING center, id_number, code_hash, expires_at, attempts",
    )
    .bind(lookup(&store.vault, id_number))
    .fetch_optional(&store.writer)
    .await
    .map_err(db)?;
    row.map(|row| {
        Ok(LoginCode {
            center: CenterId::parse(&row.get::<String, _>("center"))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            id_number: id_number.to_owned(),
            code_hash: row.get("code_hash"),
            expires_at: parse_time(&row.get::<String, _>("expires_at"))?,
            attempts: row.get::<i64, _>("attempts") as u32,
        })
    })
    .transpose()
}

pub(crate) async fn delete_login_code(store: &SqliteStore, id_number: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_codes WHERE id_number = ?")
        .bind(lookup(&store.vault, id_number))
        .execute(&store.writer)
        .await
        .map_err(db)?;
    Ok(())
}

fn user_from_row(vault: &Vault, row: &SqliteRow) -> StoreResult<User> {
    let username: String = row.get("username");
    let role: String = row.get("role");
    let center: String = row.get("center");
    Ok(User {
        username: username.clone(),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        center: CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: row.get("password_hash"),
        disabled: row.get::<i64, _>("disabled") != 0,
        totp_secret: row
            .get::<Option<String>, _>("totp_secret")
            .map(|sealed| vault.open_totp(&username, &sealed))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("the TOTP key of {username}: {e}")))?,
        created_at: parse_time(&row.get::<String, _>("created_at"))?,
    })
}

fn session_from_row(vault: &Vault, row: &SqliteRow) -> StoreResult<Session> {
    let role: String = row.get("role");
    let kind: String = row.get("kind");
    let center: String = row.get("center");
    Ok(Session {
        id_hash: row.get("id_hash"),
        kind: SessionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("session kind `{kind}`")))?,
        subject: vault
            .open_field(row.get("subject"))
            .map_err(|e| StoreError::Corrupt(format!("session subject: {e}")))?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        center: CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: parse_time(&row.get::<String, _>("created_at"))?,
        last_seen: parse_time(&row.get::<String, _>("last_seen"))?,
        csrf_token: row.get("csrf_token"),
        assisted_by: row.get("assisted_by"),
    })
}
