//! The five levels, the channels a rating comes through, and the good-rating rate.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rating::RatingError;

/// 5 非常满意 … 1 非常不满意; written as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    pub const VERY_SATISFIED: Level = Level(5);
    pub const SATISFIED: Level = Level(4);
    pub const FAIRLY_SATISFIED: Level = Level(3);
    pub const DISSATISFIED: Level = Level(2);
    pub const VERY_DISSATISFIED: Level = Level(1);
    /// Best first, as a rating pad shows them.
    pub const ALL: [Level; 5] = [
        Level::VERY_SATISFIED,
        Level::SATISFIED,
        Level::FAIRLY_SATISFIED,
        Level::DISSATISFIED,
        Level::VERY_DISSATISFIED,
    ];

    pub fn new(value: u8) -> Result<Level, RatingError> {
        if (1..=5).contains(&value) {
            Ok(Level(value))
        } else {
            Err(RatingError::Level(i64::from(value)))
        }
    }

    /// A level as a number typed or sent (anything outside 1 to 5 is refused).
    pub fn parse(value: i64) -> Result<Level, RatingError> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(Level)
            .ok_or(RatingError::Level(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// 5, 4 and 3 count as good.
    pub fn is_good(self) -> bool {
        self.0 >= 3
    }

    /// 2 and 1: a follow-up is opened.
    pub fn is_bad(self) -> bool {
        !self.is_good()
    }

    pub fn label_zh(self) -> &'static str {
        match self.0 {
            5 => "非常满意",
            4 => "满意",
            3 => "基本满意",
            2 => "不满意",
            _ => "非常不满意",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self.0 {
            5 => "very satisfied",
            4 => "satisfied",
            3 => "fairly satisfied",
            2 => "dissatisfied",
            _ => "very dissatisfied",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = RatingError;
    fn try_from(value: u8) -> Result<Level, RatingError> {
        Level::new(value)
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a rating was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The pad at the window, right after the service.
    WindowPad,
    /// A self-service terminal in the hall.
    Kiosk,
    /// The online portal, signed in.
    Portal,
    /// The one-time link in the message sent after delivery or a visit.
    Link,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WindowPad => "window_pad",
            Channel::Kiosk => "kiosk",
            Channel::Portal => "portal",
            Channel::Link => "link",
        }
    }

    /// The hall's devices, where the resident is identified by what they show there (an ID
    /// card, a ticket) rather than by a session.
    pub fn is_device(self) -> bool {
        matches!(self, Channel::WindowPad | Channel::Kiosk)
    }
}

/// Ratings counted by level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Index 0 is level 1, index 4 level 5.
    pub by_level: [u64; 5],
}

impl Tally {
    pub fn of<'a>(levels: impl IntoIterator<Item = &'a Level>) -> Tally {
        let mut tally = Tally::default();
        for level in levels {
            tally.add(*level);
        }
        tally
    }

    pub fn add(&mut self, level: Level) {
        self.by_level[usize::from(level.value() - 1)] += 1;
    }

    pub fn count(&self, level: Level) -> u64 {
        self.by_level[usize::from(level.value() - 1)]
    }

    pub fn total(&self) -> u64 {
        self.by_level.iter().sum()
    }

    pub fn good(&self) -> u64 {
        self.by_level[2..].iter().sum()
    }

    /// Good ratings over all ratings; `None` when there are none.
    pub fn good_rate(&self) -> Option<GoodRate> {
        let total = self.total();
        (total > 0).then(|| GoodRate {
            good: self.good(),
            total,
        })
    }
}

/// A good-rating rate as the exact fraction it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GoodRate {
    pub good: u64,
    pub total: u64,
}

impl GoodRate {
    /// Hundredths of a percent, rounded down: 100.00% only when every rating was good.
    pub fn basis_points(self) -> u64 {
        (u128::from(self.good) * 10_000 / u128::from(self.total)) as u64
    }
}

/// `99.98`: the percentage with two decimals (integer arithmetic, no floating point).
impl fmt::Display for GoodRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bp = self.basis_points();
        write!(f, "{}.{:02}", bp / 100, bp % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_one_to_five_with_labels() {
        assert_eq!(Level::new(5).unwrap().label_zh(), "非常满意");
        assert_eq!(Level::new(3).unwrap().label_en(), "fairly satisfied");
        assert_eq!(Level::new(1).unwrap().label_zh(), "非常不满意");
        assert!(Level::new(0).is_err());
        assert!(Level::new(6).is_err());
        assert!(Level::parse(-1).is_err());
        assert!(Level::parse(261).is_err());
        assert_eq!(Level::parse(2).unwrap(), Level::DISSATISFIED);
        assert!(serde_json::from_str::<Level>("7").is_err());
        assert_eq!(serde_json::to_string(&Level::SATISFIED).unwrap(), "4");
        let good: Vec<u8> = Level::ALL
            .iter()
            .filter(|l| l.is_good())
            .map(|l| l.value())
            .collect();
        assert_eq!(good, vec![5, 4, 3]);
    }

    #[test]
    fn the_good_rate_is_levels_five_four_and_three_over_all() {
        assert_eq!(Tally::default().good_rate(), None);
        let levels: Vec<Level> = [5, 5, 4, 3, 2, 1, 5]
            .into_iter()
            .map(|v| Level::new(v).unwrap())
            .collect();
        let tally = Tally::of(&levels);
        assert_eq!((tally.good(), tally.total()), (5, 7));
        assert_eq!(tally.count(Level::VERY_SATISFIED), 3);
        let rate = tally.good_rate().unwrap();
        assert_eq!(rate.to_string(), "71.42");
        // One bad rating in a million is not rounded up to 100.00%.
        let many = Tally {
            by_level: [1, 0, 0, 0, 999_999],
        };
        assert_eq!(many.good_rate().unwrap().to_string(), "99.99");
        let all_good = Tally::of(&[Level::FAIRLY_SATISFIED]);
        assert_eq!(all_good.good_rate().unwrap().to_string(), "100.00");
    }
}
