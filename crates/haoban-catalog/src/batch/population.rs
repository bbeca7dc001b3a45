//! Reading a population registry: a CSV file with a header row, one row per resident.
//!
//! Column `id` is the resident's id; every other column is a given fact by name. The header
//! is checked before any row is read (an undeclared or derived fact, a repeated column or a
//! missing `id` stops the read). Rows are then read on worker threads, a chunk of rows at a
//! time, into typed columns; a bad row (bad CSV, a wrong number of cells, a cell that is not
//! a value of its fact, an id refused, an id already seen) is set aside with its line
//! number and the reasons, and the rest is read on.

use std::io::{self, Read};
use std::sync::{Mutex, mpsc};

use super::cells::ColumnReader;
use super::column::{Column, Truth};
use super::csv::{Cells, Splitter, read_record};
use super::ids::{id_hash, read_id, set_aside_repeated_ids};
use super::scan::ScanPlan;
use crate::catalog::Catalog;

/// Rows per chunk by default: the unit of work of a thread, and of the columns evaluated
/// at once. Large enough that handing chunks around costs nothing, small enough that each
/// chunk's columns stay in cache while its conditions are evaluated.
pub const CHUNK_ROWS: usize = 8192;
/// Bytes asked of the input at a time, at most.
const READ_BLOCK: usize = 1 << 20;
/// Bytes asked of the input by the first read. The block is zeroed before each read, so a
/// small file read with a 1 MiB block costs a megabyte of zeroes per read (the fuzz target
/// `population_csv` ran at a tenth of its speed); each read that fills its block doubles
/// the next one, so a large file is soon read a megabyte at a time.
const FIRST_BLOCK: usize = 1 << 12;

/// Checks a resident's id; the `Err` says why it is refused.
pub type IdCheck = dyn Fn(&str) -> Result<(), String> + Sync;

/// How to read a population.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    /// Threads reading rows (at least one is used).
    pub threads: usize,
    /// Rows per chunk ([`CHUNK_ROWS`] by default; at least one).
    pub chunk_rows: usize,
    /// Checks each resident's id (e.g. that it is a valid ID number); the message of a
    /// refusal makes the row bad.
    pub check_id: Option<&'a IdCheck>,
}

impl Default for ReadOptions<'_> {
    fn default() -> Self {
        ReadOptions {
            threads: 1,
            chunk_rows: CHUNK_ROWS,
            check_id: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    #[error("cannot read the population: {0}")]
    Io(#[from] io::Error),
    #[error("the population is empty: its first line must be a header naming the columns")]
    Empty,
    #[error("the header (line 1) is not valid CSV: {0}")]
    HeaderCsv(String),
    #[error("the header's column {0} is not valid UTF-8")]
    HeaderEncoding(usize),
    #[error("the header has no `id` column (the resident's id)")]
    NoIdColumn,
    #[error("the header's column {0} has no name")]
    UnnamedColumn(usize),
    #[error("column `{0}` is not a declared fact")]
    Undeclared(String),
    #[error("column `{0}` is a derived fact: it is computed from other facts and cannot be given")]
    Derived(String),
    #[error("column `{0}` appears twice in the header")]
    Repeated(String),
    #[error("a thread reading the population failed")]
    Worker,
}

/// A row that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    pub problems: Vec<String>,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.problems.join("; "))
    }
}

/// The residents read, in chunks of typed columns, and the rows set aside.
#[derive(Debug)]
pub struct Population {
    pub(crate) chunks: Vec<Chunk>,
    bad_rows: Vec<BadRow>,
    residents: u64,
}

/// Up to `chunk_rows` residents.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub(crate) rows: usize,
    ids: String,
    id_ends: Vec<usize>,
    /// The ids' hashes, to find repeated ids.
    pub(crate) id_hashes: Vec<u64>,
    lines: Vec<u64>,
    /// One column per fact slot: given facts the scan needs, else unknown throughout.
    pub(crate) columns: Vec<Column>,
    /// The rows that count (a repeated id does not).
    pub(crate) counted: Vec<u64>,
}

impl Chunk {
    pub(crate) fn id(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.id_ends[row - 1] };
        self.ids.get(start..self.id_ends[row]).unwrap_or("")
    }

    pub(crate) fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    pub(crate) fn is_counted(&self, row: usize) -> bool {
        self.counted
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }
}

