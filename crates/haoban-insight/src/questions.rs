//! The question bank: questions generated from the catalog, so they are right for the
//! catalog in use and change with it, and questions supervisors write; a test on an item
//! is all of its questions, scored against a pass mark.
//!
//! Generated, per item (each only when it can be asked with at least one wrong choice):
//! - **materials**: which materials may it need (choose all)? Its materials, conditional
//!   ones too, against up to three materials of other items, nearest items first (same
//!   category, then same top category, then the rest), since those are the ones confused;
//! - **promised days**: its promised working days (one choice), against other items' time
//!   limits nearest to it, then common limits;
//! - **who qualifies**: which of the applicant's circumstances decide it (choose all)? The
//!   labelled facts its eligibility condition names (an unlabelled derived fact stands for
//!   the facts it is derived from), against labelled facts of other items' conditions.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use haoban_cases::CenterId;
use haoban_catalog::{Catalog, Condition, Fact, Item, Locale, Text};
use serde::{Deserialize, Serialize};

/// Wrong choices offered beside the right ones.
const DISTRACTORS: usize = 3;
/// Time limits that stand in as wrong choices when too few other items have their own.
const COMMON_DAYS: [u32; 10] = [0, 1, 3, 5, 7, 10, 15, 20, 30, 60];
/// A written question has 2 to 6 choices.
pub const CHOICES_MIN: usize = 2;
pub const CHOICES_MAX: usize = 6;
/// The longest prompt or choice, in characters.
pub const TEXT_MAX: usize = 500;

/// A text in both languages (the catalog's English falls back to its Chinese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    pub zh: String,
    pub en: String,
}

impl Phrase {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Zh => &self.zh,
            Locale::En => &self.en,
        }
    }

    fn of(text: &Text) -> Phrase {
        Phrase {
            zh: text.zh.clone(),
            en: text.get(Locale::En).to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Materials,
    PromisedDays,
    Eligibility,
    Written,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What an answer sends: a material or fact id, a number of days, a choice's number.
    pub key: String,
    pub text: Phrase,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Stable across catalog loads: `materials:<item>`, `days:<item>`, `eligible:<item>`,
    /// `written:<id>`.
    pub id: String,
    pub item: String,
    pub kind: QuestionKind,
    pub prompt: Phrase,
    pub choices: Vec<Choice>,
    /// Choose all that apply (checkboxes), or exactly one.
    pub multiple: bool,
}

impl Question {
    pub fn answer(&self) -> BTreeSet<&str> {
        self.choices
            .iter()
            .filter(|c| c.correct)
            .map(|c| c.key.as_str())
            .collect()
    }

    /// Right when exactly the right choices are chosen: no partial credit, since a window
    /// that asks for one material too few turns the resident away all the same.
    pub fn is_right(&self, chosen: &BTreeSet<String>) -> bool {
        let chosen: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
        chosen == self.answer()
    }
}

fn quoted(item: &Item) -> Phrase {
    Phrase {
        zh: format!("「{}」", item.name.zh),
        en: format!("“{}”", item.name.get(Locale::En)),
    }
}

/// 0 same category, 1 same top category, 2 otherwise: how likely two items are confused.
fn distance(catalog: &Catalog, a: &Item, b: &Item) -> u8 {
    let top = |item: &Item| {
        let mut id = item.category.as_str();
        for _ in 0..=catalog.categories().len() {
            match catalog.category(id).and_then(|c| c.parent.as_deref()) {
                Some(parent) => id = parent,
                None => break,
            }
        }
        id.to_owned()
    };
    if a.category == b.category {
        0
    } else if top(a) == top(b) {
        1
    } else {
        2
    }
}

/// The other items, nearest first, then in catalog order.
fn others<'a>(catalog: &'a Catalog, item: &Item) -> Vec<&'a Item> {
    let mut others: Vec<(u8, usize, &Item)> = catalog
        .items()
        .enumerate()
        .filter(|(_, other)| other.id != item.id)
        .map(|(index, other)| (distance(catalog, item, other), index, other))
        .collect();
    others.sort_by_key(|(d, index, _)| (*d, *index));
    others.into_iter().map(|(_, _, other)| other).collect()
}

