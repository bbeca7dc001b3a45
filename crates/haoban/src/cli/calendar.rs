use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{bad_input, load_catalog, parse_date_arg};

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// The catalog directory (its calendar/ folder is used).
    #[arg(long)]
    catalog: PathBuf,
    /// The day counting starts from; it never counts itself.
    #[arg(long)]
    from: String,
    /// How many working days to count.
    #[arg(long)]
    days: String,
}

pub fn deadline(args: &DeadlineArgs) -> ExitCode {
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let from = match parse_date_arg("--from", &args.from) {
        Ok(from) => from,
        Err(code) => return code,
    };
    let Ok(days) = args.days.parse::<u64>() else {
        return bad_input(format!(
            "--days `{}` is not a whole number of days, 0 or more",
            args.days
        ));
    };
    match catalog.calendar().add_working_days(from, days) {
        Ok(counted) => {
            for year in &counted.years_without_calendar {
                eprintln!(
                    "warning: no calendar for {year} in {}; counted Monday to Friday as working days",
                    args.catalog.display()
                );
            }
            println!("{}", counted.date.format("%Y-%m-%d"));
            ExitCode::SUCCESS
        }
        Err(err) => bad_input(err),
    }
}
