//! Training (3先3后), checked by hand against the fixture catalog
//! (`haoban-catalog/tests/fixtures/basic`): consult (社会救助, 0 days), elderly-allowance
//! (老年福利, a subcategory of 社会救助, 20 days) and low-income (社会救助, 30 days). The
//! breadth of 社会救助 is 3 (its own two items and the subcategory's one), of 老年福利 1.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use common::Record;
use haoban_cases::{CenterId, EventKind, Role};
use haoban_catalog::Catalog;
use haoban_insight::{
    Attempt, CompetenceMatrix, Frequency, NewAttempt, NewQuestion, Onboarding, OnboardingError,
    OnboardingStep, Phrase, QuestionKind, QuestionProblem, Score, Test, Tracker, Volume, Work,
    WrittenQuestion, category_breadth, generated, passed, plan, read_work,
};
use rust_decimal::Decimal;

fn catalog() -> Catalog {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../haoban-catalog/tests/fixtures/basic");
    Catalog::load(&fixture).expect("fixture catalog")
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

const SHANGHAI: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn today() -> NaiveDate {
    ymd(2026, 11, 20)
}

fn work(record: &Record) -> Vec<Work> {
    read_work("linfen", &record.entries, SHANGHAI, today()).expect("work")
}

/// Case number `n` (the date in a number does not matter here).
fn case(n: u32) -> String {
    format!("linfen-20260101-{n:04}")
}

fn supplement(record: &mut Record, day: NaiveDate, number: &str) {
    record.case(
        day,
        "zhou",
        Role::Office,
        number,
        EventKind::SupplementRequested {
            on: day,
            request: "补充材料".into(),
            due: day,
        },
    );
}

fn refuse(record: &mut Record, day: NaiveDate, clerk: &str, number: &str) {
    record.case(
        day,
        clerk,
        Role::Clerk,
        number,
        EventKind::NotAccepted {
            reason: "材料不全".into(),
            legal_basis: "《办法》第三条".into(),
        },
    );
}

#[test]
fn category_breadth_counts_the_items_of_a_category_and_its_subcategories() {
    let breadth = category_breadth(&catalog());
    assert_eq!(breadth.get("social-assistance"), Some(&3));
    assert_eq!(breadth.get("social-assistance-elderly"), Some(&1));
    assert_eq!(breadth.len(), 2);
}

/// The 12 months ending 2026-11-20 run from 2025-11-21; the line at 3 a year.
#[test]
fn frequency_counts_submissions_of_the_last_12_months_and_marks_the_line() {
    let mut record = Record::default();
    // low-income: 3 inside (the first day of the period counts), 1 the day before it.
    record.submit(ymd(2025, 11, 21), "li", &case(1), "low-income", 30);
    record.submit(ymd(2026, 3, 2), "li", &case(2), "low-income", 30);
    record.submit(ymd(2026, 11, 20), "li", &case(3), "low-income", 30);
    record.submit(ymd(2025, 11, 20), "li", &case(4), "low-income", 30);
    // elderly-allowance: 2 inside; one at 17:00 UTC on 2025-11-20 is 01:00 on the 21st in
    // Shanghai, so inside too. One tomorrow is not read.
    record.submit(ymd(2026, 6, 1), "li", &case(5), "elderly-allowance", 20);
    record.at_hour(17);
    record.submit(ymd(2025, 11, 20), "li", &case(6), "elderly-allowance", 20);
    record.at_hour(2);
    record.submit(ymd(2026, 11, 21), "li", &case(7), "elderly-allowance", 20);
    // An item the catalog no longer has is still listed.
    record.submit(ymd(2026, 5, 5), "li", &case(8), "old-item", 5);

    let frequency = Frequency::compute(&catalog(), &work(&record), today(), 3);
    assert_eq!(
        (frequency.from, frequency.to, frequency.line),
        (ymd(2025, 11, 21), today(), 3)
    );
    let rows: Vec<(&str, u32, bool, u32)> = frequency
        .rows
        .iter()
        .map(|r| (r.item.as_str(), r.cases, r.high, r.breadth))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("low-income", 3, true, 3),
            ("elderly-allowance", 2, false, 1),
            ("old-item", 1, false, 0),
            ("consult", 0, false, 3),
        ]
    );
    assert_eq!(frequency.row("old-item").expect("listed").category, None);
    // The default line, 500 a year: nothing here is high-frequency.
    let default = Frequency::compute(&catalog(), &work(&record), today(), 500);
    assert!(default.rows.iter().all(|r| !r.high));
}

