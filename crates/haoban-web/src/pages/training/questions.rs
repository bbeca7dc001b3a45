//! `/training/questions`, the question bank (the director's): for an item, the questions the
//! catalog gives and those written; and the form to write one. A refused question comes
//! back with each message next to its field and what was typed kept (422); a saved one
//! redirects (303) back to the bank, which confirms it once the store lists it.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_insight::{NewQuestion, Phrase, Question, QuestionProblem, generated};
use haoban_store::By;
use serde::Deserialize;

use super::msgs::TrainingMsgs;
use super::{chrome, fill, forbidden, item_name, local_time, may};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, encode, error_page, posted_form, render, see_other};

/// The form as typed.
#[derive(Debug, Default)]
struct Entry {
    item: String,
    prompt_zh: String,
    prompt_en: String,
    choices: String,
    correct: String,
    errors: Errors,
}

/// Messages shown next to the form's fields.
#[derive(Debug, Default)]
struct Errors {
    item: Option<String>,
    prompt_zh: Option<String>,
    prompt_en: Option<String>,
    choices: Option<String>,
    correct: Option<String>,
}

/// `中文 | English` lines, blank lines skipped; a line without a bar has no English.
fn parse_choices(text: &str) -> Vec<Phrase> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once(['|', '｜']) {
            Some((zh, en)) => Phrase {
                zh: zh.trim().to_owned(),
                en: en.trim().to_owned(),
            },
            None => Phrase {
                zh: line.to_owned(),
                en: String::new(),
            },
        })
        .collect()
}

/// `1,3` (full-width commas, 、 and spaces too) as choice numbers; `None` when a part is
/// not a number.
fn parse_correct(text: &str) -> Option<std::collections::BTreeSet<usize>> {
    text.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().ok())
        .collect()
}

impl Entry {
    /// The question the form describes; `None` with the messages set when refused.
    fn question(
        &mut self,
        state: &AppState,
        lang: Lang,
        principal: &Principal,
    ) -> Option<NewQuestion> {
        let m = TrainingMsgs::of(lang);
        let correct = parse_correct(&self.correct);
        let question = NewQuestion {
            center: principal.center.clone(),
            item: self.item.trim().to_owned(),
            prompt: Phrase {
                zh: self.prompt_zh.trim().to_owned(),
                en: self.prompt_en.trim().to_owned(),
            },
            choices: parse_choices(&self.choices),
            correct: correct.clone().unwrap_or_default(),
        };
        let problems = question.check(&state.catalog).err().unwrap_or_default();
        for problem in problems {
            let (field, text) = match problem {
                QuestionProblem::Item(_) => (&mut self.errors.item, m.err_item.to_owned()),
                QuestionProblem::PromptZh => {
                    (&mut self.errors.prompt_zh, m.err_prompt_zh.to_owned())
                }
                QuestionProblem::PromptEn => {
                    (&mut self.errors.prompt_en, m.err_prompt_en.to_owned())
                }
                QuestionProblem::ChoiceCount => {
                    (&mut self.errors.choices, m.err_choice_count.to_owned())
                }
                QuestionProblem::Choice(line) => {
                    (&mut self.errors.choices, fill(m.err_choice, line))
                }
                QuestionProblem::NoCorrect => {
                    (&mut self.errors.correct, m.err_no_correct.to_owned())
                }
                QuestionProblem::Correct(n) => (&mut self.errors.correct, fill(m.err_correct, n)),
            };
            field.get_or_insert(text);
        }
        if correct.is_none() {
            self.errors.correct = Some(m.err_correct_format.to_owned());
        }
        let e = &self.errors;
        let refused = e.item.is_some()
            || e.prompt_zh.is_some()
            || e.prompt_en.is_some()
            || e.choices.is_some()
            || e.correct.is_some();
        (!refused).then_some(question)
    }
}

struct ChoiceRow {
    text: String,
    right: bool,
}

struct QuestionRow {
    anchor: String,
    item: String,
    prompt: String,
    choices: Vec<ChoiceRow>,
    author: String,
    added: String,
}

struct ItemOption {
    id: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "training_questions.html")]
struct BankPage {
    page: Chrome,
    m: &'static TrainingMsgs,
    csrf_token: String,
    /// The item chosen to look at, if any.
    item: Option<String>,
    items: Vec<ItemOption>,
    confirmation: Option<String>,
    /// The catalog's questions for the chosen item.
    generated: Vec<QuestionRow>,
    written: Vec<QuestionRow>,
    form_items: Vec<ItemOption>,
    entry: Entry,
}

fn row(lang: Lang, question: &Question, item: String) -> QuestionRow {
    QuestionRow {
        anchor: question.id.replace(':', "-"),
        item,
        prompt: question.prompt.get(lang.locale()).to_owned(),
        choices: question
            .choices
            .iter()
            .map(|c| ChoiceRow {
                text: c.text.get(lang.locale()).to_owned(),
                right: c.correct,
            })
            .collect(),
        author: String::new(),
        added: String::new(),
    }
}

