//! The scan: the proactive items (免申即享) judged for every resident of a population, a
//! chunk of residents at a time on every thread, each item's `eligible` evaluated conjunct
//! by conjunct over the chunk's columns.
//!
//! An item's status is pre-review's: ineligible when a conjunct is false, else unknown when
//! one is unknown, else eligible, which is Kleene's `&&` over the conjuncts. Derived facts
//! are computed per chunk in dependency order, as `Catalog::env` computes them per applicant.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;

use super::column::Truth;
use super::eval::{Frame, as_decimal, eval};
use super::population::{Chunk, Population};
use crate::catalog::{Catalog, FactType, Item};
use crate::prereview::Status;
use crate::value::Value;

/// Which items a scan judges, and what it needs of a population for them.
#[derive(Debug, Clone)]
pub struct ScanPlan<'c> {
    pub(crate) catalog: &'c Catalog,
    /// Item indices, in catalog order.
    items: Vec<usize>,
    /// Per fact slot: whether the population's column is kept (an item's `eligible` or a
    /// material's `when` names it, directly or through a derived fact).
    pub(crate) kept: Vec<bool>,
    /// Derived fact slots an `eligible` needs, in the order `Catalog::env` computes them.
    derived: Vec<usize>,
    /// Per item: the given facts its conditions name, by slot in declaration order.
    offer_facts: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("`{0}` is not an item of this catalog")]
    UnknownItem(String),
    #[error(
        "`{0}` is not a proactive item: only items with `proactive = true` are scanned (免申即享)"
    )]
    NotProactive(String),
    #[error("the catalog has no proactive items (`proactive = true`) to scan")]
    NoProactiveItems,
    #[error("no item was selected")]
    Empty,
}

impl<'c> ScanPlan<'c> {
    /// A scan of `items` (every proactive item when `None`); each must be proactive.
    pub fn new(catalog: &'c Catalog, items: Option<&[String]>) -> Result<Self, PlanError> {
        let mut indices = match items {
            None => {
                let all: Vec<usize> = (0..catalog.items().len())
                    .filter(|&i| catalog.item_at(i).proactive)
                    .collect();
                if all.is_empty() {
                    return Err(PlanError::NoProactiveItems);
                }
                all
            }
            Some(ids) => ids
                .iter()
                .map(|id| {
                    let index = catalog
                        .item_index(id)
                        .ok_or_else(|| PlanError::UnknownItem(id.clone()))?;
                    if !catalog.item_at(index).proactive {
                        return Err(PlanError::NotProactive(id.clone()));
                    }
                    Ok(index)
                })
                .collect::<Result<_, _>>()?,
        };
        if indices.is_empty() {
            return Err(PlanError::Empty);
        }
        indices.sort_unstable();
        indices.dedup();

        let facts = catalog.fact_count();
        let mut kept = vec![false; facts];
        let mut needed = vec![false; facts];
        let mut offer_facts = Vec::new();
        for &index in &indices {
            let item = catalog.item_at(index);
            // Per item: another item's tracing through a derived fact does not name the
            // given facts behind it for this one.
            let mut named = vec![false; facts];
            let mut derived = vec![false; facts];
            for conjunct in item.eligible.iter().flat_map(|e| &e.conjuncts) {
                trace(catalog, &conjunct.program.refs, &mut derived, &mut named);
            }
            for (slot, &is_derived) in derived.iter().enumerate() {
                needed[slot] |= is_derived;
            }
            for when in item.materials.iter().filter_map(|m| m.when.as_ref()) {
                trace(catalog, &when.program.refs, &mut derived, &mut named);
            }
            for (slot, &is_named) in named.iter().enumerate() {
                kept[slot] |= is_named;
            }
            offer_facts.push((0..facts).filter(|&s| named[s]).collect());
        }
        let derived = catalog
            .derive_order
            .iter()
            .copied()
            .filter(|&slot| needed.get(slot).copied().unwrap_or(false))
            .collect();
        Ok(ScanPlan {
            catalog,
            items: indices,
            kept,
            derived,
            offer_facts,
        })
    }

