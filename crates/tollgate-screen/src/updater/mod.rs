//! The list directory: current lists downloaded from their publishers (`tollgate lists update`),
//! kept beside the bundled snapshot and overriding it source by source.
//!
//! Layout of a list directory `DIR`:
//! - `DIR/<file>`: the files in use, under the names `lists import` gives them (`csl.csv`,
//!   `sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`, `UN_consolidated.xml`,
//!   `targets.simple.csv`), so `--lists DIR` screens exactly them;
//! - `DIR/.state/<source>.json`: what is in use for a source and where it came from: per file
//!   the URL, ETag, Last-Modified, SHA-256, rows, as-of date and fetch time. Written last, by
//!   rename: it is the commit point of an update, and a reader that finds a file whose SHA-256
//!   differs from it is looking at an update in progress and reads again;
//! - `DIR/.state/history.jsonl`: one line per update, rollback or refusal;
//! - `DIR/.previous/<source>/<UTC time>/`: the versions replaced, newest last (`rollback`);
//! - `DIR/.rolled-back/<source>/<UTC time>/`: versions taken out by a rollback;
//! - `DIR/.staging/`, `DIR/.lock`: an update in progress.
//!
//! A download is written to the staging folder, parsed whole by the loader of its format, and
//! compared with the version it would replace (the one in the directory, else the bundled one):
//! one that fails, does not parse, has fewer than half the rows, or was rolled back before is
//! refused and nothing changes, unless forced.

pub mod http;

use crate::freshness::{self, ListAge};
use crate::load::{self, Format, LoadOptions, LoadedFile};
use crate::ScreenError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The env variable naming the list directory, and the directory used without it.
pub const DIR_ENV: &str = "TOLLGATE_LISTS_DIR";
pub const DEFAULT_DIR: &str = "lists";
/// Replaced versions kept per source.
pub const KEEP_PREVIOUS: usize = 10;

/// A publisher whose lists `lists update` downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// trade.gov (ITA) Consolidated Screening List, CSV.
    Csl,
    /// OFAC's SDN list in its four legacy CSV files.
    Ofac,
    /// UN Security Council consolidated list, XML.
    Un,
    /// OpenSanctions `targets.simple.csv` (the `sanctions` collection).
    OpenSanctions,
}

/// One file of a source: its format (which names it in the directory) and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub format: Format,
    pub url: String,
}

const CSL_URL: &str =
    "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv";
const OFAC_BASE: &str =
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";
const UN_URL: &str = "https://scsanctions.un.org/resources/xml/en/consolidated.xml";
const OPENSANCTIONS_URL: &str =
    "https://data.opensanctions.org/datasets/latest/sanctions/targets.simple.csv";
/// OFAC's files: format, the name OFAC publishes it under, the env suffix of its own URL.
const OFAC_FILES: [(Format, &str, &str); 4] = [
    (Format::OfacSdn, "SDN.CSV", "SDN"),
    (Format::OfacAlt, "ALT.CSV", "ALT"),
    (Format::OfacAdd, "ADD.CSV", "ADD"),
    (Format::OfacComments, "SDN_COMMENTS.CSV", "COMMENTS"),
];

/// The bundled files an updated CSL replaces: the lists it carries (Entity List, MEU, DPL,
/// NS-CMIC) and the bundled CSL itself. It also carries OFAC's SDN list: while OFAC itself has
/// not been updated into the directory, the bundled OFAC files give way to it too. The DoD
/// 1260H list, the MIEU list and the UN list are not in the CSL and stay.
const CSL_REPLACES: [&str; 5] = [
    "csl.csv.gz",
    "entity_list.json",
    "meu.json",
    "dpl.json",
    "nscmic.json",
];
const OFAC_REPLACES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

impl Source {
    pub const ALL: [Source; 4] = [Source::Csl, Source::Ofac, Source::Un, Source::OpenSanctions];

