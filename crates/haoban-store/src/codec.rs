//! How cases and tickets are kept in a text column, shared by every backend so that both
//! store exactly the same thing.

use haoban_cases::Case;
use haoban_hall::{Ticket, TicketStatus};

use crate::{StoreError, StoreResult};

pub fn case_state(case: &Case) -> StoreResult<String> {
    serde_json::to_string(case).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn case_from_state(state: &str) -> StoreResult<Case> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("case projection: {e}")))
}

pub fn ticket_state(ticket: &Ticket) -> StoreResult<String> {
    serde_json::to_string(ticket).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn ticket_from_state(state: &str) -> StoreResult<Ticket> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("ticket: {e}")))
}

/// The status as the `status` column holds it (`waiting`, `called`, …).
pub fn ticket_status(status: TicketStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Any other kept value (a window, a visitor, an appointment) as its JSON text.
pub fn state<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn from_state<T: serde::de::DeserializeOwned>(what: &str, state: &str) -> StoreResult<T> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
