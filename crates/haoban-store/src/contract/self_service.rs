//! The self-service area's part of the contract: cabinets, parcels and uploads.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use haoban_cases::record::verify;
use haoban_cases::{Case, CaseStatus, Command, Delivery, Role, UploadMeta, decide};
use haoban_hall::{
    Cabinet, CompartmentSize, ParcelStatus, PickupOutcome, PickupRules, ReturnReason,
};

use super::{accept, center, ctx, day, open};
use crate::self_service::{Deposit, Upload, pickup_code_hash};
use crate::{By, Store, StoreError};

fn by(role: Role, minute: i64) -> By {
    By {
        actor: format!("{role}-a"),
        role,
        at: Utc
            .with_ymd_and_hms(2026, 11, 27, 3, 0, 0)
            .single()
            .expect("time")
            + Duration::minutes(minute),
    }
}

/// A case of `linfen` taken to `approved`.
async fn approved(store: &dyn Store) -> Case {
    let mut case = open(store, "linfen").await;
    for (role, command) in [
        (Role::Clerk, accept()),
        (Role::Office, Command::StartReview),
        (Role::Office, Command::Approve { note: None }),
    ] {
        let events = decide(&ctx(role, "linfen"), &case, command, false).expect("decide");
        case = store
            .record(&case.number, Some(case.version), events)
            .await
            .expect("record");
    }
    assert_eq!(case.status, CaseStatus::Approved);
    case
}

async fn install(store: &dyn Store, small: usize, large: usize) {
    let cabinet = Cabinet::new("A", "24小时自助区", small, 0, large).expect("cabinet");
    store
        .install_cabinet(&center("linfen"), &cabinet, by(Role::SystemAdmin, 0))
        .await
        .expect("install");
}

/// Marks `case` ready for the cabinet with pickup code `code` and deposits it.
async fn deposit(
    store: &dyn Store,
    case: &Case,
    code: &str,
) -> Result<(Case, haoban_hall::Parcel), StoreError> {
    let ready = Command::MarkReady {
        delivery: Delivery::Cabinet,
    };
    let events = decide(&ctx(Role::Office, "linfen"), case, ready, false).expect("ready");
    let deposit = Deposit {
        size: CompartmentSize::Small,
        code_hash: pickup_code_hash(&case.number, code),
        rules: PickupRules::default(),
    };
    store
        .deposit_parcel(
            &case.number,
            case.version,
            events,
            &deposit,
            by(Role::Office, 1),
        )
        .await
}

pub async fn deposits_in_the_smallest_free_compartment_or_not_at_all(store: Arc<dyn Store>) {
    install(&*store, 1, 1).await;
    assert_eq!(
        store.cabinets(&center("linfen")).await.expect("cabinets")[0].sizes,
        vec![CompartmentSize::Small, CompartmentSize::Large]
    );
    let first = approved(&*store).await;
    let (ready, parcel) = deposit(&*store, &first, "111111").await.expect("first");
    assert_eq!(ready.status, CaseStatus::Ready);
    assert_eq!(parcel.compartment.label(), "A-01");
    assert_ne!(parcel.code_hash, "111111", "the code is never stored");
    let second = approved(&*store).await;
    let (_, parcel) = deposit(&*store, &second, "222222").await.expect("second");
    assert_eq!(parcel.compartment.label(), "A-02");

    let third = approved(&*store).await;
    let full = deposit(&*store, &third, "333333").await;
    assert!(matches!(full, Err(StoreError::Conflict(_))), "{full:?}");
    // Nothing of the refused deposit is stored: the case is still approved.
    assert_eq!(store.case(&third.number).await.expect("read"), Some(third));
    let waiting = store
        .parcels(&center("linfen"), true)
        .await
        .expect("parcels");
    assert_eq!(waiting.len(), 2);
    // A cabinet holding results cannot be changed under them.
    let smaller = Cabinet::new("A", "x", 1, 0, 0).expect("cabinet");
    let changed = store
        .install_cabinet(&center("linfen"), &smaller, by(Role::SystemAdmin, 5))
        .await;
    assert!(
        matches!(changed, Err(StoreError::Conflict(_))),
        "{changed:?}"
    );
}

pub async fn picks_up_with_the_right_code_only(store: Arc<dyn Store>) {
    install(&*store, 2, 0).await;
    let case = approved(&*store).await;
    deposit(&*store, &case, "482913").await.expect("deposit");
    let resident = case.applicant.id_number.unmasked();
    let rules = PickupRules::default();
    let kiosk = by(Role::Resident, 10);
    let wrong = store
        .try_pickup(
            &center("linfen"),
            &resident,
            "000000",
            rules,
            day(),
            kiosk.clone(),
        )
        .await
        .expect("try");
    assert_eq!(wrong.outcome, PickupOutcome::Wrong { left: 4 });
    // Someone else's ID number with the right code opens nothing.
    let stranger = store
        .try_pickup(
            &center("linfen"),
            "110105194912310029",
            "482913",
            rules,
            day(),
            kiosk.clone(),
        )
        .await
        .expect("try");
    assert!(stranger.opened.is_none());
    let right = store
        .try_pickup(&center("linfen"), &resident, "482913", rules, day(), kiosk)
        .await
        .expect("try");
    assert_eq!(right.outcome, PickupOutcome::Opened);
    let delivered = store.case(&case.number).await.expect("read").expect("case");
    assert_eq!(delivered.status, CaseStatus::Delivered);
    assert!(
        store
            .parcels(&center("linfen"), true)
            .await
            .expect("parcels")
            .is_empty()
    );
    let record = store.case_record(&case.number).await.expect("record");
    let kinds: Vec<&str> = record.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.ends_with(&[
            "ready",
            "parcel_deposited",
            "pickup_refused",
            "delivered",
            "parcel_picked_up"
        ]),
        "{kinds:?}"
    );
    let chain = store.chain("linfen").await.expect("chain");
    assert!(verify("linfen", &chain.entries, chain.head.as_ref()).is_ok());
    let rebuilt = store.rebuild_case(&case.number).await.expect("rebuild");
    assert_eq!(rebuilt.status, CaseStatus::Delivered);
}

