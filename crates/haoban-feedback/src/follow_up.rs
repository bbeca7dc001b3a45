//! The follow-up of a bad rating: call the resident back, then record the fix, against a
//! deadline in working days; the staff member rated may appeal once, and a supervisor other
//! than them decides.
//!
//! ```text
//! open ──call_back──► called_back ──fix──► fixed
//!   appeal (once, by the staff member rated, at any stage) ──decide (supervisor)──►
//!     upheld: the rating stands, the follow-up goes on
//!     rejected: the rating does not count against them; the follow-up is closed
//! ```

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use haoban_cases::{Action, CenterId, Role, permits};
use serde::{Deserialize, Serialize};

use crate::events::FeedbackEvent;
use crate::level::Level;
use crate::rating::Rating;
use crate::target::{FollowUpId, Target};

/// The longest note, reason or decision text, in characters (pages size their fields by it).
pub const TEXT_MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("the {role} role may not {action}")]
    NotAllowed { role: Role, action: Action },
    #[error("only the staff member rated ({staff}) may appeal this rating")]
    NotTheRated { staff: String },
    #[error("an appeal is decided by a supervisor other than the staff member rated")]
    OwnAppeal,
    #[error("follow-up {id}: cannot {step}: {why}")]
    WrongStage {
        id: FollowUpId,
        step: &'static str,
        why: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
}

/// A step someone took, with what they wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The bad rating stands against the staff member.
    pub upheld: bool,
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Open,
    CalledBack,
    Fixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealState {
    None,
    Pending,
    Upheld,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub center: CenterId,
    pub target: Target,
    pub level: Level,
    /// The username of the staff member rated.
    pub staff: String,
    pub opened_on: NaiveDate,
    pub due: NaiveDate,
    pub call_back: Option<Step>,
    pub fix: Option<Step>,
    /// The staff member's appeal; its note is the reason.
    pub appeal: Option<Step>,
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FollowUpCommand {
    CallBack { note: String },
    Fix { note: String },
    Appeal { reason: String },
    Decide { upheld: bool, note: String },
}

impl FollowUpCommand {
    pub fn name(&self) -> &'static str {
        match self {
            FollowUpCommand::CallBack { .. } => "call_back",
            FollowUpCommand::Fix { .. } => "fix",
            FollowUpCommand::Appeal { .. } => "appeal",
            FollowUpCommand::Decide { .. } => "decide",
        }
    }

    /// The policy table's action for this step.
    pub fn action(&self) -> Action {
        match self {
            FollowUpCommand::CallBack { .. } | FollowUpCommand::Fix { .. } => {
                Action::HandleFollowUp
            }
            FollowUpCommand::Appeal { .. } => Action::AppealRating,
            FollowUpCommand::Decide { .. } => Action::DecideAppeal,
        }
    }

    fn text(&self) -> &str {
        match self {
            FollowUpCommand::CallBack { note }
            | FollowUpCommand::Fix { note }
            | FollowUpCommand::Decide { note, .. } => note,
            FollowUpCommand::Appeal { reason } => reason,
        }
    }
}

impl FollowUp {
    /// The follow-up a bad `rating` opens, due on `due`.
    pub fn open(rating: &Rating, due: NaiveDate) -> FollowUp {
        FollowUp {
            id: rating.target.follow_up_id(&rating.center),
            center: rating.center.clone(),
            target: rating.target.clone(),
            level: rating.level,
            staff: rating.staff.clone(),
            opened_on: rating.on,
            due,
            call_back: None,
            fix: None,
            appeal: None,
            decision: None,
        }
    }

    pub fn opened(&self) -> FeedbackEvent {
        FeedbackEvent::FollowUpOpened {
            id: self.id.clone(),
            target: self.target.clone(),
            level: self.level,
            staff: self.staff.clone(),
            due: self.due,
        }
    }

    pub fn stage(&self) -> Stage {
        match (&self.call_back, &self.fix) {
            (_, Some(_)) => Stage::Fixed,
            (Some(_), None) => Stage::CalledBack,
            (None, None) => Stage::Open,
        }
    }

    pub fn appeal_state(&self) -> AppealState {
        match (&self.appeal, &self.decision) {
            (None, _) => AppealState::None,
            (Some(_), None) => AppealState::Pending,
            (Some(_), Some(d)) if d.upheld => AppealState::Upheld,
            (Some(_), Some(_)) => AppealState::Rejected,
        }
    }

    /// Done with: fixed, or the rating was found not to stand.
    pub fn resolved(&self) -> bool {
        self.stage() == Stage::Fixed || self.appeal_state() == AppealState::Rejected
    }

