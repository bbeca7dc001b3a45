//! Training's part of the contract: written questions numbered and kept per center and
//! item, test attempts kept as taken (a retake is another), one onboarding record per
//! member whose ready-for-duty decision is taken once, even when two are taken at once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use haoban_cases::Role;
use haoban_insight::{NewAttempt, NewQuestion, Onboarding, OnboardingStep, Phrase, Score};

use super::center;
use crate::{By, Store, StoreError};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minutes)
}

fn by(actor: &str, role: Role, minutes: i64) -> By {
    By {
        actor: actor.into(),
        role,
        at: at(minutes),
    }
}

fn phrase(zh: &str, en: &str) -> Phrase {
    Phrase {
        zh: zh.into(),
        en: en.into(),
    }
}

fn question(center_name: &str, item: &str) -> NewQuestion {
    NewQuestion {
        center: center(center_name),
        item: item.into(),
        prompt: phrase("可以代办吗？", "May someone else apply for them?"),
        choices: vec![phrase("可以", "Yes"), phrase("不可以", "No")],
        correct: BTreeSet::from([1]),
    }
}

pub async fn keeps_written_questions_per_center_and_item(store: Arc<dyn Store>) {
    let director = by("zhou", Role::Supervisor, 0);
    let first = store
        .add_question(&question("linfen", "elderly-allowance"), director.clone())
        .await
        .expect("add");
    let second = store
        .add_question(&question("linfen", "low-income"), director.clone())
        .await
        .expect("add");
    store
        .add_question(&question("pengpu", "low-income"), director)
        .await
        .expect("add");
    assert!(second.id > first.id, "{} then {}", first.id, second.id);
    assert_eq!((first.author.as_str(), first.added_at), ("zhou", at(0)));
    assert_eq!(first.question, question("linfen", "elderly-allowance"));

    let all = store
        .questions(&center("linfen"), None)
        .await
        .expect("list");
    assert_eq!(all, vec![first, second.clone()]);
    let low_income = store
        .questions(&center("linfen"), Some("low-income"))
        .await
        .expect("list");
    assert_eq!(low_income, vec![second]);
    let none = store
        .questions(&center("linfen"), Some("consult"))
        .await
        .expect("list");
    assert!(none.is_empty());
}

fn attempt(center_name: &str, staff: &str, correct: u32, minutes: i64) -> NewAttempt {
    let mut score = Score::new(correct, 3, 80);
    score.right = (1..=correct).map(|n| format!("written:{n}")).collect();
    NewAttempt {
        center: center(center_name),
        staff: staff.into(),
        item: "elderly-allowance".into(),
        at: at(minutes),
        score,
        answers: BTreeMap::from([(
            "days:elderly-allowance".to_owned(),
            BTreeSet::from(["20".to_owned()]),
        )]),
        catalog_version: "v1".into(),
    }
}

pub async fn keeps_test_attempts_as_taken(store: Arc<dyn Store>) {
    let failed = store
        .record_attempt(&attempt("linfen", "li", 1, 0))
        .await
        .expect("record");
    // Taken later but stored first: listed in the order taken.
    let other = store
        .record_attempt(&attempt("linfen", "wang", 3, 20))
        .await
        .expect("record");
    let retake = store
        .record_attempt(&attempt("linfen", "li", 3, 10))
        .await
        .expect("record");
    store
        .record_attempt(&attempt("pengpu", "li", 3, 5))
        .await
        .expect("record");
    assert!(!failed.attempt.score.passed && retake.attempt.score.passed);
    assert_eq!(retake.attempt, attempt("linfen", "li", 3, 10));
    assert_ne!(failed.id, retake.id);

    let li = store
        .attempts(&center("linfen"), Some("li"))
        .await
        .expect("list");
    assert_eq!(li, vec![failed.clone(), retake.clone()]);
    let all = store.attempts(&center("linfen"), None).await.expect("list");
    assert_eq!(all, vec![failed, retake, other]);
    let nobody = store
        .attempts(&center("linfen"), Some("zhao"))
        .await
        .expect("list");
    assert!(nobody.is_empty());
}

