//! What a run of the model produced, in figures, and a fingerprint of every action it
//! said happened: equal for the same seed, different for another.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::action::{Action, CaseStep, What};

/// Waits in minutes: mean, the 90th percentile and the longest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Waits {
    pub count: usize,
    pub mean_minutes: f64,
    pub p90_minutes: f64,
    pub max_minutes: f64,
}

impl Waits {
    pub fn of(seconds: &[i64]) -> Waits {
        if seconds.is_empty() {
            return Waits::default();
        }
        let mut sorted = seconds.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let p90 = sorted[((n as f64 * 0.9).ceil() as usize).clamp(1, n) - 1];
        Waits {
            count: n,
            mean_minutes: sorted.iter().sum::<i64>() as f64 / n as f64 / 60.0,
            p90_minutes: p90 as f64 / 60.0,
            max_minutes: sorted[n - 1] as f64 / 60.0,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub days: u32,
    pub working_days: u32,
    /// Visitors to the hall (with a ticket or only asking at the first window).
    pub visitors: u64,
    pub tickets: u64,
    pub consultations: u64,
    pub no_shows: u64,
    /// Cases opened, at windows and online.
    pub cases: u64,
    pub online_cases: u64,
    /// Cases opened per item.
    pub items: BTreeMap<String, u64>,
    pub not_accepted: u64,
    pub deficiencies: u64,
    pub supplements: u64,
    pub approved: u64,
    pub denied: u64,
    pub delivered: u64,
    /// Ratings residents gave, by level (index 0 is level 1).
    pub ratings: [u64; 5],
    pub follow_up_steps: u64,
    pub waits: Waits,
    /// SHA-256 over every action, in order.
    pub fingerprint: String,
}

/// A summary being counted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counting {
    pub summary: Summary,
    pub wait_seconds: Vec<i64>,
    hasher: Sha256,
}

impl Counting {
    pub fn absorb(&mut self, action: &Action, item_id: impl Fn(usize) -> String) {
        self.hasher
            .update(format!("{}|{:?}\n", action.at.timestamp(), action.what).as_bytes());
        let summary = &mut self.summary;
        match &action.what {
            What::Consult { .. } => {
                summary.visitors += 1;
                summary.consultations += 1;
            }
            What::Issue { .. } => {
                summary.visitors += 1;
                summary.tickets += 1;
            }
            What::Serve { command, .. } if command.name() == "no_show" => summary.no_shows += 1,
            What::Submit { item, channel, .. } => {
                summary.cases += 1;
                if *channel == haoban_cases::Channel::Online {
                    summary.online_cases += 1;
                }
                *summary.items.entry(item_id(*item)).or_default() += 1;
            }
            What::Step { step, .. } => match step {
                CaseStep::NotAccept => summary.not_accepted += 1,
                CaseStep::AcceptWithDeficiency { .. } => summary.deficiencies += 1,
                CaseStep::RequestSupplement { .. } => summary.supplements += 1,
                CaseStep::Approve => summary.approved += 1,
                CaseStep::Deny => summary.denied += 1,
                CaseStep::Deliver => summary.delivered += 1,
                _ => {}
            },
            What::RateVisit { level, .. } | What::RateCase { level, .. } => {
                if let Some(count) = summary
                    .ratings
                    .get_mut(usize::from(level.saturating_sub(1)))
                {
                    *count += 1;
                }
            }
            What::FollowUp { .. } => summary.follow_up_steps += 1,
            _ => {}
        }
    }

    /// The figures as they stand (waits computed, the fingerprint of what was absorbed).
    pub fn finished(&self) -> Summary {
        let mut done = self.summary.clone();
        done.waits = Waits::of(&self.wait_seconds);
        done.fingerprint = self
            .hasher
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        done
    }
}

impl Summary {
    /// The share of cases the `n` most frequent items account for.
    pub fn top_share(&self, n: usize) -> f64 {
        let mut counts: Vec<u64> = self.items.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top: u64 = counts.iter().take(n).sum();
        if self.cases == 0 {
            0.0
        } else {
            top as f64 / self.cases as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_have_a_mean_a_ninetieth_percentile_and_a_longest() {
        let seconds: Vec<i64> = (1..=10).map(|m| m * 60).collect();
        let waits = Waits::of(&seconds);
        assert_eq!(waits.count, 10);
        assert!((waits.mean_minutes - 5.5).abs() < 1e-9);
        assert!((waits.p90_minutes - 9.0).abs() < 1e-9);
        assert!((waits.max_minutes - 10.0).abs() < 1e-9);
        assert_eq!(Waits::of(&[]), Waits::default());
    }
}
