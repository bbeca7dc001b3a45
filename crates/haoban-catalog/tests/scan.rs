//! The scan (免申即享) agrees with pre-review: a generated population, written as CSV, read
//! and scanned, gives every resident the status pre-review gives the same facts, and the
//! counts are the tallies of those statuses.

mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use haoban_catalog::batch::csv::quote;
use haoban_catalog::decimal::Decimal;
use haoban_catalog::{
    Applicant, Catalog, FactType, Population, ReadOptions, ScanPlan, Selection, Status, Value,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn shanghai() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    Catalog::load(&dir).unwrap_or_else(|problems| panic!("sample catalog invalid:\n{problems}"))
}

fn random_date(rng: &mut SmallRng) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(1920, 1, 1).expect("date");
    first + chrono::Duration::days(rng.random_range(0..(107 * 365)))
}

/// A value of the fact's type; a few ints and decimals at the edges of their ranges.
fn random_value(rng: &mut SmallRng, ty: &FactType) -> Value {
    match ty {
        FactType::Bool => Value::Bool(rng.random()),
        FactType::Int => Value::Int(match rng.random_range(0..20) {
            0 => i64::MAX,
            1 => i64::MIN,
            2 => 0,
            _ => rng.random_range(-5..100),
        }),
        FactType::Decimal => Value::Decimal(match rng.random_range(0..20) {
            0 => Decimal::from(0),
            1 => Decimal::new(rng.random_range(1..1000).into(), 40),
            _ => Decimal::new(rng.random_range(-1000i64..500_000).into(), 2),
        }),
        FactType::String => Value::Str(
            ["", "a", "上海", "a,b", "say \"hi\"", "two\nlines"][rng.random_range(0..6)].into(),
        ),
        FactType::Date => Value::Date(random_date(rng)),
        FactType::Enum(values) => {
            Value::Str(values[rng.random_range(0..values.len())].as_str().into())
        }
    }
}

