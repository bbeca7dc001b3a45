//! What is rated (a case or a visit), the follow-up's id, and the month ratings are listed by.

use std::fmt;

use chrono::NaiveDate;
use haoban_cases::{CaseNumber, CenterId};
use haoban_hall::TicketNumber;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::rating::RatingError;

/// A case, or a visit: one ticket of one day at the rating's center.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Case {
        case: CaseNumber,
    },
    Visit {
        day: NaiveDate,
        ticket: TicketNumber,
    },
}

impl Target {
    /// The target as the store's unique key holds it: `case:<number>`, `visit:<day>:<ticket>`.
    pub fn key(&self) -> String {
        match self {
            Target::Case { case } => format!("case:{case}"),
            Target::Visit { day, ticket } => format!("visit:{day}:{ticket}"),
        }
    }

    pub fn case(&self) -> Option<&CaseNumber> {
        match self {
            Target::Case { case } => Some(case),
            Target::Visit { .. } => None,
        }
    }

    /// The id of the follow-up a bad rating of this target opens at `center`.
    pub fn follow_up_id(&self, center: &CenterId) -> FollowUpId {
        match self {
            Target::Case { case } => FollowUpId(case.to_string()),
            Target::Visit { day, ticket } => {
                FollowUpId(format!("{center}-{}-{ticket}", day.format("%Y%m%d")))
            }
        }
    }
}

/// A follow-up's id, read off its target: one rating per target, one follow-up per rating.
/// A case's is the case number (`linfen-20261127-0012`), a visit's the center, day and
/// ticket (`linfen-20261127-A023`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FollowUpId(String);

impl FollowUpId {
    pub fn parse(text: &str) -> Result<FollowUpId, RatingError> {
        let invalid = || RatingError::FollowUpId(text.to_owned());
        if CaseNumber::parse(text).is_ok() {
            return Ok(FollowUpId(text.to_owned()));
        }
        let mut parts = text.rsplitn(3, '-');
        let (Some(ticket), Some(day), Some(center)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let ok = TicketNumber::parse(ticket).is_ok()
            && day.len() == 8
            && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok()
            && CenterId::parse(center).is_ok();
        if ok {
            Ok(FollowUpId(text.to_owned()))
        } else {
            Err(invalid())
        }
    }
}

impl fmt::Display for FollowUpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for FollowUpId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for FollowUpId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FollowUpId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FollowUpId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn targets_are_written_as_the_record_contract_says() {
        let case = Target::Case {
            case: CaseNumber::parse("linfen-20261127-0012").unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&case).unwrap(),
            serde_json::json!({"kind": "case", "case": "linfen-20261127-0012"})
        );
        let visit = Target::Visit {
            day: date(2026, 11, 27),
            ticket: TicketNumber::parse("A023").unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&visit).unwrap(),
            serde_json::json!({"kind": "visit", "day": "2026-11-27", "ticket": "A023"})
        );
        assert_eq!(case.key(), "case:linfen-20261127-0012");
        assert_eq!(visit.key(), "visit:2026-11-27:A023");
        let bad: Result<Target, _> = serde_json::from_value(
            serde_json::json!({"kind": "visit", "day": "2026-11-27", "ticket": "a23"}),
        );
        assert!(bad.is_err());
    }

    #[test]
    fn follow_up_ids_come_from_the_target() {
        let linfen = CenterId::parse("linfen").unwrap();
        let case = Target::Case {
            case: CaseNumber::parse("linfen-20261127-0012").unwrap(),
        };
        let visit = Target::Visit {
            day: date(2026, 11, 27),
            ticket: TicketNumber::parse("A023").unwrap(),
        };
        assert_eq!(
            case.follow_up_id(&linfen).to_string(),
            "linfen-20261127-0012"
        );
        assert_eq!(
            visit.follow_up_id(&linfen).to_string(),
            "linfen-20261127-A023"
        );
        for good in [
            "linfen-20261127-0012",
            "linfen-20261127-A023",
            "a-b-20260101-Z999",
        ] {
            assert!(FollowUpId::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "consult",
            "linfen-2026112-A023",
            "linfen-20261127-a023",
            "-20261127-A023",
        ] {
            assert!(FollowUpId::parse(bad).is_err(), "{bad}");
        }
    }
}
