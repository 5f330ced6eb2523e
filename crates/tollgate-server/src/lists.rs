//! The screening lists a server uses, swappable while it serves: a request takes the lists in
//! use once (an `Arc`) and finishes on them, whatever is swapped in meanwhile. New lists are
//! built off the request path (on a blocking thread) and swapped in with one atomic store; the
//! party cache goes with the lists it was filled from.
//!
//! `serve` reloads when the list directory's state changes (a `lists update` from the CLI, the
//! server's own scheduled refresh, or a node following the version that the shared database
//! names; see `tollgate_store::list_versions`).

use arc_swap::ArcSwapOption;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tollgate_screen::order::PartyCache;
use tollgate_screen::updater::{self, Source, SourceState};
use tollgate_screen::Screener;
use tollgate_store::list_versions::{ActiveVersion, ListVersions, BUNDLED};

/// Lists in use and what belongs to them.
pub struct Lists {
    pub screener: Arc<Screener>,
    /// Recent parties' screening results on these lists.
    pub party_cache: PartyCache,
    /// `updater::fingerprint` of the list directory they were read from ("" for others).
    pub fingerprint: String,
    /// When they were swapped in (RFC 3339).
    pub loaded_at: String,
}

/// Where a server's lists come from, so it can read them again.
#[derive(Debug, Clone)]
pub enum ListSource {
    /// The bundled lists with the sources of this list directory in their place.
    Current { dir: PathBuf, max_age_days: u32 },
    /// Exactly the files of a directory (`--lists DIR`): never reloaded.
    Exact(PathBuf),
    /// A screener given by the caller (tests, embedding).
    Fixed,
}

/// How this node stands against the list version the shared database names.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SyncState {
    /// Whether the node loads what the database names.
    pub in_sync: bool,
    /// Sources whose version here differs from the database's, with both SHA-256s.
    pub lagging: Vec<String>,
    /// When the database was last read (RFC 3339).
    pub checked_at: Option<String>,
    /// The last error reading or following the database's version.
    pub error: Option<String>,
}

/// The lists in use (none: the server decides without screening).
#[derive(Clone)]
pub struct ListsHandle {
    current: Arc<ArcSwapOption<Lists>>,
    pub source: Arc<Mutex<ListSource>>,
    /// Set when the server follows a shared database's list version.
    pub sync: Arc<Mutex<Option<SyncState>>>,
    /// Swaps so far (for `/ready` and tests).
    swaps: Arc<std::sync::atomic::AtomicU64>,
    /// Held while this node changes its list directory (a scheduled refresh, following the
    /// database), so the two never interleave.
    pub ops: Arc<tokio::sync::Mutex<()>>,
}

impl Default for ListsHandle {
    fn default() -> Self {
        ListsHandle {
            current: Arc::new(ArcSwapOption::empty()),
            source: Arc::new(Mutex::new(ListSource::Fixed)),
            sync: Arc::new(Mutex::new(None)),
            swaps: Default::default(),
            ops: Default::default(),
        }
    }
}

impl std::fmt::Debug for ListsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListsHandle({} swaps)", self.swaps())
    }
}

impl ListsHandle {
    /// The lists in use now; hold the `Arc` for the whole request.
    pub fn load(&self) -> Option<Arc<Lists>> {
        self.current.load_full()
    }

    pub fn screener(&self) -> Option<Arc<Screener>> {
        self.load().map(|l| l.screener.clone())
    }