/// li accepted two elderly-allowance cases (one sent back for a supplement), refused a
/// low-income case and did a consultation at one sitting; zhou (office) approved one
/// elderly case; wang passed the low-income test.
fn worked() -> Record {
    let mut record = Record::default();
    let day = ymd(2026, 10, 12);
    for n in 1..=2 {
        record.submit(day, "li", &case(n), "elderly-allowance", 20);
        record.accept(day, "li", &case(n));
    }
    supplement(&mut record, ymd(2026, 10, 14), &case(1));
    record.decide(ymd(2026, 10, 20), "zhou", Role::Office, &case(2), true);
    record.submit(day, "li", &case(3), "low-income", 30);
    refuse(&mut record, day, "li", &case(3));
    record.submit(day, "li", &case(4), "consult", 0);
    record.accept_instant(day, "li", &case(4));
    record
}

fn attempt(staff: &str, item: &str, correct: u32, total: u32) -> Attempt {
    Attempt {
        id: 1,
        attempt: NewAttempt {
            center: CenterId::parse("linfen").expect("center"),
            staff: staff.into(),
            item: item.into(),
            at: Utc
                .with_ymd_and_hms(2026, 10, 1, 2, 0, 0)
                .single()
                .expect("time"),
            score: Score::new(correct, total, 80),
            answers: BTreeMap::new(),
            catalog_version: "v1".into(),
        },
    }
}

#[test]
fn the_competence_matrix_counts_cases_handled_errors_and_tests() {
    let attempts = [
        attempt("wang", "low-income", 3, 3),
        attempt("wang", "consult", 1, 2),
    ];
    let staff = ["li".to_owned(), "wang".to_owned(), "zhao".to_owned()];
    let matrix =
        CompetenceMatrix::compute(&catalog(), &work(&worked()), &staff, &passed(&attempts));
    // zhou handled a case, so is listed though not given.
    assert_eq!(matrix.staff, ["li", "wang", "zhao", "zhou"]);
    assert_eq!(matrix.items, ["consult", "elderly-allowance", "low-income"]);
    let li = matrix.cell("li", "elderly-allowance");
    assert_eq!(
        (li.handled, li.accepted, li.supplements, li.tested),
        (2, 2, 1, false)
    );
    assert_eq!(li.error_rate(), Some(Decimal::new(5000, 4)));
    // Refused: handled, nothing accepted, so no error rate.
    let refused = matrix.cell("li", "low-income");
    assert_eq!((refused.handled, refused.accepted), (1, 0));
    assert_eq!(refused.error_rate(), None);
    // Accepted and approved at one sitting: one case handled.
    let instant = matrix.cell("li", "consult");
    assert_eq!((instant.handled, instant.accepted), (1, 1));
    assert_eq!(instant.error_rate(), Some(Decimal::ZERO));
    let office = matrix.cell("zhou", "elderly-allowance");
    assert_eq!(
        (office.handled, office.accepted, office.supplements),
        (1, 0, 0)
    );
    // A test below the pass mark does not count.
    assert!(matrix.cell("wang", "low-income").tested);
    assert!(!matrix.cell("wang", "consult").tested);
    assert_eq!(matrix.cell("zhao", "consult"), Default::default());
}

/// elderly-allowance: 2 cases, low-income: 1, consult: 0 in the last 12 months.
fn frequency(line: u32) -> Frequency {
    let mut record = Record::default();
    let day = ymd(2026, 9, 1);
    record.submit(day, "li", &case(1), "elderly-allowance", 20);
    record.submit(day, "li", &case(2), "elderly-allowance", 20);
    record.submit(day, "li", &case(3), "low-income", 30);
    Frequency::compute(&catalog(), &work(&record), today(), line)
}

