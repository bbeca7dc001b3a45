//! Fuzz target: the condition language, end to end.
//!
//! Bytes → UTF-8 text (other inputs are skipped) → `expr::parse` → `Checker::check`
//! against a fixed set of facts → `Program::truth` and `Program::value` on a few
//! environments: every fact unknown, typical known values, and extreme known values
//! (i64 bounds, the largest decimals, dates at 0000-01-01 and 9999-12-31).
//!
//! Nothing may panic (overflow checks and debug assertions are on in cargo-fuzz builds).
//! Beyond that, these invariants are asserted:
//! - every error span, and every node's span, lies within the source's characters;
//! - a checked program's `truth` agrees with its `value`;
//! - a known value is of the type the checker gave the program.

#![no_main]

use std::sync::OnceLock;

use chrono::NaiveDate;
use haoban_catalog::Value;
use haoban_catalog::expr::ast::ExprKind;
use haoban_catalog::expr::{self, Checker, Env, Expr, FactSignature, Span, Type};
use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use haoban_catalog::decimal::{Decimal, parse_exact};

struct Fixture {
    facts: IndexMap<String, FactSignature>,
    envs: Vec<Env>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let hukou: std::sync::Arc<[String]> =
            vec!["shanghai".to_owned(), "other".to_owned()].into();
        let payment: std::sync::Arc<[String]> = vec!["bank".to_owned(), "cash".to_owned()].into();
        let level: std::sync::Arc<[String]> = vec![
            "none".to_owned(),
            "1".to_owned(),
            "2".to_owned(),
            "3".to_owned(),
        ]
        .into();
        // (name, type, typical value, extreme value A, extreme value B)
        let declared: Vec<(&str, Type, Value, Value, Value)> = vec![
            (
                "birth_date",
                Type::Date,
                Value::Date(date(1950, 2, 28)),
                Value::Date(date(0, 1, 1)),
                Value::Date(date(9999, 12, 31)),
            ),
            // Derived-looking: `age` would be `derive = "age(birth_date)"` in a catalog.
            (
                "age",
                Type::Int,
                Value::Int(76),
                Value::Int(i64::MAX),
                Value::Int(i64::MIN),
            ),
            (
                "hukou",
                Type::Enum(hukou),
                Value::Str("shanghai".into()),
                Value::Str("other".into()),
                Value::Str("shanghai".into()),
            ),
            (
                "payment",
                Type::Enum(payment),
                Value::Str("bank".into()),
                Value::Str("cash".into()),
                Value::Str("bank".into()),
            ),
            (
                "disability_level",
                Type::Enum(level),
                Value::Str("none".into()),
                Value::Str("3".into()),
                Value::Str("1".into()),
            ),
            (
                "income",
                Type::Decimal,
                Value::Decimal(parse_exact("2590.49").unwrap()),
                Value::Decimal(parse_exact("79228162514264337593543950335").unwrap()),
                Value::Decimal(parse_exact("-79228162514264337593543950335").unwrap()),
            ),
            (
                "members",
                Type::Int,
                Value::Int(3),
                Value::Int(0),
                Value::Int(-1),
            ),
            (
                "per_capita",
                Type::Decimal,
                Value::Decimal(parse_exact("863.49667").unwrap()),
                Value::Decimal(parse_exact("1e-28").unwrap()),
                Value::Decimal(Decimal::from(0)),
            ),
            (
                "married",
                Type::Bool,
                Value::Bool(true),
                Value::Bool(false),
                Value::Bool(true),
            ),
            (
                "veteran",
                Type::Bool,
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(false),
            ),
            (
                "district",
                Type::Str,
                Value::Str("浦东新区".into()),
                Value::Str("".into()),
                Value::Str("a\u{10FFFF}\u{0}\"'\\".into()),
            ),
            (
                "child_birth_date",
                Type::Date,
                Value::Date(date(2024, 2, 29)),
                Value::Date(date(9999, 12, 31)),
                Value::Date(date(0, 1, 1)),
            ),
            (
                "care_level",
                Type::Int,
                Value::Int(2),
                Value::Int(i64::MIN),
                Value::Int(i64::MAX),
            ),
        ];
        let mut facts = IndexMap::new();
        let (mut typical, mut extreme_a, mut extreme_b) = (Vec::new(), Vec::new(), Vec::new());
        for (name, ty, t, a, b) in declared {
            facts.insert(name.to_owned(), FactSignature { ty });
            typical.push(Some(t));
            extreme_a.push(Some(a));
            extreme_b.push(Some(b));
        }
        let unknown = vec![None; facts.len()];
        // Half known, half unknown: exercises the three-valued `&&`/`||`.
        let half: Vec<Option<Value>> = typical
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 2 == 0 { v.clone() } else { None })
            .collect();
        let envs = vec![
            Env {
                on: date(2026, 11, 27),
                values: unknown,
            },
            Env {
                on: date(2026, 11, 27),
                values: typical.clone(),
            },
            Env {
                on: date(2026, 11, 27),
                values: half,
            },
            Env {
                on: date(9999, 12, 31),
                values: extreme_a,
            },
            Env {
                on: date(0, 1, 1),
                values: extreme_b,
            },
            Env {
                on: date(2028, 2, 29),
                values: typical,
            },
        ];
        Fixture { facts, envs }
    })
}

