//! A pre-review as the pages show it: item names and fact labels from the catalog's
//! texts, failed conditions explained, the checklist with what each material is for.
//! The wording follows the command line's one-time notice (`haoban prereview`).

use haoban_catalog::{Catalog, Locale, PreReview, Status};

use super::Msgs;

pub struct ReviewView {
    pub on: String,
    pub eligible: Vec<ItemLine>,
    pub unknown: Vec<ItemLine>,
    pub ineligible: Vec<ItemLine>,
    pub checklist: Vec<MaterialLine>,
    /// Labels of the facts still worth knowing, in the engine's order.
    pub questions: Vec<String>,
}

pub struct ItemLine {
    pub id: String,
    pub name: String,
    /// "尚需了解" / "未满足", or empty.
    pub detail_label: &'static str,
    pub detail: String,
}

pub struct MaterialLine {
    pub number: usize,
    pub id: String,
    pub name: String,
    pub form: &'static str,
    pub copies: String,
    pub for_items: String,
    pub e_licence: bool,
    /// For a conditional material: the labels of the facts it depends on.
    pub depends: Option<String>,
}

impl ReviewView {
    pub fn new(catalog: &Catalog, review: &PreReview<'_>, locale: Locale, t: &Msgs) -> ReviewView {
        let labels = |ids: &[&str]| -> String {
            ids.iter()
                .map(|id| fact_label(catalog, id, locale))
                .collect::<Vec<_>>()
                .join(t.list_sep)
        };
        let item_name = |id: &str| -> String {
            catalog
                .item(id)
                .map_or(id.to_owned(), |i| i.name.get(locale).to_owned())
        };
        let lines = |status: Status| -> Vec<ItemLine> {
            review
                .items
                .iter()
                .filter(|item| item.status == status)
                .map(|item| {
                    let (detail_label, detail) = match status {
                        Status::Unknown if !item.needs.is_empty() => {
                            (t.still_to_know, labels(&item.needs))
                        }
                        Status::Ineligible => (
                            t.not_met,
                            item.failed
                                .iter()
                                .map(|c| explain(catalog, item.id, c, locale, t))
                                .collect::<Vec<_>>()
                                .join(t.clause_sep),
                        ),
                        _ => ("", String::new()),
                    };
                    ItemLine {
                        id: item.id.to_owned(),
                        name: item_name(item.id),
                        detail_label,
                        detail,
                    }
                })
                .collect()
        };
        let checklist = review
            .checklist
            .iter()
            .filter_map(|entry| Some((entry, catalog.material(entry.material)?)))
            .enumerate()
            .map(|(n, (entry, material))| MaterialLine {
                number: n + 1,
                id: material.id.clone(),
                name: material.name.get(locale).to_owned(),
                form: material.form.label(locale),
                copies: t.copies(entry.copies),
                for_items: entry
                    .for_items
                    .iter()
                    .map(|id| item_name(id))
                    .collect::<Vec<_>>()
                    .join(t.list_sep),
                e_licence: material.e_licence,
                depends: entry.conditional.then(|| labels(&entry.needs)),
            })
            .collect();
        ReviewView {
            on: review.on.format("%Y-%m-%d").to_string(),
            eligible: lines(Status::Eligible),
            unknown: lines(Status::Unknown),
            ineligible: lines(Status::Ineligible),
            checklist,
            questions: review
                .questions
                .iter()
                .map(|id| fact_label(catalog, id, locale).to_owned())
                .collect(),
        }
    }
}

pub fn fact_label<'c>(catalog: &'c Catalog, id: &'c str, locale: Locale) -> &'c str {
    catalog.fact(id).map_or(id, |f| f.label(locale))
}

/// A failed condition in words: the labels of the facts it is about, then its source.
fn explain(catalog: &Catalog, item: &str, conjunct: &str, locale: Locale, t: &Msgs) -> String {
    let labels = catalog.failed_labels(item, conjunct, locale);
    if labels.is_empty() {
        conjunct.to_owned()
    } else {
        format!("{} ({conjunct})", labels.join(t.list_sep))
    }
}