fn plan_of(staff: &str, line: u32, attempts: &[Attempt]) -> Vec<String> {
    let catalog = catalog();
    let matrix = CompetenceMatrix::compute(&catalog, &work(&worked()), &[], &passed(attempts));
    plan(&catalog, &frequency(line), &matrix, staff)
        .into_iter()
        .map(|step| step.item)
        .collect()
}

#[test]
fn a_plan_puts_high_frequency_items_first_then_broad_categories_then_frequency() {
    // Line 2: elderly-allowance (2 cases) is high-frequency and comes first though its
    // category is narrow; low-income and consult share the broad 社会救助 (3), and
    // low-income has more cases.
    assert_eq!(
        plan_of("new", 2, &[]),
        ["elderly-allowance", "low-income", "consult"]
    );
    // Line 500: nothing is high-frequency, so broad before narrow: elderly-allowance, with
    // the most cases, comes last.
    assert_eq!(
        plan_of("new", 500, &[]),
        ["low-income", "consult", "elderly-allowance"]
    );
    // What one has handled or passed a test on is not in one's plan.
    assert!(plan_of("li", 2, &[]).is_empty());
    assert_eq!(
        plan_of("new", 2, &[attempt("new", "elderly-allowance", 4, 5)]),
        ["low-income", "consult"]
    );
    let step = &plan(
        &catalog(),
        &frequency(2),
        &CompetenceMatrix::compute(&catalog(), &[], &[], &BTreeSet::new()),
        "new",
    )[0];
    assert_eq!(
        (step.category.as_str(), step.breadth, step.cases, step.high),
        ("social-assistance-elderly", 1, 2, true)
    );
}

fn summary(catalog: &Catalog, item: &str) -> Vec<(String, Vec<(String, bool)>)> {
    generated(catalog, item)
        .into_iter()
        .map(|q| {
            let choices = q.choices.into_iter().map(|c| (c.key, c.correct)).collect();
            (q.id, choices)
        })
        .collect()
}

fn owned(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
    pairs.iter().map(|(k, c)| ((*k).to_owned(), *c)).collect()
}

#[test]
fn generated_questions_are_right_for_the_fixture_catalog() {
    let catalog = catalog();
    // elderly-allowance needs the ID card and (paying into a bank) a bank card; the wrong
    // choices are low-income's other materials. Its 20 days against the other items' 30 and
    // 0 and the nearest common limit, 15. Who qualifies is not asked: every labelled fact
    // of the catalog decides it (age stands for the date of birth), so there is no wrong choice.
    assert_eq!(
        summary(&catalog, "elderly-allowance"),
        vec![
            (
                "materials:elderly-allowance".to_owned(),
                owned(&[
                    ("id-card", true),
                    ("hukou-booklet", false),
                    ("bank-card", true),
                    ("marriage-certificate", false),
                ])
            ),
            (
                "days:elderly-allowance".to_owned(),
                owned(&[("0", false), ("15", false), ("20", true), ("30", false)])
            ),
        ]
    );
    // low-income: its three materials against the bank card; 30 days; decided by the
    // household registration (per-capita income is derived from unlabelled facts), against
    // elderly-allowance's date of birth.
    assert_eq!(
        summary(&catalog, "low-income"),
        vec![
            (
                "materials:low-income".to_owned(),
                owned(&[
                    ("id-card", true),
                    ("hukou-booklet", true),
                    ("bank-card", false),
                    ("marriage-certificate", true),
                ])
            ),
            (
                "days:low-income".to_owned(),
                owned(&[("0", false), ("15", false), ("20", false), ("30", true)])
            ),
            (
                "eligible:low-income".to_owned(),
                owned(&[("birth_date", false), ("hukou", true)])
            ),
        ]
    );
    // consult needs no material and everyone qualifies: only its time limit is asked.
    assert_eq!(
        summary(&catalog, "consult"),
        vec![(
            "days:consult".to_owned(),
            owned(&[("0", true), ("1", false), ("20", false), ("30", false)])
        )]
    );
    assert!(generated(&catalog, "no-such-item").is_empty());

    let questions = generated(&catalog, "low-income");
    let days = &questions[1];
    assert_eq!(days.kind, QuestionKind::PromisedDays);
    assert!(!days.multiple && questions[0].multiple && questions[2].multiple);
    assert_eq!(days.prompt.zh, "「最低生活保障」的承诺办结时限是多少？");
    assert_eq!(
        days.prompt.en,
        "What is the promised time limit of “Minimum living allowance”?"
    );
    let labels: Vec<(&str, &str)> = days
        .choices
        .iter()
        .map(|c| (c.text.zh.as_str(), c.text.en.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("即办（当场办结）", "Instant (done at one sitting)"),
            ("15 个工作日", "15 working days"),
            ("20 个工作日", "20 working days"),
            ("30 个工作日", "30 working days"),
        ]
    );
    let eligible = &questions[2];
    let labels: Vec<&str> = eligible
        .choices
        .iter()
        .map(|c| c.text.zh.as_str())
        .collect();
    assert_eq!(labels, ["出生日期", "户籍"]);
    assert_eq!(questions[0].choices[0].text.en, "Resident identity card");
}

