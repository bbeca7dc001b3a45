//! Steps of the hall that go into the process record, in the record's shape.

use chrono::{DateTime, Utc};
use haoban_cases::record::{Draft, record_time};
use haoban_cases::{CenterId, Role};
use serde::Serialize;

use crate::cabinet::{Compartment, ReturnReason};
use crate::ticket::{Priority, TicketNumber};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HallEvent {
    TicketIssued {
        number: TicketNumber,
        priority: Priority,
        items: Vec<String>,
    },
    TicketCalled {
        number: TicketNumber,
        window: String,
    },
    TicketRecalled {
        number: TicketNumber,
        window: String,
    },
    ServiceStarted {
        number: TicketNumber,
        window: String,
    },
    ServiceFinished {
        number: TicketNumber,
        window: String,
    },
    TicketNoShow {
        number: TicketNumber,
        window: String,
    },
    TicketTransferred {
        number: TicketNumber,
        from_window: String,
        to_window: Option<String>,
        category: Option<char>,
    },
    TicketParked {
        number: TicketNumber,
        window: String,
    },
    TicketResumed {
        number: TicketNumber,
        window: String,
    },
    /// A window's skills were set (or, with none, it serves everything: 全岗通).
    WindowConfigured {
        window: String,
        categories: Vec<char>,
        items: Vec<String>,
    },
    WindowRemoved {
        window: String,
    },
    /// A visitor came to the first window; `consult_only` when no ticket followed.
    VisitRecorded {
        visitor: Option<String>,
        items: Vec<String>,
        consult_only: bool,
        note: String,
    },
    AppointmentBooked {
        visitor: String,
        item: String,
        slot: DateTime<Utc>,
    },
    AppointmentCheckedIn {
        visitor: String,
        ticket: TicketNumber,
    },
    /// A resident identified at the door of the 24-hour self-service area: their visit.
    DoorEntered {
        visitor: String,
        door: String,
    },
    CabinetInstalled {
        cabinet: String,
        location: String,
        small: usize,
        medium: usize,
        large: usize,
    },
    /// A result put in a compartment; the pickup code was sent to the applicant.
    ParcelDeposited {
        case: String,
        compartment: Compartment,
        expires_at: DateTime<Utc>,
    },
    /// A wrong pickup code was typed at the kiosk.
    PickupRefused {
        case: String,
        compartment: Compartment,
        wrong_codes: u32,
    },
    ParcelPickedUp {
        case: String,
        compartment: Compartment,
    },
    /// Taken out of its compartment and back to the desk.
    ParcelReturned {
        case: String,
        compartment: Compartment,
        reason: ReturnReason,
    },
}

impl HallEvent {
    pub fn name(&self) -> &'static str {
        match self {
            HallEvent::TicketIssued { .. } => "ticket_issued",
            HallEvent::TicketCalled { .. } => "ticket_called",
            HallEvent::TicketRecalled { .. } => "ticket_recalled",
            HallEvent::ServiceStarted { .. } => "service_started",
            HallEvent::ServiceFinished { .. } => "service_finished",
            HallEvent::TicketNoShow { .. } => "ticket_no_show",
            HallEvent::TicketTransferred { .. } => "ticket_transferred",
            HallEvent::TicketParked { .. } => "ticket_parked",
            HallEvent::TicketResumed { .. } => "ticket_resumed",
            HallEvent::WindowConfigured { .. } => "window_configured",
            HallEvent::WindowRemoved { .. } => "window_removed",
            HallEvent::VisitRecorded { .. } => "visit_recorded",
            HallEvent::AppointmentBooked { .. } => "appointment_booked",
            HallEvent::AppointmentCheckedIn { .. } => "appointment_checked_in",
            HallEvent::DoorEntered { .. } => "door_entered",
            HallEvent::CabinetInstalled { .. } => "cabinet_installed",
            HallEvent::ParcelDeposited { .. } => "parcel_deposited",
            HallEvent::PickupRefused { .. } => "pickup_refused",
            HallEvent::ParcelPickedUp { .. } => "parcel_picked_up",
            HallEvent::ParcelReturned { .. } => "parcel_returned",
        }
    }

    /// The record entry for this step, by `actor` in `role` at `at`.
    pub fn draft(&self, center: &CenterId, at: DateTime<Utc>, actor: &str, role: Role) -> Draft {
        Draft {
            center: center.to_string(),
            case: None,
            at: record_time(at),
            actor: actor.to_owned(),
            role: role.as_str().to_owned(),
            kind: self.name().to_owned(),
            payload: serde_json::to_string(self).expect("hall events serialize"),
        }
    }
}