fn options(state: &AppState, lang: Lang, selected: &str) -> Vec<ItemOption> {
    state
        .catalog
        .items()
        .map(|item| ItemOption {
            id: item.id.clone(),
            label: item.name.get(lang.locale()).to_owned(),
            selected: item.id == selected,
        })
        .collect()
}

async fn bank_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    item: Option<String>,
    added: Option<u64>,
    entry: Option<Entry>,
) -> Result<BankPage, AppError> {
    let m = TrainingMsgs::of(lang);
    let catalog = &state.catalog;
    let item = item.filter(|id| catalog.item(id).is_some());
    let written = state
        .store
        .questions(&principal.center, item.as_deref())
        .await?;
    let confirmation = added
        .filter(|id| written.iter().any(|w| w.id == *id))
        .map(|id| fill(m.added, id));
    let entry = entry.unwrap_or_else(|| Entry {
        item: item.clone().unwrap_or_default(),
        ..Entry::default()
    });
    Ok(BankPage {
        page: chrome(lang, m.questions_title, uri, principal),
        m,
        csrf_token: principal.csrf_token.clone(),
        items: options(state, lang, item.as_deref().unwrap_or_default()),
        generated: item
            .as_deref()
            .map(|id| {
                generated(catalog, id)
                    .iter()
                    .map(|q| row(lang, q, item_name(catalog, lang, id)))
                    .collect()
            })
            .unwrap_or_default(),
        written: written
            .iter()
            .map(|w| {
                let mut line = row(
                    lang,
                    &w.question(),
                    item_name(catalog, lang, &w.question.item),
                );
                line.author = w.author.clone();
                line.added = local_time(state, w.added_at);
                line
            })
            .collect(),
        form_items: options(state, lang, entry.item.trim()),
        item,
        confirmation,
        entry,
    })
}

async fn show(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    (item, added, entry): (Option<String>, Option<u64>, Option<Entry>),
    status: StatusCode,
) -> Response {
    match bank_page(state, lang, uri, principal, item, added, entry).await {
        Ok(page) => render(status, &page),
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}

#[derive(Deserialize)]
pub struct BankQuery {
    item: Option<String>,
    added: Option<u64>,
}

/// GET /training/questions: the bank, for one item with `?item=`.
pub async fn bank(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<Query<BankQuery>, QueryRejection>,
) -> Response {
    if !may(&principal, Action::ManageTraining) {
        return forbidden(
            lang,
            &uri,
            &principal,
            TrainingMsgs::of(lang).forbidden_manage,
        );
    }
    let (item, added) = query.map_or((None, None), |Query(q)| (q.item, q.added));
    let item = item.filter(|id| !id.is_empty());
    show(
        &state,
        lang,
        &uri,
        &principal,
        (item, added, None),
        StatusCode::OK,
    )
    .await
}

fn field(fields: &[(String, String)], name: &str) -> String {
    crate::pages::form_field(fields, name).to_owned()
}

/// POST /training/questions: stores a written question.
pub async fn add_question(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !may(&principal, Action::ManageTraining) {
        return forbidden(
            lang,
            &uri,
            &principal,
            TrainingMsgs::of(lang).forbidden_manage,
        );
    }
    let fields = match posted_form(lang, &uri, &principal, form) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    let mut entry = Entry {
        item: field(&fields, "item"),
        prompt_zh: field(&fields, "prompt_zh"),
        prompt_en: field(&fields, "prompt_en"),
        choices: field(&fields, "choices"),
        correct: field(&fields, "correct"),
        errors: Errors::default(),
    };
    let Some(question) = entry.question(&state, lang, &principal) else {
        let item = Some(entry.item.trim().to_owned());
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show(
            &state,
            lang,
            &uri,
            &principal,
            (item, None, Some(entry)),
            status,
        )
        .await;
    };
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    match state.store.add_question(&question, by).await {
        Ok(stored) => see_other(&format!(
            "/training/questions?item={}&added={}#written-{}",
            encode(&question.item),
            stored.id,
            stored.id
        )),
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_choices, parse_correct};

    #[test]
    fn choices_are_lines_of_chinese_bar_english() {
        let choices = parse_choices("可以 | Yes\n\n 不可以｜No \n只有中文");
        let pairs: Vec<(&str, &str)> = choices
            .iter()
            .map(|c| (c.zh.as_str(), c.en.as_str()))
            .collect();
        assert_eq!(pairs, [("可以", "Yes"), ("不可以", "No"), ("只有中文", "")]);
    }

    #[test]
    fn right_choices_are_numbers_separated_by_commas() {
        assert_eq!(parse_correct("1, 3，2"), Some([1, 2, 3].into()));
        assert_eq!(parse_correct(""), Some([].into()));
        assert_eq!(parse_correct("1,a"), None);
    }
}
