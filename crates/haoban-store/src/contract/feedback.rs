//! Ratings' part of the contract: one rating per target, even under concurrency; the
//! follow-up a bad one opens and its steps; defaults once; links used once.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use haoban_cases::record::{verify, verify_projections};
use haoban_cases::{Case, CaseNumber, Command, Delivery, Role, decide};
use haoban_catalog::Calendar;
use haoban_feedback::{
    AppealState, Channel, FeedbackConfig, FollowUpCommand, Level, Month, Rating, Stage, Target,
    rate,
};
use haoban_hall::TicketNumber;

use super::{accept, center, ctx, day, open};
use crate::{By, CaseFilter, RatingLink, Store, StoreError};

fn at(days: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 3, 0, 0)
        .single()
        .expect("time")
        + Duration::days(days)
}

fn visit(ticket: &str) -> Target {
    Target::Visit {
        day: day(),
        ticket: TicketNumber::parse(ticket).expect("ticket"),
    }
}

fn case_target(case: &CaseNumber) -> Target {
    Target::Case { case: case.clone() }
}

fn rating(center_name: &str, target: Target, level: u8, days: i64) -> Rating {
    Rating {
        center: center(center_name),
        target,
        level: Level::new(level).expect("level"),
        channel: Some(Channel::WindowPad),
        staff: "clerk-a".into(),
        rater: "anonymous".into(),
        at: at(days),
        on: day() + Duration::days(days),
    }
}

async fn give(store: &dyn Store, rating: Rating) -> Result<(), StoreError> {
    let rated =
        rate(rating, &FeedbackConfig::default(), &Calendar::default()).expect("a valid rating");
    store.rate(&rated, None).await
}

fn supervisor(actor: &str) -> By {
    By {
        actor: actor.into(),
        role: Role::Supervisor,
        at: at(1),
    }
}

async fn chain_intact(store: &dyn Store, center_name: &str) -> Vec<String> {
    let chain = store.chain(center_name).await.expect("chain");
    verify(center_name, &chain.entries, chain.head.as_ref()).expect("chain intact");
    let mut filter = CaseFilter::center(center(center_name));
    filter.limit = u32::MAX;
    let cases = store.cases(&filter).await.expect("cases");
    verify_projections(center_name, &chain.entries, &cases).expect("projections match");
    chain.entries.iter().map(|e| e.kind.clone()).collect()
}

pub async fn keeps_one_rating_per_target_and_never_changes_it(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let target = case_target(&case.number);
    give(&*store, rating("linfen", target.clone(), 5, 0))
        .await
        .expect("first rating");
    let again = give(&*store, rating("linfen", target.clone(), 1, 1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let kept = store
        .rating(&center("linfen"), &target)
        .await
        .expect("read")
        .expect("rating");
    assert_eq!(kept, rating("linfen", target.clone(), 5, 0));
    assert_eq!(
        store
            .follow_ups(&center("linfen"), false)
            .await
            .expect("list"),
        vec![],
        "the refused bad rating opened nothing"
    );
    // The rating shows in the case's record, and the case still rebuilds from its events.
    let kinds: Vec<String> = store
        .case_record(&case.number)
        .await
        .expect("record")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["submitted", "rating_given"]);
    assert_eq!(
        store.rebuild_case(&case.number).await.expect("rebuild"),
        case
    );
    assert_eq!(
        chain_intact(&*store, "linfen").await,
        vec!["submitted", "rating_given"]
    );
    // Another center's visit with the same day and ticket is another target.
    give(&*store, rating("pengpu", visit("A001"), 4, 0))
        .await
        .expect("other center");
    give(&*store, rating("linfen", visit("A001"), 4, 0))
        .await
        .expect("other target");
}

pub async fn concurrent_ratings_of_one_target_store_exactly_one(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for level in [1u8, 2, 5, 4] {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            give(&*store, rating("linfen", visit("A007"), level, 0)).await
        }));
    }
    let mut stored = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => stored += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(stored, 1, "exactly one rating of a target is stored");
    let month = Month::of(day());
    assert_eq!(
        store
            .ratings(&center("linfen"), month)
            .await
            .expect("list")
            .len(),
        1
    );
    let kinds = chain_intact(&*store, "linfen").await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "rating_given").count(),
        1,
        "{kinds:?}"
    );
    let opened = kinds.iter().filter(|k| *k == "follow_up_opened").count();
    let follow_ups = store
        .follow_ups(&center("linfen"), false)
        .await
        .expect("list");
    assert_eq!(
        follow_ups.len(),
        opened,
        "a follow-up only with its bad rating"
    );
}

