//! Loaders for the list formats users download, format detection by file name, and the lists
//! bundled into the binary. Every loader streams through `Tap` (SHA-256, progress) and skips a
//! malformed row with a `RowIssue` naming file and line; a file unreadable as a whole is an error.

pub mod csl;
pub mod dpl;
pub mod ecfr;
pub mod mieu;
pub mod ofac;
pub mod opensanctions;
pub mod tap;
pub mod un;

use crate::model::{Entity, ListRows, ListVersion, Loaded, RowIssue};
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

/// The header row of a CSV list file; an unreadable one makes the whole file unreadable.
pub(crate) fn headers<R: Read>(
    rdr: &mut csv::Reader<R>,
    file: &str,
) -> Result<csv::ByteRecord, ScreenError> {
    rdr.byte_headers()
        .cloned()
        .map_err(|e| ScreenError::format(file, e.to_string()))
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
    /// The CSL CSV compressed with gzip (`consolidated.csv.gz`).
    CslCsvGz,
    /// BIS Entity List, eCFR-extract JSON (`ecfr.rs`).
    EntityListJson,
    /// BIS Military End-User List, eCFR-extract JSON.
    MeuJson,
    /// BIS Denied Persons List in the same JSON shape.
    DplJson,
    /// OFAC Non-SDN Chinese Military-Industrial Complex Companies List in the same JSON shape.
    NsCmicJson,
    /// DoD Section 1260H list of Chinese military companies in the same JSON shape.
    Dod1260hJson,
    /// BIS Military-Intelligence End User list, OpenSanctions CSV layout (`mieu.rs`).
    MieuCsv,
}

