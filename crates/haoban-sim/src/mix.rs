//! The item mix: what residents come for. Real centers see a few items make most of the
//! volume, so the k-th most frequent item comes in proportion to 1 / k^s (Zipf).

use haoban_catalog::Catalog;
use rand::Rng;

use crate::config::Scenario;

/// Who tends to apply for an item, read off its category (pension and elderly items by
/// older residents, birth and child items by young parents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AgeBand {
    Any,
    Working,
    Parent,
    Senior,
}

impl AgeBand {
    /// The ages (inclusive) the band draws from.
    pub fn ages(self) -> (u32, u32) {
        match self {
            AgeBand::Any => (18, 95),
            AgeBand::Working => (18, 59),
            AgeBand::Parent => (22, 42),
            AgeBand::Senior => (60, 95),
        }
    }

    fn of(category_path: &[&str]) -> AgeBand {
        let has = |words: &[&str]| {
            category_path
                .iter()
                .any(|c| words.iter().any(|w| c.contains(w)))
        };
        if has(&["elderly", "pension", "veteran"]) {
            AgeBand::Senior
        } else if has(&["birth", "maternity", "child"]) {
            AgeBand::Parent
        } else if has(&["employment", "entrepreneur"]) {
            AgeBand::Working
        } else {
            AgeBand::Any
        }
    }
}

/// What the simulation needs to know of an item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemInfo {
    pub id: String,
    pub promised_days: u32,
    pub online: bool,
    /// The item's category: what a specialized window is set up for.
    pub category: String,
    /// The top-level category.
    pub group: String,
    pub band: AgeBand,
    /// The checklist of a resident pre-review found eligible whose situation is not yet
    /// known in detail: materials without a condition are required, the others
    /// conditional (the window settles them).
    pub required: Vec<String>,
    pub conditional: Vec<String>,
}

impl ItemInfo {
    pub fn is_instant(&self) -> bool {
        self.promised_days == 0
    }

    /// Whether a material can be missing at acceptance (容缺 needs one to follow).
    pub fn has_materials(&self) -> bool {
        !(self.required.is_empty() && self.conditional.is_empty())
    }
}

/// The catalog's items in frequency order with their weights, and a sampler.
#[derive(Debug, Clone)]
pub struct Mix {
    pub items: Vec<ItemInfo>,
    /// Each item's share of the volume, in the same order (they sum to 1).
    pub shares: Vec<f64>,
    cumulative: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the catalog has no items to simulate")]
pub struct EmptyCatalog;

impl Mix {
    pub fn new(catalog: &Catalog, scenario: &Scenario) -> Result<Mix, EmptyCatalog> {
        let mut ordered: Vec<&haoban_catalog::Item> = scenario
            .popular
            .iter()
            .filter_map(|id| catalog.item(id))
            .collect();
        for item in catalog.items() {
            if !ordered.iter().any(|o| o.id == item.id) {
                ordered.push(item);
            }
        }
        if ordered.is_empty() {
            return Err(EmptyCatalog);
        }
        let items: Vec<ItemInfo> = ordered
            .into_iter()
            .map(|item| {
                let mut path = vec![item.category.as_str()];
                let mut top = item.category.as_str();
                while let Some(parent) = catalog.category(top).and_then(|c| c.parent.as_deref()) {
                    path.push(parent);
                    top = parent;
                }
                ItemInfo {
                    id: item.id.clone(),
                    promised_days: item.promised_days,
                    online: item.channels.iter().any(|c| c == "online"),
                    category: item.category.clone(),
                    group: top.to_owned(),
                    band: AgeBand::of(&path),
                    required: item
                        .materials
                        .iter()
                        .filter(|m| m.when.is_none())
                        .map(|m| m.id.clone())
                        .collect(),
                    conditional: item
                        .materials
                        .iter()
                        .filter(|m| m.when.is_some())
                        .map(|m| m.id.clone())
                        .collect(),
                }
            })
            .collect();
        let weights: Vec<f64> = (1..=items.len())
            .map(|rank| 1.0 / (rank as f64).powf(scenario.zipf_exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let shares: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut running = 0.0;
        let cumulative = shares
            .iter()
            .map(|share| {
                running += share;
                running
            })
            .collect();
        Ok(Mix {
            items,
            shares,
            cumulative,
        })
    }

    /// An item, by the mix.
    pub fn draw(&self, rng: &mut impl Rng) -> usize {
        let u: f64 = rng.random();
        self.cumulative
            .partition_point(|c| *c <= u)
            .min(self.items.len() - 1)
    }

    /// An item that can be applied for online.
    pub fn draw_online(&self, rng: &mut impl Rng) -> Option<usize> {
        if !self.items.iter().any(|i| i.online) {
            return None;
        }
        loop {
            let item = self.draw(rng);
            if self.items[item].online {
                return Some(item);
            }
        }
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }
}
