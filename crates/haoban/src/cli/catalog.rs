use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use haoban_catalog::Catalog;

use haoban_catalog::guide::ItemGuide;

use super::guide;
use super::{LangArg, bad_input, load_catalog};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The item id (the file name under items/, without .toml).
    item: String,
    /// The catalog directory.
    #[arg(long, default_value = "catalog/shanghai")]
    catalog: PathBuf,
    /// Print the guide as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    lang: LangArg,
}

pub fn check(dir: &Path) -> ExitCode {
    match Catalog::load(dir) {
        Ok(catalog) => {
            let years: Vec<i32> = catalog.calendar().years().map(|(year, _)| year).collect();
            let calendar = match (years.first(), years.last()) {
                (Some(first), Some(last)) if first == last => format!("calendar {first}"),
                (Some(first), Some(last)) => format!("calendars {first}–{last}"),
                _ => "no calendar".to_owned(),
            };
            println!(
                "ok: {} — {} items, {} bundles, {} facts, {} materials, {} categories, {calendar}; version {}",
                dir.display(),
                catalog.items().len(),
                catalog.bundles().len(),
                catalog.facts().len(),
                catalog.materials().len(),
                catalog.categories().len(),
                &catalog.version[..12],
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            // Only the problems: tools read every stderr line as `file:line:col: message`.
            for problem in &problems.0 {
                eprintln!("{problem}");
            }
            ExitCode::FAILURE
        }
    }
}

pub fn show(args: &ShowArgs) -> ExitCode {
    let catalog = match load_catalog(&args.catalog) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let Some(item) = catalog.item(&args.item) else {
        return bad_input(format!(
            "`{}` is not an item of {} (see its items/ folder)",
            args.item,
            args.catalog.display()
        ));
    };
    let locale = args.lang.locale(&catalog);
    let guide = ItemGuide::new(&catalog, item, locale);
    if args.json {
        match serde_json::to_string_pretty(&guide) {
            Ok(json) => println!("{json}"),
            Err(err) => return bad_input(err),
        }
    } else {
        print!("{}", guide::render(&guide, locale));
    }
    ExitCode::SUCCESS
}
