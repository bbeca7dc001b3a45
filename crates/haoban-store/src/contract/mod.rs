//! The contract every store passes, run against each backend by [`contract_suite!`].
//! Each check gets a fresh, empty, migrated store.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use haoban_cases::record::verify;
use haoban_cases::{
    Applicant, CaseNumber, CaseStatus, CenterId, Channel, Command, Context, IdNumber, ItemTerms,
    MaterialCheck, MaterialState, Role, decide, submit,
};

use crate::{CaseFilter, LoginCode, Session, SessionKind, Store, StoreError, User};

mod access;
mod feedback;
mod hall;
mod history;
mod insight;
mod offers;
pub mod personal_data;
mod self_service;
mod training;
pub use access::*;
pub use feedback::*;
pub use hall::*;
pub use history::*;
pub use insight::*;
pub use offers::*;
pub use self_service::*;
pub use training::*;

/// Generates one `#[tokio::test]` per contract check, each with a fresh store from `$make`
/// (an async fn returning `Arc<dyn Store>`).
#[macro_export]
macro_rules! contract_suite {
    ($make:path) => {
        $crate::contract_suite!(@tests $make,
            numbers_cases_per_center_and_day,
            records_events_and_projection_together,
            refuses_a_stale_version_and_stores_nothing,
            filters_cases,
            keeps_one_verifiable_chain_per_center,
            concurrent_writers_never_fork_the_chain,
            first_writers_of_new_centers_start_one_chain,
            concurrent_notes_on_one_case_all_land,
            rebuilds_a_projection_from_events,
            keeps_users_and_locks_them_out,
            issues_second_factors_and_takes_each_code_once,
            lists_the_users_of_a_center,
            disabling_a_user_ends_their_sessions,
            keeps_sessions,
            keeps_one_login_code_per_resident,
            stores_a_month_once_and_reads_it_back,
            a_stored_month_matches_its_recomputation,
            reports_missing_cases,
            numbers_tickets_per_center_day_and_category,
            calls_tickets_by_the_rule_and_records_it,
            concurrent_windows_never_share_a_ticket,
            serves_tickets_step_by_step_and_records_it,
            transfers_and_parks_tickets_to_one_window,
            promises_a_wait_when_issuing,
            keeps_windows_and_their_skills,
            registers_visitors_once,
            books_slots_up_to_capacity_and_checks_in,
            concurrent_bookings_never_overfill_a_slot,
            issue_times_never_run_back,
            keeps_one_rating_per_target_and_never_changes_it,
            concurrent_ratings_of_one_target_store_exactly_one,
            a_bad_rating_opens_a_follow_up_that_runs_to_its_end,
            lists_ratings_per_center_and_month,
            records_default_ratings_after_the_days_and_once,
            uses_a_rating_link_once,
            a_ticket_keeps_who_served_it,
            keeps_written_questions_per_center_and_item,
            keeps_test_attempts_as_taken,
            keeps_onboarding_from_start_to_ready,
            concurrent_ready_decisions_store_exactly_one,
            deposits_in_the_smallest_free_compartment_or_not_at_all,
            picks_up_with_the_right_code_only,
            too_many_wrong_codes_return_the_result_to_the_desk,
            expires_parcels_left_too_long,
            concurrent_deposits_never_share_a_compartment,
            keeps_uploads_with_their_hash,
            makes_an_offer_once_per_resident_and_item,
            answers_an_offer_once,
            concurrent_scans_make_each_offer_once,
            a_large_scan_is_one_transaction,
            imports_history_exactly_as_the_one_step_methods_record_it,
            an_import_that_does_not_fit_stores_nothing,
            keeps_an_access_log_as_one_verifiable_chain,
            concurrent_requests_append_one_unbroken_log,
            purges_personal_data_past_its_retention_and_records_it,
        );
    };
    (@tests $make:path, $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $make().await;
                $crate::contract::$name(store).await;
            }
        )*
    };
}

pub(crate) fn center(name: &str) -> CenterId {
    CenterId::parse(name).expect("center")
}

pub(crate) fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

