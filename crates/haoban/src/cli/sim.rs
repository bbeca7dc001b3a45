//! `haoban sim`: simulated days of a center recorded into a store through the domain and
//! the store's own methods, and `haoban sim what-if`: the waits with N windows, all-round
//! against specialized.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use clap::{Args, Subcommand};
use haoban_cases::{CenterId, Clock};
use haoban_catalog::Catalog;
use haoban_sim::progress::thousands;
use haoban_sim::whatif::{self, Layout, WhatIf};
use haoban_sim::{Day, Driver, Model, Opening, Progress, Recording, Scenario, Summary};
use haoban_store::Store;

use super::server::{Database, failed, runtime};
use super::{bad_input, load_catalog, parse_date_arg};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimArgs {
    #[command(subcommand)]
    command: Option<SimCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// The waits with N windows for one pattern of arrivals, all-round (全岗通) against
    /// specialized windows: a queueing simulation, no database.
    WhatIf(WhatIfArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    database: Database,
    /// The catalog: items, calendar and time zone.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// The center the simulated activity belongs to.
    #[arg(long, default_value = "demo")]
    center: String,
    /// How many days to simulate.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// The first day, YYYY-MM-DD (default: the days end yesterday).
    #[arg(long)]
    from: Option<String>,
    /// The seed: the same seed, catalog and days give the same activity.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Record every step through its own one-transaction method, as the web does, instead
    /// of a day at a time (the same record, much slower: a measure of durable steps/s).
    #[arg(long)]
    one_by_one: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct WhatIfArgs {
    /// The catalog whose items make up the mix.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// Window counts to try, e.g. 2..8 (inclusive) or 6.
    #[arg(long, default_value = "6..12")]
    windows: String,
    /// Tickets on an average working day.
    #[arg(long, default_value_t = 400.0)]
    arrivals_per_day: f64,
    /// Working days simulated per window count and layout.
    #[arg(long, default_value_t = 20)]
    days: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How much faster a specialized window serves its own items (0.1: in 1/1.1 of the time).
    #[arg(long, default_value_t = 0.1)]
    specialist_speedup: f64,
    /// Print the rows as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &SimArgs, clock: &dyn Clock) -> ExitCode {
    match &args.command {
        Some(SimCommand::WhatIf(what_if)) => run_what_if(what_if),
        None => simulate(&args.run, clock),
    }
}

/// `2..8`, `2..=8` or `6`: the window counts, smaller first.
fn parse_windows(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--windows `{text}` is not a window count or a range like 2..8");
    let (from, to) = match text.split_once("..") {
        Some((from, to)) => (from, to.strip_prefix('=').unwrap_or(to)),
        None => (text, text),
    };
    let from: u32 = from.trim().parse().map_err(|_| bad())?;
    let to: u32 = to.trim().parse().map_err(|_| bad())?;
    if from == 0 || from > to || to > 99 {
        return Err(format!("{}: from 1 to 99, the smaller first", bad()));
    }
    Ok((from, to))
}

fn run_what_if(args: &WhatIfArgs) -> ExitCode {
    let (from, to) = match parse_windows(&args.windows) {
        Ok(range) => range,
        Err(problem) => return bad_input(problem),
    };
    if !(args.arrivals_per_day.is_finite() && args.arrivals_per_day > 0.0) {
        return bad_input(format!(
            "--arrivals-per-day {} must be a positive number",
            args.arrivals_per_day
        ));
    }
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let what_if = WhatIf {
        scenario: Scenario {
            visitors_per_day: args.arrivals_per_day,
            ..Scenario::default()
        },
        windows: from..=to,
        days: args.days,
        seed: args.seed,
        specialist_speedup: args.specialist_speedup,
    };
    let rows = match whatif::run(&catalog, &what_if) {
        Ok(rows) => rows,
        Err(problem) => return bad_input(problem),
    };
    if args.json {
        return match serde_json::to_string_pretty(&rows) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        };
    }
    println!(
        "Waits in minutes for {} tickets a day over {} working days (seed {}):",
        args.arrivals_per_day, args.days, args.seed
    );
    println!(
        "{:>7}  {:>14} {:>6} {:>6}  {:>14} {:>6} {:>6}",
        "windows", "all-round mean", "p90", "max", "specialized", "p90", "max"
    );
    for windows in from..=to {
        let row = |layout| {
            rows.iter()
                .find(|r| r.windows == windows && r.layout == layout)
        };
        let (Some(all), Some(special)) = (row(Layout::AllRound), row(Layout::Specialized)) else {
            continue;
        };
        println!(
            "{windows:>7}  {:>14.1} {:>6.1} {:>6.1}  {:>14.1} {:>6.1} {:>6.1}",
            all.waits.mean_minutes,
            all.waits.p90_minutes,
            all.waits.max_minutes,
            special.waits.mean_minutes,
            special.waits.p90_minutes,
            special.waits.max_minutes
        );
    }
    println!(
        "All-round: every window calls every ticket. Specialized: windows set up by item \
         category, {:.0} % faster at their own items.",
        args.specialist_speedup * 100.0
    );
    ExitCode::SUCCESS
}

fn simulate(args: &RunArgs, clock: &dyn Clock) -> ExitCode {
    let center = match CenterId::parse(&args.center) {
        Ok(center) => center,
        Err(err) => return bad_input(format!("--center: {err}")),
    };
    if args.days == 0 {
        return bad_input("--days must be at least 1");
    }
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let today = clock.today_in(catalog.time_zone);
    let first = match &args.from {
        Some(text) => match parse_date_arg("--from", text) {
            Ok(day) => day,
            Err(code) => return code,
        },
        None => today - Duration::days(i64::from(args.days)),
    };
    let recording = if args.one_by_one {
        Recording::OneByOne
    } else {
        Recording::Bulk
    };
    let days: Vec<Day> = (0..args.days)
        .map(|n| Day {
            date: first + Duration::days(i64::from(n)),
            opening: Opening::Calendar,
            cut: None,
            recording,
        })
        .collect();
    let model = match Model::new(Scenario::default(), &catalog, args.seed, first) {
        Ok(model) => model,
        Err(err) => return bad_input(err),
    };
    runtime().block_on(async {
        let store = match args.database.open().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let label = format!("simulating {}", args.database.describe());
        match record(store, &catalog, center.clone(), model, &days, &label).await {
            Ok((summary, _)) if args.json => match serde_json::to_string_pretty(&summary) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(err) => failed(err),
            },
            Ok((summary, _)) => {
                print_summary(&summary, &center, args.seed, first);
                ExitCode::SUCCESS
            }
            Err(err) => failed(format!(
                "{err}\n(simulate days the store holds no activity of: --from, --center or another --db)"
            )),
        }
    })
}

