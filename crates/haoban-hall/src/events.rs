//! Steps of the hall that go into the process record, in the record's shape.

use chrono::{DateTime, Utc};
use haoban_cases::record::{Draft, record_time};
use haoban_cases::{CenterId, Role};
use serde::Serialize;

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
}

impl HallEvent {
    pub fn name(&self) -> &'static str {
        match self {
            HallEvent::TicketIssued { .. } => "ticket_issued",
            HallEvent::TicketCalled { .. } => "ticket_called",
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