    /// Past its due date and not resolved.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.resolved() && today > self.due
    }
}

/// `command` on `follow_up` by `actor` (a staff username) in `role` at `at`: the follow-up
/// after it and the event to record, or why not.
pub fn step(
    follow_up: &FollowUp,
    command: &FollowUpCommand,
    actor: &str,
    role: Role,
    at: DateTime<Utc>,
) -> Result<(FollowUp, FeedbackEvent), FollowUpError> {
    let action = command.action();
    if permits(role, action).is_none() {
        return Err(FollowUpError::NotAllowed { role, action });
    }
    let text = command.text().trim();
    if text.is_empty() || text.chars().count() > TEXT_MAX_CHARS {
        return Err(FollowUpError::Invalid(format!(
            "{} needs a note of 1 to {TEXT_MAX_CHARS} characters",
            command.name()
        )));
    }
    let refuse = |why: &'static str| FollowUpError::WrongStage {
        id: follow_up.id.clone(),
        step: command.name(),
        why,
    };
    let done = Step {
        note: text.to_owned(),
        by: actor.to_owned(),
        at: at.trunc_subsecs(6),
    };
    let id = follow_up.id.clone();
    let mut next = follow_up.clone();
    let event = match command {
        FollowUpCommand::CallBack { .. } | FollowUpCommand::Fix { .. }
            if follow_up.appeal_state() == AppealState::Rejected =>
        {
            return Err(refuse(
                "the appeal was decided for the staff member: it is closed",
            ));
        }
        FollowUpCommand::CallBack { .. } => {
            if follow_up.call_back.is_some() {
                return Err(refuse("the resident was already called back"));
            }
            next.call_back = Some(done);
            FeedbackEvent::FollowUpCalledBack {
                id,
                note: text.to_owned(),
            }
        }
        FollowUpCommand::Fix { .. } => {
            match follow_up.stage() {
                Stage::Open => return Err(refuse("call the resident back first")),
                Stage::Fixed => return Err(refuse("the fix is already recorded")),
                Stage::CalledBack => {}
            }
            next.fix = Some(done);
            FeedbackEvent::FollowUpFixed {
                id,
                note: text.to_owned(),
            }
        }
        FollowUpCommand::Appeal { .. } => {
            if actor != follow_up.staff {
                return Err(FollowUpError::NotTheRated {
                    staff: follow_up.staff.clone(),
                });
            }
            if follow_up.appeal.is_some() {
                return Err(refuse("a rating is appealed once"));
            }
            next.appeal = Some(done);
            FeedbackEvent::AppealFiled {
                id,
                reason: text.to_owned(),
            }
        }
        FollowUpCommand::Decide { upheld, .. } => {
            if actor == follow_up.staff {
                return Err(FollowUpError::OwnAppeal);
            }
            match follow_up.appeal_state() {
                AppealState::None => return Err(refuse("there is no appeal to decide")),
                AppealState::Upheld | AppealState::Rejected => {
                    return Err(refuse("the appeal is already decided"));
                }
                AppealState::Pending => {}
            }
            next.decision = Some(Decision {
                upheld: *upheld,
                note: done.note,
                by: done.by,
                at: done.at,
            });
            FeedbackEvent::AppealDecided {
                id,
                upheld: *upheld,
                note: text.to_owned(),
            }
        }
    };
    Ok((next, event))
}

#[cfg(test)]
mod tests {
    use haoban_cases::CaseNumber;

    use super::*;
    use crate::level::Channel;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-02T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn opened() -> FollowUp {
        let rating = Rating {
            center: CenterId::parse("linfen").unwrap(),
            target: Target::Case {
                case: CaseNumber::parse("linfen-20261102-0001").unwrap(),
            },
            level: Level::VERY_DISSATISFIED,
            channel: Some(Channel::Link),
            staff: "zhang".into(),
            rater: "resident:x".into(),
            at: at(),
            on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        };
        FollowUp::open(&rating, NaiveDate::from_ymd_opt(2026, 11, 9).unwrap())
    }

    fn call_back() -> FollowUpCommand {
        FollowUpCommand::CallBack {
            note: "电话回访：等候时间过长".into(),
        }
    }

    fn fix() -> FollowUpCommand {
        FollowUpCommand::Fix {
            note: "增开一个窗口".into(),
        }
    }

    fn appeal() -> FollowUpCommand {
        FollowUpCommand::Appeal {
            reason: "误触".into(),
        }
    }