pub async fn too_many_wrong_codes_return_the_result_to_the_desk(store: Arc<dyn Store>) {
    install(&*store, 1, 0).await;
    let case = approved(&*store).await;
    deposit(&*store, &case, "482913").await.expect("deposit");
    let resident = case.applicant.id_number.unmasked();
    let rules = PickupRules {
        wrong_codes_allowed: 2,
        ..PickupRules::default()
    };
    let mut outcomes = Vec::new();
    for minute in 0..3 {
        let code = if minute == 2 { "482913" } else { "999999" };
        let attempt = store
            .try_pickup(
                &center("linfen"),
                &resident,
                code,
                rules,
                day(),
                by(Role::Resident, minute),
            )
            .await
            .expect("try");
        outcomes.push(attempt.outcome);
    }
    // The right code comes too late: the parcel is no longer waiting.
    assert_eq!(
        outcomes[..2],
        [PickupOutcome::Wrong { left: 1 }, PickupOutcome::Locked]
    );
    assert!(matches!(outcomes[2], PickupOutcome::Wrong { .. }));
    let parcels = store
        .parcels(&center("linfen"), false)
        .await
        .expect("parcels");
    assert_eq!(parcels[0].status, ParcelStatus::Returned);
    assert_eq!(
        parcels[0].returned_for,
        Some(ReturnReason::TooManyWrongCodes)
    );
    assert_eq!(
        store
            .case(&case.number)
            .await
            .expect("read")
            .expect("case")
            .status,
        CaseStatus::Ready,
        "the result waits at the desk"
    );
    // Its compartment is free again.
    let next = approved(&*store).await;
    let (_, parcel) = deposit(&*store, &next, "123456").await.expect("deposit");
    assert_eq!(parcel.compartment.label(), "A-01");
}

pub async fn expires_parcels_left_too_long(store: Arc<dyn Store>) {
    install(&*store, 2, 0).await;
    let case = approved(&*store).await;
    let (_, parcel) = deposit(&*store, &case, "482913").await.expect("deposit");
    let before = By {
        at: parcel.expires_at - Duration::minutes(1),
        ..by(Role::Supervisor, 0)
    };
    assert!(
        store
            .expire_parcels(&center("linfen"), before)
            .await
            .expect("expire")
            .is_empty()
    );
    let after = By {
        at: parcel.expires_at,
        ..by(Role::Supervisor, 0)
    };
    let expired = store
        .expire_parcels(&center("linfen"), after.clone())
        .await
        .expect("expire");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].returned_for, Some(ReturnReason::Expired));
    assert!(
        store
            .expire_parcels(&center("linfen"), after)
            .await
            .expect("again")
            .is_empty()
    );
    let kinds: Vec<String> = store
        .case_record(&case.number)
        .await
        .expect("record")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.last().map(String::as_str), Some("parcel_returned"));
}

pub async fn concurrent_deposits_never_share_a_compartment(store: Arc<dyn Store>) {
    install(&*store, 3, 0).await;
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(approved(&*store).await);
    }
    let mut tasks = Vec::new();
    for (i, case) in cases.into_iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            deposit(&*store, &case, &format!("{i:06}")).await
        }));
    }
    let mut labels = Vec::new();
    let mut refused = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok((_, parcel)) => labels.push(parcel.compartment.label()),
            Err(StoreError::Conflict(_)) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    labels.sort();
    assert_eq!(labels, ["A-01", "A-02", "A-03"]);
    assert_eq!(refused, 1);
}

pub async fn keeps_uploads_with_their_hash(store: Arc<dyn Store>) {
    let case = open(&*store, "linfen").await;
    let bytes = b"%PDF-1.7\n1 0 obj << >> endobj\n".to_vec();
    let meta = UploadMeta::check("户口簿.pdf", None, &bytes, 1 << 20).expect("meta");
    let upload = Upload {
        id: "u1".into(),
        center: center("linfen"),
        case: case.number.clone(),
        material: "hukou-book".into(),
        meta,
        uploaded_at: by(Role::Resident, 0).at,
        uploaded_by: case.applicant.id_number.unmasked(),
    };
    store
        .save_upload(&upload, &bytes, by(Role::Resident, 0))
        .await
        .expect("save");
    assert_eq!(
        store.uploads(&case.number).await.expect("list"),
        vec![upload.clone()]
    );
    let (read, body) = store
        .upload(&center("linfen"), "u1")
        .await
        .expect("read")
        .expect("found");
    assert_eq!((read, body), (upload.clone(), bytes.clone()));
    assert_eq!(
        store.upload(&center("pengpu"), "u1").await.expect("read"),
        None
    );
    // Bytes that are not the ones described are refused, and nothing is kept.
    let other = Upload {
        id: "u2".into(),
        ..upload
    };
    let refused = store
        .save_upload(&other, b"%PDF-1.7 something else", by(Role::Resident, 1))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(_))),
        "{refused:?}"
    );
    assert_eq!(store.uploads(&case.number).await.expect("list").len(), 1);
    let kinds: Vec<String> = store
        .case_record(&case.number)
        .await
        .expect("record")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["submitted", "upload_received"]);
}
