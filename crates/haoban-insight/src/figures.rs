//! The raw figures behind each score, each with the sequence numbers of the events it was
//! counted from, so that any number on the list can be opened down to the record.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Events counted for a figure: how many, and which.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub count: u32,
    pub seqs: Vec<u64>,
}

impl Count {
    pub fn of(seqs: Vec<u64>) -> Count {
        Count {
            count: seqs.len() as u32,
            seqs,
        }
    }
}

/// 工作数量: pieces of work done in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityFigures {
    /// Cases accepted at the window (`accepted`, `accepted_with_deficiency`).
    pub accepted: Count,
    /// Cases refused at the window (`not_accepted`).
    pub not_accepted: Count,
    /// Back-office decisions (`approved`, `denied`), except the approval an instant item
    /// (即办件) gets together with its acceptance.
    pub decided: Count,
    /// Tickets served: the `service_finished` of each ticket, or its last `ticket_called`
    /// when it was neither finished, a no-show nor transferred on.
    pub tickets: Count,
    pub total: u32,
    /// `total × working days of the month ÷ days on duty`: what the score is computed from.
    pub adjusted: Decimal,
}

/// One case accepted by the member and decided in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandledCase {
    pub case: String,
    pub item: String,
    pub accepted_seq: u64,
    pub decided_seq: u64,
    pub accepted_on: NaiveDate,
    pub decided_on: NaiveDate,
    /// The case's own promised days, fixed when it was submitted.
    pub promised_days: u32,
    /// Working days the clock stood still waiting for a supplement (补正).
    pub suspended_days: u64,
    /// Working days from acceptance to decision, less the suspended ones.
    pub working_days: u64,
    /// Decided by the deadline (`haoban_cases::deadline`).
    pub on_time: bool,
    /// `1 − working_days ÷ promised_days`, within 0–1 (an instant item: 1 if decided the
    /// same day, else 0).
    pub time_saved: Decimal,
}

/// 工作效率: handling time against each item's standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EfficiencyFigures {
    pub cases: Vec<HandledCase>,
    pub on_time: u32,
    pub on_time_rate: Option<Decimal>,
    /// The mean of the cases' `time_saved`.
    pub time_saved: Option<Decimal>,
    /// `(on_time_rate + time_saved) ÷ 2`; `None` without a case decided this month.
    pub basis: Option<Decimal>,
}

/// One accepted case and the value points its item is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuedCase {
    pub seq: u64,
    pub case: String,
    pub item: String,
    /// `None` when the catalog no longer has the item (it then counts 0).
    pub points: Option<Decimal>,
}

/// 工作价值量: value points of the cases accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueFigures {
    pub cases: Vec<ValuedCase>,
    pub points: Decimal,
    /// `points × working days of the month ÷ days on duty`: what the score is computed from.
    pub adjusted: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSeen {
    pub seq: u64,
    pub level: u8,
    /// Given by the default for an unrated case (`rating_defaulted`).
    pub defaulted: bool,
}

/// A bad rating whose follow-up was not fixed by the end of the month, or whose appeal was
/// upheld in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    pub follow_up: String,
    pub opened_seq: u64,
    pub level: u8,
    pub appeal_seq: Option<u64>,
}

/// 服务评价: the residents' ratings of the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationFigures {
    pub ratings: Vec<RatingSeen>,
    pub count: u32,
    pub level_sum: u32,
    pub mean_level: Option<Decimal>,
    /// Ratings of level 5, 4 or 3.
    pub good: u32,
    pub good_rate: Option<Decimal>,
    pub unresolved: Vec<Unresolved>,
    /// `level_sum ÷ (count + unresolved)`: each unresolved bad rating counts once more, as a
    /// rating of 0. `None` without ratings or unresolved ones.
    pub basis: Option<Decimal>,
}

/// 工作质量: work sent back and complaints upheld. Lower is better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityFigures {
    /// Supplements (补正) the office requested on cases the member accepted: acceptance
    /// mistakes.
    pub supplements: Count,
    /// Appeals decided upheld on the member's bad ratings.
    pub upheld_complaints: Count,
    pub faults: u32,
    /// The quantity total the faults are set against.
    pub work: u32,
    /// `faults × 100 ÷ max(work, 1)`; `None` with neither work nor faults.
    pub basis: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub quantity: QuantityFigures,
    pub efficiency: EfficiencyFigures,
    pub value: ValueFigures,
    pub evaluation: EvaluationFigures,
    pub quality: QualityFigures,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaysSource {
    /// Days of the month with any event of the member's in the record.
    Record,
    /// Set by the center (`Config::days_on_duty`).
    Override,
}

/// A day the record shows the member at work, with its first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOnDuty {
    pub date: NaiveDate,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysOnDuty {
    /// The days used for the adjustment.
    pub days: u32,
    pub source: DaysSource,
    /// What the record shows, whichever is used.
    pub record: Vec<DayOnDuty>,
}
