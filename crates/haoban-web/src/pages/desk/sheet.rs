//! The questionnaire's state as the form carries it between steps (no server state), and
//! reading typed answers into the facts pre-review takes.

use haoban_catalog::{Applicant, Catalog, Fact, FactType, PreReview, Selection};

use crate::AppState;
use crate::error::AppError;
use crate::pages::Msgs;

/// What the questionnaire's form carries from step to step.
#[derive(Debug, Default, Clone)]
pub(in crate::pages) struct Sheet {
    /// `""` (every item), `bundle:<id>` or `item:<id>`.
    pub(in crate::pages) selection: String,
    /// Answers so far, fact id and value as typed (trimmed), in the order given.
    pub(in crate::pages) given: Vec<(String, String)>,
    /// Facts the applicant could not tell: never asked again, they stay unknown.
    pub(in crate::pages) skipped: Vec<String>,
}

/// One submitted form.
#[derive(Default)]
pub(in crate::pages) struct Submitted {
    pub(in crate::pages) sheet: Sheet,
    pub(in crate::pages) csrf_token: String,
    pub(in crate::pages) priority: Option<String>,
    pub(in crate::pages) ask: Option<String>,
    pub(in crate::pages) answer: Option<String>,
    pub(in crate::pages) step: String,
    pub(in crate::pages) forget: Option<String>,
    pub(in crate::pages) name: Option<String>,
    pub(in crate::pages) visitor: VisitorForm,
}

/// The ticket form's visitor fields as typed, and what was wrong with them.
#[derive(Default, Clone)]
pub(in crate::pages) struct VisitorForm {
    pub(in crate::pages) id_number: String,
    pub(in crate::pages) name: String,
    pub(in crate::pages) phone: String,
    pub(in crate::pages) id_error: Option<&'static str>,
    pub(in crate::pages) name_error: Option<&'static str>,
    pub(in crate::pages) phone_error: Option<&'static str>,
}

impl VisitorForm {
    pub(in crate::pages) fn has_errors(&self) -> bool {
        self.id_error.is_some() || self.name_error.is_some() || self.phone_error.is_some()
    }
}

impl Submitted {
    pub(in crate::pages) fn read(pairs: Vec<(String, String)>) -> Submitted {
        let mut form = Submitted::default();
        for (key, value) in pairs {
            if let Some(fact) = key.strip_prefix("f.") {
                form.sheet.given.retain(|(f, _)| f != fact);
                form.sheet.given.push((fact.to_owned(), value));
                continue;
            }
            match key.as_str() {
                "csrf_token" => form.csrf_token = value,
                "selection" => form.sheet.selection = value,
                "skip" if !form.sheet.skipped.contains(&value) => form.sheet.skipped.push(value),
                "ask" => form.ask = Some(value),
                "answer" => form.answer = Some(value),
                "step" => form.step = value,
                "forget" => form.forget = Some(value),
                "name" => form.name = Some(value),
                "priority" => form.priority = Some(value),
                "visitor_id" => form.visitor.id_number = value,
                "visitor_name" => form.visitor.name = value,
                "visitor_phone" => form.visitor.phone = value,
                _ => {}
            }
        }
        form
    }
}

/// Why a typed answer was refused; shown next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::pages) enum FieldError {
    Required,
    Bool,
    Enum,
    Int,
    IntRange,
    Decimal,
    DecimalRange,
    Date,
}

impl FieldError {
    pub(in crate::pages) fn message(self, t: &Msgs) -> &'static str {
        match self {
            FieldError::Required => t.err_required,
            FieldError::Bool => t.err_bool,
            FieldError::Enum => t.err_enum,
            FieldError::Int => t.err_int,
            FieldError::IntRange => t.err_int_range,
            FieldError::Decimal => t.err_decimal,
            FieldError::DecimalRange => t.err_decimal_range,
            FieldError::Date => t.err_date,
        }
    }
}

