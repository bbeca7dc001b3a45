//! Pre-review (准确预审): every selected item judged at once, one merged checklist of
//! materials (一次性告知), and the questions still worth asking, in the order that settles
//! the most items first.

use chrono::NaiveDate;
use serde::Serialize;

use crate::applicant::Applicant;
use crate::catalog::Catalog;
use crate::expr::Env;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Eligible,
    Ineligible,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemReview<'c> {
    pub id: &'c str,
    pub status: Status,
    /// For an ineligible item, the source of each top-level conjunct that is false.
    pub failed: Vec<&'c str>,
    /// For an unknown item, the unknown given facts its unknown conjuncts depend on, sorted.
    pub needs: Vec<&'c str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistEntry<'c> {
    pub material: &'c str,
    pub copies: u32,
    #[serde(rename = "for")]
    pub for_items: Vec<&'c str>,
    /// True when the material is needed only if something still unknown turns out so.
    pub conditional: bool,
    pub needs: Vec<&'c str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreReview<'c> {
    pub on: NaiveDate,
    pub items: Vec<ItemReview<'c>>,
    pub checklist: Vec<ChecklistEntry<'c>>,
    pub questions: Vec<&'c str>,
}

/// Which items to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    Items(Vec<String>),
    Bundle(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("`{0}` is not an item of this catalog")]
    UnknownItem(String),
    #[error("`{0}` is not a bundle of this catalog")]
    UnknownBundle(String),
    #[error("no item was selected")]
    Empty,
}

/// Item indices chosen by a selection, in catalog order, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected(Vec<usize>);

struct Contribution {
    copies: u32,
    items: Vec<usize>,
    certain: bool,
    needs: Vec<usize>,
}

impl Catalog {
    pub fn select(&self, selection: &Selection) -> Result<Selected, SelectionError> {
        let ids: Vec<&str> = match selection {
            Selection::All => return Ok(Selected((0..self.items.len()).collect())),
            Selection::Items(ids) => ids.iter().map(String::as_str).collect(),
            Selection::Bundle(id) => self
                .bundle(id)
                .ok_or_else(|| SelectionError::UnknownBundle(id.clone()))?
                .items
                .iter()
                .map(String::as_str)
                .collect(),
        };
        let mut indices = ids
            .into_iter()
            .map(|id| {
                self.item_index(id)
                    .ok_or_else(|| SelectionError::UnknownItem(id.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if indices.is_empty() {
            return Err(SelectionError::Empty);
        }
        indices.sort_unstable();
        indices.dedup();
        Ok(Selected(indices))
    }

    pub fn prereview(
        &self,
        applicant: &Applicant,
        selected: &Selected,
        on: NaiveDate,
    ) -> PreReview<'_> {
        let env = self.env(&applicant.values, on);
        let mut items = Vec::with_capacity(selected.0.len());
        let mut item_needs: Vec<Vec<usize>> = Vec::with_capacity(selected.0.len());
        // Per fact slot: how many selected items depend on it (for question order).
        let mut dependents = vec![0usize; self.fact_count()];
        let mut contributions: Vec<Option<Contribution>> = Vec::new();
        contributions.resize_with(self.materials.len(), || None);

        for &index in &selected.0 {
            let item = self.item_at(index);
            let (status, failed, needs) = self.judge(item, &env);
            let mut depends = needs.clone();
            if status != Status::Ineligible {
                for material in &item.materials {
                    let when = material.when.as_ref().map(|w| (w, w.program.truth(&env)));
                    let when_unknown = match when {
                        Some((_, Some(false))) => continue,
                        Some((when, None)) => {
                            let mut facts = Vec::new();
                            self.unknown_given(&env, &when.program.refs, &mut facts);
                            Some(facts)
                        }
                        _ => None,
                    };
                    let slot = contributions[material.index].get_or_insert_with(|| Contribution {
                        copies: 0,
                        items: Vec::new(),
                        certain: false,
                        needs: Vec::new(),
                    });
                    slot.copies = slot.copies.max(material.copies);
                    slot.items.push(index);
                    if status == Status::Eligible && when_unknown.is_none() {
                        slot.certain = true;
                    } else {
                        extend_unique(&mut slot.needs, &needs);
                    }
                    if let Some(facts) = when_unknown {
                        extend_unique(&mut slot.needs, &facts);
                        extend_unique(&mut depends, &facts);
                    }
                }
            }
            for &fact in &depends {
                dependents[fact] += 1;
            }
            items.push(ItemReview {
                id: &item.id,
                status,
                failed,
                needs: self.fact_names(&needs),
            });
            item_needs.push(needs);
        }

        let mut asked: Vec<usize> = item_needs.into_iter().flatten().collect();
        let mut checklist = Vec::new();
        for (index, contribution) in contributions.into_iter().enumerate() {
            let Some(c) = contribution else { continue };
            let conditional = !c.certain;
            if conditional {
                asked.extend_from_slice(&c.needs);
            }
            let mut for_items: Vec<&str> = c
                .items
                .iter()
                .map(|&i| self.item_at(i).id.as_str())
                .collect();
            for_items.sort_unstable();
            for_items.dedup();
            checklist.push(ChecklistEntry {
                material: &self.materials[index].id,
                copies: c.copies,
                for_items,
                conditional,
                needs: if conditional {
                    self.fact_names(&c.needs)
                } else {
                    Vec::new()
                },
            });
        }
        asked.sort_unstable();
        asked.dedup();
        // Most items settled first; equal counts keep the questionnaire's declared order.
        asked.sort_by_key(|&slot| (std::cmp::Reverse(dependents[slot]), slot));
        let questions = asked
            .iter()
            .map(|&slot| self.fact_at(slot).id.as_str())
            .collect();

        PreReview {
            on,
            items,
            checklist,
            questions,
        }
    }

    /// Status, failed conjuncts and needed facts (slots) of one item.
    fn judge<'c>(&'c self, item: &'c crate::Item, env: &Env) -> (Status, Vec<&'c str>, Vec<usize>) {
        let Some(eligibility) = &item.eligible else {
            return (Status::Eligible, Vec::new(), Vec::new());
        };
        let mut failed = Vec::new();
        let mut unknown = Vec::new();
        for conjunct in &eligibility.conjuncts {
            match conjunct.program.truth(env) {
                Some(false) => failed.push(conjunct.source.as_str()),
                Some(true) => {}
                None => unknown.push(conjunct),
            }
        }
        if !failed.is_empty() {
            return (Status::Ineligible, failed, Vec::new());
        }
        if unknown.is_empty() {
            return (Status::Eligible, Vec::new(), Vec::new());
        }
        let mut needs = Vec::new();
        for conjunct in unknown {
            self.unknown_given(env, &conjunct.program.refs, &mut needs);
        }
        (Status::Unknown, Vec::new(), needs)
    }

    /// Fact ids of `slots`, sorted.
    fn fact_names(&self, slots: &[usize]) -> Vec<&str> {
        let mut names: Vec<&str> = slots.iter().map(|&s| self.fact_at(s).id.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

fn extend_unique(into: &mut Vec<usize>, from: &[usize]) {
    for &value in from {
        if !into.contains(&value) {
            into.push(value);
        }
    }
}
