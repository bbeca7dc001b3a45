//! History in bulk (`Store::import_history`): one transaction that reads what
//! `haoban_store::history` needs, lets it decide, and writes the rows and entries it
//! returns. Only the SQL is here.
//!
//! Locks are taken in the order every other writer takes them, so none waits on another
//! in the opposite order: the case counters and the rows of cases recorded on (as case
//! writes do), then the center's chain head, then hall rows and ratings (as the hall's
//! and ratings' writes do, after the head).

use std::collections::BTreeMap;

use haoban_cases::CenterId;
use haoban_hall::Visitor;
use haoban_store::codec::{case_from_state, from_sealed_state, lookup, sealed_state};
use haoban_store::history::{self, History, Imported, Loaded};
use haoban_store::vault::Vault;
use haoban_store::{StoreError, StoreResult};
use sqlx::PgConnection;

use crate::feedback::{insert_rating, save_follow_up};
use crate::hall::{day_tickets, insert_ticket_row, update_ticket};
use crate::{PostgresStore, append_drafts, db, lock_head, save_case};

/// The last number a counter had before it was advanced by `by` (the upsert's row lock
/// holds until commit).
fn before(last: i64, by: u32) -> StoreResult<u32> {
    u32::try_from(last - i64::from(by)).map_err(|_| StoreError::Corrupt("a counter".into()))
}

async fn load(
    conn: &mut PgConnection,
    vault: &Vault,
    center: &CenterId,
    history: &History,
) -> StoreResult<Loaded> {
    let needs = history.needs();
    let mut loaded = Loaded::default();
    for (day, opened) in &needs.opened {
        let last: i64 = sqlx::query_scalar(
            "INSERT INTO case_counters (center, day, last) VALUES ($1, $2, $3)
             ON CONFLICT (center, day) DO UPDATE SET last = case_counters.last + $3
             RETURNING last",
        )
        .bind(center.as_ref())
        .bind(day)
        .bind(i64::from(*opened))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        loaded.case_counters.insert(*day, before(last, *opened)?);
    }
    for number in &needs.cases {
        let state: Option<String> = sqlx::query_scalar(
            "SELECT state FROM cases WHERE center = $1 AND number = $2 FOR UPDATE",
        )
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
    lock_head(conn, center.as_ref()).await?;
    for ((day, category), issued) in &needs.issued {
        let last: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_counters (center, day, category, last) VALUES ($1, $2, $3, $4)
             ON CONFLICT (center, day, category) DO UPDATE SET last = ticket_counters.last + $4
             RETURNING last",
        )
        .bind(center.as_ref())
        .bind(day)
        .bind(category.to_string())
        .bind(i64::from(*issued))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        loaded
            .ticket_counters
            .insert((*day, *category), before(last, *issued)?);
    }
    let mut tickets = BTreeMap::new();
    for day in &needs.ticket_days {
        tickets.insert(*day, day_tickets(conn, vault, center, *day, None).await?);
    }
    loaded.tickets = tickets;
    for id in &needs.visitors {
        let known: Option<String> =
            sqlx::query_scalar("SELECT state FROM visitors WHERE center = $1 AND id_number = $2")
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

impl PostgresStore {
    pub(crate) async fn history_import(&self, history: &History) -> StoreResult<Imported> {
        if history.is_empty() {
            return Ok(Imported::default());
        }
        let center = &history.center;
        let mut tx = self.write().await?;
        let vault = &*self.vault;
        let loaded = load(&mut tx, vault, center, history).await?;
        let applied = history::apply(history, loaded)?;
        for (case, stored_version) in &applied.cases {
            save_case(&mut tx, vault, case, *stored_version).await?;
        }
        for (day, ticket, stored) in &applied.tickets {
            match stored {
                None => insert_ticket_row(&mut tx, vault, center, *day, ticket).await?,
                Some(was) => update_ticket(&mut tx, vault, center, *day, *was, ticket).await?,
            }
        }
        for visitor in &applied.visitors {
            sqlx::query(
                "INSERT INTO visitors (center, id_number, state) VALUES ($1, $2, $3)
                 ON CONFLICT (center, id_number) DO UPDATE SET state = excluded.state",
            )
            .bind(center.as_ref())
            .bind(lookup(vault, &visitor.id_number))
            .bind(sealed_state(vault, visitor)?)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        for rated in &applied.ratings {
            insert_rating(&mut tx, &rated.rating).await?;
            if let Some(follow_up) = &rated.follow_up {
                save_follow_up(&mut tx, follow_up, true).await?;
            }
        }
        let imported = applied.imported(history);
        append_drafts(&mut tx, vault, applied.drafts).await?;
        tx.commit().await.map_err(db)?;
        Ok(imported)
    }
}