fn written(id: u64, item: &str, correct: &[usize]) -> WrittenQuestion {
    WrittenQuestion {
        id,
        question: NewQuestion {
            center: CenterId::parse("linfen").expect("center"),
            item: item.into(),
            prompt: Phrase {
                zh: "申请人可以委托他人代办吗？".into(),
                en: "May the applicant send someone in their place?".into(),
            },
            choices: vec![
                Phrase {
                    zh: "可以，凭委托书".into(),
                    en: "Yes, with a power of attorney".into(),
                },
                Phrase {
                    zh: "不可以".into(),
                    en: "No".into(),
                },
            ],
            correct: correct.iter().copied().collect(),
        },
        author: "zhou".into(),
        added_at: Utc
            .with_ymd_and_hms(2026, 10, 1, 2, 0, 0)
            .single()
            .expect("time"),
    }
}

fn chosen(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

#[test]
fn a_test_is_scored_against_the_pass_mark() {
    let catalog = catalog();
    let bank = [
        written(7, "elderly-allowance", &[1]),
        written(3, "low-income", &[2]),
    ];
    let test = Test::for_item(&catalog, "elderly-allowance", &bank).expect("a test");
    let ids: Vec<&str> = test.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "materials:elderly-allowance",
            "days:elderly-allowance",
            "written:7"
        ]
    );
    assert!(Test::for_item(&catalog, "no-such-item", &bank).is_none());

    // Materials right, the days wrong, the written one right: 2 of 3, 66 %.
    let mut answers = BTreeMap::new();
    answers.insert(
        "materials:elderly-allowance".to_owned(),
        chosen(&["bank-card", "id-card"]),
    );
    answers.insert("days:elderly-allowance".to_owned(), chosen(&["30"]));
    answers.insert("written:7".to_owned(), chosen(&["1"]));
    let score = test.score(&answers, 80);
    assert_eq!((score.correct, score.total, score.percent()), (2, 3, 66));
    assert!(!score.passed);
    assert_eq!(
        score.right,
        chosen(&["materials:elderly-allowance", "written:7"])
    );
    assert!(test.score(&answers, 60).passed);
    // One material too few is wrong: no partial credit.
    answers.insert(
        "materials:elderly-allowance".to_owned(),
        chosen(&["id-card"]),
    );
    answers.insert("days:elderly-allowance".to_owned(), chosen(&["20"]));
    assert_eq!(test.score(&answers, 80).correct, 2);
    // All right.
    answers.insert(
        "materials:elderly-allowance".to_owned(),
        chosen(&["id-card", "bank-card"]),
    );
    let full = test.score(&answers, 80);
    assert_eq!((full.correct, full.percent(), full.passed), (3, 100, true));
    // Nothing answered.
    assert_eq!(test.score(&BTreeMap::new(), 80).correct, 0);

    // 80 % is a pass at 80, 75 % is not; an empty test never passes.
    assert!(Score::new(4, 5, 80).passed);
    assert!(!Score::new(3, 4, 80).passed);
    assert!(!Score::new(0, 0, 80).passed);
}

