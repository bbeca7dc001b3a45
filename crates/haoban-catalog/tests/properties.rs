//! Properties that must hold for every input, not just the examples.
//!
//! The central one is refinement: learning a fact may turn unknown into true or false,
//! but never changes a true or a false. Pre-review relies on it to ask questions at all.

mod support;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use haoban_catalog::decimal::Decimal;
use haoban_catalog::expr::{Checker, Env, FactSignature, Type, parse};
use haoban_catalog::{Applicant, Catalog, Selection, Status, Value};
use indexmap::IndexMap;
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn signatures() -> IndexMap<String, FactSignature> {
    let hukou: Arc<[String]> = vec!["shanghai".to_owned(), "other".to_owned()].into();
    [
        ("n", Type::Int),
        ("m", Type::Int),
        ("x", Type::Decimal),
        ("flag", Type::Bool),
        ("hukou", Type::Enum(hukou)),
        ("d", Type::Date),
        ("s", Type::Str),
    ]
    .into_iter()
    .map(|(name, ty)| (name.to_owned(), FactSignature { ty }))
    .collect()
}

fn number() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("n".to_owned()),
        Just("m".to_owned()),
        Just("x".to_owned()),
        (-5i64..50).prop_map(|i| i.to_string()),
        (-500i64..5000).prop_map(|i| format!("{}.{:02}", i / 100, (i % 100).abs())),
        Just("age(d)".to_owned()),
        Just("size(s)".to_owned()),
        Just("days_since(d)".to_owned()),
    ];
    leaf.prop_recursive(3, 16, 2, |inner| {
        (
            inner.clone(),
            prop::sample::select(vec!["+", "-", "*", "/", "%"]),
            inner.clone(),
        )
            .prop_map(|(a, op, b)| format!("({a} {op} {b})"))
    })
}

