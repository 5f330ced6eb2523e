//! Error types of the core. Data errors name the file, the key and the problem.

use thiserror::Error;

/// A reference-data file (regulation pack, chip catalog, country groups) that does not validate.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{file}: {key}: {problem}")]
pub struct DataError {
    pub file: String,
    pub key: String,
    pub problem: String,
}

impl DataError {
    pub fn new(
        file: impl Into<String>,
        key: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// Why an item cannot be classified.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ClassifyError {
    #[error("unknown chip '{query}'{}", suggest(.suggestions))]
    UnknownChip {
        query: String,
        suggestions: Vec<String>,
    },
    #[error(
        "no regulation pack is in force on {date}: the earliest pack takes effect on {earliest}"
    )]
    DateBeforeRegime {
        date: chrono::NaiveDate,
        earliest: chrono::NaiveDate,
    },
    #[error("chip '{chip}' has no published dense TOPS figure, so its TPP cannot be computed; classify it with --specs")]
    NoComputeFigures { chip: String },
    #[error("{field}: {problem}")]
    InvalidSpecs { field: String, problem: String },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; closest catalog ids: {}", s.join(", "))
    }
}