#[test]
fn a_written_question_is_checked_field_by_field() {
    let catalog = catalog();
    let good = written(1, "low-income", &[1]).question;
    assert_eq!(good.check(&catalog), Ok(()));
    let mut bad = good.clone();
    bad.item = "nope".into();
    bad.prompt.en = "  ".into();
    bad.choices.truncate(1);
    bad.correct = [2].into();
    assert_eq!(
        bad.check(&catalog),
        Err(vec![
            QuestionProblem::Item("nope".into()),
            QuestionProblem::PromptEn,
            QuestionProblem::ChoiceCount,
            QuestionProblem::Correct(2),
        ])
    );
    let mut bad = good.clone();
    bad.choices[1].en = String::new();
    bad.correct.clear();
    assert_eq!(
        bad.check(&catalog),
        Err(vec![QuestionProblem::Choice(2), QuestionProblem::NoCorrect])
    );
}

fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(2, 0, 0).expect("time").and_utc()
}

fn onboarding() -> Onboarding {
    let center = CenterId::parse("linfen").expect("center");
    let by = ("zhou", Role::Supervisor, at(ymd(2026, 8, 10)));
    Onboarding::start(center, "xiaoli", "li", ymd(2026, 8, 10), by).expect("start")
}

#[test]
fn onboarding_is_started_reviewed_and_decided_by_a_supervisor() {
    let center = CenterId::parse("linfen").expect("center");
    let start = ymd(2026, 8, 10);
    let clerk = ("li", Role::Clerk, at(start));
    assert_eq!(
        Onboarding::start(center.clone(), "xiaoli", "li", start, clerk),
        Err(OnboardingError::NotAllowed(Role::Clerk))
    );
    let director = ("zhou", Role::Supervisor, at(start));
    assert_eq!(
        Onboarding::start(center, "xiaoli", "xiaoli", start, director),
        Err(OnboardingError::Mentor)
    );
    let record = onboarding();
    assert_eq!(
        (record.mentor.as_str(), record.ready.as_ref()),
        ("li", None)
    );

    let review = OnboardingStep::Review {
        note: "  熟悉老年津贴  ".into(),
    };
    let later = at(ymd(2026, 9, 1));
    let reviewed = record
        .step(&review, ("zhou", Role::Supervisor, later))
        .expect("review");
    assert_eq!(reviewed.reviews[0].note, "熟悉老年津贴");
    let empty = OnboardingStep::Review { note: " ".into() };
    assert_eq!(
        record.step(&empty, ("zhou", Role::Supervisor, later)),
        Err(OnboardingError::Note)
    );
    assert_eq!(
        record.step(&review, ("xiaoli", Role::Supervisor, later)),
        Err(OnboardingError::Own)
    );

    let early = OnboardingStep::Ready {
        note: "可以上岗".into(),
        on: ymd(2026, 8, 9),
    };
    assert_eq!(
        reviewed.step(&early, ("zhou", Role::Supervisor, later)),
        Err(OnboardingError::BeforeStart(start))
    );
    let ready = OnboardingStep::Ready {
        note: "可以上岗".into(),
        on: ymd(2026, 11, 10),
    };
    let decided = reviewed
        .step(&ready, ("zhou", Role::Supervisor, later))
        .expect("ready");
    assert_eq!(
        decided.ready.as_ref().map(|d| d.on),
        Some(ymd(2026, 11, 10))
    );
    assert_eq!(
        decided.step(&ready, ("wu", Role::Supervisor, later)),
        Err(OnboardingError::AlreadyReady("xiaoli".into()))
    );
    assert_eq!(
        decided.step(&review, ("li", Role::Office, later)),
        Err(OnboardingError::NotAllowed(Role::Office))
    );
}

