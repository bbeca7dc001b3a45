//! What a window does with a ticket it called: recall, serve, finish, mark a no-show,
//! transfer, park and resume. Each step is checked against the ticket's state and the
//! window holding it, and yields the record entry that goes with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::HallEvent;
use crate::ticket::{Ticket, TicketStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum QueueCommand {
    /// Call the same ticket again (the resident did not come yet).
    Recall,
    /// The resident is at the window: the service (and its timing) begins.
    Start,
    Finish,
    NoShow,
    /// Back into the queue, for another window or category; first in line there.
    Transfer {
        #[serde(default)]
        to_window: Option<String>,
        #[serde(default)]
        category: Option<char>,
    },
    /// Set aside while the resident fetches something; resumed by the same window.
    Park,
    Resume,
}

impl QueueCommand {
    pub fn name(&self) -> &'static str {
        match self {
            QueueCommand::Recall => "recall",
            QueueCommand::Start => "start",
            QueueCommand::Finish => "finish",
            QueueCommand::NoShow => "no_show",
            QueueCommand::Transfer { .. } => "transfer",
            QueueCommand::Park => "park",
            QueueCommand::Resume => "resume",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("ticket {number} is {status}: it cannot be {action}")]
    WrongState {
        number: String,
        status: &'static str,
        action: &'static str,
    },
    #[error("ticket {number} is with window {holder}, not window {window}")]
    OtherWindow {
        number: String,
        holder: String,
        window: String,
    },
    #[error("`{0}` is not a queue category: one capital letter")]
    Category(char),
}

/// Applies `command`, given by `window` at `at`, to `ticket`: the ticket after it and the
/// step for the process record.
pub fn serve(
    ticket: &Ticket,
    window: &str,
    command: &QueueCommand,
    at: DateTime<Utc>,
) -> Result<(Ticket, HallEvent), ServiceError> {
    use TicketStatus::*;
    let allowed: &[TicketStatus] = match command {
        QueueCommand::Recall | QueueCommand::Start | QueueCommand::NoShow => &[Called],
        QueueCommand::Finish | QueueCommand::Transfer { .. } | QueueCommand::Park => {
            &[Called, Serving]
        }
        QueueCommand::Resume => &[Parked],
    };
    if !allowed.contains(&ticket.status) {
        return Err(ServiceError::WrongState {
            number: ticket.number.to_string(),
            status: ticket.status.as_str(),
            action: command.name(),
        });
    }
    if let Some(holder) = &ticket.window
        && holder != window
    {
        return Err(ServiceError::OtherWindow {
            number: ticket.number.to_string(),
            holder: holder.clone(),
            window: window.to_owned(),
        });
    }
    let mut next = ticket.clone();
    let number = ticket.number.clone();
    let window_name = window.to_owned();
    let event = match command {
        QueueCommand::Recall => {
            next.recalls += 1;
            next.called_at = Some(at);
            HallEvent::TicketRecalled {
                number,
                window: window_name,
            }
        }
        QueueCommand::Start => {
            next.status = Serving;
            next.served_at = Some(at);
            HallEvent::ServiceStarted {
                number,
                window: window_name,
            }
        }
        QueueCommand::Finish => {
            next.status = Done;
            next.finished_at = Some(at);
            HallEvent::ServiceFinished {
                number,
                window: window_name,
            }
        }
        QueueCommand::NoShow => {
            next.status = NoShow;
            next.finished_at = Some(at);
            HallEvent::TicketNoShow {
                number,
                window: window_name,
            }
        }
        QueueCommand::Transfer {
            to_window,
            category,
        } => {
            if let Some(letter) = category
                && !letter.is_ascii_uppercase()
            {
                return Err(ServiceError::Category(*letter));
            }
            next.status = Waiting;
            next.window = None;
            next.served_at = None;
            next.reserved_for = to_window.clone();
            if let Some(letter) = category {
                next.category = *letter;
            }
            // First in line where it goes: it keeps the time it first joined the queue.
            HallEvent::TicketTransferred {
                number,
                from_window: window_name,
                to_window: to_window.clone(),
                category: *category,
            }
        }
        QueueCommand::Park => {
            next.status = Parked;
            HallEvent::TicketParked {
                number,
                window: window_name,
            }
        }
        QueueCommand::Resume => {
            next.status = Waiting;
            next.window = None;
            next.reserved_for = Some(window_name.clone());
            HallEvent::TicketResumed {
                number,
                window: window_name,
            }
        }
    };
    Ok((next, event))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::queue::{AgingRule, Window, next_ticket};
    use crate::ticket::{Priority, TicketNumber};

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .unwrap()
            + chrono::Duration::minutes(minute)
    }

    fn called(number: u32, window: &str) -> Ticket {
        let mut ticket = Ticket::issued(
            TicketNumber::new('A', number).unwrap(),
            Priority::Normal,
            vec![],
            None,
            at(0),
        );
        ticket.status = TicketStatus::Called;
        ticket.window = Some(window.into());
        ticket.called_at = Some(at(5));
        ticket
    }

    #[test]
    fn a_service_is_timed_from_start_to_finish() {
        let ticket = called(1, "5");
        let (serving, started) = serve(&ticket, "5", &QueueCommand::Start, at(7)).unwrap();
        assert_eq!(started.name(), "service_started");
        let (done, _) = serve(&serving, "5", &QueueCommand::Finish, at(19)).unwrap();
        assert_eq!(done.status, TicketStatus::Done);
        assert_eq!(done.service_time(), Some(chrono::Duration::minutes(12)));
        assert_eq!(done.waited(), Some(chrono::Duration::minutes(5)));
    }

    #[test]
    fn only_the_window_holding_a_ticket_may_act_on_it() {
        let ticket = called(1, "5");
        assert!(matches!(
            serve(&ticket, "6", &QueueCommand::NoShow, at(9)),
            Err(ServiceError::OtherWindow { .. })
        ));
        let (gone, _) = serve(&ticket, "5", &QueueCommand::NoShow, at(9)).unwrap();
        assert!(matches!(
            serve(&gone, "5", &QueueCommand::Start, at(10)),
            Err(ServiceError::WrongState {
                status: "no_show",
                ..
            })
        ));
    }

    #[test]
    fn a_transferred_ticket_goes_only_to_its_window_and_first_in_line() {
        let rule = AgingRule::default();
        let ticket = called(1, "5");
        let command = QueueCommand::Transfer {
            to_window: Some("9".into()),
            category: None,
        };
        let (moved, _) = serve(&ticket, "5", &command, at(20)).unwrap();
        let later = Ticket::issued(
            TicketNumber::new('A', 2).unwrap(),
            Priority::Normal,
            vec![],
            None,
            at(10),
        );
        let queue = vec![moved, later];
        assert_eq!(next_ticket(&queue, &Window::any("5"), &rule), Some(1));
        assert_eq!(next_ticket(&queue, &Window::any("9"), &rule), Some(0));
    }

    #[test]
    fn a_parked_ticket_returns_to_the_window_that_parked_it() {
        let (parked, _) = serve(&called(1, "5"), "5", &QueueCommand::Park, at(8)).unwrap();
        assert_eq!(parked.status, TicketStatus::Parked);
        assert!(
            next_ticket(
                std::slice::from_ref(&parked),
                &Window::any("5"),
                &AgingRule::default()
            )
            .is_none()
        );
        let (back, event) = serve(&parked, "5", &QueueCommand::Resume, at(30)).unwrap();
        assert_eq!(event.name(), "ticket_resumed");
        assert_eq!(back.reserved_for.as_deref(), Some("5"));
        assert_eq!(
            next_ticket(&[back], &Window::any("5"), &AgingRule::default()),
            Some(0)
        );
    }
}
