//! Loaders for the list formats users download, format detection by file name, and the lists
//! bundled into the binary. Every loader streams through `Tap` (SHA-256, progress) and skips a
//! malformed row with a `RowIssue` naming file and line; a file unreadable as a whole is an error.

pub mod csl;
pub mod dpl;
pub mod ofac;
pub mod opensanctions;
pub mod tap;
pub mod un;

use crate::model::{Entity, ListVersion, Loaded, RowIssue};
use crate::ScreenError;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Reads the next CSV record into `rec`: `None` at the end of the file, `Some(None)` for a row
/// that was reported in `out.issues` (unreadable, or fewer than `min_fields` fields) and is
/// skipped, `Some(Some(line))` for a row to use.
pub(crate) fn next_row<R: Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::ByteRecord,
    file: &str,
    min_fields: Option<usize>,
    out: &mut Loaded,
) -> Option<Option<u64>> {
    let line = rdr.position().line();
    match rdr.read_byte_record(rec) {
        Ok(false) => return None,
        Ok(true) => {}
        Err(e) => {
            out.issues.push(RowIssue {
                file: file.into(),
                line,
                message: e.to_string(),
            });
            return Some(None);
        }
    }
    let line = rec.position().map(|p| p.line()).unwrap_or(line);
    if let Some(n) = min_fields.filter(|n| rec.len() < *n) {
        out.issues.push(RowIssue {
            file: file.into(),
            line,
            message: format!("expected {n} fields, found {} (truncated row?)", rec.len()),
        });
        return Some(None);
    }
    Some(Some(line))
}

/// Keeps the newest row date seen as the file's publication date (ISO dates compare as text).
pub(crate) fn note_published(out: &mut Loaded, date: String) {
    if !date.is_empty() && out.published.as_deref().is_none_or(|p| p < date.as_str()) {
        out.published = Some(date);
    }
}

/// A field of a CSV record, lossily decoded and trimmed; empty when the column is absent.
pub(crate) fn field(rec: &csv::ByteRecord, c: Option<usize>) -> String {
    c.and_then(|i| rec.get(i))
        .map(|b| String::from_utf8_lossy(b).trim().to_string())
        .unwrap_or_default()
}

/// A list file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    OfacSdn,
    OfacAlt,
    OfacAdd,
    OfacComments,
    CslCsv,
    CslJson,
    Dpl,
    UnXml,
    FtmJson,
    OpenSanctionsCsv,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::OfacSdn,
        Format::OfacAlt,
        Format::OfacAdd,
        Format::OfacComments,
        Format::CslCsv,
        Format::CslJson,
        Format::Dpl,
        Format::UnXml,
        Format::FtmJson,
        Format::OpenSanctionsCsv,
    ];

    /// The name used by `--format` and in `ListVersion::format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::OfacSdn => "ofac-sdn",
            Format::OfacAlt => "ofac-alt",
            Format::OfacAdd => "ofac-add",
            Format::OfacComments => "ofac-comments",
            Format::CslCsv => "csl-csv",
            Format::CslJson => "csl-json",
            Format::Dpl => "dpl",
            Format::UnXml => "un-xml",
            Format::FtmJson => "ftm-json",
            Format::OpenSanctionsCsv => "opensanctions-csv",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Publisher shown in `ListVersion::source`.
    pub fn source(self) -> &'static str {
        match self {
            Format::OfacSdn | Format::OfacAlt | Format::OfacAdd | Format::OfacComments => {
                "OFAC SDN"
            }
            Format::CslCsv | Format::CslJson => "trade.gov Consolidated Screening List",
            Format::Dpl => "BIS Denied Persons List",
            Format::UnXml => "UN Security Council Consolidated List",
            Format::FtmJson | Format::OpenSanctionsCsv => "OpenSanctions",
        }
    }

    /// The file name a list directory keeps this format under (`lists import` writes it).
    pub fn canonical_file(self) -> &'static str {
        match self {
            Format::OfacSdn => "sdn.csv",
            Format::OfacAlt => "alt.csv",
            Format::OfacAdd => "add.csv",
            Format::OfacComments => "sdn_comments.csv",
            Format::CslCsv => "csl.csv",
            Format::CslJson => "csl.json",
            Format::Dpl => "dpl.txt",
            Format::UnXml => "UN_consolidated.xml",
            Format::FtmJson => "entities.ftm.json",
            Format::OpenSanctionsCsv => "targets.simple.csv",
        }
    }

    /// Detects the format from a file name as the publishers name their downloads.
    pub fn detect(file_name: &str) -> Option<Format> {
        let n = file_name.to_ascii_lowercase();
        Some(match n.as_str() {
            "sdn.csv" => Format::OfacSdn,
            "alt.csv" => Format::OfacAlt,
            "add.csv" => Format::OfacAdd,
            "sdn_comments.csv" => Format::OfacComments,
            "dpl.txt" => Format::Dpl,
            _ if n.ends_with(".simple.csv") => Format::OpenSanctionsCsv,
            _ if n.ends_with(".ftm.json") || n.ends_with(".jsonl") => Format::FtmJson,
            _ if n.ends_with(".csv") && (n.contains("csl") || n.contains("consolidated")) => {
                Format::CslCsv
            }
            _ if n.ends_with(".json") && (n.contains("csl") || n.contains("consolidated")) => {
                Format::CslJson
            }
            _ if n.ends_with(".xml") && n.contains("consolidated") => Format::UnXml,
            _ if n.ends_with(".txt") && (n.contains("dpl") || n.contains("denied")) => Format::Dpl,
            _ => return None,
        })
    }
}

