//! Cases: opened with `submit`, moved on with `decide`, the commands filled in as a clerk
//! or the back office would fill them.

use haoban_cases::{
    Applicant, Case, CaseStatus, Channel, Command, MaterialCheck, MaterialState, decide, submit,
};
use haoban_store::history::Step;

use super::{DriveError, Driver, Unrated, store_error};
use crate::action::{CaseId, CaseStep};

impl Driver {
    fn terms(&self, item: usize) -> haoban_cases::ItemTerms {
        let info = &self.model.mix.items[item];
        haoban_cases::ItemTerms {
            id: info.id.clone(),
            catalog_version: self.catalog_version.clone(),
            promised_days: info.promised_days,
            required_materials: info.required.clone(),
            conditional_materials: info.conditional.clone(),
        }
    }

    pub(super) async fn submit(
        &mut self,
        case: CaseId,
        item: usize,
        resident: usize,
        channel: Channel,
        by: Option<usize>,
    ) -> Result<(), DriveError> {
        let ctx = self.context(by, resident);
        let person = &self.model.residents.people[resident];
        let applicant = Applicant {
            id_number: person.id.clone().into(),
            name: person.name.clone(),
        };
        let terms = self.terms(item);
        let mut submitted =
            submit(&ctx, applicant, channel, &terms).map_err(|source| DriveError::Case {
                what: format!("opening a case of `{}`", terms.id),
                source,
            })?;
        let day = ctx.today;
        let sequence = self.opened.entry(day).or_default();
        *sequence += 1;
        let expected = haoban_cases::CaseNumber::new(&self.center, day, *sequence);
        let opened = if self.history.is_some() {
            submitted.case = Some(expected);
            let case = Case::apply(None, &submitted)
                .map_err(|e| DriveError::Mismatch(format!("a case that cannot open: {e}")))?;
            self.gather(Step::Open { day, submitted });
            case
        } else {
            let case = self
                .store
                .open_case(day, submitted)
                .await
                .map_err(store_error(format!("opening a case of `{}`", terms.id)))?;
            if case.number != expected {
                return Err(DriveError::Mismatch(format!(
                    "the store numbered a case {} where the simulation expected {expected}: it \
                     already holds cases of {day}",
                    case.number
                )));
            }
            case
        };
        self.recorded.entries += 1;
        self.recorded.cases += 1;
        self.numbers.insert(case, opened.number.clone());
        self.cases.insert(case, opened);
        Ok(())
    }

    pub(super) async fn step(
        &mut self,
        case: CaseId,
        step: CaseStep,
        by: usize,
    ) -> Result<(), DriveError> {
        let Some(current) = self.cases.get(&case) else {
            // Its opening fell after the end of the simulated time.
            return Ok(());
        };
        let ctx = self.context(Some(by), 0);
        let command = self.command(current, step);
        let action = command.action();
        let events = decide(&ctx, current, command, false).map_err(|source| DriveError::Case {
            what: format!("{action} on case {}", current.number),
            source,
        })?;
        self.recorded.entries += events.len() as u64;
        let next = if self.history.is_some() {
            let mut next = current.clone();
            for event in &events {
                next = Case::apply(Some(next), event)
                    .map_err(|e| DriveError::Mismatch(format!("a step that cannot apply: {e}")))?;
            }
            self.gather(Step::Record { events });
            next
        } else {
            let number = current.number.clone();
            let version = current.version;
            self.store
                .record(&number, Some(version), events)
                .await
                .map_err(store_error(format!("{action} on case {number}")))?
        };
        if next.status == CaseStatus::Delivered {
            // A case just delivered still has its applicant (only long-over ones are erased).
            if let Some(applicant) = next.applicant.id_number.known() {
                self.delivered.insert(
                    next.number.clone(),
                    Unrated {
                        delivered: haoban_feedback::Delivered {
                            case: next.number.clone(),
                            clerk: next.clerk.clone(),
                            on: ctx.today,
                        },
                        applicant: applicant.clone(),
                    },
                );
            }
            self.cases.remove(&case);
        } else if next.status.is_final() {
            self.cases.remove(&case);
        } else {
            self.cases.insert(case, next);
        }
        Ok(())
    }

    /// The command a step means for `case`: materials ticked as the window would (an
    /// electronic licence where there is one), texts as staff write them.
    fn command(&self, case: &Case, step: CaseStep) -> Command {
        let tick = |material: &String| MaterialCheck {
            material: material.clone(),
            state: if self.e_licences.contains(material) {
                MaterialState::ELicence
            } else {
                MaterialState::Received
            },
        };
        match step {
            CaseStep::Accept => Command::Accept {
                materials: case.required_materials.iter().map(tick).collect(),
            },
            CaseStep::AcceptWithDeficiency { due } => {
                let mut materials: Vec<MaterialCheck> =
                    case.required_materials.iter().map(tick).collect();
                match materials.last_mut() {
                    Some(last) => last.state = MaterialState::Missing,
                    None => materials.extend(case.conditional_materials.first().map(|m| {
                        MaterialCheck {
                            material: m.clone(),
                            state: MaterialState::Missing,
                        }
                    })),
                }
                Command::AcceptWithDeficiency {
                    materials,
                    promise: "申请人承诺在约定期限内补齐所缺材料".into(),
                    due,
                }
            }
            CaseStep::NotAccept => Command::NotAccept {
                reason: "缺少关键材料，不符合容缺受理条件".into(),
                legal_basis: "《上海市社区事务受理服务中心事项办理规范》".into(),
            },
            CaseStep::StartReview => Command::StartReview,
            CaseStep::RequestSupplement { due } => Command::RequestSupplement {
                request: "请补充提交相关材料原件以便核验".into(),
                due,
            },
            CaseStep::ProvideSupplement => Command::ProvideSupplement {
                note: "已补齐材料".into(),
            },
            CaseStep::FulfilDeficiency => Command::FulfilDeficiency,
            CaseStep::Approve => Command::Approve { note: None },
            CaseStep::Deny => Command::Deny {
                reason: "经审核，申请人不符合申请条件".into(),
            },
            CaseStep::MarkReady(delivery) => Command::MarkReady { delivery },
            CaseStep::Deliver => Command::Deliver,
        }
    }
}
