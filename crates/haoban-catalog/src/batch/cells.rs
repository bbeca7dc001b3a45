//! Reading a cell as a value of its fact's type, into that fact's column.
//!
//! A cell is read as pre-review reads a fact from JSON: an int is whole digits (`2.0` is
//! not one), a decimal is read exactly from its text, a date is `YYYY-MM-DD`, an enum
//! value must be declared. CSV has no types, so a bool is `true`/`false` (any case) or
//! `1`/`0`, and an empty cell is unknown.

use std::sync::Arc;

use chrono::NaiveDate;

use super::column::{Column, Truth};
use crate::catalog::FactType;
use crate::decimal;
use crate::expr::Type;
use crate::value::{Value, parse_date_bytes};

/// The values read so far for one fact column.
#[derive(Debug)]
enum Values {
    /// Checked and dropped: no scanned item needs this fact.
    Checked,
    Bools(Vec<Option<bool>>),
    Ints(Vec<Option<i64>>),
    Dates(Vec<Option<NaiveDate>>),
    /// Codes into the declared values: 0 unknown, `k` the `k`-th value.
    Enums(Vec<u32>),
    Other(Vec<Option<Value>>),
}

/// Reads the cells of one fact column.
#[derive(Debug)]
pub(crate) struct ColumnReader {
    pub(crate) slot: usize,
    name: Arc<str>,
    ty: FactType,
    values: Values,
}

