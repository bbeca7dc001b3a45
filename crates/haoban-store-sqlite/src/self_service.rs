//! The self-service area's tables: cabinets, parcels and uploads. What the rows become is
//! decided in `haoban_store::self_service`; this is only the SQL.

use chrono::NaiveDate;
use haoban_cases::{Case, CaseNumber, CenterId, Event};
use haoban_hall::{Cabinet, Parcel, PickupRules};
use haoban_store::codec::{from_sealed_state, from_state, lookup, sealed_state, state};
use haoban_store::self_service::{self, Attempt, Deposit, Upload};
use haoban_store::vault::Vault;
use haoban_store::{By, StoreError, StoreResult};
use sqlx::{Row, SqliteConnection};

use crate::cases::load_for_update;
use crate::{SqliteStore, append, append_drafts, db, save_case, time};

async fn cabinets(conn: &mut SqliteConnection, center: &CenterId) -> StoreResult<Vec<Cabinet>> {
    let rows =
        sqlx::query("SELECT name, location, sizes FROM cabinets WHERE center = ? ORDER BY name")
            .bind(center.as_ref())
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(Cabinet {
                name: row.get("name"),
                location: row.get("location"),
                sizes: from_state("cabinet sizes", row.get::<&str, _>("sizes"))?,
            })
        })
        .collect()
}

async fn parcels_where(
    conn: &mut SqliteConnection,
    vault: &Vault,
    center: &CenterId,
    waiting_only: bool,
    id_number: Option<&str>,
) -> StoreResult<Vec<Parcel>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM parcels WHERE center = ? AND (? = 0 OR status = 'waiting')
             AND (? IS NULL OR id_number = ?)
         ORDER BY deposited_at DESC",
    )
    .bind(center.as_ref())
    .bind(waiting_only)
    .bind(id_number.map(|id| lookup(vault, id)))
    .bind(id_number.map(|id| lookup(vault, id)))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|s| from_sealed_state(vault, "parcel", s))
        .collect()
}

