//! Batch eligibility (免申即享, benefits without application): the catalog's proactive
//! items judged for a whole population registry at once.
//!
//! [`Population::read`] reads the registry (CSV: a header row, column `id` and one column
//! per given fact) into typed columns, a chunk of rows at a time on several threads, and
//! sets bad rows aside with their line numbers. [`ScanPlan::scan`] then evaluates each
//! item's `eligible`, conjunct by conjunct, over each chunk's columns (`eval.rs`), with the
//! very operations pre-review uses, so a resident's status here is their pre-review status
//! for the same facts and date.
//!
//! Nothing here panics on any input: the reader is a fuzz target.

mod cells;
mod column;
pub mod csv;
mod eval;
mod population;
mod scan;

pub use population::{BadRow, CHUNK_ROWS, IdCheck, Population, PopulationError, ReadOptions};
pub use scan::{ItemCount, Judged, PlanError, Scan, ScanPlan, columnar_truths};
