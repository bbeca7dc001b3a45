//! An item's service guide (办事指南), as data and as printable text.

use std::fmt::Write;

use haoban_catalog::{Catalog, Item, Locale};
use serde::Serialize;

use super::notice::{channel_label, form_label};

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
                        form: form_label(material.form, locale),
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

pub fn render(guide: &ItemGuide<'_>, locale: Locale) -> String {
    let zh = locale == Locale::Zh;
    let mut out = String::new();
    let t = |zh_text: &'static str, en_text: &'static str| if zh { zh_text } else { en_text };
    let _ = writeln!(out, "{}（{}）", guide.name, guide.id);
    let _ = writeln!(out, "{}", "=".repeat(60));
    if !guide.category.is_empty() {
        let _ = writeln!(
            out,
            "{}{}",
            t("事项类别：", "Category: "),
            guide.category.join(" / ")
        );
    }
    let _ = writeln!(
        out,
        "{}{}",
        t("承办部门：", "Department: "),
        guide.department
    );
    let _ = writeln!(
        out,
        "{}{}",
        t("办理条件：", "Who qualifies: "),
        guide
            .eligible
            .unwrap_or(t("无条件限制", "anyone may apply"))
    );
    if !guide.asks.is_empty() {
        let asks: Vec<String> = guide
            .asks
            .iter()
            .map(|(_, label)| label.to_string())
            .collect();
        let _ = writeln!(
            out,
            "{}{}",
            t("  涉及情况：", "  Depends on: "),
            asks.join(t("、", ", "))
        );
    }
    let promise = match (guide.promised_days, zh) {
        (0, true) => "即办件，当场办结".to_owned(),
        (0, false) => "done on the spot (instant item)".to_owned(),
        (days, true) => format!("{days} 个工作日"),
        (days, false) => format!("{days} working days"),
    };
    let _ = writeln!(out, "{}{promise}", t("承诺时限：", "Promised time: "));
    let _ = writeln!(
        out,
        "{}{}",
        t("办理渠道：", "Channels: "),
        guide.channels.join(t("、", ", "))
    );
    if guide.proactive {
        let _ = writeln!(
            out,
            "{}",
            t(
                "免申即享：符合条件者由中心主动告知",
                "Granted without application (免申即享): the center contacts those who qualify"
            )
        );
    }
    let _ = writeln!(out, "{}", t("所需材料：", "Materials:"));
    if guide.materials.is_empty() {
        let _ = writeln!(out, "  {}", t("无需提交材料", "none"));
    }
    for (n, material) in guide.materials.iter().enumerate() {
        let copies = if zh {
            format!("{} 份", material.copies)
        } else {
            format!("{} ×{}", material.form, material.copies)
        };
        let form = if zh {
            format!("（{}）", material.form)
        } else {
            String::new()
        };
        let _ = write!(out, "  {}. {}{form} {copies}", n + 1, material.name);
        if material.e_licence {
            let _ = write!(
                out,
                "{}",
                t("，可用电子证照", "; an electronic licence may replace it")
            );
        }
        if let Some(when) = material.when {
            let _ = write!(out, "{}{when}", t("；仅当 ", "; only when "));
        }
        out.push('\n');
    }
    if !guide.bundles.is_empty() {
        let _ = writeln!(
            out,
            "{}{}",
            t("所属一件事：", "Part of: "),
            guide.bundles.join(t("、", ", "))
        );
    }
    out
}
