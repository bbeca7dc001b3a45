//! The case state machine, deadlines and the hash chain, driven as a center would.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use haoban_cases::record::{Entry, GENESIS, Head, verify};
use haoban_cases::*;
use haoban_catalog::Calendar;
use haoban_catalog::calendar::YearDays;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn center() -> CenterId {
    CenterId::parse("linfen").expect("center")
}

fn ctx(role: Role, today: &str) -> Context {
    Context {
        actor: format!("{role}-1"),
        role,
        center: center(),
        now: Utc.from_utc_datetime(&day(today).and_hms_opt(2, 0, 0).expect("time")),
        today: day(today),
    }
}

fn terms(promised_days: u32) -> ItemTerms {
    ItemTerms {
        id: "elderly-allowance".into(),
        catalog_version: "v1".into(),
        promised_days,
        required_materials: vec!["id-card".into(), "bank-card".into()],
        conditional_materials: vec!["agent-id-card".into()],
    }
}

fn materials(bank: MaterialState) -> Vec<MaterialCheck> {
    vec![
        MaterialCheck {
            material: "id-card".into(),
            state: MaterialState::ELicence,
        },
        MaterialCheck {
            material: "bank-card".into(),
            state: bank,
        },
    ]
}

/// A case and its events so far, applying each decision the way the store does.
struct Story {
    case: Case,
    events: Vec<Event>,
}

impl Story {
    fn open(promised_days: u32, on: &str) -> Story {
        let number = CaseNumber::new(&center(), day(on), 1);
        let applicant = Applicant {
            id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
            name: "王阿姨".into(),
        };
        let mut submitted = submit(
            &ctx(Role::Clerk, on),
            applicant,
            Channel::Window,
            &terms(promised_days),
        )
        .expect("submit");
        submitted.case = Some(number);
        let case = Case::apply(None, &submitted).expect("projection");
        Story {
            case,
            events: vec![submitted],
        }
    }

    fn try_do(&mut self, role: Role, on: &str, command: Command) -> Result<(), CaseError> {
        let events = decide(&ctx(role, on), &self.case, command, false)?;
        for event in &events {
            self.case = Case::apply(Some(self.case.clone()), event).expect("apply");
        }
        self.events.extend(events);
        Ok(())
    }

    fn act(&mut self, role: Role, on: &str, command: Command) -> &mut Self {
        self.try_do(role, on, command)
            .unwrap_or_else(|e| panic!("{e}"));
        self
    }
}

#[test]
fn a_case_runs_from_submission_to_closing() {
    let mut story = Story::open(20, "2026-11-02");
    story
        .act(
            Role::Clerk,
            "2026-11-02",
            Command::Accept {
                materials: materials(MaterialState::Received),
            },
        )
        .act(Role::Office, "2026-11-03", Command::StartReview)
        .act(Role::Office, "2026-11-05", Command::Approve { note: None })
        .act(
            Role::Office,
            "2026-11-05",
            Command::MarkReady {
                delivery: Delivery::Cabinet,
            },
        )
        .act(Role::Clerk, "2026-11-06", Command::Deliver)
        .act(Role::Clerk, "2026-11-06", Command::Close);
    assert_eq!(story.case.status, CaseStatus::Closed);
    assert_eq!(story.case.clerk.as_deref(), Some("clerk-1"));
    assert_eq!(story.case.version, 7);
    let rebuilt = Case::replay(&story.events).expect("replay").expect("case");
    assert_eq!(
        rebuilt, story.case,
        "the state is a projection of the events"
    );
}

#[test]
fn instant_items_are_done_at_one_sitting() {
    let mut story = Story::open(0, "2026-11-02");
    story.act(
        Role::Clerk,
        "2026-11-02",
        Command::Accept {
            materials: materials(MaterialState::Received),
        },
    );
    assert_eq!(story.case.status, CaseStatus::Delivered);
    assert_eq!(story.case.decided_on, Some(day("2026-11-02")));
}

