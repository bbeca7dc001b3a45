//! Catalog loading finds every problem and says where: `file:line:col: message`.

mod support;

use support::Edited;

const ITEM: &str = "items/elderly-allowance.toml";

fn item_with(eligible_line: &str) -> String {
    format!(
        r#"name = {{ zh = "老年综合津贴申领" }}
category = "social-assistance-elderly"
department = {{ zh = "区民政局" }}
{eligible_line}
promised_days = 20
value_points = 2.0
channels = ["window"]
materials = []
"#
    )
}

fn problems_with(path: &str, content: &str) -> Vec<String> {
    Edited::new(&[(path, Some(content))]).problems()
}

fn assert_one(problems: &[String], expected_prefix: &str) {
    assert!(
        problems.iter().any(|p| p.starts_with(expected_prefix)),
        "expected a problem starting {expected_prefix:?}, got {problems:#?}"
    );
}

#[test]
fn the_fixture_is_valid() {
    assert_eq!(Edited::new(&[]).problems(), Vec::<String>::new());
}

#[test]
fn a_misspelt_key_is_an_error_not_an_item_for_everyone() {
    let problems = problems_with(ITEM, &item_with("eligable = 'age >= 65'"));
    assert_one(
        &problems,
        "items/elderly-allowance.toml:4:1: unknown key `eligable`",
    );
}

#[test]
fn missing_required_keys_are_named() {
    let text = item_with("").replace("promised_days = 20\n", "");
    let problems = problems_with(ITEM, &text);
    assert_one(
        &problems,
        "items/elderly-allowance.toml:1:1: item `elderly-allowance` is missing the required key `promised_days`",
    );
}

#[test]
fn unknown_fact_is_located_inside_the_condition() {
    let problems = problems_with(
        ITEM,
        &item_with("eligible = 'age >= 65 && hukuo == \"shanghai\"'"),
    );
    assert_eq!(
        problems,
        vec!["items/elderly-allowance.toml:4:26: unknown fact `hukuo`"]
    );
}

