//! CSV as RFC 4180 writes it: cells separated by `,`, records ended by `\n` or `\r\n`, a
//! cell in double quotes may hold commas, quotes (doubled) and line breaks.
//!
//! Two readers share one state machine: [`Splitter`] only finds where records end (the
//! reading thread cuts the input into chunks with it, resuming across reads), and
//! [`read_record`] splits one record into cells (the worker threads). A quote inside an
//! unquoted cell, text after a closing quote and a quote never closed make the record bad;
//! they never make either reader lose its place, and both agree on where records end
//! (a test holds them to it).

/// Where the reader is within a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell.
    CellStart,
    /// Inside a cell that did not start with a quote.
    Unquoted,
    /// Inside a quoted cell.
    Quoted,
    /// Just after a quote inside a quoted cell: either the cell's end or the first of `""`.
    QuoteInQuoted,
}

/// What is wrong with a record's CSV (its cells are then not read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvProblem {
    /// Cell number (from 1) with a `"` that does not start it.
    QuoteInUnquotedCell(usize),
    /// Cell number (from 1) with text after its closing quote.
    TextAfterClosingQuote(usize),
    /// A quoted cell that is never closed: the record runs to the end of the input.
    UnclosedQuote(usize),
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvProblem::QuoteInUnquotedCell(cell) => write!(
                f,
                "cell {cell} has a double quote but does not start with one (write it as \"...\"\"...\")"
            ),
            CsvProblem::TextAfterClosingQuote(cell) => {
                write!(f, "cell {cell} has text after its closing double quote")
            }
            CsvProblem::UnclosedQuote(cell) => write!(
                f,
                "cell {cell} opens a double quote that is never closed: the rest of the file was read as this one row"
            ),
        }
    }
}

/// Finds the ends of records, resuming where it stopped when the input ran out mid-record.
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    state: State,
    /// Where the record being scanned starts.
    start: usize,
    /// The next byte to look at.
    at: usize,
    /// Line breaks inside the record so far (quoted ones) and its terminator.
    newlines: u64,
}

/// A record found by the splitter: it ends before `end` (terminator included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) end: usize,
    pub(crate) newlines: u64,
}

impl Splitter {
    pub(crate) fn new(start: usize) -> Splitter {
        Splitter {
            state: State::CellStart,
            start,
            at: start,
            newlines: 0,
        }
    }

    /// The end of the record being scanned in `bytes`, and the splitter set to the next
    /// one; `None` when `bytes` stops mid-record and more may come (`eof` false). At the end
    /// of the input the last record ends there, terminated or not; `None` when there is no
    /// record left.
    pub(crate) fn next(&mut self, bytes: &[u8], eof: bool) -> Option<Found> {
        // Whole spans at a time: outside quotes only a line break or a quote matters, inside
        // them only the next quote.
        while self.at < bytes.len() {
            let rest = &bytes[self.at..];
            match self.state {
                State::Quoted => match rest.iter().position(|&b| b == b'"') {
                    Some(offset) => {
                        self.newlines += line_breaks(&rest[..offset]);
                        self.at += offset + 1;
                        self.state = State::QuoteInQuoted;
                    }
                    None => {
                        self.newlines += line_breaks(rest);
                        self.at = bytes.len();
                    }
                },
                State::QuoteInQuoted if rest[0] == b'"' => {
                    self.at += 1;
                    self.state = State::Quoted;
                }
                _ => match rest.iter().position(|&b| b == b'\n' || b == b'"') {
                    Some(offset) => {
                        let at = self.at + offset;
                        if bytes[at] == b'\n' {
                            return Some(self.finish(at + 1, true));
                        }
                        // A quote opens a quoted cell only where a cell starts.
                        let cell_start = at == self.start || bytes[at - 1] == b',';
                        self.state = if cell_start {
                            State::Quoted
                        } else {
                            State::Unquoted
                        };
                        self.at = at + 1;
                    }
                    None => {
                        self.state = State::Unquoted;
                        self.at = bytes.len();
                    }
                },
            }
        }
        if !eof {
            return None;
        }
        // Nothing left at all: no record (the previous one's terminator was the last byte).
        if self.at == self.start {
            return None;
        }
        Some(self.finish(bytes.len(), false))
    }

    fn finish(&mut self, end: usize, line_break: bool) -> Found {
        let found = Found {
            end,
            newlines: self.newlines + u64::from(line_break),
        };
        self.state = State::CellStart;
        self.start = end;
        self.at = end;
        self.newlines = 0;
        found
    }

    /// Moves the splitter back by `by` bytes, for when the bytes before it were handed off.
    pub(crate) fn shift(&mut self, by: usize) {
        self.start = self.start.saturating_sub(by);
        self.at = self.at.saturating_sub(by);
    }
}

