//! The loaded catalog: facts, materials, categories, items, bundles and calendar, with
//! every condition already type-checked and compiled.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::expr::{Env, Program, Type};
use crate::text::{Locale, Text};
use crate::value::Value;

#[derive(Debug, Clone)]
pub struct Catalog {
    pub name: Text,
    pub default_locale: Locale,
    pub time_zone: Tz,
    /// SHA-256 of the catalog's files: what a case records as the catalog it was accepted under.
    pub version: String,
    pub(crate) facts: IndexMap<String, Fact>,
    pub(crate) materials: IndexMap<String, Material>,
    pub(crate) categories: IndexMap<String, Category>,
    /// Sorted by id: the catalog order of every listing and of pre-review.
    pub(crate) items: IndexMap<String, Item>,
    pub(crate) bundles: IndexMap<String, Bundle>,
    pub(crate) calendar: Calendar,
    /// Slots of derived facts, each after every derived fact its expression needs.
    pub(crate) derive_order: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactType {
    Bool,
    Int,
    Decimal,
    String,
    Date,
    Enum(Arc<[String]>),
}

impl FactType {
    pub fn name(&self) -> &'static str {
        match self {
            FactType::Bool => "bool",
            FactType::Int => "int",
            FactType::Decimal => "decimal",
            FactType::String => "string",
            FactType::Date => "date",
            FactType::Enum(_) => "enum",
        }
    }

    pub fn expr_type(&self) -> Type {
        match self {
            FactType::Bool => Type::Bool,
            FactType::Int => Type::Int,
            FactType::Decimal => Type::Decimal,
            FactType::String => Type::Str,
            FactType::Date => Type::Date,
            FactType::Enum(values) => Type::Enum(values.clone()),
        }
    }
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactType::Enum(values) => write!(f, "enum ({})", values.join(", ")),
            other => f.write_str(other.name()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub id: String,
    pub ty: FactType,
    pub label: Option<Text>,
    pub derive: Option<Condition>,
}

impl Fact {
    pub fn is_derived(&self) -> bool {
        self.derive.is_some()
    }

    pub fn label(&self, locale: Locale) -> &str {
        self.label
            .as_ref()
            .map_or(&self.id, |label| label.get(locale))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MaterialForm {
    Original,
    Copy,
    Form,
    Photo,
    Electronic,
}

impl MaterialForm {
    pub const ALL: [(&'static str, MaterialForm); 5] = [
        ("original", MaterialForm::Original),
        ("copy", MaterialForm::Copy),
        ("form", MaterialForm::Form),
        ("photo", MaterialForm::Photo),
        ("electronic", MaterialForm::Electronic),
    ];

    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (MaterialForm::Original, Locale::Zh) => "原件",
            (MaterialForm::Copy, Locale::Zh) => "复印件",
            (MaterialForm::Form, Locale::Zh) => "表格",
            (MaterialForm::Photo, Locale::Zh) => "照片",
            (MaterialForm::Electronic, Locale::Zh) => "电子材料",
            (MaterialForm::Original, Locale::En) => "original",
            (MaterialForm::Copy, Locale::En) => "copy",
            (MaterialForm::Form, Locale::En) => "form",
            (MaterialForm::Photo, Locale::En) => "photo",
            (MaterialForm::Electronic, Locale::En) => "electronic",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Material {
    pub id: String,
    pub name: Text,
    pub form: MaterialForm,
    pub e_licence: bool,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub name: Text,
    pub parent: Option<String>,
}

/// A compiled condition with the text it was written as.
#[derive(Debug, Clone)]
pub struct Condition {
    pub source: String,
    pub program: Program,
}

/// An item's `eligible`, split into its top-level `&&` conjuncts so that pre-review can
/// say which of them failed and which facts it still needs.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub source: String,
    /// Each conjunct's trimmed source text and compiled form, in source order.
    pub conjuncts: Vec<Condition>,
}

#[derive(Debug, Clone)]
pub struct ItemMaterial {
    pub id: String,
    /// Position of the material in materials.toml.
    pub(crate) index: usize,
    pub copies: u32,
    pub when: Option<Condition>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: Text,
    pub category: String,
    pub department: Text,
    /// `None`: everyone is eligible.
    pub eligible: Option<Eligibility>,
    pub promised_days: u32,
    pub value_points: Decimal,
    pub channels: Vec<String>,
    pub proactive: bool,
    pub materials: Vec<ItemMaterial>,
}

impl Item {
    /// 即办件: done at one sitting.
    pub fn is_instant(&self) -> bool {
        self.promised_days == 0
    }
}

#[derive(Debug, Clone)]
pub struct Bundle {
    pub id: String,
    pub name: Text,
    pub items: Vec<String>,
}

impl Catalog {
    pub fn facts(&self) -> impl ExactSizeIterator<Item = &Fact> {
        self.facts.values()
    }

    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.get(id)
    }

    pub(crate) fn fact_full(&self, id: &str) -> Option<(usize, &Fact)> {
        self.facts.get_full(id).map(|(slot, _, fact)| (slot, fact))
    }

    pub(crate) fn fact_at(&self, slot: usize) -> &Fact {
        &self.facts[slot]
    }

    /// The facts a condition names, in order of first mention.
    pub fn facts_named_by<'a>(
        &'a self,
        condition: &'a Condition,
    ) -> impl Iterator<Item = &'a Fact> {
        condition.program.refs.iter().map(|&slot| &self.facts[slot])
    }

