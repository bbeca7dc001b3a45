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
use haoban_catalog::Selection;

pub(super) mod question;
pub(super) mod sheet;

use self::question::Control;
use self::question::{
    Carried, Pending, Question, ScopeOption, Stepped, ask, carried, scope_options, take_step,
};
use self::sheet::Sheet;
pub(super) use self::sheet::{Submitted, VisitorForm, sheet_facts, sheet_review};
use super::review::ReviewView;
use super::{Chrome, Lang, SignedIn, error_page, posted_form, render};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;

/// The longest applicant name the notice takes, in characters.
const NAME_MAX: usize = 50;

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
        sheet,
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
    let stepped = Stepped {
        sheet,
        pending,
        finish,
    };
    let asked = ask(state, lang, stepped)?;
    let refused = asked.refused || name_error.is_some() || visitor.has_errors();
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut chrome = Chrome::new(lang, t.desk_title, uri, Some(principal));
    chrome.switch_href = format!("/desk?lang={}", lang.other().code());
    chrome.nav = "desk";
    let (bundles, items) = scope_options(catalog, locale, &asked.sheet.selection);
    let page = DeskPage {
        page: chrome,
        carried: carried(catalog, lang, &principal.csrf_token, &asked.sheet),
        bundles,
        items,
        all_selected: matches!(asked.selection, Selection::All),
        done: asked.question.is_none(),
        show_details: asked.question.is_none(),
        question: asked.question,
        review: ReviewView::new(catalog, &asked.review, locale, t),
        name,
        name_error,
        visitor,
        consulted,
    };
    Ok(Shown { page, status })
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
    let Stepped {
        sheet,
        pending,
        finish,
    } = take_step(&state.catalog, submitted);
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
    let carried = carried(catalog, lang, &principal.csrf_token, &sheet);
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