/// A typed answer as the JSON value `Applicant::from_json` reads, or why it cannot be.
/// The single fact is read through `from_json` too, so what passes here the engine takes.
pub(in crate::pages) fn answer_json(
    catalog: &Catalog,
    fact: &Fact,
    typed: &str,
) -> Result<String, FieldError> {
    let text = typed.trim();
    if text.is_empty() {
        return Err(FieldError::Required);
    }
    let (json, range_error) = match &fact.ty {
        FactType::Bool => match text {
            "true" | "false" => (text.to_owned(), FieldError::Bool),
            _ => return Err(FieldError::Bool),
        },
        FactType::Enum(values) => {
            if !values.iter().any(|v| v == text) {
                return Err(FieldError::Enum);
            }
            (json_string(text), FieldError::Enum)
        }
        FactType::Int => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(FieldError::Int);
            }
            let n: i64 = text.parse().map_err(|_| FieldError::IntRange)?;
            (n.to_string(), FieldError::IntRange)
        }
        FactType::Decimal => (json_decimal(text)?, FieldError::DecimalRange),
        FactType::Date => {
            if haoban_catalog::value::parse_date(text).is_none() {
                return Err(FieldError::Date);
            }
            (json_string(text), FieldError::Date)
        }
        FactType::String => (json_string(text), FieldError::Required),
    };
    let single = format!("{{{}:{json}}}", json_string(&fact.id));
    Applicant::from_json(catalog, &single)
        .map(|_| json)
        .map_err(|_| range_error)
}

pub(in crate::pages) fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// `1510`, `-3`, `1510.50`, `0.5` as JSON number text (leading zeros dropped, which JSON
/// does not allow); anything else is not a decimal.
pub(in crate::pages) fn json_decimal(text: &str) -> Result<String, FieldError> {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(FieldError::Decimal);
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Ok(match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    })
}

/// A fact that may be asked: declared and not derived.
pub(in crate::pages) fn askable<'c>(catalog: &'c Catalog, id: &str) -> Option<&'c Fact> {
    catalog.fact(id).filter(|fact| !fact.is_derived())
}

/// The sheet's applicant and selection, or why the form cannot be read (it was altered:
/// the pages never send such a thing).
pub(in crate::pages) fn read_sheet(
    catalog: &Catalog,
    sheet: &Sheet,
) -> Result<(Applicant, Selection), AppError> {
    let bad = |why: String| AppError::Invalid(why);
    let mut members = Vec::with_capacity(sheet.given.len());
    for (id, typed) in &sheet.given {
        let fact = askable(catalog, id).ok_or_else(|| bad(format!("fact `{id}`")))?;
        let json = answer_json(catalog, fact, typed).map_err(|e| bad(format!("{id}: {e:?}")))?;
        members.push(format!("{}:{json}", json_string(id)));
    }
    for id in &sheet.skipped {
        askable(catalog, id).ok_or_else(|| bad(format!("skipped fact `{id}`")))?;
    }
    let applicant = Applicant::from_json(catalog, &format!("{{{}}}", members.join(",")))
        .map_err(|e| bad(e.to_string()))?;
    let selection = match sheet.selection.split_once(':') {
        None if sheet.selection.is_empty() || sheet.selection == "all" => Selection::All,
        Some(("bundle", id)) => Selection::Bundle(id.to_owned()),
        Some(("item", id)) => Selection::Items(vec![id.to_owned()]),
        _ => return Err(bad(format!("selection `{}`", sheet.selection))),
    };
    catalog.select(&selection).map_err(|e| bad(e.to_string()))?;
    Ok((applicant, selection))
}

// ---- view models -------------------------------------------------------------------

/// The answers of a sheet as pre-review facts (JSON values by fact), for a ticket to carry
/// to the window. Answers that do not read are left out; `read_sheet` refuses them first.
pub(in crate::pages) fn sheet_facts(
    catalog: &Catalog,
    sheet: &Sheet,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    sheet
        .given
        .iter()
        .filter_map(|(id, typed)| {
            let fact = askable(catalog, id)?;
            let json = answer_json(catalog, fact, typed).ok()?;
            Some((id.clone(), serde_json::from_str(&json).ok()?))
        })
        .collect()
}

/// The pre-review of what a desk form carries, today.
pub(in crate::pages) fn sheet_review<'c>(
    state: &'c AppState,
    sheet: &Sheet,
) -> Result<PreReview<'c>, AppError> {
    let catalog = &state.catalog;
    let (applicant, selection) = read_sheet(catalog, sheet)?;
    let selected = catalog
        .select(&selection)
        .map_err(|err| AppError::Invalid(err.to_string()))?;
    let today = state.clock.today_in(catalog.time_zone);
    Ok(catalog.prereview(&applicant, &selected, today))
}
