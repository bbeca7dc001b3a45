//! The pre-review questionnaire as every page that asks it shows it: the desk's (staff at
//! the first window) and the kiosk's (a resident alone at a touch screen). One step of
//! the form is read the same way ([`take_step`]), the next question is chosen the same
//! way ([`ask`]), and the answers travel in the same hidden fields (`_carried.html`).

use haoban_catalog::{Catalog, Fact, FactType, Locale, PreReview, Selection};

use super::sheet::{FieldError, Sheet, Submitted, answer_json, askable, read_sheet};
use crate::AppState;
use crate::error::AppError;
use crate::pages::Lang;
use crate::pages::review::fact_label;

/// A choice of what to pre-review: every item, a bundle (life event) or one item.
pub(in crate::pages) struct ScopeOption {
    pub(in crate::pages) value: String,
    pub(in crate::pages) label: String,
    pub(in crate::pages) selected: bool,
}

/// The bundles and the items to choose from, `selection` marked.
pub(in crate::pages) fn scope_options(
    catalog: &Catalog,
    locale: Locale,
    selection: &str,
) -> (Vec<ScopeOption>, Vec<ScopeOption>) {
    let option = |value: String, label: &str| ScopeOption {
        selected: value == selection,
        value,
        label: label.to_owned(),
    };
    let bundles = catalog
        .bundles()
        .map(|b| option(format!("bundle:{}", b.id), b.name.get(locale)))
        .collect();
    let items = catalog
        .items()
        .map(|i| option(format!("item:{}", i.id), i.name.get(locale)))
        .collect();
    (bundles, items)
}

/// An answer so far, as the form carries it and as the page shows it.
pub(in crate::pages) struct GivenLine {
    pub(in crate::pages) fact: String,
    pub(in crate::pages) value: String,
    pub(in crate::pages) label: String,
    pub(in crate::pages) shown: String,
}

pub(in crate::pages) struct SkippedLine {
    pub(in crate::pages) fact: String,
    pub(in crate::pages) label: String,
}

/// The hidden fields every form of the questionnaire repeats (`_carried.html`).
pub(in crate::pages) struct Carried {
    /// The session's token; empty on the kiosk, which has no session.
    pub(in crate::pages) csrf_token: String,
    pub(in crate::pages) selection: String,
    pub(in crate::pages) given: Vec<GivenLine>,
    pub(in crate::pages) skipped: Vec<SkippedLine>,
}

