//! Reading catalog TOML with every problem located: unknown keys, missing keys, wrong
//! types and malformed ids become [`Problem`]s, and reading goes on to find the rest.

use std::ops::Range;

use rust_decimal::Decimal;
use toml_edit::{Document, Item, TableLike, Value as TomlValue};

use crate::source::{Problem, SourceFile, string_offsets};
use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Option<Range<usize>>,
}

/// The source of a condition as written in a file: its text, and for each character
/// (plus the end) the byte offset in the file where it stands.
#[derive(Debug, Clone)]
pub struct ExprSource {
    pub text: String,
    pub offsets: Vec<usize>,
}

impl ExprSource {
    pub fn offset_of(&self, char_index: usize) -> usize {
        let last = self.offsets.len().saturating_sub(1);
        self.offsets[char_index.min(last)]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Facts: `[a-z_][a-z0-9_]*`.
    Fact,
    /// Materials, items, categories, bundles: `[a-z0-9][a-z0-9-]*`.
    Thing,
}

pub fn valid_id(id: &str, kind: IdKind) -> bool {
    let mut chars = id.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    match kind {
        IdKind::Fact => {
            (first.is_ascii_lowercase() || first == '_')
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        }
        IdKind::Thing => {
            (first.is_ascii_lowercase() || first.is_ascii_digit())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }
    }
}

pub struct Reader<'a> {
    pub file: &'a SourceFile,
    pub problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a SourceFile, problems: &'a mut Vec<Problem>) -> Self {
        Reader { file, problems }
    }

    pub fn parse(&mut self) -> Option<Document<String>> {
        match Document::parse(self.file.text.clone()) {
            Ok(doc) => Some(doc),
            Err(err) => {
                let detail = err
                    .message()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let message = format!("invalid TOML: {detail}");
                self.report(err.span(), message);
                None
            }
        }
    }

    pub fn report(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.problems.push(self.file.problem(span, message));
    }

    pub fn table<'t>(&mut self, item: &'t Item, what: &str) -> Option<&'t dyn TableLike> {
        let table = item.as_table_like();
        if table.is_none() {
            self.report(item.span(), format!("{what} must be a table"));
        }
        table
    }

    /// Reports every key of `table` that is not in `allowed`.
    pub fn check_keys(&mut self, table: &dyn TableLike, allowed: &[&str], what: &str) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key) {
                let span = table.key(key).and_then(|k| k.span());
                self.report(
                    span,
                    format!(
                        "unknown key `{key}` in {what} (allowed: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    pub fn require<'t>(
        &mut self,
        table: &'t dyn TableLike,
        at: Option<Range<usize>>,
        key: &str,
        what: &str,
    ) -> Option<&'t Item> {
        let item = table.get(key).filter(|item| !item.is_none());
        if item.is_none() {
            self.report(at, format!("{what} is missing the required key `{key}`"));
        }
        item
    }

    pub fn string(&mut self, item: &Item, what: &str) -> Option<Spanned<String>> {
        match item.as_str() {
            Some(s) => Some(Spanned {
                value: s.to_owned(),
                span: item.span(),
            }),
            None => {
                self.report(item.span(), format!("{what} must be a string"));
                None
            }
        }
    }

    pub fn bool(&mut self, item: &Item, what: &str) -> Option<bool> {
        let value = item.as_bool();
        if value.is_none() {
            self.report(item.span(), format!("{what} must be true or false"));
        }
        value
    }

    /// A whole number from 0 to `u32::MAX`.
    pub fn count(&mut self, item: &Item, what: &str) -> Option<u32> {
        let value = item.as_integer().and_then(|i| u32::try_from(i).ok());
        if value.is_none() {
            self.report(
                item.span(),
                format!("{what} must be a whole number, 0 or more"),
            );
        }
        value
    }

    /// A number read exactly from how it is written (`2.1` is 2.1, not a binary fraction).
    pub fn decimal(&mut self, item: &Item, what: &str) -> Option<Decimal> {
        let raw = item
            .span()
            .and_then(|span| self.file.text.get(span))
            .filter(|_| item.is_integer() || item.is_float())
            .map(|raw| raw.replace('_', ""));
        let value = raw.and_then(|raw| {
            let raw = raw.trim_start_matches('+');
            if raw.contains(['e', 'E']) {
                Decimal::from_scientific(raw).ok()
            } else {
                Decimal::from_str_exact(raw).ok()
            }
        });
        if value.is_none() {
            self.report(item.span(), format!("{what} must be a number"));
        }
        value
    }

    pub fn string_list(&mut self, item: &Item, what: &str) -> Option<Vec<Spanned<String>>> {
        let Some(array) = item.as_array() else {
            self.report(item.span(), format!("{what} must be a list of strings"));
            return None;
        };
        let mut out = Vec::with_capacity(array.len());
        for value in array.iter() {
            match value.as_str() {
                Some(s) => out.push(Spanned {
                    value: s.to_owned(),
                    span: value.span(),
                }),
                None => self.report(value.span(), format!("{what} must hold only strings")),
            }
        }
        Some(out)
    }

    /// A text shown to people: `{ zh = "…", en = "…" }`, Chinese required.
    pub fn text(&mut self, item: &Item, what: &str) -> Option<Text> {
        let table = self.table(item, what)?;
        self.check_keys(table, &["zh", "en"], what);
        let zh_item = self.require(table, item.span(), "zh", what)?;
        let zh = self.string(zh_item, &format!("{what}.zh"))?;
        if zh.value.trim().is_empty() {
            self.report(zh.span, format!("{what}.zh must not be empty"));
        }
        let en = match table.get("en") {
            Some(en) => Some(self.string(en, &format!("{what}.en"))?.value),
            None => None,
        };
        Some(Text { zh: zh.value, en })
    }

    pub fn id(&mut self, id: &Spanned<String>, kind: IdKind, what: &str) -> bool {
        let ok = valid_id(&id.value, kind);
        if !ok {
            let pattern = match kind {
                IdKind::Fact => "[a-z_][a-z0-9_]*",
                IdKind::Thing => "[a-z0-9][a-z0-9-]*",
            };
            self.report(
                id.span.clone(),
                format!("{what} id `{}` must match {pattern}", id.value),
            );
        }
        ok
    }

    /// A condition written as a TOML string, with where each of its characters stands.
    pub fn expression(&mut self, item: &Item, what: &str) -> Option<ExprSource> {
        let text = self.string(item, what)?.value;
        let span = item.span().unwrap_or(0..0);
        let raw = self.file.text.get(span.clone()).unwrap_or_default();
        let offsets = string_offsets(raw)
            .filter(|offsets| offsets.len() == text.chars().count() + 1)
            .map(|offsets| offsets.into_iter().map(|o| span.start + o).collect())
            // Should the token be written in a way the mapping does not follow, point
            // every character at the string's start rather than somewhere wrong.
            .unwrap_or_else(|| vec![span.start; text.chars().count() + 1]);
        Some(ExprSource { text, offsets })
    }
}

/// The span of a table-like item for "missing key" reports: its header or inline braces.
pub fn item_span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Table(t) => t.span(),
        Item::Value(TomlValue::InlineTable(t)) => t.span(),
        other => other.span(),
    }
}
