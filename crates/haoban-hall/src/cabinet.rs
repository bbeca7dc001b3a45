//! Certificate pickup cabinets (自助证照柜) in the 24-hour area: cabinets of compartments
//! in three sizes, a result put in the smallest free compartment it fits, a pickup code
//! the resident types at the kiosk (kept only as a hash), a limit on wrong codes, and
//! return to the desk when the code is guessed at too often or nobody comes in time.
//!
//! Pure: the store keeps which compartments are taken and calls [`allocate`] and
//! [`Parcel::try_code`] inside the transaction that writes the outcome.

use chrono::{DateTime, Duration, Utc};
use haoban_cases::CaseNumber;
use serde::{Deserialize, Serialize};

/// How big a compartment is; a result fits its own size and every larger one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompartmentSize {
    /// Certificates and cards (A4 and smaller).
    Small,
    /// Folders and booklets.
    Medium,
    /// Parcels, assistive devices' papers with samples.
    Large,
}

impl CompartmentSize {
    pub const ALL: [CompartmentSize; 3] = [
        CompartmentSize::Small,
        CompartmentSize::Medium,
        CompartmentSize::Large,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompartmentSize::Small => "small",
            CompartmentSize::Medium => "medium",
            CompartmentSize::Large => "large",
        }
    }

    pub fn parse(text: &str) -> Option<CompartmentSize> {
        CompartmentSize::ALL
            .into_iter()
            .find(|size| size.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CabinetError {
    #[error("a cabinet's name is 1 to 8 letters, digits or hyphens, not `{0}`")]
    BadName(String),
    #[error("a cabinet's location is 1 to 60 characters")]
    BadLocation,
    #[error("a cabinet holds 1 to {MAX_COMPARTMENTS} compartments, not {0}")]
    BadCount(usize),
    #[error("no free compartment of size {0} or larger: deliver at the window instead")]
    Full(&'static str),
}

pub const MAX_COMPARTMENTS: usize = 99;

/// One compartment: which cabinet, its number on the door, and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compartment {
    pub cabinet: String,
    pub number: u16,
    pub size: CompartmentSize,
}

impl Compartment {
    /// The label on the door, e.g. `A-03`.
    pub fn label(&self) -> String {
        format!("{}-{:02}", self.cabinet, self.number)
    }
}

/// A cabinet as installed: numbered compartments, small ones first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cabinet {
    pub name: String,
    pub location: String,
    pub sizes: Vec<CompartmentSize>,
}

impl Cabinet {
    /// A cabinet of `small`, `medium` and `large` compartments, numbered from 1 in that order.
    pub fn new(
        name: &str,
        location: &str,
        small: usize,
        medium: usize,
        large: usize,
    ) -> Result<Cabinet, CabinetError> {
        let name = name.trim();
        let name_ok = !name.is_empty()
            && name.chars().count() <= 8
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !name_ok {
            return Err(CabinetError::BadName(name.to_owned()));
        }
        let location = location.trim();
        if location.is_empty() || location.chars().count() > 60 {
            return Err(CabinetError::BadLocation);
        }
        let total = small.saturating_add(medium).saturating_add(large);
        if total == 0 || total > MAX_COMPARTMENTS {
            return Err(CabinetError::BadCount(total));
        }
        let sizes = std::iter::repeat_n(CompartmentSize::Small, small)
            .chain(std::iter::repeat_n(CompartmentSize::Medium, medium))
            .chain(std::iter::repeat_n(CompartmentSize::Large, large))
            .collect();
        Ok(Cabinet {
            name: name.to_uppercase(),
            location: location.to_owned(),
            sizes,
        })
    }

    pub fn compartments(&self) -> impl Iterator<Item = Compartment> + '_ {
        self.sizes.iter().enumerate().map(|(i, size)| Compartment {
            cabinet: self.name.clone(),
            number: u16::try_from(i + 1).unwrap_or(u16::MAX),
            size: *size,
        })
    }

    pub fn count(&self, size: CompartmentSize) -> usize {
        self.sizes.iter().filter(|s| **s == size).count()
    }
}

