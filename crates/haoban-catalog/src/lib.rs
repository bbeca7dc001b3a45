//! haoban-catalog: the service-item catalog, the condition language, pre-review
//! (准确预审) and the working-day calendar, as fixed by `spec/catalog.md`.
//!
//! A pure library: it reads catalog files and does no other I/O, holds no clock and
//! no database. Callers pass the evaluation date in.

mod applicant;
pub mod batch;
pub mod calendar;
mod catalog;
pub mod decimal;
pub mod expr;
pub mod guide;
mod load;
mod month;
mod prereview;
pub mod source;
pub mod text;
mod toml_read;
pub mod value;

pub use applicant::{Applicant, FactsError};
pub use batch::{
    BadRow, ItemCount, PlanError, Population, PopulationError, ReadOptions, Scan, ScanPlan,
};
pub use calendar::{Calendar, CalendarError, Counted};
pub use catalog::{
    Bundle, Catalog, Category, Condition, Eligibility, Fact, FactType, Item, ItemMaterial,
    Material, MaterialForm,
};
pub use month::{Month, MonthError};
pub use prereview::{
    ChecklistEntry, ItemReview, PreReview, Selected, Selection, SelectionError, Status,
};
pub use source::{Problem, Problems};
pub use text::{Locale, Text};
pub use value::Value;
