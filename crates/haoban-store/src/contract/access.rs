//! The access log (审计日志) and the retention job.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use haoban_cases::record::{verify as verify_chain, verify_projections};
use haoban_cases::{
    ApplicantId, CaseStatus, Command, EventKind, IdNumber, Role, UploadMeta, decide,
};
use haoban_hall::{AgingRule, Carried, HallEvent, Priority, Visitor};

use super::{center, ctx, open, session};
use crate::access::{AccessFilter, AccessRecord, Expiry, Outcome, RETENTION_ACTION, verify};
use crate::offers::NewOffer;
use crate::self_service::Upload;
use crate::{By, CaseFilter, LoginCode, NewTicket, SessionKind, Store, StoreError};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time")
}

fn request(
    actor: &str,
    action: &str,
    object: &str,
    status: u16,
    when: DateTime<Utc>,
) -> AccessRecord {
    AccessRecord {
        at: when,
        actor: actor.into(),
        role: "clerk".into(),
        center: "linfen".into(),
        action: action.into(),
        object: object.into(),
        status,
        outcome: Outcome::of_status(status),
        source: "192.0.2.7".into(),
    }
}

fn all() -> AccessFilter {
    AccessFilter {
        limit: 100,
        ..AccessFilter::default()
    }
}

pub async fn keeps_an_access_log_as_one_verifiable_chain(store: Arc<dyn Store>) {
    let records = [
        request("li", "POST /api/v1/cases", "", 201, at(2, 2)),
        request(
            "li",
            "GET /api/v1/cases/{number}",
            "number=linfen-20261102-0001",
            200,
            at(2, 3),
        ),
        request(
            "wang",
            "POST /api/v1/cases/{number}/actions/{action}",
            "number=linfen-20261102-0001 action=approve",
            403,
            at(3, 2),
        ),
        request(
            "anonymous",
            "POST /api/v1/session",
            "username=zhao",
            401,
            at(4, 2),
        ),
    ];
    for (n, record) in records.iter().enumerate() {
        let entry = store.append_access(record).await.expect("append");
        assert_eq!((entry.seq, &entry.record), (n as u64 + 1, record));
    }
    let (chain, head) = store.access_chain().await.expect("chain");
    assert_eq!(chain.len(), 4);
    assert_eq!(verify(&chain, head.clone()), Ok(()));
    assert_eq!(head.map(|(seq, _)| seq), Some(4));
    // Newest first; every filter narrows.
    let seqs = |entries: Vec<crate::access::AccessEntry>| -> Vec<u64> {
        entries.into_iter().map(|e| e.seq).collect()
    };
    assert_eq!(
        seqs(store.access_log(&all()).await.expect("read")),
        [4, 3, 2, 1]
    );
    let by_actor = AccessFilter {
        actor: Some("li".into()),
        ..all()
    };
    assert_eq!(
        seqs(store.access_log(&by_actor).await.expect("read")),
        [2, 1]
    );
    let by_object = AccessFilter {
        object: Some("linfen-20261102-0001".into()),
        ..all()
    };
    assert_eq!(
        seqs(store.access_log(&by_object).await.expect("read")),
        [3, 2]
    );
    let by_days = AccessFilter {
        from: Some(at(2, 3)),
        until: Some(at(4, 2)),
        ..all()
    };
    assert_eq!(
        seqs(store.access_log(&by_days).await.expect("read")),
        [3, 2]
    );
    let second_page = AccessFilter {
        limit: 2,
        offset: 2,
        ..all()
    };
    assert_eq!(
        seqs(store.access_log(&second_page).await.expect("read")),
        [2, 1]
    );
    let refused = store.access_log(&all()).await.expect("read");
    assert_eq!(refused[0].record.outcome, Outcome::Refused);
    assert_eq!(refused[1].record.outcome, Outcome::Refused);
}

