//! What a simulated center is like: how many come and when, what they come for, who
//! works, how long things take and how often they go wrong. The defaults are a busy
//! Shanghai community service center: about 120,000 cases a year with twenty staff.

use chrono::NaiveTime;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("{what} must be a number from 0 to 1, not {value}")]
    Share { what: &'static str, value: f64 },
    #[error("{what} must be a positive number, not {value}")]
    Positive { what: &'static str, value: f64 },
    #[error("{what} must be at least {least}, not {value}")]
    TooFew {
        what: &'static str,
        least: u32,
        value: u32,
    },
    #[error("the hall opens at {opens} but closes at {closes}: it must open before it closes")]
    Hours { opens: NaiveTime, closes: NaiveTime },
    #[error("the hourly arrival shares are all zero within the opening hours")]
    NoArrivalHours,
    #[error("the rating levels' weights must not all be zero")]
    NoLevels,
}

/// The times a case of an item takes at the window, in minutes (median; the spread is
/// log-normal, so a few take much longer).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTimes {
    /// An instant item (即办件): accepted and handed over at the sitting.
    pub instant_minutes: f64,
    /// An item the back office reviews.
    pub reviewed_minutes: f64,
    /// Calling, greeting, checking the ID: per ticket, on top of its items.
    pub overhead_minutes: f64,
    /// The log-normal's sigma.
    pub spread: f64,
}

/// Who works at the center. Window clerks rotate days off so that `windows` are staffed.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    pub desks: u32,
    pub clerks: u32,
    /// Of the clerks, the newest (on duty, still learning): they know only the most
    /// frequent items (3先3后) and make more mistakes.
    pub new_clerks: u32,
    /// How many of the most frequent items a new clerk knows.
    pub new_clerk_items: u32,
    pub offices: u32,
    /// Windows staffed on a working day (the other clerks are off that day).
    pub windows: u32,
    /// The share of an experienced clerk's accepted cases the back office sends back for
    /// a supplement (补正), and a new clerk's.
    pub mistakes: f64,
    pub new_clerk_mistakes: f64,
}

/// How residents rate: the share who rate a visit at the window pad, the share who rate a
/// case by the link sent after delivery, and the weights of levels 5, 4, 3, 2, 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratings {
    pub visits_rated: f64,
    pub cases_rated: f64,
    pub levels: [f64; 5],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Visitors to the hall on an average working day (weekday factors scale it).
    pub visitors_per_day: f64,
    /// Online applications per calendar day (accepted on the next working day).
    pub online_per_day: f64,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// The share of a day's visitors arriving in each hour (0–23); hours outside the
    /// opening hours are ignored and the rest rescaled.
    pub hourly: [f64; 24],
    /// Monday to Sunday; a weekend make-up working day (调休) counts as a Friday.
    pub weekday: [f64; 7],
    /// The item mix: the k-th most frequent item comes in proportion to 1 / k^s.
    pub zipf_exponent: f64,
    /// Items that lead the frequency order (as far as the catalog has them); the others
    /// follow in catalog order.
    pub popular: Vec<String>,
    /// Visitors who only ask at the first window (总服务台) and take no ticket.
    pub consult_only: f64,
    /// Visitors who bring a second item.
    pub second_item: f64,
    /// Visitors of 70 and over go ahead by the aging rule; these shares are the others'.
    pub disabled: f64,
    pub veteran: f64,
    /// Called but gone: recalled once, then marked a no-show.
    pub no_show: f64,
    pub service: ServiceTimes,
    /// Window decisions: refused (不予受理), accepted with a material to follow (容缺).
    pub not_accepted: f64,
    pub deficiency: f64,
    /// Online applications refused at acceptance (incomplete uploads).
    pub online_not_accepted: f64,
    /// Back-office decisions denied, and decided after the deadline.
    pub denied: f64,
    pub late: f64,
    pub staffing: Staffing,
    pub ratings: Ratings,
    /// How many residents live in the center's area (the visitors are drawn from them).
    pub residents: u32,
}

impl Default for Scenario {
    /// About 120,000 cases a year: ~400 visitors a working day (a tenth only ask at the
    /// desk, some bring two items) and ~75 online applications a day.
    fn default() -> Self {
        let mut hourly = [0.0; 24];
        for (hour, share) in [
            (9, 0.15),
            (10, 0.18),
            (11, 0.13),
            (12, 0.06),
            (13, 0.13),
            (14, 0.15),
            (15, 0.13),
            (16, 0.07),
        ] {
            hourly[hour] = share;
        }
        Scenario {
            visitors_per_day: 400.0,
            online_per_day: 75.0,
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            hourly,
            weekday: [1.2, 1.05, 1.0, 0.95, 0.85, 0.85, 0.85],
            zipf_exponent: 1.05,
            popular: [
                "residence-registration",
                "insurance-record-printout",
                "social-security-card-application",
                "medical-expense-reimbursement",
                "senior-card-application",
                "resident-medical-insurance-enrollment",
                "residence-permit-endorsement",
                "elderly-comprehensive-allowance",
                "pension-certification",
                "flexible-employment-registration",
                "social-security-card-replacement",
                "newborn-medical-insurance",
                "unemployment-registration",
                "employee-pension-claim",
                "long-term-care-assessment",
            ]
            .map(str::to_owned)
            .to_vec(),
            consult_only: 0.10,
            second_item: 0.15,
            disabled: 0.02,
            veteran: 0.01,
            no_show: 0.04,
            service: ServiceTimes {
                instant_minutes: 4.0,
                reviewed_minutes: 8.0,
                overhead_minutes: 1.0,
                spread: 0.45,
            },
            not_accepted: 0.02,
            deficiency: 0.05,
            online_not_accepted: 0.06,
            denied: 0.03,
            late: 0.02,
            staffing: Staffing {
                desks: 2,
                clerks: 12,
                new_clerks: 2,
                new_clerk_items: 12,
                offices: 3,
                windows: 10,
                mistakes: 0.03,
                new_clerk_mistakes: 0.10,
            },
            ratings: Ratings {
                visits_rated: 0.35,
                cases_rated: 0.15,
                levels: [0.86, 0.11, 0.025, 0.004, 0.001],
            },
            residents: 40_000,
        }
    }
}

