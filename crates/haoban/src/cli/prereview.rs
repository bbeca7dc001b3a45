use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use haoban_catalog::{Applicant, Selection};

use super::notice;
use super::{LangArg, bad_input, load_catalog, parse_date_arg};
use haoban_cases::Clock;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("selection").args(["items", "bundle", "all"]).multiple(false)))]
pub struct PrereviewArgs {
    /// The catalog directory.
    #[arg(long)]
    catalog: PathBuf,
    /// The applicant's facts as a JSON object, from a file or `-` for standard input.
    #[arg(long)]
    facts: String,
    /// Review these items (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    items: Option<Vec<String>>,
    /// Review the items of this bundle (一件事).
    #[arg(long)]
    bundle: Option<String>,
    /// Review every item (the default).
    #[arg(long)]
    all: bool,
    /// Evaluation date, YYYY-MM-DD (default: today in the catalog's time zone).
    #[arg(long)]
    on: Option<String>,
    /// Print the result as one JSON object instead of the printable notice.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(args: &PrereviewArgs, clock: &dyn Clock) -> ExitCode {
    match review(args, clock) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Everything is checked and rendered before anything is printed, so bad input leaves
/// standard output empty.
fn review(args: &PrereviewArgs, clock: &dyn Clock) -> Result<String, ExitCode> {
    let catalog = load_catalog(&args.catalog)?;
    let text = read_facts(&args.facts)?;
    let applicant = Applicant::from_json(&catalog, &text)
        .map_err(|err| bad_input(format!("{}: {err}", facts_origin(&args.facts))))?;
    let selection = match (&args.items, &args.bundle) {
        (Some(items), _) => Selection::Items(items.clone()),
        (_, Some(bundle)) => Selection::Bundle(bundle.clone()),
        _ => Selection::All,
    };
    let selected = catalog.select(&selection).map_err(bad_input)?;
    let on = match &args.on {
        Some(on) => parse_date_arg("--on", on)?,
        None => clock.today_in(catalog.time_zone),
    };
    let result = catalog.prereview(&applicant, &selected, on);
    if args.json {
        serde_json::to_string(&result)
            .map(|json| json + "\n")
            .map_err(bad_input)
    } else {
        Ok(notice::render(
            &catalog,
            &result,
            args.lang.locale(&catalog),
        ))
    }
}

fn read_facts(source: &str) -> Result<String, ExitCode> {
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(source).map(|t| text = t)
    };
    read.map_err(|err| bad_input(format!("cannot read the facts from {source}: {err}")))?;
    Ok(text)
}

fn facts_origin(source: &str) -> &str {
    if source == "-" {
        "standard input"
    } else {
        source
    }
}