    /// The items scanned, in catalog order.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &'c Item> + '_ {
        self.items.iter().map(|&i| self.catalog.item_at(i))
    }

    /// Judges every resident of `population` on `on`, on `threads` threads.
    pub fn scan<'s>(
        &'s self,
        population: &'s Population,
        on: NaiveDate,
        threads: usize,
    ) -> Scan<'s> {
        let chunks = &population.chunks;
        let next = AtomicUsize::new(0);
        let results = Mutex::new(vec![Vec::new(); chunks.len()]);
        std::thread::scope(|scope| {
            for _ in 0..threads.clamp(1, chunks.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(index) else {
                            break;
                        };
                        let judged = self.judge(chunk, on);
                        if let Ok(mut results) = results.lock()
                            && let Some(place) = results.get_mut(index)
                        {
                            *place = judged;
                        }
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        Scan {
            plan: self,
            population,
            results,
        }
    }

    /// Per item, the truth of its `eligible` for each row of `chunk`.
    fn judge(&self, chunk: &Chunk, on: NaiveDate) -> Vec<Truth> {
        let rows = chunk.rows;
        let mut frame = Frame {
            rows,
            on,
            columns: chunk.columns.iter().map(Cow::Borrowed).collect(),
        };
        for &slot in &self.derived {
            let fact = self.catalog.fact_at(slot);
            let Some(derive) = &fact.derive else { continue };
            let column = eval(&derive.program.node, &frame).into_owned();
            let column = match fact.ty {
                FactType::Decimal => as_decimal(column, rows),
                _ => column,
            };
            if let Some(place) = frame.columns.get_mut(slot) {
                *place = Cow::Owned(column);
            }
        }
        self.items()
            .map(|item| {
                let conjuncts = item.eligible.iter().flat_map(|e| &e.conjuncts);
                conjuncts.fold(Truth::same(rows, Some(true)), |status, conjunct| {
                    status.and(&eval(&conjunct.program.node, &frame).truth(rows))
                })
            })
            .collect()
    }
}

/// Marks the facts `refs` name, following derived facts to the given facts behind them:
/// `named` gets the given facts, `derived` the derived ones passed through.
fn trace(catalog: &Catalog, refs: &[usize], derived: &mut [bool], named: &mut [bool]) {
    for &slot in refs {
        let fact = catalog.fact_at(slot);
        match &fact.derive {
            Some(derive) => {
                if !derived[slot] {
                    derived[slot] = true;
                    trace(catalog, &derive.program.refs, derived, named);
                }
            }
            None => named[slot] = true,
        }
    }
}

/// The statuses of a population's residents for the plan's items.
#[derive(Debug)]
pub struct Scan<'s> {
    plan: &'s ScanPlan<'s>,
    population: &'s Population,
    /// Per chunk, per item: eligible (`yes`), ineligible (`no`), else unknown.
    results: Vec<Vec<Truth>>,
}

/// How many residents an item found eligible, and how many it could not tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCount<'c> {
    pub item: &'c str,
    pub eligible: u64,
    pub unknown: u64,
}

impl<'s> Scan<'s> {
    pub fn residents(&self) -> u64 {
        self.population.residents()
    }

    /// Per item in catalog order.
    pub fn counts(&self) -> Vec<ItemCount<'s>> {
        self.plan
            .items()
            .enumerate()
            .map(|(position, item)| {
                let mut count = ItemCount {
                    item: &item.id,
                    eligible: 0,
                    unknown: 0,
                };
                for (chunk, truths) in self.population.chunks.iter().zip(&self.results) {
                    if let Some(truth) = truths.get(position) {
                        count.eligible += truth.count_true(&chunk.counted);
                        count.unknown += truth.count_unknown(&chunk.counted);
                    }
                }
                count
            })
            .collect()
    }

    /// Every resident, in the population's order.
    pub fn residents_judged(&self) -> impl Iterator<Item = Judged<'s, '_>> {
        self.population
            .chunks
            .iter()
            .zip(&self.results)
            .flat_map(move |(chunk, truths)| {
                (0..chunk.rows)
                    .filter(|&row| chunk.is_counted(row))
                    .map(move |row| Judged {
                        scan: self,
                        chunk,
                        truths,
                        row,
                    })
            })
    }
}