impl Population {
    /// Reads a population for `plan`: every cell is checked, the columns of the facts the
    /// plan's items need are kept.
    pub fn read(
        plan: &ScanPlan<'_>,
        input: impl Read,
        options: &ReadOptions<'_>,
    ) -> Result<Population, PopulationError> {
        let mut input = Input::new(input);
        input.skip_byte_order_mark()?;
        let header_end = input.next_record()?.ok_or(PopulationError::Empty)?;
        let header_bytes = input.take(header_end.end);
        let header = Header::read(plan.catalog, &header_bytes)?;
        let chunk_rows = options.chunk_rows.max(1);
        let first_line = 1 + header_end.newlines;
        let shape = Shape {
            plan,
            header: &header,
            check_id: options.check_id,
        };
        let threads = options.threads.max(1);
        let mut read = read_chunks(&mut input, first_line, chunk_rows, &shape, threads)?;
        read.sort_by_key(|chunk| chunk.index);
        let mut chunks = Vec::with_capacity(read.len());
        let mut bad_rows = Vec::new();
        for chunk in read {
            chunks.push(chunk.chunk);
            bad_rows.extend(chunk.bad);
        }
        bad_rows.extend(set_aside_repeated_ids(&mut chunks));
        bad_rows.sort_by_key(|bad| bad.line);
        let residents = chunks
            .iter()
            .map(|c| {
                c.counted
                    .iter()
                    .map(|w| u64::from(w.count_ones()))
                    .sum::<u64>()
            })
            .sum();
        Ok(Population {
            chunks,
            bad_rows,
            residents,
        })
    }

    /// Residents read (bad rows not included).
    pub fn residents(&self) -> u64 {
        self.residents
    }

    /// The rows not read, by line.
    pub fn bad_rows(&self) -> &[BadRow] {
        &self.bad_rows
    }
}

/// The header's columns: where the id is, and the fact slot of every other column.
struct Header {
    cells: usize,
    id: usize,
    /// (cell index, fact slot)
    facts: Vec<(usize, usize)>,
}

impl Header {
    fn read(catalog: &Catalog, bytes: &[u8]) -> Result<Header, PopulationError> {
        let mut cells = Cells::default();
        let record = read_record(bytes, 0, &mut cells);
        if record.blank {
            return Err(PopulationError::Empty);
        }
        if let Some(problem) = record.problem {
            return Err(PopulationError::HeaderCsv(problem.to_string()));
        }
        let mut id = None;
        let mut facts = Vec::new();
        let mut seen = Vec::new();
        for index in 0..cells.len() {
            let name = std::str::from_utf8(cells.get(bytes, index))
                .map_err(|_| PopulationError::HeaderEncoding(index + 1))?;
            if name.is_empty() {
                return Err(PopulationError::UnnamedColumn(index + 1));
            }
            if seen.contains(&name) {
                return Err(PopulationError::Repeated(name.to_owned()));
            }
            seen.push(name);
            if name == "id" {
                id = Some(index);
                continue;
            }
            let (slot, fact) = catalog
                .fact_full(name)
                .ok_or_else(|| PopulationError::Undeclared(name.to_owned()))?;
            if fact.is_derived() {
                return Err(PopulationError::Derived(name.to_owned()));
            }
            facts.push((index, slot));
        }
        Ok(Header {
            cells: cells.len(),
            id: id.ok_or(PopulationError::NoIdColumn)?,
            facts,
        })
    }
}

/// The input, read a block at a time, cut into whole records.
struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    eof: bool,
    splitter: Splitter,
    /// Bytes the next read asks for.
    block: usize,
}

impl<R: Read> Input<R> {
    fn new(reader: R) -> Self {
        Input {
            reader,
            buffer: Vec::new(),
            eof: false,
            splitter: Splitter::new(0),
            block: FIRST_BLOCK,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let old = self.buffer.len();
        self.buffer.resize(old + self.block, 0);
        let read = loop {
            match self.reader.read(&mut self.buffer[old..]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let read = read.inspect_err(|_| self.buffer.truncate(old))?;
        self.buffer.truncate(old + read);
        self.eof = read == 0;
        if read == self.block {
            self.block = (self.block * 2).min(READ_BLOCK);
        }
        Ok(())
    }

    /// Spreadsheets often start a UTF-8 file with U+FEFF; it is not part of the first name.
    fn skip_byte_order_mark(&mut self) -> io::Result<()> {
        while self.buffer.len() < 3 && !self.eof {
            self.fill()?;
        }
        if self.buffer.starts_with(b"\xEF\xBB\xBF") {
            self.buffer.drain(..3);
        }
        Ok(())
    }

    /// The end of the next record, reading more as needed; `None` at the end.
    fn next_record(&mut self) -> io::Result<Option<super::csv::Found>> {
        loop {
            if let Some(found) = self.splitter.next(&self.buffer, self.eof) {
                return Ok(Some(found));
            }
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// Hands off the bytes before `end`, keeping the rest.
    fn take(&mut self, end: usize) -> Vec<u8> {
        let rest = self.buffer.split_off(end.min(self.buffer.len()));
        self.splitter.shift(end);
        std::mem::replace(&mut self.buffer, rest)
    }
}

/// Whole records handed to a worker.
struct RawChunk {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

struct ReadChunk {
    index: usize,
    chunk: Chunk,
    bad: Vec<BadRow>,
}

/// What every worker needs to read rows.
struct Shape<'a> {
    plan: &'a ScanPlan<'a>,
    header: &'a Header,
    check_id: Option<&'a IdCheck>,
}

/// Cuts the input into chunks on this thread while `threads` workers read them.
fn read_chunks<R: Read>(
    input: &mut Input<R>,
    first_line: u64,
    chunk_rows: usize,
    shape: &Shape<'_>,
    threads: usize,
) -> Result<Vec<ReadChunk>, PopulationError> {
    let (sender, receiver) = mpsc::sync_channel::<RawChunk>(threads * 2);
    let receiver = Mutex::new(receiver);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let next = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(raw) = next else { break };
                        done.push(read_chunk(raw, shape));
                    }
                    done
                })
            })
            .collect();
        let cut = cut_chunks(input, first_line, chunk_rows, &sender);
        drop(sender);
        let mut read = Vec::new();
        for worker in workers {
            read.extend(worker.join().map_err(|_| PopulationError::Worker)?);
        }
        cut.map(|()| read)
    })
}

