//! A case and the events that make it: the projection is a fold of the events, so the
//! state can always be rebuilt from the process record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ApplicantId, CaseNumber, CenterId};
use crate::policy::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
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
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 12] = [
        CaseStatus::Submitted,
        CaseStatus::Accepted,
        CaseStatus::AcceptedWithDeficiency,
        CaseStatus::NotAccepted,
        CaseStatus::InReview,
        CaseStatus::SupplementRequested,
        CaseStatus::Approved,
        CaseStatus::Denied,
        CaseStatus::Ready,
        CaseStatus::Delivered,
        CaseStatus::Closed,
        CaseStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "submitted",
            CaseStatus::Accepted => "accepted",
            CaseStatus::AcceptedWithDeficiency => "accepted_with_deficiency",
            CaseStatus::NotAccepted => "not_accepted",
            CaseStatus::InReview => "in_review",
            CaseStatus::SupplementRequested => "supplement_requested",
            CaseStatus::Approved => "approved",
            CaseStatus::Denied => "denied",
            CaseStatus::Ready => "ready",
            CaseStatus::Delivered => "delivered",
            CaseStatus::Closed => "closed",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Waiting on the center: the deadline clock matters (it is stopped only in
    /// `supplement_requested`).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            CaseStatus::Accepted
                | CaseStatus::AcceptedWithDeficiency
                | CaseStatus::InReview
                | CaseStatus::SupplementRequested
        )
    }

    /// No transition leaves these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseStatus::NotAccepted
                | CaseStatus::Denied
                | CaseStatus::Closed
                | CaseStatus::Withdrawn
        )
    }

    /// The resident's business with the center is done: a final status, or delivered
    /// (only closing the file is left). Personal data's retention counts from here.
    pub fn is_over(self) -> bool {
        self.is_final() || self == CaseStatus::Delivered
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "已提交",
            CaseStatus::Accepted => "已受理",
            CaseStatus::AcceptedWithDeficiency => "容缺受理",
            CaseStatus::NotAccepted => "不予受理",
            CaseStatus::InReview => "审核中",
            CaseStatus::SupplementRequested => "待补正",
            CaseStatus::Approved => "已批准",
            CaseStatus::Denied => "不予批准",
            CaseStatus::Ready => "待领取",
            CaseStatus::Delivered => "已送达",
            CaseStatus::Closed => "已办结",
            CaseStatus::Withdrawn => "已撤回",
        }
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an application came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Window,
    Online,
    Kiosk,
}

/// What happened to one material at the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialState {
    Received,
    Missing,
    /// Replaced by an electronic licence (电子证照).
    ELicence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialCheck {
    pub material: String,
    pub state: MaterialState,
}

/// How a result reaches the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Window,
    Cabinet,
    Post,
    ELicence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub id_number: ApplicantId,
    pub name: String,
}

/// 容缺: what must follow, promised by the applicant, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deficiency {
    pub materials: Vec<String>,
    pub promise: String,
    pub due: NaiveDate,
    pub fulfilled_on: Option<NaiveDate>,
}

/// A stretch of 补正 during which the deadline clock is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub request: String,
    pub from: NaiveDate,
    pub due: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// What happened, as recorded in the process record. Each variant's fields are its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Submitted {
        item: String,
        catalog_version: String,
        applicant: Applicant,
        channel: Channel,
        promised_days: u32,
        required_materials: Vec<String>,
        /// Materials that may be needed, depending on facts the window settles.
        #[serde(default)]
        conditional_materials: Vec<String>,
    },
    MaterialsChecked {
        materials: Vec<MaterialCheck>,
    },
    Accepted {
        on: NaiveDate,
        materials: Vec<MaterialCheck>,
    },
    AcceptedWithDeficiency {
        on: NaiveDate,
        materials: Vec<MaterialCheck>,
        promise: String,
        due: NaiveDate,
    },
    NotAccepted {
        reason: String,
        legal_basis: String,
    },
    ReviewStarted,
    SupplementRequested {
        on: NaiveDate,
        request: String,
        due: NaiveDate,
    },
    SupplementProvided {
        on: NaiveDate,
        note: String,
    },
    DeficiencyFulfilled {
        on: NaiveDate,
    },
    Approved {
        on: NaiveDate,
        note: String,
    },
    Denied {
        on: NaiveDate,
        reason: String,
    },
    Ready {
        delivery: Delivery,
    },
    Delivered {
        on: NaiveDate,
    },
    Closed,
    Withdrawn {
        reason: String,
    },
    NoteAdded {
        text: String,
    },
    /// A full ID number was shown to someone whose role may see it.
    PersonalDataViewed {
        what: String,
    },
}

