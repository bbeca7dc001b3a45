//! Training (3先3后) from the process record: how often each item comes in, who has handled
//! what and how well, and for each clerk the items to learn next, high-frequency items first
//! and broad categories before narrow ones. `docs/training.md` says the same for directors.
//!
//! The record is read once into [`Work`]: who did which step on which case of which item, on
//! which day. Everything else here only filters and counts that list, so the frequency table,
//! the competence matrix and the onboarding tracker cannot disagree about what was done.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Months, NaiveDate};
use chrono_tz::Tz;
use haoban_cases::record::Entry;
use haoban_cases::{EventKind, Role};
use haoban_catalog::Catalog;
use rust_decimal::Decimal;

use crate::{InsightError, round4};

/// Cases a year from which an item is high-frequency (高频事项): the model center's line.
pub const DEFAULT_HIGH_FREQUENCY_LINE: u32 = 500;
/// Percent of a test's questions to answer right to pass.
pub const DEFAULT_PASS_MARK: u8 = 80;
/// How long a new member is tracked before they are put on duty on their own.
pub const DEFAULT_ONBOARDING_MONTHS: u32 = 3;

/// A center's training settings. The time zone is the catalog's, given where needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingConfig {
    /// Cases in the last 12 months from which an item is high-frequency.
    pub high_frequency_line: u32,
    /// Percent (1–100) of a test's questions to answer right to pass.
    pub pass_mark: u8,
    /// Months of the onboarding tracker (1–24).
    pub onboarding_months: u32,
}

impl Default for TrainingConfig {
    fn default() -> TrainingConfig {
        TrainingConfig {
            high_frequency_line: DEFAULT_HIGH_FREQUENCY_LINE,
            pass_mark: DEFAULT_PASS_MARK,
            onboarding_months: DEFAULT_ONBOARDING_MONTHS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainingConfigError {
    #[error("the high-frequency line must be at least 1 case a year")]
    Line,
    #[error("the pass mark must be a percentage from 1 to 100")]
    PassMark,
    #[error("the onboarding period must be 1 to 24 months")]
    Months,
}

impl TrainingConfig {
    pub fn check(&self) -> Result<(), TrainingConfigError> {
        if self.high_frequency_line == 0 {
            return Err(TrainingConfigError::Line);
        }
        if !(1..=100).contains(&self.pass_mark) {
            return Err(TrainingConfigError::PassMark);
        }
        if !(1..=24).contains(&self.onboarding_months) {
            return Err(TrainingConfigError::Months);
        }
        Ok(())
    }
}

/// What a step on a case counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkKind {
    /// The case came in (`submitted`), by whoever opened it: a clerk, or a resident online.
    Submitted,
    /// Accepted, with or without a deficiency: handled, and the clerk answers for what
    /// the office later sends back.
    Accepted,
    /// Refused at the window (`not_accepted`): handled.
    NotAccepted,
    /// Approved or denied by the office: handled.
    Decided,
    /// A supplement (补正) the office asked for, credited to the clerk who accepted the case:
    /// the window should have asked for the material (一次性告知).
    Supplement,
}

impl WorkKind {
    /// Whether the step is handling the case (as the competence matrix counts it).
    pub fn is_handling(self) -> bool {
        matches!(
            self,
            WorkKind::Accepted | WorkKind::NotAccepted | WorkKind::Decided
        )
    }
}

/// One step of the record, attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    pub seq: u64,
    /// The day it was recorded, in the center's time zone.
    pub on: NaiveDate,
    /// Who it counts for (for a supplement: the accepting clerk, not the office).
    pub staff: String,
    pub item: String,
    pub case: String,
    pub kind: WorkKind,
}

fn bad(entry: &Entry, problem: impl std::fmt::Display) -> InsightError {
    InsightError::Entry {
        seq: entry.seq,
        problem: problem.to_string(),
    }
}

/// Reads `center`'s record up to and including the day `through`: every case step that
/// training counts, in record order. Other parts' entries (the hall, ratings) are skipped.
pub fn read_work(
    center: &str,
    entries: &[Entry],
    time_zone: Tz,
    through: NaiveDate,
) -> Result<Vec<Work>, InsightError> {
    // Per case: its item and the clerk who accepted it.
    let mut cases: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.seq);
    let mut work = Vec::new();
    for entry in ordered {
        if entry.center != center {
            return Err(bad(entry, format!("belongs to center `{}`", entry.center)));
        }
        let (Some(number), true) = (&entry.case, EventKind::is_case_kind(&entry.kind)) else {
            continue;
        };
        let on = DateTime::parse_from_rfc3339(&entry.at)
            .map_err(|e| bad(entry, format!("time `{}`: {e}", entry.at)))?
            .with_timezone(&time_zone)
            .date_naive();
        if on > through {
            continue;
        }
        let event = entry.event().map_err(|e| bad(entry, e))?;
        if let EventKind::Submitted { item, .. } = &event.kind {
            cases.insert(number.clone(), (item.clone(), None));
        }
        let Some((item, clerk)) = cases.get_mut(number) else {
            return Err(bad(entry, format!("case {number} was never submitted")));
        };
        let (kind, staff) = match &event.kind {
            EventKind::Submitted { .. } => (WorkKind::Submitted, entry.actor.clone()),
            EventKind::Accepted { .. } | EventKind::AcceptedWithDeficiency { .. } => {
                *clerk = Some(entry.actor.clone());
                (WorkKind::Accepted, entry.actor.clone())
            }
            EventKind::NotAccepted { .. } => (WorkKind::NotAccepted, entry.actor.clone()),
            EventKind::Approved { .. } | EventKind::Denied { .. } => {
                (WorkKind::Decided, entry.actor.clone())
            }
            EventKind::SupplementRequested { .. } => match clerk {
                Some(clerk) => (WorkKind::Supplement, clerk.clone()),
                None => continue,
            },
            _ => continue,
        };
        if kind != WorkKind::Submitted && entry.role == Role::Resident.as_str() {
            continue;
        }
        work.push(Work {
            seq: entry.seq,
            on,
            staff,
            item: item.clone(),
            case: number.clone(),
            kind,
        });
    }
    Ok(work)
}

