//! Pre-review as spec §3 defines it: statuses with explanations, the merged checklist,
//! the order of questions, and the validation of an applicant's facts.

mod support;

use chrono::NaiveDate;
use haoban_catalog::{Applicant, Catalog, FactsError, PreReview, Selection, SelectionError};
use serde_json::json;
use support::{Edited, load_fixture};

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

fn review(catalog: &Catalog, facts: serde_json::Value, selection: Selection) -> serde_json::Value {
    let applicant = Applicant::from_json(catalog, &facts.to_string()).expect("valid facts");
    let selected = catalog.select(&selection).expect("valid selection");
    let result: PreReview<'_> = catalog.prereview(&applicant, &selected, on());
    serde_json::to_value(&result).expect("serializes")
}

fn item<'a>(result: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    result["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("no item {id} in {result}"))
}

fn entry<'a>(result: &'a serde_json::Value, material: &str) -> Option<&'a serde_json::Value> {
    result["checklist"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["material"] == material))
}

#[test]
fn the_whole_result_for_a_partly_known_applicant() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({"birth_date": "1950-03-01", "payment": null}),
        Selection::All,
    );
    assert_eq!(
        result,
        json!({
            "on": "2026-11-27",
            "items": [
                {"id": "consult", "status": "eligible", "failed": [], "needs": []},
                {"id": "elderly-allowance", "status": "unknown", "failed": [], "needs": ["hukou"]},
                {"id": "low-income", "status": "unknown", "failed": [], "needs": ["hukou", "income", "members"]}
            ],
            "checklist": [
                {"material": "id-card", "copies": 2, "for": ["elderly-allowance", "low-income"],
                 "conditional": true, "needs": ["hukou", "income", "members"]},
                {"material": "hukou-booklet", "copies": 1, "for": ["low-income"],
                 "conditional": true, "needs": ["hukou", "income", "members"]},
                {"material": "bank-card", "copies": 1, "for": ["elderly-allowance"],
                 "conditional": true, "needs": ["hukou", "payment"]},
                {"material": "marriage-certificate", "copies": 1, "for": ["low-income"],
                 "conditional": true, "needs": ["hukou", "income", "married", "members"]}
            ],
            "questions": ["hukou", "payment", "income", "members", "married"]
        })
    );
}

#[test]
fn ineligible_items_list_every_false_conjunct_and_contribute_nothing() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({"birth_date": "1990-01-01", "hukou": "other", "income": 1000, "members": 1}),
        Selection::All,
    );
    assert_eq!(
        item(&result, "elderly-allowance"),
        &json!({"id": "elderly-allowance", "status": "ineligible",
                "failed": ["age >= 65", "hukou == \"shanghai\""], "needs": []})
    );
    assert_eq!(
        item(&result, "low-income")["failed"],
        json!(["hukou == \"shanghai\""])
    );
    assert!(entry(&result, "id-card").is_none(), "{result}");
    assert_eq!(result["questions"], json!([]));
}

#[test]
fn a_false_conjunct_makes_an_item_ineligible_even_with_unknowns_beside_it() {
    let catalog = load_fixture();
    let result = review(&catalog, json!({"hukou": "other"}), Selection::All);
    assert_eq!(item(&result, "low-income")["status"], "ineligible");
    assert_eq!(item(&result, "low-income")["needs"], json!([]));
    assert_eq!(
        item(&result, "elderly-allowance")["failed"],
        json!(["hukou == \"shanghai\""])
    );
}

#[test]
fn a_certain_contribution_makes_an_entry_unconditional() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({"birth_date": "1950-03-01", "hukou": "shanghai", "payment": "cash"}),
        Selection::All,
    );
    assert_eq!(item(&result, "elderly-allowance")["status"], "eligible");
    // id-card: certain from elderly-allowance, uncertain from low-income (unknown).
    assert_eq!(
        entry(&result, "id-card"),
        Some(
            &json!({"material": "id-card", "copies": 2, "for": ["elderly-allowance", "low-income"],
                     "conditional": false, "needs": []})
        )
    );
    assert!(
        entry(&result, "bank-card").is_none(),
        "a false `when` contributes nothing"
    );
    assert_eq!(
        entry(&result, "hukou-booklet").map(|e| &e["needs"]),
        Some(&json!(["income", "members"]))
    );
}