/// Random well-typed conditions. `has()` is left out: it asks whether a fact is known,
/// so it is false before a fact is learnt and true after, by design outside refinement.
fn condition() -> impl Strategy<Value = String> {
    let comparison = prop_oneof![
        (
            number(),
            prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
            number()
        )
            .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
        Just("flag".to_owned()),
        Just("hukou == 'shanghai'".to_owned()),
        Just("hukou in ['other']".to_owned()),
        Just("d < date('1960-01-01')".to_owned()),
        Just("s + 'x' == 'ax'".to_owned()),
        number().prop_map(|a| format!("{a} in [1, 2, 3.5]")),
    ];
    comparison.prop_recursive(4, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

fn random_value(ty: &Type, rng: &mut SmallRng) -> Value {
    match ty {
        Type::Int => Value::Int(rng.random_range(-3..80)),
        Type::Decimal => {
            Value::Decimal(Decimal::new(rng.random_range(-1000i64..500_000).into(), 2))
        }
        Type::Bool => Value::Bool(rng.random()),
        Type::Enum(values) => Value::Str(values[rng.random_range(0..values.len())].as_str().into()),
        Type::Date => Value::Date(
            NaiveDate::from_ymd_opt(
                rng.random_range(1925..2026),
                rng.random_range(1..13),
                rng.random_range(1..29),
            )
            .expect("valid date"),
        ),
        Type::Str => Value::Str(["", "a", "上海"][rng.random_range(0..3)].into()),
        Type::List(_) => Value::List(Vec::new().into()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn conditions_refine_monotonically(source in condition(), seed in any::<u64>()) {
        let facts = signatures();
        let ast = parse(&source).expect("generated conditions parse");
        let (program, _) = Checker::new(&facts).check(&ast).expect("generated conditions type-check");
        let mut rng = SmallRng::seed_from_u64(seed);
        let full: Vec<Option<Value>> = facts.values().map(|f| Some(random_value(&f.ty, &mut rng))).collect();
        let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        // Reveal the facts one by one in a random order; a known truth must never change.
        let mut order: Vec<usize> = (0..facts.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut env = Env { on, values: vec![None; facts.len()] };
        let mut settled = program.truth(&env);
        for slot in order {
            env.values[slot] = full[slot].clone();
            let now = program.truth(&env);
            if settled.is_some() {
                prop_assert_eq!(now, settled, "{} changed after learning slot {}", source, slot);
            }
            settled = now;
        }
    }

    #[test]
    fn parsing_and_checking_never_panic(source in "\\PC{0,60}") {
        let facts = signatures();
        if let Ok(ast) = parse(&source) {
            let _ = Checker::new(&facts).check(&ast);
        }
    }

    #[test]
    fn parsing_near_valid_conditions_never_panics(source in condition(), cut in 0usize..200, junk in "[()\\[\\]!&|=<>\"'., -]{0,3}") {
        let chars: Vec<char> = source.chars().collect();
        let cut = cut.min(chars.len());
        let mangled: String = chars[..cut].iter().collect::<String>() + &junk + &chars[cut..].iter().collect::<String>();
        let mangled = mangled.replace("flag", "has(flag)");
        if let Ok(ast) = parse(&mangled) {
            let _ = Checker::new(&signatures()).check(&ast);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The scan's columnar evaluator gives every row the truth pre-review's scalar one gives
    /// it, unknowns and `has()` included.
    #[test]
    fn columnar_evaluation_equals_scalar(source in condition(), wrap in 0usize..4, seed in any::<u64>()) {
        let source = match wrap {
            0 => source,
            1 => format!("({source}) || has(x)"),
            2 => format!("!has(s) && ({source})"),
            _ => format!("(has(n) || flag) && ({source})"),
        };
        let facts = signatures();
        let ast = parse(&source).expect("generated conditions parse");
        let (program, _) = Checker::new(&facts).check(&ast).expect("generated conditions type-check");
        let mut rng = SmallRng::seed_from_u64(seed);
        let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        let types: Vec<Type> = facts.values().map(|f| f.ty.clone()).collect();
        let rows: Vec<Vec<Option<Value>>> = (0..48)
            .map(|_| types.iter().map(|ty| rng.random_bool(0.7).then(|| random_value(ty, &mut rng))).collect())
            .collect();
        let columnar = haoban_catalog::batch::columnar_truths(&program, &types, &rows, on);
        for (row, values) in rows.iter().enumerate() {
            let scalar = program.truth(&Env { on, values: values.clone() });
            prop_assert_eq!(columnar[row], scalar, "{} on row {:?}", source, values);
        }
    }
}

fn sample_catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    Catalog::load(&dir).unwrap_or_else(|problems| panic!("sample catalog invalid:\n{problems}"))
}

fn random_applicant(catalog: &Catalog, rng: &mut SmallRng, known: f64) -> Vec<(String, Value)> {
    let mut facts = Vec::new();
    for fact in catalog.facts().filter(|fact| !fact.is_derived()) {
        if rng.random_bool(known) {
            facts.push((fact.id.clone(), random_value(&fact.ty.expr_type(), rng)));
        }
    }
    facts
}

fn applicant_of(catalog: &Catalog, facts: &[(String, Value)]) -> Applicant {
    let mut applicant = Applicant::empty(catalog);
    for (name, value) in facts {
        applicant
            .set(catalog, name, Some(value.clone()))
            .expect("valid fact");
    }
    applicant
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// On the sample catalog: the result is internally consistent, and learning more
    /// about the applicant never reverses a decided item.
    #[test]
    fn prereview_is_consistent_and_refines(seed in any::<u64>()) {
        let catalog = sample_catalog();
        let mut rng = SmallRng::seed_from_u64(seed);
        let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        let selected = catalog.select(&Selection::All).expect("all");
        let full = random_applicant(&catalog, &mut rng, 1.0);
        let partial: Vec<_> = full.iter().filter(|_| rng.random_bool(0.5)).cloned().collect();

        let before = catalog.prereview(&applicant_of(&catalog, &partial), &selected, on);
        let after = catalog.prereview(&applicant_of(&catalog, &full), &selected, on);

        let ids: Vec<&str> = before.items.iter().map(|i| i.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        prop_assert_eq!(&ids, &sorted, "items in catalog order");
        for item in &before.items {
            prop_assert_eq!(item.failed.is_empty(), item.status != Status::Ineligible);
            prop_assert!(item.needs.is_empty() || item.status == Status::Unknown);
        }
        let mut asked: Vec<&str> = before.items.iter().flat_map(|i| i.needs.iter().copied())
            .chain(before.checklist.iter().flat_map(|e| e.needs.iter().copied()))
            .collect();
        asked.sort_unstable();
        asked.dedup();
        let mut questions = before.questions.clone();
        questions.sort_unstable();
        prop_assert_eq!(questions, asked, "questions are exactly what the needs list");
        for entry in &before.checklist {
            prop_assert!(entry.copies >= 1);
            prop_assert!(entry.conditional || entry.needs.is_empty());
            for id in &entry.for_items {
                let status = before.items.iter().find(|i| i.id == *id).map(|i| i.status);
                prop_assert!(status == Some(Status::Eligible) || status == Some(Status::Unknown));
            }
        }
        for (b, a) in before.items.iter().zip(&after.items) {
            if b.status != Status::Unknown {
                prop_assert_eq!(a.status, b.status, "{} was decided and then changed", b.id);
            }
        }
        // Everything known: nothing left to ask.
        prop_assert!(after.questions.is_empty(), "{:?}", after.questions);
        // A material certainly needed stays needed once more is known.
        for entry in before.checklist.iter().filter(|e| !e.conditional) {
            let still = after.checklist.iter().find(|e| e.material == entry.material);
            prop_assert!(still.is_some_and(|e| !e.conditional), "{} dropped", entry.material);
        }
    }
}
