//! haoban-hall: the staffed hall's queue and the self-service area's cabinets. Tickets numbered per center, day and category
//! (A023), priority classes with aging so that nobody waits forever, windows that call any
//! ticket (全岗通) unless given skills, and wait estimates from recent service times.
//!
//! Pure: the store calls [`next_ticket`] inside the transaction that marks the ticket
//! called, so two windows never get the same ticket.

mod appointment;
mod cabinet;
mod events;
mod queue;
mod report;
mod service;
mod ticket;
mod visitor;

pub use appointment::{Appointment, AppointmentError, AppointmentStatus, SlotPlan};
pub use cabinet::{
    Cabinet, CabinetError, Compartment, CompartmentSize, MAX_COMPARTMENTS, Parcel, ParcelStatus,
    PickupOutcome, PickupRules, ReturnReason, allocate,
};
pub use events::HallEvent;
pub use queue::{
    AgingRule, DEFAULT_SERVICE, Estimate, Window, Windows, estimate_in_queue, estimate_wait,
    next_ticket,
};
pub use report::{
    DayReport, Miss, PRIORITIES, PROMISE_TOLERANCE_MINUTES, PromiseCheck, Spread, Tally,
    WORST_MISSES, WindowLine,
};
pub use service::{QueueCommand, ServiceError, serve};
pub use ticket::{Carried, Priority, Ticket, TicketError, TicketNumber, TicketStatus};
pub use visitor::{Visitor, VisitorError};
