//! The condition language of spec §2: syntax, types, three-valued logic, exact arithmetic.

use std::sync::Arc;

use chrono::NaiveDate;
use haoban_catalog::Value;
use haoban_catalog::expr::{Checker, Env, FactSignature, Type, parse};
use indexmap::IndexMap;

fn signatures() -> IndexMap<String, FactSignature> {
    let enum_values: Arc<[String]> = vec!["shanghai".to_owned(), "other".to_owned()].into();
    [
        ("n", Type::Int),
        ("m", Type::Int),
        ("x", Type::Decimal),
        ("s", Type::Str),
        ("d", Type::Date),
        ("flag", Type::Bool),
        ("other_flag", Type::Bool),
        ("hukou", Type::Enum(enum_values)),
    ]
    .into_iter()
    .map(|(name, ty)| (name.to_owned(), FactSignature { ty }))
    .collect()
}

fn date(text: &str) -> NaiveDate {
    haoban_catalog::value::parse_date(text).expect("test date")
}

const ON: &str = "2026-11-27";

/// Evaluates a bool condition with the given facts known and every other fact unknown.
fn truth(source: &str, known: &[(&str, Value)]) -> Option<bool> {
    truth_on(source, known, ON)
}

fn truth_on(source: &str, known: &[(&str, Value)], on: &str) -> Option<bool> {
    let facts = signatures();
    let ast = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let (program, ty) = Checker::new(&facts)
        .check(&ast)
        .unwrap_or_else(|e| panic!("{source}: {e:?}"));
    assert_eq!(ty, Type::Bool, "{source}");
    let mut values = vec![None; facts.len()];
    for (name, value) in known {
        values[facts.get_index_of(*name).expect("declared")] = Some(value.clone());
    }
    program.truth(&Env {
        on: date(on),
        values,
    })
}