fn materials_question(catalog: &Catalog, item: &Item) -> Option<Question> {
    let needed: BTreeSet<&str> = item.materials.iter().map(|m| m.id.as_str()).collect();
    let mut wrong: Vec<&str> = Vec::new();
    for other in others(catalog, item) {
        for material in &other.materials {
            let id = material.id.as_str();
            if wrong.len() < DISTRACTORS && !needed.contains(id) && !wrong.contains(&id) {
                wrong.push(id);
            }
        }
    }
    if needed.is_empty() || wrong.is_empty() {
        return None;
    }
    // materials.toml order, so the right ones are not all first.
    let choices = catalog
        .materials()
        .filter(|m| needed.contains(m.id.as_str()) || wrong.contains(&m.id.as_str()))
        .map(|m| Choice {
            key: m.id.clone(),
            text: Phrase::of(&m.name),
            correct: needed.contains(m.id.as_str()),
        })
        .collect();
    let name = quoted(item);
    Some(Question {
        id: format!("materials:{}", item.id),
        item: item.id.clone(),
        kind: QuestionKind::Materials,
        prompt: Phrase {
            zh: format!(
                "办理{}可能需要提交哪些材料？（视情况才需要的也算）",
                name.zh
            ),
            en: format!(
                "Which materials may an application for {} need? (Those needed only in some cases count too.)",
                name.en
            ),
        },
        choices,
        multiple: true,
    })
}

fn days_text(days: u32) -> Phrase {
    if days == 0 {
        Phrase {
            zh: "即办（当场办结）".into(),
            en: "Instant (done at one sitting)".into(),
        }
    } else {
        Phrase {
            zh: format!("{days} 个工作日"),
            en: format!("{days} working day{}", if days == 1 { "" } else { "s" }),
        }
    }
}

fn days_question(catalog: &Catalog, item: &Item) -> Question {
    let right = item.promised_days;
    let nearest = |values: &mut Vec<u32>| values.sort_by_key(|v| (v.abs_diff(right), *v));
    let mut wrong: Vec<u32> = Vec::new();
    let mut from_items: Vec<u32> = catalog
        .items()
        .map(|i| i.promised_days)
        .filter(|d| *d != right)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    nearest(&mut from_items);
    let mut common: Vec<u32> = COMMON_DAYS.to_vec();
    nearest(&mut common);
    for days in from_items.into_iter().chain(common) {
        if wrong.len() < DISTRACTORS && days != right && !wrong.contains(&days) {
            wrong.push(days);
        }
    }
    let mut values = wrong;
    values.push(right);
    values.sort_unstable();
    let name = quoted(item);
    Question {
        id: format!("days:{}", item.id),
        item: item.id.clone(),
        kind: QuestionKind::PromisedDays,
        prompt: Phrase {
            zh: format!("{}的承诺办结时限是多少？", name.zh),
            en: format!("What is the promised time limit of {}?", name.en),
        },
        choices: values
            .into_iter()
            .map(|days| Choice {
                key: days.to_string(),
                text: days_text(days),
                correct: days == right,
            })
            .collect(),
        multiple: false,
    }
}

/// The labelled facts behind a condition, in order of mention: a derived fact without a
/// label stands for the facts it is derived from; a given fact without one is left out.
fn labelled<'a>(catalog: &'a Catalog, condition: &'a Condition, out: &mut Vec<&'a Fact>) {
    for fact in catalog.facts_named_by(condition) {
        if fact.label.is_some() {
            if !out.iter().any(|f| f.id == fact.id) {
                out.push(fact);
            }
        } else if let Some(derive) = &fact.derive {
            // The loader refuses cycles among derived facts, so this ends.
            labelled(catalog, derive, out);
        }
    }
}

fn eligibility_facts<'a>(catalog: &'a Catalog, item: &'a Item) -> Vec<&'a Fact> {
    let mut facts = Vec::new();
    if let Some(eligible) = &item.eligible {
        for conjunct in &eligible.conjuncts {
            labelled(catalog, conjunct, &mut facts);
        }
    }
    facts
}