#[test]
fn unknown_derived_facts_are_replaced_by_the_given_facts_they_need() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({"hukou": "shanghai", "income": 3000}),
        Selection::All,
    );
    assert_eq!(item(&result, "low-income")["needs"], json!(["members"]));
    assert_eq!(
        item(&result, "elderly-allowance")["needs"],
        json!(["birth_date"])
    );
}

#[test]
fn a_derived_fact_unknown_for_lack_of_a_value_needs_nothing_more() {
    let catalog = load_fixture();
    // income / 0 is unknown, yet every fact it names is known: nothing left to ask.
    let result = review(
        &catalog,
        json!({"hukou": "shanghai", "income": 3000, "members": 0}),
        Selection::Items(vec!["low-income".into()]),
    );
    assert_eq!(
        item(&result, "low-income"),
        &json!({"id": "low-income", "status": "unknown", "failed": [], "needs": []})
    );
}

#[test]
fn parentheses_stop_the_conjunct_split() {
    let edited = Edited::new(&[(
        "items/low-income.toml",
        Some(
            r#"name = { zh = "最低生活保障" }
category = "social-assistance"
department = { zh = "区民政局" }
eligible = '(hukou == "shanghai" && married) && per_capita < 1510 && (members > 0 || married)'
promised_days = 30
value_points = 3
channels = ["window"]
materials = []
"#,
        ),
    )]);
    let catalog = edited.load();
    let result = review(
        &catalog,
        json!({"hukou": "shanghai", "married": false, "income": 5000, "members": 1}),
        Selection::Items(vec!["low-income".into()]),
    );
    assert_eq!(
        item(&result, "low-income")["failed"],
        json!(["(hukou == \"shanghai\" && married)", "per_capita < 1510"])
    );
    let result = review(
        &catalog,
        json!({"married": true}),
        Selection::Items(vec!["low-income".into()]),
    );
    assert_eq!(
        item(&result, "low-income")["needs"],
        json!(["hukou", "income", "members"])
    );
}

#[test]
fn questions_are_ordered_by_how_many_items_depend_on_them() {
    let catalog = load_fixture();
    let result = review(&catalog, json!({}), Selection::All);
    // hukou: both benefit items; birth_date: one (via age); the rest one each, in
    // declaration order: birth_date, payment, income, members, married.
    assert_eq!(
        result["questions"],
        json!([
            "hukou",
            "birth_date",
            "payment",
            "income",
            "members",
            "married"
        ])
    );
}

#[test]
fn facts_in_a_when_of_a_certain_material_are_not_asked() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({"hukou": "shanghai", "income": 100, "members": 2}),
        Selection::Items(vec!["low-income".into()]),
    );
    assert_eq!(item(&result, "low-income")["status"], "eligible");
    assert_eq!(
        entry(&result, "marriage-certificate"),
        Some(
            &json!({"material": "marriage-certificate", "copies": 1, "for": ["low-income"],
                     "conditional": true, "needs": ["married"]})
        )
    );
    assert_eq!(result["questions"], json!(["married"]));
}

