//! The model has the shape it is configured with: arrivals at the configured rate on the
//! calendar's working days, the skewed item mix, determinism for a seed; and the what-if
//! shows more windows never lengthen the wait.

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use haoban_catalog::Catalog;
use haoban_sim::whatif::{self, Layout, WhatIf};
use haoban_sim::{Model, Opening, Scenario, Summary};

fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    Catalog::load(&dir).expect("the sample catalog loads")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Runs the model over `days` days from `start`.
fn run(scenario: Scenario, seed: u64, start: NaiveDate, days: i64) -> Summary {
    let catalog = catalog();
    let mut model = Model::new(scenario, &catalog, seed, start).expect("model");
    for n in 0..days {
        model.day(start + Duration::days(n), &Opening::Calendar, None);
    }
    model.summary()
}

#[test]
fn visitors_come_at_the_configured_rate_on_working_days_only() {
    let catalog = catalog();
    let scenario = Scenario::default();
    // October 2026: the National Day holiday (1–7 October off, with make-up Saturdays).
    let start = date(2026, 9, 21);
    let days = 42;
    let summary = run(scenario.clone(), 11, start, days);
    let mean = scenario.weekday[..5].iter().sum::<f64>() / 5.0;
    let mut expected = 0.0;
    let mut working = 0;
    for n in 0..days {
        let day = start + Duration::days(n);
        if catalog.calendar().is_working_day(day) {
            working += 1;
            let weekday = (day.weekday().num_days_from_monday() as usize).min(4);
            expected += scenario.visitors_per_day * scenario.weekday[weekday] / mean;
        }
    }
    assert_eq!(summary.working_days, working);
    assert!(working < 30, "the holiday week is not worked: {working}");
    let visitors = summary.visitors as f64;
    assert!(
        (visitors - expected).abs() < expected * 0.03,
        "{visitors} visitors, {expected:.0} expected"
    );
    let consults = summary.consultations as f64 / visitors;
    assert!(
        (consults - scenario.consult_only).abs() < 0.01,
        "{consults}"
    );
    let online = summary.online_cases as f64;
    let expected_online = scenario.online_per_day * days as f64;
    assert!(
        (online - expected_online).abs() < expected_online * 0.05,
        "{online} online, {expected_online} expected"
    );
    // Everyone with a ticket was called (or left): the hall serves all it lets in.
    assert_eq!(summary.waits.count as u64, summary.tickets);
}

#[test]
fn a_few_items_make_most_of_the_volume_as_configured() {
    let scenario = Scenario {
        online_per_day: 0.0,
        ..Scenario::default()
    };
    let mix = haoban_sim::mix::Mix::new(&catalog(), &scenario).expect("mix");
    let summary = run(scenario, 5, date(2026, 3, 2), 28);
    let expected_top5: f64 = mix.shares[..5].iter().sum();
    let observed_top5 = summary.top_share(5);
    assert!(
        (observed_top5 - expected_top5).abs() < 0.02,
        "top five items: {observed_top5:.3} of cases, configured {expected_top5:.3}"
    );
    assert!(
        summary.top_share(10) > 0.5,
        "ten of 72 items make most of the volume"
    );
    let most = summary
        .items
        .iter()
        .max_by_key(|(_, count)| **count)
        .map(|(item, _)| item.as_str());
    assert_eq!(
        most,
        Some("residence-registration"),
        "the first popular item leads"
    );
}

#[test]
fn the_same_seed_gives_the_same_days_and_another_seed_others() {
    let start = date(2026, 5, 11);
    let one = run(Scenario::default(), 42, start, 8);
    let again = run(Scenario::default(), 42, start, 8);
    let other = run(Scenario::default(), 43, start, 8);
    assert_eq!(one, again);
    assert_eq!(one.fingerprint.len(), 64);
    assert_ne!(one.fingerprint, other.fingerprint);
    assert_ne!(one.visitors, other.visitors);
}

#[test]
fn more_windows_never_lengthen_the_mean_wait() {
    let what_if = WhatIf {
        scenario: Scenario {
            visitors_per_day: 400.0,
            ..Scenario::default()
        },
        windows: 6..=12,
        days: 5,
        seed: 3,
        specialist_speedup: 0.1,
    };
    let rows = whatif::run(&catalog(), &what_if).expect("what-if");
    assert_eq!(rows.len(), 14);
    for layout in [Layout::AllRound, Layout::Specialized] {
        let means: Vec<f64> = rows
            .iter()
            .filter(|r| r.layout == layout)
            .map(|r| r.waits.mean_minutes)
            .collect();
        for pair in means.windows(2) {
            assert!(pair[1] <= pair[0] + 1e-9, "{layout:?}: {means:?}");
        }
        assert!(
            means[0] > 4.0 * means[means.len() - 1].max(0.5),
            "{layout:?}: six windows for 400 tickets are clearly too few: {means:?}"
        );
        assert!(rows.iter().all(|r| r.unserved == 0));
    }
    // Pooling: with as many windows, all-round never waits longer than specialized here.
    for windows in 6..=12 {
        let wait = |layout| {
            rows.iter()
                .find(|r| r.windows == windows && r.layout == layout)
                .map(|r| r.waits.mean_minutes)
                .expect("row")
        };
        assert!(wait(Layout::AllRound) <= wait(Layout::Specialized) + 0.5);
    }
}
