//! What the model says happens: who does what, when, in the words of the domain's
//! commands. The driver turns each into the domain's decision and a store write.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::{Channel, Delivery};
use haoban_hall::{Priority, QueueCommand, TicketNumber, Window};

/// A case, as the model numbers them (the store gives it its case number).
pub type CaseId = u64;

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub at: DateTime<Utc>,
    pub what: What,
}

/// Staff are indices into the roster, residents into the residents, items into the mix.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// The server's daily tick: delivered cases nobody rated get their default rating.
    DefaultRatings,
    /// The first window registers a visitor it sees for the first time.
    Register { resident: usize, desk: usize },
    /// A visitor who only asked at the first window (咨询) and took no ticket.
    Consult {
        resident: usize,
        items: Vec<usize>,
        desk: usize,
    },
    Issue {
        ticket: TicketNumber,
        resident: usize,
        items: Vec<usize>,
        priority: Priority,
        desk: usize,
    },
    Call {
        ticket: TicketNumber,
        window: Window,
        clerk: usize,
    },
    Serve {
        ticket: TicketNumber,
        window: String,
        clerk: usize,
        command: QueueCommand,
    },
    /// A case opened: at a window by a clerk, or online by the resident (`by: None`).
    Submit {
        case: CaseId,
        item: usize,
        resident: usize,
        channel: Channel,
        by: Option<usize>,
    },
    Step {
        case: CaseId,
        step: CaseStep,
        by: usize,
    },
    /// The resident rates the visit at the window pad.
    RateVisit {
        ticket: TicketNumber,
        resident: usize,
        clerk: usize,
        level: u8,
    },
    /// The resident rates the case by the link sent after delivery.
    RateCase { case: CaseId, level: u8 },
    /// The director follows a bad rating up.
    FollowUp {
        target: Rated,
        step: FollowUpStep,
        by: usize,
    },
}

/// A case command, as the model decides it; the driver fills in materials and texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStep {
    Accept,
    AcceptWithDeficiency { due: NaiveDate },
    NotAccept,
    StartReview,
    RequestSupplement { due: NaiveDate },
    ProvideSupplement,
    FulfilDeficiency,
    Approve,
    Deny,
    MarkReady(Delivery),
    Deliver,
}

/// What a rating was of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rated {
    Case(CaseId),
    Visit {
        day: NaiveDate,
        ticket: TicketNumber,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpStep {
    CallBack,
    Fix,
}
