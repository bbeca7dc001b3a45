//! The columnar evaluator: a compiled condition evaluated node by node over a whole chunk
//! of residents, each node giving a column.
//!
//! It shares its semantics with the scalar evaluator (`expr::compiled`) by construction:
//! every operation on known operands is the very function pre-review calls
//! (`compiled::compare_op`, `arith`, `in_list`, `age` ...); what is columnar is only the
//! iteration and the storage. The common shapes of eligibility conditions have typed loops
//! (ints and dates compared, an enum against a literal or a list through a table per
//! declared value, `&&`/`||`/`!` on bitmaps); everything else goes row by row through the
//! shared functions. Unknown propagates as in `compiled::eval`: an unknown operand makes
//! the node unknown, except for Kleene's `&&`/`||` and `has()`.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::column::{Column, Truth};
use crate::expr::compiled::{
    Arith, Compare, Node, Val, age, arith, compare_op, completed_years, concat, days_since,
    in_list, int_arith, neg, size,
};
use crate::value::Value;

/// What a condition is evaluated against: the chunk's rows, one column per fact slot.
pub(crate) struct Frame<'a> {
    pub(crate) rows: usize,
    pub(crate) on: NaiveDate,
    pub(crate) columns: Vec<Cow<'a, Column>>,
}

static UNKNOWN: Column = Column::Same(None);

/// The column of `node`'s values over the frame's rows.
pub(crate) fn eval<'f>(node: &Node, frame: &'f Frame<'_>) -> Cow<'f, Column> {
    let rows = frame.rows;
    Cow::Owned(match node {
        Node::Const(value) => Column::Same(Some(value.clone())),
        Node::Fact(slot) => {
            return Cow::Borrowed(frame.columns.get(*slot).map_or(&UNKNOWN, AsRef::as_ref));
        }
        Node::Has(slot) => match frame.columns.get(*slot).map(AsRef::as_ref) {
            None => Column::Same(Some(Value::Bool(false))),
            Some(Column::Same(value)) => Column::Same(Some(Value::Bool(value.is_some()))),
            Some(column) => Column::Truth(Truth::from_fn(rows, |row| Some(column.known(row)))),
        },
        Node::Not(operand) => Column::Truth(eval(operand, frame).truth(rows).into_owned().not()),
        Node::And(lhs, rhs) => {
            let left = eval(lhs, frame).truth(rows).into_owned();
            Column::Truth(left.and(&eval(rhs, frame).truth(rows)))
        }
        Node::Or(lhs, rhs) => {
            let left = eval(lhs, frame).truth(rows).into_owned();
            Column::Truth(left.or(&eval(rhs, frame).truth(rows)))
        }
        Node::Neg(operand) => unary(&eval(operand, frame), rows, neg),
        Node::Arith(op, lhs, rhs) => arithmetic(*op, &eval(lhs, frame), &eval(rhs, frame), rows),
        Node::Concat(lhs, rhs) => binary(&eval(lhs, frame), &eval(rhs, frame), rows, |a, b| {
            concat(a, b).map(Val::into_value)
        }),
        Node::Compare(op, lhs, rhs) => comparison(*op, &eval(lhs, frame), &eval(rhs, frame), rows),
        Node::In(needle, list) => membership(&eval(needle, frame), list, rows),
        Node::Age(date) => dated(&eval(date, frame), rows, frame.on, DateFn::Age),
        Node::DaysSince(date) => dated(&eval(date, frame), rows, frame.on, DateFn::DaysSince),
        Node::Size(operand) => unary(&eval(operand, frame), rows, size),
    })
}