fn start_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 8, 10).expect("date")
}

fn onboarding(center_name: &str, staff: &str, start: NaiveDate) -> Onboarding {
    let by = ("zhou", Role::Supervisor, at(0));
    Onboarding::start(center(center_name), staff, "li", start, by).expect("start")
}

fn ready(note: &str) -> OnboardingStep {
    OnboardingStep::Ready {
        note: note.into(),
        on: NaiveDate::from_ymd_opt(2026, 11, 10).expect("date"),
    }
}

pub async fn keeps_onboarding_from_start_to_ready(store: Arc<dyn Store>) {
    let xiaoli = onboarding("linfen", "xiaoli", start_day());
    store.start_onboarding(&xiaoli).await.expect("start");
    let again = store
        .start_onboarding(&onboarding("linfen", "xiaoli", start_day()))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // The same member elsewhere, and a later start here.
    let elsewhere = onboarding("pengpu", "xiaoli", start_day());
    store.start_onboarding(&elsewhere).await.expect("start");
    let later = onboarding("linfen", "xiaowang", start_day() + Duration::days(30));
    store.start_onboarding(&later).await.expect("start");
    assert_eq!(
        store
            .onboarding(&center("linfen"), "xiaoli")
            .await
            .expect("read"),
        Some(xiaoli.clone())
    );
    assert_eq!(
        store.onboardings(&center("linfen")).await.expect("list"),
        vec![later, xiaoli]
    );

    let review = OnboardingStep::Review {
        note: "材料审核熟练".into(),
    };
    let reviewed = store
        .onboarding_step(
            &center("linfen"),
            "xiaoli",
            &review,
            by("zhou", Role::Supervisor, 60),
        )
        .await
        .expect("review");
    assert_eq!(reviewed.reviews.len(), 1);
    let refused = store
        .onboarding_step(
            &center("linfen"),
            "xiaoli",
            &review,
            by("li", Role::Clerk, 61),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let decided = store
        .onboarding_step(
            &center("linfen"),
            "xiaoli",
            &ready("可以独立上岗"),
            by("zhou", Role::Supervisor, 120),
        )
        .await
        .expect("ready");
    let decision = decided.ready.clone().expect("decided");
    assert_eq!(
        (decision.by.as_str(), decision.at, decision.note.as_str()),
        ("zhou", at(120), "可以独立上岗")
    );
    let twice = store
        .onboarding_step(
            &center("linfen"),
            "xiaoli",
            &ready("again"),
            by("wu", Role::Supervisor, 130),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(
        store
            .onboarding(&center("linfen"), "xiaoli")
            .await
            .expect("read"),
        Some(decided)
    );
    // Nothing changed elsewhere; nobody unknown is stepped on.
    assert_eq!(
        store
            .onboarding(&center("pengpu"), "xiaoli")
            .await
            .expect("read"),
        Some(elsewhere)
    );
    let unknown = store
        .onboarding_step(
            &center("linfen"),
            "nobody",
            &review,
            by("zhou", Role::Supervisor, 140),
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
}

pub async fn concurrent_ready_decisions_store_exactly_one(store: Arc<dyn Store>) {
    store
        .start_onboarding(&onboarding("linfen", "xiaoli", start_day()))
        .await
        .expect("start");
    let mut tasks = Vec::new();
    for (n, supervisor) in ["zhou", "wu", "zhao", "qian"].into_iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let note = format!("decided by {supervisor}");
            let by = by(supervisor, Role::Supervisor, n as i64);
            store
                .onboarding_step(&center("linfen"), "xiaoli", &ready(&note), by)
                .await
        }));
    }
    let mut decided = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(record) => decided.push(record),
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(decided.len(), 1, "exactly one decision is taken");
    let stored = store
        .onboarding(&center("linfen"), "xiaoli")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stored, decided[0]);
}