    pub fn name(self) -> &'static str {
        match self {
            Source::Csl => "csl",
            Source::Ofac => "ofac",
            Source::Un => "un",
            Source::OpenSanctions => "opensanctions",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s.trim()))
    }

    /// `TOLLGATE_LIST_URL_CSL`, `..._OFAC`, `..._UN`, `..._OPENSANCTIONS`.
    pub fn env(self) -> String {
        format!("TOLLGATE_LIST_URL_{}", self.name().to_ascii_uppercase())
    }

    /// The source a file format belongs to, if any.
    pub fn of_format(f: Format) -> Option<Source> {
        Some(match f {
            Format::CslCsv | Format::CslJson | Format::CslCsvGz => Source::Csl,
            Format::OfacSdn | Format::OfacAlt | Format::OfacAdd | Format::OfacComments => {
                Source::Ofac
            }
            Format::UnXml => Source::Un,
            Format::OpenSanctionsCsv | Format::FtmJson => Source::OpenSanctions,
            _ => return None,
        })
    }

    /// The files to download and their URLs: the official ones, or those the environment
    /// gives. `TOLLGATE_LIST_URL_OFAC` is a base URL to which OFAC's file names (`SDN.CSV`,
    /// `ALT.CSV`, `ADD.CSV`, `SDN_COMMENTS.CSV`) are appended; `TOLLGATE_LIST_URL_OFAC_SDN`,
    /// `_OFAC_ALT`, `_OFAC_ADD` and `_OFAC_COMMENTS` replace one file's URL.
    pub fn remotes(self) -> Vec<Remote> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        match self {
            Source::Csl => vec![Remote {
                format: Format::CslCsv,
                url: env(&self.env()).unwrap_or_else(|| CSL_URL.into()),
            }],
            Source::Un => vec![Remote {
                format: Format::UnXml,
                url: env(&self.env()).unwrap_or_else(|| UN_URL.into()),
            }],
            Source::OpenSanctions => vec![Remote {
                format: Format::OpenSanctionsCsv,
                url: env(&self.env()).unwrap_or_else(|| OPENSANCTIONS_URL.into()),
            }],
            Source::Ofac => {
                let base = env(&self.env()).unwrap_or_else(|| OFAC_BASE.into());
                OFAC_FILES
                    .iter()
                    .map(|(format, name, suffix)| {
                        let url = env(&format!("{}_{suffix}", self.env())).unwrap_or_else(|| {
                            if base.ends_with('/') {
                                format!("{base}{name}")
                            } else {
                                format!("{base}/{name}")
                            }
                        });
                        Remote {
                            format: *format,
                            url,
                        }
                    })
                    .collect()
            }
        }
    }

    /// The bundled file of this source's format that a download is compared with on the
    /// first update (nothing for OpenSanctions, which adds to the bundled lists).
    fn bundled_counterpart(self, f: Format) -> Option<&'static str> {
        match (self, f) {
            (Source::Csl, _) => Some("csl.csv.gz"),
            (Source::Un, _) => Some("UN_consolidated.xml"),
            (Source::Ofac, f) => Some(match f {
                Format::OfacSdn => "sdn.csv",
                Format::OfacAlt => "alt.csv",
                Format::OfacAdd => "add.csv",
                _ => "sdn_comments.csv",
            }),
            (Source::OpenSanctions, _) => None,
        }
    }
}

/// Which source a bundled file belongs to in `lists status` (`bundled` when no update source
/// refreshes it).
pub fn bundled_source(file: &str) -> &'static str {
    if OFAC_REPLACES.contains(&file) {
        "ofac"
    } else if CSL_REPLACES.contains(&file) {
        "csl"
    } else if file == "UN_consolidated.xml" {
        "un"
    } else {
        "bundled"
    }
}

/// Whether a bundled file gives way to the sources updated into the directory.
pub fn bundled_replaced(file: &str, updated: &[Source]) -> bool {
    let has = |s| updated.contains(&s);
    (has(Source::Csl) && CSL_REPLACES.contains(&file))
        || (OFAC_REPLACES.contains(&file) && (has(Source::Ofac) || has(Source::Csl)))
        || (has(Source::Un) && file == "UN_consolidated.xml")
}

/// The list directory: `--dir`, else `TOLLGATE_LISTS_DIR`, else `./lists`.
pub fn list_dir(arg: Option<&Path>) -> PathBuf {
    match arg {
        Some(d) => d.to_path_buf(),
        None => std::env::var_os(DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR)),
    }
}

/// One file of a source as it is in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub file: String,
    pub format: String,
    pub url: String,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    pub sha256: String,
    pub rows: usize,
    pub bytes: u64,
    /// The publisher's date in the file, if it carries one.
    #[serde(default)]
    pub published: Option<String>,
    /// The publisher's date, else the fetch date (`YYYY-MM-DD`).
    pub as_of: String,
    pub fetched_at: String,
}

/// `DIR/.state/<source>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    pub source: String,
    pub files: Vec<FileState>,
    /// When the publisher last confirmed these files current (a download or a 304).
    pub checked_at: String,
}

fn state_dir(dir: &Path) -> PathBuf {
    dir.join(".state")
}

fn state_path(dir: &Path, s: Source) -> PathBuf {
    state_dir(dir).join(format!("{}.json", s.name()))
}

fn rejected_path(dir: &Path, s: Source) -> PathBuf {
    state_dir(dir).join(format!("{}.rolled-back.json", s.name()))
}

