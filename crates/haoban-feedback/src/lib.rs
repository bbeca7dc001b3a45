//! haoban-feedback: ratings (好差评). Residents rate a visit (a hall ticket) or a case on
//! five levels, once, and a bad rating is followed up to a fix against a working-day
//! deadline, with an appeal the supervisor decides.
//!
//! Pure: it decides what a rating or a follow-up step becomes and which entries of the
//! process record go with it; the store writes them in one transaction.
//!
//! # The rules
//!
//! - Five levels: 5 非常满意 very satisfied, 4 满意 satisfied, 3 基本满意 fairly satisfied,
//!   2 不满意 dissatisfied, 1 非常不满意 very dissatisfied ([`Level`]). The good-rating
//!   rate is levels 5, 4 and 3 over all ratings ([`Tally`]).
//! - One rating per [`Target`]: a case, or a visit (the center, the day and the ticket
//!   number). A rating is never edited; a second one for the same target is refused.
//! - Only the resident rates, never staff. Who counts as the resident is the web's check:
//!   the applicant of the case, or for a visit the person whose ID number the ticket
//!   carries; a ticket that carries none is rated anonymously from the window pad or the
//!   kiosk, on its own day.
//! - The staff member rated: for a case the accepting clerk (`Case::clerk`); for a visit
//!   the last staff member who called the ticket or took a step with it
//!   (`Ticket::served_by`).
//! - A delivered case nobody rated counts as [`DefaultRule::level`] once
//!   [`DefaultRule::after_days`] calendar days have passed since delivery
//!   ([`due_defaults`]). The default level must be a good one: silence is never a
//!   complaint, so a default never opens a follow-up.
//! - A bad rating (2 or 1) opens a [`FollowUp`], due [`FeedbackConfig::follow_up_days`]
//!   working days after the rating (the catalog's calendar): call the resident back, then
//!   record the fix. The staff member rated may appeal once; a supervisor other than them
//!   decides it, upheld (the bad rating stands against them) or not (it does not, and the
//!   follow-up is closed).
//!
//! # The events (the contract with `haoban-insight`)
//!
//! Every rating and follow-up step is an entry of the center's hash chain, with these
//! kinds and payloads (each payload also carries `"type"`, equal to the kind, like every
//! other event of the record):
//!
//! | kind | payload |
//! |---|---|
//! | `rating_given` | `target`, `level` (1–5), `channel` (`window_pad`, `kiosk`, `portal`, `link`), `staff` |
//! | `rating_defaulted` | `target`, `level`, `staff` |
//! | `follow_up_opened` | `id`, `target`, `level`, `staff`, `due` (`YYYY-MM-DD`) |
//! | `follow_up_called_back` | `id`, `note` |
//! | `follow_up_fixed` | `id`, `note` |
//! | `appeal_filed` | `id`, `reason` |
//! | `appeal_decided` | `id`, `upheld` (true: the bad rating stands against the staff member), `note` |
//!
//! `target` is `{"kind": "case", "case": "linfen-20261127-0012"}` or
//! `{"kind": "visit", "day": "2026-11-27", "ticket": "A023"}`; `staff` is the username of
//! the staff member rated. The entry's `case` column is set on `rating_given`,
//! `rating_defaulted` and `follow_up_opened` of a case, so they show in the case's record;
//! the later steps (call-back notes, appeals) are the center's internal handling and are
//! kept off the case's record, which the resident can read: they are linked by `id`.
//! The entry's actor is the masked resident (`resident:1101**********002X`), `anonymous`
//! for a ticket rated without an ID number, or `system:default` for a default, all with
//! role `resident`; follow-up steps are by the staff member who took them.

mod events;
mod follow_up;
mod level;
mod rating;
mod target;

pub use events::FeedbackEvent;
pub use follow_up::{
    AppealState, Decision, FollowUp, FollowUpCommand, FollowUpError, Stage, Step, TEXT_MAX_CHARS,
    step,
};
pub use haoban_catalog::Month;
pub use level::{Channel, GoodRate, Level, Tally};
pub use rating::{
    DEFAULT_ACTOR, DefaultRule, Delivered, FeedbackConfig, Rated, Rating, RatingError,
    due_defaults, rate,
};
pub use target::{FollowUpId, Target};
