//! Pre-review and condition benchmarks.
//!
//! Run with `cargo bench -p haoban-catalog --bench prereview`; `docs/benchmarks.md`
//! records the figures and what they mean.
//!
//! - `prereview/all_items/*` runs on the sample catalog `catalog/shanghai` when it loads,
//!   else on the synthetic 300-item catalog (a line on stderr says which).
//! - `prereview/synthetic_300_items/*` always runs on a generated 300-item catalog, so the
//!   figure for "a few hundred items" exists whatever the size of the sample catalog.
//! - `condition/*` compares evaluating a compiled condition with parsing and checking it.
//! - `json/serialize` is the cost of turning one pre-review into the CLI's `--json` output.
//! - `catalog/load/synthetic_300_items` is the cost of loading and checking 300 items.

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use haoban_catalog::decimal::Decimal;
use haoban_catalog::expr::{self, Checker, Env, FactSignature, Type};
use haoban_catalog::{Applicant, Catalog, FactType, Selected, Selection, Value};
use indexmap::IndexMap;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Evaluation date of every pre-review here (inside the sample catalog's calendar years).
fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date")
}

const APPLICANTS: usize = 1_000;
const SYNTHETIC_ITEMS: usize = 300;
const SYNTHETIC_MATERIALS: usize = 40;

// ---------------------------------------------------------------------------------------
// Random applicants
// ---------------------------------------------------------------------------------------

/// Days from 1930-01-01 to 2025-12-31, both included.
fn random_date(rng: &mut SmallRng) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(1930, 1, 1).expect("valid date");
    let last = NaiveDate::from_ymd_opt(2025, 12, 31).expect("valid date");
    let span = (last - first).num_days();
    first + chrono::Duration::days(rng.random_range(0..=span))
}

fn random_value(rng: &mut SmallRng, ty: &FactType) -> Value {
    match ty {
        FactType::Bool => Value::Bool(rng.random_bool(0.5)),
        FactType::Int => Value::Int(rng.random_range(0..=100)),
        FactType::Decimal => {
            Value::Decimal(Decimal::new(rng.random_range(0i64..=500_000).into(), 2))
        }
        FactType::String => {
            const WORDS: [&str; 5] = ["", "浦东新区", "Xuhui", "黄浦区南京东路街道", "x"];
            Value::Str(WORDS[rng.random_range(0..WORDS.len())].into())
        }
        FactType::Date => Value::Date(random_date(rng)),
        FactType::Enum(values) => {
            Value::Str(values[rng.random_range(0..values.len())].as_str().into())
        }
    }
}

/// `count` applicants, each given fact known with probability 0.7, from a fixed seed.
fn random_applicants(catalog: &Catalog, count: usize, seed: u64) -> Vec<Applicant> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut applicant = Applicant::empty(catalog);
            for fact in catalog.facts() {
                if fact.is_derived() || !rng.random_bool(0.7) {
                    continue;
                }
                let value = random_value(&mut rng, &fact.ty);
                applicant
                    .set(catalog, &fact.id, Some(value))
                    .expect("a random value of the declared type is accepted");
            }
            applicant
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Synthetic catalog (files per spec/catalog.md)
// ---------------------------------------------------------------------------------------

const SYNTHETIC_FACTS: &str = r#"
[hukou]
type = "enum"
values = ["shanghai", "other"]
label = { zh = "户籍", en = "Household registration" }

[birth_date]
type = "date"
label = { zh = "出生日期", en = "Date of birth" }

[age]
type = "int"
derive = "age(birth_date)"

[payment]
type = "enum"
values = ["bank", "social_security_card", "cash"]

[employment]
type = "enum"
values = ["employed", "flexible", "unemployed", "student", "retired", "other"]

[disability_level]
type = "enum"
values = ["none", "1", "2", "3", "4"]

[has_disability_certificate]
type = "bool"
derive = 'disability_level != "none"'

[marital_status]
type = "enum"
values = ["unmarried", "married", "divorced", "widowed"]

[income]
type = "decimal"

[members]
type = "int"

[per_capita]
type = "decimal"
derive = "income / members"

[housing_area]
type = "decimal"

[child_birth_date]
type = "date"

[child_age]
type = "int"
derive = "age(child_birth_date)"

[residence_date]
type = "date"

[residence_days]
type = "int"
derive = "days_since(residence_date)"

[insured_months]
type = "int"

[contribution_years]
type = "int"

[district]
type = "string"

[has_permit]
type = "bool"

[via_agent]
type = "bool"