fn eligibility_question(catalog: &Catalog, item: &Item) -> Option<Question> {
    let right: BTreeSet<&str> = eligibility_facts(catalog, item)
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    let mut wrong: Vec<&str> = Vec::new();
    for other in others(catalog, item) {
        for fact in eligibility_facts(catalog, other) {
            if wrong.len() < DISTRACTORS
                && !right.contains(&*fact.id)
                && !wrong.contains(&&*fact.id)
            {
                wrong.push(&fact.id);
            }
        }
    }
    if right.is_empty() || wrong.is_empty() {
        return None;
    }
    let choices = catalog
        .facts()
        .filter(|f| right.contains(f.id.as_str()) || wrong.contains(&f.id.as_str()))
        .map(|f| Choice {
            key: f.id.clone(),
            text: Phrase {
                zh: f.label(Locale::Zh).to_owned(),
                en: f.label(Locale::En).to_owned(),
            },
            correct: right.contains(f.id.as_str()),
        })
        .collect();
    let name = quoted(item);
    Some(Question {
        id: format!("eligible:{}", item.id),
        item: item.id.clone(),
        kind: QuestionKind::Eligibility,
        prompt: Phrase {
            zh: format!("能否申请{}，要看申请人的哪些情况？", name.zh),
            en: format!(
                "Which of the applicant's circumstances decide whether they qualify for {}?",
                name.en
            ),
        },
        choices,
        multiple: true,
    })
}

/// The questions the catalog gives for `item`: materials, promised days, who qualifies
/// (each when it can be asked); empty for an item the catalog does not have.
pub fn generated(catalog: &Catalog, item: &str) -> Vec<Question> {
    let Some(item) = catalog.item(item) else {
        return Vec::new();
    };
    let mut questions = Vec::new();
    questions.extend(materials_question(catalog, item));
    questions.push(days_question(catalog, item));
    questions.extend(eligibility_question(catalog, item));
    questions
}

/// A question a supervisor wrote, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenQuestion {
    /// Given by the store.
    pub id: u64,
    #[serde(flatten)]
    pub question: NewQuestion,
    pub author: String,
    pub added_at: DateTime<Utc>,
}

impl WrittenQuestion {
    pub fn question(&self) -> Question {
        let q = &self.question;
        Question {
            id: format!("written:{}", self.id),
            item: q.item.clone(),
            kind: QuestionKind::Written,
            prompt: q.prompt.clone(),
            choices: q
                .choices
                .iter()
                .enumerate()
                .map(|(index, text)| Choice {
                    key: (index + 1).to_string(),
                    text: text.clone(),
                    correct: q.correct.contains(&(index + 1)),
                })
                .collect(),
            // Always "choose all": a single radio would tell that only one is right.
            multiple: true,
        }
    }
}

/// A question as a supervisor writes it, for one item of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestion {
    pub center: CenterId,
    pub item: String,
    pub prompt: Phrase,
    pub choices: Vec<Phrase>,
    /// The right choices, numbered from 1.
    pub correct: BTreeSet<usize>,
}

/// Why a written question is refused, each about one field of the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionProblem {
    #[error("the catalog has no item `{0}`")]
    Item(String),
    #[error("the question in Chinese must be 1 to {TEXT_MAX} characters")]
    PromptZh,
    #[error("the question in English must be 1 to {TEXT_MAX} characters")]
    PromptEn,
    #[error("a question has {CHOICES_MIN} to {CHOICES_MAX} choices")]
    ChoiceCount,
    /// Choice `n` (from 1) lacks a language or is too long.
    #[error("choice {0} must have Chinese and English, each up to {TEXT_MAX} characters")]
    Choice(usize),
    #[error("mark at least one choice as right")]
    NoCorrect,
    #[error("there is no choice {0}")]
    Correct(usize),
}

fn fits(text: &str) -> bool {
    let n = text.trim().chars().count();
    (1..=TEXT_MAX).contains(&n)
}

