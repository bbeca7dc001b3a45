//! The hall's tables: tickets, windows, visitors and appointments. What the rows become is
//! decided in `haoban_store::hall`; this is only the SQL.

use chrono::NaiveDate;
use haoban_cases::CenterId;
use haoban_cases::record::record_time as time;
use haoban_hall::{
    AgingRule, Appointment, AppointmentStatus, HallEvent, QueueCommand, Ticket, TicketNumber,
    TicketStatus, Visitor, Window,
};
use haoban_store::codec::{
    from_sealed_state, from_state, lookup, sealed_state, state, ticket_from_state, ticket_state,
    ticket_status,
};
use haoban_store::vault::Vault;
use haoban_store::{By, NewTicket, StoreError, StoreResult, hall};
use sqlx::PgConnection;

use crate::{PostgresStore, append_drafts, db, lock_head};

pub(crate) async fn day_tickets(
    conn: &mut PgConnection,
    vault: &Vault,
    center: &CenterId,
    day: NaiveDate,
    only: Option<TicketStatus>,
) -> StoreResult<Vec<Ticket>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM tickets WHERE center = $1 AND day = $2 AND ($3::text IS NULL OR status = $3)
         ORDER BY issued_at, number",
    )
    .bind(center.as_ref())
    .bind(day)
    .bind(only.map(ticket_status))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    rows.iter().map(|s| ticket_from_state(vault, s)).collect()
}

async fn insert_ticket(
    conn: &mut PgConnection,
    vault: &Vault,
    day: NaiveDate,
    new: &NewTicket,
    by: &By,
) -> StoreResult<Ticket> {
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_counters (center, day, category, last) VALUES ($1, $2, $3, 1)
         ON CONFLICT (center, day, category) DO UPDATE SET last = ticket_counters.last + 1
         RETURNING last",
    )
    .bind(new.center.as_ref())
    .bind(day)
    .bind(new.category.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let sequence =
        u32::try_from(sequence).map_err(|_| StoreError::Corrupt("ticket counter".into()))?;
    let queue = day_tickets(conn, vault, &new.center, day, None).await?;
    let (ticket, draft) = hall::issue(new, sequence, &queue, by)?;
    insert_ticket_row(conn, vault, &new.center, day, &ticket).await?;
    append_drafts(conn, vault, vec![draft]).await?;
    Ok(ticket)
}

pub(crate) async fn insert_ticket_row(
    conn: &mut PgConnection,
    vault: &Vault,
    center: &CenterId,
    day: NaiveDate,
    ticket: &Ticket,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tickets (center, day, number, status, window_name, issued_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(center.as_ref())
    .bind(day)
    .bind(ticket.number.to_string())
    .bind(ticket_status(ticket.status))
    .bind(&ticket.window)
    .bind(time(ticket.issued_at))
    .bind(ticket_state(vault, ticket)?)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Writes `ticket` over the row that was `was`; `Conflict` if someone changed it first.
pub(crate) async fn update_ticket(
    conn: &mut PgConnection,
    vault: &Vault,
    center: &CenterId,
    day: NaiveDate,
    was: TicketStatus,
    ticket: &Ticket,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE tickets SET status = $1, window_name = $2, state = $3
         WHERE center = $4 AND day = $5 AND number = $6 AND status = $7",
    )
    .bind(ticket_status(ticket.status))
    .bind(&ticket.window)
    .bind(ticket_state(vault, ticket)?)
    .bind(center.as_ref())
    .bind(day)
    .bind(ticket.number.to_string())
    .bind(ticket_status(was))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "ticket {} changed meanwhile",
            ticket.number
        )));
    }
    Ok(())
}

impl PostgresStore {
    pub(crate) async fn hall_issue(
        &self,
        day: NaiveDate,
        new: NewTicket,
        by: By,
    ) -> StoreResult<Ticket> {
        let mut tx = self.write().await?;
        lock_head(&mut tx, new.center.as_ref()).await?;
        let ticket = insert_ticket(&mut tx, &self.vault, day, &new, &by).await?;
        tx.commit().await.map_err(db)?;
        Ok(ticket)
    }

