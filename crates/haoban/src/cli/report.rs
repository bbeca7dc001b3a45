//! `haoban report monthly`: a center's 5-dimension list (5个维度) for a month — the stored
//! month when there is one, else computed from the process record — as a table, JSON or
//! an XLSX workbook. The formulas are in docs/performance.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use clap::Args;
use haoban_cases::{CenterId, Clock, Role};
use haoban_catalog::{Catalog, Locale};
use haoban_insight::{Config, Month, MonthlyList, Weights};
use haoban_store::By;
// The workbook and the words around the list are shared with the page's download.
use haoban_web::list_export::{self, Source, heading};
use rust_decimal::Decimal;
use serde::Serialize;

use super::server::{Database, failed, runtime};
use super::{LangArg, bad_input, load_catalog};

mod table;

#[derive(Debug, Args)]
pub struct MonthlyArgs {
    #[command(flatten)]
    database: Database,
    /// The catalog: value points, working-day calendar and time zone.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// The center, e.g. linfen.
    #[arg(long)]
    center: String,
    /// The month, YYYY-MM.
    #[arg(long)]
    month: String,
    /// Print the whole list as JSON, every figure with the events behind it.
    #[arg(long, conflicts_with = "xlsx")]
    json: bool,
    /// Write the list to an XLSX workbook instead of printing a table.
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// Compute from the process record even when the month is stored, and say whether the
    /// two match.
    #[arg(long)]
    recompute: bool,
    /// Store the computed list; only for a month that is over, and only once.
    #[arg(long, conflicts_with = "recompute")]
    save: bool,
    /// Weights of quantity, efficiency, value, evaluation and quality (default 1,1,1,1,1).
    #[arg(long, value_name = "Q,E,V,R,F")]
    weights: Option<String>,
    /// A member's days on duty instead of the record's count, e.g. li=18; repeatable.
    #[arg(long = "days-on-duty", value_name = "USER=DAYS")]
    days_on_duty: Vec<String>,
    #[command(flatten)]
    lang: LangArg,
}

#[derive(Serialize)]
struct Output<'a> {
    source: &'a Source,
    #[serde(flatten)]
    list: &'a MonthlyList,
}

fn parse_weights(text: &str) -> Result<Weights, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let bad = || format!("--weights `{text}` is not five numbers 0 or more, e.g. 2,1,1,1,1");
    if parts.len() != 5 {
        return Err(bad());
    }
    let mut values = Vec::new();
    for part in parts {
        let value = Decimal::from_str(part).map_err(|_| bad())?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(bad());
        }
        values.push(value);
    }
    Ok(Weights {
        quantity: values[0],
        efficiency: values[1],
        value: values[2],
        evaluation: values[3],
        quality: values[4],
    })
}

fn config(args: &MonthlyArgs, catalog: &Catalog) -> Result<Config, String> {
    let mut config = Config {
        time_zone: catalog.time_zone,
        ..Config::default()
    };
    if let Some(text) = &args.weights {
        config.weights = parse_weights(text)?;
    }
    for given in &args.days_on_duty {
        let parsed = given
            .split_once('=')
            .and_then(|(user, days)| Some((user.trim(), days.trim().parse::<u32>().ok()?)))
            .filter(|(user, days)| !user.is_empty() && (1..=31).contains(days));
        let Some((user, days)) = parsed else {
            return Err(format!(
                "--days-on-duty `{given}` is not USER=DAYS with 1 to 31 days, e.g. li=18"
            ));
        };
        config.days_on_duty.insert(user.to_owned(), days);
    }
    config.check().map_err(|e| format!("--weights: {e}"))?;
    Ok(config)
}

pub fn monthly(args: &MonthlyArgs, clock: &dyn Clock) -> ExitCode {
    let center = match CenterId::parse(&args.center) {
        Ok(center) => center,
        Err(err) => return bad_input(format!("--center: {err}")),
    };
    let month = match Month::parse(&args.month) {
        Ok(month) => month,
        Err(err) => return bad_input(format!("--month: {err}")),
    };
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let config = match config(args, &catalog) {
        Ok(config) => config,
        Err(problem) => return bad_input(problem),
    };
    let now = clock.now();
    let today = now.with_timezone(&catalog.time_zone).date_naive();
    let complete = today > month.last_day();
    if args.save && !complete {
        return bad_input(format!(
            "--save: {month} is not over yet (today is {today}); a month is stored once it is"
        ));
    }
    let locale = args.lang.locale(&catalog);
    runtime().block_on(async {
        let store = match args.database.open_existing().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let stored = match store.monthly_list(&center, month).await {
            Ok(stored) => stored,
            Err(err) => return failed(err),
        };
        let customized = args.weights.is_some() || !args.days_on_duty.is_empty();
        if stored.is_some() && !args.recompute && (customized || args.save) {
            return bad_input(format!(
                "{month} of {center} is stored as computed then, with its own weights and days on duty; \
                 add --recompute to compute it anew from the record (it stays stored as it is)"
            ));
        }
        let (list, source) = match stored {
            Some(stored) if !args.recompute => (
                stored.list,
                Source::Stored {
                    saved_at: stored.saved_at,
                    saved_by: stored.saved_by,
                    recomputed_matches: None,
                },
            ),
            stored => {
                let chain = match store.chain(center.as_ref()).await {
                    Ok(chain) => chain,
                    Err(err) => return failed(err),
                };
                let computed = match MonthlyList::compute(
                    center.as_ref(),
                    &chain.entries,
                    &catalog,
                    catalog.calendar(),
                    month,
                    &config,
                ) {
                    Ok(list) => list,
                    Err(err) => return failed(format!("the process record of {center}: {err}")),
                };
                match stored {
                    Some(stored) => {
                        let matches = stored.list == computed;
                        (
                            computed,
                            Source::Stored {
                                saved_at: stored.saved_at,
                                saved_by: stored.saved_by,
                                recomputed_matches: Some(matches),
                            },
                        )
                    }
                    None => {
                        if args.save {
                            let by = By {
                                actor: "haoban report".into(),
                                role: Role::Supervisor,
                                at: now,
                            };
                            if let Err(err) = store.save_monthly_list(&computed, by).await {
                                return failed(err);
                            }
                        }
                        (
                            computed,
                            Source::Computed {
                                complete,
                                saved: args.save,
                            },
                        )
                    }
                }
            }
        };
        emit(args, &list, &source, locale)
    })
}

fn emit(args: &MonthlyArgs, list: &MonthlyList, source: &Source, locale: Locale) -> ExitCode {
    for warning in &list.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        let output = Output { source, list };
        return match serde_json::to_string_pretty(&output) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        };
    }
    if let Some(path) = &args.xlsx {
        return match list_export::save(path, list, source, locale) {
            Ok(()) => {
                println!("{}", table::written(path, list, source, locale));
                ExitCode::SUCCESS
            }
            Err(err) => failed(format!("{}: {err}", path.display())),
        };
    }
    print!("{}", table::render(list, source, locale));
    ExitCode::SUCCESS
}

/// A score or figure as the list writes it, `—` for none.
fn show(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}
