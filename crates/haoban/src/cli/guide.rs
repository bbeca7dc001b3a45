//! The printable service guide.

use std::fmt::Write;

use haoban_catalog::Locale;
use haoban_catalog::guide::ItemGuide;

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