    pub(crate) async fn hall_call(
        &self,
        day: NaiveDate,
        center: &CenterId,
        window: &Window,
        rule: &AgingRule,
        by: By,
    ) -> StoreResult<Option<Ticket>> {
        // The center's chain head lock serializes callers across every server instance:
        // whoever holds it chooses and marks a ticket before the next one looks.
        let mut tx = self.write().await?;
        lock_head(&mut tx, center.as_ref()).await?;
        let waiting = day_tickets(
            &mut tx,
            &self.vault,
            center,
            day,
            Some(TicketStatus::Waiting),
        )
        .await?;
        let Some((ticket, draft)) = hall::call(&waiting, window, rule, center, &by) else {
            return Ok(None);
        };
        update_ticket(
            &mut tx,
            &self.vault,
            center,
            day,
            TicketStatus::Waiting,
            &ticket,
        )
        .await?;
        append_drafts(&mut tx, &self.vault, vec![draft]).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(ticket))
    }

    pub(crate) async fn hall_serve(
        &self,
        day: NaiveDate,
        center: &CenterId,
        number: &TicketNumber,
        window: &str,
        command: &QueueCommand,
        by: By,
    ) -> StoreResult<Ticket> {
        let mut tx = self.write().await?;
        lock_head(&mut tx, center.as_ref()).await?;
        let state: Option<String> = sqlx::query_scalar(
            "SELECT state FROM tickets WHERE center = $1 AND day = $2 AND number = $3",
        )
        .bind(center.as_ref())
        .bind(day)
        .bind(number.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let ticket = ticket_from_state(
            &self.vault,
            &state.ok_or_else(|| StoreError::NotFound(format!("ticket {number} of {day}")))?,
        )?;
        let (next, draft) = hall::step(&ticket, window, command, center, &by)?;
        update_ticket(&mut tx, &self.vault, center, day, ticket.status, &next).await?;
        append_drafts(&mut tx, &self.vault, vec![draft]).await?;
        tx.commit().await.map_err(db)?;
        Ok(next)
    }

    pub(crate) async fn hall_tickets(
        &self,
        center: &CenterId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Ticket>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        day_tickets(&mut conn, &self.vault, center, day, None).await
    }

    pub(crate) async fn hall_windows(&self, center: &CenterId) -> StoreResult<Vec<Window>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT state FROM windows WHERE center = $1 ORDER BY name")
                .bind(center.as_ref())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(|s| from_state("window", s)).collect()
    }

    pub(crate) async fn hall_save_window(
        &self,
        center: &CenterId,
        window: &Window,
        by: By,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO windows (center, name, state) VALUES ($1, $2, $3)
             ON CONFLICT (center, name) DO UPDATE SET state = excluded.state",
        )
        .bind(center.as_ref())
        .bind(&window.name)
        .bind(state(window)?)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let event = HallEvent::WindowConfigured {
            window: window.name.clone(),
            categories: window.categories.clone(),
            items: window.items.clone(),
        };
        append_drafts(&mut tx, &self.vault, vec![hall::draft(&event, center, &by)]).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn hall_remove_window(
        &self,
        center: &CenterId,
        name: &str,
        by: By,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM windows WHERE center = $1 AND name = $2")
            .bind(center.as_ref())
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("window {name}")));
        }
        let event = HallEvent::WindowRemoved {
            window: name.to_owned(),
        };
        append_drafts(&mut tx, &self.vault, vec![hall::draft(&event, center, &by)]).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn hall_visitor(
        &self,
        center: &CenterId,
        id_number: &str,
    ) -> StoreResult<Option<Visitor>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM visitors WHERE center = $1 AND id_number = $2")
                .bind(center.as_ref())
                .bind(lookup(&self.vault, id_number))
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.map(|s| from_sealed_state(&self.vault, "visitor", &s))
            .transpose()
    }

    pub(crate) async fn hall_save_visitor(
        &self,
        center: &CenterId,
        visitor: &Visitor,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT state FROM visitors WHERE center = $1 AND id_number = $2")
                .bind(center.as_ref())
                .bind(lookup(&self.vault, &visitor.id_number))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let mut kept = visitor.clone();
        if let Some(known) = known {
            // Registered once: a later visit updates the name and phone, not the date.
            kept.registered_at =
                from_sealed_state::<Visitor>(&self.vault, "visitor", &known)?.registered_at;
        }
        sqlx::query(
            "INSERT INTO visitors (center, id_number, state, last_seen) VALUES ($1, $2, $3, $4)
             ON CONFLICT (center, id_number) DO UPDATE
                 SET state = excluded.state, last_seen = excluded.last_seen",
        )
        .bind(center.as_ref())
        .bind(lookup(&self.vault, &kept.id_number))
        .bind(sealed_state(&self.vault, &kept)?)
        // The caller's visitor is dated now: this visit, which retention counts from.
        .bind(visitor.registered_at)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn hall_note(
        &self,
        center: &CenterId,
        event: &HallEvent,
        by: By,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        append_drafts(&mut tx, &self.vault, vec![hall::draft(event, center, &by)]).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn hall_book(
        &self,
        center: &CenterId,
        day: NaiveDate,
        appointment: &Appointment,
        capacity: u32,
        by: By,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Held to commit: two bookings of one slot cannot both see room for one more.
        lock_head(&mut tx, center.as_ref()).await?;
        let booked: i64 = sqlx::query_scalar(
            "SELECT count(*)::BIGINT FROM appointments WHERE center = $1 AND day = $2 AND slot = $3",
        )
        .bind(center.as_ref())
        .bind(day)
        .bind(time(appointment.slot))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if booked >= i64::from(capacity) {
            return Err(StoreError::Conflict(hall::SLOT_FULL.into()));
        }
        sqlx::query(
            "INSERT INTO appointments (center, day, visitor, slot, state) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(center.as_ref())
        .bind(day)
        .bind(lookup(&self.vault, &appointment.visitor))
        .bind(time(appointment.slot))
        .bind(sealed_state(&self.vault, appointment)?)
        .execute(&mut *tx)
        .await
        .map_err(|e| match db(e) {
            StoreError::Conflict(_) => StoreError::Conflict(hall::ALREADY_BOOKED.into()),
            other => other,
        })?;
        append_drafts(
            &mut tx,
            &self.vault,
            vec![hall::booked(appointment, center, &by)],
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn hall_appointments(
        &self,
        center: &CenterId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Appointment>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM appointments WHERE center = $1 AND day = $2 ORDER BY slot, visitor",
        )
        .bind(center.as_ref())
        .bind(day)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|s| from_sealed_state(&self.vault, "appointment", s))
            .collect()
    }

    pub(crate) async fn hall_check_in(
        &self,
        day: NaiveDate,
        visitor: &str,
        new: NewTicket,
        by: By,
    ) -> StoreResult<Ticket> {
        let mut tx = self.write().await?;
        lock_head(&mut tx, new.center.as_ref()).await?;
        let row: Option<String> = sqlx::query_scalar(
            "SELECT state FROM appointments WHERE center = $1 AND day = $2 AND visitor = $3",
        )
        .bind(new.center.as_ref())
        .bind(day)
        .bind(lookup(&self.vault, visitor))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let mut appointment: Appointment = from_sealed_state(
            &self.vault,
            "appointment",
            &row.ok_or_else(|| StoreError::NotFound(format!("an appointment on {day}")))?,
        )?;
        if appointment.status != AppointmentStatus::Booked {
            return Err(StoreError::Conflict(hall::ALREADY_CHECKED_IN.into()));
        }
        let ticket = insert_ticket(&mut tx, &self.vault, day, &new, &by).await?;
        let checked_in = hall::check_in(&mut appointment, &ticket, &new.center, &by);
        sqlx::query(
            "UPDATE appointments SET state = $1 WHERE center = $2 AND day = $3 AND visitor = $4",
        )
        .bind(sealed_state(&self.vault, &appointment)?)
        .bind(new.center.as_ref())
        .bind(day)
        .bind(lookup(&self.vault, visitor))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        append_drafts(&mut tx, &self.vault, vec![checked_in]).await?;
        tx.commit().await.map_err(db)?;
        Ok(ticket)
    }
}