/// The first day of the 12 months that end on `today`.
pub fn year_before(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MIN)
}

/// How many items each category holds, its subcategories' included: a category's breadth.
/// An item's breadth is its own category's, so an item filed under a broad category (社会救助)
/// comes before one under a narrow subcategory of it.
pub fn category_breadth(catalog: &Catalog) -> BTreeMap<String, u32> {
    let mut breadth: BTreeMap<String, u32> = BTreeMap::new();
    for item in catalog.items() {
        let mut category = Some(item.category.as_str());
        // The loader refuses cycles; the bound keeps a bad catalog from looping anyway.
        for _ in 0..=catalog.categories().len() {
            let Some(id) = category else { break };
            *breadth.entry(id.to_owned()).or_default() += 1;
            category = catalog.category(id).and_then(|c| c.parent.as_deref());
        }
    }
    breadth
}

/// One item's line of the frequency table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrequencyRow {
    pub item: String,
    /// `None` for an item the record has that the catalog no longer does.
    pub category: Option<String>,
    /// The breadth of the item's category (0 outside the catalog).
    pub breadth: u32,
    /// Cases submitted in the period.
    pub cases: u32,
    /// At or above the high-frequency line.
    pub high: bool,
}

/// Cases submitted per item over the 12 months that end today, with the line marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frequency {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub line: u32,
    /// Every catalog item (those with no case too) and any other item the record shows:
    /// most cases first, then catalog (id) order.
    pub rows: Vec<FrequencyRow>,
}

impl Frequency {
    pub fn compute(catalog: &Catalog, work: &[Work], today: NaiveDate, line: u32) -> Frequency {
        let from = year_before(today);
        let mut counts: BTreeMap<&str, u32> = catalog.items().map(|i| (&*i.id, 0)).collect();
        for w in work {
            if w.kind == WorkKind::Submitted && (from..=today).contains(&w.on) {
                *counts.entry(&w.item).or_default() += 1;
            }
        }
        let breadth = category_breadth(catalog);
        let mut rows: Vec<FrequencyRow> = counts
            .into_iter()
            .map(|(item, cases)| {
                let category = catalog.item(item).map(|i| i.category.clone());
                FrequencyRow {
                    item: item.to_owned(),
                    breadth: category
                        .as_ref()
                        .and_then(|c| breadth.get(c))
                        .copied()
                        .unwrap_or(0),
                    category,
                    cases,
                    high: cases >= line,
                }
            })
            .collect();
        // Stable: equal counts keep the id order the map gave them.
        rows.sort_by_key(|row| Reverse(row.cases));
        Frequency {
            from,
            to: today,
            line,
            rows,
        }
    }

