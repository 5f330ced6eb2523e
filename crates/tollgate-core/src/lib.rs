//! tollgate-core holds the regulation: regulation packs (dated rule sets loaded from data files),
//! country groups, the chip catalog, classification and decisions. It is pure: no IO, no clock,
//! no async, no database; callers hand it texts and dates and get values with reasons back.
//!
//! Not here: list screening (tollgate-screen), storage (tollgate-store), HTTP (tollgate-server).

pub mod catalog;
pub mod classify;
pub mod compose;
pub mod condition;
pub mod country;
pub mod decide;
pub mod entry_policy;
pub mod error;
pub mod order;
pub mod pack;
pub mod regulation;

pub use catalog::{Catalog, Chip, ChipSpecs, Precision, SpecsInput};
pub use chrono::NaiveDate;
pub use classify::{Classification, Reason};
pub use country::{Countries, Iso2};
pub use decide::{Comparison, Decision, PartyHit, Screening, Verdict};
pub use error::{ClassifyError, DataError};
pub use order::{Order, OrderError};
pub use pack::{Pack, PackSet, ReviewPolicy};
pub use regulation::{Regulation, Sources};
