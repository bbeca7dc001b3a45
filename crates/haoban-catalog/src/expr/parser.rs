//! Recursive-descent parser for conditions, with CEL's precedence:
//! `!` and unary `-`; `* / %`; `+ -`; `< <= > >= == != in`; `&&`; `||`.

use std::fmt;

use super::ast::{BinaryOp, Expr, ExprKind, Span, UnaryOp};
use super::lexer::{Token, tokenize};

/// Parentheses, unary operators and calls may nest this deep: far beyond any real
/// condition, well inside the stack of a test thread even in a debug build.
const MAX_DEPTH: usize = 64;

/// Trees taller than this are refused, so every recursive walk over them (checking,
/// evaluation, reference collection) stays well inside the stack.
const MAX_HEIGHT: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

impl ParseError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        ParseError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens, pos: 0 };
    if parser.peek() == &Token::End {
        return Err(ParseError::new(parser.span(), "the condition is empty"));
    }
    let expr = parser.expr(0)?;
    if parser.peek() != &Token::End {
        return Err(parser.unexpected("an operator or the end of the condition"));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<(Token, Span)>,
    pos: usize,
}

fn node(kind: ExprKind, span: Span) -> Result<Expr, ParseError> {
    let children = match &kind {
        ExprKind::List(items) => items.iter().map(|e| e.height).max().unwrap_or(0),
        ExprKind::Call { args, .. } => args.iter().map(|e| e.height).max().unwrap_or(0),
        ExprKind::Unary { operand, .. } => operand.height,
        ExprKind::Binary { lhs, rhs, .. } => lhs.height.max(rhs.height),
        ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => 0,
    };
    if children >= MAX_HEIGHT {
        return Err(ParseError::new(
            span,
            format!("the condition is more than {MAX_HEIGHT} operations deep; split it up"),
        ));
    }
    Ok(Expr {
        kind,
        span,
        parenthesised: false,
        height: children + 1,
    })
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].0
    }

    fn span(&self) -> Span {
        self.tokens[self.pos].1
    }

    fn bump(&mut self) -> (Token, Span) {
        let token = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        ParseError::new(
            self.span(),
            format!("expected {expected}, found {}", self.peek().describe()),
        )
    }

    fn guard(&self, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            Err(ParseError::new(
                self.span(),
                format!("the condition is nested more than {MAX_DEPTH} levels deep"),
            ))
        } else {
            Ok(())
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        self.binary(0, depth)
    }

    /// Parses one precedence level (0 = `||`) and everything that binds tighter.
    /// Operators are left-associative; a chain that grows too long counts as depth.
    fn binary(&mut self, level: usize, depth: usize) -> Result<Expr, ParseError> {
        const LEVELS: usize = 5;
        if level == LEVELS {
            return self.unary(depth);
        }
        let mut lhs = self.binary(level + 1, depth)?;
        while let Some(op) = binary_op(self.peek(), level) {
            let (_, op_span) = self.bump();
            let rhs = self.binary(level + 1, depth)?;
            let span = lhs.span.to(rhs.span);
            lhs = node(
                ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            )?;
        }
        Ok(lhs)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        self.guard(depth)?;
        let (op, op_span) = match self.peek() {
            Token::Not => (UnaryOp::Not, self.span()),
            Token::Minus => (UnaryOp::Neg, self.span()),
            _ => return self.primary(depth),
        };
        self.bump();
        if op == UnaryOp::Neg
            && let Some(literal) = self.negative_number(op_span)?
        {
            return Ok(literal);
        }
        let operand = self.unary(depth + 1)?;
        let span = op_span.to(operand.span);
        node(
            ExprKind::Unary {
                op,
                op_span,
                operand: Box::new(operand),
            },
            span,
        )
    }

    /// `-3` is a literal (so that it may stand in a list), not negation applied to 3.
    fn negative_number(&mut self, minus: Span) -> Result<Option<Expr>, ParseError> {
        let text = match self.peek() {
            Token::Int(text) | Token::Decimal(text) => format!("-{text}"),
            _ => return Ok(None),
        };
        let (token, span) = self.bump();
        let kind = number(&token, &text, minus.to(span))?;
        Ok(Some(node(kind, minus.to(span))?))
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let (token, span) = self.bump();
        let kind = match token {
            Token::Int(ref text) | Token::Decimal(ref text) => number(&token, text, span)?,
            Token::Str(text) => ExprKind::Str(text),
            Token::True => ExprKind::Bool(true),
            Token::False => ExprKind::Bool(false),
            Token::Ident(name) if self.peek() == &Token::LParen => {
                self.bump();
                let (args, close) = self.sequence(Token::RParen, "`)`", depth)?;
                return node(
                    ExprKind::Call {
                        function: name,
                        function_span: span,
                        args,
                    },
                    span.to(close),
                );
            }
            Token::Ident(name) => ExprKind::Name(name),
            Token::LParen => {
                let mut inner = self.expr(depth + 1)?;
                if self.peek() != &Token::RParen {
                    return Err(self.unexpected("`)`"));
                }
                let (_, close) = self.bump();
                inner.span = span.to(close);
                inner.parenthesised = true;
                return Ok(inner);
            }
            Token::LBracket => {
                let (items, close) = self.sequence(Token::RBracket, "`]`", depth)?;
                return node(ExprKind::List(items), span.to(close));
            }
            _ => {
                self.pos -= usize::from(token != Token::End);
                return Err(self.unexpected("a value, a fact name, `(` or `[`"));
            }
        };
        node(kind, span)
    }

    /// Comma-separated expressions up to `close` (a trailing comma is allowed).
    fn sequence(
        &mut self,
        close: Token,
        close_text: &str,
        depth: usize,
    ) -> Result<(Vec<Expr>, Span), ParseError> {
        let mut items = Vec::new();
        loop {
            if self.peek() == &close {
                let (_, span) = self.bump();
                return Ok((items, span));
            }
            items.push(self.expr(depth + 1)?);
            match self.peek() {
                Token::Comma => {
                    self.bump();
                }
                t if t == &close => {}
                _ => return Err(self.unexpected(&format!("`,` or {close_text}"))),
            }
        }
    }
}

fn number(token: &Token, text: &str, span: Span) -> Result<ExprKind, ParseError> {
    match token {
        Token::Int(_) => text
            .parse::<i64>()
            .map(ExprKind::Int)
            .map_err(|_| ParseError::new(span, format!("integer `{text}` is out of range"))),
        _ => crate::decimal::parse_exact(text)
            .map(ExprKind::Decimal)
            .ok_or_else(|| {
                ParseError::new(span, format!("decimal `{text}` has more than 60 digits"))
            }),
    }
}

fn binary_op(token: &Token, level: usize) -> Option<BinaryOp> {
    let op = match (level, token) {
        (0, Token::OrOr) => BinaryOp::Or,
        (1, Token::AndAnd) => BinaryOp::And,
        (2, Token::Lt) => BinaryOp::Lt,
        (2, Token::Le) => BinaryOp::Le,
        (2, Token::Gt) => BinaryOp::Gt,
        (2, Token::Ge) => BinaryOp::Ge,
        (2, Token::EqEq) => BinaryOp::Eq,
        (2, Token::Ne) => BinaryOp::Ne,
        (2, Token::In) => BinaryOp::In,
        (3, Token::Plus) => BinaryOp::Add,
        (3, Token::Minus) => BinaryOp::Sub,
        (4, Token::Star) => BinaryOp::Mul,
        (4, Token::Slash) => BinaryOp::Div,
        (4, Token::Percent) => BinaryOp::Rem,
        _ => return None,
    };
    Some(op)
}
