//! An applicant's given facts, validated against the catalog's declarations.

use indexmap::IndexMap;
use serde_json::value::RawValue;

use crate::catalog::{Catalog, FactType};
use crate::value::{Value, parse_date};

/// The facts an applicant has given, one slot per declared fact; derived facts and facts
/// not given are `None` (unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Applicant {
    pub(crate) values: Vec<Option<Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("the facts are not valid JSON: {0}")]
    Json(String),
    #[error("the facts must be a JSON object mapping fact names to values")]
    NotAnObject,
    #[error("`{0}` is not a declared fact")]
    Undeclared(String),
    #[error("`{0}` is a derived fact: it is computed from other facts and cannot be given")]
    Derived(String),
    #[error("fact `{fact}` is {expected}, but {found} was given")]
    WrongType {
        fact: String,
        expected: String,
        found: String,
    },
    #[error("fact `{fact}`: \"{value}\" is not one of its values ({allowed})")]
    NotAValue {
        fact: String,
        value: String,
        allowed: String,
    },
}

/// A JSON value as written, before it is read as a fact's type.
enum Given<'a> {
    Null,
    Bool(bool),
    /// A number's exact text, so decimals are read without binary rounding.
    Number(&'a str),
    Str(String),
    Other(&'static str),
}

impl Given<'_> {
    fn describe(&self) -> String {
        match self {
            Given::Null => "null".to_owned(),
            Given::Bool(b) => format!("the bool {b}"),
            Given::Number(n) => format!("the number {n}"),
            Given::Str(s) => format!("the string \"{s}\""),
            Given::Other(kind) => (*kind).to_owned(),
        }
    }
}

fn classify(raw: &RawValue) -> Given<'_> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'n') => Given::Null,
        Some(b't') => Given::Bool(true),
        Some(b'f') => Given::Bool(false),
        Some(b'"') => serde_json::from_str(text).map_or(Given::Other("a string"), Given::Str),
        Some(b'[') => Given::Other("a list"),
        Some(b'{') => Given::Other("an object"),
        _ => Given::Number(text),
    }
}

impl Applicant {
    /// Nobody known yet: every fact unknown.
    pub fn empty(catalog: &Catalog) -> Self {
        Applicant {
            values: vec![None; catalog.fact_count()],
        }
    }

    /// Reads a JSON object of facts (`{"hukou": "shanghai", "birth_date": "1950-03-01"}`).
    /// Undeclared facts, derived facts, wrong types and undeclared enum values are refused,
    /// naming the fact; `null` means unknown.
    pub fn from_json(catalog: &Catalog, json: &str) -> Result<Self, FactsError> {
        let object: IndexMap<String, &RawValue> = serde_json::from_str(json).map_err(|err| {
            match serde_json::from_str::<serde_json::Value>(json) {
                Ok(_) => FactsError::NotAnObject,
                Err(_) => FactsError::Json(err.to_string()),
            }
        })?;
        let mut applicant = Applicant::empty(catalog);
        for (name, raw) in object {
            let value = read_fact(catalog, &name, classify(raw))?;
            applicant.set_checked(catalog, &name, value)?;
        }
        Ok(applicant)
    }

    /// Sets one given fact (`None` makes it unknown), checking the name and the type.
    pub fn set(
        &mut self,
        catalog: &Catalog,
        name: &str,
        value: Option<Value>,
    ) -> Result<(), FactsError> {
        let fact = catalog
            .fact(name)
            .ok_or_else(|| FactsError::Undeclared(name.to_owned()))?;
        if let Some(value) = &value {
            let fits = matches!(
                (&fact.ty, value),
                (FactType::Bool, Value::Bool(_))
                    | (FactType::Int, Value::Int(_))
                    | (FactType::Decimal, Value::Decimal(_))
                    | (FactType::String, Value::Str(_))
                    | (FactType::Date, Value::Date(_))
            );
            let enum_fits = match (&fact.ty, value) {
                (FactType::Enum(values), Value::Str(s)) => {
                    if !values.iter().any(|v| **v == **s) {
                        return Err(FactsError::NotAValue {
                            fact: name.to_owned(),
                            value: s.to_string(),
                            allowed: values.join(", "),
                        });
                    }
                    true
                }
                _ => false,
            };
            if !fits && !enum_fits {
                return Err(FactsError::WrongType {
                    fact: name.to_owned(),
                    expected: article(&fact.ty),
                    found: format!("{value}"),
                });
            }
        }
        self.set_checked(catalog, name, value)
    }

    fn set_checked(
        &mut self,
        catalog: &Catalog,
        name: &str,
        value: Option<Value>,
    ) -> Result<(), FactsError> {
        let (slot, fact) = catalog
            .fact_full(name)
            .ok_or_else(|| FactsError::Undeclared(name.to_owned()))?;
        if fact.is_derived() {
            return Err(FactsError::Derived(name.to_owned()));
        }
        self.values[slot] = value;
        Ok(())
    }

    /// The given value of a fact, if known.
    pub fn get(&self, catalog: &Catalog, name: &str) -> Option<&Value> {
        let (slot, _) = catalog.fact_full(name)?;
        self.values.get(slot)?.as_ref()
    }
}

fn article(ty: &FactType) -> String {
    match ty {
        FactType::Int => "an int".to_owned(),
        FactType::Enum(values) => format!("an enum of {}", values.join(", ")),
        other => format!("a {}", other.name()),
    }
}

fn read_fact(catalog: &Catalog, name: &str, given: Given<'_>) -> Result<Option<Value>, FactsError> {
    let fact = catalog
        .fact(name)
        .ok_or_else(|| FactsError::Undeclared(name.to_owned()))?;
    if fact.is_derived() {
        return Err(FactsError::Derived(name.to_owned()));
    }
    let wrong = |given: &Given<'_>| FactsError::WrongType {
        fact: name.to_owned(),
        expected: article(&fact.ty),
        found: given.describe(),
    };
    let value = match (&fact.ty, &given) {
        (_, Given::Null) => return Ok(None),
        (FactType::Bool, Given::Bool(b)) => Value::Bool(*b),
        (FactType::Int, Given::Number(text)) if is_json_integer(text) => {
            Value::Int(text.parse().map_err(|_| FactsError::WrongType {
                fact: name.to_owned(),
                expected: "an int between -9223372036854775808 and 9223372036854775807".to_owned(),
                found: given.describe(),
            })?)
        }
        (FactType::Decimal, Given::Number(text)) => {
            Value::Decimal(exact_decimal(text).ok_or_else(|| FactsError::WrongType {
                fact: name.to_owned(),
                expected: "a decimal of at most 60 digits".to_owned(),
                found: given.describe(),
            })?)
        }
        (FactType::String, Given::Str(s)) => Value::Str(s.as_str().into()),
        (FactType::Date, Given::Str(s)) => {
            Value::Date(parse_date(s).ok_or_else(|| FactsError::WrongType {
                fact: name.to_owned(),
                expected: "a date written \"YYYY-MM-DD\"".to_owned(),
                found: given.describe(),
            })?)
        }
        (FactType::Enum(values), Given::Str(s)) => {
            if !values.iter().any(|v| v == s) {
                return Err(FactsError::NotAValue {
                    fact: name.to_owned(),
                    value: s.clone(),
                    allowed: values.join(", "),
                });
            }
            Value::Str(s.as_str().into())
        }
        _ => return Err(wrong(&given)),
    };
    Ok(Some(value))
}

fn is_json_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn exact_decimal(text: &str) -> Option<crate::decimal::Decimal> {
    crate::decimal::parse_exact(text)
}