/// A cell cut short for messages: a whole address pasted into a date cell says nothing more
/// than its first words.
fn shown(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

impl ColumnReader {
    pub(crate) fn new(slot: usize, name: &str, ty: &FactType, keep: bool) -> ColumnReader {
        let values = match (keep, ty) {
            (false, _) => Values::Checked,
            (true, FactType::Bool) => Values::Bools(Vec::new()),
            (true, FactType::Int) => Values::Ints(Vec::new()),
            (true, FactType::Date) => Values::Dates(Vec::new()),
            (true, FactType::Enum(_)) => Values::Enums(Vec::new()),
            (true, FactType::Decimal | FactType::String) => Values::Other(Vec::new()),
        };
        ColumnReader {
            slot,
            name: name.into(),
            ty: ty.clone(),
            values,
        }
    }

    /// Reads one cell and appends its value; on a bad cell appends nothing and says why,
    /// naming the column.
    pub(crate) fn push(&mut self, cell: &[u8]) -> Result<(), String> {
        if cell.is_empty() {
            self.push_unknown();
            return Ok(());
        }
        // Bools, ints, dates and enum values are read from the bytes (a cell equal to a
        // declared value is that value's UTF-8); only text kept as text is decoded.
        match (&self.ty, &mut self.values) {
            (FactType::Bool, values) => {
                let value = parse_bool(cell).ok_or_else(|| bad(&self.name, cell, BOOL))?;
                if let Values::Bools(bools) = values {
                    bools.push(Some(value));
                }
            }
            (FactType::Int, values) => {
                let value = parse_int(cell).ok_or_else(|| bad(&self.name, cell, INT))?;
                if let Values::Ints(ints) = values {
                    ints.push(Some(value));
                }
            }
            (FactType::Date, values) => {
                let value = parse_date_bytes(cell).ok_or_else(|| bad(&self.name, cell, DATE))?;
                if let Values::Dates(dates) = values {
                    dates.push(Some(value));
                }
            }
            (FactType::Enum(declared), values) => {
                let Some(position) = declared.iter().position(|v| v.as_bytes() == cell) else {
                    let expected = format!("one of its values ({})", declared.join(", "));
                    return Err(bad(&self.name, cell, &expected));
                };
                if let Values::Enums(codes) = values {
                    // Declared values are far fewer than u32::MAX; a wider code is unknown.
                    codes.push(u32::try_from(position + 1).unwrap_or(0));
                }
            }
            (FactType::Decimal, Values::Other(others)) => {
                let value = std::str::from_utf8(cell)
                    .ok()
                    .and_then(decimal::parse_exact)
                    .ok_or_else(|| bad(&self.name, cell, DECIMAL))?;
                others.push(Some(Value::Decimal(value)));
            }
            (FactType::Decimal, _) => {
                let valid = plain_decimal(cell)
                    || std::str::from_utf8(cell)
                        .ok()
                        .and_then(decimal::parse_exact)
                        .is_some();
                if !valid {
                    return Err(bad(&self.name, cell, DECIMAL));
                }
            }
            (FactType::String, values) => {
                let text = std::str::from_utf8(cell).map_err(|_| bad(&self.name, cell, ""))?;
                if let Values::Other(others) = values {
                    others.push(Some(Value::Str(text.into())));
                }
            }
        }
        Ok(())
    }

    fn push_unknown(&mut self) {
        match &mut self.values {
            Values::Checked => {}
            Values::Bools(v) => v.push(None),
            Values::Ints(v) => v.push(None),
            Values::Dates(v) => v.push(None),
            Values::Enums(v) => v.push(0),
            Values::Other(v) => v.push(None),
        }
    }

    /// Drops the values of rows from `rows` on (a row found bad after some of its cells).
    pub(crate) fn truncate(&mut self, rows: usize) {
        match &mut self.values {
            Values::Checked => {}
            Values::Bools(v) => v.truncate(rows),
            Values::Ints(v) => v.truncate(rows),
            Values::Dates(v) => v.truncate(rows),
            Values::Enums(v) => v.truncate(rows),
            Values::Other(v) => v.truncate(rows),
        }
    }

    /// The finished column, `None` for a fact only checked.
    pub(crate) fn finish(self) -> Option<Column> {
        Some(match self.values {
            Values::Checked => return None,
            Values::Bools(bools) => Column::Truth(Truth::from_fn(bools.len(), |row| bools[row])),
            Values::Ints(ints) => Column::Int(ints),
            Values::Dates(dates) => Column::Date(dates),
            Values::Enums(codes) => match &self.ty {
                FactType::Enum(values) => Column::Enum {
                    codes,
                    values: values.clone(),
                },
                _ => return None,
            },
            Values::Other(values) => Column::Values(values),
        })
    }
}

/// Why `cell` is not a value of column `name`: not UTF-8, or not `expected`.
fn bad(name: &str, cell: &[u8], expected: &str) -> String {
    match std::str::from_utf8(cell) {
        Ok(text) => format!("column `{name}`: {} is not {expected}", shown(text)),
        Err(_) => format!("column `{name}`: the cell is not valid UTF-8"),
    }
}

const BOOL: &str = "a bool (true, false, 1 or 0)";
const INT: &str = "an int (whole digits, between -9223372036854775808 and 9223372036854775807)";
const DATE: &str = "a date written YYYY-MM-DD";
const DECIMAL: &str = "a decimal (a number of at most 60 digits)";

fn parse_bool(cell: &[u8]) -> Option<bool> {
    if cell.eq_ignore_ascii_case(b"true") || cell == b"1" {
        Some(true)
    } else if cell.eq_ignore_ascii_case(b"false") || cell == b"0" {
        Some(false)
    } else {
        None
    }
}

/// Whole digits with an optional minus, as a JSON integer is written; `None` outside i64.
fn parse_int(cell: &[u8]) -> Option<i64> {
    let (negative, digits) = match cell.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, cell),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulated on the side of the sign, so that i64::MIN, whose magnitude is no i64,
    // is read too.
    digits.iter().try_fold(0i64, |n, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(d - b'0');
        let n = n.checked_mul(10)?;
        if negative {
            n.checked_sub(digit)
        } else {
            n.checked_add(digit)
        }
    })
}

/// `-123.45` with at most 60 digits: always a decimal `parse_exact` accepts, so a column
/// that is only checked need not build the number. Anything else is left to `parse_exact`.
fn plain_decimal(cell: &[u8]) -> bool {
    let unsigned = cell.strip_prefix(b"-").unwrap_or(cell);
    let (whole, fraction) = match unsigned.iter().position(|&b| b == b'.') {
        Some(point) if point + 1 == unsigned.len() => return false,
        Some(point) => (&unsigned[..point], &unsigned[point + 1..]),
        None => (unsigned, &[][..]),
    };
    !whole.is_empty()
        && whole.len() + fraction.len() <= 60
        && whole.iter().chain(fraction).all(u8::is_ascii_digit)
}

