//! The decisions the hall's store methods take inside their transactions, shared by every
//! backend: the backends read and write rows, these say what the rows become.

use haoban_cases::CenterId;
use haoban_cases::record::Draft;
use haoban_hall::{
    AgingRule, Appointment, AppointmentStatus, HallEvent, QueueCommand, Ticket, TicketNumber,
    TicketStatus, Window, estimate_in_queue, next_ticket, serve,
};

use crate::{By, NewTicket, StoreError, StoreResult};

/// The ticket numbered `sequence` for `new`, promising the wait the day's `queue` gives it,
/// and its record entry.
pub fn issue(
    new: &NewTicket,
    sequence: u32,
    queue: &[Ticket],
    by: &By,
) -> StoreResult<(Ticket, Draft)> {
    issue_into(new, sequence, &mut queue.to_vec(), by)
}

/// [`issue`], with the ticket added to `queue` (the day's tickets), from which its
/// promised wait is computed: for a caller that keeps the day's queue in hand.
pub fn issue_into(
    new: &NewTicket,
    sequence: u32,
    queue: &mut Vec<Ticket>,
    by: &By,
) -> StoreResult<(Ticket, Draft)> {
    let number = TicketNumber::new(new.category, sequence)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    // The clock was read before the center's lock was taken; a later number must not look
    // issued earlier (the queue orders by time), so time never runs back within a day.
    let at = queue
        .iter()
        .map(|t| t.issued_at)
        .max()
        .map_or(by.at, |latest| latest.max(by.at));
    queue.push(Ticket::issued(
        number.clone(),
        new.priority,
        new.items.clone(),
        new.carried.clone(),
        at,
    ));
    let promised = estimate_in_queue(queue, &number, &new.rule).map(|e| e.minutes);
    let last = queue.len() - 1;
    queue[last].promised_wait = promised;
    let event = HallEvent::TicketIssued {
        number,
        priority: new.priority,
        items: new.items.clone(),
    };
    let by = By { at, ..by.clone() };
    Ok((queue[last].clone(), draft(&event, &new.center, &by)))
}

/// The ticket `window` calls among the `waiting` ones, marked called, and its entry.
pub fn call(
    waiting: &[Ticket],
    window: &Window,
    rule: &AgingRule,
    center: &CenterId,
    by: &By,
) -> Option<(Ticket, Draft)> {
    let index = next_ticket(waiting, window, rule)?;
    let mut ticket = waiting[index].clone();
    ticket.status = TicketStatus::Called;
    ticket.window = Some(window.name.clone());
    ticket.called_at = Some(by.at);
    ticket.reserved_for = None;
    ticket.served_by = Some(by.actor.clone());
    let event = HallEvent::TicketCalled {
        number: ticket.number.clone(),
        window: window.name.clone(),
    };
    Some((ticket, draft(&event, center, by)))
}

/// A window's step with `ticket`, or `Conflict` naming why it is not allowed.
pub fn step(
    ticket: &Ticket,
    window: &str,
    command: &QueueCommand,
    center: &CenterId,
    by: &By,
) -> StoreResult<(Ticket, Draft)> {
    let (mut next, event) =
        serve(ticket, window, command, by.at).map_err(|e| StoreError::Conflict(e.to_string()))?;
    next.served_by = Some(by.actor.clone());
    Ok((next, draft(&event, center, by)))
}

pub fn draft(event: &HallEvent, center: &CenterId, by: &By) -> Draft {
    event.draft(center, by.at, &by.actor, by.role)
}

pub const SLOT_FULL: &str = "that slot is fully booked: choose another";
pub const ALREADY_BOOKED: &str = "this visitor already has an appointment that day";
pub const ALREADY_CHECKED_IN: &str = "this appointment is already checked in";

pub fn booked(appointment: &Appointment, center: &CenterId, by: &By) -> Draft {
    let event = HallEvent::AppointmentBooked {
        visitor: appointment.visitor.clone(),
        item: appointment.item.clone(),
        slot: appointment.slot,
    };
    draft(&event, center, by)
}

/// Marks `appointment` checked in with `ticket`; the entry to record.
pub fn check_in(
    appointment: &mut Appointment,
    ticket: &Ticket,
    center: &CenterId,
    by: &By,
) -> Draft {
    appointment.status = AppointmentStatus::CheckedIn;
    appointment.ticket = Some(ticket.number.clone());
    let event = HallEvent::AppointmentCheckedIn {
        visitor: appointment.visitor.clone(),
        ticket: ticket.number.clone(),
    };
    draft(&event, center, by)
}
