//! The center day after day: the model. Each day it draws the hall's visitors, runs the
//! queue ([`crate::queue`]), decides what happens at each window and plans each case's way
//! through the back office ([`crate::office`]); online applications come in around the
//! clock; and everything planned for the day comes due. Pure and deterministic: the same
//! seed, catalog and days give the same actions.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use haoban_cases::Channel;
use haoban_catalog::{Calendar, Catalog};
use haoban_hall::{AgingRule, QueueCommand, Window};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::action::{Action, CaseId, CaseStep, Rated, What};
use crate::arrivals::{self, Arrival, Stretch, utc};
use crate::config::{Scenario, ScenarioError};
use crate::mix::{EmptyCatalog, Mix};
use crate::office::{self, Accepted, Hands, during, level, working_day_after};
use crate::people::{Residents, Roster};
use crate::queue::{self, Queued, Step, WindowPlan};
use crate::summary::{Counting, Summary};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Catalog(#[from] EmptyCatalog),
}

/// How the hall runs on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// Open on working days, in the scenario's hours, every window staffed.
    Calendar,
    /// Open between `from` and `to` (local) whatever the calendar says, with `windows`
    /// staffed and visitors at an average hour's rate: the demo's "now", so that its hall
    /// is never empty, whenever it is started.
    Live {
        from: NaiveDateTime,
        to: NaiveDateTime,
        windows: usize,
    },
}

/// Something planned for a later moment (local time), ordered by when, then by planning.
struct Plan {
    at: NaiveDateTime,
    seq: u64,
    what: What,
}

impl PartialEq for Plan {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Plan {}
impl PartialOrd for Plan {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Plan {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A random stream for one purpose of one day (or one case), independent of the others:
/// changing how many days are run, or what happened before, does not change it.
pub(crate) fn stream(seed: u64, a: u64, b: u64) -> SmallRng {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    SmallRng::seed_from_u64(mix(seed ^ mix(a ^ mix(b))))
}

pub struct Model {
    pub scenario: Scenario,
    pub mix: Mix,
    pub residents: Residents,
    pub roster: Roster,
    pub calendar: Calendar,
    pub zone: Tz,
    pub rule: AgingRule,
    seed: u64,
    agenda: BinaryHeap<Reverse<Plan>>,
    planned: u64,
    next_case: CaseId,
    registered: Vec<bool>,
    working_days: u64,
    counting: Counting,
}

impl Model {
    /// A center on `catalog` as `scenario` describes it; `on` dates the residents' ages.
    pub fn new(
        scenario: Scenario,
        catalog: &Catalog,
        seed: u64,
        on: NaiveDate,
    ) -> Result<Model, ModelError> {
        scenario.validate()?;
        let mix = Mix::new(catalog, &scenario)?;
        let residents = Residents::new(scenario.residents, on, seed);
        let roster = Roster::new(&scenario.staffing, mix.items.len());
        Ok(Model {
            registered: vec![false; residents.people.len()],
            mix,
            residents,
            roster,
            calendar: catalog.calendar().clone(),
            zone: catalog.time_zone,
            rule: AgingRule::default(),
            seed,
            agenda: BinaryHeap::new(),
            planned: 0,
            next_case: 0,
            working_days: 0,
            counting: Counting::default(),
            scenario,
        })
    }

    /// The figures of every day run so far.
    pub fn summary(&self) -> Summary {
        self.counting.finished()
    }

    fn plan(&mut self, at: NaiveDateTime, what: What) {
        self.planned += 1;
        self.agenda.push(Reverse(Plan {
            at,
            seq: self.planned,
            what,
        }));
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.zone).naive_local()
    }