/// The state of a source in `dir`, if it was ever updated there.
pub fn read_state(dir: &Path, s: Source) -> Option<SourceState> {
    let text = std::fs::read_to_string(state_path(dir, s)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The sources updated into `dir`, with their state.
pub fn states(dir: &Path) -> Vec<(Source, SourceState)> {
    Source::ALL
        .into_iter()
        .filter_map(|s| read_state(dir, s).map(|st| (s, st)))
        .collect()
}

/// A cheap fingerprint of what `dir` holds: the state files' contents (a server polls it and
/// reloads when it changes).
pub fn fingerprint(dir: &Path) -> String {
    states(dir)
        .iter()
        .map(|(s, st)| {
            let shas: Vec<&str> = st.files.iter().map(|f| f.sha256.as_str()).collect();
            format!("{}={}", s.name(), shas.join("+"))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Writes `bytes` to `path` through a temp file and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id(),
        nanos()
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Appends a line to `DIR/.state/history.jsonl` (best effort: the history is a record, not the
/// state).
fn history(dir: &Path, line: serde_json::Value) {
    use std::io::Write;
    let path = state_dir(dir).join("history.jsonl");
    let _ = std::fs::create_dir_all(state_dir(dir));
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// Why an update or a rollback did not happen.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// Refused: the download failed, did not parse, had too few rows, or was rolled back before;
    /// nothing changed (exit 3).
    #[error("{0}")]
    Refused(String),
    /// The list directory itself could not be written or read.
    #[error("{0}")]
    Local(String),
}

fn local(path: &Path, e: impl std::fmt::Display) -> UpdateError {
    UpdateError::Local(format!("{}: {e}", path.display()))
}

/// Holds `DIR/.lock` while an update or rollback changes the directory; a lock left by a process
/// that died is taken over after `STALE_LOCK`.
struct Lock(PathBuf);

const STALE_LOCK: Duration = Duration::from_secs(30 * 60);

impl Lock {
    fn take(dir: &Path) -> Result<Lock, UpdateError> {
        let path = dir.join(".lock");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = writeln!(f, "{} {}", std::process::id(), freshness::now_rfc3339());
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let old = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if old {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if std::time::Instant::now() > deadline {
                        return Err(UpdateError::Local(format!(
                            "{}: another update of this list directory is in progress",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(local(&path, e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A staging folder removed when dropped.
struct Staging(PathBuf);

impl Staging {
    fn new(dir: &Path, s: Source) -> Result<Staging, UpdateError> {
        let p =
            dir.join(".staging")
                .join(format!("{}-{}-{}", s.name(), std::process::id(), nanos()));
        std::fs::create_dir_all(&p).map_err(|e| local(&p, e))?;
        Ok(Staging(p))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How `update` behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateOptions {
    /// Take a download that has malformed rows, fewer than half the rows of the version it
    /// replaces, or that was rolled back before.
    pub force: bool,
    /// A progress bar per download (only ever on a terminal).
    pub progress: bool,
    pub retry: http::Retry,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New files are in use; the state now in force.
    Updated(SourceState),
    /// The publisher answered 304 Not Modified for every file: nothing changed.
    NotModified(SourceState),
}

/// Rows of the version a download would replace: the file in the directory, else the
/// bundled counterpart.
fn rows_in_use(s: Source, f: Format, state: Option<&SourceState>) -> Option<usize> {
    if let Some(fs) = state.and_then(|st| st.files.iter().find(|x| x.format == f.name())) {
        return Some(fs.rows);
    }
    let name = s.bundled_counterpart(f)?;
    let (_, bf, bytes) = load::BUNDLED.iter().find(|(n, _, _)| *n == name)?;
    load::load_bytes(*bf, name, bytes)
        .ok()
        .map(|l| l.version.rows)
}

fn rejected(dir: &Path, s: Source) -> Vec<String> {
    std::fs::read_to_string(rejected_path(dir, s))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Downloads a source's files into `dir` and puts them in use, or refuses (see the module
/// documentation). Holds the directory's lock throughout.
pub fn update(dir: &Path, s: Source, opts: UpdateOptions) -> Result<Outcome, UpdateError> {
    update_from(dir, s, &s.remotes(), opts)
}

/// The same from the given URLs (`Source::remotes` gives the official ones, or the
/// environment's); `file://` URLs are copied.
pub fn update_from(
    dir: &Path,
    s: Source,
    remotes: &[Remote],
    opts: UpdateOptions,
) -> Result<Outcome, UpdateError> {
    std::fs::create_dir_all(dir).map_err(|e| local(dir, e))?;
    let _lock = Lock::take(dir)?;
    let result = update_locked(dir, s, remotes, opts);
    if let Err(UpdateError::Refused(why)) = &result {
        history(
            dir,
            serde_json::json!({"at": freshness::now_rfc3339(), "source": s.name(), "action": "refused", "reason": why}),
        );
    }
    result
}

fn update_locked(
    dir: &Path,
    s: Source,
    remotes: &[Remote],
    opts: UpdateOptions,
) -> Result<Outcome, UpdateError> {
    let client = http::client().map_err(UpdateError::Local)?;
    let state = read_state(dir, s);
    let staging = Staging::new(dir, s)?;
    let now = freshness::now_rfc3339();
    let today = &now[..10];
    let mut files: Vec<FileState> = Vec::new();
    let mut changed = false;
    for r in remotes {
        let name = r.format.canonical_file();
        let in_use = state
            .as_ref()
            .and_then(|st| st.files.iter().find(|f| f.format == r.format.name()))
            // Conditional only while the file in use is the one the validators describe.
            .filter(|f| f.url == r.url && dir.join(&f.file).is_file());
        let validators = in_use.map(|f| http::Validators {
            etag: f.etag.clone(),
            last_modified: f.last_modified.clone(),
        });
        let dest = staging.0.join(name);
        let fetched = http::fetch(
            &client,
            &r.url,
            validators.as_ref(),
            &dest,
            opts.retry,
            opts.progress,
        )
        .map_err(|e| {
            UpdateError::Refused(format!(
                "{}: download failed: {e}; {}",
                s.name(),
                kept(dir, s, &state)
            ))
        })?;
        match fetched {
            http::Fetched::NotModified => {
                let Some(f) = in_use else {
                    return Err(UpdateError::Refused(format!(
                        "{}: {} answered 304 Not Modified to a request for a file not in use",
                        s.name(),
                        r.url
                    )));
                };
                files.push(f.clone());
            }
            http::Fetched::Downloaded {
                bytes,
                etag,
                last_modified,
            } => {
                let checked = check_download(dir, s, r.format, &dest, state.as_ref(), opts)?;
                let published = checked.version.published.clone();
                if let Some(same) = in_use.filter(|f| f.sha256 == checked.version.sha256) {
                    // The same bytes again (a server without validators): keep the old record,
                    // with the new validators.
                    let mut f = same.clone();
                    f.etag = etag;
                    f.last_modified = last_modified;
                    files.push(f);
                    continue;
                }
                changed = true;
                files.push(FileState {
                    file: name.to_string(),
                    format: r.format.name().to_string(),
                    url: r.url.clone(),
                    etag,
                    last_modified,
                    sha256: checked.version.sha256.clone(),
                    rows: checked.version.rows,
                    bytes,
                    as_of: published
                        .as_deref()
                        .map(|p| p.get(..10).unwrap_or(p).to_string())
                        .unwrap_or_else(|| today.to_string()),
                    published,
                    fetched_at: now.clone(),
                });
            }
        }
    }
    let new_state = SourceState {
        source: s.name().to_string(),
        files,
        checked_at: now.clone(),
    };
    if !changed {
        if let Some(old) = &state {
            // Nothing new: only the confirmation time moves.
            let mut st = old.clone();
            st.checked_at = now.clone();
            for (f, n) in st.files.iter_mut().zip(&new_state.files) {
                f.etag = n.etag.clone();
                f.last_modified = n.last_modified.clone();
            }
            write_state(dir, s, &st)?;
            return Ok(Outcome::NotModified(st));
        }
    }
    swap_in(dir, s, &staging.0, state.as_ref(), &new_state)?;
    for f in &new_state.files {
        history(
            dir,
            serde_json::json!({"at": now, "source": s.name(), "action": "updated", "file": f.file,
                "url": f.url, "sha256": f.sha256, "rows": f.rows, "as_of": f.as_of}),
        );
    }
    Ok(Outcome::Updated(new_state))
}

/// "the version in use stays" in words, for refusals.
fn kept(dir: &Path, s: Source, state: &Option<SourceState>) -> String {
    match state {
        Some(st) => format!(
            "the version in use stays ({})",
            st.files
                .iter()
                .map(|f| format!(
                    "{} of {}, {} rows, sha256 {}",
                    dir.join(&f.file).display(),
                    f.as_of,
                    f.rows,
                    f.sha256.get(..12).unwrap_or(&f.sha256)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        None => format!("the bundled {} lists stay in use", s.name()),
    }
}

/// Parses a download whole and compares it with the version it would replace.
fn check_download(
    dir: &Path,
    s: Source,
    f: Format,
    path: &Path,
    state: Option<&SourceState>,
    opts: UpdateOptions,
) -> Result<LoadedFile, UpdateError> {
    let refuse = |why: String| {
        UpdateError::Refused(format!(
            "{}: {} refused: {why}; {}",
            s.name(),
            f.canonical_file(),
            kept(dir, s, &state.cloned())
        ))
    };
    let loaded = load::load_path(path, f, LoadOptions::default())
        .map_err(|e| refuse(format!("it does not parse: {e}")))?;
    if loaded.version.rows == 0 {
        return Err(refuse("it has no rows".into()));
    }
    if let Some(i) = loaded.issues.first() {
        if !opts.force {
            return Err(refuse(format!(
                "it does not parse: line {}: {} ({} malformed row(s) in all; --force takes it without them)",
                i.line,
                i.message,
                loaded.issues.len()
            )));
        }
    }
    if let Some(old) = rows_in_use(s, f, state) {
        if loaded.version.rows * 2 < old && !opts.force {
            return Err(refuse(format!(
                "it has {} rows against {old} in the version it would replace (a truncated \
                 download?); --force takes it anyway",
                loaded.version.rows
            )));
        }
    }
    if rejected(dir, s).contains(&loaded.version.sha256) && !opts.force {
        return Err(refuse(format!(
            "this version (sha256 {}) was rolled back before; --force takes it anyway",
            loaded.version.sha256
        )));
    }
    Ok(loaded)
}

fn write_state(dir: &Path, s: Source, st: &SourceState) -> Result<(), UpdateError> {
    let p = state_path(dir, s);
    let json = serde_json::to_vec_pretty(st).map_err(|e| local(&p, e))?;
    write_atomic(&p, &json).map_err(|e| local(&p, e))
}

/// A new folder under `base` named by the UTC time (made unique).
fn dated_dir(base: &Path) -> Result<PathBuf, UpdateError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let mut p = base.join(&stamp);
    let mut n = 1;
    while p.exists() {
        n += 1;
        p = base.join(format!("{stamp}-{n}"));
    }
    std::fs::create_dir_all(&p).map_err(|e| local(&p, e))?;
    Ok(p)
}

/// A hard link where the file system allows, else a copy.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}

/// Keeps the version in use under `.previous/<source>/<time>/` (its files and state; a
/// `BUNDLED` marker when the bundled lists were in use), renames the staged files into place
/// one by one, removes files of the source the new state no longer names, then writes the state
/// (the commit point) and prunes old versions.
fn swap_in(
    dir: &Path,
    s: Source,
    staged: &Path,
    old: Option<&SourceState>,
    new: &SourceState,
) -> Result<(), UpdateError> {
    let prev = dated_dir(&dir.join(".previous").join(s.name()))?;
    match old {
        Some(st) => {
            for f in &st.files {
                let from = dir.join(&f.file);
                if from.is_file() {
                    link_or_copy(&from, &prev.join(&f.file)).map_err(|e| local(&from, e))?;
                }
            }
            let json = serde_json::to_vec_pretty(st).map_err(|e| local(&prev, e))?;
            std::fs::write(prev.join("state.json"), json).map_err(|e| local(&prev, e))?;
        }
        None => {
            std::fs::write(prev.join("BUNDLED"), b"the bundled lists were in use\n")
                .map_err(|e| local(&prev, e))?;
        }
    }
    for f in &new.files {
        let from = staged.join(&f.file);
        if from.is_file() {
            let to = dir.join(&f.file);
            std::fs::rename(&from, &to).map_err(|e| local(&to, e))?;
        }
    }
    if let Some(st) = old {
        for f in &st.files {
            if !new.files.iter().any(|n| n.file == f.file) {
                let _ = std::fs::remove_file(dir.join(&f.file));
            }
        }
    }
    write_state(dir, s, new)?;
    prune(&dir.join(".previous").join(s.name()));
    Ok(())
}

fn prune(base: &Path) {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    while dirs.len() > KEEP_PREVIOUS {
        let _ = std::fs::remove_dir_all(dirs.remove(0));
    }
}

/// A source's version id: its files' SHA-256s joined by `+`, in the state's order.
pub fn version_id(st: &SourceState) -> String {
    st.files
        .iter()
        .map(|f| f.sha256.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// Puts a version that another node accepted in use (the files' bytes by name, checked against
/// the state's SHA-256s and parsed whole), keeping the one it replaces like an update does.
/// No row-count check: the version was checked where it was downloaded.
pub fn install(
    dir: &Path,
    s: Source,
    st: &SourceState,
    files: &[(String, Vec<u8>)],
) -> Result<(), UpdateError> {
    std::fs::create_dir_all(dir).map_err(|e| local(dir, e))?;
    let _lock = Lock::take(dir)?;
    let old = read_state(dir, s);
    if old
        .as_ref()
        .is_some_and(|o| version_id(o) == version_id(st))
    {
        return Ok(());
    }
    let staging = Staging::new(dir, s)?;
    for f in &st.files {
        let bytes = files
            .iter()
            .find(|(n, _)| *n == f.file)
            .map(|(_, b)| b)
            .ok_or_else(|| UpdateError::Refused(format!("{}: {} is missing", s.name(), f.file)))?;
        let format = Format::parse(&f.format)
            .filter(|x| x.canonical_file() == f.file && Source::of_format(*x) == Some(s))
            .ok_or_else(|| {
                UpdateError::Refused(format!(
                    "{}: {} is not a {} file",
                    s.name(),
                    f.file,
                    s.name()
                ))
            })?;
        let path = staging.0.join(&f.file);
        std::fs::write(&path, bytes).map_err(|e| local(&path, e))?;
        let got = load::load_path(&path, format, LoadOptions::default())
            .map_err(|e| UpdateError::Refused(format!("{}: {e}", s.name())))?;
        if got.version.sha256 != f.sha256 {
            return Err(UpdateError::Refused(format!(
                "{}: {} has sha256 {}, not the {} of the version",
                s.name(),
                f.file,
                got.version.sha256,
                f.sha256
            )));
        }
    }
    swap_in(dir, s, &staging.0, old.as_ref(), st)?;
    history(
        dir,
        serde_json::json!({"at": freshness::now_rfc3339(), "source": s.name(), "action": "installed",
            "version": version_id(st)}),
    );
    Ok(())
}

/// Takes a source out of the directory (the bundled lists of that source are used again),
/// keeping the version in use under `.previous/`.
pub fn remove_source(dir: &Path, s: Source) -> Result<(), UpdateError> {
    let _lock = Lock::take(dir)?;
    let Some(old) = read_state(dir, s) else {
        return Ok(());
    };
    let prev = dated_dir(&dir.join(".previous").join(s.name()))?;
    for f in &old.files {
        let from = dir.join(&f.file);
        if from.is_file() {
            link_or_copy(&from, &prev.join(&f.file)).map_err(|e| local(&from, e))?;
        }
    }
    let json = serde_json::to_vec_pretty(&old).map_err(|e| local(&prev, e))?;
    std::fs::write(prev.join("state.json"), json).map_err(|e| local(&prev, e))?;
    let p = state_path(dir, s);
    std::fs::remove_file(&p).map_err(|e| local(&p, e))?;
    for f in &old.files {
        let _ = std::fs::remove_file(dir.join(&f.file));
    }
    history(
        dir,
        serde_json::json!({"at": freshness::now_rfc3339(), "source": s.name(), "action": "removed"}),
    );
    Ok(())
}

/// What a rollback restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolledBack {
    /// The previous downloaded version is in use again.
    To(SourceState),
    /// The source was first updated from the bundled lists: they are in use again.
    ToBundled,
}

/// Puts the last replaced version of `s` back in use; the version it replaces moves to
/// `.rolled-back/` and a later update refuses its files unless forced.
pub fn rollback(dir: &Path, s: Source) -> Result<RolledBack, UpdateError> {
    let _lock = Lock::take(dir)?;
    let base = dir.join(".previous").join(s.name());
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let Some(prev) = dirs.pop() else {
        return Err(UpdateError::Refused(format!(
            "{}: no previous version to roll back to in {}",
            s.name(),
            base.display()
        )));
    };
    let current = read_state(dir, s);
    let restored: Option<SourceState> = if prev.join("BUNDLED").is_file() {
        None
    } else {
        let p = prev.join("state.json");
        let st: SourceState = std::fs::read_to_string(&p)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| UpdateError::Local(format!("{}: unreadable", p.display())))?;
        for f in &st.files {
            let path = prev.join(&f.file);
            let got = load::load_path(
                &path,
                Format::parse(&f.format).unwrap_or(Format::CslCsv),
                LoadOptions::default(),
            )
            .map(|l| l.version.sha256)
            .map_err(|e| {
                UpdateError::Refused(format!(
                    "{}: the previous version is damaged: {e}",
                    s.name()
                ))
            })?;
            if got != f.sha256 {
                return Err(UpdateError::Refused(format!(
                    "{}: the previous version's {} does not match its recorded sha256",
                    s.name(),
                    f.file
                )));
            }
        }
        Some(st)
    };
    // Keep what is taken out, and remember its files so an update does not bring them back.
    if let Some(cur) = &current {
        let out = dated_dir(&dir.join(".rolled-back").join(s.name()))?;
        for f in &cur.files {
            let from = dir.join(&f.file);
            if from.is_file() {
                link_or_copy(&from, &out.join(&f.file)).map_err(|e| local(&from, e))?;
            }
        }
        let json = serde_json::to_vec_pretty(cur).map_err(|e| local(&out, e))?;
        std::fs::write(out.join("state.json"), json).map_err(|e| local(&out, e))?;
        let mut rej = rejected(dir, s);
        for f in &cur.files {
            let back = restored
                .as_ref()
                .is_some_and(|r| r.files.iter().any(|x| x.sha256 == f.sha256));
            if !back && !rej.contains(&f.sha256) {
                rej.push(f.sha256.clone());
            }
        }
        let p = rejected_path(dir, s);
        let json = serde_json::to_vec_pretty(&rej).map_err(|e| local(&p, e))?;
        write_atomic(&p, &json).map_err(|e| local(&p, e))?;
    }
    let result = match restored {
        Some(st) => {
            let staging = Staging::new(dir, s)?;
            for f in &st.files {
                let from = prev.join(&f.file);
                link_or_copy(&from, &staging.0.join(&f.file)).map_err(|e| local(&from, e))?;
            }
            for f in &st.files {
                let to = dir.join(&f.file);
                std::fs::rename(staging.0.join(&f.file), &to).map_err(|e| local(&to, e))?;
            }
            if let Some(cur) = &current {
                for f in &cur.files {
                    if !st.files.iter().any(|n| n.file == f.file) {
                        let _ = std::fs::remove_file(dir.join(&f.file));
                    }
                }
            }
            write_state(dir, s, &st)?;
            RolledBack::To(st)
        }
        None => {
            // The state goes first: without it the files are no longer the source's version.
            let p = state_path(dir, s);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| local(&p, e))?;
            }
            if let Some(cur) = &current {
                for f in &cur.files {
                    let _ = std::fs::remove_file(dir.join(&f.file));
                }
            }
            RolledBack::ToBundled
        }
    };
    let _ = std::fs::remove_dir_all(&prev);
    history(
        dir,
        serde_json::json!({"at": freshness::now_rfc3339(), "source": s.name(), "action": "rolled back",
            "to": match &result { RolledBack::To(st) => st.files.iter().map(|f| f.sha256.clone()).collect::<Vec<_>>(), RolledBack::ToBundled => vec!["bundled".to_string()] }}),
    );
    Ok(result)
}

/// The files a screener loads and how current each is.
#[derive(Debug)]
pub struct Current {
    pub files: Vec<LoadedFile>,
    pub ages: Vec<ListAge>,
    /// [`fingerprint`] of the directory when it was read (empty for the bundled lists alone).
    pub fingerprint: String,
    /// The sources taken from the directory.
    pub updated: Vec<Source>,
}

/// Attempts at reading a consistent directory while an update renames files into it.
const READ_ATTEMPTS: u32 = 50;

/// The bundled lists with every source updated into `dir` in place of its bundled files
/// (`bundled_replaced`); a `dir` that does not exist or holds no state gives the bundled lists.
pub fn load_current(dir: &Path, opts: LoadOptions) -> Result<Current, ScreenError> {
    let mut last = None;
    for _ in 0..READ_ATTEMPTS {
        match load_current_once(dir, opts) {
            Ok(c) => return Ok(c),
            Err(Retry::Again(why)) => {
                last = Some(why);
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(Retry::Fail(e)) => return Err(e),
        }
    }
    Err(ScreenError::format(
        &dir.display().to_string(),
        format!(
            "the list directory kept changing while it was read: {}",
            last.unwrap_or_default()
        ),
    ))
}

enum Retry {
    Again(String),
    Fail(ScreenError),
}

fn load_current_once(dir: &Path, opts: LoadOptions) -> Result<Current, Retry> {
    let fp = fingerprint(dir);
    let sts = states(dir);
    let updated: Vec<Source> = sts.iter().map(|(s, _)| *s).collect();
    let mut ages: Vec<ListAge> = Vec::new();
    let mut files: Vec<LoadedFile> = {
        use rayon::prelude::*;
        load::BUNDLED
            .par_iter()
            .filter(|(name, _, _)| !bundled_replaced(name, &updated))
            .map(|(name, f, bytes)| load::load_bytes(*f, name, bytes))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Retry::Fail)?
    };
    load::apply_manifest(&mut files, load::BUNDLED_MANIFEST);
    for lf in &files {
        let v = &lf.version;
        let source = bundled_source(&v.file);
        ages.push(ListAge {
            source: source.to_string(),
            file: v.file.clone(),
            as_of: v
                .published
                .as_deref()
                .map(|p| p.get(..10).unwrap_or(p).to_string())
                .unwrap_or_default(),
            fetched_at: None,
            checked_at: None,
            rows: v.rows,
            sha256: v.sha256.clone(),
            bundled: true,
            updatable: source != "bundled",
        });
    }
    for (s, st) in &sts {
        for fs in &st.files {
            let format = Format::parse(&fs.format)
                .ok_or_else(|| Retry::Fail(ScreenError::UnknownFormat(fs.format.clone())))?;
            let path = dir.join(&fs.file);
            let mut lf = match load::load_path(&path, format, opts) {
                Ok(lf) => lf,
                Err(e @ ScreenError::Io { .. }) => {
                    return Err(Retry::Again(e.to_string()));
                }
                Err(e) => return Err(Retry::Fail(e)),
            };
            if lf.version.sha256 != fs.sha256 {
                return Err(Retry::Again(format!(
                    "{}: sha256 {} is not the {} of {}",
                    path.display(),
                    lf.version.sha256,
                    fs.sha256,
                    state_path(dir, *s).display()
                )));
            }
            if lf.version.published.is_none() {
                lf.version.published = Some(fs.as_of.clone());
                lf.version.published_basis = Some(format!(
                    "fetched from {} at {} (the file carries no date)",
                    fs.url, fs.fetched_at
                ));
            }
            ages.push(ListAge {
                source: s.name().to_string(),
                file: fs.file.clone(),
                as_of: fs.as_of.clone(),
                fetched_at: Some(fs.fetched_at.clone()),
                checked_at: Some(st.checked_at.clone()),
                rows: lf.version.rows,
                sha256: lf.version.sha256.clone(),
                bundled: false,
                updatable: true,
            });
            files.push(lf);
        }
    }
    if fingerprint(dir) != fp {
        return Err(Retry::Again(
            "the state changed while the files were read".into(),
        ));
    }
    Ok(Current {
        files,
        ages,
        fingerprint: fp,
        updated,
    })
}

/// Exactly the files of `dir` (`--lists DIR`), with their ages: a file's own date, else the
/// date of a list directory's state for it, else its modification time.
pub fn load_exact(dir: &Path, opts: LoadOptions) -> Result<Current, ScreenError> {
    let files = load::load_dir(dir, opts)?;
    let sts = states(dir);
    let mut ages = Vec::new();
    for lf in &files {
        let v = &lf.version;
        let source = Format::parse(&v.format).and_then(Source::of_format);
        let st = sts.iter().find_map(|(_, st)| {
            st.files
                .iter()
                .find(|f| f.file == v.file && f.sha256 == v.sha256)
                .map(|f| (st, f))
        });
        let mtime = || {
            std::fs::metadata(dir.join(&v.file))
                .and_then(|m| m.modified())
                .ok()
                .map(|t| {
                    chrono::DateTime::<chrono::Utc>::from(t)
                        .format("%Y-%m-%d")
                        .to_string()
                })
                .unwrap_or_default()
        };
        let as_of = v
            .published
            .as_deref()
            .map(|p| p.get(..10).unwrap_or(p).to_string())
            .or_else(|| st.map(|(_, f)| f.as_of.clone()))
            .unwrap_or_else(mtime);
        ages.push(ListAge {
            source: source.map(Source::name).unwrap_or("local").to_string(),
            file: v.file.clone(),
            as_of,
            fetched_at: st.map(|(_, f)| f.fetched_at.clone()),
            checked_at: st.map(|(st, _)| st.checked_at.clone()),
            rows: v.rows,
            sha256: v.sha256.clone(),
            bundled: false,
            updatable: source.is_some(),
        });
    }
    Ok(Current {
        files,
        ages,
        fingerprint: fingerprint(dir),
        updated: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_replace_the_bundled_files_they_cover() {
        let all: Vec<&str> = load::BUNDLED.iter().map(|(n, _, _)| *n).collect();
        let kept = |updated: &[Source]| -> Vec<&str> {
            all.iter()
                .copied()
                .filter(|f| !bundled_replaced(f, updated))
                .collect()
        };
        assert_eq!(kept(&[]), all);
        // The CSL carries the BIS lists and OFAC's SDN list, not DoD 1260H, MIEU or the UN list.
        assert_eq!(
            kept(&[Source::Csl]),
            ["1260h.json", "mieu.csv", "UN_consolidated.xml"]
        );
        assert_eq!(
            kept(&[Source::Ofac]).len(),
            all.len() - 4,
            "{:?}",
            kept(&[Source::Ofac])
        );
        assert!(!kept(&[Source::Un]).contains(&"UN_consolidated.xml"));
        assert_eq!(kept(&[Source::OpenSanctions]), all);
        for f in &all {
            let s = bundled_source(f);
            assert_eq!(
                s == "bundled",
                ["1260h.json", "mieu.csv"].contains(f),
                "{f}"
            );
        }
    }

    #[test]
    fn every_source_downloads_files_of_its_own_formats() {
        for s in Source::ALL {
            assert_eq!(Source::parse(s.name()), Some(s));
            for r in s.remotes() {
                assert_eq!(Source::of_format(r.format), Some(s));
                assert!(r.url.starts_with("https://") || r.url.contains("://"));
            }
        }
        assert_eq!(Source::Ofac.remotes().len(), 4);
        assert_eq!(Source::parse("all"), None);
    }
}