    pub fn row(&self, item: &str) -> Option<&FrequencyRow> {
        self.rows.iter().find(|row| row.item == item)
    }
}

/// What the record shows of one member on one item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// Cases they accepted, refused or decided (each case once).
    pub handled: u32,
    /// Cases they accepted.
    pub accepted: u32,
    /// Supplements the office asked for on the cases they accepted.
    pub supplements: u32,
    /// They passed a test on the item.
    pub tested: bool,
}

impl Cell {
    /// Supplements per accepted case, to 4 places; `None` without an accepted case. A case
    /// sent back twice counts twice, as on the monthly list, so the rate can pass 1.
    pub fn error_rate(&self) -> Option<Decimal> {
        (self.accepted > 0)
            .then(|| round4(Decimal::from(self.supplements) / Decimal::from(self.accepted)))
    }

    /// Whether the member knows the item: handled it or passed its test.
    pub fn knows(&self) -> bool {
        self.handled > 0 || self.tested
    }
}

/// Staff × item: handled, error rate, tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetenceMatrix {
    /// The members given and anyone else the record shows handling a case, by username.
    pub staff: Vec<String>,
    /// The catalog's items, in catalog order.
    pub items: Vec<String>,
    cells: BTreeMap<(String, String), Cell>,
}

/// Counts `work` per member and item: distinct cases handled, acceptances, supplements.
fn tally<'a>(work: impl Iterator<Item = &'a Work>) -> BTreeMap<(String, String), Cell> {
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    for w in work {
        let cell = || (w.staff.clone(), w.item.clone());
        match w.kind {
            WorkKind::Submitted => continue,
            WorkKind::Supplement => cells.entry(cell()).or_default().supplements += 1,
            kind => {
                let entry = cells.entry(cell()).or_default();
                if kind == WorkKind::Accepted {
                    entry.accepted += 1;
                }
                if seen.insert((&w.staff, &w.case)) {
                    entry.handled += 1;
                }
            }
        }
    }
    cells
}

impl CompetenceMatrix {
    /// `work` as read by [`read_work`]; `staff` the center's members to show even with no
    /// case; `passed` the (member, item) pairs with a passed test.
    pub fn compute(
        catalog: &Catalog,
        work: &[Work],
        staff: &[String],
        passed: &BTreeSet<(String, String)>,
    ) -> CompetenceMatrix {
        let mut cells = tally(work.iter());
        for (member, item) in passed {
            cells
                .entry((member.clone(), item.clone()))
                .or_default()
                .tested = true;
        }
        let mut members: BTreeSet<String> = staff.iter().cloned().collect();
        members.extend(
            cells
                .iter()
                .filter(|(_, cell)| cell.handled > 0)
                .map(|((member, _), _)| member.clone()),
        );
        CompetenceMatrix {
            staff: members.into_iter().collect(),
            items: catalog.items().map(|i| i.id.clone()).collect(),
            cells,
        }
    }

    pub fn cell(&self, staff: &str, item: &str) -> Cell {
        self.cells
            .get(&(staff.to_owned(), item.to_owned()))
            .cloned()
            .unwrap_or_default()
    }
}

/// One item of a clerk's plan, with why it is where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub item: String,
    pub category: String,
    pub breadth: u32,
    pub cases: u32,
    pub high: bool,
}

/// The items `staff` has neither handled nor passed a test on, in the order to learn them
/// (3先): high-frequency items first; then items of broad categories before narrow ones
/// (breadth, most items first); then by cases in the last 12 months; then catalog order.
pub fn plan(
    catalog: &Catalog,
    frequency: &Frequency,
    matrix: &CompetenceMatrix,
    staff: &str,
) -> Vec<PlanStep> {
    let breadth = category_breadth(catalog);
    let mut steps: Vec<(usize, PlanStep)> = catalog
        .items()
        .enumerate()
        .filter(|(_, item)| !matrix.cell(staff, &item.id).knows())
        .map(|(index, item)| {
            let (cases, high) = frequency
                .row(&item.id)
                .map_or((0, false), |row| (row.cases, row.high));
            let step = PlanStep {
                item: item.id.clone(),
                category: item.category.clone(),
                breadth: breadth.get(&item.category).copied().unwrap_or(0),
                cases,
                high,
            };
            (index, step)
        })
        .collect();
    steps.sort_by_key(|(index, step)| {
        (
            !step.high,
            Reverse(step.breadth),
            Reverse(step.cases),
            *index,
        )
    });
    steps.into_iter().map(|(_, step)| step).collect()
}
