//! The condition language: a subset of CEL used by `eligible`, `when` and `derive`.
//!
//! Source text goes through [`parser::parse`] into an [`ast::Expr`] that keeps the
//! character span of every node, then [`check`] resolves names against the declared
//! facts, checks types and produces a [`compiled::Program`]: the form that pre-review
//! and batch eligibility evaluate.

pub mod ast;
pub mod check;
pub mod compiled;
mod lexer;
pub mod parser;

pub use ast::{Expr, Span};
pub use check::{CheckError, Checker, FactSignature, Type};
pub use compiled::{Env, Program};
pub use parser::{ParseError, parse};