    fn decide(upheld: bool) -> FollowUpCommand {
        FollowUpCommand::Decide {
            upheld,
            note: "查看录像".into(),
        }
    }

    fn by(
        follow_up: &FollowUp,
        command: &FollowUpCommand,
        actor: &str,
        role: Role,
    ) -> Result<FollowUp, FollowUpError> {
        step(follow_up, command, actor, role, at()).map(|(next, _)| next)
    }

    #[test]
    fn call_back_then_fix_resolves_it() {
        let open = opened();
        assert_eq!(open.stage(), Stage::Open);
        assert!(open.overdue(NaiveDate::from_ymd_opt(2026, 11, 10).unwrap()));
        assert!(!open.overdue(NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()));
        assert!(matches!(
            by(&open, &fix(), "boss", Role::Supervisor),
            Err(FollowUpError::WrongStage {
                why: "call the resident back first",
                ..
            })
        ));
        let (called, event) = step(&open, &call_back(), "boss", Role::Supervisor, at()).unwrap();
        assert_eq!(event.name(), "follow_up_called_back");
        assert_eq!(called.stage(), Stage::CalledBack);
        assert!(by(&called, &call_back(), "boss", Role::Supervisor).is_err());
        let fixed = by(&called, &fix(), "boss", Role::Supervisor).unwrap();
        assert_eq!(fixed.stage(), Stage::Fixed);
        assert!(fixed.resolved());
        assert!(!fixed.overdue(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        assert!(by(&fixed, &fix(), "boss", Role::Supervisor).is_err());
    }

    #[test]
    fn only_the_table_s_roles_handle_it() {
        for role in [
            Role::Clerk,
            Role::Desk,
            Role::Office,
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::Auditor,
            Role::Resident,
        ] {
            assert!(
                matches!(
                    by(&opened(), &call_back(), "someone", role),
                    Err(FollowUpError::NotAllowed { .. })
                ),
                "{role}"
            );
        }
        assert!(matches!(
            by(
                &opened(),
                &FollowUpCommand::CallBack { note: "  ".into() },
                "boss",
                Role::Supervisor
            ),
            Err(FollowUpError::Invalid(_))
        ));
    }

    #[test]
    fn the_rated_appeal_once_and_a_supervisor_decides() {
        let open = opened();
        assert_eq!(
            by(&open, &appeal(), "li", Role::Clerk),
            Err(FollowUpError::NotTheRated {
                staff: "zhang".into()
            })
        );
        assert!(matches!(
            by(&open, &decide(true), "boss", Role::Supervisor),
            Err(FollowUpError::WrongStage {
                why: "there is no appeal to decide",
                ..
            })
        ));
        let (appealed, event) = step(&open, &appeal(), "zhang", Role::Clerk, at()).unwrap();
        assert_eq!(event.name(), "appeal_filed");
        assert_eq!(appealed.appeal_state(), AppealState::Pending);
        assert!(by(&appealed, &appeal(), "zhang", Role::Clerk).is_err());
        // Not a clerk, not the rated supervisor.
        assert!(matches!(
            by(&appealed, &decide(false), "li", Role::Clerk),
            Err(FollowUpError::NotAllowed { .. })
        ));
        let mut own = appealed.clone();
        own.staff = "boss".into();
        assert_eq!(
            by(&own, &decide(false), "boss", Role::Supervisor),
            Err(FollowUpError::OwnAppeal)
        );
        let upheld = by(&appealed, &decide(true), "boss", Role::Supervisor).unwrap();
        assert_eq!(upheld.appeal_state(), AppealState::Upheld);
        assert!(!upheld.resolved());
        assert!(by(&upheld, &decide(false), "boss", Role::Supervisor).is_err());
        // Upheld, the follow-up goes on.
        assert!(by(&upheld, &call_back(), "boss", Role::Supervisor).is_ok());
    }

    #[test]
    fn a_rejected_complaint_closes_the_follow_up() {
        let appealed = by(&opened(), &appeal(), "zhang", Role::Clerk).unwrap();
        let (rejected, event) =
            step(&appealed, &decide(false), "boss", Role::Supervisor, at()).unwrap();
        assert_eq!(
            event,
            FeedbackEvent::AppealDecided {
                id: appealed.id.clone(),
                upheld: false,
                note: "查看录像".into()
            }
        );
        assert_eq!(rejected.appeal_state(), AppealState::Rejected);
        assert!(rejected.resolved());
        assert!(matches!(
            by(&rejected, &call_back(), "boss", Role::Supervisor),
            Err(FollowUpError::WrongStage { .. })
        ));
    }
}