#[test]
fn columns_count_characters_and_escapes_as_written() {
    // The basic string's \" escapes take two columns each in the file.
    let problems = problems_with(
        ITEM,
        &item_with(r#"eligible = "hukou == \"上海\" && agee > 1""#),
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_one(
        &problems,
        "items/elderly-allowance.toml:4:22: \"上海\" is not a value",
    );
    assert_one(
        &problems,
        "items/elderly-allowance.toml:4:32: unknown fact `agee`",
    );
}

#[test]
fn multi_line_conditions_report_the_right_line() {
    let problems = problems_with(
        ITEM,
        &item_with("eligible = '''\nage >= 65 &&\n  hukou == 1'''"),
    );
    assert_eq!(
        problems,
        vec![
            "items/elderly-allowance.toml:6:9: `==` cannot be applied to enum (shanghai, other) and int"
        ]
    );
}

#[test]
fn type_mismatch_points_at_the_operator() {
    let problems = problems_with(ITEM, &item_with("eligible = 'age + \"x\" > 1'"));
    assert_eq!(
        problems,
        vec!["items/elderly-allowance.toml:4:17: `+` cannot be applied to int and string"]
    );
}

#[test]
fn eligible_must_be_a_bool() {
    let problems = problems_with(ITEM, &item_with("eligible = 'age + 1'"));
    assert_eq!(
        problems,
        vec!["items/elderly-allowance.toml:4:13: eligible must be a condition (bool), found int"]
    );
}

#[test]
fn syntax_errors_are_located() {
    let problems = problems_with(ITEM, &item_with("eligible = 'age >= '"));
    assert_eq!(
        problems,
        vec![
            "items/elderly-allowance.toml:4:20: expected a value, a fact name, `(` or `[`, found the end of the condition"
        ]
    );
}

#[test]
fn unknown_references_are_reported_where_written() {
    let text = item_with("")
        .replace("social-assistance-elderly", "nope")
        .replace("materials = []", "[[materials]]\nid = \"passport\"\n");
    let problems = problems_with(ITEM, &text);
    assert_one(
        &problems,
        "items/elderly-allowance.toml:2:12: unknown category `nope`",
    );
    assert_one(
        &problems,
        "items/elderly-allowance.toml:9:6: unknown material `passport`",
    );
}

#[test]
fn bundles_must_name_existing_items() {
    let problems = problems_with(
        "bundles.toml",
        "[elderly]\nname = { zh = \"老年人一件事\" }\nitems = [\"elderly-allowance\", \"ghost\"]\n",
    );
    assert_eq!(
        problems,
        vec!["bundles.toml:3:31: bundle `elderly`: unknown item `ghost`"]
    );
}

#[test]
fn categories_have_at_most_two_levels() {
    let text = "[a]\nname = { zh = \"甲\" }\n[b]\nname = { zh = \"乙\" }\nparent = \"a\"\n[c]\nname = { zh = \"丙\" }\nparent = \"b\"\n[social-assistance]\nname = { zh = \"社会救助\" }\n[social-assistance-elderly]\nname = { zh = \"老年福利\" }\nparent = \"social-assistance\"\n";
    let problems = problems_with("categories.toml", text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_one(
        &problems,
        "categories.toml:8:10: category `c`: parent `b` is itself under `a`",
    );
}

#[test]
fn derive_cycles_are_refused() {
    let facts = "[a]\ntype = \"int\"\nderive = \"b + 1\"\n\n[b]\ntype = \"int\"\nderive = \"a * 2\"\n\n[hukou]\ntype = \"enum\"\nvalues = [\"shanghai\", \"other\"]\n[birth_date]\ntype = \"date\"\n[age]\ntype = \"int\"\nderive = \"age(birth_date)\"\n[payment]\ntype = \"enum\"\nvalues = [\"bank\"]\n[income]\ntype = \"decimal\"\n[members]\ntype = \"int\"\n[per_capita]\ntype = \"decimal\"\nderive = \"income / members\"\n[married]\ntype = \"bool\"\n";
    let problems = problems_with("facts.toml", facts);
    assert_eq!(problems, vec!["facts.toml:7:11: derive cycle: a -> b -> a"]);
}

#[test]
fn a_derive_must_give_the_declared_type() {
    let facts = std::fs::read_to_string(support::fixture().join("facts.toml")).unwrap();
    let facts = facts.replace("derive = \"age(birth_date)\"", "derive = \"birth_date\"");
    let problems = problems_with("facts.toml", &facts);
    assert_eq!(
        problems,
        vec!["facts.toml:7:11: fact `age`: derive gives date, but the fact is declared int"]
    );
}

#[test]
fn ids_follow_their_patterns() {
    let problems = problems_with("items/Bad_Item.toml", &item_with(""));
    assert_one(
        &problems,
        "items/Bad_Item.toml:1:1: item file name `Bad_Item` is not a valid item id",
    );
    let problems = problems_with("facts.toml", "[Age]\ntype = \"int\"\n");
    assert_one(&problems, "facts.toml:1:2: fact id `Age` must match");
}

#[test]
fn enum_facts_need_values_and_other_facts_refuse_them() {
    let problems = problems_with(
        "facts.toml",
        "[hukou]\ntype = \"enum\"\n[age]\ntype = \"int\"\nvalues = [\"1\"]\n",
    );
    assert_one(
        &problems,
        "facts.toml:1:1: enum fact `hukou` is missing the required key `values`",
    );
    assert_one(
        &problems,
        "facts.toml:5:10: fact `age`: `values` is only for enum facts",
    );
}

#[test]
fn calendars_hold_only_their_year_holidays_on_weekdays_and_workdays_on_weekends() {
    let problems = problems_with(
        "calendar/2026.toml",
        "holidays = [\"2025-10-01\", \"2026-10-03\", \"2026-13-01\"]\nworkdays = [\"2026-10-12\"]\n",
    );
    assert_eq!(
        problems,
        vec![
            "calendar/2026.toml:1:13: 2025-10-01 is not in 2026",
            "calendar/2026.toml:1:27: 2026-10-03 is a weekend day; holidays lists days off that would be weekdays",
            "calendar/2026.toml:1:41: `2026-13-01` is not a date written YYYY-MM-DD",
            "calendar/2026.toml:2:13: 2026-10-12 is a weekday; workdays lists make-up working days on weekends",
        ]
    );
}

#[test]
fn invalid_toml_is_located() {
    let problems = problems_with(
        "materials.toml",
        "[id-card]\nname = { zh = \"居民身份证\" \n",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("materials.toml:2:"),
        "{problems:#?}"
    );
    assert!(problems[0].contains("invalid TOML"), "{problems:#?}");
}

#[test]
fn missing_files_and_every_problem_are_reported_together() {
    let edited = Edited::new(&[
        ("materials.toml", None),
        (ITEM, Some(&item_with("eligible = 'nobody > 1'"))),
    ]);
    let problems = edited.problems();
    assert_one(&problems, "materials.toml:1:1: required file is missing");
    assert_one(
        &problems,
        "items/elderly-allowance.toml:4:13: unknown fact `nobody`",
    );
}

#[test]
fn material_forms_are_checked() {
    let problems = problems_with(
        "materials.toml",
        "[id-card]\nname = { zh = \"居民身份证\" }\nform = \"scan\"\n[hukou-booklet]\nname = { zh = \"户口簿\" }\nform = \"original\"\n[bank-card]\nname = { zh = \"银行卡\" }\nform = \"copy\"\n[marriage-certificate]\nname = { zh = \"结婚证\" }\nform = \"original\"\n",
    );
    assert_one(
        &problems,
        "materials.toml:3:8: material `id-card`: unknown form `scan`",
    );
}
