//! The monthly list: figures per member, normalized within the center, weighted, ranked.

use haoban_cases::record::Entry;
use haoban_catalog::Calendar;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Dimension, Weights};
use crate::figures::{
    Count, DayOnDuty, DaysOnDuty, DaysSource, EfficiencyFigures, EvaluationFigures, Figures,
    QualityFigures, QuantityFigures, ValueFigures,
};
use crate::walk::{Tally, walk};
use crate::{InsightError, Items, Month, round2, round4};

/// One staff member's line: the five scores (0–100), the total, the rank, and the figures
/// the scores came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub staff: String,
    pub rank: u32,
    pub total: Decimal,
    pub quantity: Decimal,
    /// `None` when the member accepted no case decided this month.
    pub efficiency: Option<Decimal>,
    pub value: Decimal,
    /// `None` when the member has no rating this month.
    pub evaluation: Option<Decimal>,
    /// `None` with neither work nor faults.
    pub quality: Option<Decimal>,
    pub days_on_duty: DaysOnDuty,
    pub figures: Figures,
}

impl Row {
    pub fn score(&self, dimension: Dimension) -> Option<Decimal> {
        match dimension {
            Dimension::Quantity => Some(self.quantity),
            Dimension::Efficiency => self.efficiency,
            Dimension::Value => Some(self.value),
            Dimension::Evaluation => self.evaluation,
            Dimension::Quality => self.quality,
        }
    }

    /// The figure the score of `dimension` was normalized from.
    pub fn basis(&self, dimension: Dimension) -> Option<Decimal> {
        let figures = &self.figures;
        match dimension {
            Dimension::Quantity => Some(figures.quantity.adjusted),
            Dimension::Efficiency => figures.efficiency.basis,
            Dimension::Value => Some(figures.value.adjusted),
            Dimension::Evaluation => figures.evaluation.basis,
            Dimension::Quality => figures.quality.basis,
        }
    }
}

/// What each dimension was normalized against: the best basis in the center (for quality,
/// the worst), `None` when no member had one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub quantity: Option<Decimal>,
    pub efficiency: Option<Decimal>,
    pub value: Option<Decimal>,
    pub evaluation: Option<Decimal>,
    pub quality: Option<Decimal>,
}

impl Scale {
    pub fn get(&self, dimension: Dimension) -> Option<Decimal> {
        match dimension {
            Dimension::Quantity => self.quantity,
            Dimension::Efficiency => self.efficiency,
            Dimension::Value => self.value,
            Dimension::Evaluation => self.evaluation,
            Dimension::Quality => self.quality,
        }
    }

    fn set(&mut self, dimension: Dimension, value: Option<Decimal>) {
        let slot = match dimension {
            Dimension::Quantity => &mut self.quantity,
            Dimension::Efficiency => &mut self.efficiency,
            Dimension::Value => &mut self.value,
            Dimension::Evaluation => &mut self.evaluation,
            Dimension::Quality => &mut self.quality,
        };
        *slot = value;
    }
}

/// A center's list for one month. Serialized, it is what is stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyList {
    pub center: String,
    pub month: Month,
    /// The catalog the value points were read from.
    pub catalog_version: Option<String>,
    /// The last event of the chain the list was computed from (later ones are after the month).
    pub through_seq: u64,
    /// Working days of the whole month: what days on duty are set against.
    pub working_days: u32,
    pub weights: Weights,
    pub scale: Scale,
    /// By rank, then username.
    pub rows: Vec<Row>,
    /// Things in the record the list could not use as they stand.
    pub warnings: Vec<String>,
}