/// One loaded file: its version record, the entities (partial for OFAC side files) and issues.
#[derive(Debug)]
pub struct LoadedFile {
    pub format: Format,
    pub version: ListVersion,
    pub entities: Vec<Entity>,
    pub issues: Vec<RowIssue>,
}

/// Whether loads draw a progress bar (only ever on a terminal).
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub progress: bool,
}

fn progress_bar(opts: LoadOptions, len: u64, file: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    // Small files load in milliseconds; a bar would only flicker.
    if !opts.progress || len < (4 << 20) || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        pb.set_style(style);
    }
    pb.set_message(format!("loading {file}"));
    Some(pb)
}

/// Loads one file's bytes from any reader in the given format.
pub fn load_reader<R: BufRead>(
    format: Format,
    file: &str,
    reader: R,
    len: u64,
    opts: LoadOptions,
) -> Result<LoadedFile, ScreenError> {
    let mut tap = tap::Tap::new(reader, progress_bar(opts, len, file));
    let loaded: Loaded = match format {
        Format::OfacSdn => ofac::load(file, ofac::Part::Sdn, &mut tap),
        Format::OfacAlt => ofac::load(file, ofac::Part::Alt, &mut tap),
        Format::OfacAdd => ofac::load(file, ofac::Part::Add, &mut tap),
        Format::OfacComments => ofac::load(file, ofac::Part::Comments, &mut tap),
        Format::CslCsv => csl::load_csv(file, &mut tap)?,
        Format::CslJson => csl::load_json(file, &mut tap)?,
        Format::Dpl => dpl::load(file, &mut tap)?,
        Format::UnXml => un::load(file, &mut tap)?,
        Format::FtmJson => opensanctions::load_ftm(file, &mut tap),
        Format::OpenSanctionsCsv => opensanctions::load_simple(file, &mut tap)?,
    };
    let sha256 = tap
        .finish()
        .map_err(|e| ScreenError::format(file, e.to_string()))?;
    let Loaded {
        entities,
        issues,
        published,
        rows,
    } = loaded;
    Ok(LoadedFile {
        format,
        version: ListVersion {
            source: format.source().into(),
            format: format.name().into(),
            file: file.into(),
            published,
            rows,
            skipped: issues.len(),
            sha256,
        },
        entities,
        issues,
    })
}

pub fn load_bytes(format: Format, file: &str, bytes: &[u8]) -> Result<LoadedFile, ScreenError> {
    load_reader(
        format,
        file,
        bytes,
        bytes.len() as u64,
        LoadOptions::default(),
    )
}