fn assert_span_within(span: Span, chars: usize, what: &str) {
    assert!(
        span.start <= span.end && span.end <= chars,
        "{what} span {span:?} is outside the source's {chars} characters"
    );
}

fn assert_spans(expr: &Expr, chars: usize) {
    assert_span_within(expr.span, chars, "node");
    match &expr.kind {
        ExprKind::List(items) => items.iter().for_each(|item| assert_spans(item, chars)),
        ExprKind::Unary {
            op_span, operand, ..
        } => {
            assert_span_within(*op_span, chars, "operator");
            assert_spans(operand, chars);
        }
        ExprKind::Binary {
            op_span, lhs, rhs, ..
        } => {
            assert_span_within(*op_span, chars, "operator");
            assert_spans(lhs, chars);
            assert_spans(rhs, chars);
        }
        ExprKind::Call {
            function_span,
            args,
            ..
        } => {
            assert_span_within(*function_span, chars, "function");
            args.iter().for_each(|arg| assert_spans(arg, chars));
        }
        _ => {}
    }
}

/// Whether a value is of the type the checker gave its program.
fn fits(ty: &Type, value: &Value) -> bool {
    match (ty, value) {
        (Type::Bool, Value::Bool(_))
        | (Type::Int, Value::Int(_))
        | (Type::Decimal, Value::Decimal(_))
        | (Type::Str | Type::Enum(_), Value::Str(_))
        | (Type::Date, Value::Date(_)) => true,
        (Type::List(element), Value::List(items)) => match element {
            None => items.is_empty(),
            Some(element) => items.iter().all(|item| {
                fits(element, item)
                    // A list that mixes ints and decimals has the element type decimal.
                    || (**element == Type::Decimal && matches!(item, Value::Int(_)))
            }),
        },
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let chars = source.chars().count();
    let parsed = match expr::parse(source) {
        Ok(parsed) => parsed,
        Err(err) => {
            assert_span_within(err.span, chars, "parse error");
            return;
        }
    };
    assert_spans(&parsed, chars);

    let fixture = fixture();
    let checker = Checker::new(&fixture.facts);
    for slot in checker.refs(&parsed) {
        assert!(slot < fixture.facts.len());
    }
    let (program, ty) = match checker.check(&parsed) {
        Ok(checked) => checked,
        Err(errors) => {
            assert!(!errors.is_empty(), "check failed without an error");
            for error in &errors {
                assert_span_within(error.span, chars, "check error");
            }
            return;
        }
    };

    for env in &fixture.envs {
        let truth = program.truth(env);
        let value = program.value(env);
        match (&ty, &value) {
            (Type::Bool, Some(Value::Bool(b))) => assert_eq!(truth, Some(*b)),
            (Type::Bool, None) => assert_eq!(truth, None),
            (Type::Bool, Some(other)) => panic!("a bool program evaluated to {other:?}"),
            (_, _) => assert_eq!(truth, None, "a {ty} program has a truth value"),
        }
        if let Some(value) = &value {
            assert!(fits(&ty, value), "a {ty} program evaluated to {value:?}");
        }
        // Displaying a value must not panic either (the CLI prints derived facts).
        if let Some(value) = value {
            let _ = value.to_string();
        }
    }
});
