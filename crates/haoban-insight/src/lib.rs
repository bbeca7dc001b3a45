//! haoban-insight: the monthly performance list on five dimensions (5个维度), computed only
//! from a center's process record, so every figure can be opened down to the events behind
//! it and nobody can argue it was typed in.
//!
//! Pure: it reads the chain a store returns and the catalog's value points, and returns
//! the list. `docs/performance.md` is the same description for directors; keep them in step.
//!
//! # What counts, and when
//!
//! An event belongs to the month of the day it was recorded, in the center's time zone
//! ([`Config::time_zone`]). Events after the month are not read, so a month computed again
//! later gives the same list. A member is on the list when the month shows work, a rating or
//! a fault of theirs (a day spent configuring windows alone does not put an administrator on it).
//!
//! # The figures (per member *m*, month *M*)
//!
//! - **Quantity** `Q = A + N + D + T`: *A* cases *m* accepted (`accepted`,
//!   `accepted_with_deficiency`), *N* refused (`not_accepted`), *D* back-office decisions
//!   (`approved`, `denied`; the approval an instant item gets with its acceptance is part of
//!   the acceptance, not a second piece of work), *T* tickets served: each ticket (day,
//!   number) counts once, for whoever recorded its last `service_finished`, or, when it was
//!   never finished, its last `ticket_called`, unless it then ended as a no-show or was
//!   transferred on without being called again.
//! - **Efficiency** over the cases *m* accepted that were decided (`approved`/`denied`) in
//!   *M*: for each, *w* = working days from acceptance to decision (the calendar's, less the
//!   working days spent in 补正, exactly as the deadline counts them), *p* = the case's own
//!   promised days; `on_time` = decided by the deadline; `saved = clamp(1 − w/p, 0, 1)`
//!   (instant item: 1 if decided the same day). `E = (on-time rate + mean saved) ÷ 2`: half
//!   for keeping the promise, half for how much of the promised time was left.
//! - **Value** `V` = Σ value points of the items of the cases *m* accepted in *M*, from the
//!   catalog given (an item it no longer has counts 0 and is listed).
//! - **Evaluation** over the ratings (`rating_given`, and `rating_defaulted` for unrated
//!   cases) naming *m* as `staff` in *M*: mean level, good-rating rate (levels 5, 4, 3 over
//!   all). Unresolved bad ratings weigh against: a follow-up opened in *M* and neither fixed
//!   nor dismissed on appeal by the end of *M*, or one whose appeal was upheld in *M*. Each
//!   counts as one more rating of level 0: `R = Σ levels ÷ (ratings + unresolved)`.
//! - **Quality** (lower is better) `F = 100 × (S + C) ÷ max(Q, 1)`, faults per hundred
//!   pieces of work: *S* supplements (补正) requested in *M* on cases *m* accepted (an
//!   acceptance mistake), *C* appeals upheld in *M* on *m*'s bad ratings. A denial after
//!   acceptance is not a fault: a window must accept a complete application, and whether
//!   the applicant qualifies is the office's decision.
//!
//! # Days on duty
//!
//! *d* = days of *M* with any event of *m*'s in the record (a weekend day worked counts), or
//! the center's override. Quantity and value are volumes, so they are compared per day:
//! `Q' = Q × W ÷ d` and `V' = V × W ÷ d`, *W* the working days of the whole month. The other
//! three are rates and need no adjustment.
//!
//! # Scores, total, rank
//!
//! Derived figures are rounded to 4 decimal places, scores and totals to 2 (half away from
//! zero), and each is computed from the rounded figures shown, so a reader can redo the
//! arithmetic. Within the center, per dimension: `100 × x ÷ best` (ratio to the best; all 0
//! when the best is 0) for `Q'`, `E`, `V'`, `R`; `100 × (worst − F) ÷ worst` for quality
//! (all 100 when nobody has a fault). A dimension without data for a member (no case
//! decided, no rating, neither work nor fault) is left out of their total, which is the
//! weighted mean of the scores they have: `Σ wᵢsᵢ ÷ Σ wᵢ`. Rank by total, highest first;
//! equal totals share a rank and the next is skipped (1, 2, 2, 4); ties are listed by username.
//!
//! # Training (3先3后)
//!
//! From the same record: cases submitted per item over the last 12 months with the
//! high-frequency line ([`Frequency`]), staff × item handled, error rate and tested
//! ([`CompetenceMatrix`]), each clerk's [`plan`] (high-frequency items first, broad categories
//! before narrow ones), the question bank ([`generated`] from the catalog, [`WrittenQuestion`]s)
//! with [`Test`]s and [`Score`]s, and the [`Tracker`] of a new member's first months. The
//! rules are in `docs/training.md`.

mod config;
mod figures;
mod list;
mod onboarding;
mod questions;
mod training;
mod walk;

use rust_decimal::{Decimal, RoundingStrategy};

pub use config::{Config, ConfigError, Dimension, Weights};
pub use figures::{
    Count, DayOnDuty, DaysOnDuty, DaysSource, EfficiencyFigures, EvaluationFigures, Figures,
    HandledCase, QualityFigures, QuantityFigures, RatingSeen, Unresolved, ValueFigures, ValuedCase,
};
/// The calendar working days are counted in, as [`MonthlyList::compute`] takes it.
pub use haoban_catalog::Calendar;
pub use haoban_catalog::{Month, MonthError};
pub use list::{MonthlyList, Row, Scale};
pub use onboarding::{
    Decision, NOTE_MAX, Onboarding, OnboardingError, OnboardingStep, Period, Review, Tracker,
    Volume, note,
};
pub use questions::{
    Answers, Attempt, CHOICES_MAX, CHOICES_MIN, Choice, NewAttempt, NewQuestion, Phrase, Question,
    QuestionKind, QuestionProblem, Score, TEXT_MAX, Test, WrittenQuestion, generated, passed,
};
pub use training::{
    Cell, CompetenceMatrix, DEFAULT_HIGH_FREQUENCY_LINE, DEFAULT_ONBOARDING_MONTHS,
    DEFAULT_PASS_MARK, Frequency, FrequencyRow, PlanStep, TrainingConfig, TrainingConfigError,
    Work, WorkKind, category_breadth, plan, read_work, year_before,
};

/// Where the value points of an item come from: the catalog in use, or in tests a table.
pub trait Items {
    fn value_points(&self, item: &str) -> Option<Decimal>;
    /// The catalog's version, recorded on the list.
    fn version(&self) -> Option<&str> {
        None
    }
}

impl Items for haoban_catalog::Catalog {
    fn value_points(&self, item: &str) -> Option<Decimal> {
        self.item(item).map(|i| i.value_points)
    }

    fn version(&self) -> Option<&str> {
        Some(&self.version)
    }
}

impl Items for std::collections::BTreeMap<String, Decimal> {
    fn value_points(&self, item: &str) -> Option<Decimal> {
        self.get(item).copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsightError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The record holds an event the list cannot read: the chain should be verified.
    #[error("event #{seq}: {problem}")]
    Entry { seq: u64, problem: String },
    #[error("a figure is too large to compute")]
    Overflow,
}

pub(crate) fn round4(x: Decimal) -> Decimal {
    let mut x = x.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(4);
    x
}

pub(crate) fn round2(x: Decimal) -> Decimal {
    let mut x = x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(2);
    x
}
