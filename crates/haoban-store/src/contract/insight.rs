//! Stored monthly lists: a month is stored once, read back exactly as saved, and equal to
//! the list computed again from the stored record.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use haoban_cases::{
    Applicant, Case, Channel, Command, Context, IdNumber, ItemTerms, MaterialCheck, MaterialState,
    Role, decide, submit,
};
use haoban_insight::{Calendar, Config, Month, MonthlyList};

use super::{center, day};
use crate::{By, Store, StoreError};

fn ctx(actor: &str, center_name: &str, on: NaiveDate) -> Context {
    Context {
        actor: actor.into(),
        role: Role::Clerk,
        center: center(center_name),
        now: on.and_hms_opt(2, 0, 0).expect("time").and_utc(),
        today: on,
    }
}

/// A case `clerk` accepts at `center_name` on `on` (Shanghai 10:00).
async fn accepted_on(store: &dyn Store, clerk: &str, center_name: &str, on: NaiveDate) -> Case {
    let terms = ItemTerms {
        id: "elderly-allowance".into(),
        catalog_version: "v1".into(),
        promised_days: 20,
        required_materials: vec!["id-card".into()],
        conditional_materials: Vec::new(),
    };
    let applicant = Applicant {
        id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
        name: "王阿姨".into(),
    };
    let clerk_ctx = ctx(clerk, center_name, on);
    let submitted = submit(&clerk_ctx, applicant, Channel::Window, &terms).expect("submit");
    let case = store.open_case(on, submitted).await.expect("open");
    let accept = Command::Accept {
        materials: vec![MaterialCheck {
            material: "id-card".into(),
            state: MaterialState::Received,
        }],
    };
    let events = decide(&clerk_ctx, &case, accept, false).expect("accept");
    store
        .record(&case.number, Some(case.version), events)
        .await
        .expect("record")
}

async fn accepted_case(store: &dyn Store, clerk: &str, center_name: &str) -> Case {
    accepted_on(store, clerk, center_name, day()).await
}

async fn compute(store: &dyn Store, center_name: &str, points: &str) -> MonthlyList {
    let chain = store.chain(center_name).await.expect("chain");
    let items: BTreeMap<String, rust_decimal::Decimal> = [(
        "elderly-allowance".to_owned(),
        points.parse().expect("points"),
    )]
    .into();
    MonthlyList::compute(
        center_name,
        &chain.entries,
        &items,
        &Calendar::default(),
        november(),
        &Config::default(),
    )
    .expect("list")
}

fn november() -> Month {
    Month::parse("2026-11").expect("month")
}

fn by() -> By {
    By {
        actor: "director".into(),
        role: Role::Supervisor,
        at: Utc
            .with_ymd_and_hms(2026, 12, 1, 1, 0, 0)
            .single()
            .expect("time"),
    }
}

pub async fn stores_a_month_once_and_reads_it_back(store: Arc<dyn Store>) {
    accepted_case(&*store, "li", "linfen").await;
    accepted_case(&*store, "li", "linfen").await;
    accepted_case(&*store, "wang", "linfen").await;
    let list = compute(&*store, "linfen", "2").await;
    assert_eq!(list.rows.len(), 2);
    assert_eq!(
        store
            .monthly_list(&center("linfen"), november())
            .await
            .expect("read"),
        None
    );
    store
        .save_monthly_list(&list, by())
        .await
        .expect("save once");
    let stored = store
        .monthly_list(&center("linfen"), november())
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.list, list);
    assert_eq!(
        (stored.saved_by.as_str(), stored.saved_at),
        ("director", by().at)
    );

    // The catalog changed: value points revised. The stored month stays as it was.
    let revised = compute(&*store, "linfen", "5").await;
    assert_ne!(revised, list);
    let refused = store.save_monthly_list(&revised, by()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let stored = store
        .monthly_list(&center("linfen"), november())
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.list, list);

    // Another center, another month: nothing stored.
    for (center_name, month) in [("pengpu", "2026-11"), ("linfen", "2026-10")] {
        let month = Month::parse(month).expect("month");
        let found = store
            .monthly_list(&center(center_name), month)
            .await
            .expect("read");
        assert_eq!(found, None, "{center_name} {month}");
    }
}

/// Computed again from the process record with the same catalog, a stored month comes out
/// exactly as stored, whatever was recorded after it.
pub async fn a_stored_month_matches_its_recomputation(store: Arc<dyn Store>) {
    accepted_case(&*store, "li", "linfen").await;
    accepted_case(&*store, "wang", "linfen").await;
    let list = compute(&*store, "linfen", "1.5").await;
    store.save_monthly_list(&list, by()).await.expect("save");
    let december = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    accepted_on(&*store, "li", "linfen", december).await;
    accepted_on(&*store, "zhou", "linfen", december).await;
    let stored = store
        .monthly_list(&center("linfen"), november())
        .await
        .expect("read")
        .expect("stored");
    let again = compute(&*store, "linfen", "1.5").await;
    assert_eq!(again, stored.list);
    assert_eq!(
        serde_json::to_string(&again).expect("json"),
        serde_json::to_string(&stored.list).expect("json")
    );
    assert!(again.row("zhou").is_none());
}
