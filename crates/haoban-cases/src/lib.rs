//! haoban-cases: one-window handling and tracking (一口办理、跟踪完善) and the process record
//! (过程记录). The case state machine, deadlines in working days, and the hash chain.
//!
//! Pure domain code: it decides which events a command produces and folds events into the
//! current state; storing them is the store's job, in one transaction per command.

mod case;
pub mod clock;
mod deadline;
mod decide;
mod ids;
pub mod policy;
pub mod record;
pub mod upload;

pub use case::{
    Applicant, Case, CaseStatus, Channel, Deficiency, Delivery, Event, EventKind, MaterialCheck,
    MaterialState, ProjectionError, Suspension,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use deadline::{Deadline, DeadlineState, deadline};
pub use decide::{CaseError, Command, Context, ItemTerms, decide, event, submit};
pub use ids::{ApplicantId, CaseNumber, CenterId, IdError, IdNumber, check_character};
pub use policy::{Action, Role, Scope, permits};
pub use upload::{FileKind, UploadError, UploadMeta};
