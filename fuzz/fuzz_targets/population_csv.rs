//! Fuzz target: the population registry reader of `haoban scan` (免申即享), on any bytes.
//!
//! Bytes → `Population::read` against the fixture catalog
//! `crates/haoban-catalog/tests/fixtures/basic` (its one proactive item is
//! `elderly-allowance`) → when read, `ScanPlan::scan` on 2026-11-27.
//!
//! The first byte chooses how the input is handed over and cut: read whole, or in 1 to 8
//! equal pieces, one per `read` call (so records straddle reads), and 1 to 4 rows per
//! chunk on 1 or 2 threads. Beyond "no panic", asserted:
//! - the same input read whole in one chunk and read in pieces and small chunks gives the
//!   same residents (id, line, status) and the same bad rows: the record splitter and the
//!   row reader agree on where records end;
//! - every row is accounted for: the lines of the residents and of the bad rows are
//!   exactly the lines where the non-blank records after the header start, by a CSV
//!   record counter written here (RFC 4180, quotes opening only at a cell's start);
//! - every bad row names a line and at least one problem; bad rows come in line order;
//! - residents have distinct, non-empty ids; the scan judges each once, with one status
//!   per item, and its counts agree with the statuses;
//! - the facts a resident's offer carries (`facts_for`) are accepted by
//!   `Applicant::from_json`, and pre-review of the item on those facts gives the status
//!   the scan gave: a scan's verdict is pre-review's.
//! A refused file (a bad header) has a message.

#![no_main]

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use haoban_catalog::{
    Applicant, BadRow, Catalog, Population, ReadOptions, Scan, ScanPlan, Selection, Status,
};
use libfuzzer_sys::fuzz_target;

const PROACTIVE: &str = "elderly-allowance";

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/haoban-catalog/tests/fixtures/basic");
        Catalog::load(&dir).unwrap_or_else(|problems| {
            panic!(
                "the fixture catalog {} does not load:\n{problems}",
                dir.display()
            )
        })
    })
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

/// Hands out its bytes `step` at a time.
struct Pieces<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// (id, line, status of each item) of every resident, and the bad rows.
type Outcome = (Vec<(String, u64, Vec<Status>)>, Vec<BadRow>);

fn outcome(scan: &Scan<'_>, population: &Population) -> Outcome {
    let judged = scan
        .residents_judged()
        .map(|r| {
            let statuses = r.statuses().map(|(_, status)| status).collect();
            (r.id().to_owned(), r.line(), statuses)
        })
        .collect();
    (judged, population.bad_rows().to_vec())
}

/// Where a record counter is within a record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    CellStart,
    Unquoted,
    Quoted,
    /// Just after a quote inside a quoted cell: its end, or the first of `""`.
    AfterQuote,
}

/// The lines (from 1, the header's included) where the non-blank records start, by the
/// rules the reader documents: a record ends at `\n` outside quotes (or at the end of the
/// input), a quote opens a quoted cell only where a cell starts, and a record that is
/// nothing but its terminator (`\n`, `\r\n`, or a last `\r`) is blank.
fn record_lines(bytes: &[u8]) -> Vec<u64> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = Vec::new();
    let (mut line, mut start) = (1u64, 0usize);
    while start < bytes.len() {
        let (mut at, mut state, mut breaks) = (start, At::CellStart, 0u64);
        while at < bytes.len() {
            let b = bytes[at];
            state = match (state, b) {
                (At::Quoted, b'"') => At::AfterQuote,
                (At::Quoted, _) => {
                    breaks += u64::from(b == b'\n');
                    At::Quoted
                }
                (At::CellStart | At::AfterQuote, b'"') => At::Quoted,
                (_, b'\n') => break,
                (_, b',') => At::CellStart,
                _ => At::Unquoted,
            };
            at += 1;
        }
        let content = &bytes[start..at];
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if !content.is_empty() {
            lines.push(line);
        }
        // The terminator, if the record has one, is a line break too.
        line += breaks + u64::from(at < bytes.len());
        start = at + 1;
    }
    lines
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, csv)) = data.split_first() else {
        return;
    };
    let catalog = catalog();
    let plan = ScanPlan::new(catalog, None).expect("the fixture has a proactive item");
    let whole = ReadOptions::default();
    let population = match Population::read(&plan, csv, &whole) {
        Ok(population) => population,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    // One scan serves every check below: each one starts threads, which are slow under
    // AddressSanitizer.
    let scan = plan.scan(&population, on(), 1);
    let reference = outcome(&scan, &population);

    // The same file in pieces and small chunks. At most 8 pieces: the reader zeroes a
    // block of 4 KiB or more before each read, so a read per byte would be slow.
    let pieces = Pieces {
        bytes: csv,
        step: if mode & 0x80 == 0 {
            usize::MAX
        } else {
            csv.len().div_ceil(1 + usize::from(mode & 7)).max(1)
        },
    };
    let options = ReadOptions {
        threads: 1 + usize::from(mode >> 3 & 1),
        chunk_rows: 1 + usize::from(mode >> 4 & 3),
        ..ReadOptions::default()
    };
    let chunked = Population::read(&plan, pieces, &options).expect("read whole, so in pieces");
    let chunked_scan = plan.scan(&chunked, on(), options.threads);
    assert_eq!(outcome(&chunked_scan, &chunked), reference);

    // Every record is a resident or a bad row.
    let (judged, bad) = &reference;
    let mut lines: Vec<u64> = judged
        .iter()
        .map(|(_, line, _)| *line)
        .chain(bad.iter().map(|b| b.line))
        .collect();
    lines.sort_unstable();
    let mut expected = record_lines(csv);
    // A file that was read has a header, and it is on line 1.
    assert_eq!(
        expected.first(),
        Some(&1),
        "the header is not the first record"
    );
    expected.remove(0);
    assert_eq!(
        lines, expected,
        "the rows read are not the records of the file"
    );
    assert_eq!(population.residents(), judged.len() as u64);

    assert!(bad.windows(2).all(|w| w[0].line < w[1].line));
    for row in bad {
        assert!(row.line >= 2);
        assert!(!row.problems.is_empty() && row.problems.iter().all(|p| !p.is_empty()));
        assert!(row.to_string().starts_with(&format!("line {}: ", row.line)));
    }

    let mut ids = HashSet::new();
    for (id, _, statuses) in judged {
        assert!(!id.is_empty());
        assert!(ids.insert(id.as_str()), "resident {id:?} judged twice");
        assert_eq!(statuses.len(), plan.items().len());
    }

    let counts = scan.counts();
    assert_eq!(counts.len(), plan.items().len());
    for (position, count) in counts.iter().enumerate() {
        let with = |status| judged.iter().filter(|r| r.2[position] == status).count() as u64;
        assert_eq!(count.eligible, with(Status::Eligible), "{}", count.item);
        assert_eq!(count.unknown, with(Status::Unknown), "{}", count.item);
    }

    // A scan's verdict is pre-review's, on the facts its offer carries.
    let selected = catalog
        .select(&Selection::Items(vec![PROACTIVE.to_owned()]))
        .expect("the item exists");
    for resident in scan.residents_judged().take(64) {
        let facts = resident.facts_for(PROACTIVE);
        let applicant = Applicant::from_json(catalog, &facts)
            .unwrap_or_else(|err| panic!("offer facts {facts} refused: {err}"));
        let review = catalog.prereview(&applicant, &selected, on());
        let (_, status) = resident
            .statuses()
            .find(|(item, _)| item.id == PROACTIVE)
            .expect("the item was scanned");
        assert_eq!(review.items[0].status, status, "facts {facts}");
    }
});
