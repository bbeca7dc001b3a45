//! The case state machine: a command, checked against who asks and the case's state,
//! becomes the events to record. Nothing here writes anything.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{
    Applicant, Case, CaseStatus, Channel, Delivery, Event, EventKind, MaterialCheck, MaterialState,
};
use crate::ids::{CaseNumber, CenterId};
use crate::policy::{Action, Role, permits};

/// Who is acting, where, and when (the date in the catalog's time zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: String,
    pub role: Role,
    pub center: CenterId,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// What the catalog says about the item, as far as a case needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTerms {
    pub id: String,
    pub catalog_version: String,
    pub promised_days: u32,
    /// Materials the item certainly requires of this applicant (pre-review's checklist).
    pub required_materials: Vec<String>,
    /// Materials the checklist marks conditional: needed only if unknown facts say so.
    pub conditional_materials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    CheckMaterials {
        materials: Vec<MaterialCheck>,
    },
    Accept {
        materials: Vec<MaterialCheck>,
    },
    AcceptWithDeficiency {
        materials: Vec<MaterialCheck>,
        promise: String,
        due: NaiveDate,
    },
    NotAccept {
        reason: String,
        legal_basis: String,
    },
    StartReview,
    RequestSupplement {
        request: String,
        due: NaiveDate,
    },
    ProvideSupplement {
        note: String,
    },
    FulfilDeficiency,
    Approve {
        note: Option<String>,
    },
    Deny {
        reason: String,
    },
    MarkReady {
        delivery: Delivery,
    },
    Deliver,
    Close,
    Withdraw {
        reason: String,
    },
    AddNote {
        text: String,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::CheckMaterials { .. } => Action::CheckMaterials,
            Command::Accept { .. } => Action::Accept,
            Command::AcceptWithDeficiency { .. } => Action::AcceptWithDeficiency,
            Command::NotAccept { .. } => Action::NotAccept,
            Command::StartReview => Action::StartReview,
            Command::RequestSupplement { .. } => Action::RequestSupplement,
            Command::ProvideSupplement { .. } => Action::ProvideSupplement,
            Command::FulfilDeficiency => Action::FulfilDeficiency,
            Command::Approve { .. } => Action::Approve,
            Command::Deny { .. } => Action::Deny,
            Command::MarkReady { .. } => Action::MarkReady,
            Command::Deliver => Action::Deliver,
            Command::Close => Action::Close,
            Command::Withdraw { .. } => Action::Withdraw,
            Command::AddNote { .. } => Action::AddNote,
        }
    }

    /// The states a command may start from.
    pub fn from_states(&self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Command::CheckMaterials { .. }
            | Command::Accept { .. }
            | Command::AcceptWithDeficiency { .. }
            | Command::NotAccept { .. } => &[Submitted],
            Command::StartReview => &[Accepted, AcceptedWithDeficiency],
            Command::RequestSupplement { .. } => &[InReview],
            Command::ProvideSupplement { .. } => &[SupplementRequested],
            Command::FulfilDeficiency => &[AcceptedWithDeficiency, InReview, SupplementRequested],
            Command::Approve { .. } | Command::Deny { .. } => &[InReview],
            Command::MarkReady { .. } => &[Approved],
            Command::Deliver => &[Ready],
            Command::Close => &[Delivered],
            Command::Withdraw { .. } => &[
                Submitted,
                Accepted,
                AcceptedWithDeficiency,
                InReview,
                SupplementRequested,
            ],
            Command::AddNote { .. } => &[
                Submitted,
                Accepted,
                AcceptedWithDeficiency,
                NotAccepted,
                InReview,
                SupplementRequested,
                Approved,
                Denied,
                Ready,
                Delivered,
                Closed,
                Withdrawn,
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("the {role} role may not {action}")]
    NotAllowed { role: Role, action: Action },
    #[error("case {case} belongs to center {center}")]
    OtherCenter { case: CaseNumber, center: CenterId },
    #[error("only the applicant may do this on their own case")]
    NotOwnCase,
    #[error("cannot {action} a case that is {status}: it needs to be {}", expected(.allowed))]
    WrongState {
        action: Action,
        status: CaseStatus,
        allowed: &'static [CaseStatus],
    },
    #[error("{0}")]
    Invalid(String),
}