impl Format {
    pub const ALL: [Format; 17] = [
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
        Format::CslCsvGz,
        Format::EntityListJson,
        Format::MeuJson,
        Format::DplJson,
        Format::NsCmicJson,
        Format::Dod1260hJson,
        Format::MieuCsv,
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
            Format::CslCsvGz => "csl-csv-gz",
            Format::EntityListJson => "bis-entity-list-json",
            Format::MeuJson => "bis-meu-json",
            Format::DplJson => "bis-dpl-json",
            Format::NsCmicJson => "ofac-nscmic-json",
            Format::Dod1260hJson => "dod-1260h-json",
            Format::MieuCsv => "bis-mieu-csv",
        }
    }

    /// Whether the format holds many lists (the CSL): its rows of a list are replaced by a newer
    /// dedicated file of that list when both are loaded (see `Screener::build`).
    pub fn is_consolidated(self) -> bool {
        matches!(self, Format::CslCsv | Format::CslJson | Format::CslCsvGz)
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
            Format::CslCsv | Format::CslJson | Format::CslCsvGz => {
                "trade.gov Consolidated Screening List"
            }
            Format::Dpl | Format::DplJson => "BIS Denied Persons List",
            Format::UnXml => "UN Security Council Consolidated List",
            Format::FtmJson | Format::OpenSanctionsCsv => "OpenSanctions",
            Format::EntityListJson => "BIS Entity List (eCFR extract)",
            Format::MeuJson => "BIS Military End-User List (eCFR extract)",
            Format::NsCmicJson => "OFAC NS-CMIC List",
            Format::Dod1260hJson => "DoD Section 1260H List",
            Format::MieuCsv => "BIS Military-Intelligence End User List",
        }
    }

    /// What a file's own publication date is, in words (for `ListVersion::published_basis`).
    fn published_basis(self) -> &'static str {
        match self {
            Format::UnXml => "dateGenerated of the file",
            Format::Dpl => "newest Last_Update in the file",
            Format::CslJson => "newest source_last_updated in the file",
            Format::FtmJson | Format::OpenSanctionsCsv => "newest change date in the file",
            _ => "date stated in the file",
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
            Format::CslCsvGz => "csl.csv.gz",
            Format::EntityListJson => "entity_list.json",
            Format::MeuJson => "meu.json",
            Format::DplJson => "dpl.json",
            Format::NsCmicJson => "nscmic.json",
            Format::Dod1260hJson => "1260h.json",
            Format::MieuCsv => "mieu.csv",
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
            // OFAC's files under dated names ("ofac_sdn_2023-01.csv"), not its non-SDN "cons_" ones.
            _ if n.ends_with(".csv") && n.contains("ofac") && !n.contains("cons") => {
                if n.contains("comments") {
                    Format::OfacComments
                } else if n.contains("alt") {
                    Format::OfacAlt
                } else if n.contains("add") {
                    Format::OfacAdd
                } else if n.contains("sdn") {
                    Format::OfacSdn
                } else {
                    return None;
                }
            }
            _ if n.ends_with(".csv") && n.contains("mieu") => Format::MieuCsv,
            _ if n.ends_with(".csv.gz") && (n.contains("csl") || n.contains("consolidated")) => {
                Format::CslCsvGz
            }
            _ if n.ends_with(".csv") && (n.contains("csl") || n.contains("consolidated")) => {
                Format::CslCsv
            }
            _ if n.ends_with(".json") && (n.contains("csl") || n.contains("consolidated")) => {
                Format::CslJson
            }
            _ if n.ends_with(".json")
                && (n.contains("entity_list") || n.contains("entity-list")) =>
            {
                Format::EntityListJson
            }
            _ if n.ends_with(".json") && n.contains("meu") => Format::MeuJson,
            _ if n.ends_with(".json") && n.contains("1260h") => Format::Dod1260hJson,
            _ if n.ends_with(".json") && n.contains("cmic") => Format::NsCmicJson,
            _ if n.ends_with(".json") && (n.contains("dpl") || n.contains("denied")) => {
                Format::DplJson
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
        Format::CslCsvGz => csl::load_csv_gz(file, &mut tap)?,
        Format::EntityListJson => ecfr::load(file, ecfr::ENTITY_LIST, &mut tap)?,
        Format::MeuJson => ecfr::load(file, ecfr::MEU, &mut tap)?,
        Format::DplJson => ecfr::load(file, ecfr::DPL, &mut tap)?,
        Format::NsCmicJson => ecfr::load(file, ecfr::NS_CMIC, &mut tap)?,
        Format::Dod1260hJson => ecfr::load(file, ecfr::DOD_1260H, &mut tap)?,
        Format::MieuCsv => mieu::load(file, &mut tap)?,
    };
    let sha256 = tap
        .finish()
        .map_err(|e| ScreenError::format(file, e.to_string()))?;
    let Loaded {
        entities,
        issues,
        published,
        published_basis,
        rows,
    } = loaded;
    let published_basis = published_basis.or_else(|| {
        published
            .as_ref()
            .map(|_| format.published_basis().to_string())
    });
    let mut lists: Vec<ListRows> = Vec::new();
    for e in &entities {
        match lists.iter_mut().find(|l| l.list == e.list) {
            Some(l) => l.rows += 1,
            None => lists.push(ListRows {
                list: e.list.clone(),
                rows: 1,
                superseded_by: None,
            }),
        }
    }
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
            published_basis,
            lists,
            unmatched: 0,
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

/// The file name of a lists directory's as-of manifest: `file,sha256,as_of,basis` rows giving
/// the as-of date of files that carry none (OFAC's CSVs, the CSL CSV) or whose own date
/// misleads. A row applies only to the file of that name *and* that SHA-256, so a newer file
/// imported under the same name never inherits the old date.
pub const MANIFEST: &str = "as_of.csv";

/// Sets `published` (and its basis) of the files a manifest names with their digest.
pub fn apply_manifest(files: &mut [LoadedFile], manifest: &str) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(manifest.as_bytes());
    for rec in rdr.records().flatten() {
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let (file, sha, as_of, basis) = (get(0), get(1), get(2), get(3));
        if as_of.is_empty() {
            continue;
        }
        for f in files.iter_mut() {
            let v = &mut f.version;
            if v.file == file && v.sha256.eq_ignore_ascii_case(sha) {
                let own = match (&v.published, &v.published_basis) {
                    (Some(p), Some(b)) if p != as_of => format!("; the file's own date: {p} ({b})"),
                    _ => String::new(),
                };
                v.published = Some(as_of.to_string());
                v.published_basis = Some(format!("{MANIFEST}: {basis}{own}"));
            }
        }
    }
}

