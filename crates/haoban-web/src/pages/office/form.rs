//! The back-office forms: what was typed, and what is wrong with it, field by field.

use chrono::NaiveDate;
use haoban_cases::Command;
use haoban_catalog::value::parse_date;

use super::Step;
use super::msgs::OfficeMsgs;
use super::view::{DELIVERIES, delivery_code};

/// The longest text a form takes, in characters.
const TEXT_MAX: usize = 500;

/// What the forms carried, kept when refused so nothing typed is lost.
#[derive(Default)]
pub(super) struct Entered {
    pub(super) request: String,
    pub(super) due: String,
    pub(super) provide_note: String,
    pub(super) approve_note: String,
    pub(super) reason: String,
    pub(super) delivery: String,
}

/// Messages shown next to their fields.
#[derive(Default)]
pub(super) struct Errors {
    pub(super) request: Option<String>,
    pub(super) due: Option<String>,
    pub(super) provide_note: Option<String>,
    pub(super) approve_note: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) delivery: Option<String>,
}

/// Text that may be empty but not too long.
fn bounded(o: &OfficeMsgs, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.chars().count() > TEXT_MAX {
        Err(o.err_too_long.replace("{}", &TEXT_MAX.to_string()))
    } else {
        Ok(text.to_owned())
    }
}

/// Text that must be given.
fn required(o: &OfficeMsgs, text: &str, missing: &str) -> Result<String, String> {
    bounded(o, text).and_then(|text| {
        if text.is_empty() {
            Err(missing.to_owned())
        } else {
            Ok(text)
        }
    })
}

/// The command a form asks for, or what is wrong with it, field by field. The domain
/// checks again; these checks only put the message where the mistake is.
pub(super) fn command(
    step: Step,
    entered: &Entered,
    today: NaiveDate,
    o: &OfficeMsgs,
) -> Result<Command, Box<Errors>> {
    let mut errors = Errors::default();
    let command = match step {
        Step::StartReview => Some(Command::StartReview),
        Step::FulfilDeficiency => Some(Command::FulfilDeficiency),
        Step::Deliver => Some(Command::Deliver),
        Step::Close => Some(Command::Close),
        Step::RequestSupplement => {
            let request = required(o, &entered.request, o.err_request);
            let due_text = entered.due.trim();
            let due = match parse_date(due_text) {
                _ if due_text.is_empty() => Err(o.err_due_missing.to_owned()),
                None => Err(o.err_due_format.to_owned()),
                Some(due) if due < today => Err(o
                    .err_due_past
                    .replace("{}", &today.format("%Y-%m-%d").to_string())),
                Some(due) => Ok(due),
            };
            match (request, due) {
                (Ok(request), Ok(due)) => Some(Command::RequestSupplement { request, due }),
                (request, due) => {
                    errors.request = request.err();
                    errors.due = due.err();
                    None
                }
            }
        }
        Step::ProvideSupplement => match bounded(o, &entered.provide_note) {
            Ok(note) => Some(Command::ProvideSupplement { note }),
            Err(why) => {
                errors.provide_note = Some(why);
                None
            }
        },
        Step::Approve => match bounded(o, &entered.approve_note) {
            Ok(note) => Some(Command::Approve {
                note: (!note.is_empty()).then_some(note),
            }),
            Err(why) => {
                errors.approve_note = Some(why);
                None
            }
        },
        Step::Deny => match required(o, &entered.reason, o.err_reason) {
            Ok(reason) => Some(Command::Deny { reason }),
            Err(why) => {
                errors.reason = Some(why);
                None
            }
        },
        Step::MarkReady => {
            let chosen = DELIVERIES
                .into_iter()
                .find(|d| delivery_code(*d) == entered.delivery);
            match chosen {
                Some(delivery) => Some(Command::MarkReady { delivery }),
                None => {
                    errors.delivery = Some(o.err_delivery.to_owned());
                    None
                }
            }
        }
    };
    command.ok_or(Box::new(errors))
}
