//! Columns of a chunk of residents: one typed vector per fact, and three-valued truths as
//! two bitmaps.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::expr::compiled::Val;
use crate::value::Value;

/// Three-valued truths of a chunk's rows: bit `i` of `yes` is set when row `i` is true, of
/// `no` when it is false; neither when unknown. Bits past the last row are always clear,
/// so counting needs no mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Truth {
    pub(crate) rows: usize,
    pub(crate) yes: Vec<u64>,
    pub(crate) no: Vec<u64>,
}

fn words(rows: usize) -> usize {
    rows.div_ceil(64)
}

/// The bits of the rows of a chunk of `rows` rows, the unused high bits of the last word clear.
fn full(rows: usize) -> Vec<u64> {
    let mut bits = vec![u64::MAX; words(rows)];
    if let Some(last) = bits.last_mut()
        && rows % 64 != 0
    {
        *last = (1u64 << (rows % 64)) - 1;
    }
    bits
}

impl Truth {
    /// Every row the same: true, false or unknown.
    pub(crate) fn same(rows: usize, value: Option<bool>) -> Truth {
        let (yes, no) = match value {
            Some(true) => (full(rows), vec![0; words(rows)]),
            Some(false) => (vec![0; words(rows)], full(rows)),
            None => (vec![0; words(rows)], vec![0; words(rows)]),
        };
        Truth { rows, yes, no }
    }

    pub(crate) fn from_fn(rows: usize, mut truth: impl FnMut(usize) -> Option<bool>) -> Truth {
        let mut result = Truth::same(rows, None);
        for row in 0..rows {
            match truth(row) {
                Some(true) => result.yes[row / 64] |= 1 << (row % 64),
                Some(false) => result.no[row / 64] |= 1 << (row % 64),
                None => {}
            }
        }
        result
    }

    pub(crate) fn get(&self, row: usize) -> Option<bool> {
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if self.yes.get(word).is_some_and(|w| w & bit != 0) {
            Some(true)
        } else if self.no.get(word).is_some_and(|w| w & bit != 0) {
            Some(false)
        } else {
            None
        }
    }

    pub(crate) fn not(mut self) -> Truth {
        std::mem::swap(&mut self.yes, &mut self.no);
        self
    }

    /// Kleene's `&&` row by row (as `compiled::and`): false wins, then unknown.
    pub(crate) fn and(mut self, other: &Truth) -> Truth {
        for (i, (yes, no)) in self.yes.iter_mut().zip(self.no.iter_mut()).enumerate() {
            let (other_yes, other_no) = (other.yes[i], other.no[i]);
            *yes &= other_yes;
            *no |= other_no;
        }
        self
    }

    /// Kleene's `||` row by row (as `compiled::or`): true wins, then unknown.
    pub(crate) fn or(mut self, other: &Truth) -> Truth {
        for (i, (yes, no)) in self.yes.iter_mut().zip(self.no.iter_mut()).enumerate() {
            let (other_yes, other_no) = (other.yes[i], other.no[i]);
            *yes |= other_yes;
            *no &= other_no;
        }
        self
    }

    /// Rows that are true, among `counted`.
    pub(crate) fn count_true(&self, counted: &[u64]) -> u64 {
        self.yes
            .iter()
            .zip(counted)
            .map(|(w, c)| u64::from((w & c).count_ones()))
            .sum()
    }

    /// Rows that are unknown, among `counted`.
    pub(crate) fn count_unknown(&self, counted: &[u64]) -> u64 {
        self.yes
            .iter()
            .zip(&self.no)
            .zip(counted)
            .map(|((y, n), c)| u64::from((!(y | n) & c).count_ones()))
            .sum()
    }

    /// Every row counted: for a chunk with no row left out.
    pub(crate) fn all_rows(rows: usize) -> Vec<u64> {
        full(rows)
    }
}

/// One value per row of a chunk, typed where it pays: the hot kinds of facts (bools,
/// ints, dates, enums) have their own vectors; decimals, strings and the rare computed
/// values are kept as [`Value`]s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Column {
    /// The same in every row: a literal, or a fact the population has no column for.
    Same(Option<Value>),
    Truth(Truth),
    Int(Vec<Option<i64>>),
    Date(Vec<Option<NaiveDate>>),
    /// Codes into the enum's declared values: 0 is unknown, `k` is `values[k - 1]`.
    Enum {
        codes: Vec<u32>,
        values: Arc<[String]>,
    },
    Values(Vec<Option<Value>>),
}

