//! The one error type of the crate: every failure names the file (and line where there is one).

use std::path::PathBuf;

/// Why a list could not be loaded, imported or screened against.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file as a whole is unreadable in its format (bad XML or JSON, no header, truncated).
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    /// A strict load (import) refuses files with malformed rows rather than skip them.
    #[error("{file}: line {line}: {message}")]
    Row {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{dir}: no list files found (expected files named as `tollgate lists import` names them: sdn.csv with alt.csv/add.csv/sdn_comments.csv, csl.csv, csl.csv.gz, csl.json, entity_list.json, meu.json, dpl.json, dpl.txt, nscmic.json, 1260h.json, mieu.csv, UN_consolidated.xml, *.ftm.json or *.simple.csv)")]
    NoLists { dir: String },
    #[error("{0}: not a known list file; give --format")]
    UnknownFormat(String),
    #[error("threshold {0} is outside [0, 1]")]
    Threshold(f64),
}

impl ScreenError {
    pub(crate) fn format(file: &str, message: impl Into<String>) -> Self {
        ScreenError::Format {
            file: file.to_string(),
            message: message.into(),
        }
    }
}
