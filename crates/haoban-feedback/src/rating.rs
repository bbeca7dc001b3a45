//! A rating, what giving one decides (a follow-up when it is bad), and the defaults for
//! delivered cases nobody rated.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use haoban_cases::record::Draft;
use haoban_cases::{CaseNumber, CenterId, Role};
use haoban_catalog::Calendar;
use serde::{Deserialize, Serialize};

use crate::events::FeedbackEvent;
use crate::follow_up::FollowUp;
use crate::level::{Channel, Level};
use crate::target::Target;

/// The record's actor for a rating counted by default.
pub const DEFAULT_ACTOR: &str = "system:default";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("a rating is a level from 1 (非常不满意) to 5 (非常满意), not {0}")]
    Level(i64),
    #[error(transparent)]
    Month(#[from] haoban_catalog::MonthError),
    #[error("`{0}` is not a follow-up id")]
    FollowUpId(String),
    #[error("a default rating must be a good level (3 to 5): silence is never a complaint")]
    BadDefault,
    #[error("a rating names the staff member rated")]
    NoStaff,
    #[error("a rating given by a resident names the channel it came through")]
    NoChannel,
    #[error("the follow-up's deadline cannot be counted: {0}")]
    Calendar(String),
}

/// When a delivered case nobody rated counts as rated, and as what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultRule {
    level: Level,
    after_days: u32,
}

impl DefaultRule {
    /// `level` once `after_days` calendar days have passed since delivery; `level` must be
    /// good (3 to 5), so a default never opens a follow-up.
    pub fn new(level: Level, after_days: u32) -> Result<DefaultRule, RatingError> {
        if level.is_bad() {
            return Err(RatingError::BadDefault);
        }
        Ok(DefaultRule { level, after_days })
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn after_days(&self) -> u32 {
        self.after_days
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackConfig {
    pub defaults: DefaultRule,
    /// Working days from a bad rating to the follow-up's deadline.
    pub follow_up_days: u64,
    /// Calendar days a rating link sent to a resident stays valid.
    pub link_valid_days: u32,
}

impl Default for FeedbackConfig {
    /// Silence counts as 满意 (4), the usual rule of the 好差评 system, not as praise (5):
    /// a default must not weigh as much as a resident who took the trouble to say 非常满意.
    fn default() -> Self {
        FeedbackConfig {
            defaults: DefaultRule {
                level: Level::SATISFIED,
                after_days: 10,
            },
            follow_up_days: 5,
            link_valid_days: 10,
        }
    }
}

/// One rating of one target, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub center: CenterId,
    pub target: Target,
    pub level: Level,
    /// Where it was given; `None` for a rating counted by default.
    pub channel: Option<Channel>,
    /// The username of the staff member rated.
    pub staff: String,
    /// Who rated, as the record names them (a masked resident, `anonymous`, or
    /// [`DEFAULT_ACTOR`]).
    pub rater: String,
    pub at: DateTime<Utc>,
    /// The day it was given, in the center's time zone: ratings are listed by it.
    pub on: NaiveDate,
}

impl Rating {
    pub fn defaulted(&self) -> bool {
        self.channel.is_none()
    }

    pub fn event(&self) -> FeedbackEvent {
        match self.channel {
            Some(channel) => FeedbackEvent::RatingGiven {
                target: self.target.clone(),
                level: self.level,
                channel,
                staff: self.staff.clone(),
            },
            None => FeedbackEvent::RatingDefaulted {
                target: self.target.clone(),
                level: self.level,
                staff: self.staff.clone(),
            },
        }
    }

    /// The rating's record entry: by the resident (or the default rule, in their place).
    pub fn draft(&self) -> Draft {
        self.event()
            .draft(&self.center, self.at, &self.rater, Role::Resident)
    }
}

/// A rating as decided: it, and the follow-up it opens when it is bad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated {
    pub rating: Rating,
    pub follow_up: Option<FollowUp>,
}

impl Rated {
    /// The entries to append with it, in order.
    pub fn drafts(&self) -> Vec<Draft> {
        let mut drafts = vec![self.rating.draft()];
        if let Some(follow_up) = &self.follow_up {
            drafts.push(follow_up.opened().draft(
                &self.rating.center,
                self.rating.at,
                &self.rating.rater,
                Role::Resident,
            ));
        }
        drafts
    }
}

/// A resident's rating: a bad one opens a follow-up due `config.follow_up_days` working
/// days after the day it was given.
pub fn rate(
    rating: Rating,
    config: &FeedbackConfig,
    calendar: &Calendar,
) -> Result<Rated, RatingError> {
    if rating.channel.is_none() {
        return Err(RatingError::NoChannel);
    }
    if rating.staff.trim().is_empty() {
        return Err(RatingError::NoStaff);
    }
    let follow_up = if rating.level.is_bad() {
        let due = calendar
            .add_working_days(rating.on, config.follow_up_days)
            .map_err(|e| RatingError::Calendar(e.to_string()))?
            .date;
        Some(FollowUp::open(&rating, due))
    } else {
        None
    };
    Ok(Rated { rating, follow_up })
}

/// A delivered case, as far as its default rating needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub case: CaseNumber,
    /// The accepting clerk (a case with none is not rated).
    pub clerk: Option<String>,
    /// The day it was delivered.
    pub on: NaiveDate,
}

