//! A case's way after the window, planned when it is accepted: the back office reviews it
//! on a working day, sometimes sends it back for a supplement (补正, more often after a
//! clerk's mistake), decides within the promised working days (a few late), marks the
//! result ready, and it is delivered; some residents rate it by the link they get.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use haoban_cases::Delivery;
use haoban_catalog::Calendar;
use rand::Rng;

use crate::action::{CaseId, CaseStep, Rated, What};
use crate::config::Scenario;

/// Something planned for later: when (local time) and what.
pub type Planned = (NaiveDateTime, What);

/// The `n`-th working day after `day` (`day` itself for 0).
pub fn working_day_after(calendar: &Calendar, day: NaiveDate, n: u64) -> NaiveDate {
    calendar
        .add_working_days(day, n)
        .map(|counted| counted.date)
        .unwrap_or(day)
}

/// A random time of `day` between `from` and `to` o'clock, whole minutes.
pub fn during(day: NaiveDate, from: f64, to: f64, rng: &mut impl Rng) -> NaiveDateTime {
    let minutes = (from * 60.0 + rng.random::<f64>() * (to - from) * 60.0) as u32;
    day.and_time(NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default())
}

/// A rating level drawn by the scenario's weights (5 first).
pub fn level(scenario: &Scenario, rng: &mut impl Rng) -> u8 {
    let weights = scenario.ratings.levels;
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (n, weight) in weights.iter().enumerate() {
        if u < *weight {
            return 5 - n as u8;
        }
        u -= weight;
    }
    5
}

/// Who handles a case after the window.
pub struct Hands {
    pub clerk: usize,
    pub office: usize,
    /// The clerk's mistake rate: the chance the back office asks for a supplement.
    pub mistakes: f64,
}

/// How a case left the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Fully,
    /// 容缺: a material follows by `due`.
    Deficient {
        due: NaiveDate,
    },
}

/// How a case's way turned out, for the summary.
pub struct Course {
    pub late: bool,
    pub denied: bool,
    pub supplement: bool,
}

/// Everything left to do on a case (not instant) accepted at `at`, and how it turns out.
#[allow(clippy::too_many_arguments)]
pub fn after_acceptance(
    case: CaseId,
    at: NaiveDateTime,
    promised_days: u32,
    accepted: Accepted,
    hands: &Hands,
    scenario: &Scenario,
    calendar: &Calendar,
    rng: &mut impl Rng,
) -> (Vec<Planned>, Course) {
    let day = at.date();
    let mut plan: Vec<Planned> = Vec::new();
    let step = |step: CaseStep, by: usize| What::Step { case, step, by };
    let review_day = working_day_after(calendar, day, 1);
    let review = during(review_day, 9.0, 12.0, rng);
    plan.push((review, step(CaseStep::StartReview, hands.office)));
    // The decision comes after every step before it.
    let mut latest = review;
    if let Accepted::Deficient { due } = accepted {
        let n = rng.random_range(1..=4);
        let fulfilled = working_day_after(calendar, day, n).min(due).max(review_day);
        let at = during(fulfilled, 13.0, 16.0, rng);
        plan.push((at, step(CaseStep::FulfilDeficiency, hands.clerk)));
        latest = latest.max(at);
    }
    let supplement = rng.random_bool(hands.mistakes);
    let mut suspended = 0;
    if supplement {
        let asked = working_day_after(calendar, review_day, rng.random_range(0..=1));
        let due = working_day_after(calendar, asked, 5);
        suspended = rng.random_range(1..=4);
        let provided = working_day_after(calendar, asked, suspended);
        let provided_at = during(provided, 9.0, 12.0, rng);
        plan.push((
            during(asked, 13.0, 16.5, rng),
            step(CaseStep::RequestSupplement { due }, hands.office),
        ));
        plan.push((provided_at, step(CaseStep::ProvideSupplement, hands.clerk)));
        latest = latest.max(provided_at);
    }
    let late = rng.random_bool(scenario.late);
    let fraction = if late {
        rng.random_range(1.05..1.4)
    } else {
        rng.random_range(0.3..0.9)
    };
    let days = ((f64::from(promised_days) * fraction).round() as u64).max(1) + suspended;
    let decided_day = working_day_after(calendar, day, days).max(latest.date());
    let decided = during(decided_day, 13.5, 16.0, rng).max(latest + Duration::minutes(30));
    let denied = rng.random_bool(scenario.denied);
    let course = Course {
        late,
        denied,
        supplement,
    };
    if denied {
        plan.push((decided, step(CaseStep::Deny, hands.office)));
        return (plan, course);
    }
    plan.push((decided, step(CaseStep::Approve, hands.office)));
    let ready = decided + Duration::minutes(rng.random_range(10..40));
    let delivery = match rng.random_range(0..100) {
        0..30 => Delivery::ELicence,
        30..85 => Delivery::Window,
        _ => Delivery::Post,
    };
    plan.push((ready, step(CaseStep::MarkReady(delivery), hands.office)));
    let delivered = match delivery {
        Delivery::ELicence | Delivery::Cabinet => ready + Duration::minutes(5),
        Delivery::Post => during(working_day_after(calendar, decided_day, 2), 10.0, 16.0, rng),
        Delivery::Window => during(
            working_day_after(calendar, decided_day, rng.random_range(1..=7)),
            9.0,
            16.5,
            rng,
        ),
    };
    plan.push((delivered, step(CaseStep::Deliver, hands.clerk)));
    plan.extend(case_rating(case, delivered, scenario, rng));
    (plan, course)
}

/// The resident's rating of a delivered case, by the link, if they give one.
pub fn case_rating(
    case: CaseId,
    delivered: NaiveDateTime,
    scenario: &Scenario,
    rng: &mut impl Rng,
) -> Option<Planned> {
    if !rng.random_bool(scenario.ratings.cases_rated) {
        return None;
    }
    let at = delivered + Duration::minutes(rng.random_range(30..3 * 24 * 60));
    Some((
        at,
        What::RateCase {
            case,
            level: level(scenario, rng),
        },
    ))
}

/// A bad rating's follow-up: the director calls back on the next working day and records
/// the fix a day or two later.
pub fn follow_up(
    target: Rated,
    rated_on: NaiveDate,
    director: usize,
    calendar: &Calendar,
    rng: &mut impl Rng,
) -> Vec<Planned> {
    let called = working_day_after(calendar, rated_on, 1);
    let fixed = working_day_after(calendar, called, rng.random_range(1..=2));
    vec![
        (
            during(called, 10.0, 11.5, rng),
            What::FollowUp {
                target: target.clone(),
                step: crate::action::FollowUpStep::CallBack,
                by: director,
            },
        ),
        (
            during(fixed, 14.0, 16.0, rng),
            What::FollowUp {
                target,
                step: crate::action::FollowUpStep::Fix,
                by: director,
            },
        ),
    ]
}