impl NewQuestion {
    /// Every problem, so the form can show each beside its field.
    pub fn check(&self, catalog: &Catalog) -> Result<(), Vec<QuestionProblem>> {
        let mut problems = Vec::new();
        if catalog.item(&self.item).is_none() {
            problems.push(QuestionProblem::Item(self.item.clone()));
        }
        if !fits(&self.prompt.zh) {
            problems.push(QuestionProblem::PromptZh);
        }
        if !fits(&self.prompt.en) {
            problems.push(QuestionProblem::PromptEn);
        }
        if !(CHOICES_MIN..=CHOICES_MAX).contains(&self.choices.len()) {
            problems.push(QuestionProblem::ChoiceCount);
        }
        if let Some(n) = self
            .choices
            .iter()
            .position(|c| !fits(&c.zh) || !fits(&c.en))
        {
            problems.push(QuestionProblem::Choice(n + 1));
        }
        if self.correct.is_empty() {
            problems.push(QuestionProblem::NoCorrect);
        } else if let Some(n) = self
            .correct
            .iter()
            .find(|n| **n == 0 || **n > self.choices.len())
        {
            problems.push(QuestionProblem::Correct(*n));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Each question's chosen keys, by question id.
pub type Answers = BTreeMap<String, BTreeSet<String>>;

/// A test on one item: its generated questions, then the written ones, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub item: String,
    pub questions: Vec<Question>,
}

impl Test {
    /// `None` for an item the catalog does not have. `written` may hold other items'
    /// questions; only this item's are taken.
    pub fn for_item(catalog: &Catalog, item: &str, written: &[WrittenQuestion]) -> Option<Test> {
        catalog.item(item)?;
        let mut questions = generated(catalog, item);
        let mut own: Vec<&WrittenQuestion> =
            written.iter().filter(|w| w.question.item == item).collect();
        own.sort_by_key(|w| w.id);
        questions.extend(own.into_iter().map(WrittenQuestion::question));
        Some(Test {
            item: item.to_owned(),
            questions,
        })
    }

    pub fn score(&self, answers: &Answers, pass_mark: u8) -> Score {
        let none = BTreeSet::new();
        let right: BTreeSet<String> = self
            .questions
            .iter()
            .filter(|q| q.is_right(answers.get(&q.id).unwrap_or(&none)))
            .map(|q| q.id.clone())
            .collect();
        Score::new(right.len() as u32, self.questions.len() as u32, pass_mark).with(right)
    }
}

/// How a test went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub correct: u32,
    pub total: u32,
    /// The pass mark it was held to, in percent.
    pub pass_mark: u8,
    /// `correct ÷ total ≥ pass_mark %`, compared exactly (in whole numbers).
    pub passed: bool,
    /// The questions answered right, by id.
    pub right: BTreeSet<String>,
}

impl Score {
    pub fn new(correct: u32, total: u32, pass_mark: u8) -> Score {
        let passed =
            total > 0 && u64::from(correct) * 100 >= u64::from(pass_mark) * u64::from(total);
        Score {
            correct,
            total,
            pass_mark,
            passed,
            right: BTreeSet::new(),
        }
    }

    fn with(mut self, right: BTreeSet<String>) -> Score {
        self.right = right;
        self
    }

    /// The share right in whole percent, rounded down (so 79.9 never shows as a pass of 80).
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (u64::from(self.correct) * 100 / u64::from(self.total)) as u32
        }
    }
}

/// A test taken, before the store numbers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttempt {
    pub center: CenterId,
    pub staff: String,
    pub item: String,
    pub at: DateTime<Utc>,
    pub score: Score,
    pub answers: Answers,
    /// The catalog the generated questions came from.
    pub catalog_version: String,
}

/// A test taken, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: u64,
    #[serde(flatten)]
    pub attempt: NewAttempt,
}

/// The (member, item) pairs with a passed test.
pub fn passed(attempts: &[Attempt]) -> BTreeSet<(String, String)> {
    attempts
        .iter()
        .filter(|a| a.attempt.score.passed)
        .map(|a| (a.attempt.staff.clone(), a.attempt.item.clone()))
        .collect()
}
