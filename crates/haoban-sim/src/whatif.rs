//! Staffing what-ifs: for one pattern of arrivals, how long people wait with N windows,
//! all-round (全岗通: every window calls every ticket) against specialized (each window
//! set up for some item categories, as centers were before 全岗通). A pure queueing run
//! of [`crate::queue`], no store.
//!
//! Every layout and window count serves exactly the same visitors with the same service
//! times (common random numbers), so differences are the layout's, not chance's. Each
//! visitor brings one item, so both layouts have the same work; a specialist is
//! `specialist_speedup` faster at their own items.

use chrono::{Datelike, Duration, NaiveDate};
use haoban_catalog::Catalog;
use haoban_hall::{AgingRule, Window};
use serde::Serialize;

use crate::arrivals::{self, utc};
use crate::center::{ModelError, stream};
use crate::config::Scenario;
use crate::mix::Mix;
use crate::people::Residents;
use crate::queue::{self, Queued, WindowPlan};
use crate::summary::Waits;

#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// Its `visitors_per_day` are the tickets of an average working day.
    pub scenario: Scenario,
    pub windows: std::ops::RangeInclusive<u32>,
    /// Working days simulated per layout and window count (Monday to Friday in turn).
    pub days: u32,
    pub seed: u64,
    /// How much faster a specialized window serves its own items (0.1: in 1/1.1 of the
    /// time an all-round window takes).
    pub specialist_speedup: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    AllRound,
    Specialized,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub windows: u32,
    pub layout: Layout,
    pub waits: Waits,
    pub tickets: usize,
    /// Tickets nobody called by the end of the day.
    pub unserved: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WhatIfError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("the window counts {from}..{to} are empty: give the smaller first, from 1")]
    Windows { from: u32, to: u32 },
    #[error("simulate at least one day")]
    NoDays,
    #[error("the specialist speed-up must be from 0 to 0.9, not {0}")]
    Speedup(f64),
}

/// Windows set up alike: the item categories they serve and how many of them there are.
struct Desk {
    /// Each category with its share of the work and its items.
    categories: Vec<(f64, Vec<String>)>,
    copies: usize,
}

impl Desk {
    fn work(&self) -> f64 {
        self.categories.iter().map(|c| c.0).sum()
    }
}

/// The windows' skills under specialization, by the catalog's item categories (a
/// social-insurance window, a civil-affairs one). Built one window at a time, so that
/// `n + 1` windows are `n` windows and one more: the desk with the most work per window
/// is split in two (its categories shared out evenly) while it has one window and more
/// than one category, otherwise it gets another window.
pub fn specialize(mix: &Mix, windows: u32) -> Vec<Vec<String>> {
    let mut categories: Vec<(String, f64, Vec<String>)> = Vec::new();
    for (item, share) in mix.items.iter().zip(&mix.shares) {
        match categories.iter_mut().find(|c| c.0 == item.category) {
            Some(category) => {
                category.1 += share;
                category.2.push(item.id.clone());
            }
            None => categories.push((item.category.clone(), *share, vec![item.id.clone()])),
        }
    }
    categories.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut desks = vec![Desk {
        categories: categories
            .into_iter()
            .map(|(_, work, items)| (work, items))
            .collect(),
        copies: 1,
    }];
    while desks.iter().map(|d| d.copies).sum::<usize>() < windows.max(1) as usize {
        let busiest = (0..desks.len())
            .max_by(|a, b| {
                let load = |d: &Desk| d.work() / d.copies as f64;
                load(&desks[*a]).total_cmp(&load(&desks[*b])).then(b.cmp(a))
            })
            .expect("at least one desk");
        let desk = &mut desks[busiest];
        if desk.copies == 1 && desk.categories.len() > 1 {
            let mut halves = [Vec::new(), Vec::new()];
            let mut work = [0.0, 0.0];
            for category in desk.categories.drain(..) {
                let lighter = usize::from(work[1] < work[0]);
                work[lighter] += category.0;
                halves[lighter].push(category);
            }
            let [first, second] = halves;
            desk.categories = first;
            desks.insert(
                busiest + 1,
                Desk {
                    categories: second,
                    copies: 1,
                },
            );
        } else {
            desk.copies += 1;
        }
    }
    desks
        .iter()
        .flat_map(|desk| {
            let items: Vec<String> = desk
                .categories
                .iter()
                .flat_map(|(_, items)| items.iter().cloned())
                .collect();
            std::iter::repeat_n(items, desk.copies)
        })
        .collect()
}

