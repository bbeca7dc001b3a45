//! Name resolution and type checking, producing the compiled [`Program`].
//!
//! Errors carry the span of the offending place: the unknown name, the operator whose
//! operand types do not fit, the function called wrongly, or the literal that is not
//! among an enum's values. A subtree with an error is not reported on again by its
//! parents, so one mistake gives one message.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use super::ast::{BinaryOp, Expr, ExprKind, Span, UnaryOp};
use super::compiled::{Arith, Compare, Node, Program};
use crate::value::{Value, parse_date};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Int,
    Decimal,
    Str,
    Date,
    /// An enum fact's type, with its declared values.
    Enum(Arc<[String]>),
    /// A list literal's type; `None` for the empty list.
    List(Option<Box<Type>>),
}

impl Type {
    fn is_number(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Str => f.write_str("string"),
            Type::Date => f.write_str("date"),
            Type::Enum(values) => write!(f, "enum ({})", values.join(", ")),
            Type::List(None) => f.write_str("empty list"),
            Type::List(Some(element)) => write!(f, "list of {element}"),
        }
    }
}

/// What the checker knows of a fact: its type. Its slot is its position in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactSignature {
    pub ty: Type,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    pub span: Span,
    pub message: String,
}

/// A subtree already reported as wrong; parents stay quiet about it.
struct Reported;

type Checked = Result<(Node, Type), Reported>;

pub struct Checker<'a> {
    facts: &'a IndexMap<String, FactSignature>,
}

impl<'a> Checker<'a> {
    pub fn new(facts: &'a IndexMap<String, FactSignature>) -> Self {
        Checker { facts }
    }

    /// Checks `expr` and compiles it; on failure returns every independent error found.
    pub fn check(&self, expr: &Expr) -> Result<(Program, Type), Vec<CheckError>> {
        let mut errors = Vec::new();
        match self.expr(expr, &mut errors) {
            Ok((node, ty)) if errors.is_empty() => Ok((
                Program {
                    node,
                    refs: self.refs(expr),
                },
                ty,
            )),
            _ => Err(errors),
        }
    }