fn check_error(source: &str) -> (usize, String) {
    let facts = signatures();
    let ast = parse(source).unwrap_or_else(|e| panic!("{source} should parse: {e}"));
    let errors = Checker::new(&facts)
        .check(&ast)
        .err()
        .unwrap_or_else(|| panic!("{source} should not type-check"));
    (errors[0].span.start, errors[0].message.clone())
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn dec(text: &str) -> Value {
    Value::Decimal(haoban_catalog::decimal::parse_exact(text).expect("decimal"))
}

#[test]
fn precedence_and_associativity_follow_cel() {
    assert_eq!(truth("1 + 2 * 3 == 7", &[]), Some(true));
    assert_eq!(truth("(1 + 2) * 3 == 9", &[]), Some(true));
    assert_eq!(truth("10 - 3 - 2 == 5", &[]), Some(true));
    assert_eq!(truth("100 / 10 / 5 == 2", &[]), Some(true));
    assert_eq!(truth("-2 * 3 == -6", &[]), Some(true));
    assert_eq!(truth("!false && false", &[]), Some(false));
    assert_eq!(truth("true || false && false", &[]), Some(true));
    assert_eq!(truth("!(1 < 2)", &[]), Some(false));
    assert_eq!(truth("--3 == 3", &[]), Some(true));
}

#[test]
fn kleene_logic_over_unknown_facts() {
    let unknown = &[];
    assert_eq!(truth("flag && false", unknown), Some(false));
    assert_eq!(truth("false && flag", unknown), Some(false));
    assert_eq!(truth("flag && true", unknown), None);
    assert_eq!(truth("true || flag", unknown), Some(true));
    assert_eq!(truth("flag || true", unknown), Some(true));
    assert_eq!(truth("flag || false", unknown), None);
    assert_eq!(truth("!flag", unknown), None);
    assert_eq!(truth("flag == flag", unknown), None);
    assert_eq!(truth("n + 1 > 0 || true", unknown), Some(true));
    assert_eq!(truth("n > 0 && other_flag", &[("n", int(-1))]), Some(false));
    assert_eq!(truth("n > 0 && other_flag", &[("n", int(1))]), None);
}

#[test]
fn has_is_never_unknown() {
    assert_eq!(truth("has(n)", &[]), Some(false));
    assert_eq!(truth("has(n)", &[("n", int(0))]), Some(true));
    assert_eq!(truth("!has(s) || size(s) > 2", &[]), Some(true));
}

#[test]
fn integers_truncate_toward_zero_and_remainder_keeps_the_dividend_sign() {
    assert_eq!(truth("7 / 2 == 3", &[]), Some(true));
    assert_eq!(truth("-7 / 2 == -3", &[]), Some(true));
    assert_eq!(truth("7 % 3 == 1", &[]), Some(true));
    assert_eq!(truth("-7 % 3 == -1", &[]), Some(true));
    assert_eq!(truth("7 % -3 == 1", &[]), Some(true));
    assert_eq!(truth("-7.5 % 2 == -1.5", &[]), Some(true));
}

#[test]
fn division_or_modulo_by_zero_is_unknown() {
    assert_eq!(truth("1 / 0 == 1", &[]), None);
    assert_eq!(truth("1 % 0 == 1", &[]), None);
    assert_eq!(truth("x / n > 1", &[("x", dec("5")), ("n", int(0))]), None);
    assert_eq!(truth("1 / 0 == 1 || true", &[]), Some(true));
}

#[test]
fn decimals_are_exact_and_mix_with_ints() {
    assert_eq!(truth("0.1 + 0.2 == 0.3", &[]), Some(true));
    assert_eq!(truth("x == 2590.49", &[("x", dec("2590.49"))]), Some(true));
    assert_eq!(truth("x < 2590.5", &[("x", dec("2590.49"))]), Some(true));
    assert_eq!(truth("2 == 2.0", &[]), Some(true));
    assert_eq!(truth("n * 1.5 == 4.5", &[("n", int(3))]), Some(true));
    assert_eq!(truth("n / 2 == 1", &[("n", int(3))]), Some(true));
    assert_eq!(truth("n / 2.0 == 1.5", &[("n", int(3))]), Some(true));
}

#[test]
fn decimal_division_rounds_to_28_significant_digits() {
    assert_eq!(
        truth("1 / 3.0 == 0.3333333333333333333333333333", &[]),
        Some(true)
    );
    assert_eq!(
        truth("2 / 3.0 == 0.6666666666666666666666666667", &[]),
        Some(true)
    );
    assert_eq!(
        truth("10 / 3.0 == 3.333333333333333333333333333", &[]),
        Some(true)
    );
    assert_eq!(
        truth("10 / 3.0 * 3 == 9.999999999999999999999999999", &[]),
        Some(true)
    );
}

#[test]
fn decimal_products_are_exact_and_quotients_rounded_once() {
    // Found by the differential test (tests/differential): no 96-bit limit, no double rounding.
    assert_eq!(
        truth("1.0 / 7000 == 0.0001428571428571428571428571429", &[]),
        Some(true)
    );
    assert_eq!(
        truth("16.0 / 11 == 1.454545454545454545454545455", &[]),
        Some(true)
    );
    assert_eq!(
        truth("x * x > 0", &[("x", dec("0.000000000000001"))]),
        Some(true)
    );
    assert_eq!(
        truth(
            "x * x - 1524157875323883675 == 0.019051998750190521",
            &[("x", dec("1234567890.123456789"))]
        ),
        Some(true)
    );
    assert_eq!(
        truth("0.0000000000000000000000000001 / 3 > 0", &[]),
        Some(true)
    );
}

#[test]
fn the_smallest_int_modulo_minus_one_is_zero() {
    assert_eq!(truth("n % -1 == 0", &[("n", int(i64::MIN))]), Some(true));
}

#[test]
fn strings_take_cel_escapes() {
    assert_eq!(truth("'\\U0001F600' == '😀'", &[]), Some(true));
    assert_eq!(truth("'\\u4e0a\\u6d77' == '上海'", &[]), Some(true));
}

#[test]
fn integer_overflow_is_unknown_not_a_crash() {
    assert_eq!(truth("9223372036854775807 + 1 > 0", &[]), None);
    assert_eq!(truth("-9223372036854775808 / -1 > 0", &[]), None);
}

#[test]
fn strings_join_and_compare_by_code_point() {
    assert_eq!(truth("'ab' + \"c\" == 'abc'", &[]), Some(true));
    assert_eq!(truth("'B' < 'a'", &[]), Some(true));
    assert_eq!(truth("'上海' > 'z'", &[]), Some(true));
    assert_eq!(truth("size('上海市') == 3", &[]), Some(true));
    assert_eq!(truth("size([1, 2, 3]) == 3", &[]), Some(true));
    assert_eq!(truth("s + 'x' == 'x'", &[]), None);
}

#[test]
fn enums_compare_with_their_declared_values() {
    let shanghai = [("hukou", Value::Str("shanghai".into()))];
    assert_eq!(truth("hukou == 'shanghai'", &shanghai), Some(true));
    assert_eq!(truth("'other' == hukou", &shanghai), Some(false));
    assert_eq!(truth("hukou in ['other']", &shanghai), Some(false));
    assert_eq!(
        truth("hukou in ['other', 'shanghai']", &shanghai),
        Some(true)
    );
    assert_eq!(truth("hukou != 'other'", &[]), None);
}

#[test]
fn membership_in_list_literals() {
    assert_eq!(truth("n in [1, 2, 3]", &[("n", int(2))]), Some(true));
    assert_eq!(truth("n in [1.5, 2.0]", &[("n", int(2))]), Some(true));
    assert_eq!(truth("n in []", &[("n", int(2))]), Some(false));
    assert_eq!(truth("n in [-1, -2]", &[("n", int(-2))]), Some(true));
    assert_eq!(truth("n in [1]", &[]), None);
    assert_eq!(
        truth(
            "d in [date('2026-01-01')]",
            &[("d", Value::Date(date("2026-01-01")))]
        ),
        Some(true)
    );
}

#[test]
fn age_counts_completed_years_with_leap_day_birthdays_on_1_march() {
    let born = |d: &str| [("d", Value::Date(date(d)))];
    assert_eq!(
        truth_on("age(d) == 65", &born("1961-11-27"), "2026-11-27"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) == 64", &born("1961-11-28"), "2026-11-27"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) == 17", &born("2008-02-29"), "2026-02-28"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) == 18", &born("2008-02-29"), "2026-03-01"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) == 4", &born("2020-02-29"), "2024-02-29"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) == -1", &born("2026-12-01"), "2026-11-27"),
        Some(true)
    );
    assert_eq!(
        truth_on("age(d) < 0", &born("2030-01-01"), "2026-11-27"),
        Some(true)
    );
}

