//! Offers' part of the contract (一键即享): a center offers an item to a resident once, even
//! when two scans run at once; a scan run is one entry of the record whatever its size; an
//! offer is answered once.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use haoban_cases::record::verify;
use haoban_cases::{IdNumber, Role, check_character};

use super::{center, day};
use crate::offers::{NewOffer, OfferAnswer, OfferStatus, OffersMade, digest, distinct};
use crate::{By, Store, StoreError};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minutes)
}

fn scanner(minutes: i64) -> By {
    By {
        actor: "haoban scan".into(),
        role: Role::SystemAdmin,
        at: at(minutes),
    }
}

fn resident(minutes: i64) -> By {
    By {
        actor: "resident".into(),
        role: Role::Resident,
        at: at(minutes),
    }
}

/// A valid ID number of Shanghai, born 1950-03-01, with sequence `n`.
pub(crate) fn id_number(n: u32) -> IdNumber {
    let body = format!("31010119500301{:03}", n % 1000);
    let check = check_character(body.as_bytes()) as char;
    IdNumber::parse(&format!("{body}{check}")).expect("valid ID number")
}

fn offer(n: u32, item: &str) -> NewOffer {
    NewOffer {
        id_number: id_number(n),
        item: item.into(),
        facts: format!(r#"{{"hukou":"shanghai","n":{n}}}"#),
    }
}

/// The `offers_made` entries of a center's record, as JSON.
async fn runs(store: &dyn Store, center_name: &str) -> Vec<serde_json::Value> {
    let chain = store.chain(center_name).await.expect("chain");
    verify(center_name, &chain.entries, chain.head.as_ref()).expect("chain intact");
    chain
        .entries
        .iter()
        .filter(|e| e.kind == "offers_made")
        .map(|e| serde_json::from_str(&e.payload).expect("payload"))
        .collect()
}

pub async fn makes_an_offer_once_per_resident_and_item(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let first = [
        offer(1, "senior-card"),
        offer(1, "elderly-allowance"),
        offer(2, "senior-card"),
        offer(1, "senior-card"),
    ];
    let made = store
        .make_offers(&linfen, day(), &first, scanner(0))
        .await
        .expect("offers");
    assert_eq!(
        made,
        OffersMade {
            made: 3,
            already_offered: 0
        }
    );
    let second = [offer(2, "senior-card"), offer(2, "elderly-allowance")];
    let made = store
        .make_offers(&linfen, day() + Duration::days(1), &second, scanner(5))
        .await
        .expect("offers again");
    assert_eq!(
        made,
        OffersMade {
            made: 1,
            already_offered: 1
        }
    );
    // Another center makes its own offers.
    let pengpu = store
        .make_offers(&center("pengpu"), day(), &second, scanner(6))
        .await
        .expect("other center");
    assert_eq!(pengpu.made, 2);

    let offers = store
        .offers_for(&linfen, &id_number(1))
        .await
        .expect("offers of resident 1");
    let listed: Vec<(&str, OfferStatus)> =
        offers.iter().map(|o| (o.item.as_str(), o.status)).collect();
    assert_eq!(
        listed,
        [
            ("elderly-allowance", OfferStatus::Open),
            ("senior-card", OfferStatus::Open)
        ]
    );
    let kept = &offers[1];
    assert_eq!(kept.center, linfen);
    assert_eq!(kept.id_number, id_number(1));
    assert_eq!(kept.facts, r#"{"hukou":"shanghai","n":1}"#);
    assert_eq!(kept.eligible_on, day());
    assert_eq!(kept.made_at, at(0));
    assert_eq!(kept.made_by, "haoban scan");
    assert_eq!(kept.answered_at, None);
    // The second run did not touch the offer it found already made.
    let resident_2 = store
        .offers_for(&linfen, &id_number(2))
        .await
        .expect("offers of resident 2");
    let senior = resident_2
        .iter()
        .find(|o| o.item == "senior-card")
        .expect("offered");
    assert_eq!((senior.made_at, senior.eligible_on), (at(0), day()));
    assert_eq!(
        store
            .offers_for(&linfen, &id_number(3))
            .await
            .expect("none"),
        []
    );

    // One entry per run, whatever its size, with what it asked for and what it made.
    let runs = runs(&*store, "linfen").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["on"], "2026-11-27");
    assert_eq!(
        runs[0]["items"],
        serde_json::json!(["elderly-allowance", "senior-card"])
    );
    assert_eq!(
        (
            &runs[0]["offered"],
            &runs[0]["made"],
            &runs[0]["already_offered"]
        ),
        (
            &serde_json::json!(3),
            &serde_json::json!(3),
            &serde_json::json!(0)
        )
    );
    assert_eq!(runs[0]["sha256"], digest(&distinct(&first)));
    assert_eq!(runs[1]["made"], 1);
    assert_eq!(runs[1]["already_offered"], 1);
}

pub async fn answers_an_offer_once(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    store
        .make_offers(
            &linfen,
            day(),
            &[offer(1, "senior-card"), offer(1, "elderly-allowance")],
            scanner(0),
        )
        .await
        .expect("offers");
    let confirmed = store
        .answer_offer(
            &linfen,
            &id_number(1),
            "senior-card",
            OfferAnswer::Confirm,
            resident(10),
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, OfferStatus::Confirmed);
    assert_eq!(confirmed.answered_at, Some(at(10)));
    let again = store
        .answer_offer(
            &linfen,
            &id_number(1),
            "senior-card",
            OfferAnswer::Decline,
            resident(11),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let declined = store
        .answer_offer(
            &linfen,
            &id_number(1),
            "elderly-allowance",
            OfferAnswer::Decline,
            resident(12),
        )
        .await
        .expect("declined");
    assert_eq!(declined.status, OfferStatus::Declined);
    let missing = store
        .answer_offer(
            &linfen,
            &id_number(2),
            "senior-card",
            OfferAnswer::Confirm,
            resident(13),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );

    // A later scan finds them answered and leaves them so.
    let made = store
        .make_offers(
            &linfen,
            day(),
            &[offer(1, "senior-card"), offer(1, "elderly-allowance")],
            scanner(20),
        )
        .await
        .expect("scan again");
    assert_eq!(made.made, 0);
    let statuses: Vec<OfferStatus> = store
        .offers_for(&linfen, &id_number(1))
        .await
        .expect("offers")
        .iter()
        .map(|o| o.status)
        .collect();
    assert_eq!(statuses, [OfferStatus::Declined, OfferStatus::Confirmed]);
    let chain = store.chain("linfen").await.expect("chain");
    verify("linfen", &chain.entries, chain.head.as_ref()).expect("chain intact");
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "offers_made",
            "offer_confirmed",
            "offer_declined",
            "offers_made"
        ]
    );
}