/// A column of `values` typed for a fact of type `ty` (the columnar tests build their
/// chunks with it).
pub(crate) fn column_of(ty: &Type, values: Vec<Option<Value>>) -> Column {
    match ty {
        Type::Bool => Column::Truth(Truth::from_fn(values.len(), |row| match &values[row] {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        })),
        Type::Int => Column::Int(
            values
                .into_iter()
                .map(|v| match v {
                    Some(Value::Int(i)) => Some(i),
                    _ => None,
                })
                .collect(),
        ),
        Type::Date => Column::Date(
            values
                .into_iter()
                .map(|v| match v {
                    Some(Value::Date(d)) => Some(d),
                    _ => None,
                })
                .collect(),
        ),
        Type::Enum(declared) => Column::Enum {
            codes: values
                .iter()
                .map(|v| match v {
                    Some(Value::Str(s)) => declared
                        .iter()
                        .position(|d| **d == **s)
                        .and_then(|p| u32::try_from(p + 1).ok())
                        .unwrap_or(0),
                    _ => 0,
                })
                .collect(),
            values: declared.clone(),
        },
        _ => Column::Values(values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_are_what_parse_exact_accepts() {
        for text in ["0", "-0", "2590.49", "007.10", &"9".repeat(60), "1.5"] {
            assert!(plain_decimal(text.as_bytes()), "{text}");
            assert!(decimal::parse_exact(text).is_some(), "{text}");
        }
        for text in ["", "-", ".5", "5.", "1e3", "1,5", "1.2.3", &"9".repeat(61)] {
            assert!(!plain_decimal(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn a_checked_column_refuses_what_a_kept_one_refuses() {
        for keep in [false, true] {
            let mut reader = ColumnReader::new(0, "income", &FactType::Decimal, keep);
            assert!(reader.push(b"2590.49").is_ok());
            assert!(reader.push(b"2.59049e3").is_ok());
            let refused = reader.push(b"12 yuan").expect_err("not a number");
            assert_eq!(
                refused,
                "column `income`: \"12 yuan\" is not a decimal (a number of at most 60 digits)"
            );
        }
    }

    #[test]
    fn cells_are_read_as_facts_are() {
        let mut ints = ColumnReader::new(0, "members", &FactType::Int, true);
        assert!(ints.push(b"2.0").is_err());
        assert!(ints.push(b"+2").is_err());
        assert!(ints.push(b"99999999999999999999").is_err());
        assert!(ints.push(b"-3").is_ok());
        let mut bools = ColumnReader::new(1, "married", &FactType::Bool, true);
        for cell in [&b"TRUE"[..], b"false", b"1", b"0", b""] {
            assert!(bools.push(cell).is_ok());
        }
        assert!(bools.push(b"yes").is_err());
        assert!(bools.push(b"\xff").is_err());
        let long = "x".repeat(100);
        let mut dates = ColumnReader::new(2, "birth_date", &FactType::Date, true);
        let refused = dates.push(long.as_bytes()).expect_err("not a date");
        assert!(refused.contains('…') && refused.len() < 100, "{refused}");
        let hukou = FactType::Enum(vec!["上海".to_owned(), "other".to_owned()].into());
        let mut enums = ColumnReader::new(3, "hukou", &hukou, true);
        assert!(enums.push("上海".as_bytes()).is_ok());
        assert_eq!(
            enums.push(b"\xe4\xb8").expect_err("cut short"),
            "column `hukou`: the cell is not valid UTF-8"
        );
        assert_eq!(
            enums.finish(),
            Some(Column::Enum {
                codes: vec![1],
                values: vec!["上海".to_owned(), "other".to_owned()].into()
            })
        );
    }

    #[test]
    fn ints_are_read_as_rust_reads_whole_digits() {
        for text in [
            "0",
            "-0",
            "7",
            "-7",
            "007",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "-",
            "",
            "1-",
            "--1",
            "1 ",
            "١",
        ] {
            let digits = text.strip_prefix('-').unwrap_or(text);
            let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            let expected = if whole {
                text.parse::<i64>().ok()
            } else {
                None
            };
            assert_eq!(parse_int(text.as_bytes()), expected, "{text:?}");
        }
    }
}
