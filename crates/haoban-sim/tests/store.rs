//! The driver records the model's days through the store: one step at a time or a day at
//! once (`import_history`) gives the same process record, hash for hash, and the result
//! passes the audit (chain intact, every case row the replay of its events).

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use haoban_cases::CenterId;
use haoban_cases::record::{verify, verify_projections};
use haoban_catalog::Catalog;
use haoban_hall::TicketStatus;
use haoban_sim::{Day, Driver, Model, Opening, Progress, Recording, Scenario, until_now};
use haoban_store::{CaseFilter, Store};
use haoban_store_sqlite::SqliteStore;

fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/shanghai");
    Catalog::load(&dir).expect("the sample catalog loads")
}

/// A small center, so that recording one step at a time stays quick.
fn small() -> Scenario {
    let mut scenario = Scenario {
        visitors_per_day: 50.0,
        online_per_day: 8.0,
        residents: 400,
        ..Scenario::default()
    };
    scenario.staffing.clerks = 4;
    scenario.staffing.new_clerks = 1;
    scenario.staffing.windows = 3;
    // Enough bad ratings in a few days for follow-ups to happen.
    scenario.ratings.levels = [0.6, 0.2, 0.1, 0.05, 0.05];
    scenario
}

async fn store(dir: &Path, name: &str) -> Arc<dyn Store> {
    Arc::new(
        SqliteStore::open(
            &dir.join(name),
            Arc::new(haoban_store::vault::Vault::for_tests()),
        )
        .await
        .expect("open"),
    )
}

fn center() -> CenterId {
    CenterId::parse("demo").expect("center")
}

async fn drive(store: Arc<dyn Store>, days: &[Day], seed: u64) -> Driver {
    let catalog = catalog();
    let first = days[0].date;
    let model = Model::new(small(), &catalog, seed, first).expect("model");
    let mut driver = Driver::new(store, &catalog, center(), model);
    let at = Utc.from_utc_datetime(&first.and_hms_opt(0, 30, 0).expect("time"));
    driver.set_up(at).await.expect("windows");
    let mut progress = Progress::new("test", days.len() as u32);
    driver
        .run(days, &mut progress)
        .await
        .expect("days recorded");
    driver
}

async fn audited(store: &dyn Store) -> Vec<haoban_cases::record::Entry> {
    let chain = store.chain("demo").await.expect("chain");
    verify("demo", &chain.entries, chain.head.as_ref()).expect("chain intact");
    let mut filter = CaseFilter::center(center());
    filter.limit = u32::MAX;
    let cases = store.cases(&filter).await.expect("cases");
    verify_projections("demo", &chain.entries, &cases).expect("projections match");
    chain.entries
}

fn days(first: NaiveDate, count: i64, recording: Recording) -> Vec<Day> {
    (0..count)
        .map(|n| Day {
            date: first + Duration::days(n),
            opening: Opening::Calendar,
            cut: None,
            recording,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_at_once_records_exactly_what_one_step_at_a_time_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Monday to Thursday: cases opened early are reviewed and decided later in the week.
    let first = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    let one = store(dir.path(), "one.db").await;
    let bulk = store(dir.path(), "bulk.db").await;
    let by_step = drive(one.clone(), &days(first, 4, Recording::OneByOne), 9).await;
    let at_once = drive(bulk.clone(), &days(first, 4, Recording::Bulk), 9).await;
    assert_eq!(by_step.recorded(), at_once.recorded());
    let summary = at_once.model().summary();
    assert!(summary.cases > 100, "{summary:?}");
    assert!(
        summary.follow_up_steps > 0,
        "a follow-up was recorded between gathered steps"
    );
    let one_chain = audited(&*one).await;
    let bulk_chain = audited(&*bulk).await;
    assert_eq!(one_chain.len() as u64, at_once.recorded().entries);
    assert_eq!(one_chain, bulk_chain, "the same entries, hash for hash");
    for n in 0..4 {
        let day = first + Duration::days(n);
        assert_eq!(
            one.tickets(&center(), day).await.expect("tickets"),
            bulk.tickets(&center(), day).await.expect("tickets")
        );
    }
    let mut filter = CaseFilter::center(center());
    filter.limit = u32::MAX;
    let cases = bulk.cases(&filter).await.expect("cases");
    assert_eq!(cases.len() as u64, summary.cases);
    assert_eq!(cases, one.cases(&filter).await.expect("cases"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_ending_now_leaves_people_waiting_and_cases_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(dir.path(), "demo.db").await;
    // A Sunday night: the hall would be closed, but a demo's is open.
    let now = Utc
        .with_ymd_and_hms(2026, 3, 15, 14, 0, 0)
        .single()
        .expect("time");
    let catalog = catalog();
    let mut scenario = small();
    scenario.visitors_per_day = 150.0;
    let model = Model::new(scenario, &catalog, 4, now.date_naive()).expect("model");
    let plan = until_now(now, 10, &model);
    assert_eq!(plan.len(), 10);
    assert!(plan[..9].iter().all(|d| d.recording == Recording::Bulk));
    assert!(matches!(plan[9].opening, Opening::Live { .. }));
    let mut driver = Driver::new(store.clone(), &catalog, center(), model);
    driver
        .set_up(now - Duration::days(10))
        .await
        .expect("windows");
    let mut progress = Progress::new("test", 10);
    driver.run(&plan, &mut progress).await.expect("recorded");
    audited(&*store).await;
    let today = plan[9].date;
    let tickets = store.tickets(&center(), today).await.expect("tickets");
    assert!(
        tickets.iter().any(|t| t.status == TicketStatus::Waiting),
        "people wait in the hall now: {:?}",
        tickets.iter().map(|t| t.status).collect::<Vec<_>>()
    );
    assert!(tickets.iter().all(|t| t.issued_at <= now));
    assert!(driver.open_cases().any(|c| c.status.is_pending()));
}
