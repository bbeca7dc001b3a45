//! The printable one-time notice (一次性告知单) of a pre-review.

use std::fmt::Write;

use haoban_catalog::{Catalog, Locale, PreReview, Status};

struct Words {
    title: &'static str,
    catalog: &'static str,
    date: &'static str,
    eligible: &'static str,
    unknown: &'static str,
    ineligible: &'static str,
    none: &'static str,
    still_to_know: &'static str,
    not_met: &'static str,
    materials: &'static str,
    no_materials: &'static str,
    used_for: &'static str,
    e_licence: &'static str,
    only_if: &'static str,
    questions: &'static str,
    footer: &'static str,
    list_sep: &'static str,
    colon: &'static str,
    clause_sep: &'static str,
}

const ZH: Words = Words {
    title: "一次性告知单",
    catalog: "事项目录",
    date: "预审日期",
    eligible: "一、符合条件、可以办理的事项",
    unknown: "二、尚需确认情况的事项",
    ineligible: "三、暂不符合条件的事项",
    none: "（无）",
    still_to_know: "尚需了解",
    not_met: "未满足",
    materials: "四、请一次带齐以下材料",
    no_materials: "（无需提交材料）",
    used_for: "用于",
    e_licence: "可用电子证照代替",
    only_if: "视情况而定，取决于",
    questions: "五、请补充告知以下情况，以便确定办理事项和材料",
    footer: "本告知单依据预审时提供的情况出具；情况有变化的，以窗口受理时审核为准。",
    list_sep: "、",
    colon: "：",
    clause_sep: "；",
};

const EN: Words = Words {
    title: "One-time notice of what to bring",
    catalog: "Catalog",
    date: "Pre-review date",
    eligible: "1. Items you qualify for",
    unknown: "2. Items that depend on facts not yet known",
    ineligible: "3. Items you do not qualify for now",
    none: "(none)",
    still_to_know: "still to know",
    not_met: "not met",
    materials: "4. Bring all of these materials, once",
    no_materials: "(no materials needed)",
    used_for: "for",
    e_licence: "an electronic licence may replace it",
    only_if: "may be needed, depending on",
    questions: "5. Please tell us the following, to settle the items and materials above",
    footer: "This notice reflects the facts given at pre-review; the window's check at acceptance prevails if they change.",
    list_sep: ", ",
    colon: ": ",
    clause_sep: "; ",
};

pub fn render(catalog: &Catalog, review: &PreReview<'_>, locale: Locale) -> String {
    let w = if locale == Locale::Zh { &ZH } else { &EN };
    let fact_labels = |ids: &[&str]| -> String {
        ids.iter()
            .map(|id| catalog.fact(id).map_or(*id, |f| f.label(locale)))
            .collect::<Vec<_>>()
            .join(w.list_sep)
    };
    let item_name = |id: &str| {
        catalog
            .item(id)
            .map_or(id.to_owned(), |i| i.name.get(locale).to_owned())
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", w.title);
    let _ = writeln!(out, "{}", "=".repeat(60));
    let _ = writeln!(
        out,
        "{}{}{} ({})",
        w.catalog,
        w.colon,
        catalog.name.get(locale),
        &catalog.version[..12]
    );
    let _ = writeln!(out, "{}{}{}", w.date, w.colon, review.on.format("%Y-%m-%d"));

    for (heading, status) in [
        (w.eligible, Status::Eligible),
        (w.unknown, Status::Unknown),
        (w.ineligible, Status::Ineligible),
    ] {
        let _ = writeln!(out, "\n{heading}");
        let listed: Vec<_> = review.items.iter().filter(|i| i.status == status).collect();
        if listed.is_empty() {
            let _ = writeln!(out, "  {}", w.none);
        }
        for item in listed {
            let _ = write!(out, "  - {} [{}]", item_name(item.id), item.id);
            match status {
                Status::Unknown if !item.needs.is_empty() => {
                    let _ = write!(
                        out,
                        " — {}{}{}",
                        w.still_to_know,
                        w.colon,
                        fact_labels(&item.needs)
                    );
                }
                Status::Ineligible => {
                    let failed: Vec<String> = item
                        .failed
                        .iter()
                        .map(|c| explain(catalog, item.id, c, locale, w))
                        .collect();
                    let _ = write!(
                        out,
                        " — {}{}{}",
                        w.not_met,
                        w.colon,
                        failed.join(w.clause_sep)
                    );
                }
                _ => {}
            }
            out.push('\n');
        }
    }

    let _ = writeln!(out, "\n{}", w.materials);
    if review.checklist.is_empty() {
        let _ = writeln!(out, "  {}", w.no_materials);
    }
    for (n, entry) in review.checklist.iter().enumerate() {
        let Some(material) = catalog.material(entry.material) else {
            continue;
        };
        let for_items: Vec<String> = entry.for_items.iter().map(|id| item_name(id)).collect();
        let copies = match (locale, entry.copies) {
            (Locale::Zh, n) => format!("{n} 份"),
            (Locale::En, 1) => "1 copy".to_owned(),
            (Locale::En, n) => format!("{n} copies"),
        };
        let _ = write!(
            out,
            "  {}. {} ({}) {copies} — {}{}{}",
            n + 1,
            material.name.get(locale),
            material.form.label(locale),
            w.used_for,
            w.colon,
            for_items.join(w.list_sep)
        );
        if material.e_licence {
            let _ = write!(out, "{}{}", w.clause_sep, w.e_licence);
        }
        if entry.conditional {
            let _ = write!(
                out,
                "{}{}{}{}",
                w.clause_sep,
                w.only_if,
                w.colon,
                fact_labels(&entry.needs)
            );
        }
        out.push('\n');
    }

    if !review.questions.is_empty() {
        let _ = writeln!(out, "\n{}", w.questions);
        for (n, id) in review.questions.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", n + 1, fact_labels(&[id]));
        }
    }
    let _ = writeln!(out, "\n{}", w.footer);
    out
}

/// A failed condition in words: the labels of the facts it is about, then its source.
fn explain(catalog: &Catalog, item: &str, conjunct: &str, locale: Locale, w: &Words) -> String {
    let labels = catalog.failed_labels(item, conjunct, locale);
    if labels.is_empty() {
        conjunct.to_owned()
    } else {
        format!("{} ({conjunct})", labels.join(w.list_sep))
    }
}
