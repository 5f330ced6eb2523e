//! The screening list version that the nodes sharing one database agree on: per source the
//! active version (its files' SHA-256s, as-of date, the list directory state that describes it)
//! and the files themselves, content-addressed by SHA-256, so a node that did not download a
//! version loads the very bytes another node accepted. A node that updates its lists publishes
//! here; every node polls the active versions and follows them (tollgate-server `lists.rs`).
//!
//! Its own small pool and its own tables (`migrations/*/list_versions.sql`, created if missing),
//! apart from the records store, which it never touches.

use crate::error::{Result, StoreError};
use crate::sql::Backend;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;

/// One source's active version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveVersion {
    pub source: String,
    /// The files' SHA-256s joined by `+` (in the state's file order), or `bundled`.
    pub version: String,
    pub as_of: String,
    /// The list directory state of the source (JSON); empty for `bundled`.
    pub state: String,
    pub updated_at: String,
    /// Which node or command published it.
    pub updated_by: String,
}

/// The `version` of a source that uses the bundled lists.
pub const BUNDLED: &str = "bundled";

/// The list version tables of a records database.
#[derive(Clone)]
pub struct ListVersions {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for ListVersions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListVersions({:?})", self.backend)
    }
}

impl ListVersions {
    /// Connects to `url` (`sqlite://FILE` or `postgres://...`) and creates the tables if missing.
    pub async fn connect(url: &str) -> Result<ListVersions> {
        static DRIVERS: std::sync::Once = std::sync::Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let url = url.trim();
        let (url, backend) = if url.starts_with("sqlite:") {
            let u = if url.contains("mode=") {
                url.to_string()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (u, Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (url.to_string(), Backend::Postgres)
        } else {
            return Err(StoreError::invalid(
                "db",
                format!("'{url}' is neither sqlite://FILE nor postgres://..."),
            ));
        };
        let opts = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::invalid("db", format!("{url}: {e}")))?;
        let pool = AnyPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 30000;").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        let ddl = match backend {
            Backend::Sqlite => include_str!("../migrations/sqlite/list_versions.sql"),
            Backend::Postgres => include_str!("../migrations/postgres/list_versions.sql"),
        };
        for stmt in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let stmt: String = stmt
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .map(|l| l.split(" --").next().unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            if stmt.trim().is_empty() {
                continue;
            }
            match pool.execute(stmt.as_str()).await {
                Ok(_) => {}
                // Two nodes creating the tables at once on PostgreSQL: the loser's
                // IF NOT EXISTS can still hit the catalog's unique index.
                Err(sqlx::Error::Database(e))
                    if matches!(e.code().as_deref(), Some("23505" | "42P07")) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(ListVersions { pool, backend })
    }

    fn sql(&self, text: &str) -> String {
        // `?` placeholders, numbered for PostgreSQL.
        match self.backend {
            Backend::Sqlite => text.to_string(),
            Backend::Postgres => {
                let mut out = String::with_capacity(text.len() + 8);
                let mut n = 0;
                for c in text.chars() {
                    if c == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    /// Every source's active version, by source name.
    pub async fn active(&self) -> Result<Vec<ActiveVersion>> {
        let rows = sqlx::query(
            "SELECT source, version, as_of, state, updated_at, updated_by FROM list_versions ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ActiveVersion {
                    source: r.try_get(0)?,
                    version: r.try_get(1)?,
                    as_of: r.try_get(2)?,
                    state: r.try_get(3)?,
                    updated_at: r.try_get(4)?,
                    updated_by: r.try_get(5)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Makes `v` the active version of its source.
    pub async fn set_active(&self, v: &ActiveVersion) -> Result<()> {
        let q = self.sql(
            "INSERT INTO list_versions (source, version, as_of, state, updated_at, updated_by) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET version = excluded.version, \
             as_of = excluded.as_of, state = excluded.state, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        );
        sqlx::query(&q)
            .bind(&v.source)
            .bind(&v.version)
            .bind(&v.as_of)
            .bind(&v.state)
            .bind(&v.updated_at)
            .bind(&v.updated_by)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether the file with this SHA-256 is stored.
    pub async fn has_file(&self, sha256: &str) -> Result<bool> {
        let q = self.sql("SELECT COUNT(*) FROM list_files WHERE sha256 = ?");
        let n: i64 = sqlx::query(&q)
            .bind(sha256)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(n > 0)
    }

    /// Stores a file under its SHA-256 (nothing happens when it is there already).
    pub async fn put_file(&self, sha256: &str, file: &str, bytes: &[u8]) -> Result<()> {
        let q = self.sql(
            "INSERT INTO list_files (sha256, file, bytes, stored_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (sha256) DO NOTHING",
        );
        sqlx::query(&q)
            .bind(sha256)
            .bind(file)
            .bind(bytes.to_vec())
            .bind(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The bytes of a stored file.
    pub async fn file(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let q = self.sql("SELECT bytes FROM list_files WHERE sha256 = ?");
        let row = sqlx::query(&q)
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<Vec<u8>, _>(0)?),
            None => None,
        })
    }

    /// Removes stored files that no active version names, keeping the newest `keep` of each
    /// file name (so a rollback on one node can still be followed by the others).
    pub async fn prune(&self, keep: usize) -> Result<u64> {
        let active = self.active().await?;
        let named: Vec<String> = active
            .iter()
            .flat_map(|v| v.version.split('+').map(str::to_string))
            .collect();
        let rows = sqlx::query("SELECT sha256, file FROM list_files ORDER BY stored_at DESC")
            .fetch_all(&self.pool)
            .await?;
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut gone = 0;
        for r in rows {
            let (sha, file): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let n = seen.entry(file).or_default();
            *n += 1;
            if *n > keep && !named.contains(&sha) {
                let q = self.sql("DELETE FROM list_files WHERE sha256 = ?");
                gone += sqlx::query(&q)
                    .bind(&sha)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
            }
        }
        Ok(gone)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn versions_and_files_round_trip_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let lv = ListVersions::connect(&url).await.unwrap();
        // A second connection finds the tables there.
        let lv2 = ListVersions::connect(&url).await.unwrap();
        assert!(lv.active().await.unwrap().is_empty());
        lv.put_file("aa", "csl.csv", b"x,y\n").await.unwrap();
        lv.put_file("aa", "csl.csv", b"x,y\n").await.unwrap();
        assert!(lv2.has_file("aa").await.unwrap());
        assert_eq!(
            lv2.file("aa").await.unwrap().as_deref(),
            Some(&b"x,y\n"[..])
        );
        assert_eq!(lv2.file("bb").await.unwrap(), None);
        let mut v = ActiveVersion {
            source: "csl".into(),
            version: "aa".into(),
            as_of: "2026-07-15".into(),
            state: "{}".into(),
            updated_at: "2026-07-15T00:00:00Z".into(),
            updated_by: "node-1".into(),
        };
        lv.set_active(&v).await.unwrap();
        v.version = "bb".into();
        lv.set_active(&v).await.unwrap();
        assert_eq!(lv2.active().await.unwrap(), vec![v]);
        lv.put_file("cc", "csl.csv", b"z\n").await.unwrap();
        assert_eq!(lv.prune(0).await.unwrap(), 2);
        lv.close().await;
        lv2.close().await;
    }
}