pub(crate) fn ctx(role: Role, center_name: &str) -> Context {
    Context {
        actor: format!("{role}-a"),
        role,
        center: center(center_name),
        now: Utc
            .with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
            .single()
            .expect("time"),
        today: day(),
    }
}

fn terms() -> ItemTerms {
    ItemTerms {
        id: "elderly-allowance".into(),
        catalog_version: "v1".into(),
        promised_days: 20,
        required_materials: vec!["id-card".into()],
        conditional_materials: Vec::new(),
    }
}

fn applicant() -> Applicant {
    Applicant {
        id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
        name: "王阿姨".into(),
    }
}

pub(crate) async fn open(store: &dyn Store, center_name: &str) -> haoban_cases::Case {
    let event = submit(
        &ctx(Role::Clerk, center_name),
        applicant(),
        Channel::Window,
        &terms(),
    )
    .expect("submit");
    store.open_case(day(), event).await.expect("open case")
}

fn accept() -> Command {
    Command::Accept {
        materials: vec![MaterialCheck {
            material: "id-card".into(),
            state: MaterialState::Received,
        }],
    }
}

pub async fn numbers_cases_per_center_and_day(store: Arc<dyn Store>) {
    let a = open(&*store, "linfen").await;
    let b = open(&*store, "linfen").await;
    let c = open(&*store, "pengpu").await;
    assert_eq!(a.number.to_string(), "linfen-20261127-0001");
    assert_eq!(b.number.to_string(), "linfen-20261127-0002");
    assert_eq!(c.number.to_string(), "pengpu-20261127-0001");
    assert_eq!(a.status, CaseStatus::Submitted);
    assert_eq!(a.version, 1);
}

pub async fn records_events_and_projection_together(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let events = decide(&ctx(Role::Clerk, "linfen"), &case, accept(), false).expect("accept");
    let accepted = store
        .record(&case.number, Some(case.version), events)
        .await
        .expect("record");
    assert_eq!(accepted.status, CaseStatus::Accepted);
    assert_eq!(accepted.version, 2);
    assert_eq!(
        store.case(&case.number).await.expect("read"),
        Some(accepted.clone())
    );
    let record = store.case_record(&case.number).await.expect("record");
    let kinds: Vec<&str> = record.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["submitted", "accepted"]);
    assert_eq!(record[1].actor, "clerk-a");
    assert_eq!(record[1].role, "clerk");
}

pub async fn refuses_a_stale_version_and_stores_nothing(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let events = decide(&ctx(Role::Clerk, "linfen"), &case, accept(), false).expect("accept");
    store
        .record(&case.number, Some(1), events.clone())
        .await
        .expect("first writer wins");
    let second = store.record(&case.number, Some(1), events).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
    assert_eq!(
        store.case_record(&case.number).await.expect("record").len(),
        2
    );
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(verify("linfen", &chain.entries, chain.head.as_ref()), Ok(2));
}

pub async fn filters_cases(store: Arc<dyn Store>) {
    let first = open(&*store, "linfen").await;
    let second = open(&*store, "linfen").await;
    open(&*store, "pengpu").await;
    let events = decide(&ctx(Role::Clerk, "linfen"), &second, accept(), false).expect("accept");
    store
        .record(&second.number, Some(1), events)
        .await
        .expect("record");

    let all = store
        .cases(&CaseFilter::center(center("linfen")))
        .await
        .expect("list");
    assert_eq!(all.len(), 2, "only the center's own cases");
    let mut submitted = CaseFilter::center(center("linfen"));
    submitted.statuses = vec![CaseStatus::Submitted];
    let listed = store.cases(&submitted).await.expect("list");
    assert_eq!(
        listed.iter().map(|c| &c.number).collect::<Vec<_>>(),
        vec![&first.number]
    );
    let mut by_clerk = CaseFilter::center(center("linfen"));
    by_clerk.clerk = Some("clerk-a".into());
    assert_eq!(store.cases(&by_clerk).await.expect("list").len(), 1);
    let mut by_item = CaseFilter::center(center("linfen"));
    by_item.item = Some("nothing".into());
    assert!(store.cases(&by_item).await.expect("list").is_empty());
    let mut by_applicant = CaseFilter::center(center("linfen"));
    by_applicant.applicant = Some("11010519491231002X".into());
    assert_eq!(store.cases(&by_applicant).await.expect("list").len(), 2);
    let mut paged = CaseFilter::center(center("linfen"));
    paged.limit = 1;
    paged.offset = 1;
    assert_eq!(store.cases(&paged).await.expect("list").len(), 1);
}