[veteran]
type = "bool"

[pregnant]
type = "bool"

[receives_pension]
type = "bool"

[low_income]
type = "bool"

[minimum_living]
type = "bool"

[registered_unemployed]
type = "bool"

[has_business]
type = "bool"

[care_level]
type = "int"
"#;

/// A top-level conjunct of an item's `eligible`, drawn from realistic shapes.
fn conjunct(rng: &mut SmallRng) -> String {
    fn subset(rng: &mut SmallRng, values: &[&str]) -> String {
        let mut picked: Vec<&str> = values
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.4))
            .collect();
        if picked.is_empty() {
            picked.push(values[rng.random_range(0..values.len())]);
        }
        let quoted: Vec<String> = picked.iter().map(|v| format!("\"{v}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
    let decimal = |rng: &mut SmallRng, max: i64| {
        format!(
            "{}.{:02}",
            rng.random_range(0..max),
            rng.random_range(0..100)
        )
    };
    match rng.random_range(0..16) {
        0 => format!("age >= {}", rng.random_range(16..=80)),
        1 => format!("age < {}", rng.random_range(18..=70)),
        2 => "hukou == \"shanghai\"".to_owned(),
        3 => format!(
            "employment in {}",
            subset(
                rng,
                &[
                    "employed",
                    "flexible",
                    "unemployed",
                    "student",
                    "retired",
                    "other"
                ]
            )
        ),
        4 => format!("disability_level in {}", subset(rng, &["1", "2", "3", "4"])),
        5 => format!("per_capita < {}", decimal(rng, 3000)),
        6 => format!("income <= {}", decimal(rng, 5000)),
        7 => format!(
            "marital_status in {}",
            subset(rng, &["unmarried", "married", "divorced", "widowed"])
        ),
        8 => "(has_permit || hukou == \"shanghai\")".to_owned(),
        9 => format!("child_age < {}", rng.random_range(1..=18)),
        10 => format!("residence_days >= {}", rng.random_range(90..=1500)),
        11 => format!("insured_months >= {}", rng.random_range(6..=60)),
        12 => format!("housing_area < {}", decimal(rng, 30)),
        13 => "(minimum_living || low_income)".to_owned(),
        14 => format!(
            "!veteran && contribution_years + insured_months / 12 >= {}",
            rng.random_range(5..=20)
        ),
        _ => format!(
            "has_disability_certificate && care_level >= {} && birth_date < date(\"{}-01-01\")",
            rng.random_range(1..=6),
            rng.random_range(1940..=2000)
        ),
    }
}

fn when_condition(rng: &mut SmallRng) -> &'static str {
    const WHENS: [&str; 8] = [
        "payment == \"bank\"",
        "via_agent",
        "marital_status == \"married\"",
        "hukou == \"other\"",
        "age >= 60",
        "child_age < 1",
        "has_permit && hukou != \"shanghai\"",
        "size(district) > 0",
    ];
    WHENS[rng.random_range(0..WHENS.len())]
}