impl Scenario {
    /// Checks every number; the first one out of range is named.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let shares = [
            ("the consult-only share", self.consult_only),
            ("the second-item share", self.second_item),
            ("the disabled share", self.disabled),
            ("the veteran share", self.veteran),
            ("the no-show share", self.no_show),
            ("the not-accepted share", self.not_accepted),
            ("the deficiency share", self.deficiency),
            ("the online not-accepted share", self.online_not_accepted),
            ("the denied share", self.denied),
            ("the late share", self.late),
            ("the mistake rate", self.staffing.mistakes),
            (
                "the new clerks' mistake rate",
                self.staffing.new_clerk_mistakes,
            ),
            ("the share of visits rated", self.ratings.visits_rated),
            ("the share of cases rated", self.ratings.cases_rated),
        ];
        for (what, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(ScenarioError::Share { what, value });
            }
        }
        let positives = [
            ("visitors per day", self.visitors_per_day),
            ("the zipf exponent", self.zipf_exponent),
            ("the instant items' minutes", self.service.instant_minutes),
            ("the reviewed items' minutes", self.service.reviewed_minutes),
        ];
        for (what, value) in positives {
            if !(value.is_finite() && value > 0.0) {
                return Err(ScenarioError::Positive { what, value });
            }
        }
        for (what, value) in [
            ("online applications per day", self.online_per_day),
            ("the overhead minutes", self.service.overhead_minutes),
            ("the service time spread", self.service.spread),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ScenarioError::Positive { what, value });
            }
        }
        if let Some(&value) = self.weekday.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(ScenarioError::Positive {
                what: "a weekday factor",
                value,
            });
        }
        let staffing = &self.staffing;
        for (what, least, value) in [
            ("desks", 1, staffing.desks),
            ("clerks", 1, staffing.clerks),
            ("back-office staff", 1, staffing.offices),
            ("windows", 1, staffing.windows),
            ("residents", 100, self.residents),
        ] {
            if value < least {
                return Err(ScenarioError::TooFew { what, least, value });
            }
        }
        if staffing.windows > staffing.clerks {
            return Err(ScenarioError::TooFew {
                what: "clerks (one per staffed window)",
                least: staffing.windows,
                value: staffing.clerks,
            });
        }
        if staffing.new_clerks >= staffing.clerks {
            return Err(ScenarioError::TooFew {
                what: "clerks (at least one experienced, all-round)",
                least: staffing.new_clerks + 1,
                value: staffing.clerks,
            });
        }
        if self.opens >= self.closes {
            return Err(ScenarioError::Hours {
                opens: self.opens,
                closes: self.closes,
            });
        }
        if self.open_hours().iter().all(|(_, share)| *share <= 0.0) {
            return Err(ScenarioError::NoArrivalHours);
        }
        if self.ratings.levels.iter().all(|w| *w <= 0.0)
            || self
                .ratings
                .levels
                .iter()
                .any(|w| !(w.is_finite() && *w >= 0.0))
        {
            return Err(ScenarioError::NoLevels);
        }
        Ok(())
    }

    /// The hours the hall is open with their arrival shares, rescaled to sum to 1 (an
    /// hour cut by the opening or closing time keeps the part of its share inside).
    pub fn open_hours(&self) -> Vec<(u32, f64)> {
        use chrono::Timelike;
        let opens = self.opens.num_seconds_from_midnight() as f64 / 3600.0;
        let closes = self.closes.num_seconds_from_midnight() as f64 / 3600.0;
        let mut hours: Vec<(u32, f64)> = (0..24u32)
            .filter_map(|hour| {
                let start = f64::from(hour).max(opens);
                let end = f64::from(hour + 1).min(closes);
                (end > start).then(|| (hour, self.hourly[hour as usize].max(0.0) * (end - start)))
            })
            .collect();
        let total: f64 = hours.iter().map(|(_, share)| share).sum();
        if total > 0.0 {
            for (_, share) in &mut hours {
                *share /= total;
            }
        }
        hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_center_is_valid_and_bad_numbers_are_named() {
        assert_eq!(Scenario::default().validate(), Ok(()));
        let scenario = Scenario {
            no_show: 1.5,
            ..Scenario::default()
        };
        assert_eq!(
            scenario.validate().map_err(|e| e.to_string()),
            Err("the no-show share must be a number from 0 to 1, not 1.5".into())
        );
        let mut scenario = Scenario::default();
        scenario.staffing.windows = 20;
        assert!(
            scenario
                .validate()
                .unwrap_err()
                .to_string()
                .contains("clerks")
        );
        let scenario = Scenario {
            closes: Scenario::default().opens,
            ..Scenario::default()
        };
        assert!(matches!(
            scenario.validate(),
            Err(ScenarioError::Hours { .. })
        ));
    }

    #[test]
    fn opening_hours_rescale_the_hourly_shares() {
        let hours = Scenario::default().open_hours();
        assert_eq!(hours.first().map(|h| h.0), Some(9));
        assert_eq!(hours.last().map(|h| h.0), Some(16));
        let total: f64 = hours.iter().map(|h| h.1).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