pub async fn keeps_one_verifiable_chain_per_center(store: Arc<dyn Store>) {
    for _ in 0..3 {
        open(&*store, "linfen").await;
    }
    open(&*store, "pengpu").await;
    let mut centers = store.centers().await.expect("centers");
    centers.sort();
    assert_eq!(centers, vec!["linfen", "pengpu"]);
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(
        chain.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(verify("linfen", &chain.entries, chain.head.as_ref()), Ok(3));
    let other = store.chain("pengpu").await.expect("chain");
    assert_eq!(verify("pengpu", &other.entries, other.head.as_ref()), Ok(1));
}

pub async fn concurrent_writers_never_fork_the_chain(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let case = open(&*store, "linfen").await;
                let events =
                    decide(&ctx(Role::Clerk, "linfen"), &case, accept(), false).expect("accept");
                store
                    .record(&case.number, Some(1), events)
                    .await
                    .expect("record");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(
        verify("linfen", &chain.entries, chain.head.as_ref()),
        Ok(80)
    );
    let numbers: std::collections::BTreeSet<String> = chain
        .entries
        .iter()
        .filter_map(|e| e.case.clone())
        .collect();
    assert_eq!(numbers.len(), 40, "every case got its own number");
}

/// Writers on different days share no counter row: only the chain head orders them,
/// including the very first event of a center.
pub async fn first_writers_of_new_centers_start_one_chain(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for writer in 0..6u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let event = submit(
                &ctx(Role::Clerk, "xinzhuang"),
                applicant(),
                Channel::Window,
                &terms(),
            )
            .expect("submit");
            let day = NaiveDate::from_ymd_opt(2026, 1, 1 + writer).expect("date");
            store.open_case(day, event).await.expect("open")
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let chain = store.chain("xinzhuang").await.expect("chain");
    assert_eq!(
        verify("xinzhuang", &chain.entries, chain.head.as_ref()),
        Ok(6)
    );
}

/// Appends without an expected version (notes, views) never conflict with each other.
pub async fn concurrent_notes_on_one_case_all_land(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        let case = case.clone();
        tasks.push(tokio::spawn(async move {
            let note = decide(
                &ctx(Role::Office, "linfen"),
                &case,
                Command::AddNote {
                    text: format!("note {i}"),
                },
                false,
            )
            .expect("note");
            store
                .record(&case.number, None, note)
                .await
                .expect("unversioned append")
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let stored = store.case(&case.number).await.expect("read").expect("case");
    assert_eq!(stored.version, 11);
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(
        verify("linfen", &chain.entries, chain.head.as_ref()),
        Ok(11)
    );
}

pub async fn rebuilds_a_projection_from_events(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let events = decide(&ctx(Role::Clerk, "linfen"), &case, accept(), false).expect("accept");
    let accepted = store
        .record(&case.number, Some(1), events)
        .await
        .expect("record");
    let note = decide(
        &ctx(Role::Office, "linfen"),
        &accepted,
        Command::AddNote {
            text: "已电话联系".into(),
        },
        false,
    )
    .expect("note");
    let noted = store
        .record(&case.number, None, note)
        .await
        .expect("record");
    assert_eq!(
        store.rebuild_case(&case.number).await.expect("rebuild"),
        noted
    );
}

fn user(name: &str, role: Role) -> User {
    User {
        username: name.into(),
        role,
        center: center("linfen"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
        totp_secret: None,
        created_at: Utc
            .with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .expect("time"),
    }
}

pub async fn keeps_users_and_locks_them_out(store: Arc<dyn Store>) {
    store
        .create_user(&user("zhang", Role::Clerk))
        .await
        .expect("create");
    assert!(matches!(
        store.create_user(&user("zhang", Role::Office)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.user("zhang").await.expect("read"),
        Some(user("zhang", Role::Clerk))
    );
    assert_eq!(store.user("nobody").await.expect("read"), None);
    let until = Utc
        .with_ymd_and_hms(2026, 11, 27, 1, 15, 0)
        .single()
        .expect("time");
    let locked = |source: &'static str| {
        let store = store.clone();
        async move {
            store
                .sign_in_locked_until("zhang", source)
                .await
                .expect("read the lock")
        }
    };
    for _ in 0..4 {
        store
            .sign_in_failed("zhang", "203.0.113.9", 5, until)
            .await
            .expect("count");
    }
    assert_eq!(locked("203.0.113.9").await, None);
    store
        .sign_in_failed("zhang", "203.0.113.9", 5, until)
        .await
        .expect("count");
    assert_eq!(locked("203.0.113.9").await, Some(until));
    // Guessing from one place locks that place out, not the account's owner elsewhere.
    assert_eq!(locked("198.51.100.7").await, None);
    // A failure once the lock has run out starts the count again.
    store
        .sign_in_failed("zhang", "203.0.113.9", 5, until)
        .await
        .expect("count");
    assert_eq!(locked("203.0.113.9").await, None);
    store
        .sign_in_succeeded("zhang", "203.0.113.9")
        .await
        .expect("reset");
    for _ in 0..4 {
        store
            .sign_in_failed("zhang", "203.0.113.9", 5, until)
            .await
            .expect("count");
    }
    assert_eq!(
        locked("203.0.113.9").await,
        None,
        "a success clears the count"
    );
}

pub async fn issues_second_factors_and_takes_each_code_once(store: Arc<dyn Store>) {
    store
        .create_user(&user("zhang", Role::SystemAdmin))
        .await
        .expect("create");
    assert!(matches!(
        store
            .set_totp_secret("nobody", Some("JBSWY3DPEHPK3PXP"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .set_totp_secret("zhang", Some("JBSWY3DPEHPK3PXP"))
        .await
        .expect("issue");
    let issued = store.user("zhang").await.expect("read").expect("user");
    assert_eq!(issued.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert!(store.claim_totp_step("zhang", 100).await.expect("claim"));
    assert!(
        !store.claim_totp_step("zhang", 100).await.expect("claim"),
        "a code is good once"
    );
    assert!(
        !store.claim_totp_step("zhang", 99).await.expect("claim"),
        "nor an older one after it"
    );
    assert!(store.claim_totp_step("zhang", 101).await.expect("claim"));
    // A new secret starts afresh.
    store
        .set_totp_secret("zhang", Some("KRSXG5CTMVRXEZLU"))
        .await
        .expect("reissue");
    assert!(store.claim_totp_step("zhang", 50).await.expect("claim"));
    store
        .set_totp_secret("zhang", None)
        .await
        .expect("withdraw");
    let withdrawn = store.user("zhang").await.expect("read").expect("user");
    assert_eq!(withdrawn.totp_secret, None);
}

pub async fn lists_the_users_of_a_center(store: Arc<dyn Store>) {
    let mut elsewhere = user("wang", Role::Clerk);
    elsewhere.center = center("pengpu");
    for account in [
        user("zhang", Role::Clerk),
        user("Li", Role::SystemAdmin),
        user("li", Role::Office),
        user("王芳", Role::Desk),
        elsewhere.clone(),
    ] {
        store.create_user(&account).await.expect("create");
    }
    store.disable_user("li").await.expect("disable");
    let mut disabled = user("li", Role::Office);
    disabled.disabled = true;
    // Disabled accounts are listed too; the order is the usernames' byte order.
    assert_eq!(
        store.users(&center("linfen")).await.expect("list"),
        vec![
            user("Li", Role::SystemAdmin),
            disabled,
            user("zhang", Role::Clerk),
            user("王芳", Role::Desk),
        ]
    );
    assert_eq!(
        store.users(&center("pengpu")).await.expect("list"),
        vec![elsewhere]
    );
    assert_eq!(
        store.users(&center("xuhui")).await.expect("list"),
        Vec::<User>::new()
    );
}

pub(crate) fn session(id: &str, subject: &str, kind: SessionKind) -> Session {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
        .single()
        .expect("time");
    Session {
        id_hash: id.into(),
        kind,
        subject: subject.into(),
        role: Role::Clerk,
        center: center("linfen"),
        created_at: at,
        last_seen: at,
        csrf_token: format!("csrf-{id}"),
        assisted_by: None,
    }
}

pub async fn disabling_a_user_ends_their_sessions(store: Arc<dyn Store>) {
    store
        .create_user(&user("zhang", Role::Clerk))
        .await
        .expect("create");
    store
        .create_user(&user("li", Role::Clerk))
        .await
        .expect("create");
    store
        .create_session(&session("s1", "zhang", SessionKind::Cookie))
        .await
        .expect("session");
    store
        .create_session(&session("t1", "zhang", SessionKind::ApiToken))
        .await
        .expect("token");
    store
        .create_session(&session("s2", "li", SessionKind::Cookie))
        .await
        .expect("session");
    store.disable_user("zhang").await.expect("disable");
    assert!(
        store
            .user("zhang")
            .await
            .expect("read")
            .expect("user")
            .disabled
    );
    assert_eq!(store.session("s1").await.expect("read"), None);
    assert_eq!(store.session("t1").await.expect("read"), None);
    assert!(store.session("s2").await.expect("read").is_some());
    assert!(matches!(
        store.disable_user("nobody").await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn keeps_sessions(store: Arc<dyn Store>) {
    let s = session("s1", "zhang", SessionKind::Cookie);
    store.create_session(&s).await.expect("create");
    assert_eq!(store.session("s1").await.expect("read"), Some(s.clone()));
    let later = s.last_seen + Duration::minutes(5);
    store.touch_session("s1", later).await.expect("touch");
    assert_eq!(
        store
            .session("s1")
            .await
            .expect("read")
            .map(|s| s.last_seen),
        Some(later)
    );
    store.delete_session("s1").await.expect("delete");
    assert_eq!(store.session("s1").await.expect("read"), None);
    // A resident's session a clerk opened beside them keeps who helped.
    let assisted = Session {
        role: Role::Resident,
        assisted_by: Some("zhang".into()),
        ..session("s2", "11010519491231002X", SessionKind::Cookie)
    };
    store.create_session(&assisted).await.expect("create");
    assert_eq!(store.session("s2").await.expect("read"), Some(assisted));
}

pub async fn keeps_one_login_code_per_resident(store: Arc<dyn Store>) {
    let expires = Utc
        .with_ymd_and_hms(2026, 11, 27, 1, 5, 0)
        .single()
        .expect("time");
    let first = LoginCode {
        center: center("linfen"),
        id_number: "11010519491231002X".into(),
        code_hash: "a".into(),
        expires_at: expires,
        attempts: 0,
    };
    store.put_login_code(&first).await.expect("put");
    let second = LoginCode {
        code_hash: "b".into(),
        ..first.clone()
    };
    store.put_login_code(&second).await.expect("replace");
    let attempted = store
        .login_code_attempt("11010519491231002X")
        .await
        .expect("attempt")
        .expect("code");
    assert_eq!((attempted.code_hash.as_str(), attempted.attempts), ("b", 1));
    store
        .delete_login_code("11010519491231002X")
        .await
        .expect("delete");
    assert_eq!(
        store
            .login_code_attempt("11010519491231002X")
            .await
            .expect("attempt"),
        None
    );
}

pub async fn reports_missing_cases(store: Arc<dyn Store>) {
    let missing = CaseNumber::parse("linfen-20261127-0099").expect("number");
    assert_eq!(store.case(&missing).await.expect("read"), None);
    assert!(matches!(
        store.record(&missing, None, Vec::new()).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.rebuild_case(&missing).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.case_record(&missing).await.expect("read").is_empty());
}