/// A one-operand operation row by row (a constant operand gives a constant).
fn unary(operand: &Column, rows: usize, op: fn(Val<'_>) -> Option<Val<'static>>) -> Column {
    if let Column::Same(value) = operand {
        return Column::Same(
            value
                .as_ref()
                .and_then(|v| op(Val::of(v)))
                .map(Val::into_value),
        );
    }
    Column::from_values(
        (0..rows)
            .map(|row| operand.get(row).and_then(op).map(Val::into_value))
            .collect(),
    )
}

/// A two-operand operation row by row, unknown when either operand is.
fn binary(
    lhs: &Column,
    rhs: &Column,
    rows: usize,
    op: impl Fn(Val<'_>, Val<'_>) -> Option<Value>,
) -> Column {
    if let (Column::Same(a), Column::Same(b)) = (lhs, rhs) {
        return Column::Same(match (a, b) {
            (Some(a), Some(b)) => op(Val::of(a), Val::of(b)),
            _ => None,
        });
    }
    Column::from_values(
        (0..rows)
            .map(|row| match (lhs.get(row), rhs.get(row)) {
                (Some(a), Some(b)) => op(a, b),
                _ => None,
            })
            .collect(),
    )
}

/// An int column or an int constant, read without going through `Val`.
enum Ints<'c> {
    Each(&'c [Option<i64>]),
    Same(Option<i64>),
}

impl Ints<'_> {
    fn of(column: &Column) -> Option<Ints<'_>> {
        match column {
            Column::Int(ints) => Some(Ints::Each(ints)),
            Column::Same(None) => Some(Ints::Same(None)),
            Column::Same(Some(Value::Int(i))) => Some(Ints::Same(Some(*i))),
            _ => None,
        }
    }

    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Ints::Each(ints) => ints.get(row).copied().flatten(),
            Ints::Same(value) => *value,
        }
    }
}

enum Dates<'c> {
    Each(&'c [Option<NaiveDate>]),
    Same(Option<NaiveDate>),
}

impl Dates<'_> {
    fn of(column: &Column) -> Option<Dates<'_>> {
        match column {
            Column::Date(dates) => Some(Dates::Each(dates)),
            Column::Same(None) => Some(Dates::Same(None)),
            Column::Same(Some(Value::Date(d))) => Some(Dates::Same(Some(*d))),
            _ => None,
        }
    }

    fn get(&self, row: usize) -> Option<NaiveDate> {
        match self {
            Dates::Each(dates) => dates.get(row).copied().flatten(),
            Dates::Same(value) => *value,
        }
    }
}

fn arithmetic(op: Arith, lhs: &Column, rhs: &Column, rows: usize) -> Column {
    let typed = !matches!((lhs, rhs), (Column::Same(_), Column::Same(_)));
    if typed && let (Some(a), Some(b)) = (Ints::of(lhs), Ints::of(rhs)) {
        return Column::Int(
            (0..rows)
                .map(|row| int_arith(op, a.get(row)?, b.get(row)?))
                .collect(),
        );
    }
    binary(lhs, rhs, rows, |a, b| arith(op, a, b).map(Val::into_value))
}

fn holds(op: Compare, ordering: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        Compare::Lt => ordering == Less,
        Compare::Le => ordering != Greater,
        Compare::Gt => ordering == Greater,
        Compare::Ge => ordering != Less,
        Compare::Eq => ordering == Equal,
        Compare::Ne => ordering != Equal,
    }
}