/// How a value is written in a cell, in one of the ways a spreadsheet might write it.
fn cell(rng: &mut SmallRng, value: &Value) -> String {
    match value {
        Value::Bool(b) => match (rng.random_range(0..3), b) {
            (0, true) => "1".into(),
            (0, false) => "0".into(),
            (1, true) => "TRUE".into(),
            (1, false) => "False".into(),
            _ => b.to_string(),
        },
        Value::Int(i) => i.to_string(),
        Value::Decimal(d) => d.to_plain_string(),
        Value::Str(s) if rng.random_range(0..4) == 0 => format!("\"{}\"", s.replace('"', "\"\"")),
        Value::Str(s) => quote(s).into_owned(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::List(_) => unreachable!("no fact is a list"),
    }
}

/// Residents with random facts (about a fifth unknown), and the population CSV of them:
/// the given facts in a shuffled order, with `\r\n` or `\n` line ends.
struct Generated {
    residents: Vec<(String, Applicant)>,
    csv: String,
}

fn generate(catalog: &Catalog, count: usize, seed: u64) -> Generated {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut columns: Vec<_> = catalog.facts().filter(|f| !f.is_derived()).collect();
    for i in (1..columns.len()).rev() {
        columns.swap(i, rng.random_range(0..=i));
    }
    let mut csv = String::from("id");
    for fact in &columns {
        write!(csv, ",{}", fact.id).expect("write");
    }
    csv.push('\n');
    let mut residents = Vec::new();
    for n in 0..count {
        let id = format!("r{n}");
        let mut applicant = Applicant::empty(catalog);
        csv.push_str(&id);
        for fact in &columns {
            csv.push(',');
            if rng.random_range(0..5) == 0 {
                continue;
            }
            let value = random_value(&mut rng, &fact.ty);
            csv.push_str(&cell(&mut rng, &value));
            // An empty string cannot be told from an empty cell: unknown either way.
            let known = !matches!(&value, Value::Str(s) if s.is_empty());
            applicant
                .set(catalog, &fact.id, known.then_some(value))
                .expect("a value of the fact's type");
        }
        csv.push_str(if rng.random() { "\r\n" } else { "\n" });
        residents.push((id, applicant));
    }
    Generated { residents, csv }
}

/// Scans `generated` and checks every resident against pre-review, and the counts.
fn check_against_prereview(catalog: &Catalog, generated: &Generated, on: NaiveDate) {
    let plan = ScanPlan::new(catalog, None).expect("proactive items");
    let item_ids: Vec<String> = plan.items().map(|i| i.id.clone()).collect();
    let selected = catalog
        .select(&Selection::Items(item_ids.clone()))
        .expect("items");
    let options = ReadOptions {
        threads: 2,
        chunk_rows: 700,
        ..ReadOptions::default()
    };
    let population =
        Population::read(&plan, generated.csv.as_bytes(), &options).expect("population reads");
    assert_eq!(population.bad_rows(), &[]);
    assert_eq!(population.residents(), generated.residents.len() as u64);
    let scan = plan.scan(&population, on, 2);

    let facts: HashMap<&str, &Applicant> = generated
        .residents
        .iter()
        .map(|(id, a)| (id.as_str(), a))
        .collect();
    // Per item: eligible, ineligible, unknown, as pre-review has them.
    let mut tally: HashMap<&str, [u64; 3]> = HashMap::new();
    let mut seen = 0;
    for judged in scan.residents_judged() {
        let applicant = facts[judged.id()];
        let review = catalog.prereview(applicant, &selected, on);
        let scanned: Vec<(&str, Status)> = judged
            .statuses()
            .map(|(item, status)| (item.id.as_str(), status))
            .collect();
        let expected: Vec<(&str, Status)> = review.items.iter().map(|r| (r.id, r.status)).collect();
        assert_eq!(
            scanned,
            expected,
            "resident {} ({applicant:?})",
            judged.id()
        );
        for (item, status) in expected {
            let slot = match status {
                Status::Eligible => 0,
                Status::Ineligible => 1,
                Status::Unknown => 2,
            };
            tally.entry(item).or_default()[slot] += 1;
        }
        seen += 1;
    }
    assert_eq!(seen, generated.residents.len());
    for count in scan.counts() {
        let [eligible, ineligible, unknown] = tally[count.item];
        assert_eq!(
            (count.eligible, count.unknown),
            (eligible, unknown),
            "{}",
            count.item
        );
        // The population is one that tells the three apart for every item that names a fact.
        let names_a_fact = catalog
            .item(count.item)
            .and_then(|i| i.eligible.as_ref())
            .is_some_and(|e| e.conjuncts.iter().any(|c| !c.program.refs.is_empty()));
        assert!(
            !names_a_fact || eligible > 0 && ineligible > 0 && unknown > 0,
            "{}: {:?}",
            count.item,
            tally[count.item]
        );
    }
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

#[test]
fn the_sample_catalogs_proactive_items_agree_with_prereview() {
    let catalog = shanghai();
    let generated = generate(&catalog, 5_000, 7);
    check_against_prereview(&catalog, &generated, on());
    // On a leap day, when age() is at its most particular.
    let leap = NaiveDate::from_ymd_opt(2028, 2, 29).expect("date");
    check_against_prereview(&catalog, &generated, leap);
}

/// The fixture with every kind of condition the language has in proactive items: derived
/// decimals (`income / members`, unknown when dividing by zero), `has()`, strings, `size`,
/// `%`, unary minus, dates, enum lists, `||` and `!`.
fn rich_catalog() -> support::Edited {
    let facts = std::fs::read_to_string(support::fixture().join("facts.toml")).expect("facts");
    let facts = format!(
        "{facts}\n[name]\ntype = \"string\"\n\n[members_known]\ntype = \"bool\"\nderive = \"has(members)\"\n"
    );
    let item = |eligible: &str| {
        format!(
            "name = {{ zh = \"试\" }}\ncategory = \"social-assistance\"\ndepartment = {{ zh = \"区\" }}\n\
             eligible = '{eligible}'\npromised_days = 5\nvalue_points = 1\nchannels = [\"window\"]\n\
             proactive = true\nmaterials = []\n"
        )
    };
    support::Edited::new(&[
        ("facts.toml", Some(&facts)),
        (
            "items/low-income.toml",
            Some(&item(r#"hukou == "shanghai" && per_capita < 1510"#)),
        ),
        (
            "items/money.toml",
            Some(&item(
                "(has(income) || married) && -income < 2000.5 && members % 3 != 1 && per_capita * 2 >= 100",
            )),
        ),
        (
            "items/names.toml",
            Some(&item(
                r#"size(name + "x") > 2 && name != "a" && !(payment in ["cash"]) && "shanghai" == hukou"#,
            )),
        ),
        (
            "items/dates.toml",
            Some(&item(
                r#"birth_date < date("1990-06-15") && days_since(birth_date) % 2 == 0 && (age > 70 || members_known)"#,
            )),
        ),
        ("items/open.toml", Some(&item("true"))),
    ])
}

#[test]
fn every_kind_of_condition_agrees_with_prereview() {
    let edited = rich_catalog();
    let catalog = edited.load();
    let generated = generate(&catalog, 3_000, 11);
    check_against_prereview(&catalog, &generated, on());
}

#[test]
fn the_plan_keeps_only_what_the_items_name() {
    let catalog = shanghai();
    // Both items need age, derived from birth_date: each offer carries birth_date.
    let items = [
        "senior-card-application".to_owned(),
        "elderly-comprehensive-allowance".to_owned(),
    ];
    let plan = ScanPlan::new(&catalog, Some(&items)).expect("plan");
    let population = Population::read(
        &plan,
        "id,hukou,birth_date,household_income_per_capita\nr1,shanghai,1950-03-01,2590.49\n"
            .as_bytes(),
        &ReadOptions::default(),
    )
    .expect("reads");
    let scan = plan.scan(&population, on(), 1);
    let judged = scan.residents_judged().next().expect("one resident");
    // The offer carries the facts the item's conditions name, and pre-review reads them back.
    let facts = judged.facts_for("senior-card-application");
    assert_eq!(facts, r#"{"hukou":"shanghai","birth_date":"1950-03-01"}"#);
    assert_eq!(judged.facts_for("elderly-comprehensive-allowance"), facts);
    assert_eq!(judged.facts_for("no-such-item"), "{}");
    let applicant = Applicant::from_json(&catalog, &facts).expect("pre-review reads it");
    assert_eq!(
        applicant.get(&catalog, "hukou"),
        Some(&Value::Str("shanghai".into()))
    );
}

#[test]
fn offered_facts_read_back_as_the_same_facts() {
    let edited = rich_catalog();
    let catalog = edited.load();
    let generated = generate(&catalog, 300, 5);
    let plan = ScanPlan::new(&catalog, None).expect("plan");
    let population =
        Population::read(&plan, generated.csv.as_bytes(), &ReadOptions::default()).expect("reads");
    let scan = plan.scan(&population, on(), 1);
    let given: HashMap<&str, &Applicant> = generated
        .residents
        .iter()
        .map(|(id, a)| (id.as_str(), a))
        .collect();
    for judged in scan.residents_judged() {
        let json = judged.facts_for("money");
        let read = Applicant::from_json(&catalog, &json).expect("valid facts JSON");
        for fact in ["income", "members", "married"] {
            assert_eq!(
                read.get(&catalog, fact),
                given[judged.id()].get(&catalog, fact),
                "{fact} in {json}"
            );
        }
    }
}

#[test]
fn items_must_be_proactive_and_known() {
    let catalog = shanghai();
    let scan_of = |ids: &[&str]| {
        let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
        ScanPlan::new(&catalog, Some(&ids))
            .map(|p| p.items().map(|i| i.id.clone()).collect::<Vec<_>>())
    };
    assert_eq!(
        scan_of(&[
            "senior-card-application",
            "conscript-family-allowance",
            "senior-card-application"
        ]),
        Ok(vec![
            "conscript-family-allowance".to_owned(),
            "senior-card-application".to_owned()
        ])
    );
    let not_proactive = scan_of(&["pension-transfer"]).expect_err("not proactive");
    assert!(
        not_proactive
            .to_string()
            .contains("`pension-transfer` is not a proactive item")
    );
    assert_eq!(
        scan_of(&["no-such-item"]),
        Err(haoban_catalog::PlanError::UnknownItem(
            "no-such-item".into()
        ))
    );
    assert_eq!(scan_of(&[]), Err(haoban_catalog::PlanError::Empty));
}