pub(in crate::pages) fn carried(
    catalog: &Catalog,
    lang: Lang,
    csrf_token: &str,
    sheet: &Sheet,
) -> Carried {
    let t = lang.msgs();
    let locale = lang.locale();
    Carried {
        csrf_token: csrf_token.to_owned(),
        selection: sheet.selection.clone(),
        given: sheet
            .given
            .iter()
            .map(|(fact, value)| {
                let is_bool = catalog
                    .fact(fact)
                    .is_some_and(|f| matches!(f.ty, FactType::Bool));
                let shown = match (is_bool, value.trim()) {
                    (true, "true") => t.yes.to_owned(),
                    (true, "false") => t.no.to_owned(),
                    (_, other) => other.to_owned(),
                };
                GivenLine {
                    fact: fact.clone(),
                    value: value.clone(),
                    label: fact_label(catalog, fact, locale).to_owned(),
                    shown,
                }
            })
            .collect(),
        skipped: sheet
            .skipped
            .iter()
            .map(|fact| SkippedLine {
                fact: fact.clone(),
                label: fact_label(catalog, fact, locale).to_owned(),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::pages) enum Control {
    YesNo,
    Choice,
    Whole,
    Number,
    Date,
    Text,
}

pub(in crate::pages) struct ChoiceOption {
    pub(in crate::pages) value: String,
    pub(in crate::pages) selected: bool,
}

pub(in crate::pages) struct Question {
    pub(in crate::pages) fact: String,
    pub(in crate::pages) label: String,
    pub(in crate::pages) control: Control,
    /// An enum's values, shown as the catalog writes them (it has no labels for values).
    pub(in crate::pages) options: Vec<ChoiceOption>,
    pub(in crate::pages) yes_checked: bool,
    pub(in crate::pages) no_checked: bool,
    pub(in crate::pages) hint: &'static str,
    /// What was typed (kept when it was refused).
    pub(in crate::pages) value: String,
    pub(in crate::pages) error: Option<&'static str>,
}

impl Question {
    fn new(fact: &Fact, lang: Lang, value: String, error: Option<&'static str>) -> Question {
        let t = lang.msgs();
        let (control, options, hint) = match &fact.ty {
            FactType::Bool => (Control::YesNo, Vec::new(), ""),
            FactType::Enum(values) => (
                Control::Choice,
                values
                    .iter()
                    .map(|v| ChoiceOption {
                        value: v.clone(),
                        selected: *v == value,
                    })
                    .collect(),
                t.hint_enum,
            ),
            FactType::Int => (Control::Whole, Vec::new(), t.hint_int),
            FactType::Decimal => (Control::Number, Vec::new(), t.hint_decimal),
            FactType::Date => (Control::Date, Vec::new(), t.hint_date),
            FactType::String => (Control::Text, Vec::new(), ""),
        };
        Question {
            fact: fact.id.clone(),
            label: fact.label(lang.locale()).to_owned(),
            control,
            options,
            yes_checked: value == "true",
            no_checked: value == "false",
            hint,
            value,
            error,
        }
    }
}

/// A refused answer, to show again with its message.
pub(in crate::pages) struct Pending {
    fact: String,
    typed: String,
    error: FieldError,
}

/// What one posted step leaves: the answers, a refused answer, and whether the
/// applicant asked to stop ("stop asking": every remaining question counts as skipped).
#[derive(Default)]
pub(in crate::pages) struct Stepped {
    pub(in crate::pages) sheet: Sheet,
    pub(in crate::pages) pending: Option<Pending>,
    pub(in crate::pages) finish: bool,
}

/// One step of the questionnaire as the form posted it: `answer` (the asked fact's
/// answer, checked as the engine reads it), `skip` (not known), `finish`, or `forget`
/// (a given answer taken back, to be asked again). `select` (a new scope) and anything
/// else only show the page again.
pub(in crate::pages) fn take_step(catalog: &Catalog, submitted: Submitted) -> Stepped {
    let mut sheet = submitted.sheet;
    let mut pending = None;
    let mut finish = false;
    if let Some(fact) = &submitted.forget {
        sheet.given.retain(|(f, _)| f != fact);
        sheet.skipped.retain(|f| f != fact);
    } else {
        let asked = submitted.ask.as_deref().and_then(|id| askable(catalog, id));
        match (submitted.step.as_str(), asked) {
            ("answer", Some(fact)) => {
                let typed = submitted.answer.unwrap_or_default();
                match answer_json(catalog, fact, &typed) {
                    Ok(_) => {
                        sheet.given.retain(|(f, _)| *f != fact.id);
                        sheet.skipped.retain(|f| *f != fact.id);
                        sheet.given.push((fact.id.clone(), typed.trim().to_owned()));
                    }
                    Err(error) => {
                        pending = Some(Pending {
                            fact: fact.id.clone(),
                            typed,
                            error,
                        })
                    }
                }
            }
            ("skip", Some(fact)) if !sheet.skipped.contains(&fact.id) => {
                sheet.skipped.push(fact.id.clone());
            }
            ("finish", _) => finish = true,
            _ => {}
        }
    }
    Stepped {
        sheet,
        pending,
        finish,
    }
}

/// Where a sheet stands: today's pre-review of it and the question to ask next.
pub(in crate::pages) struct Asked<'c> {
    /// The sheet, with every remaining question skipped when the applicant stopped.
    pub(in crate::pages) sheet: Sheet,
    pub(in crate::pages) review: PreReview<'c>,
    pub(in crate::pages) selection: Selection,
    /// `None`: nothing left to ask, the result is shown.
    pub(in crate::pages) question: Option<Question>,
    /// The question shown is a refused answer, asked again with its message.
    pub(in crate::pages) refused: bool,
}

/// The pre-review of `stepped`'s sheet today and its next question: the refused one again,
/// else the engine's first question not skipped.
pub(in crate::pages) fn ask(
    state: &AppState,
    lang: Lang,
    stepped: Stepped,
) -> Result<Asked<'_>, AppError> {
    let Stepped {
        mut sheet,
        pending,
        finish,
    } = stepped;
    let catalog = &state.catalog;
    let (applicant, selection) = read_sheet(catalog, &sheet)?;
    let selected = catalog
        .select(&selection)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let on = state.clock.today_in(catalog.time_zone);
    let review = catalog.prereview(&applicant, &selected, on);
    if finish {
        for id in &review.questions {
            if !sheet.skipped.iter().any(|s| s == id) {
                sheet.skipped.push((*id).to_owned());
            }
        }
    }
    let refused = pending.is_some();
    let question = match pending {
        Some(pending) => askable(catalog, &pending.fact).map(|fact| {
            Question::new(
                fact,
                lang,
                pending.typed,
                Some(pending.error.message(lang.msgs())),
            )
        }),
        None => review
            .questions
            .iter()
            .find(|id| !sheet.skipped.iter().any(|s| s == *id))
            .and_then(|id| askable(catalog, id))
            .map(|fact| Question::new(fact, lang, String::new(), None)),
    };
    Ok(Asked {
        sheet,
        review,
        selection,
        question,
        refused,
    })
}
