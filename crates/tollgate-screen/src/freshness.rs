//! How current the loaded lists are: each file's as-of date, when it was fetched and last
//! confirmed by its publisher, its age in days, and whether the set is stale. A screener carries
//! a [`Freshness`] when the CLI or the server built it; screening results and decisions then
//! carry the `stale_lists` warning while any list that an update can refresh is older than the
//! maximum age.

use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};
use tollgate_core::decide::Warning;

/// Default maximum age of a list, in days (`--max-list-age`, `TOLLGATE_MAX_LIST_AGE_DAYS`).
pub const DEFAULT_MAX_AGE_DAYS: u32 = 7;
/// The env variable that sets the maximum age.
pub const MAX_AGE_ENV: &str = "TOLLGATE_MAX_LIST_AGE_DAYS";
/// The warning code on decisions and screening results.
pub const STALE_CODE: &str = "stale_lists";

/// One loaded list file and how current it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAge {
    /// The update source the file belongs to (`csl`, `ofac`, `un`, `opensanctions`), or
    /// `bundled` for a bundled file that no update source refreshes (DoD 1260H, MIEU), or
    /// `local` for a file of a `--lists DIR` directory that no source covers.
    pub source: String,
    pub file: String,
    /// The publisher's date where the file carries one, else the fetch date; for the bundled
    /// snapshot the snapshot's date of that file (`YYYY-MM-DD`, or `YYYY-MM` where only the
    /// month is known).
    pub as_of: String,
    /// When the file in use was downloaded (RFC 3339, UTC); none for the bundled snapshot.
    pub fetched_at: Option<String>,
    /// When the publisher last confirmed it current (a download or a 304 Not Modified).
    pub checked_at: Option<String>,
    pub rows: usize,
    pub sha256: String,
    /// Whether the file is the copy compiled into the binary.
    pub bundled: bool,
    /// Whether `tollgate lists update` can refresh it (counts towards `stale`).
    pub updatable: bool,
}

impl ListAge {
    /// Seconds since the Unix epoch from which the list is known current: the later of its
    /// as-of date and the last confirmation by its publisher.
    pub fn current_since(&self) -> i64 {
        let as_of = day_start(&self.as_of).unwrap_or(0);
        let checked = self
            .checked_at
            .as_deref()
            .or(self.fetched_at.as_deref())
            .and_then(parse_rfc3339)
            .unwrap_or(0);
        as_of.max(checked)
    }

    /// Whole days since [`ListAge::current_since`] (0 for a date in the future).
    pub fn age_days(&self, now: i64) -> i64 {
        ((now - self.current_since()).max(0)) / 86_400
    }
}

/// The start (00:00 UTC) of a `YYYY-MM-DD...` or `YYYY-MM` date.
pub fn day_start(s: &str) -> Option<i64> {
    let s = s.trim();
    let d = chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(""), "%Y-%m-%d")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(&format!("{}-01", s.get(..7)?), "%Y-%m-%d").ok()
        })?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp())
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The maximum age from `TOLLGATE_MAX_LIST_AGE_DAYS`, else the default; an unreadable value is
/// an error naming the variable.
pub fn max_age_from_env() -> Result<u32, String> {
    match std::env::var(MAX_AGE_ENV) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| format!("{MAX_AGE_ENV}: '{v}' is not a whole number of days")),
        _ => Ok(DEFAULT_MAX_AGE_DAYS),
    }
}

/// The loaded files' ages and the maximum age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub lists: Vec<ListAge>,
    pub max_age_days: u32,
}

/// One row of `lists status --json`.
#[derive(Debug, Clone, Serialize)]
pub struct ListStatus {
    pub source: String,
    pub file: String,
    pub as_of: String,
    pub fetched_at: Option<String>,
    pub age_days: i64,
    pub rows: usize,
    pub sha256: String,
    pub checked_at: Option<String>,
    pub bundled: bool,
    pub updatable: bool,
    pub stale: bool,
}

/// `lists status --json`, `/ready`'s `lists`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub lists: Vec<ListStatus>,
    pub stale: bool,
    pub max_age_days: u32,
}