fn cut_chunks<R: Read>(
    input: &mut Input<R>,
    mut line: u64,
    chunk_rows: usize,
    sender: &mpsc::SyncSender<RawChunk>,
) -> Result<(), PopulationError> {
    for index in 0.. {
        let (mut records, mut newlines, mut end) = (0, 0, 0);
        while records < chunk_rows {
            let Some(found) = input.next_record()? else {
                break;
            };
            (records, newlines, end) = (records + 1, newlines + found.newlines, found.end);
        }
        if records == 0 {
            break;
        }
        let raw = RawChunk {
            index,
            first_line: line,
            bytes: input.take(end),
        };
        sender.send(raw).map_err(|_| PopulationError::Worker)?;
        line += newlines;
    }
    Ok(())
}

/// Reads the rows of one chunk into columns, setting bad rows aside.
fn read_chunk(raw: RawChunk, shape: &Shape<'_>) -> ReadChunk {
    let catalog = shape.plan.catalog;
    let mut readers: Vec<(usize, ColumnReader)> = shape
        .header
        .facts
        .iter()
        .map(|&(cell, slot)| {
            let fact = catalog.fact_at(slot);
            let keep = shape.plan.kept.get(slot).copied().unwrap_or(false);
            (cell, ColumnReader::new(slot, &fact.id, &fact.ty, keep))
        })
        .collect();
    let mut chunk = Chunk {
        rows: 0,
        ids: String::new(),
        id_ends: Vec::new(),
        id_hashes: Vec::new(),
        lines: Vec::new(),
        columns: Vec::new(),
        counted: Vec::new(),
    };
    let mut bad = Vec::new();
    let mut cells = Cells::default();
    let (mut at, mut line) = (0, raw.first_line);
    while at < raw.bytes.len() {
        let record = read_record(&raw.bytes, at, &mut cells);
        let row_line = line;
        (at, line) = (record.end.max(at + 1), line + record.newlines);
        if record.blank {
            continue;
        }
        let mut problems = Vec::new();
        if let Some(problem) = record.problem {
            problems.push(problem.to_string());
        } else if cells.len() != shape.header.cells {
            problems.push(format!(
                "the row has {} cells, the header {}",
                cells.len(),
                shape.header.cells
            ));
        } else {
            let id = read_id(cells.get(&raw.bytes, shape.header.id), shape.check_id);
            if let Err(problem) = &id {
                problems.push(problem.clone());
            }
            for (cell, reader) in &mut readers {
                if let Err(problem) = reader.push(cells.get(&raw.bytes, *cell)) {
                    problems.push(problem);
                }
            }
            if let (Ok(id), true) = (id, problems.is_empty()) {
                chunk.ids.push_str(id);
                chunk.id_ends.push(chunk.ids.len());
                chunk.id_hashes.push(id_hash(id));
                chunk.lines.push(row_line);
                chunk.rows += 1;
                continue;
            }
            for (_, reader) in &mut readers {
                reader.truncate(chunk.rows);
            }
        }
        bad.push(BadRow {
            line: row_line,
            problems,
        });
    }
    chunk.columns = vec![Column::Same(None); catalog.fact_count()];
    for (_, reader) in readers {
        let slot = reader.slot;
        if let (Some(column), Some(place)) = (reader.finish(), chunk.columns.get_mut(slot)) {
            *place = column;
        }
    }
    chunk.counted = Truth::all_rows(chunk.rows);
    ReadChunk {
        index: raw.index,
        chunk,
        bad,
    }
}
