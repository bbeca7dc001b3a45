//! History in bulk (`Store::import_history`): one `BEGIN IMMEDIATE` transaction that reads
//! what `haoban_store::history` needs, lets it decide, and writes the rows and entries it
//! returns. Only the SQL is here.

use std::collections::BTreeMap;

use haoban_cases::CenterId;
use haoban_hall::Visitor;
use haoban_store::codec::{case_from_state, from_sealed_state, lookup, sealed_state};
use haoban_store::history::{self, History, Imported, Loaded};
use haoban_store::vault::Vault;
use haoban_store::{StoreError, StoreResult};
use sqlx::{Acquire, SqliteConnection};

use crate::feedback::{insert_rating, save_follow_up};
use crate::hall::{day_tickets, insert_ticket_row, update_ticket};
use crate::{SqliteStore, append_drafts, db, save_case};

/// Advances a counter row by `by` and returns the last number it had before.
async fn advance(
    conn: &mut SqliteConnection,
    sql: &str,
    keys: &[String],
    by: u32,
) -> StoreResult<u32> {
    let mut query = sqlx::query_scalar::<_, i64>(sql);
    for key in keys {
        query = query.bind(key);
    }
    let last = query
        .bind(i64::from(by))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    u32::try_from(last - i64::from(by)).map_err(|_| StoreError::Corrupt("a counter".into()))
}

async fn load(
    conn: &mut SqliteConnection,
    vault: &Vault,
    center: &CenterId,
    history: &History,
) -> StoreResult<Loaded> {
    let needs = history.needs();
    let mut loaded = Loaded::default();
    for (day, opened) in &needs.opened {
        let keys = [center.to_string(), day.format("%Y%m%d").to_string()];
        let before = advance(
            conn,
            "INSERT INTO case_counters (center, day, last) VALUES (?1, ?2, ?3)
             ON CONFLICT (center, day) DO UPDATE SET last = last + ?3
             RETURNING last",
            &keys,
            *opened,
        )
        .await?;
        loaded.case_counters.insert(*day, before);
    }
    for number in &needs.cases {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM cases WHERE center = ? AND number = ?")
                .bind(center.as_ref())
                .bind(number.as_ref())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        if let Some(state) = state {
            loaded
                .cases
                .insert(number.clone(), case_from_state(vault, &state)?);
        }
    }
    for ((day, category), issued) in &needs.issued {
        let keys = [center.to_string(), day.to_string(), category.to_string()];
        let before = advance(
            conn,
            "INSERT INTO ticket_counters (center, day, category, last) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (center, day, category) DO UPDATE SET last = last + ?4
             RETURNING last",
            &keys,
            *issued,
        )
        .await?;
        loaded.ticket_counters.insert((*day, *category), before);
    }
    let mut tickets = BTreeMap::new();
    for day in &needs.ticket_days {
        tickets.insert(*day, day_tickets(conn, vault, center, *day, None).await?);
    }
    loaded.tickets = tickets;
    for id in &needs.visitors {
        let known: Option<String> =
            sqlx::query_scalar("SELECT state FROM visitors WHERE center = ? AND id_number = ?")
                .bind(center.as_ref())
                .bind(lookup(vault, id))
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        if let Some(known) = known {
            loaded.visitors.insert(
                id.clone(),
                from_sealed_state::<Visitor>(vault, "visitor", &known)?,
            );
        }
    }
    Ok(loaded)
}

impl SqliteStore {
    pub(crate) async fn history_import(&self, history: &History) -> StoreResult<Imported> {
        if history.is_empty() {
            return Ok(Imported::default());
        }
        let center = &history.center;
        let mut tx = self.write().await?;
        let conn = tx.acquire().await.map_err(db)?;
        let vault = &*self.vault;
        let loaded = load(conn, vault, center, history).await?;
        let applied = history::apply(history, loaded)?;
        for (case, stored_version) in &applied.cases {
            save_case(conn, vault, case, *stored_version).await?;
        }
        for (day, ticket, stored) in &applied.tickets {
            match stored {
                None => insert_ticket_row(conn, vault, center, *day, ticket).await?,
                Some(was) => update_ticket(conn, vault, center, *day, *was, ticket).await?,
            }
        }
        for visitor in &applied.visitors {
            sqlx::query(
                "INSERT INTO visitors (center, id_number, state) VALUES (?, ?, ?)
                 ON CONFLICT (center, id_number) DO UPDATE SET state = excluded.state",
            )
            .bind(center.as_ref())
            .bind(lookup(vault, &visitor.id_number))
            .bind(sealed_state(vault, visitor)?)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        for rated in &applied.ratings {
            insert_rating(conn, &rated.rating).await?;
            if let Some(follow_up) = &rated.follow_up {
                save_follow_up(conn, follow_up, true).await?;
            }
        }
        let imported = applied.imported(history);
        append_drafts(conn, vault, applied.drafts).await?;
        tx.commit().await.map_err(db)?;
        Ok(imported)
    }
}
