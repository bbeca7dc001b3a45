//! `/desk`, the general service desk (总服务台): pre-review as a short questionnaire, and
//! the printable one-time notice (一次性告知单).
//!
//! The questionnaire keeps no state on the server: the form carries the selection, the
//! answers so far (`f.<fact>` hidden fields) and the facts skipped as unknown (`skip`).
//! Each step rebuilds the applicant with `Applicant::from_json`, runs the engine's
//! pre-review and asks the first of its `questions` not skipped.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, permits};
use haoban_catalog::{Catalog, Fact, FactType, Selection};

mod sheet;

use self::sheet::{FieldError, Sheet, answer_json, askable};
pub(super) use self::sheet::{Submitted, VisitorForm, read_sheet, sheet_facts, sheet_review};
use super::review::{ReviewView, fact_label};
use super::{Chrome, Lang, SignedIn, error_page, posted_form, render};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;

/// The longest applicant name the notice takes, in characters.
const NAME_MAX: usize = 50;

struct ScopeOption {
    value: String,
    label: String,
    selected: bool,
}

/// An answer so far, as the form carries it and as the page shows it.
struct GivenLine {
    fact: String,
    value: String,
    label: String,
    shown: String,
}

struct SkippedLine {
    fact: String,
    label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    YesNo,
    Choice,
    Whole,
    Number,
    Date,
    Text,
}

struct ChoiceOption {
    value: String,
    selected: bool,
}

struct Question {
    fact: String,
    label: String,
    control: Control,
    /// An enum's values, shown as the catalog writes them (it has no labels for values).
    options: Vec<ChoiceOption>,
    yes_checked: bool,
    no_checked: bool,
    hint: &'static str,
    /// What was typed (kept when it was refused).
    value: String,
    error: Option<&'static str>,
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

/// The hidden fields every form of the page repeats.
struct Carried {
    csrf_token: String,
    selection: String,
    given: Vec<GivenLine>,
    skipped: Vec<SkippedLine>,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    page: Chrome,
    carried: Carried,
    bundles: Vec<ScopeOption>,
    items: Vec<ScopeOption>,
    all_selected: bool,
    question: Option<Question>,
    review: ReviewView,
    /// No question left: the result and the notice form are shown.
    done: bool,
    /// Whether item lines say what is missing or not met (the result, not the sidebar).
    show_details: bool,
    name: String,
    name_error: Option<&'static str>,
    visitor: VisitorForm,
    /// A consultation was just recorded.
    consulted: bool,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    page: Chrome,
    carried: Carried,
    center: String,
    catalog_name: String,
    catalog_version: String,
    name: String,
    review: ReviewView,
    show_details: bool,
}

/// The first window's roles: those the policy table lets issue queue tickets (desk,
/// clerk, supervisor).
pub(super) fn may_use_desk(principal: &Principal) -> bool {
    permits(principal.role, Action::IssueTicket).is_some()
}

pub(super) fn forbidden(lang: Lang, uri: &Uri, principal: &Principal) -> Response {
    error_page(
        lang,
        uri,
        Some(principal),
        AppError::Forbidden(lang.msgs().forbidden_desk.to_owned()),
    )
}

/// A refused answer, to show again with its message.
pub(super) struct Pending {
    fact: String,
    typed: String,
    error: FieldError,
}

/// What a step leaves to show.
#[derive(Default)]
pub(super) struct View {
    pub(super) sheet: Sheet,
    pub(super) pending: Option<Pending>,
    /// "Stop asking": every remaining question counts as skipped.
    pub(super) finish: bool,
    /// The notice form's applicant name, kept when refused.
    pub(super) name: String,
    pub(super) name_error: Option<&'static str>,
    pub(super) visitor: VisitorForm,
    pub(super) consulted: bool,
}

pub(super) struct Shown {
    page: DeskPage,
    status: StatusCode,
}

pub(super) fn desk_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    view: View,
) -> Result<Shown, AppError> {
    let View {
        mut sheet,
        pending,
        finish,
        name,
        name_error,
        visitor,
        consulted,
    } = view;
    let catalog = &state.catalog;
    let t = lang.msgs();
    let locale = lang.locale();
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
    let mut status = StatusCode::OK;
    let question = match pending {
        Some(pending) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            askable(catalog, &pending.fact).map(|fact| {
                Question::new(fact, lang, pending.typed, Some(pending.error.message(t)))
            })
        }
        None => review
            .questions
            .iter()
            .find(|id| !sheet.skipped.iter().any(|s| s == *id))
            .and_then(|id| askable(catalog, id))
            .map(|fact| Question::new(fact, lang, String::new(), None)),
    };
    if name_error.is_some() || visitor.has_errors() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let mut chrome = Chrome::new(lang, t.desk_title, uri, Some(principal));
    chrome.switch_href = format!("/desk?lang={}", lang.other().code());
    chrome.nav = "desk";
    let page = DeskPage {
        page: chrome,
        carried: carried(catalog, lang, principal, &sheet),
        bundles: catalog
            .bundles()
            .map(|b| {
                let value = format!("bundle:{}", b.id);
                ScopeOption {
                    selected: value == sheet.selection,
                    value,
                    label: b.name.get(locale).to_owned(),
                }
            })
            .collect(),
        items: catalog
            .items()
            .map(|i| {
                let value = format!("item:{}", i.id);
                ScopeOption {
                    selected: value == sheet.selection,
                    value,
                    label: i.name.get(locale).to_owned(),
                }
            })
            .collect(),
        all_selected: matches!(selection, Selection::All),
        done: question.is_none(),
        show_details: question.is_none(),
        question,
        review: ReviewView::new(catalog, &review, locale, t),
        name,
        name_error,
        visitor,
        consulted,
    };
    Ok(Shown { page, status })
}