    /// Puts `screener` in use (with an empty party cache); requests already running finish on
    /// the lists they took.
    pub fn swap(&self, screener: Arc<Screener>, fingerprint: String) {
        self.current.store(Some(Arc::new(Lists {
            screener,
            party_cache: PartyCache::new(crate::PARTY_CACHE),
            fingerprint,
            loaded_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        })));
        self.swaps
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn swaps(&self) -> u64 {
        self.swaps.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_source(&self, s: ListSource) {
        if let Ok(mut g) = self.source.lock() {
            *g = s;
        }
    }

    pub fn list_source(&self) -> ListSource {
        self.source
            .lock()
            .map(|g| g.clone())
            .unwrap_or(ListSource::Fixed)
    }

    pub fn sync_state(&self) -> Option<SyncState> {
        self.sync.lock().ok().and_then(|g| g.clone())
    }

    pub fn set_sync(&self, s: SyncState) {
        if let Ok(mut g) = self.sync.lock() {
            *g = Some(s);
        }
    }

    /// Reads the list directory again when its state differs from the lists in use, and swaps
    /// the new lists in. Blocking (it parses and indexes the lists): call it on a blocking
    /// thread. `Ok(true)` when new lists went in.
    pub fn reload_if_changed(&self) -> Result<bool, String> {
        let ListSource::Current { dir, max_age_days } = self.list_source() else {
            return Ok(false);
        };
        let fp = tollgate_screen::updater::fingerprint(&dir);
        if self.load().is_some_and(|l| l.fingerprint == fp) {
            return Ok(false);
        }
        let c = tollgate_screen::updater::load_current(&dir, Default::default())
            .map_err(|e| e.to_string())?;
        let fingerprint = c.fingerprint.clone();
        let s = Screener::build(c.files).with_freshness(
            tollgate_screen::freshness::Freshness::new(c.ages, max_age_days),
        );
        self.swap(Arc::new(s), fingerprint);
        Ok(true)
    }
}

/// Publishes the version of `s` in the list directory `dir` as the one every node sharing the
/// database uses: its files (those not stored yet) and the state that describes them; no state
/// publishes the bundled lists.
pub async fn publish(lv: &ListVersions, dir: &Path, s: Source, by: &str) -> Result<(), String> {
    use sha2::Digest;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let v = match updater::read_state(dir, s) {
        None => ActiveVersion {
            source: s.name().into(),
            version: BUNDLED.into(),
            as_of: String::new(),
            state: String::new(),
            updated_at: now,
            updated_by: by.into(),
        },
        Some(st) => {
            for f in &st.files {
                if lv.has_file(&f.sha256).await.map_err(|e| e.to_string())? {
                    continue;
                }
                let path = dir.join(&f.file);
                let bytes = tokio::fs::read(&path)
                    .await
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let got = format!("{:x}", sha2::Sha256::digest(&bytes));
                if got != f.sha256 {
                    return Err(format!(
                        "{}: changed while it was published (sha256 {got}, the state says {})",
                        path.display(),
                        f.sha256
                    ));
                }
                lv.put_file(&f.sha256, &f.file, &bytes)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            ActiveVersion {
                source: s.name().into(),
                version: updater::version_id(&st),
                as_of: st
                    .files
                    .iter()
                    .map(|f| f.as_of.clone())
                    .min()
                    .unwrap_or_default(),
                state: serde_json::to_string(&st).map_err(|e| e.to_string())?,
                updated_at: now,
                updated_by: by.into(),
            }
        }
    };
    lv.set_active(&v).await.map_err(|e| e.to_string())
}

/// The version of each source in a fingerprint (`csl=sha+sha;un=sha`).
fn versions_of(fingerprint: &str) -> Vec<(String, String)> {
    fingerprint
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn short(v: &str) -> String {
    v.split('+')
        .map(|x| x.get(..12).unwrap_or(x))
        .collect::<Vec<_>>()
        .join("+")
}

/// One look at the database: sources it names in a version other than the directory's are
/// brought into the directory (their files read from the database), sources the directory has
/// and the database does not are published, and the lists are reloaded; then how the lists
/// this node screens with stand against the database's. Hold `ops` around it.
pub async fn follow_once(
    handle: &ListsHandle,
    lv: &ListVersions,
    dir: &Path,
    node: &str,
) -> SyncState {
    let mut errors: Vec<String> = Vec::new();
    match lv.active().await {
        Err(e) => errors.push(format!("reading the list versions: {e}")),
        Ok(active) => {
            for s in Source::ALL {
                let db = active.iter().find(|v| v.source == s.name());
                let local = updater::read_state(dir, s);
                let local_id = local
                    .as_ref()
                    .map(updater::version_id)
                    .unwrap_or_else(|| BUNDLED.to_string());
                let r = match db {
                    None if local.is_some() => publish(lv, dir, s, node).await,
                    None => Ok(()),
                    Some(v) if v.version == local_id => Ok(()),
                    Some(v) if v.version == BUNDLED => {
                        let d = dir.to_path_buf();
                        tokio::task::spawn_blocking(move || updater::remove_source(&d, s))
                            .await
                            .map_err(|e| e.to_string())
                            .and_then(|r| r.map_err(|e| e.to_string()))
                    }
                    Some(v) => follow(lv, dir, s, v).await,
                };
                if let Err(e) = r {
                    errors.push(format!("{}: {e}", s.name()));
                }
            }
        }
    }
    let h = handle.clone();
    match tokio::task::spawn_blocking(move || h.reload_if_changed()).await {
        Ok(Err(e)) => errors.push(format!("reloading the lists: {e}")),
        Err(e) => errors.push(e.to_string()),
        Ok(Ok(_)) => {}
    }
    let loaded = handle
        .load()
        .map(|l| versions_of(&l.fingerprint))
        .unwrap_or_default();
    let mut lagging = Vec::new();
    match lv.active().await {
        Err(e) => errors.push(format!("reading the list versions: {e}")),
        Ok(active) => {
            for v in &active {
                let here = loaded
                    .iter()
                    .find(|(s, _)| *s == v.source)
                    .map(|(_, x)| x.as_str())
                    .unwrap_or(BUNDLED);
                if here != v.version {
                    lagging.push(format!(
                        "{}: this node screens with {}, the database names {} (published {} by {})",
                        v.source,
                        short(here),
                        short(&v.version),
                        v.updated_at,
                        v.updated_by
                    ));
                }
            }
        }
    }
    SyncState {
        in_sync: lagging.is_empty() && errors.is_empty(),
        lagging,
        checked_at: Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    }
}

/// Brings the database's version of `s` into the list directory.
async fn follow(lv: &ListVersions, dir: &Path, s: Source, v: &ActiveVersion) -> Result<(), String> {
    let st: SourceState = serde_json::from_str(&v.state)
        .map_err(|e| format!("the database's state of version {}: {e}", short(&v.version)))?;
    let mut files = Vec::new();
    for f in &st.files {
        let bytes = lv
            .file(&f.sha256)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "{} of version {} is not in the database",
                    f.file,
                    short(&v.version)
                )
            })?;
        files.push((f.file.clone(), bytes));
    }
    let d = dir.to_path_buf();
    tokio::task::spawn_blocking(move || updater::install(&d, s, &st, &files))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Parses a refresh interval: `90s`, `30m`, `6h`, `1d` (a bare number is hours).
pub fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "h"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration like 90s, 30m, 6h or 1d"))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("'{s}' is not a duration like 90s, 30m, 6h or 1d")),
    };
    if secs == 0 {
        return Err(format!("'{s}': the interval must be longer than zero"));
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("6h").unwrap().as_secs(), 21_600);
        assert_eq!(parse_interval("30m").unwrap().as_secs(), 1_800);
        assert_eq!(parse_interval("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_interval("1d").unwrap().as_secs(), 86_400);
        assert_eq!(parse_interval("2").unwrap().as_secs(), 7_200);
        assert!(parse_interval("0h").is_err());
        assert!(parse_interval("soon").is_err());
    }
}
