//! Training records (3先3后), shared by every backend: what the rows become is decided
//! here and in `haoban_insight`; the backends only read and write them.
//!
//! Questions, test attempts and onboarding records are kept as their JSON (`state`) with
//! the columns they are looked up by. They are not entries of the process record: the
//! monthly list counts any entry of a member's as a day on duty, and a test taken on a day
//! off is not one.

use haoban_insight::{Onboarding, OnboardingStep};

use crate::{By, StoreError, StoreResult};

/// Why a second onboarding record for the same member is refused.
pub fn already_onboarding(onboarding: &Onboarding) -> StoreError {
    StoreError::Conflict(format!(
        "{} already has an onboarding record at center {}",
        onboarding.staff, onboarding.center
    ))
}

pub fn no_onboarding(staff: &str) -> StoreError {
    StoreError::NotFound(format!("the onboarding record of {staff}"))
}

/// `step` on `onboarding` by `by`, or `Conflict` naming why not.
pub fn step(onboarding: &Onboarding, step: &OnboardingStep, by: &By) -> StoreResult<Onboarding> {
    onboarding
        .step(step, (&by.actor, by.role, by.at))
        .map_err(|e| StoreError::Conflict(e.to_string()))
}

/// A number the database gave back as its signed integer.
pub fn id(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} id {value}")))
}