pub async fn concurrent_scans_make_each_offer_once(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let lists: Vec<Vec<NewOffer>> = (0..4u32)
        .map(|run| {
            (0..40)
                .map(|n| offer(n + run * 10, "senior-card"))
                .collect()
        })
        .collect();
    let tasks: Vec<_> = lists
        .iter()
        .cloned()
        .enumerate()
        .map(|(run, list)| {
            let store = store.clone();
            let linfen = linfen.clone();
            tokio::spawn(async move {
                store
                    .make_offers(&linfen, day(), &list, scanner(run as i64))
                    .await
            })
        })
        .collect();
    let mut made = 0;
    for task in tasks {
        made += task.await.expect("task").expect("offers").made;
    }
    let residents: BTreeSet<u32> = (0..4u32).flat_map(|run| run * 10..run * 10 + 40).collect();
    assert_eq!(made, residents.len() as u64);
    for n in residents {
        let offers = store
            .offers_for(&linfen, &id_number(n))
            .await
            .expect("offers");
        assert_eq!(offers.len(), 1, "resident {n}");
    }
    assert_eq!(runs(&*store, "linfen").await.len(), 4);
}

pub async fn a_large_scan_is_one_transaction(store: Arc<dyn Store>) {
    let linfen = center("linfen");
    let list: Vec<NewOffer> = (0..5_000u32)
        .map(|n| NewOffer {
            id_number: IdNumber::parse(&{
                let body = format!("3101{:02}19500301{:03}", n / 1000, n % 1000);
                format!("{body}{}", check_character(body.as_bytes()) as char)
            })
            .expect("valid"),
            item: "senior-card".into(),
            facts: "{}".into(),
        })
        .collect();
    let made = store
        .make_offers(&linfen, day(), &list, scanner(0))
        .await
        .expect("offers");
    assert_eq!(made.made, 5_000);
    let chain = store.chain("linfen").await.expect("chain");
    assert_eq!(chain.entries.len(), 1, "one entry for the run");
}
