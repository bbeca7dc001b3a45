//! Ratings and follow-up steps as entries of the process record. The kinds and payload
//! fields are a contract (see the crate's documentation): `haoban-insight` reads them.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Draft, record_time};
use haoban_cases::{CenterId, Role};
use serde::Serialize;

use crate::level::{Channel, Level};
use crate::target::{FollowUpId, Target};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeedbackEvent {
    RatingGiven {
        target: Target,
        level: Level,
        channel: Channel,
        staff: String,
    },
    RatingDefaulted {
        target: Target,
        level: Level,
        staff: String,
    },
    FollowUpOpened {
        id: FollowUpId,
        target: Target,
        level: Level,
        staff: String,
        due: NaiveDate,
    },
    FollowUpCalledBack {
        id: FollowUpId,
        note: String,
    },
    FollowUpFixed {
        id: FollowUpId,
        note: String,
    },
    AppealFiled {
        id: FollowUpId,
        reason: String,
    },
    /// `upheld`: the bad rating stands against the staff member.
    AppealDecided {
        id: FollowUpId,
        upheld: bool,
        note: String,
    },
}

impl FeedbackEvent {
    pub fn name(&self) -> &'static str {
        match self {
            FeedbackEvent::RatingGiven { .. } => "rating_given",
            FeedbackEvent::RatingDefaulted { .. } => "rating_defaulted",
            FeedbackEvent::FollowUpOpened { .. } => "follow_up_opened",
            FeedbackEvent::FollowUpCalledBack { .. } => "follow_up_called_back",
            FeedbackEvent::FollowUpFixed { .. } => "follow_up_fixed",
            FeedbackEvent::AppealFiled { .. } => "appeal_filed",
            FeedbackEvent::AppealDecided { .. } => "appeal_decided",
        }
    }

    /// The case whose record shows this entry: a case's rating and the follow-up it
    /// opened. Later steps stay off the case's record (the resident reads it).
    fn case(&self) -> Option<String> {
        match self {
            FeedbackEvent::RatingGiven { target, .. }
            | FeedbackEvent::RatingDefaulted { target, .. }
            | FeedbackEvent::FollowUpOpened { target, .. } => {
                target.case().map(ToString::to_string)
            }
            _ => None,
        }
    }

    /// The record entry for this step, by `actor` in `role` at `at`.
    pub fn draft(&self, center: &CenterId, at: DateTime<Utc>, actor: &str, role: Role) -> Draft {
        Draft {
            center: center.to_string(),
            case: self.case(),
            at: record_time(at),
            actor: actor.to_owned(),
            role: role.as_str().to_owned(),
            kind: self.name().to_owned(),
            payload: serde_json::to_string(self).expect("feedback events serialize"),
        }
    }
}

#[cfg(test)]
mod tests {
    use haoban_cases::CaseNumber;
    use haoban_hall::TicketNumber;
    use serde_json::{Value, json};

    use super::*;

    fn payload(event: &FeedbackEvent) -> Value {
        let center = CenterId::parse("linfen").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let draft = event.draft(&center, at, "zhang", Role::Supervisor);
        assert_eq!(draft.kind, event.name());
        serde_json::from_str(&draft.payload).unwrap()
    }

    /// The exact payloads `haoban-insight` reads: kinds and field names must not drift.
    #[test]
    fn payloads_follow_the_contract() {
        let case = Target::Case {
            case: CaseNumber::parse("linfen-20261127-0012").unwrap(),
        };
        let visit = Target::Visit {
            day: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            ticket: TicketNumber::parse("A023").unwrap(),
        };
        let id = FollowUpId::parse("linfen-20261127-A023").unwrap();
        let given = FeedbackEvent::RatingGiven {
            target: visit.clone(),
            level: Level::DISSATISFIED,
            channel: Channel::WindowPad,
            staff: "zhang".into(),
        };
        assert_eq!(
            payload(&given),
            json!({"type": "rating_given", "target": {"kind": "visit", "day": "2026-11-27", "ticket": "A023"},
                   "level": 2, "channel": "window_pad", "staff": "zhang"})
        );
        let defaulted = FeedbackEvent::RatingDefaulted {
            target: case.clone(),
            level: Level::SATISFIED,
            staff: "li".into(),
        };
        assert_eq!(
            payload(&defaulted),
            json!({"type": "rating_defaulted", "target": {"kind": "case", "case": "linfen-20261127-0012"},
                   "level": 4, "staff": "li"})
        );
        let opened = FeedbackEvent::FollowUpOpened {
            id: id.clone(),
            target: visit,
            level: Level::VERY_DISSATISFIED,
            staff: "zhang".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        };
        assert_eq!(payload(&opened)["due"], "2026-12-04");
        assert_eq!(payload(&opened)["id"], "linfen-20261127-A023");
        let decided = FeedbackEvent::AppealDecided {
            id,
            upheld: true,
            note: "n".into(),
        };
        assert_eq!(
            payload(&decided),
            json!({"type": "appeal_decided", "id": "linfen-20261127-A023", "upheld": true, "note": "n"})
        );
        let center = CenterId::parse("linfen").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            defaulted
                .draft(&center, at, "system:default", Role::Resident)
                .case
                .as_deref(),
            Some("linfen-20261127-0012")
        );
        assert_eq!(
            given.draft(&center, at, "anonymous", Role::Resident).case,
            None
        );
    }
}