/// The cells of one record: byte ranges into the record's own bytes when it has no quoted
/// cell (read in place, nothing copied), else into `text`, where quoted cells are unescaped.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    text: Vec<u8>,
    in_text: bool,
    ranges: Vec<(usize, usize)>,
    /// Where the cell being read starts in `text`.
    cell_start: usize,
}

impl Cells {
    pub(crate) fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Cell `index` of the record read from `source` (the bytes given to [`read_record`]).
    pub(crate) fn get<'a>(&'a self, source: &'a [u8], index: usize) -> &'a [u8] {
        let Some(&(start, end)) = self.ranges.get(index) else {
            return &[];
        };
        let from = if self.in_text { &self.text[..] } else { source };
        from.get(start..end).unwrap_or_default()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ranges.clear();
        self.cell_start = 0;
    }

    fn end_cell(&mut self) {
        self.ranges.push((self.cell_start, self.text.len()));
        self.cell_start = self.text.len();
    }
}

/// One record read by [`read_record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// Where the next record starts.
    pub(crate) end: usize,
    /// Line breaks in the record, its terminator included.
    pub(crate) newlines: u64,
    /// Nothing but a line break: not a row at all.
    pub(crate) blank: bool,
    pub(crate) problem: Option<CsvProblem>,
}

/// Reads the record starting at `start` (before `bytes.len()`) into `cells`. The input is
/// complete (a chunk holds whole records), so the record ends at a terminator or at the end.
pub(crate) fn read_record(bytes: &[u8], start: usize, cells: &mut Cells) -> Record {
    cells.clear();
    cells.in_text = false;
    // Most records have no quote: their cells are the bytes between commas, read in place
    // in one pass. At the first quote the record is read again, byte by meaningful byte.
    let mut cell_start = start;
    let mut at = start;
    let line_end = loop {
        match bytes.get(at) {
            None => break None,
            Some(b'\n') => break Some(at),
            Some(b',') => {
                cells.ranges.push((cell_start, at));
                cell_start = at + 1;
            }
            Some(b'"') => {
                cells.clear();
                return read_quoted_record(bytes, start, cells);
            }
            Some(_) => {}
        }
        at += 1;
    };
    let (end, newlines) = match line_end {
        Some(at) => (at + 1, 1),
        None => (bytes.len(), 0),
    };
    // A carriage return before the line break (or the end) is the terminator's.
    let mut content_end = line_end.unwrap_or(bytes.len());
    if content_end > cell_start && bytes[content_end - 1] == b'\r' {
        content_end -= 1;
    }
    cells.ranges.push((cell_start, content_end));
    Record {
        end,
        newlines,
        blank: content_end == start,
        problem: None,
    }
}

