//! Queue tickets.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("ticket number `{0}` must be a capital letter and three digits, e.g. A023")]
    Number(String),
    #[error("the day's numbers for category {0} are used up (999)")]
    Exhausted(char),
}

/// `A023`: the category's letter and the day's sequence in that category.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNumber(String);

impl TicketNumber {
    pub fn new(prefix: char, sequence: u32) -> Result<Self, TicketError> {
        if !prefix.is_ascii_uppercase() {
            return Err(TicketError::Number(format!("{prefix}{sequence:03}")));
        }
        if !(1..=999).contains(&sequence) {
            return Err(TicketError::Exhausted(prefix));
        }
        Ok(TicketNumber(format!("{prefix}{sequence:03}")))
    }

    pub fn parse(text: &str) -> Result<Self, TicketError> {
        let bytes = text.as_bytes();
        let ok = bytes.len() == 4
            && bytes[0].is_ascii_uppercase()
            && bytes[1..].iter().all(u8::is_ascii_digit);
        if ok && &text[1..] != "000" {
            Ok(TicketNumber(text.to_owned()))
        } else {
            Err(TicketError::Number(text.to_owned()))
        }
    }

    pub fn prefix(&self) -> char {
        self.0.chars().next().unwrap_or('A')
    }

    /// What the hall's speakers say: 请A023号到5号窗口.
    pub fn call_text(&self, window: &str) -> String {
        format!("请{}号到{window}号窗口", self.0)
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TicketNumber {
    type Err = TicketError;
    fn from_str(s: &str) -> Result<Self, TicketError> {
        TicketNumber::parse(s)
    }
}

impl TryFrom<String> for TicketNumber {
    type Error = TicketError;
    fn try_from(s: String) -> Result<Self, TicketError> {
        TicketNumber::parse(&s)
    }
}

impl From<TicketNumber> for String {
    fn from(n: TicketNumber) -> String {
        n.0
    }
}

/// Who is served before their turn (and by how much, see [`crate::AgingRule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    Elderly,
    Disabled,
    Veteran,
    /// An appointment whose slot has come.
    AppointmentDue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Serving,
    Done,
    NoShow,
    /// Set aside (e.g. fetching a document) and back in the queue when resumed.
    Parked,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Serving => "serving",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
            TicketStatus::Parked => "parked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: TicketNumber,
    /// The queue category (the number's letter), e.g. `A` 综合受理.
    pub category: char,
    /// Items the pre-review at the desk found, so a window with skills can tell.
    pub items: Vec<String>,
    pub priority: Priority,
    pub status: TicketStatus,
    pub issued_at: DateTime<Utc>,
    /// When it (re-)entered the queue: issue, transfer or return from parking.
    pub queued_at: DateTime<Utc>,
    pub window: Option<String>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Only this window may call it (after a transfer to it, or a return from parking).
    #[serde(default)]
    pub reserved_for: Option<String>,
    /// When the window began serving (after the resident arrived at it).
    #[serde(default)]
    pub served_at: Option<DateTime<Utc>>,
    /// How often the window called it again.
    #[serde(default)]
    pub recalls: u32,
    /// The minutes the resident was told to expect when it was issued, to be checked
    /// against what happened.
    #[serde(default)]
    pub promised_wait: Option<i64>,
    /// What the first window learned, so the window that calls it can open the pre-review.
    #[serde(default)]
    pub carried: Option<Carried>,
    /// The last staff member who called it or took a step with it: who a rating of the
    /// visit rates.
    #[serde(default)]
    pub served_by: Option<String>,
}

/// The pre-review a ticket carries from the first window: who, and the facts given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    /// The visitor's ID number, when they gave it.
    pub id_number: Option<String>,
    pub name: Option<String>,
    /// Fact name to the value given (JSON, as pre-review takes it).
    pub facts: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Ticket {
    /// A ticket just issued, waiting.
    pub fn issued(
        number: TicketNumber,
        priority: Priority,
        items: Vec<String>,
        carried: Option<Carried>,
        at: DateTime<Utc>,
    ) -> Ticket {
        Ticket {
            category: number.prefix(),
            number,
            items,
            priority,
            status: TicketStatus::Waiting,
            issued_at: at,
            queued_at: at,
            window: None,
            called_at: None,
            finished_at: None,
            reserved_for: None,
            served_at: None,
            recalls: 0,
            promised_wait: None,
            carried,
            served_by: None,
        }
    }

    /// How long the service itself took, once finished.
    pub fn service_time(&self) -> Option<chrono::Duration> {
        let started = self.served_at.or(self.called_at)?;
        Some(self.finished_at? - started)
    }

    /// How long the resident waited to be called (the last call, after any transfer).
    pub fn waited(&self) -> Option<chrono::Duration> {
        Some(self.called_at? - self.issued_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_are_a_letter_and_three_digits() {
        assert_eq!(TicketNumber::new('A', 23).unwrap().to_string(), "A023");
        assert_eq!(TicketNumber::parse("B999").unwrap().prefix(), 'B');
        for bad in ["A23", "a023", "A0234", "A000", "1023", ""] {
            assert!(TicketNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            TicketNumber::new('A', 1000),
            Err(TicketError::Exhausted('A'))
        );
        assert_eq!(
            TicketNumber::new('A', 23).unwrap().call_text("5"),
            "请A023号到5号窗口"
        );
    }
}
