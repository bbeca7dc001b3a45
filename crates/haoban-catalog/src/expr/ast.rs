//! Syntax tree of a condition, with spans counted in characters of the condition's source.

use crate::decimal::Decimal;

/// A half-open range of character offsets in the condition's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// Covers the node's tokens, including its parentheses when it was written in some.
    pub span: Span,
    pub parenthesised: bool,
    /// Levels of nodes from here down (a leaf is 1); the parser bounds it.
    pub height: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Decimal(Decimal),
    Str(String),
    Bool(bool),
    Name(String),
    List(Vec<Expr>),
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        function: String,
        function_span: Span,
        args: Vec<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    In,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::In => "in",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

impl Expr {
    /// The top-level `&&` conjuncts, in source order. Parentheses stop the split
    /// because a parenthesised expression is a single node here.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        fn walk<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
            match &expr.kind {
                ExprKind::Binary {
                    op: BinaryOp::And,
                    lhs,
                    rhs,
                    ..
                } if !expr.parenthesised => {
                    walk(lhs, out);
                    walk(rhs, out);
                }
                _ => out.push(expr),
            }
        }
        walk(self, &mut out);
        out
    }

    /// Every fact name the expression mentions, in order of first appearance.
    pub fn names(&self) -> Vec<(&str, Span)> {
        let mut out = Vec::new();
        self.visit_names(&mut |name, span| out.push((name, span)));
        out
    }

    fn visit_names<'a>(&'a self, f: &mut impl FnMut(&'a str, Span)) {
        match &self.kind {
            ExprKind::Name(name) => f(name, self.span),
            ExprKind::List(items) => items.iter().for_each(|e| e.visit_names(f)),
            ExprKind::Unary { operand, .. } => operand.visit_names(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.visit_names(f);
                rhs.visit_names(f);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.visit_names(f)),
            ExprKind::Int(_) | ExprKind::Decimal(_) | ExprKind::Str(_) | ExprKind::Bool(_) => {}
        }
    }
}