/// One resident and their statuses.
#[derive(Debug, Clone, Copy)]
pub struct Judged<'s, 'r> {
    scan: &'r Scan<'s>,
    chunk: &'r Chunk,
    truths: &'r [Truth],
    row: usize,
}

impl<'s, 'r> Judged<'s, 'r> {
    pub fn id(&self) -> &'r str {
        self.chunk.id(self.row)
    }

    /// The line of the population the resident is on.
    pub fn line(&self) -> u64 {
        self.chunk.line(self.row)
    }

    /// The resident's status for each item, in catalog order.
    pub fn statuses(&self) -> impl Iterator<Item = (&'s Item, Status)> + '_ {
        self.scan
            .plan
            .items()
            .zip(self.truths)
            .map(|(item, truth)| {
                let status = match truth.get(self.row) {
                    Some(true) => Status::Eligible,
                    Some(false) => Status::Ineligible,
                    None => Status::Unknown,
                };
                (item, status)
            })
    }

    /// The known given facts `item`'s conditions name, as a JSON object pre-review reads
    /// (`Applicant::from_json`): what an offer carries so a case can start from them.
    pub fn facts_for(&self, item: &str) -> String {
        let plan = self.scan.plan;
        let slots = plan
            .items
            .iter()
            .position(|&i| plan.catalog.item_at(i).id == item)
            .and_then(|position| plan.offer_facts.get(position));
        let mut json = String::from("{");
        for &slot in slots.into_iter().flatten() {
            let Some(value) = self.chunk.columns.get(slot).and_then(|c| c.get(self.row)) else {
                continue;
            };
            if json.len() > 1 {
                json.push(',');
            }
            let name = &plan.catalog.fact_at(slot).id;
            let _ = write!(json, "{}:", serde_json::Value::from(name.as_str()));
            write_json(&mut json, &value.into_value());
        }
        json.push('}');
        json
    }
}

fn write_json(json: &mut String, value: &Value) {
    let _ = match value {
        Value::Bool(b) => write!(json, "{b}"),
        Value::Int(i) => write!(json, "{i}"),
        Value::Decimal(d) => write!(json, "{}", d.to_plain_string()),
        Value::Str(s) => write!(json, "{}", serde_json::Value::from(s.as_ref())),
        Value::Date(d) => write!(json, "\"{}\"", d.format("%Y-%m-%d")),
        Value::List(_) => write!(json, "null"),
    };
}

/// The truth of `program` for each of `rows` (values by fact slot, of the fact types
/// `types`), evaluated column by column as a scan does. For tests and fuzzing: they compare
/// it with the scalar evaluator.
#[doc(hidden)]
pub fn columnar_truths(
    program: &crate::expr::Program,
    types: &[crate::expr::Type],
    rows: &[Vec<Option<Value>>],
    on: NaiveDate,
) -> Vec<Option<bool>> {
    let columns = types
        .iter()
        .enumerate()
        .map(|(slot, ty)| {
            let values = rows
                .iter()
                .map(|row| row.get(slot).cloned().flatten())
                .collect();
            Cow::Owned(super::cells::column_of(ty, values))
        })
        .collect();
    let frame = Frame {
        rows: rows.len(),
        on,
        columns,
    };
    let truth = eval(&program.node, &frame).truth(rows.len()).into_owned();
    (0..rows.len()).map(|row| truth.get(row)).collect()
}
