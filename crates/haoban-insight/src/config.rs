//! What a center may choose about its list: the weight of each dimension, the time zone its
//! days are counted in, and days on duty where the record does not show them fairly.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The five dimensions, in the order the list shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Quantity,
    Efficiency,
    Value,
    Evaluation,
    Quality,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Quantity,
        Dimension::Efficiency,
        Dimension::Value,
        Dimension::Evaluation,
        Dimension::Quality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Quantity => "quantity",
            Dimension::Efficiency => "efficiency",
            Dimension::Value => "value",
            Dimension::Evaluation => "evaluation",
            Dimension::Quality => "quality",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Dimension::Quantity => "工作数量",
            Dimension::Efficiency => "工作效率",
            Dimension::Value => "工作价值量",
            Dimension::Evaluation => "服务评价",
            Dimension::Quality => "工作质量",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Dimension::Quantity => "Quantity",
            Dimension::Efficiency => "Efficiency",
            Dimension::Value => "Value",
            Dimension::Evaluation => "Evaluation",
            Dimension::Quality => "Quality",
        }
    }
}

/// How much each dimension counts in the total. Only the proportions matter: the total is
/// the weighted mean of the scores, so it stays within 0–100 whatever the weights are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub quantity: Decimal,
    pub efficiency: Decimal,
    pub value: Decimal,
    pub evaluation: Decimal,
    pub quality: Decimal,
}

impl Default for Weights {
    /// Equal weights, as the model center uses them.
    fn default() -> Weights {
        Weights {
            quantity: Decimal::ONE,
            efficiency: Decimal::ONE,
            value: Decimal::ONE,
            evaluation: Decimal::ONE,
            quality: Decimal::ONE,
        }
    }
}

impl Weights {
    pub fn get(&self, dimension: Dimension) -> Decimal {
        match dimension {
            Dimension::Quantity => self.quantity,
            Dimension::Efficiency => self.efficiency,
            Dimension::Value => self.value,
            Dimension::Evaluation => self.evaluation,
            Dimension::Quality => self.quality,
        }
    }
}

/// Weights above this are refused: proportions are all that matter, and a bound keeps the
/// weighted sum far from the decimal range.
pub const MAX_WEIGHT: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub weights: Weights,
    /// Days on duty that replace what the record shows, by username (e.g. a clerk who spent
    /// days training away from the hall, or sick days the record cannot know about).
    pub days_on_duty: BTreeMap<String, u32>,
    /// The zone a recorded time (UTC) is turned into a day in: the catalog's.
    pub time_zone: Tz,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            weights: Weights::default(),
            days_on_duty: BTreeMap::new(),
            time_zone: chrono_tz::Asia::Shanghai,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the weight of {0} is negative")]
    NegativeWeight(&'static str),
    #[error("the weight of {0} is over {MAX_WEIGHT}: only the proportions matter")]
    WeightTooLarge(&'static str),
    #[error("every weight is zero: at least one dimension must count")]
    NoWeight,
    #[error("days on duty of `{0}` is zero: leave it out to use the record's count")]
    NoDays(String),
}

impl Config {
    pub fn check(&self) -> Result<(), ConfigError> {
        for dimension in Dimension::ALL {
            let weight = self.weights.get(dimension);
            if weight.is_sign_negative() && !weight.is_zero() {
                return Err(ConfigError::NegativeWeight(dimension.as_str()));
            }
            if weight > Decimal::from(MAX_WEIGHT) {
                return Err(ConfigError::WeightTooLarge(dimension.as_str()));
            }
        }
        if Dimension::ALL
            .iter()
            .all(|d| self.weights.get(*d).is_zero())
        {
            return Err(ConfigError::NoWeight);
        }
        if let Some((name, _)) = self.days_on_duty.iter().find(|(_, days)| **days == 0) {
            return Err(ConfigError::NoDays(name.clone()));
        }
        Ok(())
    }
}
