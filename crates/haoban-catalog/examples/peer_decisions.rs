//! Per-applicant decisions, one applicant at a time, for the side-by-side run against
//! zen-engine (`bench/peers.py`, part 2; `docs/benchmarks.md` says what is compared).
//!
//! ```sh
//! cargo run --release -p haoban-catalog --example peer_decisions -- \
//!     --catalog catalog/shanghai --applicants apps.jsonl [--on 2026-11-27] \
//!     [--items a,b | (default) every proactive item] [--repeat 3] [--statuses out.txt]
//! ```
//!
//! Reads one JSON object of facts per line (untimed), then times, over every applicant,
//! on one thread:
//! - `json`: `Applicant::from_json` of the line, then `Catalog::prereview` of the selected
//!   items: what zen-engine's `evaluate(key, json)` is compared with;
//! - `parse`: `Applicant::from_json` alone;
//! - `prereview`: `Catalog::prereview` alone, on the applicants parsed before.
//!
//! A pre-review does more than decide: it also says which conjuncts failed, which facts
//! are still needed, and builds the merged checklist and the ordered questions. Prints one
//! JSON object; `--statuses` writes one line per applicant, a letter per item in catalog
//! order (`e` eligible, `i` ineligible, `u` unknown).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use haoban_catalog::{Applicant, Catalog, Selection, Status};

struct Args {
    catalog: PathBuf,
    applicants: PathBuf,
    on: NaiveDate,
    items: Option<Vec<String>>,
    repeat: usize,
    statuses: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut catalog = None;
    let mut applicants = None;
    let mut on = NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("bad default date")?;
    let mut items = None;
    let mut repeat = 3;
    let mut statuses = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--catalog" => catalog = Some(PathBuf::from(value()?)),
            "--applicants" => applicants = Some(PathBuf::from(value()?)),
            "--on" => {
                on = NaiveDate::parse_from_str(&value()?, "%Y-%m-%d").map_err(|e| e.to_string())?;
            }
            "--items" => items = Some(value()?.split(',').map(str::to_owned).collect()),
            "--repeat" => repeat = value()?.parse().map_err(|_| "--repeat: a number")?,
            "--statuses" => statuses = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        catalog: catalog.ok_or("--catalog is required")?,
        applicants: applicants.ok_or("--applicants is required")?,
        on,
        items,
        repeat: repeat.max(1),
        statuses,
    })
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

fn run(args: &Args) -> Result<serde_json::Value, String> {
    let catalog = Catalog::load(&args.catalog).map_err(|e| e.to_string())?;
    // The selected items in catalog order, which is the order of a pre-review's items.
    let selected = catalog
        .select(&Selection::Items(match &args.items {
            Some(ids) => ids.clone(),
            None => catalog
                .items()
                .filter(|item| item.proactive)
                .map(|item| item.id.clone())
                .collect(),
        }))
        .map_err(|e| e.to_string())?;
    let order: Vec<String> = catalog
        .items()
        .filter(|item| match &args.items {
            Some(ids) => ids.contains(&item.id),
            None => item.proactive,
        })
        .map(|item| item.id.clone())
        .collect();
    let text = std::fs::read_to_string(&args.applicants).map_err(|e| e.to_string())?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();

    let mut timings = serde_json::Map::new();
    let mut record = |name: &str, wall: f64| {
        let entry = timings
            .entry(name)
            .or_insert_with(|| serde_json::json!({"wall_s": [], "n": lines.len()}));
        if let Some(list) = entry["wall_s"].as_array_mut() {
            list.push(wall.into());
        }
    };

    // Warm up, and check every line reads.
    for (number, line) in lines.iter().enumerate() {
        Applicant::from_json(&catalog, line).map_err(|e| format!("line {}: {e}", number + 1))?;
    }

    let mut letters: Vec<String> = Vec::new();
    let mut parsed: Vec<Applicant> = Vec::new();
    for _ in 0..args.repeat {
        letters.clear();
        let started = Instant::now();
        for line in &lines {
            let Ok(applicant) = Applicant::from_json(&catalog, line) else {
                continue;
            };
            let review = catalog.prereview(&applicant, &selected, args.on);
            let mut row = String::with_capacity(review.items.len());
            for item in &review.items {
                row.push(match item.status {
                    Status::Eligible => 'e',
                    Status::Ineligible => 'i',
                    Status::Unknown => 'u',
                });
            }
            letters.push(row);
        }
        record("json", seconds(started));

        let started = Instant::now();
        parsed = lines
            .iter()
            .filter_map(|line| Applicant::from_json(&catalog, line).ok())
            .collect();
        record("parse", seconds(started));

        let started = Instant::now();
        for applicant in &parsed {
            black_box(catalog.prereview(black_box(applicant), &selected, args.on));
        }
        record("prereview", seconds(started));
    }
    drop(parsed);

    let mut eligible = serde_json::Map::new();
    let mut unknown = serde_json::Map::new();
    for (index, id) in order.iter().enumerate() {
        let count = |letter: char| {
            letters
                .iter()
                .filter(|row| row.as_bytes().get(index) == Some(&(letter as u8)))
                .count()
        };
        eligible.insert(id.clone(), count('e').into());
        unknown.insert(id.clone(), count('u').into());
    }
    if let Some(path) = &args.statuses {
        let mut out = String::new();
        for row in &letters {
            let _ = writeln!(out, "{row}");
        }
        std::fs::write(path, out).map_err(|e| e.to_string())?;
    }
    Ok(serde_json::json!({
        "engine": "haoban pre-review",
        "applicants": lines.len(),
        "items": order,
        "eligible": eligible,
        "unknown": unknown,
        "timings": timings,
    }))
}

fn main() -> ExitCode {
    match parse_args().and_then(|args| run(&args)) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("peer_decisions: {message}");
            ExitCode::from(2)
        }
    }
}
