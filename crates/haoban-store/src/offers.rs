//! Offers (一键即享): a proactive benefit (免申即享) offered to a resident whom a scan of the
//! population registry found eligible, which they confirm or decline with one click.
//!
//! What every backend shares is decided here; the backends only read and write rows.
//!
//! - A center offers an item to a resident once: an offer already made for the same
//!   resident and item, whatever became of it, is not made again (a declined benefit is not
//!   pressed again, a confirmed one not offered twice). The table's primary key
//!   (center, ID number, item) holds to it even when two scans run at once.
//! - A scan run is one entry of the process record, not one per offer: `offers_made`,
//!   with the evaluation date, the items, how many distinct offers the run asked for, how
//!   many were new, and the SHA-256 of the list asked for (see [`digest`]), so that
//!   re-running the scan on the same registry and date proves which list it was.
//! - A resident's answer is an entry of its own: `offer_confirmed` or `offer_declined`.

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::{Draft, record_time};
use haoban_cases::{CenterId, IdNumber};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{By, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfferStatus {
    Open,
    Confirmed,
    Declined,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Confirmed => "confirmed",
            OfferStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<OfferStatus> {
        [
            OfferStatus::Open,
            OfferStatus::Confirmed,
            OfferStatus::Declined,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// An offer to make: to whom, of what, and the facts the scan knew of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub id_number: IdNumber,
    pub item: String,
    /// The known facts the item's conditions name, as a JSON object pre-review reads
    /// (`haoban_catalog::Applicant::from_json`): the portal starts the case from them.
    pub facts: String,
}

/// An offer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub center: CenterId,
    pub id_number: IdNumber,
    pub item: String,
    pub status: OfferStatus,
    /// The day the scan found the resident eligible on (its evaluation date).
    pub eligible_on: NaiveDate,
    pub made_at: DateTime<Utc>,
    pub made_by: String,
    /// When the resident confirmed or declined.
    pub answered_at: Option<DateTime<Utc>>,
    pub facts: String,
}

/// What a scan run's offers came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffersMade {
    /// New offers.
    pub made: u64,
    /// Offers asked for that the center had already made.
    pub already_offered: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferAnswer {
    Confirm,
    Decline,
}

/// The distinct offers of `offers`, by ID number and item (the first of repeats kept).
pub fn distinct(offers: &[NewOffer]) -> Vec<&NewOffer> {
    let mut sorted: Vec<&NewOffer> = offers.iter().collect();
    sorted.sort_by(|a, b| (a.id_number.as_ref(), &a.item).cmp(&(b.id_number.as_ref(), &b.item)));
    sorted.dedup_by(|a, b| a.id_number == b.id_number && a.item == b.item);
    sorted
}

/// SHA-256 (hex) of the distinct offers asked for, one line `ID number<TAB>item<LF>` each,
/// sorted: what the run's record entry carries. The facts are not part of it.
pub fn digest(distinct: &[&NewOffer]) -> String {
    let mut hasher = Sha256::new();
    for offer in distinct {
        hasher.update(offer.id_number.as_ref().as_bytes());
        hasher.update(b"\t");
        hasher.update(offer.item.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Serialize)]
struct OffersMadePayload<'a> {
    on: NaiveDate,
    items: Vec<&'a str>,
    offered: usize,
    made: u64,
    already_offered: u64,
    sha256: String,
}

/// The record entry of a scan run that asked for `distinct` offers on `on`.
pub fn made_draft(
    center: &CenterId,
    on: NaiveDate,
    distinct: &[&NewOffer],
    made: OffersMade,
    by: &By,
) -> Result<Draft, StoreError> {
    let mut items: Vec<&str> = distinct.iter().map(|o| o.item.as_str()).collect();
    items.sort_unstable();
    items.dedup();
    let payload = OffersMadePayload {
        on,
        items,
        offered: distinct.len(),
        made: made.made,
        already_offered: made.already_offered,
        sha256: digest(distinct),
    };
    Ok(draft(center, by, "offers_made", record_json(&payload)?))
}

#[derive(Serialize)]
struct AnsweredPayload<'a> {
    id_number: &'a str,
    item: &'a str,
}

/// `answer` on `offer` by `by`: the offer as it becomes and its record entry, or
/// `Conflict` when it was already answered.
pub fn answer(offer: &Offer, answer: OfferAnswer, by: &By) -> Result<(Offer, Draft), StoreError> {
    if offer.status != OfferStatus::Open {
        return Err(StoreError::Conflict(format!(
            "the offer of {} was already {}",
            offer.item,
            offer.status.as_str()
        )));
    }
    let (status, kind) = match answer {
        OfferAnswer::Confirm => (OfferStatus::Confirmed, "offer_confirmed"),
        OfferAnswer::Decline => (OfferStatus::Declined, "offer_declined"),
    };
    let payload = AnsweredPayload {
        id_number: offer.id_number.as_ref(),
        item: &offer.item,
    };
    let entry = draft(&offer.center, by, kind, record_json(&payload)?);
    let answered = Offer {
        status,
        answered_at: Some(by.at),
        ..offer.clone()
    };
    Ok((answered, entry))
}

fn draft(center: &CenterId, by: &By, kind: &str, payload: String) -> Draft {
    Draft {
        center: center.to_string(),
        case: None,
        at: record_time(by.at),
        actor: by.actor.clone(),
        role: by.role.as_str().to_owned(),
        kind: kind.to_owned(),
        payload,
    }
}

pub fn no_offer(id_number: &IdNumber, item: &str) -> StoreError {
    StoreError::NotFound(format!("an offer of {item} to {}", id_number.masked()))
}

/// A stored ID number, status or facts that do not read back.
pub fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("offer {what}: {detail}"))
}

/// A record entry's payload: plain JSON; the store pseudonymizes it as it appends.
fn record_json<T: Serialize>(payload: &T) -> Result<String, StoreError> {
    serde_json::to_string(payload).map_err(|e| StoreError::Corrupt(e.to_string()))
}