#[test]
fn selection_by_items_or_bundle_keeps_catalog_order() {
    let catalog = load_fixture();
    let ids = |result: serde_json::Value| -> Vec<String> {
        result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let picked = review(
        &catalog,
        json!({}),
        Selection::Items(vec![
            "low-income".into(),
            "consult".into(),
            "low-income".into(),
        ]),
    );
    assert_eq!(ids(picked), vec!["consult", "low-income"]);
    let bundle = review(&catalog, json!({}), Selection::Bundle("elderly".into()));
    assert_eq!(ids(bundle), vec!["elderly-allowance", "low-income"]);
    assert_eq!(
        catalog.select(&Selection::Items(vec!["ghost".into()])),
        Err(SelectionError::UnknownItem("ghost".into()))
    );
    assert_eq!(
        catalog.select(&Selection::Bundle("ghost".into())),
        Err(SelectionError::UnknownBundle("ghost".into()))
    );
}

#[test]
fn facts_are_validated_and_the_error_names_the_fact() {
    let catalog = load_fixture();
    let error = |facts: &str| Applicant::from_json(&catalog, facts).expect_err(facts);
    assert_eq!(
        error(r#"{"shoe_size": 42}"#),
        FactsError::Undeclared("shoe_size".into())
    );
    assert_eq!(error(r#"{"age": 70}"#), FactsError::Derived("age".into()));
    assert_eq!(error(r#"{"age": null}"#), FactsError::Derived("age".into()));
    assert!(
        matches!(error(r#"{"members": 2.0}"#), FactsError::WrongType { fact, .. } if fact == "members")
    );
    assert!(
        matches!(error(r#"{"members": "2"}"#), FactsError::WrongType { fact, .. } if fact == "members")
    );
    assert!(
        matches!(error(r#"{"married": "yes"}"#), FactsError::WrongType { fact, .. } if fact == "married")
    );
    assert!(
        matches!(error(r#"{"birth_date": "1950-02-30"}"#), FactsError::WrongType { fact, .. } if fact == "birth_date")
    );
    assert!(
        matches!(error(r#"{"birth_date": "1950-2-3"}"#), FactsError::WrongType { fact, .. } if fact == "birth_date")
    );
    assert!(
        matches!(error(r#"{"income": true}"#), FactsError::WrongType { fact, .. } if fact == "income")
    );
    assert!(
        matches!(error(r#"{"members": 99999999999999999999}"#), FactsError::WrongType { fact, .. } if fact == "members")
    );
    assert!(
        matches!(error(r#"{"hukou": "beijing"}"#), FactsError::NotAValue { fact, .. } if fact == "hukou")
    );
    assert_eq!(error("[1, 2]"), FactsError::NotAnObject);
    assert!(matches!(error("{\"hukou\": "), FactsError::Json(_)));
    let message = error(r#"{"hukou": "beijing"}"#).to_string();
    assert!(
        message.contains("hukou") && message.contains("beijing"),
        "{message}"
    );
}

#[test]
fn decimals_are_read_exactly_from_their_json_text() {
    let edited = Edited::new(&[(
        "items/low-income.toml",
        Some(
            r#"name = { zh = "最低生活保障" }
category = "social-assistance"
department = { zh = "区民政局" }
eligible = 'income == 2590.49 && income * 100 == 259049'
promised_days = 30
value_points = 3
channels = ["window"]
materials = []
"#,
        ),
    )]);
    let catalog = edited.load();
    for text in ["2590.49", "2.59049e3", "259049E-2"] {
        let result = review(
            &catalog,
            serde_json::from_str(&format!(r#"{{"income": {text}}}"#)).unwrap(),
            Selection::Items(vec!["low-income".into()]),
        );
        assert_eq!(item(&result, "low-income")["status"], "eligible", "{text}");
    }
    let applicant = Applicant::from_json(&catalog, r#"{"income": 2590.49}"#).expect("valid");
    assert_eq!(
        applicant.get(&catalog, "income"),
        Some(&haoban_catalog::Value::Decimal(
            haoban_catalog::decimal::parse_exact("2590.49").expect("decimal")
        ))
    );
}

#[test]
fn an_item_without_condition_is_eligible_and_instant_items_are_marked() {
    let catalog = load_fixture();
    let result = review(
        &catalog,
        json!({}),
        Selection::Items(vec!["consult".into()]),
    );
    assert_eq!(item(&result, "consult")["status"], "eligible");
    assert!(catalog.item("consult").expect("item").is_instant());
    assert_eq!(result["checklist"], json!([]));
}

#[test]
fn a_decimal_fact_derived_from_ints_divides_exactly() {
    let facts = std::fs::read_to_string(support::fixture().join("facts.toml")).expect("facts")
        + "\n[twice]\ntype = \"decimal\"\nderive = 'members * 2'\n";
    let edited = Edited::new(&[
        ("facts.toml", Some(facts.as_str())),
        (
            "items/low-income.toml",
            Some(
                r#"name = { zh = "最低生活保障" }
category = "social-assistance"
department = { zh = "区民政局" }
eligible = 'twice / 4 == 1.5'
promised_days = 30
value_points = 3
channels = ["window"]
materials = []
"#,
            ),
        ),
    ]);
    let catalog = edited.load();
    let result = review(
        &catalog,
        json!({"members": 3}),
        Selection::Items(vec!["low-income".into()]),
    );
    assert_eq!(item(&result, "low-income")["status"], "eligible");
}