/// The smallest free compartment `size` fits, by cabinet name and number: a small
/// certificate never takes the one large compartment a parcel will need.
pub fn allocate(
    cabinets: &[Cabinet],
    taken: &[(String, u16)],
    size: CompartmentSize,
) -> Result<Compartment, CabinetError> {
    let is_taken = |c: &Compartment| {
        taken
            .iter()
            .any(|(cabinet, number)| *cabinet == c.cabinet && *number == c.number)
    };
    let mut free: Vec<Compartment> = cabinets
        .iter()
        .flat_map(Cabinet::compartments)
        .filter(|c| c.size >= size && !is_taken(c))
        .collect();
    free.sort_by(|a, b| (a.size, &a.cabinet, a.number).cmp(&(b.size, &b.cabinet, b.number)));
    free.into_iter()
        .next()
        .ok_or(CabinetError::Full(size.as_str()))
}

/// How long a result waits and how many wrong codes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickupRules {
    pub keep_for: Duration,
    pub wrong_codes_allowed: u32,
}

impl Default for PickupRules {
    fn default() -> Self {
        PickupRules {
            keep_for: Duration::days(7),
            wrong_codes_allowed: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    /// In its compartment, waiting for the code.
    Waiting,
    PickedUp,
    /// Taken back to the desk: nobody came in time, or the code was guessed at too often.
    Returned,
}

impl ParcelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Waiting => "waiting",
            ParcelStatus::PickedUp => "picked_up",
            ParcelStatus::Returned => "returned",
        }
    }
}

/// Why a result went back to the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    Expired,
    TooManyWrongCodes,
}

/// A result in a compartment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    pub case: CaseNumber,
    /// The applicant's ID number: only they may pick it up.
    pub id_number: String,
    pub compartment: Compartment,
    /// SHA-256 of the case number and the code; the code itself is never stored.
    pub code_hash: String,
    pub deposited_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub wrong_codes: u32,
    pub status: ParcelStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub returned_for: Option<ReturnReason>,
}

/// What typing a code at the kiosk did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickupOutcome {
    /// The door opened.
    Opened,
    Wrong {
        left: u32,
    },
    /// That was one wrong code too many: the result goes back to the desk.
    Locked,
    /// Too late: the result has gone back to the desk.
    Expired,
    /// Not waiting any more (picked up or already returned).
    Closed,
}

