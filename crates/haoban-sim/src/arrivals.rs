//! Who comes to the hall on a day, and everything chance decides about each of them,
//! drawn before the day is run: so the same arrivals can be served by any number of
//! windows (the what-if), and a visitor's service time does not depend on who serves them.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use haoban_hall::Priority;
use rand::Rng;

use crate::config::Scenario;
use crate::mix::Mix;
use crate::people::Residents;

/// A stretch of the day and how many visitors are expected in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub expected: f64,
}

/// A visitor to the hall.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub at: DateTime<Utc>,
    pub resident: usize,
    /// The items they come for (indices in the mix); none: they only ask at the first
    /// window and take no ticket.
    pub items: Vec<usize>,
    pub priority: Priority,
    /// The window's time for each item, in order.
    pub item_service: Vec<Duration>,
    /// Greeting, ID check, printing: on top of the items.
    pub overhead: Duration,
    /// From the call to arriving at the window.
    pub walk: Duration,
    /// Called but gone.
    pub no_show: bool,
}

impl Arrival {
    /// The whole service at the window.
    pub fn service(&self) -> Duration {
        self.overhead + self.item_service.iter().copied().sum::<Duration>()
    }
}

/// The stretches of an ordinary day: each open hour with its share of `visitors`.
pub fn ordinary_day(scenario: &Scenario, day: NaiveDate, visitors: f64) -> Vec<Stretch> {
    scenario
        .open_hours()
        .into_iter()
        .filter_map(|(hour, share)| {
            let start = day.and_hms_opt(hour, 0, 0)?;
            let end = start + Duration::hours(1);
            let from = start.max(day.and_time(scenario.opens));
            let to = end.min(day.and_time(scenario.closes));
            Some(Stretch {
                from,
                to,
                expected: visitors * share,
            })
        })
        .collect()
}

/// A Poisson count with mean `mean` (Knuth's method for small means, a rounded normal
/// for large ones, where it is as good).
pub fn poisson(mean: f64, rng: &mut impl Rng) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut product: f64 = rng.random();
        let mut count = 0;
        while product > limit {
            product *= rng.random::<f64>();
            count += 1;
        }
        return count;
    }
    (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A log-normal duration with median `minutes`, at least `floor` seconds, whole seconds.
pub fn duration(minutes: f64, spread: f64, floor: i64, rng: &mut impl Rng) -> Duration {
    let seconds = minutes * 60.0 * (spread * normal(rng)).exp();
    Duration::seconds((seconds.round() as i64).max(floor))
}

/// Local time to UTC in the center's zone (a time skipped by a clock change moves on).
pub fn utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// The visitors of the `stretches`, in arrival order, whole seconds.
pub fn draw(
    stretches: &[Stretch],
    scenario: &Scenario,
    mix: &Mix,
    residents: &Residents,
    zone: Tz,
    rng: &mut impl Rng,
) -> Vec<Arrival> {
    let mut arrivals = Vec::new();
    for stretch in stretches {
        let seconds = (stretch.to - stretch.from).num_seconds();
        if seconds <= 0 {
            continue;
        }
        let count = poisson(stretch.expected, rng);
        let mut times: Vec<i64> = (0..count).map(|_| rng.random_range(0..seconds)).collect();
        times.sort_unstable();
        for offset in times {
            let local = stretch.from + Duration::seconds(offset);
            arrivals.push(visitor(utc(zone, local), scenario, mix, residents, rng));
        }
    }
    arrivals
}

fn visitor(
    at: DateTime<Utc>,
    scenario: &Scenario,
    mix: &Mix,
    residents: &Residents,
    rng: &mut impl Rng,
) -> Arrival {
    let at = at.with_nanosecond(0).unwrap_or(at);
    let first = mix.draw(rng);
    let resident = residents.draw(mix.items[first].band, rng);
    let mut items = vec![first];
    if rng.random_bool(scenario.second_item) {
        let second = mix.draw(rng);
        if second != first {
            items.push(second);
        }
    }
    if rng.random_bool(scenario.consult_only) {
        items.clear();
    }
    let service = &scenario.service;
    let item_service = items
        .iter()
        .map(|item| {
            let minutes = if mix.items[*item].is_instant() {
                service.instant_minutes
            } else {
                service.reviewed_minutes
            };
            duration(minutes, service.spread, 90, rng)
        })
        .collect();
    let age = residents.people[resident].age;
    let priority = if age >= 70 {
        Priority::Elderly
    } else if rng.random_bool(scenario.disabled) {
        Priority::Disabled
    } else if rng.random_bool(scenario.veteran) {
        Priority::Veteran
    } else {
        Priority::Normal
    };
    Arrival {
        at,
        resident,
        items,
        priority,
        item_service,
        overhead: duration(service.overhead_minutes, 0.3, 30, rng),
        walk: Duration::seconds(rng.random_range(20..90)),
        no_show: rng.random_bool(scenario.no_show),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    use super::*;

    #[test]
    fn poisson_counts_have_their_mean() {
        let mut rng = SmallRng::seed_from_u64(3);
        for mean in [2.5, 12.0, 80.0] {
            let total: u32 = (0..4000).map(|_| poisson(mean, &mut rng)).sum();
            let observed = f64::from(total) / 4000.0;
            assert!((observed - mean).abs() < mean * 0.05, "{mean}: {observed}");
        }
        assert_eq!(poisson(0.0, &mut rng), 0);
    }

    #[test]
    fn durations_have_their_median_and_floor() {
        let mut rng = SmallRng::seed_from_u64(4);
        let mut seconds: Vec<i64> = (0..2001)
            .map(|_| duration(10.0, 0.45, 90, &mut rng).num_seconds())
            .collect();
        seconds.sort_unstable();
        assert!((570..=630).contains(&seconds[1000]), "{}", seconds[1000]);
        assert!(seconds[0] >= 90);
    }
}
