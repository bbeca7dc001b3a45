//! The self-service area and online handling in the store: certificate cabinets and their
//! parcels, and residents' uploads. What the rows become is decided here for every
//! backend; the backends only read and write them.

use chrono::{DateTime, Utc};
use haoban_cases::record::Draft;
use haoban_cases::{Case, CaseNumber, CaseStatus, CenterId, Delivery, Event, UploadMeta};
use haoban_hall::{
    Cabinet, CompartmentSize, HallEvent, Parcel, ParcelStatus, PickupOutcome, PickupRules, allocate,
};
use serde::{Deserialize, Serialize};

use crate::{By, StoreError, StoreResult};

/// A file a resident gave for one material of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Random, unguessable: it names the file in addresses.
    pub id: String,
    pub center: CenterId,
    pub case: CaseNumber,
    pub material: String,
    pub meta: UploadMeta,
    pub uploaded_at: DateTime<Utc>,
    /// Who uploaded it: the resident's ID number, or the clerk who helped.
    pub uploaded_by: String,
}

/// The record entry for an upload, on the case's record.
pub fn upload_received(upload: &Upload, by: &By) -> Draft {
    #[derive(Serialize)]
    struct Payload<'a> {
        upload: &'a str,
        material: &'a str,
        name: &'a str,
        kind: &'static str,
        size: usize,
        sha256: &'a str,
    }
    let payload = Payload {
        upload: &upload.id,
        material: &upload.material,
        name: &upload.meta.name,
        kind: upload.meta.kind.as_str(),
        size: upload.meta.size,
        sha256: &upload.meta.sha256,
    };
    Draft {
        center: upload.center.to_string(),
        case: Some(upload.case.to_string()),
        at: haoban_cases::record::record_time(by.at),
        actor: by.actor.clone(),
        role: by.role.as_str().to_owned(),
        kind: "upload_received".to_owned(),
        payload: serde_json::to_string(&payload).unwrap_or_default(),
    }
}

/// The stored bytes if they are still what was uploaded; an altered file is never served.
pub fn verified(upload: &Upload, bytes: Vec<u8>) -> StoreResult<Vec<u8>> {
    if upload.meta.matches(&bytes) {
        Ok(bytes)
    } else {
        Err(StoreError::Corrupt(format!(
            "upload {} of case {} no longer matches its SHA-256: it was altered after it was stored",
            upload.id, upload.case
        )))
    }
}

/// Reading an upload whose bytes retention removed: only its description and SHA-256 remain.
pub fn erased(upload: &Upload) -> StoreError {
    StoreError::NotFound(format!(
        "the file of upload {} (removed at the end of its retention; its SHA-256 is kept)",
        upload.id
    ))
}

/// What putting a result in a cabinet needs besides the case's own `ready` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub size: CompartmentSize,
    /// See [`pickup_code_hash`].
    pub code_hash: String,
    pub rules: PickupRules,
}

/// How a pickup code is kept: never the code, always bound to its case.
pub fn pickup_code_hash(case: &CaseNumber, code: &str) -> String {
    haoban_cases::upload::sha256_hex(format!("pickup:{case}:{code}").as_bytes())
}

/// A hall step about one case, on that case's record.
fn case_draft(event: &HallEvent, center: &CenterId, case: &CaseNumber, by: &By) -> Draft {
    let mut draft = event.draft(center, by.at, &by.actor, by.role);
    draft.case = Some(case.to_string());
    draft
}

/// The parcel for `case` (now ready for the cabinet) in the smallest free compartment,
/// and its record entry.
pub fn deposit(
    case: &Case,
    cabinets: &[Cabinet],
    taken: &[(String, u16)],
    deposit: &Deposit,
    by: &By,
) -> StoreResult<(Parcel, Draft)> {
    if case.status != CaseStatus::Ready || case.delivery != Some(Delivery::Cabinet) {
        return Err(StoreError::Conflict(format!(
            "case {} is not ready for the cabinet",
            case.number
        )));
    }
    // Only a case that is over has its applicant erased, and this one is ready.
    let applicant = case.applicant.id_number.known().ok_or_else(|| {
        StoreError::Conflict(format!("case {}'s applicant is erased", case.number))
    })?;
    let compartment =
        allocate(cabinets, taken, deposit.size).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let parcel = Parcel::deposit(
        case.number.clone(),
        applicant.to_string(),
        compartment,
        deposit.code_hash.clone(),
        by.at,
        deposit.rules,
    );
    let event = HallEvent::ParcelDeposited {
        case: case.number.to_string(),
        compartment: parcel.compartment.clone(),
        expires_at: parcel.expires_at,
    };
    let draft = case_draft(&event, &case.center, &case.number, by);
    Ok((parcel, draft))
}