pub fn load_path(
    path: &Path,
    format: Format,
    opts: LoadOptions,
) -> Result<LoadedFile, ScreenError> {
    let f = std::fs::File::open(path).map_err(|source| ScreenError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    load_reader(
        format,
        &name,
        BufReader::with_capacity(1 << 16, f),
        len,
        opts,
    )
}

/// Every recognised list file in `dir` (sorted by name, so loads are reproducible).
pub fn load_dir(dir: &Path, opts: LoadOptions) -> Result<Vec<LoadedFile>, ScreenError> {
    let io = |source| ScreenError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<(String, Format)> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io)? {
        let e = e.map_err(io)?;
        let name = e.file_name().to_string_lossy().into_owned();
        // Import temp files start with '.', never load them.
        if name.starts_with('.') || !e.path().is_file() {
            continue;
        }
        if let Some(f) = Format::detect(&name) {
            files.push((name, f));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if files.is_empty() {
        return Err(ScreenError::NoLists {
            dir: dir.display().to_string(),
        });
    }
    files
        .iter()
        .map(|(name, f)| load_path(&dir.join(name), *f, opts))
        .collect()
}

/// The lists shipped in the repository's `data/lists/`, compiled into the binary so screening
/// works offline on a fresh machine.
pub const BUNDLED: &[(&str, Format, &[u8])] = &[
    (
        "sdn.csv",
        Format::OfacSdn,
        include_bytes!("../../../../data/lists/sdn.csv"),
    ),
    (
        "alt.csv",
        Format::OfacAlt,
        include_bytes!("../../../../data/lists/alt.csv"),
    ),
    (
        "add.csv",
        Format::OfacAdd,
        include_bytes!("../../../../data/lists/add.csv"),
    ),
    (
        "sdn_comments.csv",
        Format::OfacComments,
        include_bytes!("../../../../data/lists/sdn_comments.csv"),
    ),
    (
        "csl.csv",
        Format::CslCsv,
        include_bytes!("../../../../data/lists/csl.csv"),
    ),
    (
        "dpl.txt",
        Format::Dpl,
        include_bytes!("../../../../data/lists/dpl.txt"),
    ),
    (
        "UN_consolidated.xml",
        Format::UnXml,
        include_bytes!("../../../../data/lists/UN_consolidated.xml"),
    ),
];

pub fn load_bundled() -> Result<Vec<LoadedFile>, ScreenError> {
    use rayon::prelude::*;
    BUNDLED
        .par_iter()
        .map(|(name, f, bytes)| load_bytes(*f, name, bytes))
        .collect()
}

/// Parses a file fully and strictly: any malformed row, or no rows at all, is an error. Used by
/// `import` so a truncated or corrupt download never replaces a good list.
pub fn validate(path: &Path, format: Format) -> Result<LoadedFile, ScreenError> {
    let f = load_path(path, format, LoadOptions::default())?;
    if let Some(i) = f.issues.first() {
        return Err(ScreenError::Row {
            file: i.file.clone(),
            line: i.line,
            message: format!("{} ({} malformed row(s) in all)", i.message, f.issues.len()),
        });
    }
    if f.version.rows == 0 {
        return Err(ScreenError::format(&f.version.file, "no rows"));
    }
    Ok(f)
}

/// Reads to the end; used by tests and fuzzing to load arbitrary bytes in every format.
pub fn load_any(format: Format, bytes: &[u8]) -> Result<LoadedFile, ScreenError> {
    let mut r = bytes;
    let mut v = Vec::new();
    r.read_to_end(&mut v)
        .map_err(|e| ScreenError::format("input", e.to_string()))?;
    load_bytes(format, "input", &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_file_loads_cleanly() {
        let files = load_bundled().unwrap();
        assert_eq!(files.len(), 7);
        for f in &files {
            assert!(f.version.rows > 0, "{}", f.version.file);
            assert_eq!(f.version.sha256.len(), 64);
            assert!(
                f.issues.is_empty(),
                "{:?}",
                &f.issues[..f.issues.len().min(3)]
            );
        }
        let sdn = files.iter().find(|f| f.version.file == "sdn.csv").unwrap();
        assert_eq!(sdn.version.rows, 8976);
        let un = files.iter().find(|f| f.format == Format::UnXml).unwrap();
        assert_eq!(un.version.published.as_deref(), Some("2026-02-27"));
    }

    #[test]
    fn file_names_map_to_formats() {
        assert_eq!(Format::detect("SDN.CSV"), Some(Format::OfacSdn));
        assert_eq!(Format::detect("consolidated.json"), Some(Format::CslJson));
        assert_eq!(
            Format::detect("targets.simple.csv"),
            Some(Format::OpenSanctionsCsv)
        );
        assert_eq!(Format::detect("entities.ftm.json"), Some(Format::FtmJson));
        assert_eq!(Format::detect("README.md"), None);
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
            assert_eq!(Format::detect(f.canonical_file()), Some(f));
        }
    }
}
