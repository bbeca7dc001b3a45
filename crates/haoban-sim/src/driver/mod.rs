//! The driver: turns the model's actions into the domain's decisions (`submit`, `decide`,
//! the hall's rules, `rate`) under a [`FixedClock`] set to each action's moment, and
//! records them through a [`Store`], never around it.
//!
//! Two ways to record, with the same result (the contract suite holds `import_history`
//! to it, entry for entry): [`Recording::OneByOne`] calls the one-step methods, one
//! transaction each, as the web does; [`Recording::Bulk`] gathers a day into one
//! [`History`] and records it with `import_history`, which is what makes a year of a
//! center quick enough to seed a demo. Steps that `import_history` does not take (a
//! follow-up's steps) are recorded one by one after what was gathered before them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::{
    Case, CaseError, CaseNumber, CenterId, Clock, Context, FixedClock, IdNumber, Role,
};
use haoban_catalog::Catalog;
use haoban_feedback::{
    Channel as RatingChannel, Delivered, FeedbackConfig, FollowUpCommand, RatingError, Target,
};
use haoban_hall::{Carried, HallEvent, Visitor, VisitorError, Window};
use haoban_store::history::{History, Step};
use haoban_store::{By, NewTicket, Store, StoreError};

use crate::action::{Action, CaseId, FollowUpStep, Rated, What};
use crate::center::{Model, Opening};

mod cases;
mod ratings;

#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    #[error("the store refused {what}: {source}")]
    Store {
        what: String,
        #[source]
        source: StoreError,
    },
    #[error("the domain refused {what}: {source}")]
    Case {
        what: String,
        #[source]
        source: CaseError,
    },
    #[error("a rating was refused: {0}")]
    Rating(#[from] RatingError),
    #[error("a visitor was refused: {0}")]
    Visitor(#[from] VisitorError),
    /// The store decided otherwise than the model expected: it holds other activity on
    /// the simulated days.
    #[error("{0}")]
    Mismatch(String),
}

fn store_error(what: impl Into<String>) -> impl FnOnce(StoreError) -> DriveError {
    let what = what.into();
    move |source| DriveError::Store { what, source }
}

/// How a day's actions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Each through its one-step method, one transaction each.
    OneByOne,
    /// The day gathered and recorded by `import_history` in one transaction.
    Bulk,
}

/// What has been recorded so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub cases: u64,
    /// Entries appended to the center's chain.
    pub entries: u64,
    pub days: u32,
}

/// A delivered case waiting for its rating, and who would give it.
struct Unrated {
    delivered: Delivered,
    applicant: IdNumber,
}

pub struct Driver {
    store: Arc<dyn Store>,
    center: CenterId,
    clock: FixedClock,
    model: Model,
    catalog_version: String,
    /// Materials an electronic licence (电子证照) stands in for.
    e_licences: Vec<String>,
    feedback: FeedbackConfig,
    /// Open cases, as the store has them.
    cases: HashMap<CaseId, Case>,
    numbers: HashMap<CaseId, CaseNumber>,
    /// Delivered cases nobody has rated yet, for the daily defaults.
    delivered: BTreeMap<CaseNumber, Unrated>,
    /// Case numbers given per day, to name the next in a gathered day.
    opened: BTreeMap<NaiveDate, u32>,
    history: Option<History>,
    recorded: Recorded,
}