/// Writes a catalog of `items` items into `dir`, deterministically.
fn write_synthetic_catalog(dir: &Path, items: usize) {
    let mut rng = SmallRng::seed_from_u64(0x4841_4f42_414e);
    fs::create_dir_all(dir.join("items")).expect("create items/");
    fs::write(
        dir.join("catalog.toml"),
        "name = { zh = \"合成目录\", en = \"Synthetic catalog\" }\n",
    )
    .expect("write catalog.toml");
    fs::write(dir.join("facts.toml"), SYNTHETIC_FACTS).expect("write facts.toml");

    let forms = ["original", "copy", "form", "photo", "electronic"];
    let mut materials = String::new();
    for m in 0..SYNTHETIC_MATERIALS {
        writeln!(
            materials,
            "[material-{m:02}]\nname = {{ zh = \"材料{m}\", en = \"Material {m}\" }}\nform = \"{}\"\ne_licence = {}\n",
            forms[m % forms.len()],
            m % 3 == 0
        )
        .expect("write to string");
    }
    fs::write(dir.join("materials.toml"), materials).expect("write materials.toml");

    let mut categories = String::new();
    for top in 0..4 {
        writeln!(categories, "[cat-{top}]\nname = {{ zh = \"大类{top}\" }}\n")
            .expect("write to string");
        for sub in 0..3 {
            writeln!(
                categories,
                "[cat-{top}-{sub}]\nname = {{ zh = \"小类{top}-{sub}\" }}\nparent = \"cat-{top}\"\n"
            )
            .expect("write to string");
        }
    }
    fs::write(dir.join("categories.toml"), categories).expect("write categories.toml");

    for i in 0..items {
        let mut item = String::new();
        writeln!(item, "name = {{ zh = \"事项{i}\", en = \"Item {i}\" }}")
            .expect("write to string");
        writeln!(item, "category = \"cat-{}-{}\"", i % 4, (i / 4) % 3).expect("write to string");
        writeln!(item, "department = {{ zh = \"区民政局\" }}").expect("write to string");
        // One item in ten is open to everyone (no `eligible`).
        if i % 10 != 0 {
            let conjuncts: Vec<String> = (0..rng.random_range(2..=4))
                .map(|_| conjunct(&mut rng))
                .collect();
            writeln!(item, "eligible = '{}'", conjuncts.join(" && ")).expect("write to string");
        }
        writeln!(item, "promised_days = {}", rng.random_range(0..=30)).expect("write to string");
        writeln!(
            item,
            "value_points = {}.{}",
            rng.random_range(0..5),
            rng.random_range(0..10)
        )
        .expect("write to string");
        writeln!(item, "channels = [\"window\", \"online\"]").expect("write to string");
        writeln!(item, "proactive = {}", rng.random_bool(0.2)).expect("write to string");
        let mut used = Vec::new();
        for _ in 0..rng.random_range(2..=6) {
            let m = rng.random_range(0..SYNTHETIC_MATERIALS);
            if used.contains(&m) {
                continue;
            }
            used.push(m);
            writeln!(item, "\n[[materials]]\nid = \"material-{m:02}\"").expect("write to string");
            if rng.random_bool(0.2) {
                writeln!(item, "copies = {}", rng.random_range(1..=3)).expect("write to string");
            }
            if rng.random_bool(0.3) {
                writeln!(item, "when = '{}'", when_condition(&mut rng)).expect("write to string");
            }
        }
        fs::write(dir.join("items").join(format!("item-{i:03}.toml")), item).expect("write item");
    }
}

/// The synthetic catalog, written to a temporary directory that lives as long as it.
struct Synthetic {
    dir: tempfile::TempDir,
    catalog: Catalog,
}

fn synthetic(items: usize) -> Synthetic {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_synthetic_catalog(dir.path(), items);
    let catalog = Catalog::load(dir.path())
        .unwrap_or_else(|problems| panic!("the synthetic catalog does not load:\n{problems}"));
    assert_eq!(catalog.items().len(), items);
    Synthetic { dir, catalog }
}