/// The waits for every window count and both layouts.
pub fn run(catalog: &Catalog, what_if: &WhatIf) -> Result<Vec<Row>, WhatIfError> {
    let (from, to) = (*what_if.windows.start(), *what_if.windows.end());
    if from == 0 || from > to {
        return Err(WhatIfError::Windows { from, to });
    }
    if what_if.days == 0 {
        return Err(WhatIfError::NoDays);
    }
    if !(0.0..=0.9).contains(&what_if.specialist_speedup) {
        return Err(WhatIfError::Speedup(what_if.specialist_speedup));
    }
    let mut scenario = what_if.scenario.clone();
    scenario.consult_only = 0.0;
    scenario.second_item = 0.0;
    scenario.validate().map_err(ModelError::from)?;
    let mix = Mix::new(catalog, &scenario).map_err(ModelError::from)?;
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    let residents = Residents::new(scenario.residents, monday, what_if.seed);
    let mean = scenario.weekday[..5].iter().sum::<f64>() / 5.0;
    let days: Vec<(NaiveDate, Vec<Queued>)> = (0..what_if.days)
        .map(|n| {
            let day = monday + Duration::weeks(i64::from(n / 5)) + Duration::days(i64::from(n % 5));
            let factor = scenario.weekday[(n % 5) as usize] / mean;
            let stretches =
                arrivals::ordinary_day(&scenario, day, scenario.visitors_per_day * factor);
            let mut rng = stream(what_if.seed, u64::from(day.num_days_from_ce() as u32), 7);
            let visitors = arrivals::draw(
                &stretches,
                &scenario,
                &mix,
                &residents,
                catalog.time_zone,
                &mut rng,
            );
            let queued = visitors
                .iter()
                .take(999)
                .map(|a| Queued {
                    at: a.at,
                    priority: a.priority,
                    items: a.items.iter().map(|i| mix.items[*i].id.clone()).collect(),
                    service: a.service(),
                    walk: a.walk,
                    no_show: a.no_show,
                })
                .collect();
            (day, queued)
        })
        .collect();
    let rule = AgingRule::default();
    let mut rows = Vec::new();
    for windows in from..=to {
        for layout in [Layout::AllRound, Layout::Specialized] {
            let skills = match layout {
                Layout::AllRound => vec![Vec::new(); windows as usize],
                Layout::Specialized => specialize(&mix, windows),
            };
            let mut waits = Vec::new();
            let (mut tickets, mut unserved) = (0, 0);
            for (day, queued) in &days {
                let open = vec![(
                    utc(catalog.time_zone, day.and_time(scenario.opens)),
                    utc(catalog.time_zone, day.and_time(scenario.closes)),
                )];
                let plans: Vec<WindowPlan> = skills
                    .iter()
                    .enumerate()
                    .map(|(n, items)| WindowPlan {
                        window: Window {
                            name: (n + 1).to_string(),
                            categories: Vec::new(),
                            items: items.clone(),
                        },
                        open: open.clone(),
                    })
                    .collect();
                let served: Vec<Queued> = match layout {
                    Layout::AllRound => queued.clone(),
                    Layout::Specialized => queued
                        .iter()
                        .map(|q| Queued {
                            service: q.service * 1000
                                / ((1000.0 * (1.0 + what_if.specialist_speedup)) as i32),
                            ..q.clone()
                        })
                        .collect(),
                };
                let log = queue::run(&served, &plans, &rule);
                waits.extend(log.waits(&served));
                tickets += served.len();
                unserved += log.served.iter().filter(|s| s.is_none()).count();
            }
            rows.push(Row {
                windows,
                layout,
                waits: Waits::of(&waits),
                tickets,
                unserved,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_specialized_layout_serves_every_item_and_grows_one_window_at_a_time() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
        let catalog = Catalog::load(&dir).expect("catalog");
        let mix = Mix::new(&catalog, &Scenario::default()).expect("mix");
        let mut before: Vec<Vec<String>> = Vec::new();
        for windows in 1..=15 {
            let layout = specialize(&mix, windows);
            assert_eq!(layout.len(), windows as usize);
            for item in &mix.items {
                assert!(
                    layout.iter().any(|skills| skills.contains(&item.id)),
                    "{}",
                    item.id
                );
            }
            // One more window: either a desk split in two or a desk's window repeated.
            let kept = before
                .iter()
                .filter(|skills| layout.contains(skills))
                .count();
            assert!(
                kept + 1 >= before.len(),
                "{windows}: {kept} of {}",
                before.len()
            );
            before = layout;
        }
        assert!(
            before.iter().all(|skills| skills.len() < mix.items.len()),
            "fifteen windows are all specialized"
        );
    }

    #[test]
    fn window_counts_days_and_speedups_out_of_range_are_named() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
        let catalog = Catalog::load(&dir).expect("catalog");
        let what_if = WhatIf {
            scenario: Scenario::default(),
            windows: std::ops::RangeInclusive::new(5, 3),
            days: 1,
            seed: 1,
            specialist_speedup: 0.1,
        };
        assert_eq!(
            run(&catalog, &what_if),
            Err(WhatIfError::Windows { from: 5, to: 3 })
        );
        let no_days = WhatIf {
            windows: 1..=2,
            days: 0,
            ..what_if.clone()
        };
        assert_eq!(run(&catalog, &no_days), Err(WhatIfError::NoDays));
        let fast = WhatIf {
            windows: 1..=2,
            specialist_speedup: 2.0,
            ..what_if
        };
        assert_eq!(run(&catalog, &fast), Err(WhatIfError::Speedup(2.0)));
    }
}