pub async fn a_bad_rating_opens_a_follow_up_that_runs_to_its_end(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    give(&*store, rating("linfen", case_target(&case.number), 1, 0))
        .await
        .expect("rate");
    let id = case_target(&case.number).follow_up_id(&center("linfen"));
    let opened = store
        .follow_up(&center("linfen"), &id)
        .await
        .expect("read")
        .expect("a follow-up");
    assert_eq!(
        (opened.stage(), opened.staff.as_str()),
        (Stage::Open, "clerk-a")
    );
    assert_eq!(
        store
            .follow_ups(&center("linfen"), true)
            .await
            .expect("list"),
        vec![opened.clone()]
    );
    let step = |command: FollowUpCommand, by: By| {
        let store = store.clone();
        let id = id.clone();
        async move {
            store
                .follow_up_step(&center("linfen"), &id, &command, by)
                .await
        }
    };
    let fix = FollowUpCommand::Fix {
        note: "多开一个窗口".into(),
    };
    assert!(matches!(
        step(fix.clone(), supervisor("boss")).await,
        Err(StoreError::Conflict(_))
    ));
    let appeal = FollowUpCommand::Appeal {
        reason: "申请人误触".into(),
    };
    let not_rated = By {
        actor: "clerk-b".into(),
        role: Role::Clerk,
        at: at(1),
    };
    assert!(matches!(
        step(appeal.clone(), not_rated).await,
        Err(StoreError::Conflict(_))
    ));
    let rated = By {
        actor: "clerk-a".into(),
        role: Role::Clerk,
        at: at(1),
    };
    step(appeal, rated).await.expect("appeal");
    let decided = step(
        FollowUpCommand::Decide {
            upheld: true,
            note: "录像显示确有等候过久".into(),
        },
        supervisor("boss"),
    )
    .await
    .expect("decide");
    assert_eq!(decided.appeal_state(), AppealState::Upheld);
    step(
        FollowUpCommand::CallBack {
            note: "已电话致歉".into(),
        },
        supervisor("boss"),
    )
    .await
    .expect("call back");
    let fixed = step(fix, supervisor("boss")).await.expect("fix");
    assert!(fixed.resolved());
    assert_eq!(
        store.follow_up(&center("linfen"), &id).await.expect("read"),
        Some(fixed)
    );
    assert!(
        store
            .follow_ups(&center("linfen"), true)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        store
            .follow_ups(&center("linfen"), false)
            .await
            .expect("list")
            .len(),
        1
    );
    let missing = case_target(&CaseNumber::parse("linfen-20261127-0099").expect("number"))
        .follow_up_id(&center("linfen"));
    assert!(matches!(
        store
            .follow_up_step(
                &center("linfen"),
                &missing,
                &FollowUpCommand::CallBack { note: "n".into() },
                supervisor("boss")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    // The steps are in the chain; only the rating and the opening under the case.
    assert_eq!(
        chain_intact(&*store, "linfen").await,
        vec![
            "submitted",
            "rating_given",
            "follow_up_opened",
            "appeal_filed",
            "appeal_decided",
            "follow_up_called_back",
            "follow_up_fixed",
        ]
    );
    let kinds: Vec<String> = store
        .case_record(&case.number)
        .await
        .expect("record")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["submitted", "rating_given", "follow_up_opened"]);
}

pub async fn lists_ratings_per_center_and_month(store: Arc<dyn Store>) {
    // day() is 27 November: +3 days is 30 November, +4 is 1 December.
    for (center_name, ticket, days) in [
        ("linfen", "A001", 0),
        ("linfen", "A002", 3),
        ("linfen", "A003", 4),
        ("pengpu", "A004", 0),
        ("linfen", "A005", -30),
    ] {
        give(&*store, rating(center_name, visit(ticket), 5, days))
            .await
            .expect("rate");
    }
    let listed = |center_name: &'static str, month: &'static str| {
        let store = store.clone();
        async move {
            store
                .ratings(&center(center_name), Month::parse(month).expect("month"))
                .await
                .expect("list")
                .into_iter()
                .map(|r| r.target.key())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed("linfen", "2026-11").await,
        vec!["visit:2026-11-27:A001", "visit:2026-11-27:A002"]
    );
    assert_eq!(
        listed("linfen", "2026-12").await,
        vec!["visit:2026-11-27:A003"]
    );
    assert_eq!(
        listed("linfen", "2026-10").await,
        vec!["visit:2026-11-27:A005"]
    );
    assert_eq!(
        listed("pengpu", "2026-11").await,
        vec!["visit:2026-11-27:A004"]
    );
    assert!(listed("xuhui", "2026-11").await.is_empty());
}

/// A case accepted, approved and delivered on `delivered_on`.
pub(crate) async fn delivered_case(store: &dyn Store, delivered_on: NaiveDate) -> Case {
    let mut case = open(store, "linfen").await;
    let steps = [
        (Role::Clerk, accept()),
        (Role::Office, Command::StartReview),
        (Role::Office, Command::Approve { note: None }),
        (
            Role::Office,
            Command::MarkReady {
                delivery: Delivery::Window,
            },
        ),
        (Role::Clerk, Command::Deliver),
    ];
    for (role, command) in steps {
        let mut context = ctx(role, "linfen");
        context.today = delivered_on;
        let events = decide(&context, &case, command, false).expect("step");
        case = store
            .record(&case.number, Some(case.version), events)
            .await
            .expect("record");
    }
    case
}

pub async fn records_default_ratings_after_the_days_and_once(store: Arc<dyn Store>) {
    let delivered_on = day();
    let silent = delivered_case(&*store, delivered_on).await;
    let spoke = delivered_case(&*store, delivered_on).await;
    let pending = open(&*store, "linfen").await;
    give(&*store, rating("linfen", case_target(&spoke.number), 2, 0))
        .await
        .expect("rated by the resident");
    let rule = FeedbackConfig::default().defaults;
    let days = i64::from(rule.after_days());
    let record = |days: i64| {
        let store = store.clone();
        async move {
            store
                .record_default_ratings(
                    &center("linfen"),
                    day() + Duration::days(days),
                    &rule,
                    at(days),
                )
                .await
                .expect("defaults")
        }
    };
    assert!(record(days - 1).await.is_empty(), "not yet");
    let recorded = record(days).await;
    assert_eq!(
        recorded
            .iter()
            .map(|r| r.target.clone())
            .collect::<Vec<_>>(),
        vec![case_target(&silent.number)],
        "only the delivered case nobody rated; not {}",
        pending.number
    );
    assert!(recorded[0].defaulted());
    assert_eq!(
        (recorded[0].level, recorded[0].staff.as_str()),
        (rule.level(), "clerk-a")
    );
    assert!(record(days).await.is_empty(), "never twice");
    assert!(record(days + 5).await.is_empty(), "never twice");
    assert_eq!(
        store
            .rating(&center("linfen"), &case_target(&silent.number))
            .await
            .expect("read"),
        Some(recorded[0].clone())
    );
    let kinds = chain_intact(&*store, "linfen").await;
    assert_eq!(kinds.iter().filter(|k| *k == "rating_defaulted").count(), 1);
    let last = store
        .case_record(&silent.number)
        .await
        .expect("record")
        .pop()
        .expect("entries");
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("rating_defaulted", "system:default")
    );
    assert_eq!(
        store.rebuild_case(&silent.number).await.expect("rebuild"),
        silent
    );
}

pub async fn uses_a_rating_link_once(store: Arc<dyn Store>) {
    let link = RatingLink {
        token_hash: "hash-1".into(),
        center: center("linfen"),
        target: visit("A009"),
        id_number: "11010519491231002X".into(),
        expires_at: at(10),
    };
    store.put_rating_link(&link).await.expect("put");
    assert_eq!(store.rating_link("hash-1").await.expect("read"), Some(link));
    let mut first = rating("linfen", visit("A009"), 5, 0);
    first.channel = Some(Channel::Link);
    let rated = rate(first, &FeedbackConfig::default(), &Calendar::default()).expect("rating");
    store
        .rate(&rated, Some("hash-1"))
        .await
        .expect("rate by link");
    assert_eq!(store.rating_link("hash-1").await.expect("read"), None);
    let mut other = rating("linfen", visit("A010"), 5, 0);
    other.channel = Some(Channel::Link);
    let other = rate(other, &FeedbackConfig::default(), &Calendar::default()).expect("rating");
    assert!(matches!(
        store.rate(&other, Some("hash-1")).await,
        Err(StoreError::NotFound(_))
    ));
    let expired = RatingLink {
        token_hash: "hash-2".into(),
        center: center("linfen"),
        target: visit("A010"),
        id_number: "11010519491231002X".into(),
        expires_at: at(0) - Duration::minutes(1),
    };
    store.put_rating_link(&expired).await.expect("put");
    assert!(matches!(
        store.rate(&other, Some("hash-2")).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .rating(&center("linfen"), &visit("A010"))
            .await
            .expect("read"),
        None,
        "nothing stored without a valid link"
    );
}

/// Who a visit's rating rates: the last staff member who called the ticket or took a step.
pub async fn a_ticket_keeps_who_served_it(store: Arc<dyn Store>) {
    use haoban_hall::{AgingRule, Priority, QueueCommand, Window};
    let staff = |actor: &str| By {
        actor: actor.into(),
        role: Role::Clerk,
        at: at(0),
    };
    let issued = store
        .issue_ticket(
            day(),
            crate::NewTicket {
                center: center("linfen"),
                category: 'A',
                priority: Priority::Normal,
                items: Vec::new(),
                carried: None,
                rule: AgingRule::default(),
            },
            staff("desk-a"),
        )
        .await
        .expect("issue");
    assert_eq!(issued.served_by, None);
    let called = store
        .call_next(
            day(),
            &center("linfen"),
            &Window::any("5"),
            &AgingRule::default(),
            staff("clerk-a"),
        )
        .await
        .expect("call")
        .expect("a ticket");
    assert_eq!(called.served_by.as_deref(), Some("clerk-a"));
    let finished = store
        .serve_ticket(
            day(),
            &center("linfen"),
            &called.number,
            "5",
            &QueueCommand::Finish,
            staff("clerk-b"),
        )
        .await
        .expect("finish");
    assert_eq!(finished.served_by.as_deref(), Some("clerk-b"));
    let stored = store
        .tickets(&center("linfen"), day())
        .await
        .expect("tickets");
    assert_eq!(stored, vec![finished]);
}