    /// Everything that happens on `day`, in order; with `cut`, only up to that moment
    /// (what was planned for later stays planned).
    pub fn day(
        &mut self,
        day: NaiveDate,
        opening: &Opening,
        cut: Option<DateTime<Utc>>,
    ) -> Vec<Action> {
        let mut rng = stream(self.seed, u64::from(day.num_days_from_ce() as u32), 1);
        let mut out = Vec::new();
        if let Some(tick) = day.and_hms_opt(8, 0, 0) {
            out.push(Action {
                at: utc(self.zone, tick),
                what: What::DefaultRatings,
            });
        }
        let working = self.calendar.is_working_day(day);
        self.counting.summary.days += 1;
        match opening {
            Opening::Calendar if working => {
                let factor = self.weekday_factor(day);
                let stretches = arrivals::ordinary_day(
                    &self.scenario,
                    day,
                    self.scenario.visitors_per_day * factor,
                );
                let plans = self.window_plans(day, None);
                self.hall(day, &stretches, plans, &mut rng, &mut out);
            }
            Opening::Calendar => {}
            Opening::Live { from, to, windows } => {
                let open_hours = self.scenario.open_hours().len().max(1) as f64;
                let hours = (*to - *from).num_seconds() as f64 / 3600.0;
                let stretch = Stretch {
                    from: *from,
                    to: *to,
                    expected: self.scenario.visitors_per_day / open_hours * hours,
                };
                let plans = self.window_plans(day, Some((*from, *to, *windows)));
                self.hall(day, &[stretch], plans, &mut rng, &mut out);
            }
        }
        if working {
            self.counting.summary.working_days += 1;
            self.working_days += 1;
        }
        self.online(day, &mut rng, &mut out);
        let end = day.and_hms_opt(0, 0, 0).map(|m| m + Duration::days(1));
        while let Some(Reverse(next)) = self.agenda.peek()
            && end.is_some_and(|end| next.at < end)
        {
            let Some(Reverse(plan)) = self.agenda.pop() else {
                break;
            };
            out.push(Action {
                at: utc(self.zone, plan.at),
                what: plan.what,
            });
        }
        out.sort_by_key(|action| action.at);
        if let Some(cut) = cut {
            out.retain(|action| action.at <= cut);
        }
        let items = &self.mix.items;
        for action in &out {
            self.counting.absorb(action, |item| items[item].id.clone());
        }
        out
    }

    /// Relative busyness of a day: its weekday's factor over the working week's mean (a
    /// weekend make-up working day counts as a Friday).
    fn weekday_factor(&self, day: NaiveDate) -> f64 {
        let weekday = self.scenario.weekday;
        let mean = weekday[..5].iter().sum::<f64>() / 5.0;
        let index = (day.weekday().num_days_from_monday() as usize).min(4);
        if mean > 0.0 {
            weekday[index] / mean
        } else {
            1.0
        }
    }

    /// The windows of `day` and who sits at them: by the roster, or for a live stretch
    /// (from, to, windows) the first `windows` of them without breaks.
    fn window_plans(
        &self,
        day: NaiveDate,
        live: Option<(NaiveDateTime, NaiveDateTime, usize)>,
    ) -> Vec<(WindowPlan, usize)> {
        let duties = self.roster.duties(self.working_days);
        let at = |time| utc(self.zone, day.and_time(time));
        duties
            .into_iter()
            .take(live.map_or(usize::MAX, |(_, _, windows)| windows.max(1)))
            .map(|duty| {
                let open = match live {
                    // Staffed past the stretch's end: the demo stops the day there.
                    Some((from, to, _)) => vec![(
                        utc(self.zone, from),
                        utc(self.zone, to) + Duration::hours(12),
                    )],
                    None => vec![
                        (at(self.scenario.opens), at(duty.lunch.0)),
                        (at(duty.lunch.1), at(self.scenario.closes)),
                    ],
                };
                let window = Window {
                    name: duty.window.clone(),
                    categories: Vec::new(),
                    items: duty
                        .skills
                        .iter()
                        .map(|i| self.mix.items[*i].id.clone())
                        .collect(),
                };
                (WindowPlan { window, open }, duty.clerk)
            })
            .collect()
    }

    fn register(&mut self, resident: usize, desk: usize, at: DateTime<Utc>, out: &mut Vec<Action>) {
        if !self.registered[resident] {
            self.registered[resident] = true;
            out.push(Action {
                at,
                what: What::Register { resident, desk },
            });
        }
    }

