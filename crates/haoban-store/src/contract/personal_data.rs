//! Personal data at rest (docs/personal-data.md), checked on the backend's own rows: ID and
//! phone numbers are nowhere in clear, lookups by them work through their pseudonyms, the
//! record still verifies and gives the events back whole, a key file that is not the
//! database's is refused, and a rotated key file opens what the old key sealed.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use haoban_cases::record::verify;
use haoban_hall::Visitor;

use super::{center, open};
use crate::vault::Vault;
use crate::{CaseFilter, LoginCode, Session, SessionKind, Store, StoreResult};

/// One database of a backend, opened as often as a check needs.
#[async_trait]
pub trait Reopen: Send + Sync {
    /// The store on this database with `vault`'s keys, refused when they are not its own.
    async fn open(&self, vault: Arc<Vault>) -> StoreResult<Arc<dyn Store>>;
    /// Every stored text of every table, as the database holds it.
    async fn raw(&self) -> String;
}

const ID: &str = "11010519491231002X";
const PHONE: &str = "13812345678";

const LOOKUP: &str = "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
const T1: &str = "seal t1 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n";

fn keys(lines: &[&str]) -> Arc<Vault> {
    Arc::new(Vault::parse(&lines.concat()).expect("keys"))
}

fn assert_sealed(raw: &str) {
    for clear in [
        ID,
        &ID.to_ascii_lowercase(),
        PHONE,
        "138-1234-5678",
        "138 1234 5678",
    ] {
        assert!(!raw.contains(clear), "`{clear}` is stored in clear");
    }
}

const TOTP_KEY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn staff_with_key() -> crate::User {
    crate::User {
        username: "wang".into(),
        role: haoban_cases::Role::SystemAdmin,
        center: center("linfen"),
        password_hash: "$argon2id$not-a-real-hash".into(),
        disabled: false,
        totp_secret: Some(TOTP_KEY.into()),
        created_at: Utc
            .with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
            .single()
            .expect("time"),
    }
}

pub async fn seals_personal_data_and_finds_it_by_pseudonym(db: &dyn Reopen) {
    let store = db.open(Arc::new(Vault::for_tests())).await.expect("open");
    let linfen = center("linfen");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 27, 1, 5, 0)
        .single()
        .expect("time");
    let visitor = Visitor::new(ID, "王阿姨", Some(PHONE), at).expect("visitor");
    store
        .save_visitor(&linfen, &visitor)
        .await
        .expect("visitor");
    let case = open(&*store, "linfen").await;
    store
        .put_login_code(&LoginCode {
            center: linfen.clone(),
            id_number: ID.into(),
            code_hash: "h".into(),
            expires_at: at,
            attempts: 0,
        })
        .await
        .expect("code");
    store
        .create_session(&Session {
            id_hash: "s".into(),
            kind: SessionKind::Cookie,
            subject: ID.into(),
            role: haoban_cases::Role::Resident,
            center: linfen.clone(),
            created_at: at,
            last_seen: at,
            csrf_token: "c".into(),
            assisted_by: None,
        })
        .await
        .expect("session");

    // A staff account's TOTP key is a secret like the numbers: sealed, bound to its account.
    store.create_user(&staff_with_key()).await.expect("user");

    let raw = db.raw().await;
    assert_sealed(&raw);
    assert!(!raw.contains(TOTP_KEY), "a TOTP key is stored in clear");
    let staff = store.user("wang").await.expect("read").expect("user");
    assert_eq!(staff.totp_secret.as_deref(), Some(TOTP_KEY));

    let found = store
        .visitor(&linfen, ID)
        .await
        .expect("read")
        .expect("known");
    assert_eq!(found.phone.as_deref(), Some(PHONE));
    let mut filter = CaseFilter::center(linfen.clone());
    filter.applicant = Some(ID.into());
    let cases = store.cases(&filter).await.expect("cases");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].applicant.id_number.unmasked(), ID);
    let code = store.login_code_attempt(ID).await.expect("attempt");
    assert_eq!(code.map(|c| c.code_hash), Some("h".into()));
    let session = store.session("s").await.expect("read").expect("session");
    assert_eq!(session.subject, ID);

    // The record hashes pseudonyms and still gives the event back with the number.
    let chain = store.chain("linfen").await.expect("chain");
    assert!(verify("linfen", &chain.entries, chain.head.as_ref()).is_ok());
    assert!(!chain.entries[0].payload.contains(ID));
    let record = store.case_record(&case.number).await.expect("record");
    let event = record[0].event().expect("event");
    let rebuilt = store.rebuild_case(&case.number).await.expect("rebuild");
    assert_eq!(rebuilt, case);
    assert!(format!("{:?}", event.kind).contains("002X") || record[0].text().contains(ID));
}

