//! Values of facts and of conditions.

use std::fmt;
use std::sync::Arc;

use crate::decimal::Decimal;
use chrono::NaiveDate;

/// A known value. Unknown is not a value: it is the absence of one (`Option<Value>`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    /// Strings, and the values of enum facts.
    Str(Arc<str>),
    Date(NaiveDate),
    List(Arc<[Value]>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Str(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Parses `YYYY-MM-DD` strictly: four-digit year, two-digit month and day, a real date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_date_bytes(text.as_bytes())
}

/// [`parse_date`] on bytes, for cells read before (or without) being checked as UTF-8.
pub fn parse_date_bytes(bytes: &[u8]) -> Option<NaiveDate> {
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let number = |digits: &[u8]| {
        digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(&bytes[0..4])).ok()?,
        number(&bytes[5..7]),
        number(&bytes[8..10]),
    )
}