async fn insert_parcel(
    conn: &mut SqliteConnection,
    vault: &Vault,
    parcel: &Parcel,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO parcels (center, case_number, id_number, cabinet, compartment, status,
             deposited_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(parcel.case.center().as_ref())
    .bind(parcel.case.as_ref())
    .bind(lookup(vault, &parcel.id_number))
    .bind(&parcel.compartment.cabinet)
    .bind(i64::from(parcel.compartment.number))
    .bind(parcel.status.as_str())
    .bind(time(parcel.deposited_at))
    .bind(sealed_state(vault, parcel)?)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Writes a parcel that was waiting as it now is.
async fn update_parcel(
    conn: &mut SqliteConnection,
    vault: &Vault,
    parcel: &Parcel,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE parcels SET status = ?, state = ?
         WHERE center = ? AND case_number = ? AND deposited_at = ? AND status = 'waiting'",
    )
    .bind(parcel.status.as_str())
    .bind(sealed_state(vault, parcel)?)
    .bind(parcel.case.center().as_ref())
    .bind(parcel.case.as_ref())
    .bind(time(parcel.deposited_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "the parcel of case {} changed meanwhile",
            parcel.case
        )));
    }
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn ss_install_cabinet(
        &self,
        center: &CenterId,
        cabinet: &Cabinet,
        by: By,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let in_use: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM parcels WHERE center = ? AND cabinet = ? AND status = 'waiting'",
        )
        .bind(center.as_ref())
        .bind(&cabinet.name)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if in_use > 0 {
            return Err(StoreError::Conflict(format!(
                "cabinet {} still holds {in_use} results: empty it first",
                cabinet.name
            )));
        }
        sqlx::query(
            "INSERT INTO cabinets (center, name, location, sizes) VALUES (?, ?, ?, ?)
             ON CONFLICT (center, name) DO UPDATE SET location = excluded.location,
                 sizes = excluded.sizes",
        )
        .bind(center.as_ref())
        .bind(&cabinet.name)
        .bind(&cabinet.location)
        .bind(state(&cabinet.sizes)?)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        append_drafts(
            &mut tx,
            &self.vault,
            vec![self_service::installed(cabinet, center, &by)],
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn ss_cabinets(&self, center: &CenterId) -> StoreResult<Vec<Cabinet>> {
        let mut conn = self.reader.acquire().await.map_err(db)?;
        cabinets(&mut conn, center).await
    }

    pub(crate) async fn ss_deposit(
        &self,
        number: &CaseNumber,
        expected_version: u64,
        events: Vec<Event>,
        deposit: &Deposit,
        by: By,
    ) -> StoreResult<(Case, Parcel)> {
        let mut tx = self.write().await?;
        let (mut case, version) =
            load_for_update(&mut tx, &self.vault, number, Some(expected_version)).await?;
        for event in &events {
            if event.case.as_ref() != Some(number) {
                return Err(StoreError::Corrupt(format!(
                    "an event for another case was recorded on {number}"
                )));
            }
            case =
                Case::apply(Some(case), event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let center = number.center();
        let installed = cabinets(&mut tx, &center).await?;
        let taken: Vec<(String, u16)> = parcels_where(&mut tx, &self.vault, &center, true, None)
            .await?
            .into_iter()
            .map(|p| (p.compartment.cabinet, p.compartment.number))
            .collect();
        let (parcel, draft) = self_service::deposit(&case, &installed, &taken, deposit, &by)?;
        append(&mut tx, &self.vault, &events).await?;
        save_case(&mut tx, &self.vault, &case, Some(version)).await?;
        insert_parcel(&mut tx, &self.vault, &parcel).await?;
        append_drafts(&mut tx, &self.vault, vec![draft]).await?;
        tx.commit().await.map_err(db)?;
        Ok((case, parcel))
    }

    pub(crate) async fn ss_parcels(
        &self,
        center: &CenterId,
        waiting_only: bool,
    ) -> StoreResult<Vec<Parcel>> {
        let mut conn = self.reader.acquire().await.map_err(db)?;
        parcels_where(&mut conn, &self.vault, center, waiting_only, None).await
    }

    pub(crate) async fn ss_try_pickup(
        &self,
        center: &CenterId,
        id_number: &str,
        code: &str,
        rules: PickupRules,
        today: NaiveDate,
        by: By,
    ) -> StoreResult<Attempt> {
        let mut tx = self.write().await?;
        let waiting = parcels_where(&mut tx, &self.vault, center, true, Some(id_number)).await?;
        let attempt = self_service::attempt(&waiting, code, rules, &by);
        for parcel in &attempt.changed {
            update_parcel(&mut tx, &self.vault, parcel).await?;
        }
        if let Some(opened) = &attempt.opened {
            let (case, version) = load_for_update(&mut tx, &self.vault, &opened.case, None).await?;
            let delivered = self_service::picked_up_delivery(&case, today, &by);
            let case = Case::apply(Some(case), &delivered)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            append(&mut tx, &self.vault, &[delivered]).await?;
            save_case(&mut tx, &self.vault, &case, Some(version)).await?;
        }
        append_drafts(&mut tx, &self.vault, attempt.drafts.clone()).await?;
        tx.commit().await.map_err(db)?;
        Ok(attempt)
    }

    pub(crate) async fn ss_expire(&self, center: &CenterId, by: By) -> StoreResult<Vec<Parcel>> {
        let mut tx = self.write().await?;
        let waiting = parcels_where(&mut tx, &self.vault, center, true, None).await?;
        let expired = self_service::expire(&waiting, &by);
        for (parcel, _) in &expired {
            update_parcel(&mut tx, &self.vault, parcel).await?;
        }
        let (parcels, drafts): (Vec<Parcel>, Vec<_>) = expired.into_iter().unzip();
        append_drafts(&mut tx, &self.vault, drafts).await?;
        tx.commit().await.map_err(db)?;
        Ok(parcels)
    }

    pub(crate) async fn ss_save_upload(
        &self,
        upload: &Upload,
        bytes: &[u8],
        by: By,
    ) -> StoreResult<()> {
        if !upload.meta.matches(bytes) {
            return Err(StoreError::Corrupt(format!(
                "upload {} does not match its own description",
                upload.id
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO uploads (center, id, case_number, uploaded_at, state, body)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(upload.center.as_ref())
        .bind(&upload.id)
        .bind(upload.case.as_ref())
        .bind(time(upload.uploaded_at))
        .bind(state(upload)?)
        .bind(bytes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        append_drafts(
            &mut tx,
            &self.vault,
            vec![self_service::upload_received(upload, &by)],
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn ss_uploads(&self, number: &CaseNumber) -> StoreResult<Vec<Upload>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM uploads WHERE center = ? AND case_number = ?
             ORDER BY uploaded_at, id",
        )
        .bind(number.center().as_ref())
        .bind(number.as_ref())
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(|s| from_state("upload", s)).collect()
    }

    pub(crate) async fn ss_upload(
        &self,
        center: &CenterId,
        id: &str,
    ) -> StoreResult<Option<(Upload, Vec<u8>)>> {
        let row = sqlx::query("SELECT state, body, erased_at IS NOT NULL AS erased FROM uploads WHERE center = ? AND id = ?")
            .bind(center.as_ref())
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let upload: Upload = from_state("upload", row.get::<&str, _>("state"))?;
        if row.get::<bool, _>("erased") {
            return Err(self_service::erased(&upload));
        }
        let bytes = self_service::verified(&upload, row.get("body"))?;
        Ok(Some((upload, bytes)))
    }
}
