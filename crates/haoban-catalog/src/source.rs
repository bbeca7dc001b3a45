//! Catalog source files and problems located in them as `file:line:col: message`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A file's text with its line starts, to turn byte offsets into 1-based line and column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// Line and column (both 1-based, the column counted in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line + 1, column + 1)
    }

    pub fn problem_at(&self, offset: usize, message: impl Into<String>) -> Problem {
        let (line, column) = self.line_col(offset);
        Problem {
            path: self.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    /// A problem at the start of `span`, or at the top of the file when there is none.
    pub fn problem(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Problem {
        self.problem_at(span.map_or(0, |s| s.start), message)
    }
}

/// One thing wrong with a catalog, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    /// A problem with a whole file or folder (missing, unreadable), reported at 1:1.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Everything wrong with a catalog directory, in the order found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// For each character of a TOML string's value, the byte offset in its raw token
/// (quotes and escapes included) where that character was written, plus one entry for
/// the end. `None` when the token is not a string this understands.
pub fn string_offsets(raw: &str) -> Option<Vec<usize>> {
    let (open, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        return None;
    };
    let close = raw.len().checked_sub(open)?;
    let mut i = open;
    // A newline right after the opening delimiter of a multi-line string is not part of it.
    if open == 3 {
        if raw[i..].starts_with("\r\n") {
            i += 2;
        } else if raw[i..].starts_with('\n') {
            i += 1;
        }
    }
    let mut offsets = Vec::new();
    while i < close {
        let c = raw[i..].chars().next()?;
        if !basic || c != '\\' {
            offsets.push(i);
            i += c.len_utf8();
            continue;
        }
        let escape = raw[i + 1..].chars().next()?;
        let width = match escape {
            'u' => 6,
            'U' => 10,
            c if c.is_whitespace() => {
                // A line-ending backslash swallows the newline and the blanks after it.
                let rest = &raw[i + 1..close];
                let skipped = rest.len() - rest.trim_start().len();
                i += 1 + skipped;
                continue;
            }
            _ => 2,
        };
        offsets.push(i);
        i += width;
    }
    offsets.push(close);
    Some(offsets)
}