    /// The slot of a declared fact.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.facts.get_index_of(name)
    }

    /// Slots of the facts `expr` names, in order of first mention, without repeats.
    pub fn refs(&self, expr: &Expr) -> Vec<usize> {
        let mut slots = Vec::new();
        for (name, _) in expr.names() {
            if let Some(slot) = self.facts.get_index_of(name)
                && !slots.contains(&slot)
            {
                slots.push(slot);
            }
        }
        slots
    }

    fn expr(&self, expr: &Expr, errors: &mut Vec<CheckError>) -> Checked {
        match &expr.kind {
            ExprKind::Int(i) => Ok((Node::Const(Value::Int(*i)), Type::Int)),
            ExprKind::Decimal(d) => Ok((Node::Const(Value::Decimal(d.clone())), Type::Decimal)),
            ExprKind::Str(s) => Ok((Node::Const(Value::Str(s.as_str().into())), Type::Str)),
            ExprKind::Bool(b) => Ok((Node::Const(Value::Bool(*b)), Type::Bool)),
            ExprKind::Name(name) => match self.facts.get_full(name.as_str()) {
                Some((slot, _, signature)) => Ok((Node::Fact(slot), signature.ty.clone())),
                None => fail(errors, expr.span, format!("unknown fact `{name}`")),
            },
            ExprKind::List(items) => self.list(items, errors),
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => {
                let (node, ty) = self.expr(operand, errors)?;
                match (op, &ty) {
                    (UnaryOp::Not, Type::Bool) => Ok((Node::Not(Box::new(node)), Type::Bool)),
                    (UnaryOp::Neg, Type::Int | Type::Decimal) => {
                        Ok((Node::Neg(Box::new(node)), ty))
                    }
                    (UnaryOp::Not, _) => {
                        fail(errors, *op_span, format!("`!` needs a bool, found {ty}"))
                    }
                    (UnaryOp::Neg, _) => fail(
                        errors,
                        *op_span,
                        format!("unary `-` needs a number, found {ty}"),
                    ),
                }
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                let left = self.expr(lhs, errors);
                let right = self.expr(rhs, errors);
                let ((l, lt), (r, rt)) = (left?, right?);
                self.binary(*op, *op_span, (l, lt, lhs), (r, rt, rhs), errors)
            }
            ExprKind::Call {
                function,
                function_span,
                args,
            } => self.call(function, *function_span, args, errors),
        }
    }

    fn binary(
        &self,
        op: BinaryOp,
        op_span: Span,
        (l, lt, lhs): (Node, Type, &Expr),
        (r, rt, rhs): (Node, Type, &Expr),
        errors: &mut Vec<CheckError>,
    ) -> Checked {
        let (lb, rb) = (Box::new(l), Box::new(r));
        let numeric = || {
            if lt == Type::Int && rt == Type::Int {
                Type::Int
            } else {
                Type::Decimal
            }
        };
        let checked = match op {
            BinaryOp::And if lt == Type::Bool && rt == Type::Bool => {
                Some((Node::And(lb, rb), Type::Bool))
            }
            BinaryOp::Or if lt == Type::Bool && rt == Type::Bool => {
                Some((Node::Or(lb, rb), Type::Bool))
            }
            BinaryOp::Add if lt == Type::Str && rt == Type::Str => {
                Some((Node::Concat(lb, rb), Type::Str))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
                if lt.is_number() && rt.is_number() =>
            {
                Some((Node::Arith(arith(op), lb, rb), numeric()))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
                if (lt.is_number() && rt.is_number())
                    || (lt == Type::Str && rt == Type::Str)
                    || (lt == Type::Date && rt == Type::Date) =>
            {
                Some((Node::Compare(compare(op), lb, rb), Type::Bool))
            }
            BinaryOp::Eq | BinaryOp::Ne if self.equatable(&lt, lhs, &rt, rhs, errors)? => {
                Some((Node::Compare(compare(op), lb, rb), Type::Bool))
            }
            BinaryOp::In => {
                return self.membership(op_span, (*lb, lt), (rhs, rt), errors);
            }
            _ => None,
        };
        match checked {
            Some(result) => Ok(result),
            None => {
                errors.push(CheckError {
                    span: op_span,
                    message: format!("`{}` cannot be applied to {lt} and {rt}", op.symbol()),
                });
                Err(Reported)
            }
        }
    }

    /// Whether `==`/`!=` may compare these types. An enum compares with strings, and a
    /// string literal compared with an enum must be one of its declared values.
    fn equatable(
        &self,
        lt: &Type,
        lhs: &Expr,
        rt: &Type,
        rhs: &Expr,
        errors: &mut Vec<CheckError>,
    ) -> Result<bool, Reported> {
        Ok(match (lt, rt) {
            (a, b) if a.is_number() && b.is_number() => true,
            (Type::Bool, Type::Bool) | (Type::Str, Type::Str) | (Type::Date, Type::Date) => true,
            (Type::Enum(a), Type::Enum(b)) => a == b,
            (Type::Enum(values), Type::Str) => {
                enum_literal(values, rhs, errors)?;
                true
            }
            (Type::Str, Type::Enum(values)) => {
                enum_literal(values, lhs, errors)?;
                true
            }
            _ => false,
        })
    }

    fn membership(
        &self,
        op_span: Span,
        (needle, nt): (Node, Type),
        (list, lt): (&Expr, Type),
        errors: &mut Vec<CheckError>,
    ) -> Checked {
        let fits = match (&nt, &lt) {
            (Type::List(_), _) => false,
            (_, Type::List(None)) => true,
            (Type::Enum(values), Type::List(Some(element))) if **element == Type::Str => {
                if let ExprKind::List(items) = &list.kind {
                    let mut all_declared = true;
                    for item in items {
                        all_declared &= enum_literal(values, item, errors).is_ok();
                    }
                    if !all_declared {
                        return Err(Reported);
                    }
                }
                true
            }
            (a, Type::List(Some(element))) => {
                (a.is_number() && element.is_number()) || **element == *a
            }
            _ => false,
        };
        let constant = match &list.kind {
            ExprKind::List(_) => self.list_values(list),
            _ => None,
        };
        match constant {
            Some(values) if fits => Ok((Node::In(Box::new(needle), values.into()), Type::Bool)),
            _ => {
                errors.push(CheckError {
                    span: op_span,
                    message: format!("`in` cannot look up {nt} in {lt}"),
                });
                Err(Reported)
            }
        }
    }

    fn list(&self, items: &[Expr], errors: &mut Vec<CheckError>) -> Checked {
        let mut element: Option<Type> = None;
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let Some(value) = literal_value(item) else {
                errors.push(CheckError {
                    span: item.span,
                    message: "list elements must be literals".to_owned(),
                });
                return Err(Reported);
            };
            let ty = value_type(&value);
            element = match element {
                None => Some(ty),
                Some(seen) if seen == ty => Some(seen),
                Some(seen) if seen.is_number() && ty.is_number() => Some(Type::Decimal),
                Some(seen) => {
                    errors.push(CheckError {
                        span: item.span,
                        message: format!("list elements must have one type: {ty} after {seen}"),
                    });
                    return Err(Reported);
                }
            };
            values.push(value);
        }
        Ok((
            Node::Const(Value::List(values.into())),
            Type::List(element.map(Box::new)),
        ))
    }

    fn list_values(&self, list: &Expr) -> Option<Vec<Value>> {
        match &list.kind {
            ExprKind::List(items) => items.iter().map(literal_value).collect(),
            _ => None,
        }
    }

    fn call(
        &self,
        function: &str,
        function_span: Span,
        args: &[Expr],
        errors: &mut Vec<CheckError>,
    ) -> Checked {
        let known = ["age", "days_since", "has", "size", "date"];
        if !known.contains(&function) {
            return fail(
                errors,
                function_span,
                format!(
                    "unknown function `{function}` (known: {})",
                    known.join(", ")
                ),
            );
        }
        let [arg] = args else {
            return fail(
                errors,
                function_span,
                format!("`{function}` takes one argument, found {}", args.len()),
            );
        };
        match function {
            "has" => match &arg.kind {
                ExprKind::Name(name) => match self.facts.get_index_of(name.as_str()) {
                    Some(slot) => Ok((Node::Has(slot), Type::Bool)),
                    None => fail(errors, arg.span, format!("unknown fact `{name}`")),
                },
                _ => fail(
                    errors,
                    function_span,
                    "`has` takes a bare fact name".to_owned(),
                ),
            },
            "date" => match &arg.kind {
                ExprKind::Str(text) => match parse_date(text) {
                    Some(day) => Ok((Node::Const(Value::Date(day)), Type::Date)),
                    None => fail(
                        errors,
                        arg.span,
                        format!("`{text}` is not a real date written YYYY-MM-DD"),
                    ),
                },
                _ => fail(
                    errors,
                    function_span,
                    "`date` takes a string literal such as date(\"2026-01-01\")".to_owned(),
                ),
            },
            _ => {
                let (node, ty) = self.expr(arg, errors)?;
                let operand = Box::new(node);
                match (function, &ty) {
                    ("age", Type::Date) => Ok((Node::Age(operand), Type::Int)),
                    ("days_since", Type::Date) => Ok((Node::DaysSince(operand), Type::Int)),
                    ("size", Type::Str | Type::List(_)) => Ok((Node::Size(operand), Type::Int)),
                    ("size", _) => fail(
                        errors,
                        function_span,
                        format!("`size` takes a string or a list, found {ty}"),
                    ),
                    _ => fail(
                        errors,
                        function_span,
                        format!("`{function}` takes a date, found {ty}"),
                    ),
                }
            }
        }
    }
}