    /// The hall's day: visitors drawn, the queue run, each step and each window decision.
    fn hall(
        &mut self,
        day: NaiveDate,
        stretches: &[Stretch],
        plans: Vec<(WindowPlan, usize)>,
        rng: &mut SmallRng,
        out: &mut Vec<Action>,
    ) {
        let visitors = arrivals::draw(
            stretches,
            &self.scenario,
            &self.mix,
            &self.residents,
            self.zone,
            rng,
        );
        let desks = self.roster.desks.clone();
        let (mut tickets, consults): (Vec<Arrival>, Vec<Arrival>) =
            visitors.into_iter().partition(|a| !a.items.is_empty());
        // Numbers run to 999 a day; anyone after that is asked to come back another day.
        tickets.truncate(999);
        for (n, visit) in consults.iter().enumerate() {
            let desk = desks[n % desks.len()];
            self.register(visit.resident, desk, visit.at, out);
            let first = self.mix.draw(rng);
            out.push(Action {
                at: visit.at,
                what: What::Consult {
                    resident: visit.resident,
                    items: vec![first],
                    desk,
                },
            });
        }
        let queued: Vec<Queued> = tickets
            .iter()
            .map(|a| Queued {
                at: a.at,
                priority: a.priority,
                items: a
                    .items
                    .iter()
                    .map(|i| self.mix.items[*i].id.clone())
                    .collect(),
                service: a.service(),
                walk: a.walk,
                no_show: a.no_show,
            })
            .collect();
        let windows: Vec<WindowPlan> = plans.iter().map(|(plan, _)| plan.clone()).collect();
        let log = queue::run(&queued, &windows, &self.rule);
        self.counting.wait_seconds.extend(log.waits(&queued));
        let day_key = u64::from(day.num_days_from_ce() as u32);
        for logged in &log.steps {
            let visit = &tickets[logged.ticket];
            let number = log.numbers[logged.ticket].clone();
            let window = logged.window.map(|w| (&plans[w].0.window, plans[w].1));
            let serve = |command| {
                window.map(|(window, clerk)| What::Serve {
                    ticket: number.clone(),
                    window: window.name.clone(),
                    clerk,
                    command,
                })
            };
            let what = match (logged.step, window) {
                (Step::Issue, _) => {
                    let desk = desks[logged.ticket % desks.len()];
                    self.register(visit.resident, desk, logged.at, out);
                    Some(What::Issue {
                        ticket: number.clone(),
                        resident: visit.resident,
                        items: visit.items.clone(),
                        priority: visit.priority,
                        desk,
                    })
                }
                (Step::Call, Some((window, clerk))) => Some(What::Call {
                    ticket: number.clone(),
                    window: window.clone(),
                    clerk,
                }),
                (Step::Recall, _) => serve(QueueCommand::Recall),
                (Step::NoShow, _) => serve(QueueCommand::NoShow),
                (Step::Start, Some((_, clerk))) => {
                    let started = serve(QueueCommand::Start);
                    if let Some(what) = started {
                        out.push(Action {
                            at: logged.at,
                            what,
                        });
                    }
                    let mut ticket_rng = stream(self.seed, day_key, 1000 + logged.ticket as u64);
                    self.window_cases(visit, clerk, logged.at, &mut ticket_rng, out);
                    None
                }
                (Step::Finish, Some((_, clerk))) => {
                    if let Some(what) = serve(QueueCommand::Finish) {
                        out.push(Action {
                            at: logged.at,
                            what,
                        });
                    }
                    let mut ticket_rng = stream(self.seed, day_key, 2000 + logged.ticket as u64);
                    if ticket_rng.random_bool(self.scenario.ratings.visits_rated) {
                        let level = level(&self.scenario, &mut ticket_rng);
                        let at = logged.at + Duration::seconds(20);
                        out.push(Action {
                            at,
                            what: What::RateVisit {
                                ticket: number.clone(),
                                resident: visit.resident,
                                clerk,
                                level,
                            },
                        });
                        if level <= 2 {
                            self.follow_up(
                                Rated::Visit {
                                    day,
                                    ticket: number,
                                },
                                day,
                                &mut ticket_rng,
                            );
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(what) = what {
                out.push(Action {
                    at: logged.at,
                    what,
                });
            }
        }
    }

    fn follow_up(&mut self, target: Rated, on: NaiveDate, rng: &mut SmallRng) {
        let director = self.roster.supervisor;
        for (at, what) in office::follow_up(target, on, director, &self.calendar, rng) {
            self.plan(at, what);
        }
    }

    /// The cases of a ticket, one after another during its service: opened, then
    /// accepted (or with a material to follow, or refused), each case's way planned on.
    fn window_cases(
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
    fn decide_at_window(
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
    fn after_acceptance(
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
    fn online(&mut self, day: NaiveDate, rng: &mut SmallRng, out: &mut Vec<Action>) {
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
