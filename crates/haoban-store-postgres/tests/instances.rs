//! What the contract cannot see from one store: several server instances (each its own
//! pool) writing to one database at once.

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use haoban_cases::record::verify;
use haoban_cases::{
    Applicant, CaseNumber, CenterId, Channel, Command, Context, IdNumber, ItemTerms, MaterialCheck,
    MaterialState, Role, decide, submit,
};
use haoban_store::Store;
use haoban_store_postgres::PostgresStore;
use tokio::sync::Barrier;

const CENTERS: [&str; 6] = ["xuhui", "jingan", "minhang", "putuo", "hongkou", "yangpu"];

fn ctx(role: Role) -> Context {
    in_center(role, "xuhui")
}

fn in_center(role: Role, center: &str) -> Context {
    Context {
        actor: format!("{role}-a"),
        role,
        center: CenterId::parse(center).expect("center"),
        now: Utc
            .with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
            .single()
            .expect("time"),
        today: NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
    }
}

fn submitted() -> haoban_cases::Event {
    submitted_in("xuhui")
}

fn submitted_in(center: &str) -> haoban_cases::Event {
    submit(
        &in_center(Role::Clerk, center),
        Applicant {
            id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
            name: "王阿姨".into(),
        },
        Channel::Window,
        &ItemTerms {
            id: "elderly-allowance".into(),
            catalog_version: "v1".into(),
            promised_days: 20,
            required_materials: vec!["id-card".into()],
            conditional_materials: Vec::new(),
        },
    )
    .expect("submit")
}

async fn instances(n: usize) -> Vec<Arc<PostgresStore>> {
    let url = common::fresh_url().await;
    let mut stores = Vec::new();
    for _ in 0..n {
        stores.push(Arc::new(
            PostgresStore::connect(
                &url,
                std::sync::Arc::new(haoban_store::vault::Vault::for_tests()),
            )
            .await
            .expect("connect"),
        ));
    }
    stores
}

/// Opening cases on different days takes different counter rows, so nothing but the chain
/// head orders these writers, starting with each center's very first event: eight writers
/// per new center, from two instances, released at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_writers_of_a_center_start_one_chain() {
    const WRITERS: u32 = 8;
    let stores = instances(2).await;
    let start = Arc::new(Barrier::new(CENTERS.len() * WRITERS as usize));
    let mut tasks = Vec::new();
    for center in CENTERS {
        for i in 0..WRITERS {
            let store = stores[i as usize % stores.len()].clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                let day = NaiveDate::from_ymd_opt(2026, 11, 1 + i).expect("date");
                let first = submitted_in(center);
                let second = submitted_in(center);
                start.wait().await;
                store.open_case(day, first).await.expect("first case");
                store.open_case(day, second).await.expect("second case");
            }));
        }
    }
    for task in tasks {
        task.await.expect("task");
    }
    for center in CENTERS {
        let chain = stores[0].chain(center).await.expect("chain");
        let expected = u64::from(2 * WRITERS);
        assert_eq!(
            verify(center, &chain.entries, chain.head.as_ref()),
            Ok(expected)
        );
    }
    let mut centers = stores[1].centers().await.expect("centers");
    centers.sort();
    let mut expected = CENTERS.to_vec();
    expected.sort();
    assert_eq!(centers, expected);
}

/// Unversioned writes (notes) on one case from several instances all land, none is lost
/// and none is refused: each sees the projection the one before it wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unversioned_writes_on_one_case_all_land() {
    let stores = instances(3).await;
    let day = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
    let case = stores[0].open_case(day, submitted()).await.expect("open");
    let accept = Command::Accept {
        materials: vec![MaterialCheck {
            material: "id-card".into(),
            state: MaterialState::Received,
        }],
    };
    let events = decide(&ctx(Role::Clerk), &case, accept, false).expect("accept");
    let accepted = stores[1]
        .record(&case.number, Some(1), events)
        .await
        .expect("accept");
    let mut tasks = Vec::new();
    for i in 0..12usize {
        let store = stores[i % stores.len()].clone();
        let note = decide(
            &ctx(Role::Office),
            &accepted,
            Command::AddNote {
                text: format!("note {i}"),
            },
            false,
        )
        .expect("note");
        let number: CaseNumber = case.number.clone();
        tasks.push(tokio::spawn(async move {
            store.record(&number, None, note).await.expect("note")
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let record = stores[2].case_record(&case.number).await.expect("record");
    assert_eq!(record.len(), 2 + 12);
    let last = stores[0]
        .case(&case.number)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(last.version, accepted.version + 12);
    assert_eq!(
        stores[1].rebuild_case(&case.number).await.expect("rebuild"),
        last
    );
    let chain = stores[2].chain("xuhui").await.expect("chain");
    assert_eq!(verify("xuhui", &chain.entries, chain.head.as_ref()), Ok(14));
}

#[tokio::test]
async fn debug_hides_the_password() {
    // Trust authentication ignores the password; a server that checks it would refuse.
    let url = common::fresh_url().await;
    let Some(rest) = url.strip_prefix("postgres://postgres@") else {
        return; // a custom HAOBAN_TEST_DATABASE_URL: covered by the unit test of redact_url
    };
    let store = PostgresStore::connect(
        &format!("postgres://postgres:hunter2@{rest}"),
        std::sync::Arc::new(haoban_store::vault::Vault::for_tests()),
    )
    .await
    .expect("connect");
    let shown = format!("{store:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("postgres:***@"), "{shown}");
}
