//! The compiled form of a condition and its three-valued evaluator.
//!
//! Names are resolved to fact slots and operators to the operation their checked types
//! call for, so evaluation is a walk over a small tree with no lookups and, outside
//! string joins, no allocation. `None` is the third truth value: unknown.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::decimal::{self, Decimal};
use chrono::{Datelike, NaiveDate};

use crate::value::Value;

/// What a condition is evaluated against: the evaluation date and one value per fact slot
/// (given facts as supplied, derived facts already computed; `None` when unknown).
#[derive(Debug, Clone)]
pub struct Env {
    pub on: NaiveDate,
    pub values: Vec<Option<Value>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Value),
    Fact(usize),
    Has(usize),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Concat(Box<Node>, Box<Node>),
    Compare(Compare, Box<Node>, Box<Node>),
    In(Box<Node>, Box<[Value]>),
    Age(Box<Node>),
    DaysSince(Box<Node>),
    Size(Box<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// A compiled condition together with the fact slots its source mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub node: Node,
    /// Slots of every fact named in the source, without repeats, in order of first mention.
    pub refs: Vec<usize>,
}

impl Program {
    /// The three-valued truth of a bool condition: `Some(true)`, `Some(false)` or unknown.
    pub fn truth(&self, env: &Env) -> Option<bool> {
        match eval(&self.node, env)? {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value of a derive expression, owned so it can be stored in its fact's slot.
    pub fn value(&self, env: &Env) -> Option<Value> {
        eval(&self.node, env).map(Val::into_value)
    }
}

/// A value during evaluation, borrowing strings and lists from the facts or the program.
///
/// Shared with the columnar evaluator (`batch`), which calls the same operations below on
/// each row, so that a scan and a pre-review can never disagree about a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Bool(bool),
    Int(i64),
    Decimal(Cow<'a, Decimal>),
    Str(Cow<'a, str>),
    Date(NaiveDate),
    List(&'a [Value]),
}

impl<'a> Val<'a> {
    pub(crate) fn of(value: &'a Value) -> Val<'a> {
        match value {
            Value::Bool(b) => Val::Bool(*b),
            Value::Int(i) => Val::Int(*i),
            Value::Decimal(d) => Val::Decimal(Cow::Borrowed(d)),
            Value::Str(s) => Val::Str(Cow::Borrowed(s)),
            Value::Date(d) => Val::Date(*d),
            Value::List(items) => Val::List(items),
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            Val::Bool(b) => Value::Bool(b),
            Val::Int(i) => Value::Int(i),
            Val::Decimal(d) => Value::Decimal(d.into_owned()),
            Val::Str(s) => Value::Str(s.into()),
            Val::Date(d) => Value::Date(d),
            Val::List(items) => Value::List(items.into()),
        }
    }

    fn decimal(&self) -> Option<Cow<'_, Decimal>> {
        match self {
            Val::Int(i) => Some(Cow::Owned(Decimal::from(*i))),
            Val::Decimal(d) => Some(Cow::Borrowed(d.as_ref())),
            _ => None,
        }
    }
}

fn eval<'a>(node: &'a Node, env: &'a Env) -> Option<Val<'a>> {
    match node {
        Node::Const(value) => Some(Val::of(value)),
        Node::Fact(slot) => env.values.get(*slot)?.as_ref().map(Val::of),
        Node::Has(slot) => Some(Val::Bool(matches!(env.values.get(*slot), Some(Some(_))))),
        Node::Not(operand) => not(eval(operand, env)?),
        Node::Neg(operand) => neg(eval(operand, env)?),
        Node::And(lhs, rhs) => {
            let left = as_bool(eval(lhs, env));
            if left == Some(false) {
                return Some(Val::Bool(false));
            }
            and(left, as_bool(eval(rhs, env))).map(Val::Bool)
        }
        Node::Or(lhs, rhs) => {
            let left = as_bool(eval(lhs, env));
            if left == Some(true) {
                return Some(Val::Bool(true));
            }
            or(left, as_bool(eval(rhs, env))).map(Val::Bool)
        }
        Node::Arith(op, lhs, rhs) => arith(*op, eval(lhs, env)?, eval(rhs, env)?),
        Node::Concat(lhs, rhs) => concat(eval(lhs, env)?, eval(rhs, env)?),
        Node::Compare(op, lhs, rhs) => {
            compare_op(*op, &eval(lhs, env)?, &eval(rhs, env)?).map(Val::Bool)
        }
        Node::In(needle, list) => Some(Val::Bool(in_list(&eval(needle, env)?, list))),
        Node::Age(date) => age(eval(date, env)?, env.on),
        Node::DaysSince(date) => days_since(eval(date, env)?, env.on),
        Node::Size(operand) => size(eval(operand, env)?),
    }
}

// The operations, one per node kind, on known operands (an unknown operand makes every one
// of them unknown, which the callers handle before calling).

pub(crate) fn not(operand: Val<'_>) -> Option<Val<'static>> {
    match operand {
        Val::Bool(b) => Some(Val::Bool(!b)),
        _ => None,
    }
}

pub(crate) fn neg(operand: Val<'_>) -> Option<Val<'static>> {
    match operand {
        Val::Int(i) => i.checked_neg().map(Val::Int),
        Val::Decimal(d) => Some(Val::Decimal(Cow::Owned(-d.into_owned()))),
        _ => None,
    }
}

/// Kleene's `&&`: false if either side is false, true if both are true, else unknown.
pub(crate) fn and(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene's `||`: true if either side is true, false if both are false, else unknown.
pub(crate) fn or(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

pub(crate) fn concat<'a>(lhs: Val<'a>, rhs: Val<'_>) -> Option<Val<'a>> {
    match (lhs, rhs) {
        (Val::Str(a), Val::Str(b)) => Some(Val::Str(Cow::Owned(a.into_owned() + &b))),
        _ => None,
    }
}

pub(crate) fn compare_op(op: Compare, a: &Val<'_>, b: &Val<'_>) -> Option<bool> {
    let ordering = compare(a, b)?;
    Some(match op {
        Compare::Lt => ordering == Ordering::Less,
        Compare::Le => ordering != Ordering::Greater,
        Compare::Gt => ordering == Ordering::Greater,
        Compare::Ge => ordering != Ordering::Less,
        Compare::Eq => ordering == Ordering::Equal,
        Compare::Ne => ordering != Ordering::Equal,
    })
}

pub(crate) fn in_list(needle: &Val<'_>, list: &[Value]) -> bool {
    list.iter()
        .any(|item| compare(needle, &Val::of(item)) == Some(Ordering::Equal))
}

pub(crate) fn age(date: Val<'_>, on: NaiveDate) -> Option<Val<'static>> {
    match date {
        Val::Date(born) => Some(Val::Int(completed_years(born, on))),
        _ => None,
    }
}

pub(crate) fn days_since(date: Val<'_>, on: NaiveDate) -> Option<Val<'static>> {
    match date {
        Val::Date(day) => Some(Val::Int((on - day).num_days())),
        _ => None,
    }
}

pub(crate) fn size(operand: Val<'_>) -> Option<Val<'static>> {
    match operand {
        Val::Str(s) => i64::try_from(s.chars().count()).ok().map(Val::Int),
        Val::List(items) => i64::try_from(items.len()).ok().map(Val::Int),
        _ => None,
    }
}

pub(crate) fn as_bool(value: Option<Val<'_>>) -> Option<bool> {
    match value? {
        Val::Bool(b) => Some(b),
        _ => None,
    }
}

/// Completed years from `born` to `on`: a birthday on 29 February is reached on 1 March
/// in years without one.
pub fn completed_years(born: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = i64::from(on.year()) - i64::from(born.year());
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// Ordering for comparison and equality. Ints and decimals compare by value; values of
/// types that do not compare with each other give `None` (the checker rules those out).
fn compare(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Int(_) | Val::Decimal(_), Val::Int(_) | Val::Decimal(_)) => {
            Some(a.decimal()?.as_ref().cmp(b.decimal()?.as_ref()))
        }
        (Val::Str(x), Val::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Integer arithmetic stays integral (division truncates toward zero, `%` keeps the sign of
/// the dividend); with a decimal on either side it is exact decimal arithmetic. Overflow and
/// division by zero are unknown rather than errors: a condition never fails at run time.
pub(crate) fn arith(op: Arith, a: Val<'_>, b: Val<'_>) -> Option<Val<'static>> {
    if let (Val::Int(x), Val::Int(y)) = (&a, &b) {
        return int_arith(op, *x, *y).map(Val::Int);
    }
    let (x, y) = (a.decimal()?, b.decimal()?);
    let (x, y) = (x.as_ref(), y.as_ref());
    let result = match op {
        Arith::Add => Some(x + y),
        Arith::Sub => Some(x - y),
        Arith::Mul => Some(x * y),
        Arith::Div => decimal::divide(x, y),
        Arith::Rem => decimal::remainder(x, y),
    };
    result.map(|d| Val::Decimal(Cow::Owned(d)))
}

/// `arith` on two ints.
pub(crate) fn int_arith(op: Arith, x: i64, y: i64) -> Option<i64> {
    match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div => x.checked_div(y),
        // i64::MIN % -1 is 0; only checked_rem's overflow guard says otherwise.
        Arith::Rem if y == -1 => Some(0),
        Arith::Rem => x.checked_rem(y),
    }
}