pub async fn refuses_other_keys_and_opens_after_a_rotation(db: &dyn Reopen) {
    let store = db.open(Arc::new(Vault::for_tests())).await.expect("open");
    let case = open(&*store, "linfen").await;
    store.create_user(&staff_with_key()).await.expect("user");
    drop(store);

    let stranger = Arc::new(Vault::parse(&Vault::new_key_file()).expect("keys"));
    assert!(
        db.open(stranger).await.is_err(),
        "another key file is refused"
    );

    // Rotation: a new sealing key after the old one.
    let t2 = Vault::new_seal_line("t2");
    let store = db
        .open(keys(&[LOOKUP, T1, &t2]))
        .await
        .expect("rotated keys open the database");
    let read = store.case(&case.number).await.expect("read").expect("case");
    assert_eq!(read.applicant.id_number.unmasked(), ID);
    let second = open(&*store, "linfen").await;
    let chain = store.chain("linfen").await.expect("chain");
    assert!(verify("linfen", &chain.entries, chain.head.as_ref()).is_ok());
    drop(store);
    assert_sealed(&db.raw().await);
    // What the new key sealed cannot be opened by the old key alone.
    let old = db.open(keys(&[LOOKUP, T1])).await;
    match old {
        Err(_) => {}
        Ok(store) => assert!(store.case(&second.number).await.is_err()),
    }
    // Re-sealed in batches, the values open without the old key, and the chain is as it was.
    let store = db.open(keys(&[LOOKUP, T1, &t2])).await.expect("rotated");
    let mut batches = 0;
    while store.reseal(2).await.expect("reseal") > 0 {
        batches += 1;
        assert!(batches < 100, "re-sealing never ends");
    }
    assert!(batches >= 1, "something was sealed with t1");
    drop(store);
    let store = db
        .open(keys(&[LOOKUP, &t2]))
        .await
        .expect("the old key is no longer needed");
    for number in [&case.number, &second.number] {
        let read = store.case(number).await.expect("read").expect("case");
        assert_eq!(read.applicant.id_number.unmasked(), ID);
    }
    let record = store.case_record(&case.number).await.expect("record");
    assert!(
        record[0].event().is_ok(),
        "the entry's values opened with t2"
    );
    let staff = store.user("wang").await.expect("read").expect("user");
    assert_eq!(
        staff.totp_secret.as_deref(),
        Some(TOTP_KEY),
        "re-sealed with t2"
    );
    let after = store.chain("linfen").await.expect("chain");
    assert_eq!(after.entries, chain.entries);
    assert!(verify("linfen", &after.entries, after.head.as_ref()).is_ok());
}

/// Generates the personal-data checks for a backend; `$make` is an async fn returning a
/// fresh database as a `Box<dyn Reopen>`.
#[macro_export]
macro_rules! personal_data_suite {
    ($make:path) => {
        #[tokio::test]
        async fn seals_personal_data_and_finds_it_by_pseudonym() {
            let db = $make().await;
            $crate::contract::personal_data::seals_personal_data_and_finds_it_by_pseudonym(&*db)
                .await;
        }

        #[tokio::test]
        async fn refuses_other_keys_and_opens_after_a_rotation() {
            let db = $make().await;
            $crate::contract::personal_data::refuses_other_keys_and_opens_after_a_rotation(&*db)
                .await;
        }
    };
}