/// Sets up the windows at the start of `days`, records them, and returns the model's
/// summary and the final progress line (with the cases per second).
pub(super) async fn record(
    store: Arc<dyn Store>,
    catalog: &Catalog,
    center: CenterId,
    model: Model,
    days: &[Day],
    label: &str,
) -> Result<(Summary, String), haoban_sim::DriveError> {
    let Some(first) = days.first() else {
        return Ok((model.summary(), String::new()));
    };
    let mut driver = Driver::new(store, catalog, center, model);
    let set_up = first
        .date
        .and_hms_opt(8, 30, 0)
        .map(|t| haoban_sim::arrivals::utc(catalog.time_zone, t))
        .unwrap_or_default();
    let mut progress = Progress::new(label, days.len() as u32);
    driver.set_up(set_up).await?;
    driver.run(days, &mut progress).await?;
    let line = progress.finish(&driver.recorded());
    Ok((driver.model().summary(), line))
}

fn print_summary(summary: &Summary, center: &CenterId, seed: u64, first: NaiveDate) {
    let n = |count: u64| thousands(count);
    println!(
        "center {center}, {} days from {first} ({} working), seed {seed}",
        summary.days, summary.working_days
    );
    println!(
        "  hall:    {} visitors: {} tickets, {} only asked; {} no-shows",
        n(summary.visitors),
        n(summary.tickets),
        n(summary.consultations),
        n(summary.no_shows)
    );
    println!(
        "  waits:   mean {:.1} min, 90 % within {:.1} min, longest {:.1} min",
        summary.waits.mean_minutes, summary.waits.p90_minutes, summary.waits.max_minutes
    );
    println!(
        "  cases:   {} opened ({} online); {} not accepted, {} with a material to follow (容缺), {} supplements (补正)",
        n(summary.cases),
        n(summary.online_cases),
        n(summary.not_accepted),
        n(summary.deficiencies),
        n(summary.supplements)
    );
    println!(
        "           {} approved and {} denied by the back office, {} delivered",
        n(summary.approved),
        n(summary.denied),
        n(summary.delivered)
    );
    let given: u64 = summary.ratings.iter().sum();
    println!(
        "  ratings: {} given ({} bad, {} follow-up steps); the rest count by default",
        n(given),
        n(summary.ratings[0] + summary.ratings[1]),
        n(summary.follow_up_steps)
    );
    println!("  fingerprint {}", summary.fingerprint);
}

#[cfg(test)]
mod tests {
    use super::parse_windows;

    #[test]
    fn window_ranges_are_read_or_refused_by_name() {
        assert_eq!(parse_windows("2..8"), Ok((2, 8)));
        assert_eq!(parse_windows("2..=8"), Ok((2, 8)));
        assert_eq!(parse_windows("6"), Ok((6, 6)));
        for bad in ["0..3", "8..2", "a..b", "", "3..100"] {
            assert!(
                parse_windows(bad).is_err_and(|e| e.contains("--windows")),
                "{bad}"
            );
        }
    }
}