/// The default ratings due `today` (made at `at`): every delivered case with a clerk,
/// delivered at least `rule.after_days()` days ago, whose target is not in `rated` (keys
/// as [`Target::key`] gives them). In case-number order.
pub fn due_defaults(
    delivered: &[Delivered],
    rated: &BTreeSet<String>,
    rule: &DefaultRule,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Vec<Rating> {
    let mut due: Vec<Rating> = delivered
        .iter()
        .filter(|d| (today - d.on).num_days() >= i64::from(rule.after_days))
        .filter_map(|d| {
            let target = Target::Case {
                case: d.case.clone(),
            };
            let staff = d.clerk.clone().filter(|c| !c.is_empty())?;
            (!rated.contains(&target.key())).then(|| Rating {
                center: d.case.center(),
                target,
                level: rule.level,
                channel: None,
                staff,
                rater: DEFAULT_ACTOR.to_owned(),
                at,
                on: today,
            })
        })
        .collect();
    due.sort_by(|a, b| a.target.cmp(&b.target));
    due.dedup_by(|a, b| a.target == b.target);
    due
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use haoban_catalog::calendar::YearDays;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-09-30T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The fixture catalog's 2026: National Day holidays 1, 2, 5, 6, 7 October and the
    /// make-up working Saturday 10 October.
    fn calendar() -> Calendar {
        let mut days = YearDays::default();
        for d in [1, 2, 5, 6, 7] {
            days.holidays.insert(date(2026, 10, d));
        }
        days.workdays.insert(date(2026, 10, 10));
        Calendar::new(BTreeMap::from([(2026, days)]))
    }

    fn rating(level: u8, on: NaiveDate) -> Rating {
        Rating {
            center: CenterId::parse("linfen").unwrap(),
            target: Target::Case {
                case: CaseNumber::parse("linfen-20260928-0001").unwrap(),
            },
            level: Level::new(level).unwrap(),
            channel: Some(Channel::Portal),
            staff: "zhang".into(),
            rater: "resident:1101**********002X".into(),
            at: at(),
            on,
        }
    }

    #[test]
    fn a_bad_rating_opens_a_follow_up_due_in_working_days() {
        let config = FeedbackConfig::default();
        // Wednesday 30 September: Oct 1-2 and 5-7 are holidays, 3-4 a weekend; 8, 9, the
        // make-up Saturday 10, Monday 12 and Tuesday 13 are the five working days.
        let rated = rate(rating(2, date(2026, 9, 30)), &config, &calendar()).unwrap();
        let follow_up = rated.follow_up.clone().expect("a follow-up");
        assert_eq!(follow_up.due, date(2026, 10, 13));
        assert_eq!(follow_up.id.to_string(), "linfen-20260928-0001");
        assert_eq!(follow_up.staff, "zhang");
        let kinds: Vec<String> = rated.drafts().into_iter().map(|d| d.kind).collect();
        assert_eq!(kinds, vec!["rating_given", "follow_up_opened"]);
        // A Friday: the weekend is skipped.
        let friday = rate(rating(1, date(2026, 11, 6)), &config, &calendar()).unwrap();
        assert_eq!(friday.follow_up.unwrap().due, date(2026, 11, 13));
    }

    #[test]
    fn good_ratings_open_nothing() {
        for level in [3, 4, 5] {
            let rated = rate(
                rating(level, date(2026, 9, 30)),
                &FeedbackConfig::default(),
                &calendar(),
            )
            .unwrap();
            assert_eq!(rated.follow_up, None);
            assert_eq!(rated.drafts().len(), 1);
        }
    }

    #[test]
    fn a_rating_needs_a_channel_and_a_staff_member() {
        let mut no_channel = rating(5, date(2026, 9, 30));
        no_channel.channel = None;
        assert_eq!(
            rate(no_channel, &FeedbackConfig::default(), &calendar()),
            Err(RatingError::NoChannel)
        );
        let mut no_staff = rating(5, date(2026, 9, 30));
        no_staff.staff = " ".into();
        assert_eq!(
            rate(no_staff, &FeedbackConfig::default(), &calendar()),
            Err(RatingError::NoStaff)
        );
    }

    #[test]
    fn defaults_must_be_good() {
        assert_eq!(
            DefaultRule::new(Level::DISSATISFIED, 10),
            Err(RatingError::BadDefault)
        );
        let rule = DefaultRule::new(Level::VERY_SATISFIED, 7).unwrap();
        assert_eq!(
            (rule.level(), rule.after_days()),
            (Level::VERY_SATISFIED, 7)
        );
    }

    #[test]
    fn defaults_come_after_the_configured_days_and_only_once() {
        let delivered = |n: u32, on: NaiveDate, clerk: Option<&str>| Delivered {
            case: CaseNumber::parse(&format!("linfen-20261001-{n:04}")).unwrap(),
            clerk: clerk.map(str::to_owned),
            on,
        };
        let cases = vec![
            delivered(2, date(2026, 11, 2), Some("li")),
            delivered(1, date(2026, 11, 2), Some("zhang")),
            delivered(3, date(2026, 11, 3), Some("zhang")),
            delivered(4, date(2026, 11, 1), None),
        ];
        let rule = FeedbackConfig::default().defaults;
        let none = BTreeSet::new();
        assert!(due_defaults(&cases, &none, &rule, date(2026, 11, 11), at()).is_empty());
        let due = due_defaults(&cases, &none, &rule, date(2026, 11, 12), at());
        let numbers: Vec<String> = due.iter().map(|r| r.target.key()).collect();
        assert_eq!(
            numbers,
            vec!["case:linfen-20261001-0001", "case:linfen-20261001-0002"]
        );
        assert!(
            due.iter()
                .all(|r| r.defaulted() && r.level == Level::SATISFIED)
        );
        assert_eq!(due[0].rater, DEFAULT_ACTOR);
        assert_eq!(due[0].draft().kind, "rating_defaulted");
        assert_eq!(due[0].draft().case.as_deref(), Some("linfen-20261001-0001"));
        // Once recorded (or rated by the resident), never again.
        let rated: BTreeSet<String> = due.iter().map(|r| r.target.key()).collect();
        let later = due_defaults(&cases, &rated, &rule, date(2026, 11, 13), at());
        assert_eq!(
            later.iter().map(|r| r.target.key()).collect::<Vec<_>>(),
            vec!["case:linfen-20261001-0003"]
        );
        let custom = DefaultRule::new(Level::VERY_SATISFIED, 0).unwrap();
        assert_eq!(
            due_defaults(&cases, &rated, &custom, date(2026, 11, 3), at()).len(),
            1
        );
    }
}