/// Every recognised list file in `dir` (sorted by name, so loads are reproducible), with the
/// dates of the directory's `as_of.csv` manifest applied when there is one.
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
    let mut loaded = files
        .iter()
        .map(|(name, f)| load_path(&dir.join(name), *f, opts))
        .collect::<Result<Vec<_>, _>>()?;
    if let Ok(m) = std::fs::read_to_string(dir.join(MANIFEST)) {
        apply_manifest(&mut loaded, &m);
    }
    Ok(loaded)
}

/// The lists shipped in the repository's `data/lists/`, compiled into the binary so screening
/// works offline on a fresh machine (`data/lists/README.md` says where each comes from). The CSL
/// stays gzip-compressed in the binary and is inflated while it loads; its rows of the lists a
/// newer file here covers (Entity List, MEU, DPL, SDN, NS-CMIC) are dropped by `Screener::build`.
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
        "entity_list.json",
        Format::EntityListJson,
        include_bytes!("../../../../data/lists/entity_list.json"),
    ),
    (
        "meu.json",
        Format::MeuJson,
        include_bytes!("../../../../data/lists/meu.json"),
    ),
    (
        "dpl.json",
        Format::DplJson,
        include_bytes!("../../../../data/lists/dpl.json"),
    ),
    (
        "nscmic.json",
        Format::NsCmicJson,
        include_bytes!("../../../../data/lists/nscmic.json"),
    ),
    (
        "1260h.json",
        Format::Dod1260hJson,
        include_bytes!("../../../../data/lists/1260h.json"),
    ),
    (
        "mieu.csv",
        Format::MieuCsv,
        include_bytes!("../../../../data/lists/mieu.csv"),
    ),
    (
        "UN_consolidated.xml",
        Format::UnXml,
        include_bytes!("../../../../data/lists/UN_consolidated.xml"),
    ),
    (
        "csl.csv.gz",
        Format::CslCsvGz,
        include_bytes!("../../../../data/lists/csl.csv.gz"),
    ),
];

/// The bundled lists' as-of manifest (see [`MANIFEST`]).
pub const BUNDLED_MANIFEST: &str = include_str!("../../../../data/lists/as_of.csv");

pub fn load_bundled() -> Result<Vec<LoadedFile>, ScreenError> {
    use rayon::prelude::*;
    let mut files = BUNDLED
        .par_iter()
        .map(|(name, f, bytes)| load_bytes(*f, name, bytes))
        .collect::<Result<Vec<_>, _>>()?;
    apply_manifest(&mut files, BUNDLED_MANIFEST);
    Ok(files)
}

/// Loaded files put together for the screener: versions (in file order), issues and the
/// entities to index.
#[derive(Debug)]
pub struct Assembled {
    pub versions: Vec<ListVersion>,
    pub issues: Vec<RowIssue>,
    pub entities: Vec<Entity>,
}

/// The day of a publication value ("2026-07-09T00:00:00" gives "2026-07-09"; "2025-12" stays).
fn day(p: Option<&str>) -> Option<&str> {
    p.map(|p| p.get(..10).unwrap_or(p))
        .filter(|p| !p.is_empty())
}

