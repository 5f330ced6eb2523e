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
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tollgate_screen::order::PartyCache;
use tollgate_screen::Screener;

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
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
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
}

impl Default for ListsHandle {
    fn default() -> Self {
        ListsHandle {
            current: Arc::new(ArcSwapOption::empty()),
            source: Arc::new(Mutex::new(ListSource::Fixed)),
            sync: Arc::new(Mutex::new(None)),
            swaps: Default::default(),
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