fn comparison(op: Compare, lhs: &Column, rhs: &Column, rows: usize) -> Column {
    if let (Column::Same(_), Column::Same(_)) = (lhs, rhs) {
        return binary(lhs, rhs, rows, |a, b| {
            compare_op(op, &a, &b).map(Value::Bool)
        });
    }
    if let (Some(a), Some(b)) = (Ints::of(lhs), Ints::of(rhs)) {
        return Column::Truth(Truth::from_fn(rows, |row| {
            Some(holds(op, a.get(row)?.cmp(&b.get(row)?)))
        }));
    }
    if let (Some(a), Some(b)) = (Dates::of(lhs), Dates::of(rhs)) {
        return Column::Truth(Truth::from_fn(rows, |row| {
            Some(holds(op, a.get(row)?.cmp(&b.get(row)?)))
        }));
    }
    // An enum against a constant: one answer per declared value, looked up by code.
    match (lhs, rhs) {
        (Column::Enum { codes, values }, Column::Same(Some(constant))) => {
            let table: Vec<Option<bool>> = values
                .iter()
                .map(|v| compare_op(op, &Val::Str(Cow::Borrowed(v)), &Val::of(constant)))
                .collect();
            return Column::Truth(by_code(codes, &table));
        }
        (Column::Same(Some(constant)), Column::Enum { codes, values }) => {
            let table: Vec<Option<bool>> = values
                .iter()
                .map(|v| compare_op(op, &Val::of(constant), &Val::Str(Cow::Borrowed(v))))
                .collect();
            return Column::Truth(by_code(codes, &table));
        }
        _ => {}
    }
    Column::Truth(Truth::from_fn(rows, |row| {
        compare_op(op, &lhs.get(row)?, &rhs.get(row)?)
    }))
}

/// Truths of enum codes from `table` (the answer for each declared value); code 0 and any
/// code outside the table are unknown.
fn by_code(codes: &[u32], table: &[Option<bool>]) -> Truth {
    Truth::from_fn(codes.len(), |row| {
        let code = usize::try_from(codes[row]).ok()?;
        *table.get(code.checked_sub(1)?)?
    })
}

fn membership(needle: &Column, list: &[Value], rows: usize) -> Column {
    match needle {
        Column::Same(value) => Column::Same(
            value
                .as_ref()
                .map(|v| Value::Bool(in_list(&Val::of(v), list))),
        ),
        Column::Enum { codes, values } => {
            let table: Vec<Option<bool>> = values
                .iter()
                .map(|v| Some(in_list(&Val::Str(Cow::Borrowed(v)), list)))
                .collect();
            Column::Truth(by_code(codes, &table))
        }
        other => Column::Truth(Truth::from_fn(rows, |row| {
            other.get(row).map(|v| in_list(&v, list))
        })),
    }
}

#[derive(Clone, Copy)]
enum DateFn {
    Age,
    DaysSince,
}

fn dated(operand: &Column, rows: usize, on: NaiveDate, function: DateFn) -> Column {
    if let Column::Date(dates) = operand {
        return Column::Int(
            dates
                .iter()
                .map(|date| {
                    date.map(|d| match function {
                        DateFn::Age => completed_years(d, on),
                        DateFn::DaysSince => (on - d).num_days(),
                    })
                })
                .collect(),
        );
    }
    let apply = |v: Val<'_>| match function {
        DateFn::Age => age(v, on),
        DateFn::DaysSince => days_since(v, on),
    };
    if let Column::Same(value) = operand {
        return Column::Same(
            value
                .as_ref()
                .and_then(|v| apply(Val::of(v)))
                .map(Val::into_value),
        );
    }
    Column::from_values(
        (0..rows)
            .map(|row| operand.get(row).and_then(apply).map(Val::into_value))
            .collect(),
    )
}

/// A derived fact's column as `Catalog::env` stores it: an int expression feeding a decimal
/// fact holds decimals.
pub(crate) fn as_decimal(column: Column, rows: usize) -> Column {
    let widen = |value: Option<Value>| match value {
        Some(Value::Int(i)) => Some(Value::Decimal(i.into())),
        other => other,
    };
    match column {
        Column::Same(value) => Column::Same(widen(value)),
        Column::Values(values) => Column::Values(values.into_iter().map(widen).collect()),
        Column::Int(ints) => Column::Values(
            ints.into_iter()
                .map(|i| i.map(|i| Value::Decimal(i.into())))
                .collect(),
        ),
        other => Column::Values(
            (0..rows)
                .map(|row| other.get(row).map(Val::into_value))
                .collect(),
        ),
    }
}
