//! `/training/tests/{item}`: a test on one item — its questions generated from the catalog
//! in use and those supervisors wrote — answered in a form, scored against the center's
//! pass mark and stored as an attempt; the page then shows the score above a fresh form, so
//! a retake is one more hand-in. A question left unanswered is marked where it is, with
//! the other answers kept, and nothing is stored.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_insight::{Answers, Attempt, NewAttempt, Test};
use serde::Deserialize;

use super::msgs::TrainingMsgs;
use super::{chrome, fill, forbidden, item_name, may, plan_href, test_href};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, error_page, posted_form, render, see_other};

struct ChoiceView {
    key: String,
    text: String,
    input_id: String,
    checked: bool,
}

struct QuestionView {
    number: String,
    /// What the answers are sent as.
    name: String,
    anchor: String,
    prompt: String,
    multiple: bool,
    choices: Vec<ChoiceView>,
    error: bool,
}

struct ResultLine {
    number: String,
    prompt: String,
    right: bool,
}

struct ResultView {
    line: String,
    passed: bool,
    questions: Vec<ResultLine>,
}

#[derive(Template)]
#[template(path = "training_test.html")]
struct TestPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    heading: String,
    intro: String,
    action: String,
    plan_href: String,
    csrf_token: String,
    result: Option<ResultView>,
    /// Some question is unanswered.
    missing: bool,
    questions: Vec<QuestionView>,
}

/// The test on `item`, or the page that says it is not in the catalog.
async fn load(state: &AppState, principal: &Principal, item: &str) -> Result<Test, AppError> {
    let written = state.store.questions(&principal.center, Some(item)).await?;
    Test::for_item(&state.catalog, item, &written)
        .ok_or_else(|| AppError::NotFound(format!("item {item}")))
}

fn result_view(lang: Lang, test: &Test, attempt: &Attempt) -> ResultView {
    let m = TrainingMsgs::of(lang);
    let score = &attempt.attempt.score;
    ResultView {
        line: m
            .result_line
            .replace("{correct}", &score.correct.to_string())
            .replace("{total}", &score.total.to_string())
            .replace("{percent}", &score.percent().to_string())
            .replace("{mark}", &score.pass_mark.to_string()),
        passed: score.passed,
        // The questions as they now stand: one the catalog no longer asks is not listed.
        questions: test
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| attempt.attempt.answers.contains_key(&q.id))
            .map(|(index, q)| ResultLine {
                number: fill(m.question_n, index + 1),
                prompt: q.prompt.get(lang.locale()).to_owned(),
                right: score.right.contains(&q.id),
            })
            .collect(),
    }
}

fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    test: &Test,
    answered: Option<&Answers>,
    result: Option<ResultView>,
) -> TestPage {
    let m = TrainingMsgs::of(lang);
    let heading = fill(m.test_title, item_name(&state.catalog, lang, &test.item));
    let mut missing = false;
    let questions = test
        .questions
        .iter()
        .enumerate()
        .map(|(index, q)| {
            let chosen = answered.and_then(|a| a.get(&q.id));
            let error = answered.is_some() && chosen.is_none_or(BTreeSet::is_empty);
            missing |= error;
            QuestionView {
                number: fill(m.question_n, index + 1),
                name: q.id.clone(),
                anchor: format!("q{}", index + 1),
                prompt: q.prompt.get(lang.locale()).to_owned(),
                multiple: q.multiple,
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(n, c)| ChoiceView {
                        key: c.key.clone(),
                        text: c.text.get(lang.locale()).to_owned(),
                        input_id: format!("q{}-c{}", index + 1, n + 1),
                        checked: chosen.is_some_and(|keys| keys.contains(&c.key)),
                    })
                    .collect(),
                error,
            }
        })
        .collect();
    TestPage {
        page: chrome(lang, &heading, uri, principal),
        m,
        intro: fill(m.test_intro, state.config.training.pass_mark),
        heading,
        action: test_href(&test.item),
        plan_href: plan_href(&principal.actor()),
        csrf_token: principal.csrf_token.clone(),
        result,
        missing,
        questions,
    }
}

#[derive(Deserialize)]
pub struct TestQuery {
    attempt: Option<u64>,
}

/// GET /training/tests/{item}: the test; with `?attempt=` the score of that attempt above it.
pub async fn take(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(item): Path<String>,
    query: Result<Query<TestQuery>, QueryRejection>,
) -> Response {
    if !may(&principal, Action::TakeTest) {
        return forbidden(lang, &uri, &principal, TrainingMsgs::of(lang).forbidden);
    }
    let test = match load(&state, &principal, &item).await {
        Ok(test) => test,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let wanted = query.ok().and_then(|Query(q)| q.attempt);
    let mut result = None;
    if let Some(id) = wanted {
        // One's own attempts; the director may open anyone's of the center.
        let whose = (!may(&principal, Action::ViewTraining)).then(|| principal.actor());
        match state
            .store
            .attempts(&principal.center, whose.as_deref())
            .await
        {
            Ok(attempts) => {
                result = attempts
                    .iter()
                    .find(|a| a.id == id && a.attempt.item == item)
                    .map(|a| result_view(lang, &test, a));
            }
            Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
        }
    }
    let page = page(&state, lang, &uri, &principal, &test, None, result);
    render(StatusCode::OK, &page)
}

/// POST /training/tests/{item}: scores the answers and stores the attempt.
pub async fn hand_in(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(item): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !may(&principal, Action::TakeTest) {
        return forbidden(lang, &uri, &principal, TrainingMsgs::of(lang).forbidden);
    }
    let fields = match posted_form(lang, &uri, &principal, form) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    let test = match load(&state, &principal, &item).await {
        Ok(test) => test,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let mut answers = Answers::new();
    for question in &test.questions {
        let chosen: BTreeSet<String> = fields
            .iter()
            .filter(|(name, _)| *name == question.id)
            .map(|(_, value)| value.clone())
            .collect();
        if !chosen.is_empty() {
            answers.insert(question.id.clone(), chosen);
        }
    }
    if answers.len() < test.questions.len() {
        let page = page(&state, lang, &uri, &principal, &test, Some(&answers), None);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let attempt = NewAttempt {
        center: principal.center.clone(),
        staff: principal.actor(),
        item: item.clone(),
        at: state.clock.now(),
        score: test.score(&answers, state.config.training.pass_mark),
        answers,
        catalog_version: state.catalog.version.clone(),
    };
    match state.store.record_attempt(&attempt).await {
        Ok(stored) => see_other(&format!(
            "{}?attempt={}#result",
            test_href(&item),
            stored.id
        )),
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}
