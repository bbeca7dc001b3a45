//! Pre-review at the kiosk (预审): the desk's questionnaire, the same questions in the
//! same order from the same code (`desk::question`), answered by touch. Yes/no and
//! choices are big buttons; numbers and dates are typed on the keypad (a date as eight
//! digits, 19500301, which is read as 1950-03-01). The result is the desk's, and a
//! ticket can be taken for it, carrying the answers to the window as the desk's does.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_catalog::{Catalog, FactType};

use super::track::posted;
use super::{CenterQuery, KioskFrame, KioskMsgs, chrome, failed, queried_center};
use crate::AppState;
use crate::pages::desk::Submitted;
use crate::pages::desk::question::{
    Carried, Control, Question, ScopeOption, ask, carried, scope_options, take_step,
};
use crate::pages::desk::sheet::askable;
use crate::pages::review::ReviewView;
use crate::pages::{Chrome, Lang, render};

#[derive(Template)]
#[template(path = "kiosk_scope.html")]
struct ScopePage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    center: String,
    bundles: Vec<ScopeOption>,
    items: Vec<ScopeOption>,
}

#[derive(Template)]
#[template(path = "kiosk_prereview.html")]
struct QuestionPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    center: String,
    carried: Carried,
    question: Option<Question>,
    review: ReviewView,
    /// Item lines say what is missing or not met (always: this is the resident's result).
    show_details: bool,
}

/// How a typed answer is keyed in: the keypad's keys, the hint, the longest answer.
struct Keypad {
    kind: &'static str,
    hint: &'static str,
    maxlength: usize,
}

impl QuestionPage {
    /// The keypad for a question answered by typing a number or a date.
    fn keypad(&self) -> Option<Keypad> {
        let t = self.page.t;
        let (kind, hint, maxlength) = match self.question.as_ref()?.control {
            Control::Whole => ("digits", t.hint_int, 19),
            Control::Number => ("decimal", t.hint_decimal, 30),
            Control::Date => ("digits", self.k.hint_date, 10),
            Control::YesNo | Control::Choice | Control::Text => return None,
        };
        Some(Keypad {
            kind,
            hint,
            maxlength,
        })
    }
}

/// `GET /kiosk/prereview?center=…`: what to pre-review.
pub async fn prereview_start(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<CenterQuery>, QueryRejection>,
) -> Response {
    let center = match queried_center(&state, lang, &uri, query).await {
        Ok(center) => center,
        Err(refused) => return *refused,
    };
    let k = KioskMsgs::of(lang);
    let (bundles, items) = scope_options(&state.catalog, lang.locale(), "");
    let page = ScopePage {
        page: chrome(
            lang,
            k.prereview_title,
            &uri,
            "/kiosk/prereview",
            Some(&center),
        ),
        k,
        frame: Some(KioskFrame::new(&state, lang, &center)),
        center: center.to_string(),
        bundles,
        items,
    };
    render(StatusCode::OK, &page)
}

/// A date typed on the keypad as eight digits, written as the engine reads dates.
fn keypad_date(catalog: &Catalog, fact: Option<&str>, typed: &str) -> Option<String> {
    let fact = askable(catalog, fact?)?;
    let digits = typed.trim();
    let is_date = matches!(fact.ty, FactType::Date);
    (is_date && digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]))
}

/// `POST /kiosk/prereview`: one step of the questionnaire.
pub async fn prereview_step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let k = KioskMsgs::of(lang);
    let (center, pairs) = match posted(&state, lang, &uri, form).await {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let catalog = &state.catalog;
    let mut submitted = Submitted::read(pairs);
    // A yes/no or choice button posts its answer alone: pressing it is answering.
    if submitted.step.is_empty() && submitted.answer.is_some() {
        submitted.step = "answer".to_owned();
    }
    if let Some(date) = submitted
        .answer
        .as_deref()
        .and_then(|typed| keypad_date(catalog, submitted.ask.as_deref(), typed))
    {
        submitted.answer = Some(date);
    }
    let asked = match ask(&state, lang, take_step(catalog, submitted)) {
        Ok(asked) => asked,
        Err(err) => return failed(&state, lang, &uri, Some(&center), err),
    };
    let status = if asked.refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut page = QuestionPage {
        page: chrome(
            lang,
            k.prereview_title,
            &uri,
            "/kiosk/prereview",
            Some(&center),
        ),
        k,
        frame: Some(KioskFrame::new(&state, lang, &center)),
        center: center.to_string(),
        carried: carried(catalog, lang, "", &asked.sheet),
        review: ReviewView::new(catalog, &asked.review, lang.locale(), lang.msgs()),
        question: asked.question,
        show_details: true,
    };
    // The language switch posts the answers so far, so it needs no address of its own.
    page.page.switch_href = format!("/kiosk/prereview?lang={}", lang.other().code());
    render(status, &page)
}