#[test]
fn impossible_transitions_say_why() {
    let mut story = Story::open(20, "2026-11-02");
    let error = story
        .try_do(Role::Office, "2026-11-02", Command::Approve { note: None })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot approve a case that is submitted: it needs to be in_review"
    );
    let error = story
        .try_do(
            Role::Office,
            "2026-11-02",
            Command::Accept {
                materials: materials(MaterialState::Received),
            },
        )
        .unwrap_err();
    assert_eq!(
        error,
        CaseError::NotAllowed {
            role: Role::Office,
            action: Action::Accept
        }
    );
    for role in [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
        Role::Desk,
    ] {
        assert!(matches!(
            story.try_do(
                role,
                "2026-11-02",
                Command::Accept {
                    materials: materials(MaterialState::Received)
                }
            ),
            Err(CaseError::NotAllowed { .. })
        ));
    }
    let error = story
        .try_do(
            Role::Clerk,
            "2026-11-02",
            Command::Accept {
                materials: materials(MaterialState::Missing),
            },
        )
        .unwrap_err();
    assert!(error.to_string().contains("bank-card"), "{error}");
    let error = story
        .try_do(
            Role::Clerk,
            "2026-11-02",
            Command::Accept { materials: vec![] },
        )
        .unwrap_err();
    assert!(
        error.to_string().contains("has not been checked"),
        "{error}"
    );
    story.act(
        Role::Clerk,
        "2026-11-02",
        Command::NotAccept {
            reason: "不符合条件".into(),
            legal_basis: "《上海市老年人权益保障条例》".into(),
        },
    );
    assert_eq!(story.case.status, CaseStatus::NotAccepted);
    assert!(matches!(
        story.try_do(
            Role::Clerk,
            "2026-11-03",
            Command::Withdraw { reason: "x".into() }
        ),
        Err(CaseError::WrongState { .. })
    ));
}

#[test]
fn another_centers_case_is_refused() {
    let story = Story::open(20, "2026-11-02");
    let mut elsewhere = ctx(Role::Office, "2026-11-02");
    elsewhere.center = CenterId::parse("pengpu").expect("center");
    let result = decide(
        &elsewhere,
        &story.case,
        Command::AddNote { text: "x".into() },
        false,
    );
    assert!(matches!(result, Err(CaseError::OtherCenter { .. })));
}

#[test]
fn residents_act_only_on_their_own_cases() {
    let mut story = Story::open(20, "2026-11-02");
    let resident = ctx(Role::Resident, "2026-11-03");
    assert_eq!(
        decide(
            &resident,
            &story.case,
            Command::Withdraw {
                reason: "不办了".into()
            },
            false
        ),
        Err(CaseError::NotOwnCase)
    );
    let events = decide(
        &resident,
        &story.case,
        Command::Withdraw {
            reason: "不办了".into(),
        },
        true,
    )
    .expect("own case");
    story.case = Case::apply(Some(story.case.clone()), &events[0]).expect("apply");
    assert_eq!(story.case.status, CaseStatus::Withdrawn);
    assert!(matches!(
        decide(
            &resident,
            &story.case,
            Command::Approve { note: None },
            true
        ),
        Err(CaseError::NotAllowed { .. })
    ));
}

#[test]
fn deficiency_must_follow_before_approval() {
    let mut story = Story::open(20, "2026-11-02");
    story.act(
        Role::Clerk,
        "2026-11-02",
        Command::AcceptWithDeficiency {
            materials: materials(MaterialState::Missing),
            promise: "三日内补交银行卡复印件".into(),
            due: day("2026-11-05"),
        },
    );
    assert_eq!(
        story.case.deficiency.as_ref().map(|d| d.materials.clone()),
        Some(vec!["bank-card".to_owned()])
    );
    story.act(Role::Office, "2026-11-03", Command::StartReview);
    let error = story
        .try_do(Role::Office, "2026-11-03", Command::Approve { note: None })
        .unwrap_err();
    assert!(error.to_string().contains("容缺"), "{error}");
    story.act(Role::Clerk, "2026-11-04", Command::FulfilDeficiency);
    story.act(Role::Office, "2026-11-04", Command::Approve { note: None });
    assert_eq!(story.case.status, CaseStatus::Approved);
    let past_due = Story::open(20, "2026-11-02").try_do(
        Role::Clerk,
        "2026-11-02",
        Command::AcceptWithDeficiency {
            materials: materials(MaterialState::Missing),
            promise: "x".into(),
            due: day("2026-11-01"),
        },
    );
    assert!(past_due.unwrap_err().to_string().contains("in the past"));
}

fn calendar_2026() -> Calendar {
    let holidays = [
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ];
    let workdays = ["2026-09-20", "2026-10-10"];
    let year = YearDays {
        holidays: holidays.iter().map(|d| day(d)).collect::<BTreeSet<_>>(),
        workdays: workdays.iter().map(|d| day(d)).collect::<BTreeSet<_>>(),
    };
    Calendar::new(BTreeMap::from([(2026, year)]))
}

#[test]
fn deadlines_count_working_days_across_holidays() {
    let calendar = calendar_2026();
    let mut story = Story::open(5, "2026-09-28");
    story.act(
        Role::Clerk,
        "2026-09-28",
        Command::Accept {
            materials: materials(MaterialState::Received),
        },
    );
    // 9-29, 9-30, (holiday to 10-07), 10-08, 10-09, 10-10 (a make-up Saturday).
    let deadline =
        haoban_cases::deadline(&story.case, &calendar, day("2026-09-29"), 2).expect("deadline");
    assert_eq!(deadline.due, day("2026-10-10"));
    assert_eq!(deadline.state, DeadlineState::OnTrack);
    let deadline =
        haoban_cases::deadline(&story.case, &calendar, day("2026-10-08"), 2).expect("deadline");
    assert_eq!(deadline.state, DeadlineState::DueSoon);
    let deadline =
        haoban_cases::deadline(&story.case, &calendar, day("2026-10-12"), 2).expect("deadline");
    assert_eq!(deadline.state, DeadlineState::Overdue);
}

