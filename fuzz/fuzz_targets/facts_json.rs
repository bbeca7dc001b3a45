//! Fuzz target: an applicant's facts as JSON, then pre-review.
//!
//! Bytes → UTF-8 text (other inputs are skipped) → `Applicant::from_json` against the
//! test fixture catalog `crates/haoban-catalog/tests/fixtures/basic` (loaded once) →
//! when accepted, `prereview` of every item and of the `elderly` bundle on a few dates,
//! each serialized to JSON as `haoban prereview --json` does.
//!
//! Nothing may panic. Beyond that: a rejected facts object names a reason, an accepted
//! one's pre-review lists every selected item once, in catalog order.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use haoban_catalog::{Applicant, Catalog, Selected, Selection};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    catalog: Catalog,
    all: Selected,
    bundle: Selected,
    dates: [NaiveDate; 3],
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/haoban-catalog/tests/fixtures/basic");
        let catalog = Catalog::load(&dir).unwrap_or_else(|problems| {
            panic!(
                "the fixture catalog {} does not load:\n{problems}",
                dir.display()
            )
        });
        let all = catalog
            .select(&Selection::All)
            .expect("the fixture has items");
        let bundle = catalog
            .select(&Selection::Bundle("elderly".to_owned()))
            .expect("the fixture has the bundle `elderly`");
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        Fixture {
            catalog,
            all,
            bundle,
            dates: [date(2026, 11, 27), date(0, 1, 1), date(9999, 12, 31)],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let fixture = fixture();
    let catalog = &fixture.catalog;
    let applicant = match Applicant::from_json(catalog, json) {
        Ok(applicant) => applicant,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    for &on in &fixture.dates {
        for selected in [&fixture.all, &fixture.bundle] {
            let review = catalog.prereview(&applicant, selected, on);
            let ids: Vec<&str> = review.items.iter().map(|item| item.id).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(ids, sorted, "items not in catalog order, or repeated");
            let out = serde_json::to_string(&review).expect("a pre-review serializes");
            assert!(out.starts_with('{'));
        }
    }
});