impl Parcel {
    pub fn deposit(
        case: CaseNumber,
        id_number: String,
        compartment: Compartment,
        code_hash: String,
        at: DateTime<Utc>,
        rules: PickupRules,
    ) -> Parcel {
        Parcel {
            case,
            id_number,
            compartment,
            code_hash,
            deposited_at: at,
            expires_at: at + rules.keep_for,
            wrong_codes: 0,
            status: ParcelStatus::Waiting,
            closed_at: None,
            returned_for: None,
        }
    }

    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == ParcelStatus::Waiting && now >= self.expires_at
    }

    /// One try of a code, `matches` being whether its hash is this parcel's.
    pub fn try_code(
        &mut self,
        matches: bool,
        now: DateTime<Utc>,
        rules: PickupRules,
    ) -> PickupOutcome {
        if self.status != ParcelStatus::Waiting {
            return PickupOutcome::Closed;
        }
        if self.is_overdue(now) {
            self.return_to_desk(now, ReturnReason::Expired);
            return PickupOutcome::Expired;
        }
        if matches {
            self.status = ParcelStatus::PickedUp;
            self.closed_at = Some(now);
            return PickupOutcome::Opened;
        }
        self.wrong_codes += 1;
        if self.wrong_codes >= rules.wrong_codes_allowed {
            self.return_to_desk(now, ReturnReason::TooManyWrongCodes);
            PickupOutcome::Locked
        } else {
            PickupOutcome::Wrong {
                left: rules.wrong_codes_allowed - self.wrong_codes,
            }
        }
    }

    /// Past its time: back to the desk. False when it was not waiting or is not overdue.
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        if !self.is_overdue(now) {
            return false;
        }
        self.return_to_desk(now, ReturnReason::Expired);
        true
    }

    fn return_to_desk(&mut self, now: DateTime<Utc>, reason: ReturnReason) {
        self.status = ParcelStatus::Returned;
        self.closed_at = Some(now);
        self.returned_for = Some(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).unwrap()
    }

    fn cabinet() -> Cabinet {
        Cabinet::new("a", "24小时自助区", 2, 1, 1).unwrap()
    }

    fn parcel() -> Parcel {
        let compartment = cabinet().compartments().next().unwrap();
        let case = CaseNumber::parse("linfen-20261201-0001").unwrap();
        Parcel::deposit(
            case,
            "11010519491231002X".into(),
            compartment,
            "h".into(),
            at(9),
            PickupRules::default(),
        )
    }

    #[test]
    fn a_cabinet_is_checked_when_made() {
        assert_eq!(cabinet().name, "A");
        assert_eq!(cabinet().count(CompartmentSize::Small), 2);
        assert!(matches!(
            Cabinet::new("a b", "x", 1, 0, 0),
            Err(CabinetError::BadName(_))
        ));
        assert_eq!(
            Cabinet::new("B", "x", 0, 0, 0),
            Err(CabinetError::BadCount(0))
        );
        assert_eq!(
            Cabinet::new("B", "x", 100, 0, 0),
            Err(CabinetError::BadCount(100))
        );
        assert_eq!(
            Cabinet::new("B", " ", 1, 0, 0),
            Err(CabinetError::BadLocation)
        );
    }

    #[test]
    fn allocation_takes_the_smallest_free_compartment_that_fits() {
        let cabinets = [cabinet()];
        let first = allocate(&cabinets, &[], CompartmentSize::Small).unwrap();
        assert_eq!(first.label(), "A-01");
        let taken = vec![("A".to_owned(), 1), ("A".to_owned(), 2)];
        // Small ones full: a certificate goes into the medium one, not the large one.
        let next = allocate(&cabinets, &taken, CompartmentSize::Small).unwrap();
        assert_eq!((next.number, next.size), (3, CompartmentSize::Medium));
        let large = allocate(&cabinets, &[], CompartmentSize::Large).unwrap();
        assert_eq!(large.number, 4);
        let all: Vec<_> = (1..=4).map(|n| ("A".to_owned(), n)).collect();
        assert_eq!(
            allocate(&cabinets, &all, CompartmentSize::Small),
            Err(CabinetError::Full("small"))
        );
    }

    #[test]
    fn the_right_code_opens_and_closes_the_parcel() {
        let mut parcel = parcel();
        assert_eq!(
            parcel.try_code(true, at(10), PickupRules::default()),
            PickupOutcome::Opened
        );
        assert_eq!(parcel.status, ParcelStatus::PickedUp);
        assert_eq!(
            parcel.try_code(true, at(11), PickupRules::default()),
            PickupOutcome::Closed
        );
    }

    #[test]
    fn wrong_codes_are_counted_and_the_last_returns_it_to_the_desk() {
        let rules = PickupRules {
            wrong_codes_allowed: 3,
            ..PickupRules::default()
        };
        let mut parcel = parcel();
        assert_eq!(
            parcel.try_code(false, at(10), rules),
            PickupOutcome::Wrong { left: 2 }
        );
        assert_eq!(
            parcel.try_code(false, at(10), rules),
            PickupOutcome::Wrong { left: 1 }
        );
        assert_eq!(parcel.try_code(false, at(10), rules), PickupOutcome::Locked);
        assert_eq!(parcel.returned_for, Some(ReturnReason::TooManyWrongCodes));
        // Even the right code no longer opens it.
        assert_eq!(parcel.try_code(true, at(10), rules), PickupOutcome::Closed);
    }

    #[test]
    fn a_parcel_left_too_long_expires() {
        let mut parcel = parcel();
        let late = parcel.expires_at;
        assert!(!parcel.expire(late - Duration::seconds(1)));
        assert!(parcel.expire(late));
        assert_eq!(parcel.status, ParcelStatus::Returned);
        let mut other = self::parcel();
        assert_eq!(
            other.try_code(true, late, PickupRules::default()),
            PickupOutcome::Expired
        );
    }
}