impl MonthlyList {
    /// Computes `center`'s list for `month` from its process record alone: `entries` is the
    /// center's chain (`Store::chain`), `items` gives each item's value points.
    pub fn compute(
        center: &str,
        entries: &[Entry],
        items: &dyn Items,
        calendar: &Calendar,
        month: Month,
        config: &Config,
    ) -> Result<MonthlyList, InsightError> {
        config.check()?;
        let walked = walk(center, entries, items, calendar, month, config)?;
        let working_days = month.working_days(calendar);
        let mut warnings = walked.warnings;
        let mut rows = Vec::new();
        for (staff, tally) in walked.tallies {
            if staff.is_empty() || !tally.counts() {
                continue;
            }
            let record: Vec<DayOnDuty> = walked
                .days
                .get(&staff)
                .map(|days| {
                    days.iter()
                        .map(|(date, seq)| DayOnDuty {
                            date: *date,
                            seq: *seq,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let days_on_duty = match config.days_on_duty.get(&staff) {
                Some(days) => DaysOnDuty {
                    days: *days,
                    source: DaysSource::Override,
                    record,
                },
                None => DaysOnDuty {
                    days: record.len() as u32,
                    source: DaysSource::Record,
                    record,
                },
            };
            let figures = figures(tally, working_days, days_on_duty.days)?;
            rows.push(Row {
                staff,
                rank: 0,
                total: Decimal::ZERO,
                quantity: Decimal::ZERO,
                efficiency: None,
                value: Decimal::ZERO,
                evaluation: None,
                quality: None,
                days_on_duty,
                figures,
            });
        }
        for name in config.days_on_duty.keys() {
            if !rows.iter().any(|r| &r.staff == name) {
                warnings.push(format!(
                    "days on duty given for `{name}`, who has nothing on this month's list"
                ));
            }
        }
        let scale = normalize(&mut rows, &config.weights);
        rank(&mut rows);
        Ok(MonthlyList {
            center: center.to_owned(),
            month,
            catalog_version: items.version().map(str::to_owned),
            through_seq: walked.through_seq,
            working_days,
            weights: config.weights.clone(),
            scale,
            rows,
            warnings,
        })
    }

    pub fn row(&self, staff: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.staff == staff)
    }
}

/// `figure × working days of the month ÷ days on duty`: a member on duty for part of the
/// month is compared as if they had worked all of it.
fn adjust(figure: Decimal, working_days: u32, days: u32) -> Result<Decimal, InsightError> {
    if days == 0 || figure.is_zero() {
        return Ok(round4(Decimal::ZERO));
    }
    figure
        .checked_mul(Decimal::from(working_days))
        .and_then(|f| f.checked_div(Decimal::from(days)))
        .map(round4)
        .ok_or(InsightError::Overflow)
}

fn ratio(part: u32, whole: u32) -> Option<Decimal> {
    (whole > 0).then(|| round4(Decimal::from(part) / Decimal::from(whole)))
}

fn figures(tally: Tally, working_days: u32, days: u32) -> Result<Figures, InsightError> {
    let total = (tally.accepted.len()
        + tally.not_accepted.len()
        + tally.decided.len()
        + tally.tickets.len()) as u32;
    let quantity = QuantityFigures {
        adjusted: adjust(Decimal::from(total), working_days, days)?,
        total,
        accepted: Count::of(tally.accepted),
        not_accepted: Count::of(tally.not_accepted),
        decided: Count::of(tally.decided),
        tickets: Count::of(tally.tickets),
    };

    let handled = tally.handled.len() as u32;
    let on_time = tally.handled.iter().filter(|c| c.on_time).count() as u32;
    let on_time_rate = ratio(on_time, handled);
    let time_saved = (handled > 0).then(|| {
        let sum: Decimal = tally.handled.iter().map(|c| c.time_saved).sum();
        round4(sum / Decimal::from(handled))
    });
    let basis = on_time_rate
        .zip(time_saved)
        .map(|(rate, saved)| round4((rate + saved) / Decimal::TWO));
    let efficiency = EfficiencyFigures {
        cases: tally.handled,
        on_time,
        on_time_rate,
        time_saved,
        basis,
    };

    let mut points = Decimal::ZERO;
    for case in &tally.valued {
        points = points
            .checked_add(case.points.unwrap_or_default())
            .ok_or(InsightError::Overflow)?;
    }
    let value = ValueFigures {
        adjusted: adjust(points, working_days, days)?,
        points,
        cases: tally.valued,
    };

    let count = tally.ratings.len() as u32;
    let level_sum: u32 = tally.ratings.iter().map(|r| u32::from(r.level)).sum();
    let good = tally.ratings.iter().filter(|r| r.level >= 3).count() as u32;
    let weighed = count + tally.unresolved.len() as u32;
    let evaluation = EvaluationFigures {
        count,
        level_sum,
        mean_level: ratio(level_sum, count),
        good,
        good_rate: ratio(good, count),
        basis: ratio(level_sum, weighed),
        ratings: tally.ratings,
        unresolved: tally.unresolved,
    };

    let faults = (tally.supplements.len() + tally.complaints.len()) as u32;
    let quality = QualityFigures {
        supplements: Count::of(tally.supplements),
        upheld_complaints: Count::of(tally.complaints),
        faults,
        work: total,
        basis: (total > 0 || faults > 0).then(|| {
            round4(Decimal::from(faults) * Decimal::ONE_HUNDRED / Decimal::from(total.max(1)))
        }),
    };
    Ok(Figures {
        quantity,
        efficiency,
        value,
        evaluation,
        quality,
    })
}

/// Scores each dimension 0–100 within the center and sets the totals; returns what each
/// dimension was set against.
///
/// Higher is better: `100 × basis ÷ best` (ratio to the best; all 0 when the best is 0).
/// Quality, where lower is better: `100 × (worst − basis) ÷ worst` (no faults is 100; all
/// 100 when nobody has a fault).
fn normalize(rows: &mut [Row], weights: &Weights) -> Scale {
    let hundred = Decimal::ONE_HUNDRED;
    let mut scale = Scale::default();
    for dimension in Dimension::ALL {
        let extreme = rows.iter().filter_map(|r| r.basis(dimension)).max();
        scale.set(dimension, extreme);
        for row in rows.iter_mut() {
            let Some(basis) = row.basis(dimension) else {
                continue;
            };
            let reference = extreme.unwrap_or_default();
            let score = match dimension {
                Dimension::Quality if reference.is_zero() => hundred,
                // The ratio first: it is at most 1, so no figure, however large, overflows.
                Dimension::Quality => (reference - basis) / reference * hundred,
                _ if reference.is_zero() => Decimal::ZERO,
                _ => basis / reference * hundred,
            };
            let score = round2(score);
            match dimension {
                Dimension::Quantity => row.quantity = score,
                Dimension::Efficiency => row.efficiency = Some(score),
                Dimension::Value => row.value = score,
                Dimension::Evaluation => row.evaluation = Some(score),
                Dimension::Quality => row.quality = Some(score),
            }
        }
    }
    for row in rows.iter_mut() {
        let (mut sum, mut weight) = (Decimal::ZERO, Decimal::ZERO);
        for dimension in Dimension::ALL {
            if let Some(score) = row.score(dimension) {
                sum += weights.get(dimension) * score;
                weight += weights.get(dimension);
            }
        }
        row.total = round2(if weight.is_zero() {
            Decimal::ZERO
        } else {
            sum / weight
        });
    }
    scale
}

/// Highest total first; equal totals share a rank and the next rank is skipped (1, 2, 2, 4),
/// listed by username.
fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.staff.cmp(&b.staff)));
    let mut previous: Option<(Decimal, u32)> = None;
    for (index, row) in rows.iter_mut().enumerate() {
        row.rank = match previous {
            Some((total, rank)) if total == row.total => rank,
            _ => index as u32 + 1,
        };
        previous = Some((row.total, row.rank));
    }
}