    /// The labels of the facts a failed conjunct of `item` is about (as pre-review's
    /// `failed` lists it), to explain it in words; empty if no such conjunct.
    pub fn failed_labels(
        &self,
        item: &str,
        conjunct: &str,
        locale: crate::text::Locale,
    ) -> Vec<&str> {
        self.item(item)
            .and_then(|i| i.eligible.as_ref())
            .and_then(|e| e.conjuncts.iter().find(|c| c.source == conjunct))
            .map(|c| self.facts_named_by(c).map(|f| f.label(locale)).collect())
            .unwrap_or_default()
    }

    pub fn fact_count(&self) -> usize {
        self.facts.len()
    }

    pub fn materials(&self) -> impl ExactSizeIterator<Item = &Material> {
        self.materials.values()
    }

    pub fn material(&self, id: &str) -> Option<&Material> {
        self.materials.get(id)
    }

    pub fn categories(&self) -> impl ExactSizeIterator<Item = &Category> {
        self.categories.values()
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.get(id)
    }

    /// Items in catalog order (sorted by id).
    pub fn items(&self) -> impl ExactSizeIterator<Item = &Item> {
        self.items.values()
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.get(id)
    }

    pub(crate) fn item_index(&self, id: &str) -> Option<usize> {
        self.items.get_index_of(id)
    }

    pub(crate) fn item_at(&self, index: usize) -> &Item {
        &self.items[index]
    }

    pub fn bundles(&self) -> impl ExactSizeIterator<Item = &Bundle> {
        self.bundles.values()
    }

    pub fn bundle(&self, id: &str) -> Option<&Bundle> {
        self.bundles.get(id)
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The evaluation environment for an applicant's given facts on a date: derived facts
    /// are computed here, once, in dependency order.
    pub fn env(&self, given: &[Option<Value>], on: NaiveDate) -> Env {
        let mut env = Env {
            on,
            values: given.to_vec(),
        };
        env.values.resize(self.facts.len(), None);
        for &slot in &self.derive_order {
            let fact = &self.facts[slot];
            if let Some(derive) = &fact.derive {
                // An int expression may feed a decimal fact: it then holds a decimal, so
                // `/` on it divides exactly, as for a given decimal fact.
                env.values[slot] = match (derive.program.value(&env), &fact.ty) {
                    (Some(Value::Int(i)), FactType::Decimal) => Some(Value::Decimal(i.into())),
                    (value, _) => value,
                };
            }
        }
        env
    }

    /// The unknown given facts behind `slots`: a known fact adds nothing, an unknown given
    /// fact adds itself, an unknown derived fact adds what its expression needs, recursively.
    pub(crate) fn unknown_given(&self, env: &Env, slots: &[usize], out: &mut Vec<usize>) {
        for &slot in slots {
            if env.values[slot].is_some() {
                continue;
            }
            match &self.facts[slot].derive {
                Some(derive) => self.unknown_given(env, &derive.program.refs, out),
                None => {
                    if !out.contains(&slot) {
                        out.push(slot);
                    }
                }
            }
        }
    }
}
