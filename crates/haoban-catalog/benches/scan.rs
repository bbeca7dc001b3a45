//! The scan (免申即享) benchmark: reading a population registry and judging it.
//!
//! Run with `cargo bench -p haoban-catalog --bench scan`. It generates, in memory, a
//! registry of 200,000 residents over every given fact of `catalog/shanghai` (about a
//! twentieth of the cells empty), then measures
//! - `scan/read`: `Population::read` of the CSV bytes on 2 threads (throughput in bytes),
//! - `scan/judge`: `ScanPlan::scan` of every proactive item on 2 threads,
//! - `scan/read_and_judge/1_thread`: both on one thread, to see what the second core buys.
//!
//! The million-row figure of `haoban scan` itself (with the file read from disk) comes from
//! `bench/population.py` and the command in `docs/scan.md`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use haoban_catalog::{Catalog, FactType, Population, ReadOptions, ScanPlan};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const RESIDENTS: usize = 200_000;

fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    Catalog::load(&dir).unwrap_or_else(|problems| panic!("sample catalog invalid:\n{problems}"))
}

fn cell(rng: &mut SmallRng, ty: &FactType) -> String {
    match ty {
        FactType::Bool => if rng.random() { "true" } else { "false" }.to_owned(),
        FactType::Int => rng.random_range(0..100).to_string(),
        FactType::Decimal => format!(
            "{}.{:02}",
            rng.random_range(0..8000),
            rng.random_range(0..100)
        ),
        FactType::String => "王".to_owned(),
        FactType::Date => {
            let first = NaiveDate::from_ymd_opt(1925, 1, 1).expect("date");
            (first + chrono::Duration::days(rng.random_range(0..36_500)))
                .format("%Y-%m-%d")
                .to_string()
        }
        FactType::Enum(values) => values[rng.random_range(0..values.len())].clone(),
    }
}

fn registry(catalog: &Catalog) -> Vec<u8> {
    let mut rng = SmallRng::seed_from_u64(1);
    let facts: Vec<_> = catalog.facts().filter(|f| !f.is_derived()).collect();
    let mut csv = String::from("id");
    for fact in &facts {
        write!(csv, ",{}", fact.id).expect("write");
    }
    csv.push('\n');
    for n in 0..RESIDENTS {
        write!(csv, "r{n}").expect("write");
        for fact in &facts {
            csv.push(',');
            if rng.random_range(0..20) != 0 {
                csv.push_str(&cell(&mut rng, &fact.ty));
            }
        }
        csv.push('\n');
    }
    csv.into_bytes()
}

fn scan(c: &mut Criterion) {
    let catalog = catalog();
    let plan = ScanPlan::new(&catalog, None).expect("proactive items");
    let csv = registry(&catalog);
    let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
    let options = |threads| ReadOptions {
        threads,
        ..ReadOptions::default()
    };

    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_function("read", |b| {
        b.iter(|| Population::read(&plan, black_box(&csv[..]), &options(2)).expect("reads"));
    });
    let population = Population::read(&plan, &csv[..], &options(2)).expect("reads");
    group.throughput(Throughput::Elements(RESIDENTS as u64));
    group.bench_function("judge", |b| {
        b.iter(|| plan.scan(black_box(&population), on, 2).counts());
    });
    group.bench_function("read_and_judge/1_thread", |b| {
        b.iter(|| {
            let population = Population::read(&plan, &csv[..], &options(1)).expect("reads");
            let counts = plan.scan(&population, on, 1).counts();
            counts.iter().map(|count| count.eligible).sum::<u64>()
        });
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
