//! How cases, tickets and other kept values are kept in a text column, shared by every
//! backend so that both store exactly the same thing. ID and phone numbers in them are
//! sealed in place by the store's [`Vault`] (docs/personal-data.md).

use haoban_cases::Case;
use haoban_hall::{Ticket, TicketStatus};

use crate::vault::Vault;
use crate::{StoreError, StoreResult};

fn opened(vault: &Vault, what: &str, text: &str) -> StoreResult<String> {
    vault
        .open_inline(text)
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub fn case_state(vault: &Vault, case: &Case) -> StoreResult<String> {
    sealed_state(vault, case)
}

pub fn case_from_state(vault: &Vault, state: &str) -> StoreResult<Case> {
    from_sealed_state(vault, "case projection", state)
}

pub fn ticket_state(vault: &Vault, ticket: &Ticket) -> StoreResult<String> {
    sealed_state(vault, ticket)
}

pub fn ticket_from_state(vault: &Vault, state: &str) -> StoreResult<Ticket> {
    from_sealed_state(vault, "ticket", state)
}

/// The status as the `status` column holds it (`waiting`, `called`, …).
pub fn ticket_status(status: TicketStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A kept value that holds no personal data (a window, a rating) as its JSON text.
pub fn state<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn from_state<T: serde::de::DeserializeOwned>(what: &str, state: &str) -> StoreResult<T> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A kept value that may hold ID or phone numbers (a visitor, an appointment, a parcel)
/// as its JSON text, those sealed in place.
pub fn sealed_state<T: serde::Serialize>(vault: &Vault, value: &T) -> StoreResult<String> {
    Ok(vault.seal_inline(&state(value)?))
}

pub fn from_sealed_state<T: serde::de::DeserializeOwned>(
    vault: &Vault,
    what: &str,
    state: &str,
) -> StoreResult<T> {
    from_state(what, &opened(vault, what, state)?)
}

/// An ID number as a lookup column holds it: its pseudonym.
pub fn lookup(vault: &Vault, id_number: &str) -> String {
    vault.pseudonym(id_number)
}
