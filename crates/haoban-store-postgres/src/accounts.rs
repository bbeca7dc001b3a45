//! Staff accounts, sessions and residents' sign-in codes.

use chrono::{DateTime, Utc};
use haoban_cases::CenterId;
use haoban_store::codec::lookup;
use haoban_store::vault::Vault;
use haoban_store::{LoginCode, Session, SessionKind, StoreError, StoreResult, User};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PostgresStore, center, db, role, small_count};

pub(crate) async fn create_user(store: &PostgresStore, user: &User) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (center, username, role, password_hash, disabled, totp_secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user.center.as_ref())
    .bind(&user.username)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(user.disabled)
    .bind(
        user.totp_secret
            .as_deref()
            .map(|key| store.vault.seal_totp(&user.username, key)),
    )
    .bind(user.created_at)
    .execute(&store.pool)
    .await
    .map_err(|e| match db(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("user `{}` already exists", user.username)),
        other => other,
    })?;
    Ok(())
}

pub(crate) async fn user(store: &PostgresStore, username: &str) -> StoreResult<Option<User>> {
    sqlx::query("SELECT * FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(|row| user_from_row(&store.vault, row))
        .transpose()
}

pub(crate) async fn users(store: &PostgresStore, center: &CenterId) -> StoreResult<Vec<User>> {
    sqlx::query("SELECT * FROM users WHERE center = $1 ORDER BY username COLLATE \"C\"")
        .bind(center.as_ref())
        .fetch_all(&store.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| user_from_row(&store.vault, row))
        .collect()
}

pub(crate) async fn sign_in_locked_until(
    store: &PostgresStore,
    username: &str,
    source: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    let row = sqlx::query(
        "SELECT locked_until FROM sign_in_failures WHERE username = $1 AND source = $2",
    )
    .bind(username)
    .bind(source)
    .fetch_optional(&store.pool)
    .await
    .map_err(db)?;
    Ok(row.and_then(|row| row.get::<Option<DateTime<Utc>>, _>("locked_until")))
}

pub(crate) async fn sign_in_failed(
    store: &PostgresStore,
    username: &str,
    source: &str,
    lock_after: u32,
    lock_until: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    // A failure after a lock has run out starts the count again.
    sqlx::query(
        "INSERT INTO sign_in_failures (username, source, failures, locked_until)
         VALUES ($1, $2, 1, NULL)
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
        "UPDATE sign_in_failures SET locked_until = $1
         WHERE username = $2 AND source = $3 AND failures >= $4",
    )
    .bind(lock_until)
    .bind(username)
    .bind(source)
    .bind(i64::from(lock_after))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn sign_in_succeeded(
    store: &PostgresStore,
    username: &str,
    source: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE username = $1 AND source = $2")
        .bind(username)
        .bind(source)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn set_totp_secret(
    store: &PostgresStore,
    username: &str,
    secret: Option<&str>,
) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE username = $2")
            .bind(secret.map(|key| store.vault.seal_totp(username, key)))
            .bind(username)
            .execute(&store.pool)
            .await
            .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user `{username}`")));
    }
    Ok(())
}

pub(crate) async fn claim_totp_step(
    store: &PostgresStore,
    username: &str,
    step: i64,
) -> StoreResult<bool> {
    // One statement, so two sign-ins racing with the same code cannot both win.
    let done = sqlx::query(
        "UPDATE users SET totp_last_step = $1
         WHERE username = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(username)
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn disable_user(store: &PostgresStore, username: &str) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("UPDATE users SET disabled = TRUE WHERE username = $1")
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user `{username}`")));
    }
    sqlx::query("DELETE FROM sessions WHERE subject = $1 AND role <> 'resident'")
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn create_session(store: &PostgresStore, session: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (center, id_hash, kind, subject, role, created_at, last_seen, csrf_token,
             assisted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(session.center.as_ref())
    .bind(&session.id_hash)
    .bind(session.kind.as_str())
    .bind(store.vault.seal_field(&session.subject))
    .bind(session.role.as_str())
    .bind(session.created_at)
    .bind(session.last_seen)
    .bind(&session.csrf_token)
    .bind(&session.assisted_by)
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn session(store: &PostgresStore, id_hash: &str) -> StoreResult<Option<Session>> {
    sqlx::query("SELECT * FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(|row| session_from_row(&store.vault, row))
        .transpose()
}

pub(crate) async fn touch_session(
    store: &PostgresStore,
    id_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
        .bind(at)
        .bind(id_hash)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn delete_session(store: &PostgresStore, id_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn put_login_code(store: &PostgresStore, code: &LoginCode) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO login_codes (center, id_number, code_hash, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id_number) DO UPDATE SET center = EXCLUDED.center,
             code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at,
             attempts = EXCLUDED.attempts",
    )
    .bind(code.center.as_ref())
    .bind(lookup(&store.vault, &code.id_number))
    .bind(&code.code_hash)
    .bind(code.expires_at)
    .bind(i64::from(code.attempts))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn login_code_attempt(
    store: &PostgresStore,
    id_number: &str,
) -> StoreResult<Option<LoginCode>> {
    let row = sqlx::query(
        "UPDATE login_codes SET attempts = attempts + 1 WHERE id_number = $1
         RETURNING center, id_number, code_hash, expires_at, attempts",
    )
    .bind(lookup(&store.vault, id_number))
    .fetch_optional(&store.pool)
    .await
    .map_err(db)?;
    row.map(|row| {
        Ok(LoginCode {
            center: center(row.get("center"))?,
            id_number: id_number.to_owned(),
            code_hash: row.get("code_hash"),
            expires_at: row.get("expires_at"),
            attempts: small_count(row.get("attempts"), "code attempts")?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_login_code(store: &PostgresStore, id_number: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_codes WHERE id_number = $1")
        .bind(lookup(&store.vault, id_number))
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(())
}

fn user_from_row(vault: &Vault, row: &PgRow) -> StoreResult<User> {
    let username: String = row.get("username");
    Ok(User {
        username: username.clone(),
        role: role(row.get("role"))?,
        center: center(row.get("center"))?,
        password_hash: row.get("password_hash"),
        disabled: row.get("disabled"),
        totp_secret: row
            .get::<Option<String>, _>("totp_secret")
            .map(|sealed| vault.open_totp(&username, &sealed))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("the TOTP key of {username}: {e}")))?,
        created_at: row.get("created_at"),
    })
}

fn session_from_row(vault: &Vault, row: &PgRow) -> StoreResult<Session> {
    let kind: &str = row.get("kind");
    Ok(Session {
        id_hash: row.get("id_hash"),
        kind: SessionKind::parse(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("session kind `{kind}`")))?,
        subject: vault
            .open_field(row.get("subject"))
            .map_err(|e| StoreError::Corrupt(format!("session subject: {e}")))?,
        role: role(row.get("role"))?,
        center: center(row.get("center"))?,
        created_at: row.get("created_at"),
        last_seen: row.get("last_seen"),
        csrf_token: row.get("csrf_token"),
        assisted_by: row.get("assisted_by"),
    })
}
