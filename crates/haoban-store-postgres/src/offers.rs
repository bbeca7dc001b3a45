//! Offers (一键即享). What the rows are is `haoban_store::offers`; this is only the SQL.
//!
//! Both writes take the center's chain head first, as the hall's do, then offer rows: two
//! scans of a center run one after the other, and an answer never waits on a scan holding
//! the head while the scan waits on the answer's row.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::{CenterId, IdNumber};
use haoban_store::offers::{self, NewOffer, Offer, OfferAnswer, OfferStatus, OffersMade, corrupt};
use haoban_store::{By, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;

use haoban_store::codec::lookup;
use haoban_store::vault::Vault;

use crate::{PostgresStore, append_drafts, db, lock_head};

/// Offers per INSERT, sent as three arrays (no per-row parameters to run out of).
const ROWS_PER_INSERT: usize = 10_000;

const COLUMNS: &str =
    "center, id_number, item, status, eligible_on, made_at, made_by, answered_at, facts";

pub(crate) async fn make_offers(
    store: &PostgresStore,
    center: &CenterId,
    on: NaiveDate,
    offers: &[NewOffer],
    by: By,
) -> StoreResult<OffersMade> {
    let distinct = offers::distinct(offers);
    let mut tx = store.write().await?;
    lock_head(&mut tx, center.as_ref()).await?;
    let mut made = 0;
    for batch in distinct.chunks(ROWS_PER_INSERT) {
        // The resident's column holds the pseudonym; facts keep any personal value sealed.
        let id_numbers: Vec<String> = batch
            .iter()
            .map(|o| lookup(&store.vault, o.id_number.as_ref()))
            .collect();
        let items: Vec<&str> = batch.iter().map(|o| o.item.as_str()).collect();
        let facts: Vec<String> = batch
            .iter()
            .map(|o| store.vault.seal_inline(&o.facts))
            .collect();
        made += sqlx::query(
            "INSERT INTO offers (center, id_number, item, status, eligible_on, made_at, made_by, facts)
             SELECT $1, id_number, item, 'open', $2, $3, $4, facts
             FROM UNNEST($5::TEXT[], $6::TEXT[], $7::TEXT[]) AS batch (id_number, item, facts)
             ON CONFLICT (center, id_number, item) DO NOTHING",
        )
        .bind(center.as_ref())
        .bind(on)
        .bind(by.at)
        .bind(&by.actor)
        .bind(&id_numbers)
        .bind(&items)
        .bind(&facts)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
    }
    let result = OffersMade {
        made,
        already_offered: distinct.len() as u64 - made,
    };
    let draft = offers::made_draft(center, on, &distinct, result, &by)?;
    append_drafts(&mut tx, &store.vault, vec![draft]).await?;
    tx.commit().await.map_err(db)?;
    Ok(result)
}

/// An offer row of the resident with `id_number` (the row holds only its pseudonym).
fn offer_from_row(vault: &Vault, id_number: &IdNumber, row: &PgRow) -> StoreResult<Offer> {
    let text = |column: &str| -> String { row.get(column) };
    let status = text("status");
    Ok(Offer {
        center: CenterId::parse(&text("center")).map_err(|e| corrupt("center", e))?,
        id_number: id_number.clone(),
        item: text("item"),
        status: OfferStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        eligible_on: row.get("eligible_on"),
        made_at: row.get("made_at"),
        made_by: text("made_by"),
        answered_at: row.get::<Option<DateTime<Utc>>, _>("answered_at"),
        facts: vault
            .open_inline(&text("facts"))
            .map_err(|e| corrupt("facts", e))?,
    })
}

pub(crate) async fn offers_for(
    store: &PostgresStore,
    center: &CenterId,
    id_number: &IdNumber,
) -> StoreResult<Vec<Offer>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE center = $1 AND id_number = $2 ORDER BY item COLLATE \"C\""
    ))
    .bind(center.as_ref())
    .bind(lookup(&store.vault, id_number.as_ref()))
    .fetch_all(&store.pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|row| offer_from_row(&store.vault, id_number, row))
        .collect()
}

pub(crate) async fn answer_offer(
    store: &PostgresStore,
    center: &CenterId,
    id_number: &IdNumber,
    item: &str,
    answer: OfferAnswer,
    by: By,
) -> StoreResult<Offer> {
    let mut tx = store.write().await?;
    lock_head(&mut tx, center.as_ref()).await?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE center = $1 AND id_number = $2 AND item = $3 FOR UPDATE"
    ))
    .bind(center.as_ref())
    .bind(lookup(&store.vault, id_number.as_ref()))
    .bind(item)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .ok_or_else(|| offers::no_offer(id_number, item))?;
    let (answered, draft) =
        offers::answer(&offer_from_row(&store.vault, id_number, &row)?, answer, &by)?;
    sqlx::query(
        "UPDATE offers SET status = $4, answered_at = $5 WHERE center = $1 AND id_number = $2 AND item = $3",
    )
    .bind(center.as_ref())
    .bind(lookup(&store.vault, id_number.as_ref()))
    .bind(item)
    .bind(answered.status.as_str())
    .bind(by.at)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    append_drafts(&mut tx, &store.vault, vec![draft]).await?;
    tx.commit().await.map_err(db)?;
    Ok(answered)
}