#[test]
fn a_supplement_stops_the_clock_and_it_resumes_after() {
    let calendar = calendar_2026();
    let mut story = Story::open(3, "2026-11-02");
    story
        .act(
            Role::Clerk,
            "2026-11-02",
            Command::Accept {
                materials: materials(MaterialState::Received),
            },
        )
        .act(Role::Office, "2026-11-03", Command::StartReview)
        .act(
            Role::Office,
            "2026-11-03",
            Command::RequestSupplement {
                request: "补充收入证明".into(),
                due: day("2026-11-13"),
            },
        );
    // Due 2026-11-05 without the supplement; stopped from 11-03.
    let paused =
        haoban_cases::deadline(&story.case, &calendar, day("2026-11-10"), 1).expect("deadline");
    assert!(paused.paused);
    assert_eq!(
        paused.suspended_days, 5,
        "11-04 .. 11-10 holds 5 working days"
    );
    assert_eq!(paused.due, day("2026-11-12"));
    assert_ne!(paused.state, DeadlineState::Overdue);
    story.act(
        Role::Clerk,
        "2026-11-10",
        Command::ProvideSupplement {
            note: "已补交".into(),
        },
    );
    let resumed =
        haoban_cases::deadline(&story.case, &calendar, day("2026-11-16"), 1).expect("deadline");
    assert!(!resumed.paused);
    assert_eq!(resumed.due, day("2026-11-12"));
    assert_eq!(resumed.state, DeadlineState::Overdue);
    story.act(Role::Office, "2026-11-12", Command::Approve { note: None });
    let decided =
        haoban_cases::deadline(&story.case, &calendar, day("2026-12-01"), 1).expect("deadline");
    assert_eq!(
        decided.state,
        DeadlineState::OnTrack,
        "approved on the due date counts as on time"
    );
}

fn chain(events: &[Event]) -> Vec<Entry> {
    let mut prev = GENESIS.to_owned();
    events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let entry = Entry::chain(event, i as u64 + 1, &prev);
            prev = entry.hash.clone();
            entry
        })
        .collect()
}

fn head(entries: &[Entry]) -> Head {
    let last = entries.last().expect("entries");
    Head {
        center: last.center.clone(),
        seq: last.seq,
        hash: last.hash.clone(),
    }
}

#[test]
fn the_chain_detects_altered_deleted_reordered_and_appended_entries() {
    let mut story = Story::open(20, "2026-11-02");
    story
        .act(
            Role::Clerk,
            "2026-11-02",
            Command::Accept {
                materials: materials(MaterialState::Received),
            },
        )
        .act(Role::Office, "2026-11-03", Command::StartReview)
        .act(
            Role::Office,
            "2026-11-03",
            Command::AddNote {
                text: "电话联系申请人".into(),
            },
        )
        .act(Role::Office, "2026-11-05", Command::Approve { note: None });
    let entries = chain(&story.events);
    let head = head(&entries);
    assert_eq!(verify("linfen", &entries, Some(&head)), Ok(5));
    for entry in &entries {
        assert_eq!(
            &entry.event().expect("round trip"),
            &story.events[entry.seq as usize - 1]
        );
    }

    let mut altered = entries.clone();
    altered[3].payload = altered[3].payload.replace("电话", "短信");
    assert_eq!(verify("linfen", &altered, Some(&head)).unwrap_err().seq, 4);

    let mut deleted = entries.clone();
    deleted.remove(1);
    assert_eq!(verify("linfen", &deleted, Some(&head)).unwrap_err().seq, 2);

    let mut reordered = entries.clone();
    reordered.swap(1, 2);
    assert_eq!(
        verify("linfen", &reordered, Some(&head)).unwrap_err().seq,
        2
    );

    let mut truncated = entries.clone();
    truncated.pop();
    assert_eq!(
        verify("linfen", &truncated, Some(&head)).unwrap_err().seq,
        5
    );

    let mut appended = entries.clone();
    let forged = Entry::chain(&story.events[4], 6, &entries[4].hash);
    appended.push(forged);
    assert_eq!(verify("linfen", &appended, Some(&head)).unwrap_err().seq, 6);

    // Renumbering after a deletion still breaks the links.
    let mut renumbered = deleted.clone();
    for (i, entry) in renumbered.iter_mut().enumerate() {
        entry.seq = i as u64 + 1;
    }
    assert_eq!(
        verify("linfen", &renumbered, Some(&head)).unwrap_err().seq,
        2
    );
}