fn sample_catalog() -> Option<Catalog> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    if !dir.is_dir() {
        eprintln!(
            "bench: {} is absent; prereview/all_items uses the synthetic catalog",
            dir.display()
        );
        return None;
    }
    match Catalog::load(&dir) {
        Ok(catalog) => Some(catalog),
        Err(problems) => {
            eprintln!(
                "bench: {} does not load ({} problems); prereview/all_items uses the synthetic catalog",
                dir.display(),
                problems.0.len()
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------

/// The random and empty applicant benchmarks on one catalog, under `prefix`.
fn bench_prereview_on(c: &mut Criterion, prefix: &str, catalog: &Catalog) {
    let selected: Selected = catalog
        .select(&Selection::All)
        .expect("the catalog has items");
    let applicants = random_applicants(catalog, APPLICANTS, 2026);
    let empty = Applicant::empty(catalog);
    let on = on();

    let mut group = c.benchmark_group("prereview");
    // One iteration is one applicant's pre-review over every item.
    group.throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function(format!("{prefix}/random_applicant"), |b| {
        b.iter(|| {
            let applicant = &applicants[next % applicants.len()];
            next = next.wrapping_add(1);
            catalog.prereview(black_box(applicant), &selected, on)
        })
    });
    group.bench_function(format!("{prefix}/empty_applicant"), |b| {
        b.iter(|| catalog.prereview(black_box(&empty), &selected, on))
    });
    group.finish();
}

fn bench_prereview(c: &mut Criterion) {
    let synthetic = synthetic(SYNTHETIC_ITEMS);
    match sample_catalog() {
        Some(sample) => {
            eprintln!(
                "bench: prereview/all_items uses catalog/shanghai: {} items, {} facts, {} materials",
                sample.items().len(),
                sample.fact_count(),
                sample.materials().len()
            );
            bench_prereview_on(c, "all_items", &sample);
        }
        None => {
            eprintln!(
                "bench: prereview/all_items uses the synthetic catalog: {} items",
                synthetic.catalog.items().len()
            );
            bench_prereview_on(c, "all_items", &synthetic.catalog);
        }
    }
    eprintln!(
        "bench: prereview/synthetic_300_items: {} items, {} facts, {} materials",
        synthetic.catalog.items().len(),
        synthetic.catalog.fact_count(),
        synthetic.catalog.materials().len()
    );
    bench_prereview_on(c, "synthetic_300_items", &synthetic.catalog);
    print_outcome_mix(&synthetic.catalog);
}

/// How the random pool's pre-reviews come out on the synthetic catalog, so the figures
/// can be read against a realistic mix of eligible, ineligible and unknown items.
fn print_outcome_mix(catalog: &Catalog) {
    let selected = catalog
        .select(&Selection::All)
        .expect("the catalog has items");
    let applicants = random_applicants(catalog, APPLICANTS, 2026);
    let (mut eligible, mut ineligible, mut unknown, mut checklist, mut questions) = (0, 0, 0, 0, 0);
    for applicant in &applicants {
        let review = catalog.prereview(applicant, &selected, on());
        for item in &review.items {
            match item.status {
                haoban_catalog::Status::Eligible => eligible += 1,
                haoban_catalog::Status::Ineligible => ineligible += 1,
                haoban_catalog::Status::Unknown => unknown += 1,
            }
        }
        checklist += review.checklist.len();
        questions += review.questions.len();
    }
    let n = applicants.len() as f64;
    eprintln!(
        "bench: synthetic random pool, per applicant on average: {:.1} eligible, {:.1} ineligible, \
         {:.1} unknown items, {:.1} checklist entries, {:.1} questions",
        eligible as f64 / n,
        ineligible as f64 / n,
        unknown as f64 / n,
        checklist as f64 / n,
        questions as f64 / n
    );
}

fn bench_condition(c: &mut Criterion) {
    let source = "age >= 65 && hukou == \"shanghai\"";
    let mut facts = IndexMap::new();
    facts.insert("age".to_owned(), FactSignature { ty: Type::Int });
    facts.insert(
        "hukou".to_owned(),
        FactSignature {
            ty: Type::Enum(vec!["shanghai".to_owned(), "other".to_owned()].into()),
        },
    );
    let checker = Checker::new(&facts);
    let parsed = expr::parse(source).expect("the condition parses");
    let (program, ty) = checker.check(&parsed).expect("the condition checks");
    assert_eq!(ty, Type::Bool);
    let env = Env {
        on: on(),
        values: vec![Some(Value::Int(70)), Some(Value::Str("shanghai".into()))],
    };
    assert_eq!(program.truth(&env), Some(true));

    let mut group = c.benchmark_group("condition");
    group.bench_function("compiled_truth", |b| {
        b.iter(|| black_box(&program).truth(black_box(&env)))
    });
    group.bench_function("parse", |b| b.iter(|| expr::parse(black_box(source))));
    group.bench_function("parse_and_check", |b| {
        b.iter(|| {
            let parsed = expr::parse(black_box(source)).expect("the condition parses");
            checker.check(&parsed).expect("the condition checks")
        })
    });
    group.finish();
}

fn bench_json(c: &mut Criterion) {
    let synthetic = synthetic(SYNTHETIC_ITEMS);
    let catalog = &synthetic.catalog;
    let selected = catalog
        .select(&Selection::All)
        .expect("the catalog has items");
    let applicant = &random_applicants(catalog, 1, 7)[0];
    let review = catalog.prereview(applicant, &selected, on());
    let bytes = serde_json::to_vec(&review)
        .expect("a pre-review serializes")
        .len();
    eprintln!("bench: json/serialize: one synthetic 300-item pre-review is {bytes} bytes of JSON");

    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("serialize/synthetic_300_items", |b| {
        b.iter(|| serde_json::to_vec(black_box(&review)).expect("a pre-review serializes"))
    });
    group.finish();
}

fn bench_load(c: &mut Criterion) {
    let synthetic = synthetic(SYNTHETIC_ITEMS);
    let dir = synthetic.dir.path().to_path_buf();
    let mut group = c.benchmark_group("catalog");
    group.sample_size(10);
    group.bench_function("load/synthetic_300_items", |b| {
        b.iter(|| Catalog::load(black_box(&dir)).expect("the synthetic catalog loads"))
    });
    group.finish();
}

fn criterion() -> Criterion {
    Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = bench_prereview, bench_condition, bench_json, bench_load
}
criterion_main!(benches);