impl Column {
    /// Row `row`'s value as the scalar evaluator sees it.
    pub(crate) fn get(&self, row: usize) -> Option<Val<'_>> {
        match self {
            Column::Same(value) => value.as_ref().map(Val::of),
            Column::Truth(truth) => truth.get(row).map(Val::Bool),
            Column::Int(ints) => ints.get(row).copied().flatten().map(Val::Int),
            Column::Date(dates) => dates.get(row).copied().flatten().map(Val::Date),
            Column::Enum { codes, values } => {
                let code = *codes.get(row)?;
                let value = values.get(usize::try_from(code).ok()?.checked_sub(1)?)?;
                Some(Val::Str(Cow::Borrowed(value.as_str())))
            }
            Column::Values(values) => values.get(row)?.as_ref().map(Val::of),
        }
    }

    /// Whether row `row` has a value (what `has()` asks).
    pub(crate) fn known(&self, row: usize) -> bool {
        match self {
            Column::Same(value) => value.is_some(),
            Column::Truth(truth) => truth.get(row).is_some(),
            Column::Int(ints) => ints.get(row).is_some_and(Option::is_some),
            Column::Date(dates) => dates.get(row).is_some_and(Option::is_some),
            Column::Enum { codes, .. } => codes.get(row).is_some_and(|&c| c != 0),
            Column::Values(values) => values.get(row).is_some_and(Option::is_some),
        }
    }

    /// The rows' truths; a value that is not a bool is unknown, as `compiled::as_bool` has it.
    pub(crate) fn truth(&self, rows: usize) -> Cow<'_, Truth> {
        match self {
            Column::Truth(truth) => Cow::Borrowed(truth),
            Column::Same(value) => Cow::Owned(Truth::same(
                rows,
                match value {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                },
            )),
            other => Cow::Owned(Truth::from_fn(rows, |row| match other.get(row) {
                Some(Val::Bool(b)) => Some(b),
                _ => None,
            })),
        }
    }

    /// A column of computed values, typed when they all have one of the typed kinds, and
    /// `Same(None)` when every row is unknown.
    pub(crate) fn from_values(values: Vec<Option<Value>>) -> Column {
        let mut kinds = values.iter().flatten();
        let Some(first) = kinds.next() else {
            return Column::Same(None);
        };
        let same_kind = |kind: fn(&Value) -> bool| kind(first) && values.iter().flatten().all(kind);
        if same_kind(|v| matches!(v, Value::Bool(_))) {
            let rows = values.len();
            return Column::Truth(Truth::from_fn(rows, |row| match &values[row] {
                Some(Value::Bool(b)) => Some(*b),
                _ => None,
            }));
        }
        if same_kind(|v| matches!(v, Value::Int(_))) {
            return Column::Int(
                values
                    .into_iter()
                    .map(|v| match v {
                        Some(Value::Int(i)) => Some(i),
                        _ => None,
                    })
                    .collect(),
            );
        }
        if same_kind(|v| matches!(v, Value::Date(_))) {
            return Column::Date(
                values
                    .into_iter()
                    .map(|v| match v {
                        Some(Value::Date(d)) => Some(d),
                        _ => None,
                    })
                    .collect(),
            );
        }
        Column::Values(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compiled::{and, or};

    const ALL: [Option<bool>; 3] = [Some(true), Some(false), None];

    type Pair = (Option<bool>, Option<bool>);

    /// Every pair of truths, across a word boundary, so the bit logic meets all nine cases.
    fn pairs() -> (Truth, Truth, Vec<Pair>) {
        let cases: Vec<_> = (0..70).map(|i| (ALL[i % 3], ALL[(i / 3) % 3])).collect();
        let left = Truth::from_fn(cases.len(), |r| cases[r].0);
        let right = Truth::from_fn(cases.len(), |r| cases[r].1);
        (left, right, cases)
    }

    #[test]
    fn bitmaps_follow_kleene_like_the_scalar_evaluator() {
        let (left, right, cases) = pairs();
        let both = left.clone().and(&right);
        let either = left.clone().or(&right);
        let negated = left.clone().not();
        for (row, &(a, b)) in cases.iter().enumerate() {
            assert_eq!(both.get(row), and(a, b), "{a:?} && {b:?}");
            assert_eq!(either.get(row), or(a, b), "{a:?} || {b:?}");
            assert_eq!(negated.get(row), a.map(|x| !x));
        }
        let counted = Truth::all_rows(cases.len());
        let unknown = cases.iter().filter(|(a, b)| and(*a, *b).is_none()).count();
        assert_eq!(both.count_unknown(&counted), unknown as u64);
    }

    #[test]
    fn bits_past_the_last_row_stay_clear() {
        for rows in [1, 63, 64, 65, 130] {
            let truth = Truth::same(rows, Some(false)).not();
            assert_eq!(truth.count_true(&vec![u64::MAX; words(rows)]), rows as u64);
            assert_eq!(
                Truth::same(rows, None).count_unknown(&Truth::all_rows(rows)),
                rows as u64
            );
        }
    }
}
