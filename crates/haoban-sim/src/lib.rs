//! haoban-sim: a service center's days, simulated through the real domain and store code,
//! for the demo's history, benchmarks and staffing what-ifs.
//!
//! - **The model** ([`Model`], pure and deterministic for a seed): residents arrive by hour
//!   and weekday on the catalog calendar's working days ([`arrivals`]), for items drawn
//!   from a skewed mix ([`mix`]: the k-th most frequent item in proportion to 1/k^s); the
//!   hall ([`queue`]) is a discrete-event simulation whose windows call tickets by
//!   haoban-hall's own rule, staffed by clerks on shifts with breaks and skills
//!   ([`people`]); at the window a case is accepted, accepted with a material to follow
//!   (容缺) or refused, and its way through the back office is planned ([`office`]):
//!   review, supplements (补正, more after a clerk's mistake), decisions within the
//!   promised working days or a few late, delivery, ratings (好差评) and the follow-up of
//!   bad ones. Its output is [`Action`]s: who does what, when.
//! - **The driver** ([`Driver`], async): each action becomes the domain's decision
//!   (`submit`, `decide`, the hall's rules, `rate`) at its moment on a `FixedClock`, and is
//!   recorded through the `Store` trait, one step at a time or a day at once by
//!   `import_history`, with the same result.
//! - **What-if** ([`whatif`]): the waits with N windows, all-round (全岗通) or specialized,
//!   for one pattern of arrivals; the queue alone, no store.

pub mod action;
pub mod arrivals;
mod center;
pub mod config;
mod driver;
pub mod mix;
pub mod office;
pub mod people;
pub mod progress;
pub mod queue;
mod summary;
pub mod whatif;

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub use action::{Action, CaseStep, What};
pub use center::{Model, ModelError, Opening};
pub use config::{Scenario, ScenarioError};
pub use driver::{DriveError, Driver, Recorded, Recording};
pub use progress::Progress;
pub use summary::{Summary, Waits};

/// One day to simulate, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub opening: Opening,
    /// Nothing after this moment happens (the present, for the last day of a demo).
    pub cut: Option<DateTime<Utc>>,
    pub recording: Recording,
}

/// `days` days ending today at `now`: the days before today in bulk, today one step at a
/// time up to `now`. Today's hall is open from 90 minutes before `now` whatever the hour
/// or the calendar says (unless `now` is well inside an ordinary working day, which is
/// then run as it is), so a demo started at night or on a Sunday still has people
/// waiting in its hall.
pub fn until_now(now: DateTime<Utc>, days: u32, model: &Model) -> Vec<Day> {
    let scenario = &model.scenario;
    let local = now.with_timezone(&model.zone).naive_local();
    let today = local.date();
    let mut plan: Vec<Day> = (1..days.max(1))
        .rev()
        .map(|back| Day {
            date: today - Duration::days(i64::from(back)),
            opening: Opening::Calendar,
            cut: None,
            recording: Recording::Bulk,
        })
        .collect();
    let ordinary = model.calendar.is_working_day(today)
        && local.time() >= scenario.opens + Duration::minutes(90)
        && local.time() < scenario.closes;
    let opening = if ordinary {
        Opening::Calendar
    } else {
        // Within today: a ticket belongs to the day it was issued.
        let midnight = today.and_hms_opt(0, 0, 0).unwrap_or(local);
        Opening::Live {
            from: (local - Duration::minutes(90)).max(midnight),
            to: local,
            // Fewer windows than the visitors need, so a queue builds as it does at a
            // busy hour: a hall to look at, not an empty one.
            windows: ((f64::from(scenario.staffing.windows) * 0.6).round() as usize).max(1),
        }
    };
    plan.push(Day {
        date: today,
        opening,
        cut: Some(now),
        recording: Recording::OneByOne,
    });
    plan
}

impl Driver {
    /// Simulates and records `days` in order, drawing `progress`.
    pub async fn run(&mut self, days: &[Day], progress: &mut Progress) -> Result<(), DriveError> {
        for day in days {
            self.day(day.date, &day.opening, day.cut, day.recording)
                .await?;
            progress.update(day.date, &self.recorded());
        }
        Ok(())
    }
}