impl Freshness {
    pub fn new(lists: Vec<ListAge>, max_age_days: u32) -> Self {
        Freshness {
            lists,
            max_age_days,
        }
    }

    fn is_stale(&self, l: &ListAge, now: i64) -> bool {
        l.age_days(now) > i64::from(self.max_age_days)
    }

    /// Every file with its age at `now` (seconds since the epoch).
    pub fn status_at(&self, now: i64) -> Status {
        let lists: Vec<ListStatus> = self
            .lists
            .iter()
            .map(|l| ListStatus {
                source: l.source.clone(),
                file: l.file.clone(),
                as_of: l.as_of.clone(),
                fetched_at: l.fetched_at.clone(),
                age_days: l.age_days(now),
                rows: l.rows,
                sha256: l.sha256.clone(),
                checked_at: l.checked_at.clone(),
                bundled: l.bundled,
                updatable: l.updatable,
                stale: self.is_stale(l, now),
            })
            .collect();
        Status {
            stale: lists.iter().any(|l| l.stale && l.updatable),
            lists,
            max_age_days: self.max_age_days,
        }
    }

    pub fn status(&self) -> Status {
        self.status_at(now_secs())
    }

    /// The `stale_lists` warning when any updatable list is older than the maximum age (none
    /// otherwise), naming the oldest files.
    pub fn warnings_at(&self, now: i64) -> Vec<Warning> {
        let mut stale: Vec<&ListAge> = self
            .lists
            .iter()
            .filter(|l| l.updatable && self.is_stale(l, now))
            .collect();
        if stale.is_empty() {
            return Vec::new();
        }
        stale.sort_by_key(|l| l.current_since());
        let named: Vec<String> = stale
            .iter()
            .take(4)
            .map(|l| format!("{} (as of {}, {} days)", l.file, l.as_of, l.age_days(now)))
            .collect();
        let more = match stale.len().saturating_sub(4) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let bundled = if stale.iter().all(|l| l.bundled) {
            " (the bundled snapshot)"
        } else {
            ""
        };
        vec![Warning::new(
            STALE_CODE,
            format!(
                "screened against lists older than {} days{bundled}: {}{more}; run `tollgate lists update`",
                self.max_age_days,
                named.join(", ")
            ),
        )]
    }

    pub fn warnings(&self) -> Vec<Warning> {
        self.warnings_at(now_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(as_of: &str, checked: Option<&str>, updatable: bool) -> ListAge {
        ListAge {
            source: "csl".into(),
            file: "csl.csv".into(),
            as_of: as_of.into(),
            fetched_at: checked.map(str::to_string),
            checked_at: checked.map(str::to_string),
            rows: 1,
            sha256: "00".into(),
            bundled: checked.is_none(),
            updatable,
        }
    }

    #[test]
    fn age_counts_from_the_later_of_as_of_and_the_last_check() {
        let now = day_start("2026-07-20").unwrap() + 3600;
        assert_eq!(age("2026-07-10", None, true).age_days(now), 10);
        assert_eq!(age("2025-12", None, true).age_days(now), 231);
        let a = age("2026-07-01", Some("2026-07-19T12:00:00Z"), true);
        assert_eq!(a.age_days(now), 0);
        let f = Freshness::new(vec![age("2026-07-12", None, true)], 7);
        let s = f.status_at(now);
        assert!(s.stale && s.lists[0].stale && s.lists[0].age_days == 8);
        let w = f.warnings_at(now);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, "stale_lists");
        assert!(
            w[0].message.contains("csl.csv (as of 2026-07-12, 8 days)"),
            "{}",
            w[0].message
        );
        // Exactly the maximum age is not stale; lists no update refreshes never make it stale.
        let f = Freshness::new(
            vec![
                age("2026-07-13", None, true),
                age("2020-01-01", None, false),
            ],
            7,
        );
        assert!(!f.status_at(now).stale);
        assert!(f.warnings_at(now).is_empty());
        assert!(f.status_at(now).lists[1].stale);
    }
}