impl EventKind {
    /// Every kind's name. Other parts of the center (the hall, ratings) record entries
    /// under a case too; only these are the case's own events, which its state folds.
    pub const NAMES: [&'static str; 17] = [
        "submitted",
        "materials_checked",
        "accepted",
        "accepted_with_deficiency",
        "not_accepted",
        "review_started",
        "supplement_requested",
        "supplement_provided",
        "deficiency_fulfilled",
        "approved",
        "denied",
        "ready",
        "delivered",
        "closed",
        "withdrawn",
        "note_added",
        "personal_data_viewed",
    ];

    /// Whether an entry of `kind` is one of a case's own events.
    pub fn is_case_kind(kind: &str) -> bool {
        EventKind::NAMES.contains(&kind)
    }

    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "submitted",
            EventKind::MaterialsChecked { .. } => "materials_checked",
            EventKind::Accepted { .. } => "accepted",
            EventKind::AcceptedWithDeficiency { .. } => "accepted_with_deficiency",
            EventKind::NotAccepted { .. } => "not_accepted",
            EventKind::ReviewStarted => "review_started",
            EventKind::SupplementRequested { .. } => "supplement_requested",
            EventKind::SupplementProvided { .. } => "supplement_provided",
            EventKind::DeficiencyFulfilled { .. } => "deficiency_fulfilled",
            EventKind::Approved { .. } => "approved",
            EventKind::Denied { .. } => "denied",
            EventKind::Ready { .. } => "ready",
            EventKind::Delivered { .. } => "delivered",
            EventKind::Closed => "closed",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::NoteAdded { .. } => "note_added",
            EventKind::PersonalDataViewed { .. } => "personal_data_viewed",
        }
    }
}

/// An event with who did it, where and when: one entry of the process record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub center: CenterId,
    pub case: Option<CaseNumber>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: Role,
    pub kind: EventKind,
}

/// The current state of a case, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub number: CaseNumber,
    pub center: CenterId,
    pub item: String,
    pub catalog_version: String,
    pub applicant: Applicant,
    pub channel: Channel,
    pub status: CaseStatus,
    pub promised_days: u32,
    /// The materials this applicant must show for the item, fixed when the case was opened.
    pub required_materials: Vec<String>,
    /// Materials the clerk checks only if the applicant's situation calls for them.
    #[serde(default)]
    pub conditional_materials: Vec<String>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub accepted_on: Option<NaiveDate>,
    /// The clerk who accepted (or refused) it.
    pub clerk: Option<String>,
    pub materials: Vec<MaterialCheck>,
    pub deficiency: Option<Deficiency>,
    pub suspensions: Vec<Suspension>,
    /// The day the back office decided (approved or denied), or the case was withdrawn.
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub delivery: Option<Delivery>,
    /// How many events the case has: the version writers compare to avoid lost updates.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("the first event of a case must be `submitted`, found `{0}`")]
    NotStarted(&'static str),
    #[error("a case cannot be submitted twice")]
    Resubmitted,
    #[error("event has no case number")]
    NoCase,
}