pub async fn concurrent_requests_append_one_unbroken_log(store: Arc<dyn Store>) {
    let mut writers = Vec::new();
    for n in 0..8u16 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for k in 0..5u16 {
                store
                    .append_access(&request(&format!("w{n}"), "POST /x", "", 200 + k, at(2, 2)))
                    .await
                    .expect("append");
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let (chain, head) = store.access_chain().await.expect("chain");
    assert_eq!(chain.len(), 40);
    assert_eq!(verify(&chain, head), Ok(()));
}

/// Everything personal made in November 2026, then the job run 230 days after the 2nd with a
/// 180-day retention: all of it goes, the recent stays, and the job's record says so.
pub async fn purges_personal_data_past_its_retention_and_records_it(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let old = at(2, 2);
    let now = old + Duration::days(230);
    let recent = now - Duration::days(10);
    // Sessions: one idle since November, one in use now.
    let stale = session("s-old", "li", SessionKind::Cookie);
    store.create_session(&stale).await.expect("session");
    let fresh = crate::Session {
        created_at: now - Duration::minutes(5),
        last_seen: now - Duration::minutes(1),
        ..session("s-new", "li", SessionKind::Cookie)
    };
    store.create_session(&fresh).await.expect("session");
    store
        .put_login_code(&LoginCode {
            center: linfen.clone(),
            id_number: "11010519491231002X".into(),
            code_hash: "h".into(),
            expires_at: old + Duration::minutes(10),
            attempts: 0,
        })
        .await
        .expect("code");
    for (id, seen) in [("11010519491231002X", old), ("110105194912310038", recent)] {
        let visitor = Visitor::new(id, "王阿姨", None, seen).expect("visitor");
        store
            .save_visitor(&linfen, &visitor)
            .await
            .expect("visitor");
    }
    let by = |when: DateTime<Utc>| By {
        actor: "scan".into(),
        role: Role::Supervisor,
        at: when,
    };
    for (item, when) in [("elderly-allowance", old), ("senior-card", recent)] {
        let offer = NewOffer {
            id_number: IdNumber::parse("11010519491231002X").expect("id"),
            item: item.into(),
            facts: "{}".into(),
        };
        store
            .make_offers(&linfen, when.date_naive(), &[offer], by(when))
            .await
            .expect("offer");
    }
    // An upload on a case withdrawn long ago, and one on a case still open.
    let closed = open(&*store, "linfen").await;
    let withdraw = Command::Withdraw {
        reason: "moved".into(),
    };
    let events = decide(&ctx(Role::Clerk, "linfen"), &closed, withdraw, false).expect("withdraw");
    store
        .record(&closed.number, Some(closed.version), events)
        .await
        .expect("record");
    let running = open(&*store, "linfen").await;
    // Delivered is over too: only closing the file is left.
    let delivered = super::feedback::delivered_case(&*store, closed.updated_at.date_naive()).await;
    let bytes = b"%PDF-1.7\n1 0 obj << >> endobj\n".to_vec();
    for (id, case) in [("u-closed", &closed), ("u-open", &running)] {
        let upload = Upload {
            id: id.into(),
            center: linfen.clone(),
            case: case.number.clone(),
            material: "hukou-book".into(),
            meta: UploadMeta::check("户口簿.pdf", None, &bytes, 1 << 20).expect("meta"),
            uploaded_at: old,
            uploaded_by: "11010519491231002X".into(),
        };
        store
            .save_upload(&upload, &bytes, by(old))
            .await
            .expect("upload");
    }
    // A visit noted and a ticket carrying a pre-review, long ago and lately.
    for (id, when) in [("11010519491231002X", old), ("110105194912310038", recent)] {
        let visit = HallEvent::VisitRecorded {
            visitor: Some(id.into()),
            items: vec!["elderly-allowance".into()],
            consult_only: true,
            note: "asked".into(),
        };
        store
            .note_hall(&linfen, &visit, by(when))
            .await
            .expect("visit");
        let ticket = NewTicket {
            center: linfen.clone(),
            category: 'A',
            priority: Priority::Normal,
            items: vec!["elderly-allowance".into()],
            carried: Some(Carried {
                id_number: Some(id.into()),
                name: Some("王阿姨".into()),
                facts: [("hukou".to_owned(), serde_json::json!("shanghai"))].into(),
            }),
            rule: AgingRule::default(),
        };
        store
            .issue_ticket(when.date_naive(), ticket, by(when))
            .await
            .expect("ticket");
    }
    store
        .append_access(&request("li", "POST /api/v1/cases", "", 201, old))
        .await
        .expect("append");
    store
        .append_access(&request("li", "POST /api/v1/cases", "", 201, recent))
        .await
        .expect("append");

    let expiry = Expiry {
        now,
        personal_before: now - Duration::days(180),
        idle_before: now - Duration::minutes(30),
        started_before: now - Duration::hours(12),
        access_log_before: now - Duration::days(180),
        actor: "scheduler".into(),
    };
    let purged = store.purge_personal_data(&expiry).await.expect("purge");
    assert_eq!(
        (
            purged.sessions,
            purged.login_codes,
            purged.visitors,
            purged.offers,
            purged.upload_bytes,
            purged.id_numbers,
            purged.entries,
            purged.tickets,
            purged.access_log
        ),
        (1, 1, 1, 1, 1, 2, 1, 1, 1)
    );
    assert_eq!(store.session("s-old").await.expect("read"), None);
    assert_eq!(store.session("s-new").await.expect("read"), Some(fresh));
    assert_eq!(
        store
            .login_code_attempt("11010519491231002X")
            .await
            .expect("code"),
        None
    );
    assert_eq!(
        store
            .visitor(&linfen, "11010519491231002X")
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .visitor(&linfen, "110105194912310038")
            .await
            .expect("read")
            .is_some()
    );
    let offers = store
        .offers_for(&linfen, &IdNumber::parse("11010519491231002X").expect("id"))
        .await
        .expect("offers");
    assert_eq!(
        offers.iter().map(|o| o.item.as_str()).collect::<Vec<_>>(),
        ["senior-card"]
    );
    // The closed case's file is gone, its description and hash kept; the open one's stays.
    let erased = store.upload(&linfen, "u-closed").await;
    assert!(matches!(erased, Err(StoreError::NotFound(_))), "{erased:?}");
    assert_eq!(store.uploads(&closed.number).await.expect("list").len(), 1);
    assert!(
        store
            .upload(&linfen, "u-open")
            .await
            .expect("read")
            .is_some()
    );
    // The withdrawn case keeps its applicant's name and its record, but not the number:
    // not in the row, not in the record's values, not findable by it; the chain still
    // verifies and still replays to every case. The open case is as it was.
    let withdrawn = store
        .case(&closed.number)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(withdrawn.applicant.id_number, ApplicantId::Erased);
    assert_eq!(withdrawn.applicant.name, closed.applicant.name);
    assert_eq!(withdrawn.status, CaseStatus::Withdrawn);
    let still = store
        .case(&running.number)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(still, running);
    let handed_over = store
        .case(&delivered.number)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(handed_over.applicant.id_number, ApplicantId::Erased);
    assert_eq!(handed_over.status, CaseStatus::Delivered);
    // Its file can still be closed; it stays erased.
    let closing = decide(
        &ctx(Role::Office, "linfen"),
        &handed_over,
        Command::Close,
        false,
    )
    .expect("close");
    let filed = store
        .record(&handed_over.number, Some(handed_over.version), closing)
        .await
        .expect("record");
    assert_eq!(
        (filed.status, filed.applicant.id_number),
        (CaseStatus::Closed, ApplicantId::Erased)
    );
    let record = store.case_record(&closed.number).await.expect("record");
    assert!(
        !record
            .iter()
            .any(|e| e.text().contains("11010519491231002X"))
    );
    match record[0].event().expect("an erased entry still reads").kind {
        EventKind::Submitted { applicant, .. } => {
            assert_eq!(applicant.id_number, ApplicantId::Erased);
        }
        other => panic!("the first entry is the submission, not {other:?}"),
    }
    assert_eq!(
        store.rebuild_case(&closed.number).await.expect("rebuild"),
        withdrawn
    );
    let mut filter = CaseFilter::center(linfen.clone());
    filter.limit = u32::MAX;
    let cases = store.cases(&filter).await.expect("cases");
    let record = store.chain("linfen").await.expect("chain");
    verify_chain("linfen", &record.entries, record.head.as_ref()).expect("chain intact");
    verify_projections("linfen", &record.entries, &cases).expect("projections match");
    filter.applicant = Some("11010519491231002X".into());
    let found = store.cases(&filter).await.expect("cases");
    assert_eq!(
        found.iter().map(|c| &c.number).collect::<Vec<_>>(),
        [&running.number]
    );
    // The old visit's entry keeps its place in the chain without the number; the old
    // ticket no longer carries its pre-review. The recent ones are as they were.
    let visits: Vec<&str> = record
        .entries
        .iter()
        .filter(|e| e.kind == "visit_recorded")
        .map(|e| e.text())
        .collect();
    assert_eq!(visits.len(), 2);
    assert!(!visits[0].contains("11010519491231002X"), "{}", visits[0]);
    assert!(visits[0].contains(ApplicantId::ERASED), "{}", visits[0]);
    assert!(visits[1].contains("110105194912310038"), "{}", visits[1]);
    for (when, carries) in [(old, false), (recent, true)] {
        let tickets = store
            .tickets(&linfen, when.date_naive())
            .await
            .expect("tickets");
        assert_eq!(tickets.len(), 1);
        assert_eq!(tickets[0].carried.is_some(), carries, "{when}");
    }
    // The log: the old record gone, the job's own record last, the rest still one chain.
    let (chain, head) = store.access_chain().await.expect("chain");
    assert_eq!(verify(&chain, head), Ok(()));
    assert_eq!(chain.len(), 2);
    let last = &chain[1].record;
    assert_eq!(last.action, RETENTION_ACTION);
    assert_eq!(last.at, now);
    assert_eq!(last.object, purged.summary());
    // A second run the same moment removes nothing more, and says so too.
    let again = store.purge_personal_data(&expiry).await.expect("purge");
    assert_eq!(again, crate::access::Purged::default());
    assert_eq!(store.access_chain().await.expect("chain").0.len(), 3);
}