/// xiaoli starts on 2026-08-10; 3 months end on 2026-11-09.
#[test]
fn the_tracker_counts_the_first_months_from_the_record() {
    let mut record = Record::default();
    // Before the start: not counted.
    record.submit(ymd(2026, 8, 9), "xiaoli", &case(9), "consult", 0);
    record.accept(ymd(2026, 8, 9), "xiaoli", &case(9));
    // Month 1: case 1 accepted; month 2: a supplement on it, and case 2 accepted.
    record.submit(
        ymd(2026, 8, 10),
        "xiaoli",
        &case(1),
        "elderly-allowance",
        20,
    );
    record.accept(ymd(2026, 8, 10), "xiaoli", &case(1));
    supplement(&mut record, ymd(2026, 9, 15), &case(1));
    record.submit(ymd(2026, 9, 20), "xiaoli", &case(2), "low-income", 30);
    record.accept(ymd(2026, 9, 20), "xiaoli", &case(2));
    // Month 3: case 3 refused on its first day.
    record.submit(ymd(2026, 10, 10), "xiaoli", &case(3), "low-income", 30);
    refuse(&mut record, ymd(2026, 10, 10), "xiaoli", &case(3));
    // After the end, and someone else's: not counted.
    record.submit(ymd(2026, 11, 10), "xiaoli", &case(4), "low-income", 30);
    record.accept(ymd(2026, 11, 10), "xiaoli", &case(4));
    record.submit(ymd(2026, 9, 1), "li", &case(5), "low-income", 30);
    record.accept(ymd(2026, 9, 1), "li", &case(5));

    let attempts = [
        attempt("xiaoli", "low-income", 4, 5),
        attempt("xiaoli", "consult", 1, 5),
        attempt("li", "consult", 5, 5),
    ];
    let tracker = Tracker::compute(&onboarding(), 3, &work(&record), &attempts, today());
    assert_eq!(
        (tracker.start, tracker.end),
        (ymd(2026, 8, 10), ymd(2026, 11, 9))
    );
    assert!(tracker.complete);
    let periods: Vec<(u32, NaiveDate, NaiveDate, u32, u32, u32)> = tracker
        .periods
        .iter()
        .map(|p| {
            let v = &p.volume;
            (p.number, p.from, p.to, v.handled, v.accepted, v.supplements)
        })
        .collect();
    assert_eq!(
        periods,
        [
            (1, ymd(2026, 8, 10), ymd(2026, 9, 9), 1, 1, 0),
            (2, ymd(2026, 9, 10), ymd(2026, 10, 9), 1, 1, 1),
            (3, ymd(2026, 10, 10), ymd(2026, 11, 9), 1, 0, 0),
        ]
    );
    let total = Volume {
        handled: 3,
        accepted: 2,
        supplements: 1,
    };
    assert_eq!(tracker.total, total);
    assert_eq!(tracker.total.error_rate(), Some(Decimal::new(5000, 4)));
    let mix: Vec<(&str, u32, u32, u32)> = tracker
        .mix
        .iter()
        .map(|(item, v)| (item.as_str(), v.handled, v.accepted, v.supplements))
        .collect();
    assert_eq!(
        mix,
        [("low-income", 2, 1, 0), ("elderly-allowance", 1, 1, 1)]
    );
    let passed: Vec<&str> = tracker
        .tests_passed
        .iter()
        .map(|(i, _)| i.as_str())
        .collect();
    assert_eq!(passed, ["low-income"]);
    // Halfway through, the months are not over.
    let halfway = Tracker::compute(&onboarding(), 3, &work(&record), &[], ymd(2026, 9, 30));
    assert!(!halfway.complete);
}

#[test]
fn the_settings_are_checked() {
    use haoban_insight::{TrainingConfig, TrainingConfigError};
    let config = TrainingConfig::default();
    assert_eq!(
        (
            config.high_frequency_line,
            config.pass_mark,
            config.onboarding_months
        ),
        (500, 80, 3)
    );
    assert_eq!(config.check(), Ok(()));
    let bad = |change: fn(&mut TrainingConfig)| {
        let mut config = TrainingConfig::default();
        change(&mut config);
        config.check()
    };
    assert_eq!(
        bad(|c| c.high_frequency_line = 0),
        Err(TrainingConfigError::Line)
    );
    assert_eq!(bad(|c| c.pass_mark = 0), Err(TrainingConfigError::PassMark));
    assert_eq!(
        bad(|c| c.pass_mark = 101),
        Err(TrainingConfigError::PassMark)
    );
    assert_eq!(
        bad(|c| c.onboarding_months = 0),
        Err(TrainingConfigError::Months)
    );
}