/// Puts loaded files together:
/// 1. A consolidated file's (the CSL's) rows of a list are dropped when a dedicated file of the
///    same list (an Entity List, MEU, DPL, NS-CMIC extract, an OFAC sdn.csv) is loaded too and is
///    at least as new (both dates known): otherwise entries removed since the CSL was published
///    would still hit. The CSL version's `lists` entry names the file that replaced them. With a
///    date unknown on either side both are kept (and the same party is kept once, step 3).
/// 2. OFAC alt/add/comments rows are folded into sdn.csv's records (`ofac::merge`); rows whose
///    ent_num has no record are counted in their version's `unmatched`, their aliases kept as
///    entities of their own.
/// 3. The same party in two files of one list (same list and id: sdn.csv and the CSL's SDN rows,
///    or an Entity List entry listed under two countries) is kept once, its names, countries,
///    addresses and footnotes joined.
pub fn assemble(files: Vec<LoadedFile>) -> Assembled {
    let side = |f: Format| matches!(f, Format::OfacAlt | Format::OfacAdd | Format::OfacComments);
    // (list, date, file) of every dedicated file.
    let dedicated: Vec<(String, String, String)> = files
        .iter()
        .filter(|f| !f.format.is_consolidated() && !side(f.format))
        .filter_map(|f| {
            let d = day(f.version.published.as_deref())?.to_string();
            Some(
                f.version
                    .lists
                    .iter()
                    .map(|l| (l.list.clone(), d.clone(), f.version.file.clone()))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    let mut versions = Vec::with_capacity(files.len());
    let mut issues = Vec::new();
    let mut main: Vec<Entity> = Vec::new();
    let mut partials = Vec::new();
    for (vi, mut f) in files.into_iter().enumerate() {
        let mut dropped: Vec<String> = Vec::new();
        if f.format.is_consolidated() {
            if let Some(own) = day(f.version.published.as_deref()).map(str::to_string) {
                for l in f.version.lists.iter_mut() {
                    let newer = dedicated
                        .iter()
                        .filter(|(list, d, _)| *list == l.list && d.as_str() >= own.as_str())
                        .max_by(|a, b| a.1.cmp(&b.1));
                    if let Some((_, _, file)) = newer {
                        l.superseded_by = Some(file.clone());
                        dropped.push(l.list.clone());
                    }
                }
            }
        }
        versions.push(f.version);
        issues.extend(f.issues);
        let is_side = side(f.format);
        for mut e in f.entities {
            if dropped.contains(&e.list) {
                continue;
            }
            e.version = vi;
            if is_side {
                partials.push(e);
            } else {
                main.push(e);
            }
        }
    }
    let report = ofac::merge(&mut main, partials);
    for (v, n) in report.unmatched {
        if let Some(v) = versions.get_mut(v) {
            v.unmatched += n;
        }
    }
    let mut seen = rustc_hash::FxHashMap::default();
    let mut entities: Vec<Entity> = Vec::with_capacity(main.len());
    for e in main {
        let key = (e.list.clone(), e.id.clone());
        match seen.get(&key) {
            Some(&i) => {
                let m: &mut Entity = &mut entities[i];
                for a in e.aliases {
                    if !m.aliases.contains(&a) {
                        m.aliases.push(a);
                    }
                }
                m.countries.extend(e.countries);
                for a in e.addresses {
                    if !m.addresses.contains(&a) {
                        m.addresses.push(a);
                    }
                }
                for f in e.footnotes {
                    if !m.footnotes.contains(&f) {
                        m.footnotes.push(f);
                    }
                }
                if m.license_requirement.is_none() {
                    m.license_requirement = e.license_requirement;
                }
                if m.license_policy.is_none() {
                    m.license_policy = e.license_policy;
                }
            }
            None => {
                seen.insert(key, entities.len());
                entities.push(e);
            }
        }
    }
    Assembled {
        versions,
        issues,
        entities,
    }
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
        assert_eq!(files.len(), BUNDLED.len());
        assert_eq!(files.len(), 12);
        for f in &files {
            assert!(f.version.rows > 0, "{}", f.version.file);
            assert_eq!(f.version.sha256.len(), 64);
            assert!(
                f.issues.is_empty(),
                "{}: {:?}",
                f.version.file,
                &f.issues[..f.issues.len().min(3)]
            );
            // Every bundled file has an as-of date, from itself or the manifest.
            assert!(f.version.published.is_some(), "{}", f.version.file);
            assert!(f.version.published_basis.is_some(), "{}", f.version.file);
            let per_list: usize = f.version.lists.iter().map(|l| l.rows).sum();
            assert_eq!(f.version.rows, per_list, "{}", f.version.file);
        }
        let get = |name: &str| {
            &files
                .iter()
                .find(|f| f.version.file == name)
                .unwrap_or_else(|| panic!("{name}"))
                .version
        };
        // Rows and dates as data/lists/README.md states them.
        let expect = [
            ("sdn.csv", 11_443, "2023-01-20"),
            ("alt.csv", 20_107, "2025-12"),
            ("add.csv", 24_244, "2025-12"),
            ("sdn_comments.csv", 28, "2025-12"),
            ("entity_list.json", 3_409, "2026-07-09"),
            ("meu.json", 70, "2026-07-09"),
            ("dpl.json", 564, "2026-03-26"),
            ("nscmic.json", 68, "2026-07"),
            ("1260h.json", 80, "2026-06-10"),
            ("mieu.csv", 13, "2022-03-02"),
            ("UN_consolidated.xml", 1_003, "2026-02-27"),
            ("csl.csv.gz", 14_160, "2022-04-21"),
        ];
        for (file, rows, date) in expect {
            let v = get(file);
            assert_eq!(v.rows, rows, "{file}");
            assert_eq!(
                v.published.as_deref().map(|p| &p[..p.len().min(10)]),
                Some(date),
                "{file}"
            );
        }
        assert!(get("sdn.csv")
            .published_basis
            .as_deref()
            .unwrap()
            .starts_with("as_of.csv:"));
        let csl = get("csl.csv.gz");
        let rows_of = |l: &str| csl.lists.iter().find(|x| x.list == l).map(|x| x.rows);
        assert_eq!(rows_of("SDN"), Some(10_026));
        assert_eq!(rows_of("Entity List"), Some(2_001));
        assert_eq!(rows_of("Unverified List"), Some(201));
        assert_eq!(csl.lists.len(), 13, "{:?}", csl.lists);
        // The manifest's date is bound to the bytes: another file of the same name keeps its own.
        let mut other = vec![load_bytes(Format::OfacSdn, "sdn.csv", b"36,X,-0- ,-0- \n").unwrap()];
        apply_manifest(&mut other, BUNDLED_MANIFEST);
        assert_eq!(other[0].version.published, None);
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
        assert_eq!(Format::detect("as_of.csv"), None);
        assert_eq!(Format::detect("SHA256SUMS"), None);
        // The publishers' and the offline snapshot's file names.
        for (name, f) in [
            ("csl_consolidated_2022-04-21.csv.gz", Format::CslCsvGz),
            ("consolidated.csv.gz", Format::CslCsvGz),
            (
                "bis_entity_list_ecfr_2026-07-09.json",
                Format::EntityListJson,
            ),
            ("bis_meu_ecfr_2026-07-09.json", Format::MeuJson),
            ("bis_dpl_2026-04-14.json", Format::DplJson),
            ("ofac_nscmic_2026-07.json", Format::NsCmicJson),
            ("dod_1260h_2026-06-10.json", Format::Dod1260hJson),
            ("bis_mieu_2022-03.csv", Format::MieuCsv),
            ("ofac_sdn_2023-01.csv", Format::OfacSdn),
            ("ofac_alt_2025-12.csv", Format::OfacAlt),
            ("ofac_add_2025-12.csv", Format::OfacAdd),
            ("ofac_sdn_comments_2025-12.csv", Format::OfacComments),
            ("ofac_cons_alt.csv", Format::OfacAlt),
        ] {
            let got = Format::detect(name);
            if name.contains("cons_") {
                assert_eq!(got, None, "{name}");
            } else {
                assert_eq!(got, Some(f), "{name}");
            }
        }
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
            assert_eq!(Format::detect(f.canonical_file()), Some(f));
        }
    }
}
