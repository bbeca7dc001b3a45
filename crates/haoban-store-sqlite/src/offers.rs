//! Offers (一键即享). What the rows are is `haoban_store::offers`; this is only the SQL.

use chrono::NaiveDate;
use haoban_cases::{CenterId, IdNumber};
use haoban_store::codec::lookup;
use haoban_store::offers::{self, NewOffer, Offer, OfferAnswer, OfferStatus, OffersMade, corrupt};
use haoban_store::vault::Vault;
use haoban_store::{By, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{SqliteStore, append_drafts, db, parse_time, time};

/// Rows per INSERT: 8 parameters each, far under SQLite's limit of 32766 per statement.
const ROWS_PER_INSERT: usize = 1000;

const COLUMNS: &str =
    "center, id_number, item, status, eligible_on, made_at, made_by, answered_at, facts";

pub(crate) async fn make_offers(
    store: &SqliteStore,
    center: &CenterId,
    on: NaiveDate,
    offers: &[NewOffer],
    by: By,
) -> StoreResult<OffersMade> {
    let distinct = offers::distinct(offers);
    let made_at = time(by.at);
    let mut tx = store.write().await?;
    let mut made = 0;
    // The resident's column holds the pseudonym; facts keep any personal value sealed.
    let kept: Vec<(String, String)> = distinct
        .iter()
        .map(|offer| {
            (
                lookup(&store.vault, offer.id_number.as_ref()),
                store.vault.seal_inline(&offer.facts),
            )
        })
        .collect();
    for batch in distinct
        .iter()
        .zip(&kept)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT)
    {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO offers (center, id_number, item, status, eligible_on, made_at, made_by, facts) ",
        );
        insert.push_values(batch, |mut row, (offer, (pseudonym, facts))| {
            row.push_bind(center.as_ref())
                .push_bind(pseudonym)
                .push_bind(&offer.item)
                .push_bind(OfferStatus::Open.as_str())
                .push_bind(on)
                .push_bind(&made_at)
                .push_bind(&by.actor)
                .push_bind(facts);
        });
        insert.push(" ON CONFLICT (center, id_number, item) DO NOTHING");
        made += insert
            .build()
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
fn offer_from_row(vault: &Vault, id_number: &IdNumber, row: &SqliteRow) -> StoreResult<Offer> {
    let text = |column: &str| -> String { row.get(column) };
    let status = text("status");
    Ok(Offer {
        center: CenterId::parse(&text("center")).map_err(|e| corrupt("center", e))?,
        id_number: id_number.clone(),
        item: text("item"),
        status: OfferStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        eligible_on: row
            .try_get("eligible_on")
            .map_err(|e| corrupt("eligible_on", e))?,
        made_at: parse_time(&text("made_at"))?,
        made_by: text("made_by"),
        answered_at: row
            .get::<Option<String>, _>("answered_at")
            .map(|t| parse_time(&t))
            .transpose()?,
        facts: vault
            .open_inline(&text("facts"))
            .map_err(|e| corrupt("facts", e))?,
    })
}

pub(crate) async fn offers_for(
    store: &SqliteStore,
    center: &CenterId,
    id_number: &IdNumber,
) -> StoreResult<Vec<Offer>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE center = ? AND id_number = ? ORDER BY item"
    ))
    .bind(center.as_ref())
    .bind(lookup(&store.vault, id_number.as_ref()))
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|row| offer_from_row(&store.vault, id_number, row))
        .collect()
}

pub(crate) async fn answer_offer(
    store: &SqliteStore,
    center: &CenterId,
    id_number: &IdNumber,
    item: &str,
    answer: OfferAnswer,
    by: By,
) -> StoreResult<Offer> {
    // BEGIN IMMEDIATE: no other write comes between the read and the update.
    let mut tx = store.write().await?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE center = ? AND id_number = ? AND item = ?"
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
        "UPDATE offers SET status = ?, answered_at = ? WHERE center = ? AND id_number = ? AND item = ?",
    )
    .bind(answered.status.as_str())
    .bind(time(by.at))
    .bind(center.as_ref())
    .bind(lookup(&store.vault, id_number.as_ref()))
    .bind(item)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    append_drafts(&mut tx, &store.vault, vec![draft]).await?;
    tx.commit().await.map_err(db)?;
    Ok(answered)
}