/// Reports a string literal that is not among an enum's declared values. Expressions
/// that are not literals cannot be known before evaluation and pass.
fn enum_literal(
    values: &[String],
    expr: &Expr,
    errors: &mut Vec<CheckError>,
) -> Result<(), Reported> {
    match &expr.kind {
        ExprKind::Str(text) if !values.iter().any(|v| v == text) => {
            errors.push(CheckError {
                span: expr.span,
                message: format!(
                    "\"{text}\" is not a value of this enum fact (declared: {})",
                    values.join(", ")
                ),
            });
            Err(Reported)
        }
        _ => Ok(()),
    }
}

/// The value of a literal: a number (possibly negative), string, bool or `date("…")`.
fn literal_value(expr: &Expr) -> Option<Value> {
    match &expr.kind {
        ExprKind::Int(i) => Some(Value::Int(*i)),
        ExprKind::Decimal(d) => Some(Value::Decimal(d.clone())),
        ExprKind::Str(s) => Some(Value::Str(s.as_str().into())),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Call { function, args, .. } if function == "date" => match args.as_slice() {
            [
                Expr {
                    kind: ExprKind::Str(text),
                    ..
                },
            ] => parse_date(text).map(Value::Date),
            _ => None,
        },
        _ => None,
    }
}

fn value_type(value: &Value) -> Type {
    match value {
        Value::Bool(_) => Type::Bool,
        Value::Int(_) => Type::Int,
        Value::Decimal(_) => Type::Decimal,
        Value::Str(_) => Type::Str,
        Value::Date(_) => Type::Date,
        Value::List(_) => Type::List(None),
    }
}

fn arith(op: BinaryOp) -> Arith {
    match op {
        BinaryOp::Add => Arith::Add,
        BinaryOp::Sub => Arith::Sub,
        BinaryOp::Mul => Arith::Mul,
        BinaryOp::Div => Arith::Div,
        _ => Arith::Rem,
    }
}

fn compare(op: BinaryOp) -> Compare {
    match op {
        BinaryOp::Lt => Compare::Lt,
        BinaryOp::Le => Compare::Le,
        BinaryOp::Gt => Compare::Gt,
        BinaryOp::Ge => Compare::Ge,
        BinaryOp::Eq => Compare::Eq,
        _ => Compare::Ne,
    }
}

fn fail(errors: &mut Vec<CheckError>, span: Span, message: String) -> Checked {
    errors.push(CheckError { span, message });
    Err(Reported)
}