/// What one try of a code at the kiosk did to a resident's waiting parcels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// What the resident is told. With no parcel waiting, a wrong code (the kiosk does
    /// not say whether anything waits for an ID number).
    pub outcome: PickupOutcome,
    /// The parcel whose door opened.
    pub opened: Option<Parcel>,
    /// Every parcel the try changed, as it now is, and the record entries.
    pub changed: Vec<Parcel>,
    pub drafts: Vec<Draft>,
}

/// One try of `code` against the `waiting` parcels of one resident: the right code opens
/// its parcel; a wrong one counts against every parcel waiting for them (guessing must not
/// get more tries by having more parcels).
pub fn attempt(waiting: &[Parcel], code: &str, rules: PickupRules, by: &By) -> Attempt {
    let fits = |p: &Parcel| {
        constant_time_eq(
            p.code_hash.as_bytes(),
            pickup_code_hash(&p.case, code).as_bytes(),
        )
    };
    let mut result = Attempt {
        outcome: PickupOutcome::Wrong {
            left: rules.wrong_codes_allowed,
        },
        opened: None,
        changed: Vec::new(),
        drafts: Vec::new(),
    };
    let tried: Vec<&Parcel> = match waiting.iter().find(|p| fits(p)) {
        Some(parcel) => vec![parcel],
        None => waiting.iter().collect(),
    };
    for parcel in tried {
        let mut parcel = parcel.clone();
        let outcome = parcel.try_code(fits(&parcel), by.at, rules);
        let case = parcel.case.to_string();
        let compartment = parcel.compartment.clone();
        let event = match outcome {
            PickupOutcome::Opened => Some(HallEvent::ParcelPickedUp { case, compartment }),
            PickupOutcome::Wrong { .. } => Some(HallEvent::PickupRefused {
                case,
                compartment,
                wrong_codes: parcel.wrong_codes,
            }),
            PickupOutcome::Locked | PickupOutcome::Expired => returned_event(&parcel),
            PickupOutcome::Closed => None,
        };
        if let Some(event) = event {
            result
                .drafts
                .push(case_draft(&event, &parcel.case.center(), &parcel.case, by));
        }
        // The most telling outcome wins: opened, then locked, then the fewest tries left.
        result.outcome = match (result.outcome, outcome) {
            (_, PickupOutcome::Opened) | (PickupOutcome::Opened, _) => PickupOutcome::Opened,
            (PickupOutcome::Locked, _) | (_, PickupOutcome::Locked) => PickupOutcome::Locked,
            (PickupOutcome::Wrong { left: a }, PickupOutcome::Wrong { left: b }) => {
                PickupOutcome::Wrong { left: a.min(b) }
            }
            (_, other) => other,
        };
        if outcome == PickupOutcome::Opened {
            result.opened = Some(parcel.clone());
        }
        result.changed.push(parcel);
    }
    result
}

/// The parcel's return to the desk as an event, if it was returned.
fn returned_event(parcel: &Parcel) -> Option<HallEvent> {
    (parcel.status == ParcelStatus::Returned).then(|| HallEvent::ParcelReturned {
        case: parcel.case.to_string(),
        compartment: parcel.compartment.clone(),
        reason: parcel
            .returned_for
            .unwrap_or(haoban_hall::ReturnReason::Expired),
    })
}

/// The waiting parcels past their time, returned to the desk, with their entries.
pub fn expire(waiting: &[Parcel], by: &By) -> Vec<(Parcel, Draft)> {
    waiting
        .iter()
        .filter_map(|parcel| {
            let mut parcel = parcel.clone();
            if !parcel.expire(by.at) {
                return None;
            }
            let event = returned_event(&parcel)?;
            let draft = case_draft(&event, &parcel.case.center(), &parcel.case, by);
            Some((parcel, draft))
        })
        .collect()
}

/// The entry for installing `cabinet`.
pub fn installed(cabinet: &Cabinet, center: &CenterId, by: &By) -> Draft {
    let event = HallEvent::CabinetInstalled {
        cabinet: cabinet.name.clone(),
        location: cabinet.location.clone(),
        small: cabinet.count(CompartmentSize::Small),
        medium: cabinet.count(CompartmentSize::Medium),
        large: cabinet.count(CompartmentSize::Large),
    };
    event.draft(center, by.at, &by.actor, by.role)
}

/// Whether the events about to be recorded leave the case ready for the cabinet.
pub fn readies_for_cabinet(events: &[Event]) -> bool {
    events.iter().any(|e| {
        matches!(
            e.kind,
            haoban_cases::EventKind::Ready {
                delivery: Delivery::Cabinet
            }
        )
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `delivered` event of a case whose parcel was just picked up: the resident took it
/// from the cabinet, so it is theirs, at the kiosk.
pub fn picked_up_delivery(case: &Case, today: chrono::NaiveDate, by: &By) -> Event {
    let context = haoban_cases::Context {
        actor: by.actor.clone(),
        role: by.role,
        center: case.center.clone(),
        now: by.at,
        today,
    };
    haoban_cases::event(
        &context,
        &case.number,
        haoban_cases::EventKind::Delivered { on: today },
    )
}