impl Driver {
    pub fn new(store: Arc<dyn Store>, catalog: &Catalog, center: CenterId, model: Model) -> Self {
        Driver {
            store,
            center,
            clock: FixedClock::new(DateTime::<Utc>::UNIX_EPOCH),
            catalog_version: catalog.version.clone(),
            e_licences: catalog
                .materials()
                .filter(|m| m.e_licence)
                .map(|m| m.id.clone())
                .collect(),
            feedback: FeedbackConfig::default(),
            cases: HashMap::new(),
            numbers: HashMap::new(),
            delivered: BTreeMap::new(),
            opened: BTreeMap::new(),
            history: None,
            recorded: Recorded::default(),
            model,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn recorded(&self) -> Recorded {
        self.recorded
    }

    /// The cases still open (not yet final or delivered), as the store has them.
    pub fn open_cases(&self) -> impl Iterator<Item = &Case> {
        self.cases.values()
    }

    /// Sets up the hall's windows (all-round, by the admin) at `at`.
    pub async fn set_up(&mut self, at: DateTime<Utc>) -> Result<(), DriveError> {
        let admin = self.model.roster.admin;
        let by = self.by(admin, at);
        for n in 1..=self.model.scenario.staffing.windows {
            let window = Window::any(&n.to_string());
            self.store
                .save_window(&self.center, &window, by.clone())
                .await
                .map_err(store_error(format!("setting up window {n}")))?;
            self.recorded.entries += 1;
        }
        Ok(())
    }

    /// Runs the model's `day` and records it.
    pub async fn day(
        &mut self,
        day: NaiveDate,
        opening: &Opening,
        cut: Option<DateTime<Utc>>,
        recording: Recording,
    ) -> Result<(), DriveError> {
        let actions = self.model.day(day, opening, cut);
        if recording == Recording::Bulk {
            self.history = Some(History::new(self.center.clone()));
        }
        for action in actions {
            self.act(action).await?;
        }
        self.flush().await?;
        self.history = None;
        self.recorded.days += 1;
        Ok(())
    }

    /// Records what was gathered.
    async fn flush(&mut self) -> Result<(), DriveError> {
        let Some(history) = &mut self.history else {
            return Ok(());
        };
        if history.is_empty() {
            return Ok(());
        }
        let gathered = std::mem::replace(history, History::new(self.center.clone()));
        self.store
            .import_history(&gathered)
            .await
            .map_err(store_error("a simulated day's history"))?;
        Ok(())
    }

    fn by(&self, staff: usize, at: DateTime<Utc>) -> By {
        let member = &self.model.roster.staff[staff];
        By {
            actor: member.username.clone(),
            role: member.role,
            at,
        }
    }

    fn today(&self) -> NaiveDate {
        self.clock.today_in(self.model.zone)
    }

    fn context(&self, by: Option<usize>, resident: usize) -> Context {
        let (actor, role) = match by {
            Some(staff) => {
                let member = &self.model.roster.staff[staff];
                (member.username.clone(), member.role)
            }
            None => (
                format!(
                    "resident:{}",
                    self.model.residents.people[resident].id.masked()
                ),
                Role::Resident,
            ),
        };
        Context {
            actor,
            role,
            center: self.center.clone(),
            now: self.clock.now(),
            today: self.today(),
        }
    }

    /// A step for the gathered day, or `None` when recording one by one.
    fn gather(&mut self, step: Step) -> Option<Step> {
        match &mut self.history {
            Some(history) => {
                history.steps.push(step);
                None
            }
            None => Some(step),
        }
    }

    async fn act(&mut self, action: Action) -> Result<(), DriveError> {
        self.clock.set(action.at);
        let at = self.clock.now();
        let day = self.today();
        match action.what {
            What::DefaultRatings => self.defaults(at).await?,
            What::Register { resident, .. } => {
                let person = &self.model.residents.people[resident];
                let visitor =
                    Visitor::new(person.id.as_ref(), &person.name, Some(&person.phone), at)?;
                if let Some(Step::Visitor(visitor)) = self.gather(Step::Visitor(visitor)) {
                    self.store
                        .save_visitor(&self.center, &visitor)
                        .await
                        .map_err(store_error("registering a visitor"))?;
                }
            }
            What::Consult {
                resident,
                items,
                desk,
            } => {
                let event = HallEvent::VisitRecorded {
                    visitor: Some(self.model.residents.people[resident].id.to_string()),
                    items: self.item_ids(&items),
                    consult_only: true,
                    note: "政策咨询".into(),
                };
                let by = self.by(desk, at);
                self.recorded.entries += 1;
                if let Some(Step::Note { event, by }) = self.gather(Step::Note { event, by }) {
                    self.store
                        .note_hall(&self.center, &event, by)
                        .await
                        .map_err(store_error("a consultation"))?;
                }
            }
            What::Issue {
                ticket,
                resident,
                items,
                priority,
                desk,
            } => {
                let person = &self.model.residents.people[resident];
                let new = NewTicket {
                    center: self.center.clone(),
                    category: ticket.prefix(),
                    priority,
                    items: self.item_ids(&items),
                    carried: Some(Carried {
                        id_number: Some(person.id.to_string()),
                        name: Some(person.name.clone()),
                        facts: Default::default(),
                    }),
                    rule: self.model.rule.clone(),
                };
                let by = self.by(desk, at);
                self.recorded.entries += 1;
                let step = Step::Issue {
                    day,
                    ticket: new,
                    number: ticket,
                    by,
                };
                if let Some(Step::Issue {
                    day,
                    ticket: new,
                    number,
                    by,
                }) = self.gather(step)
                {
                    let issued = self
                        .store
                        .issue_ticket(day, new, by)
                        .await
                        .map_err(store_error(format!("issuing ticket {number}")))?;
                    if issued.number != number {
                        return Err(DriveError::Mismatch(format!(
                            "the store issued {} where the simulation expected {number}: it \
                             already holds tickets of {day}",
                            issued.number
                        )));
                    }
                }
            }
            What::Call {
                ticket,
                window,
                clerk,
            } => {
                let by = self.by(clerk, at);
                let rule = self.model.rule.clone();
                self.recorded.entries += 1;
                let step = Step::Call {
                    day,
                    window,
                    rule,
                    number: ticket,
                    by,
                };
                if let Some(Step::Call {
                    day,
                    window,
                    rule,
                    number,
                    by,
                }) = self.gather(step)
                {
                    let called = self
                        .store
                        .call_next(day, &self.center, &window, &rule, by)
                        .await
                        .map_err(store_error(format!("calling {number}")))?;
                    let called = called.map(|t| t.number);
                    if called.as_ref() != Some(&number) {
                        return Err(DriveError::Mismatch(format!(
                            "window {} called {} where the simulation expected {number}: the \
                             store holds other tickets of {day}",
                            window.name,
                            called.map_or_else(|| "nobody".into(), |n| n.to_string())
                        )));
                    }
                }
            }
            What::Serve {
                ticket,
                window,
                clerk,
                command,
            } => {
                let by = self.by(clerk, at);
                self.recorded.entries += 1;
                let step = Step::Serve {
                    day,
                    number: ticket,
                    window,
                    command,
                    by,
                };
                if let Some(Step::Serve {
                    day,
                    number,
                    window,
                    command,
                    by,
                }) = self.gather(step)
                {
                    self.store
                        .serve_ticket(day, &self.center, &number, &window, &command, by)
                        .await
                        .map_err(store_error(format!("{} of {number}", command.name())))?;
                }
            }
            What::Submit {
                case,
                item,
                resident,
                channel,
                by,
            } => self.submit(case, item, resident, channel, by).await?,
            What::Step { case, step, by } => self.step(case, step, by).await?,
            What::RateVisit {
                ticket,
                resident,
                clerk,
                level,
            } => {
                let target = Target::Visit { day, ticket };
                let staff = self.model.roster.username(clerk).to_owned();
                let rater = format!(
                    "resident:{}",
                    self.model.residents.people[resident].id.masked()
                );
                self.rate(target, staff, rater, level, RatingChannel::WindowPad)
                    .await?;
            }
            What::RateCase { case, level } => {
                let Some(number) = self.numbers.get(&case).cloned() else {
                    return Ok(());
                };
                // Rated once: a case the defaults already rated is not rated again.
                let Some(delivered) = self.delivered.remove(&number) else {
                    return Ok(());
                };
                let Some(staff) = delivered.delivered.clerk else {
                    return Ok(());
                };
                let rater = format!("resident:{}", delivered.applicant.masked());
                let target = Target::Case { case: number };
                self.rate(target, staff, rater, level, RatingChannel::Link)
                    .await?;
            }
            What::FollowUp { target, step, by } => {
                let target = match target {
                    Rated::Case(case) => match self.numbers.get(&case) {
                        Some(number) => Target::Case {
                            case: number.clone(),
                        },
                        None => return Ok(()),
                    },
                    Rated::Visit { day, ticket } => Target::Visit { day, ticket },
                };
                let command = match step {
                    FollowUpStep::CallBack => FollowUpCommand::CallBack {
                        note: "已电话回访，了解不满意的原因".into(),
                    },
                    FollowUpStep::Fix => FollowUpCommand::Fix {
                        note: "已向居民说明并改进窗口服务".into(),
                    },
                };
                // Not something an import takes: what was gathered goes first.
                self.flush().await?;
                let id = target.follow_up_id(&self.center);
                let by = self.by(by, at);
                self.store
                    .follow_up_step(&self.center, &id, &command, by)
                    .await
                    .map_err(store_error(format!("a follow-up step on {}", id.as_ref())))?;
                self.recorded.entries += 1;
            }
        }
        Ok(())
    }

    fn item_ids(&self, items: &[usize]) -> Vec<String> {
        items
            .iter()
            .map(|i| self.model.mix.items[*i].id.clone())
            .collect()
    }
}