fn carried(catalog: &Catalog, lang: Lang, principal: &Principal, sheet: &Sheet) -> Carried {
    let t = lang.msgs();
    let locale = lang.locale();
    Carried {
        csrf_token: principal.csrf_token.clone(),
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

pub(super) fn show(
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    shown: Result<Shown, AppError>,
) -> Response {
    match shown {
        Ok(Shown { page, status }) => render(status, &page),
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}

/// GET /desk: a new pre-review over every item, its first question.
pub async fn start(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if !may_use_desk(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    // After a consultation is recorded, the desk starts afresh and says so.
    let consulted = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "consulted=1"));
    let view = View {
        consulted,
        ..View::default()
    };
    let shown = desk_page(&state, lang, &uri, &principal, view);
    show(lang, &uri, &principal, shown)
}

/// A desk form as submitted by someone allowed at the desk, with the session's token;
/// otherwise the page that says why not.
pub(super) fn desk_form(
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Submitted, Box<Response>> {
    if !may_use_desk(principal) {
        return Err(Box::new(forbidden(lang, uri, principal)));
    }
    posted_form(lang, uri, principal, form).map(Submitted::read)
}

/// POST /desk: one step of the questionnaire.
pub async fn step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let submitted = match desk_form(lang, &uri, &principal, form) {
        Ok(submitted) => submitted,
        Err(refused) => return *refused,
    };
    let catalog = &state.catalog;
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
            // "select" (a new scope) and "stay" (the language switch) only show the page.
            _ => {}
        }
    }
    let view = View {
        sheet,
        pending,
        finish,
        ..View::default()
    };
    let shown = desk_page(&state, lang, &uri, &principal, view);
    show(lang, &uri, &principal, shown)
}

/// POST /desk/notice: the one-time notice of the pre-review the form carries, for A4.
pub async fn notice(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let submitted = match desk_form(lang, &uri, &principal, form) {
        Ok(submitted) => submitted,
        Err(refused) => return *refused,
    };
    let t = lang.msgs();
    let name = submitted.name.unwrap_or_default().trim().to_owned();
    if name.chars().count() > NAME_MAX {
        // The notice form is on the result page: everything is answered or skipped.
        let view = View {
            sheet: submitted.sheet,
            finish: true,
            name,
            name_error: Some(t.err_name_long),
            ..View::default()
        };
        let shown = desk_page(&state, lang, &uri, &principal, view);
        return show(lang, &uri, &principal, shown);
    }
    let catalog = &state.catalog;
    let sheet = submitted.sheet;
    let review = match sheet_review(&state, &sheet) {
        Ok(review) => review,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let locale = lang.locale();
    let mut chrome = Chrome::new(lang, t.notice_title, &uri, Some(&principal));
    chrome.switch_href = format!("/desk/notice?lang={}", lang.other().code());
    chrome.nav = "desk";
    let carried = carried(catalog, lang, &principal, &sheet);
    let page = NoticePage {
        page: chrome,
        carried,
        center: principal.center.to_string(),
        catalog_name: catalog.name.get(locale).to_owned(),
        catalog_version: catalog.version.chars().take(12).collect(),
        name,
        review: ReviewView::new(catalog, &review, locale, t),
        show_details: true,
    };
    render(StatusCode::OK, &page)
}
