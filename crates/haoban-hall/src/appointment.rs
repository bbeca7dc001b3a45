//! Appointments by slot (预约), and check-in: a resident who arrives for their slot joins
//! the queue as `appointment_due`, ahead by the rule's head start; early or late, as normal.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::ticket::{Priority, TicketNumber};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    #[error("{0} is not a slot: slots start every {1} minutes from {2} to {3}")]
    NotASlot(NaiveTime, u32, NaiveTime, NaiveTime),
    #[error("the slot has passed")]
    Past,
}

/// The day's slots: from `first` to `last` (the last slot's start) every `minutes`, each
/// taking up to `capacity` appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotPlan {
    pub first: NaiveTime,
    pub last: NaiveTime,
    pub minutes: u32,
    pub capacity: u32,
    /// Arriving this long before the slot already counts as on time.
    pub early_minutes: i64,
    /// ... and up to this long after it.
    pub late_minutes: i64,
}

impl Default for SlotPlan {
    fn default() -> Self {
        SlotPlan {
            first: NaiveTime::from_hms_opt(9, 0, 0).expect("09:00"),
            last: NaiveTime::from_hms_opt(16, 30, 0).expect("16:30"),
            minutes: 30,
            capacity: 4,
            early_minutes: 15,
            late_minutes: 15,
        }
    }
}

impl SlotPlan {
    /// Every slot start of a day.
    pub fn slots(&self) -> Vec<NaiveTime> {
        let mut slots = Vec::new();
        let mut at = self.first;
        while at <= self.last && self.minutes > 0 {
            slots.push(at);
            let (next, wrapped) =
                at.overflowing_add_signed(Duration::minutes(i64::from(self.minutes)));
            if wrapped != 0 {
                break;
            }
            at = next;
        }
        slots
    }

    /// The slot `time` on `day` in the center's time zone, if it is one and not past.
    pub fn slot<Tz: TimeZone>(
        &self,
        zone: &Tz,
        day: NaiveDate,
        time: NaiveTime,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, AppointmentError> {
        if !self.slots().contains(&time) {
            return Err(AppointmentError::NotASlot(
                time,
                self.minutes,
                self.first,
                self.last,
            ));
        }
        let start = zone
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(AppointmentError::NotASlot(
                time,
                self.minutes,
                self.first,
                self.last,
            ))?;
        if start + Duration::minutes(self.late_minutes) < now {
            return Err(AppointmentError::Past);
        }
        Ok(start)
    }

    /// The priority of someone checking in at `now` for the slot starting at `slot`.
    pub fn check_in_priority(&self, slot: DateTime<Utc>, now: DateTime<Utc>) -> Priority {
        let opens = slot - Duration::minutes(self.early_minutes);
        let closes = slot + Duration::minutes(self.late_minutes);
        if opens <= now && now <= closes {
            Priority::AppointmentDue
        } else {
            Priority::Normal
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    CheckedIn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The resident's ID number.
    pub visitor: String,
    pub name: String,
    pub item: String,
    pub slot: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub ticket: Option<TicketNumber>,
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn shanghai() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn slots_are_the_plan_and_nothing_else() {
        let plan = SlotPlan::default();
        assert_eq!(plan.slots().len(), 16);
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let now = utc("2026-11-02T02:00:00Z");
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            plan.slot(&shanghai(), day, nine, now),
            Ok(utc("2026-11-03T01:00:00Z"))
        );
        let odd = NaiveTime::from_hms_opt(9, 10, 0).unwrap();
        assert!(matches!(
            plan.slot(&shanghai(), day, odd, now),
            Err(AppointmentError::NotASlot(..))
        ));
        let yesterday = day.pred_opt().unwrap().pred_opt().unwrap();
        assert_eq!(
            plan.slot(&shanghai(), yesterday, nine, now),
            Err(AppointmentError::Past)
        );
    }

    #[test]
    fn only_arriving_around_the_slot_gives_the_appointment_priority() {
        let plan = SlotPlan::default();
        let slot = utc("2026-11-03T01:00:00Z");
        let minute = |m: i64| slot + Duration::minutes(m);
        assert_eq!(plan.check_in_priority(slot, minute(-40)), Priority::Normal);
        assert_eq!(
            plan.check_in_priority(slot, minute(-15)),
            Priority::AppointmentDue
        );
        assert_eq!(
            plan.check_in_priority(slot, minute(10)),
            Priority::AppointmentDue
        );
        assert_eq!(plan.check_in_priority(slot, minute(16)), Priority::Normal);
    }
}
