//! An item's service guide (办事指南) in one language: what the command line prints and
//! the API returns.

use serde::Serialize;

use crate::catalog::{Catalog, Item};
use crate::text::Locale;

/// How a channel is named to people; unknown channels are shown as written.
pub fn channel_label(channel: &str, locale: Locale) -> &str {
    match (channel, locale) {
        ("window", Locale::Zh) => "窗口办理",
        ("online", Locale::Zh) => "网上办理",
        ("kiosk", Locale::Zh) => "自助终端",
        ("window", Locale::En) => "at a window",
        ("online", Locale::En) => "online",
        ("kiosk", Locale::En) => "self-service kiosk",
        (other, _) => other,
    }
}

#[derive(Debug, Serialize)]
pub struct ItemGuide<'c> {
    pub id: &'c str,
    pub name: &'c str,
    pub category: Vec<&'c str>,
    pub department: &'c str,
    pub eligible: Option<&'c str>,
    /// Facts the condition asks about, as (id, label).
    pub asks: Vec<(&'c str, &'c str)>,
    pub promised_days: u32,
    pub value_points: String,
    pub channels: Vec<&'c str>,
    pub proactive: bool,
    pub materials: Vec<GuideMaterial<'c>>,
    pub bundles: Vec<&'c str>,
}

#[derive(Debug, Serialize)]
pub struct GuideMaterial<'c> {
    pub id: &'c str,
    pub name: &'c str,
    pub form: &'static str,
    pub copies: u32,
    pub e_licence: bool,
    pub when: Option<&'c str>,
}

impl<'c> ItemGuide<'c> {
    pub fn new(catalog: &'c Catalog, item: &'c Item, locale: Locale) -> Self {
        let mut category = Vec::new();
        if let Some(own) = catalog.category(&item.category) {
            if let Some(parent) = own.parent.as_deref().and_then(|p| catalog.category(p)) {
                category.push(parent.name.get(locale));
            }
            category.push(own.name.get(locale));
        }
        let mut asks = Vec::new();
        if let Some(eligible) = &item.eligible {
            for conjunct in &eligible.conjuncts {
                for fact in catalog.facts_named_by(conjunct) {
                    if !asks.iter().any(|(id, _)| *id == fact.id) {
                        asks.push((fact.id.as_str(), fact.label(locale)));
                    }
                }
            }
        }
        ItemGuide {
            id: &item.id,
            name: item.name.get(locale),
            category,
            department: item.department.get(locale),
            eligible: item.eligible.as_ref().map(|e| e.source.trim()),
            asks,
            promised_days: item.promised_days,
            value_points: item.value_points.to_string(),
            channels: item
                .channels
                .iter()
                .map(|c| channel_label(c, locale))
                .collect(),
            proactive: item.proactive,
            materials: item
                .materials
                .iter()
                .filter_map(|m| {
                    let material = catalog.material(&m.id)?;
                    Some(GuideMaterial {
                        id: &material.id,
                        name: material.name.get(locale),
                        form: material.form.label(locale),
                        copies: m.copies,
                        e_licence: material.e_licence,
                        when: m.when.as_ref().map(|w| w.source.trim()),
                    })
                })
                .collect(),
            bundles: catalog
                .bundles()
                .filter(|b| b.items.contains(&item.id))
                .map(|b| b.name.get(locale))
                .collect(),
        }
    }
}