#[test]
fn days_since_and_date_literals() {
    let day = [("d", Value::Date(date("2026-11-20")))];
    assert_eq!(truth("days_since(d) == 7", &day), Some(true));
    assert_eq!(
        truth("days_since(date('2026-12-01')) == -4", &[]),
        Some(true)
    );
    assert_eq!(truth("d < date('2026-11-21')", &day), Some(true));
    assert_eq!(
        truth("date('2024-02-29') < date('2024-03-01')", &[]),
        Some(true)
    );
}

#[test]
fn type_errors_point_at_the_offending_place() {
    assert_eq!(check_error("age >= 65").0, 0, "unknown name");
    let (at, message) = check_error("n + 'a' > 1");
    assert_eq!((at, message.contains("`+`")), (2, true), "{message}");
    assert_eq!(check_error("flag && n").0, 5, "operator");
    assert_eq!(
        check_error("d == '2026-01-01'").0,
        2,
        "a date never compares with a string"
    );
    assert_eq!(
        check_error("hukou == 'beijing'").0,
        9,
        "undeclared enum value literal"
    );
    assert_eq!(
        check_error("hukou in ['shanghai', 'mars']").0,
        22,
        "undeclared value in list"
    );
    assert_eq!(check_error("hukou < 'other'").0, 6, "enums do not order");
    assert_eq!(check_error("frobnicate(n)").0, 0, "unknown function");
    assert_eq!(
        check_error("date('2026-02-30') < d").0,
        5,
        "not a real date"
    );
    assert_eq!(check_error("date(s) < d").0, 0, "date needs a literal");
    assert_eq!(check_error("has(n + 1)").0, 0, "has needs a bare name");
    assert_eq!(check_error("n in [1, 'a']").0, 9, "mixed list");
    assert_eq!(check_error("n in [m]").0, 6, "list elements are literals");
    assert_eq!(check_error("!n").0, 0);
    assert_eq!(check_error("size(n) > 1").0, 0);
    assert_eq!(check_error("flag == 1").0, 5);
    assert_eq!(check_error("s > 1").0, 2);
    assert_eq!(check_error("'a' - 'b' == ''").0, 4);
}

#[test]
fn syntax_errors_point_at_the_unexpected_token() {
    let at = |source: &str| parse(source).expect_err(source).span.start;
    assert_eq!(at("n >= "), 5);
    assert_eq!(at("n = 1"), 2);
    assert_eq!(at("(n > 1"), 6);
    assert_eq!(at("n > 1)"), 5);
    assert_eq!(at("n & m"), 2);
    assert_eq!(at("'open"), 0);
    assert_eq!(at(""), 0);
    assert_eq!(at("n > 1 n"), 6);
    assert_eq!(at("n in [1, 2"), 10);
    assert_eq!(at("n > 99999999999999999999"), 4);
    assert_eq!(at("s == '\\u+041'"), 6, "a sign is not a hex digit");
    assert!(parse("s == '\\u0041'").is_ok());
}

#[test]
fn absurd_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&deep).is_err());
    let long = vec!["n"; 100_000].join(" + ");
    assert!(parse(&long).is_err());
    let nots = format!("{}true", "!".repeat(100_000));
    assert!(parse(&nots).is_err());
}

#[test]
fn conjuncts_split_at_top_level_only() {
    let ast = parse("(n > 1 && m > 1) && flag && (x > 0 || s == '')").expect("parses");
    let spans: Vec<_> = ast
        .conjuncts()
        .iter()
        .map(|c| (c.span.start, c.span.end))
        .collect();
    assert_eq!(spans, vec![(0, 16), (20, 24), (28, 46)]);
}
