//! The cases of the model: opened at a window during a service or online, decided at the
//! window, and their way planned on through the back office.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use haoban_cases::Channel;
use rand::Rng;
use rand::rngs::SmallRng;

use super::{Model, stream};
use crate::action::{Action, CaseId, CaseStep, Rated, What};
use crate::arrivals::{self, Arrival, utc};
use crate::office::{self, Accepted, Hands, during, working_day_after};

impl Model {
    pub(super) fn follow_up(&mut self, target: Rated, on: NaiveDate, rng: &mut SmallRng) {
        let director = self.roster.supervisor;
        for (at, what) in office::follow_up(target, on, director, &self.calendar, rng) {
            self.plan(at, what);
        }
    }

    /// The cases of a ticket, one after another during its service: opened, then
    /// accepted (or with a material to follow, or refused), each case's way planned on.
    pub(super) fn window_cases(
        &mut self,
        visit: &Arrival,
        clerk: usize,
        started: DateTime<Utc>,
        rng: &mut SmallRng,
        out: &mut Vec<Action>,
    ) {
        let mut at = started + visit.overhead / 2;
        for (item, service) in visit.items.iter().zip(&visit.item_service) {
            let case = self.next_case;
            self.next_case += 1;
            out.push(Action {
                at: at + Duration::seconds(10),
                what: What::Submit {
                    case,
                    item: *item,
                    resident: visit.resident,
                    channel: Channel::Window,
                    by: Some(clerk),
                },
            });
            let decided = at + *service - Duration::seconds(20);
            self.decide_at_window(case, *item, clerk, decided, rng, out);
            at += *service;
        }
    }

    /// What the window decides on a case at `at`, and the way it then takes.
    pub(super) fn decide_at_window(
        &mut self,
        case: CaseId,
        item: usize,
        clerk: usize,
        at: DateTime<Utc>,
        rng: &mut SmallRng,
        out: &mut Vec<Action>,
    ) {
        let info = &self.mix.items[item];
        let (instant, promised, has_materials) =
            (info.is_instant(), info.promised_days, info.has_materials());
        let u: f64 = rng.random();
        let local = self.local(at);
        let step = if u < self.scenario.not_accepted {
            CaseStep::NotAccept
        } else if !instant
            && has_materials
            && u < self.scenario.not_accepted + self.scenario.deficiency
        {
            CaseStep::AcceptWithDeficiency {
                due: working_day_after(&self.calendar, local.date(), 5),
            }
        } else {
            CaseStep::Accept
        };
        out.push(Action {
            at,
            what: What::Step {
                case,
                step,
                by: clerk,
            },
        });
        self.after_acceptance(case, step, promised, instant, clerk, local, rng);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn after_acceptance(
        &mut self,
        case: CaseId,
        step: CaseStep,
        promised: u32,
        instant: bool,
        clerk: usize,
        local: NaiveDateTime,
        rng: &mut SmallRng,
    ) {
        let accepted = match step {
            CaseStep::Accept => Accepted::Fully,
            CaseStep::AcceptWithDeficiency { due } => Accepted::Deficient { due },
            _ => return,
        };
        let planned = if instant {
            office::case_rating(case, local, &self.scenario, rng)
                .into_iter()
                .collect()
        } else {
            let hands = Hands {
                clerk,
                office: self.roster.offices[case as usize % self.roster.offices.len()],
                mistakes: self.roster.staff[clerk].mistakes,
            };
            office::after_acceptance(
                case,
                local,
                promised,
                accepted,
                &hands,
                &self.scenario,
                &self.calendar,
                rng,
            )
            .0
        };
        for (at, what) in planned {
            if let What::RateCase { level, .. } = &what
                && *level <= 2
            {
                self.follow_up(Rated::Case(case), at.date(), rng);
            }
            self.plan(at, what);
        }
    }

    /// The day's online applications (any time, any day), each accepted by a clerk on the
    /// next working day's morning (a few refused: an upload missing).
    pub(super) fn online(&mut self, day: NaiveDate, rng: &mut SmallRng, out: &mut Vec<Action>) {
        let count = arrivals::poisson(self.scenario.online_per_day, rng);
        let mut times: Vec<NaiveDateTime> =
            (0..count).map(|_| during(day, 7.0, 23.0, rng)).collect();
        times.sort_unstable();
        for submitted in times {
            let Some(item) = self.mix.draw_online(rng) else {
                return;
            };
            let resident = self.residents.draw(self.mix.items[item].band, rng);
            let case = self.next_case;
            self.next_case += 1;
            out.push(Action {
                at: utc(self.zone, submitted),
                what: What::Submit {
                    case,
                    item,
                    resident,
                    channel: Channel::Online,
                    by: None,
                },
            });
            let clerks = &self.roster.clerks;
            let clerk = clerks[case as usize % clerks.len()];
            let accepted_on = working_day_after(&self.calendar, day, 1);
            let at = during(accepted_on, 9.0, 11.5, rng);
            let mut case_rng = stream(self.seed, case, 3);
            let step = if case_rng.random_bool(self.scenario.online_not_accepted) {
                CaseStep::NotAccept
            } else {
                CaseStep::Accept
            };
            self.plan(
                at,
                What::Step {
                    case,
                    step,
                    by: clerk,
                },
            );
            let info = &self.mix.items[item];
            let (promised, instant) = (info.promised_days, info.is_instant());
            self.after_acceptance(case, step, promised, instant, clerk, at, &mut case_rng);
        }
    }
}
