//! `haoban scan`: the catalog's proactive items (免申即享) judged for a whole population
//! registry, and with `--offer` the offers (一键即享) residents confirm in the portal.
//!
//! Standard output is one JSON object, printed last, after the `--out` file and the offers
//! are written: `{"residents", "bad_rows", "items": {item: {"eligible", "unknown"}}}`, with
//! `"timings"` (`--timings`) and `"offers"` (`--offer`). Bad rows go to standard error as
//! `FILE:LINE: why` and do not stop the run.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use haoban_cases::{CenterId, Clock, IdNumber, Role};
use haoban_catalog::batch::IdCheck;
use haoban_catalog::batch::csv::quote;
use haoban_catalog::{Population, ReadOptions, Scan, ScanPlan, Status};
use haoban_store::By;
use haoban_store::offers::{NewOffer, OffersMade};
use serde_json::{Map, Value, json};

use super::server::{Database, failed, runtime};
use super::{bad_input, load_catalog, parse_date_arg};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The catalog directory.
    #[arg(long)]
    catalog: PathBuf,
    /// The population registry: CSV with a header row, column `id` and one column per given
    /// fact (an empty cell is unknown); `-` for standard input.
    #[arg(long)]
    population: String,
    /// Scan only these proactive items (comma-separated ids; default every proactive item).
    #[arg(long, value_delimiter = ',')]
    items: Option<Vec<String>>,
    /// Evaluation date, YYYY-MM-DD (default: today in the catalog's time zone).
    #[arg(long)]
    on: Option<String>,
    /// Write `id,item,status` for every eligible or unknown resident and item to this CSV file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Add `"timings": {"load_s", "eval_s"}` (reading the registry, judging it) to the JSON.
    #[arg(long)]
    timings: bool,
    /// Offer (一键即享) each item to every resident found eligible for it; ids must then be
    /// ID numbers. An offer made before for the same resident and item is not made again.
    #[arg(long, requires = "center")]
    offer: bool,
    /// The center making the offers (with --offer), e.g. linfen.
    #[arg(long, requires = "offer")]
    center: Option<String>,
    /// Threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// The database offers go to (with --offer).
    #[command(flatten)]
    database: Database,
}

/// The recorder of offers on the process record: a scan is run by an operator, not a person
/// at a window, so it names itself.
const ACTOR: &str = "haoban scan";

pub fn run(args: &ScanArgs, clock: &dyn Clock) -> ExitCode {
    match scan(args, clock) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn scan(args: &ScanArgs, clock: &dyn Clock) -> Result<Value, ExitCode> {
    let catalog = load_catalog(&args.catalog)?;
    let plan = ScanPlan::new(&catalog, args.items.as_deref()).map_err(bad_input)?;
    let on = match &args.on {
        Some(on) => parse_date_arg("--on", on)?,
        None => clock.today_in(catalog.time_zone),
    };
    let center = args
        .center
        .as_deref()
        .map(CenterId::parse)
        .transpose()
        .map_err(|err| bad_input(format!("--center: {err}")))?;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if threads == 0 {
        return Err(bad_input("--threads must be at least 1"));
    }

    let started = Instant::now();
    let population = read_population(args, &plan, threads)?;
    let load_s = started.elapsed().as_secs_f64();
    let origin = if args.population == "-" {
        "standard input"
    } else {
        args.population.as_str()
    };
    for bad in population.bad_rows() {
        eprintln!("{origin}:{}: {}", bad.line, bad.problems.join("; "));
    }
    let started = Instant::now();
    let judged = plan.scan(&population, on, threads);
    let eval_s = started.elapsed().as_secs_f64();

    if let Some(path) = &args.out {
        write_out(path, &judged)
            .map_err(|err| bad_input(format!("cannot write {}: {err}", path.display())))?;
    }
    let offers = match &center {
        Some(center) if args.offer => Some(make_offers(args, clock, center, on, &judged)?),
        _ => None,
    };

    let mut items = Map::new();
    for count in judged.counts() {
        items.insert(
            count.item.to_owned(),
            json!({"eligible": count.eligible, "unknown": count.unknown}),
        );
    }
    let mut result = json!({
        "residents": population.residents(),
        "bad_rows": population.bad_rows().len(),
        "items": items,
    });
    if args.timings {
        result["timings"] = json!({"load_s": seconds(load_s), "eval_s": seconds(eval_s)});
    }
    if let Some(made) = offers {
        result["offers"] = json!({"made": made.made, "already_offered": made.already_offered});
    }
    Ok(result)
}

fn seconds(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn read_population(
    args: &ScanArgs,
    plan: &ScanPlan<'_>,
    threads: usize,
) -> Result<Population, ExitCode> {
    let input: Box<dyn Read> = if args.population == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(&args.population)
            .map_err(|err| bad_input(format!("cannot read {}: {err}", args.population)))?;
        Box::new(file)
    };
    let id_number = |id: &str| IdNumber::parse(id).map(|_| ()).map_err(|e| e.to_string());
    let id_number: &IdCheck = &id_number;
    let options = ReadOptions {
        threads,
        check_id: args.offer.then_some(id_number),
        ..ReadOptions::default()
    };
    Population::read(plan, input, &options)
        .map_err(|err| bad_input(format!("{}: {err}", args.population)))
}

/// `id,item,status` for every eligible or unknown pair, residents in the registry's order.
fn write_out(path: &Path, judged: &Scan<'_>) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"id,item,status\n")?;
    for resident in judged.residents_judged() {
        for (item, status) in resident.statuses() {
            let status = match status {
                Status::Eligible => "eligible",
                Status::Unknown => "unknown",
                Status::Ineligible => continue,
            };
            writeln!(out, "{},{},{status}", quote(resident.id()), item.id)?;
        }
    }
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()
}

fn make_offers(
    args: &ScanArgs,
    clock: &dyn Clock,
    center: &CenterId,
    on: chrono::NaiveDate,
    judged: &Scan<'_>,
) -> Result<OffersMade, ExitCode> {
    let mut offers = Vec::new();
    for resident in judged.residents_judged() {
        // Checked while reading: a row whose id is not an ID number is a bad row.
        let Ok(id_number) = IdNumber::parse(resident.id()) else {
            continue;
        };
        for (item, status) in resident.statuses() {
            if status == Status::Eligible {
                offers.push(NewOffer {
                    id_number: id_number.clone(),
                    item: item.id.clone(),
                    facts: resident.facts_for(&item.id),
                });
            }
        }
    }
    let by = By {
        actor: ACTOR.into(),
        role: Role::SystemAdmin,
        at: clock.now(),
    };
    runtime().block_on(async {
        let store = args
            .database
            .open_existing()
            .await
            .map_err(|err| failed(format!("{}: {err}", args.database.describe())))?;
        store
            .make_offers(center, on, &offers, by)
            .await
            .map_err(|err| failed(format!("offers not made: {err}")))
    })
}