fn expected(states: &[CaseStatus]) -> String {
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Opens a case: the `submitted` event, checked like any other command. It has no case
/// number yet: the store numbers it when it records it.
pub fn submit(
    ctx: &Context,
    applicant: Applicant,
    channel: Channel,
    item: &ItemTerms,
) -> Result<Event, CaseError> {
    allowed(ctx, Action::CreateCase)?;
    if applicant.name.trim().is_empty() {
        return Err(CaseError::Invalid(
            "the applicant's name is required".into(),
        ));
    }
    Ok(Event {
        center: ctx.center.clone(),
        case: None,
        at: ctx.now.trunc_subsecs(6),
        actor: ctx.actor.clone(),
        role: ctx.role,
        kind: EventKind::Submitted {
            item: item.id.clone(),
            catalog_version: item.catalog_version.clone(),
            applicant,
            channel,
            promised_days: item.promised_days,
            required_materials: item.required_materials.clone(),
            conditional_materials: item.conditional_materials.clone(),
        },
    })
}

fn allowed(ctx: &Context, action: Action) -> Result<(), CaseError> {
    permits(ctx.role, action)
        .map(|_| ())
        .ok_or(CaseError::NotAllowed {
            role: ctx.role,
            action,
        })
}

/// An event on a case, by the context's actor, now. Times are kept to the microsecond,
/// as the record stores them, so a replay gives back exactly the same case.
pub fn event(ctx: &Context, number: &CaseNumber, kind: EventKind) -> Event {
    Event {
        center: ctx.center.clone(),
        case: Some(number.clone()),
        at: ctx.now.trunc_subsecs(6),
        actor: ctx.actor.clone(),
        role: ctx.role,
        kind,
    }
}

fn required(text: &str, what: &str) -> Result<String, CaseError> {
    let text = text.trim();
    if text.is_empty() {
        Err(CaseError::Invalid(format!("{what} is required")))
    } else {
        Ok(text.to_owned())
    }
}

/// Decides what `command` means for `case`, or why it cannot happen. `resident_owns` says,
/// for a resident, whether the case is theirs (the caller knows who signed in).
pub fn decide(
    ctx: &Context,
    case: &Case,
    command: Command,
    resident_owns: bool,
) -> Result<Vec<Event>, CaseError> {
    let action = command.action();
    allowed(ctx, action)?;
    if ctx.role == Role::Resident {
        if !resident_owns {
            return Err(CaseError::NotOwnCase);
        }
    } else if case.center != ctx.center {
        return Err(CaseError::OtherCenter {
            case: case.number.clone(),
            center: case.center.clone(),
        });
    }
    let allowed_states = command.from_states();
    if !allowed_states.contains(&case.status) {
        return Err(CaseError::WrongState {
            action,
            status: case.status,
            allowed: allowed_states,
        });
    }
    let today = ctx.today;
    let kinds = match command {
        Command::CheckMaterials { materials } => vec![EventKind::MaterialsChecked {
            materials: checked(materials, case)?,
        }],
        Command::Accept { materials } => {
            let materials = checked(materials, case)?;
            if let Some(missing) = materials.iter().find(|m| m.state == MaterialState::Missing) {
                return Err(CaseError::Invalid(format!(
                    "material `{}` is missing: accept with deficiency (容缺) or do not accept",
                    missing.material
                )));
            }
            let mut kinds = vec![EventKind::Accepted {
                on: today,
                materials,
            }];
            if case.promised_days == 0 {
                // 即办件: decided and handed over at the same sitting.
                kinds.push(EventKind::Approved {
                    on: today,
                    note: "即办件，当场办结".into(),
                });
                kinds.push(EventKind::Ready {
                    delivery: Delivery::Window,
                });
                kinds.push(EventKind::Delivered { on: today });
            }
            kinds
        }
        Command::AcceptWithDeficiency {
            materials,
            promise,
            due,
        } => {
            let materials = checked(materials, case)?;
            if !materials.iter().any(|m| m.state == MaterialState::Missing) {
                return Err(CaseError::Invalid(
                    "nothing is missing: accept without deficiency".into(),
                ));
            }
            if case.promised_days == 0 {
                return Err(CaseError::Invalid(
                    "an instant item (即办件) cannot be accepted with deficiency".into(),
                ));
            }
            if due < today {
                return Err(CaseError::Invalid(format!(
                    "the date the missing materials must follow ({due}) is in the past"
                )));
            }
            vec![EventKind::AcceptedWithDeficiency {
                on: today,
                materials,
                promise: required(&promise, "the applicant's promise (承诺)")?,
                due,
            }]
        }
        Command::NotAccept {
            reason,
            legal_basis,
        } => vec![EventKind::NotAccepted {
            reason: required(&reason, "the reason")?,
            legal_basis: required(&legal_basis, "the legal basis")?,
        }],
        Command::StartReview => vec![EventKind::ReviewStarted],
        Command::RequestSupplement { request, due } => {
            if due < today {
                return Err(CaseError::Invalid(format!(
                    "the supplement due date {due} is in the past"
                )));
            }
            vec![EventKind::SupplementRequested {
                on: today,
                request: required(&request, "what must be supplemented")?,
                due,
            }]
        }
        Command::ProvideSupplement { note } => vec![EventKind::SupplementProvided {
            on: today,
            note: note.trim().to_owned(),
        }],
        Command::FulfilDeficiency => match &case.deficiency {
            Some(d) if d.fulfilled_on.is_none() => {
                vec![EventKind::DeficiencyFulfilled { on: today }]
            }
            Some(_) => {
                return Err(CaseError::Invalid(
                    "the missing materials have already followed".into(),
                ));
            }
            None => {
                return Err(CaseError::Invalid(
                    "the case was accepted without deficiency".into(),
                ));
            }
        },
        Command::Approve { note } => {
            if case
                .deficiency
                .as_ref()
                .is_some_and(|d| d.fulfilled_on.is_none())
            {
                return Err(CaseError::Invalid(
                    "the materials missing at acceptance (容缺) have not followed yet".into(),
                ));
            }
            vec![EventKind::Approved {
                on: today,
                note: note.unwrap_or_default().trim().to_owned(),
            }]
        }
        Command::Deny { reason } => vec![EventKind::Denied {
            on: today,
            reason: required(&reason, "the reason")?,
        }],
        Command::MarkReady { delivery } => vec![EventKind::Ready { delivery }],
        Command::Deliver => vec![EventKind::Delivered { on: today }],
        Command::Close => vec![EventKind::Closed],
        Command::Withdraw { reason } => vec![EventKind::Withdrawn {
            reason: required(&reason, "the reason")?,
        }],
        Command::AddNote { text } => vec![EventKind::NoteAdded {
            text: required(&text, "the note")?,
        }],
    };
    Ok(kinds
        .into_iter()
        .map(|kind| event(ctx, &case.number, kind))
        .collect())
}

/// Every material the case requires must be accounted for, once; conditional ones may be;
/// nothing else.
fn checked(materials: Vec<MaterialCheck>, case: &Case) -> Result<Vec<MaterialCheck>, CaseError> {
    for (i, m) in materials.iter().enumerate() {
        if !case.required_materials.contains(&m.material)
            && !case.conditional_materials.contains(&m.material)
        {
            return Err(CaseError::Invalid(format!(
                "material `{}` is not required for this case of `{}`",
                m.material, case.item
            )));
        }
        if materials[..i]
            .iter()
            .any(|earlier| earlier.material == m.material)
        {
            return Err(CaseError::Invalid(format!(
                "material `{}` is listed twice",
                m.material
            )));
        }
    }
    if let Some(unchecked) = case
        .required_materials
        .iter()
        .find(|r| !materials.iter().any(|m| &m.material == *r))
    {
        return Err(CaseError::Invalid(format!(
            "material `{unchecked}` has not been checked (received, missing or electronic licence)"
        )));
    }
    Ok(materials)
}