/// A record with a quote somewhere: read byte by meaningful byte, quoted cells unescaped
/// into the cells' own text.
fn read_quoted_record(bytes: &[u8], start: usize, cells: &mut Cells) -> Record {
    cells.in_text = true;
    let mut state = State::CellStart;
    let mut problem = None;
    let mut newlines = 0;
    let mut at = start;
    let end = loop {
        let rest = bytes.get(at..).unwrap_or_default();
        if state == State::Quoted {
            // The quoted text, up to the next quote.
            let Some(offset) = rest.iter().position(|&b| b == b'"') else {
                newlines += line_breaks(rest);
                cells.text.extend_from_slice(rest);
                problem.get_or_insert(CsvProblem::UnclosedQuote(cells.len() + 1));
                break bytes.len();
            };
            newlines += line_breaks(&rest[..offset]);
            cells.text.extend_from_slice(&rest[..offset]);
            at += offset + 1;
            state = State::QuoteInQuoted;
            continue;
        }
        // Unquoted text, up to the next byte that means something.
        let text = rest
            .iter()
            .position(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        if text > 0 {
            if state == State::QuoteInQuoted {
                problem.get_or_insert(CsvProblem::TextAfterClosingQuote(cells.len() + 1));
            }
            cells.text.extend_from_slice(&rest[..text]);
            state = State::Unquoted;
            at += text;
        }
        let Some(&byte) = bytes.get(at) else {
            break bytes.len();
        };
        at += 1;
        match byte {
            b'\n' => {
                newlines += 1;
                break at;
            }
            b'\r' if matches!(bytes.get(at), Some(b'\n') | None) => {
                if bytes.get(at).is_some() {
                    newlines += 1;
                    at += 1;
                }
                break at;
            }
            b',' => {
                cells.end_cell();
                state = State::CellStart;
            }
            b'"' => match state {
                State::CellStart => state = State::Quoted,
                State::QuoteInQuoted => {
                    cells.text.push(b'"');
                    state = State::Quoted;
                }
                _ => {
                    problem.get_or_insert(CsvProblem::QuoteInUnquotedCell(cells.len() + 1));
                    cells.text.push(b'"');
                }
            },
            other => {
                // A carriage return that ends nothing is text.
                if state == State::QuoteInQuoted {
                    problem.get_or_insert(CsvProblem::TextAfterClosingQuote(cells.len() + 1));
                }
                cells.text.push(other);
                state = State::Unquoted;
            }
        }
    };
    cells.end_cell();
    Record {
        end,
        newlines,
        // It has a quote: a cell was written, if only as "".
        blank: false,
        problem,
    }
}

fn line_breaks(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// `text` as one CSV cell: quoted when it holds a comma, a quote or a line break.
pub fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cells_of(text: &str) -> (Vec<String>, Record) {
        let mut cells = Cells::default();
        let record = read_record(text.as_bytes(), 0, &mut cells);
        let list = (0..cells.len())
            .map(|i| String::from_utf8_lossy(cells.get(text.as_bytes(), i)).into_owned())
            .collect();
        (list, record)
    }

    #[test]
    fn reads_quoted_cells_with_commas_quotes_and_line_breaks() {
        let (cells, record) = cells_of("a,\"b,c\",\"say \"\"hi\"\"\",\"two\r\nlines\",\r\nnext");
        assert_eq!(cells, ["a", "b,c", "say \"hi\"", "two\r\nlines", ""]);
        assert_eq!(
            record.end,
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\r\nlines\",\r\n".len()
        );
        assert_eq!(record.newlines, 2);
        assert_eq!(record.problem, None);
    }

    #[test]
    fn names_what_is_wrong_with_a_record() {
        assert_eq!(
            cells_of("a,b\"c\n").1.problem,
            Some(CsvProblem::QuoteInUnquotedCell(2))
        );
        assert_eq!(
            cells_of("\"a\"b,c\n").1.problem,
            Some(CsvProblem::TextAfterClosingQuote(1))
        );
        assert_eq!(
            cells_of("a,\"b\nc\n").1.problem,
            Some(CsvProblem::UnclosedQuote(2))
        );
        assert!(cells_of("\r\n").1.blank);
        assert!(!cells_of("\"\"\n").1.blank);
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("110105"), "110105");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    /// Record ends by the splitter, fed in pieces of `step` bytes.
    fn split(bytes: &[u8], step: usize) -> Vec<(usize, u64)> {
        let mut ends = Vec::new();
        let mut splitter = Splitter::new(0);
        let mut available = 0;
        loop {
            let eof = available >= bytes.len();
            match splitter.next(&bytes[..available], eof) {
                Some(found) => ends.push((found.end, found.newlines)),
                None if eof => return ends,
                None => available = (available + step).min(bytes.len()),
            }
        }
    }

    proptest! {
        /// A record without quotes read in place has the cells, end and lines the
        /// byte-by-byte reader gives it; it is blank when it is only a line break.
        #[test]
        fn plain_records_read_in_place_as_byte_by_byte(
            bytes in prop::collection::vec(prop::sample::select(b"a,\r\n".to_vec()), 1..40),
        ) {
            let (mut fast, mut slow) = (Cells::default(), Cells::default());
            let mut at = 0;
            while at < bytes.len() {
                let read = read_record(&bytes, at, &mut fast);
                slow.clear();
                let reference = read_quoted_record(&bytes, at, &mut slow);
                prop_assert_eq!((read.end, read.newlines, read.problem), (reference.end, reference.newlines, reference.problem));
                let cells = |c: &Cells| (0..c.len()).map(|i| c.get(&bytes, i).to_vec()).collect::<Vec<_>>();
                prop_assert_eq!(cells(&fast), cells(&slow));
                let line = &bytes[at..read.end];
                let blank = line == b"\n" || line == b"\r\n" || line == b"\r";
                prop_assert_eq!(read.blank, blank);
                at = read.end;
            }
        }

        /// The splitter (resuming across reads of any size) and the record reader agree on
        /// where every record ends and how many lines it spans, whatever the bytes.
        #[test]
        fn splitter_and_reader_agree(
            bytes in prop::collection::vec(prop::sample::select(b"a,\"\r\n".to_vec()), 0..60),
            step in 1usize..8,
        ) {
            let mut expected = Vec::new();
            let mut cells = Cells::default();
            let mut at = 0;
            while at < bytes.len() {
                let record = read_record(&bytes, at, &mut cells);
                prop_assert!(record.end > at);
                expected.push((record.end, record.newlines));
                at = record.end;
            }
            prop_assert_eq!(split(&bytes, step), expected);
        }
    }
}