impl Case {
    /// Rebuilds a case from its events, oldest first.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Option<Case>, ProjectionError> {
        let mut case: Option<Case> = None;
        for event in events {
            case = Some(Case::apply(case, event)?);
        }
        Ok(case)
    }

    /// The state after `event`.
    pub fn apply(case: Option<Case>, event: &Event) -> Result<Case, ProjectionError> {
        let mut case = match (case, &event.kind) {
            (
                None,
                EventKind::Submitted {
                    item,
                    catalog_version,
                    applicant,
                    channel,
                    promised_days,
                    required_materials,
                    conditional_materials,
                },
            ) => {
                let number = event.case.clone().ok_or(ProjectionError::NoCase)?;
                return Ok(Case {
                    number,
                    center: event.center.clone(),
                    item: item.clone(),
                    catalog_version: catalog_version.clone(),
                    applicant: applicant.clone(),
                    channel: *channel,
                    status: CaseStatus::Submitted,
                    promised_days: *promised_days,
                    required_materials: required_materials.clone(),
                    conditional_materials: conditional_materials.clone(),
                    submitted_at: event.at,
                    updated_at: event.at,
                    accepted_on: None,
                    clerk: None,
                    materials: Vec::new(),
                    deficiency: None,
                    suspensions: Vec::new(),
                    decided_on: None,
                    reason: None,
                    legal_basis: None,
                    delivery: None,
                    version: 1,
                });
            }
            (None, other) => return Err(ProjectionError::NotStarted(other.name())),
            (Some(_), EventKind::Submitted { .. }) => return Err(ProjectionError::Resubmitted),
            (Some(case), _) => case,
        };
        case.version += 1;
        case.updated_at = event.at;
        match &event.kind {
            EventKind::Submitted { .. } => {}
            EventKind::MaterialsChecked { materials } => case.materials = materials.clone(),
            EventKind::Accepted { on, materials } => {
                case.status = CaseStatus::Accepted;
                case.accepted_on = Some(*on);
                case.materials = materials.clone();
                case.clerk = Some(event.actor.clone());
            }
            EventKind::AcceptedWithDeficiency {
                on,
                materials,
                promise,
                due,
            } => {
                case.status = CaseStatus::AcceptedWithDeficiency;
                case.accepted_on = Some(*on);
                case.materials = materials.clone();
                case.clerk = Some(event.actor.clone());
                case.deficiency = Some(Deficiency {
                    materials: materials
                        .iter()
                        .filter(|m| m.state == MaterialState::Missing)
                        .map(|m| m.material.clone())
                        .collect(),
                    promise: promise.clone(),
                    due: *due,
                    fulfilled_on: None,
                });
            }
            EventKind::NotAccepted {
                reason,
                legal_basis,
            } => {
                case.status = CaseStatus::NotAccepted;
                case.clerk = Some(event.actor.clone());
                case.reason = Some(reason.clone());
                case.legal_basis = Some(legal_basis.clone());
            }
            EventKind::ReviewStarted => case.status = CaseStatus::InReview,
            EventKind::SupplementRequested { on, request, due } => {
                case.status = CaseStatus::SupplementRequested;
                case.suspensions.push(Suspension {
                    request: request.clone(),
                    from: *on,
                    due: *due,
                    until: None,
                });
            }
            EventKind::SupplementProvided { on, .. } => {
                case.status = CaseStatus::InReview;
                if let Some(open) = case
                    .suspensions
                    .iter_mut()
                    .rev()
                    .find(|s| s.until.is_none())
                {
                    open.until = Some(*on);
                }
            }
            EventKind::DeficiencyFulfilled { on } => {
                if let Some(deficiency) = &mut case.deficiency {
                    deficiency.fulfilled_on = Some(*on);
                }
                for material in &mut case.materials {
                    if material.state == MaterialState::Missing {
                        material.state = MaterialState::Received;
                    }
                }
            }
            EventKind::Approved { on, .. } => {
                case.status = CaseStatus::Approved;
                case.decided_on = Some(*on);
            }
            EventKind::Denied { on, reason } => {
                case.status = CaseStatus::Denied;
                case.decided_on = Some(*on);
                case.reason = Some(reason.clone());
            }
            EventKind::Ready { delivery } => {
                case.status = CaseStatus::Ready;
                case.delivery = Some(*delivery);
            }
            EventKind::Delivered { on } => {
                case.status = CaseStatus::Delivered;
                case.decided_on.get_or_insert(*on);
            }
            EventKind::Closed => case.status = CaseStatus::Closed,
            EventKind::Withdrawn { reason } => {
                case.status = CaseStatus::Withdrawn;
                case.reason = Some(reason.clone());
            }
            EventKind::NoteAdded { .. } | EventKind::PersonalDataViewed { .. } => {}
        }
        Ok(case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NAMES` is how the record tells a case's own entries from the other parts' entries
    /// under the same case, so it must list every kind.
    #[test]
    fn every_kind_is_named() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        let kinds = [
            EventKind::Submitted {
                item: String::new(),
                catalog_version: String::new(),
                applicant: Applicant {
                    id_number: crate::IdNumber::parse("11010519491231002X")
                        .expect("id")
                        .into(),
                    name: String::new(),
                },
                channel: Channel::Window,
                promised_days: 0,
                required_materials: Vec::new(),
                conditional_materials: Vec::new(),
            },
            EventKind::MaterialsChecked { materials: vec![] },
            EventKind::Accepted {
                on: day,
                materials: vec![],
            },
            EventKind::AcceptedWithDeficiency {
                on: day,
                materials: vec![],
                promise: String::new(),
                due: day,
            },
            EventKind::NotAccepted {
                reason: String::new(),
                legal_basis: String::new(),
            },
            EventKind::ReviewStarted,
            EventKind::SupplementRequested {
                on: day,
                request: String::new(),
                due: day,
            },
            EventKind::SupplementProvided {
                on: day,
                note: String::new(),
            },
            EventKind::DeficiencyFulfilled { on: day },
            EventKind::Approved {
                on: day,
                note: String::new(),
            },
            EventKind::Denied {
                on: day,
                reason: String::new(),
            },
            EventKind::Ready {
                delivery: Delivery::Window,
            },
            EventKind::Delivered { on: day },
            EventKind::Closed,
            EventKind::Withdrawn {
                reason: String::new(),
            },
            EventKind::NoteAdded {
                text: String::new(),
            },
            EventKind::PersonalDataViewed {
                what: String::new(),
            },
        ];
        let names: Vec<&str> = kinds.iter().map(EventKind::name).collect();
        assert_eq!(names, EventKind::NAMES);
        assert!(!EventKind::is_case_kind("rating_given"));
    }
}
