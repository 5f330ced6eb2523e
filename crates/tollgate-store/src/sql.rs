//! The SQL implementation of [`Records`] for SQLite and PostgreSQL (one code path over sqlx's
//! `Any` driver; the two dialects differ only in how a write transaction takes its locks).
//!
//! Write transactions:
//! - SQLite: one connection per process (single writer) and `BEGIN IMMEDIATE`, so the write
//!   lock is held from the first read; other processes wait on `busy_timeout`.
//! - PostgreSQL: READ COMMITTED with row locks taken in one global order (licences, customers,
//!   cap rows, the audit head), so concurrent writers serialise on what they share and never
//!   deadlock; retryable errors (deadlock, serialization, a concurrent idempotency key) retry.
//!
//! Every write appends its audit entries under the audit head's lock, which is also where ids
//! are assigned, so ids and audit order are identical on both databases.

use crate::audit;
use crate::error::{Refusal, Result, StoreError};
use crate::model::*;
use crate::replay::{self, Rows, Val};
use crate::rules::{self, CapLedger, Drawdown, ReportUse, MAX_UNITS, MAX_USD};
use crate::Records;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row, Transaction};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::{Arc, Once};
use tollgate_core::{Iso2, Pack, Regulation};

mod listing;
pub use listing::MAX_QUARTERS;

/// Rows per multi-row INSERT statement, bounded well under both databases' parameter limits
/// (measured with the bench_shipments example).
const INSERT_CHUNK_ROWS_SQLITE: usize = 500;
const INSERT_CHUNK_ROWS_POSTGRES: usize = 100;
/// Attempts of a PostgreSQL write that hits a retryable error.
const MAX_ATTEMPTS: u32 = 16;
/// Connections for long reads (`audit verify`); more verifications at once wait for one.
const READER_CONNECTIONS: u32 = 4;
/// Most shipments one batch call may carry.
pub const MAX_BATCH: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Appends the `n`th (1-based) bind parameter. SQLite gets anonymous `?`: sqlx asks SQLite
    /// for each parameter's name, and for numbered ones SQLite scans a list, which makes wide
    /// statements quadratic to bind.
    fn push_param(self, sql: &mut String, n: usize) {
        match self {
            Backend::Sqlite => sql.push('?'),
            Backend::Postgres => {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
    }

    fn chunk_rows(self) -> usize {
        match self {
            Backend::Sqlite => INSERT_CHUNK_ROWS_SQLITE,
            Backend::Postgres => INSERT_CHUNK_ROWS_POSTGRES,
        }
    }
}

/// Records on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// Connections of their own for long reads (`audit verify`), so they never hold a writer's
    /// connection: on SQLite read-only ones beside the one writer (WAL lets them read while it
    /// writes). `None` for an in-memory SQLite database (one connection sees it).
    reader: Option<AnyPool>,
    backend: Backend,
    reg: Arc<Regulation>,
}

#[derive(Debug)]
struct Embedded(Backend);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = std::result::Result<Vec<Migration>, sqlx::error::BoxDynError>,
                > + Send
                + 's,
        >,
    > {
        let sqls: [(i64, &'static str, &'static str); 3] = match self.0 {
            Backend::Sqlite => [
                (
                    1,
                    "records",
                    include_str!("../migrations/sqlite/0001_records.sql"),
                ),
                (
                    2,
                    "tokens and owners",
                    include_str!("../migrations/sqlite/0002_tokens_and_owners.sql"),
                ),
                (
                    3,
                    "replay and reports",
                    include_str!("../migrations/sqlite/0003_replay_and_reports.sql"),
                ),
            ],
            Backend::Postgres => [
                (
                    1,
                    "records",
                    include_str!("../migrations/postgres/0001_records.sql"),
                ),
                (
                    2,
                    "tokens and owners",
                    include_str!("../migrations/postgres/0002_tokens_and_owners.sql"),
                ),
                (
                    3,
                    "replay and reports",
                    include_str!("../migrations/postgres/0003_replay_and_reports.sql"),
                ),
            ],
        };
        Box::pin(async move {
            Ok(sqls
                .into_iter()
                .map(|(v, d, sql)| {
                    Migration::new(
                        v,
                        Cow::Borrowed(d),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Adds `mode=rwc` to a SQLite URL without a mode, so the file is created on first use.
fn normalise_url(url: &str) -> Result<(String, Backend)> {
    let url = url.trim();
    if url.starts_with("sqlite:") {
        let u = if url.contains("mode=") {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        Ok((u, Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_string(), Backend::Postgres))
    } else {
        Err(StoreError::invalid(
            "db",
            format!("'{url}' is neither a sqlite:// nor a postgres:// URL"),
        ))
    }
}

/// The same SQLite URL opened read-only.
fn read_only_url(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("mode="))
        .collect();
    params.push("mode=ro");
    format!("{path}?{}", params.join("&"))
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: '{v}'"))
}
fn dec(v: &str) -> Result<Decimal> {
    Decimal::from_str(v).map_err(|_| corrupt("decimal", v))
}
fn date(v: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| corrupt("date", v))
}
fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Val>>,
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(backend.chunk_rows()).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                backend.push_param(&mut sql, n);
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Val::S(s) => q.bind(s),
                    Val::I(i) => q.bind(i),
                    Val::N(o) => q.bind(o),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The outcome of every request of a group; each has one by the time the group ends.
fn settled<T>(outcome: Vec<Option<Result<T>>>) -> Vec<Result<T>> {
    outcome
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(StoreError::Corrupt("a request got no outcome".into()))))
        .collect()
}

const IDEM_COLS: [&str; 4] = ["key", "request_hash", "response", "created_at"];

/// The idempotency row of a keyed write: the key, a hash of the request, the response.
fn idem_row<T: Serialize>(
    key: &str,
    kind: &str,
    request: &Value,
    response: &T,
) -> Result<Vec<Val>> {
    let resp = serde_json::to_string(response)
        .map_err(|e| StoreError::Corrupt(format!("response: {e}")))?;
    Ok(vec![
        Val::S(key.to_string()),
        Val::S(audit::chain_hash(kind, &request.to_string())),
        Val::S(resp),
        Val::S(now_utc()),
    ])
}

/// What a stored idempotency row means for a request under its key: nothing stored (do it),
/// the stored response (done before), or an error if the key was used for another request.
fn idem_answer<T: DeserializeOwned>(
    key: &str,
    kind: &str,
    request: &Value,
    stored: Option<(String, String)>,
) -> Result<Option<T>> {
    let Some((hash, resp)) = stored else {
        return Ok(None);
    };
    if hash != audit::chain_hash(kind, &request.to_string()) {
        return Err(StoreError::invalid(
            "idempotency-key",
            format!("'{key}' was already used for a different request"),
        ));
    }
    serde_json::from_str(&resp)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("idempotency response: {e}")))
}

/// The audit entries of one transaction, chained from the head it locked.
struct AuditBuf {
    head_seq: i64,
    seq: i64,
    hash: String,
    at: String,
    actor: String,
    rows: Vec<AuditEntry>,
}

impl AuditBuf {
    /// The entry of an exporter created by this write.
    fn exporter_added(&mut self, id: &str, created_at: &str) {
        let mut rows = Rows::new();
        rows.add(
            &replay::EXPORTERS,
            &[Val::S(id.to_string()), Val::S(created_at.to_string())],
        );
        self.push_rows(
            "exporter.add",
            &format!("exporter:{id}"),
            &Value::Null,
            rows,
        );
    }

    /// An entry whose `after` is the rows the write stored.
    fn push_rows(&mut self, action: &str, entity: &str, before: &Value, rows: Rows) {
        self.push_text(action, entity, before.to_string(), rows.after_text());
    }

    fn push_text(&mut self, action: &str, entity: &str, b: String, a: String) {
        self.seq += 1;
        let c = audit::canonical(self.seq, &self.at, &self.actor, action, entity, &b, &a);
        let h = audit::chain_hash(&self.hash, &c);
        self.rows.push(AuditEntry {
            seq: self.seq,
            at: self.at.clone(),
            actor: self.actor.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            before_json: b,
            after_json: a,
            prev_hash: std::mem::replace(&mut self.hash, h.clone()),
            hash: h,
        });
    }
}

fn validate_name(field: &str, v: &str, max: usize) -> Result<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(StoreError::invalid(field, "contains control characters"));
    }
    Ok(t.to_string())
}

fn validate_units(field: &str, v: i64) -> Result<i64> {
    if v <= 0 || v > MAX_UNITS {
        return Err(StoreError::invalid(
            field,
            format!("{v} is not a whole number of units in 1..={MAX_UNITS}"),
        ));
    }
    Ok(v)
}

fn validate_usd(field: &str, v: Decimal, allow_zero: bool) -> Result<Decimal> {
    let ok_sign = if allow_zero {
        v >= Decimal::ZERO
    } else {
        v > Decimal::ZERO
    };
    if !ok_sign || v > Decimal::from(MAX_USD) || v.scale() > 2 {
        return Err(StoreError::invalid(
            field,
            format!(
                "{v} is not a USD amount ({} at most {MAX_USD}, at most 2 decimal places)",
                if allow_zero { ">= 0" } else { "> 0" }
            ),
        ));
    }
    Ok(v)
}

fn licence_from_row(r: &AnyRow) -> Result<Licence> {
    Ok(Licence {
        number: r.try_get("number")?,
        exporter: r.try_get("exporter")?,
        customer_id: r.try_get("customer_id")?,
        chip: r.try_get("chip")?,
        quantity_units: r.try_get("quantity_units")?,
        value_usd: dec(&r.try_get::<String, _>("value_usd")?)?,
        valid_until: date(&r.try_get::<String, _>("valid_until")?)?,
        status: r.try_get("status")?,
        drawn_units: r.try_get("drawn_units")?,
        drawn_value_usd: dec(&r.try_get::<String, _>("drawn_value_usd")?)?,
        created_at: r.try_get("created_at")?,
    })
}

fn customer_from_row(r: &AnyRow) -> Result<Customer> {
    let status: String = r.try_get("status")?;
    let kyc: Option<String> = r.try_get("kyc_until")?;
    Ok(Customer {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        country: r.try_get("country")?,
        headquarters: r.try_get("headquarters")?,
        status: VettingStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        kyc_until: kyc.as_deref().map(date).transpose()?,
        created_at: r.try_get("created_at")?,
        owner: r.try_get("owner")?,
    })
}

/// A licence row as stored (the columns of [`LICENCE_COLS`], in order).
fn licence_vals(l: &Licence) -> Vec<Val> {
    vec![
        Val::S(l.number.clone()),
        Val::S(l.exporter.clone()),
        Val::S(l.customer_id.clone()),
        Val::S(l.chip.clone()),
        Val::I(l.quantity_units),
        Val::S(l.value_usd.to_string()),
        Val::S(l.valid_until.to_string()),
        Val::S(l.status.clone()),
        Val::I(l.drawn_units),
        Val::S(l.drawn_value_usd.to_string()),
        Val::S(l.created_at.clone()),
    ]
}

/// A customer row as stored (the columns of [`CUSTOMER_COLS`], in order).
fn customer_vals(c: &Customer) -> Vec<Val> {
    vec![
        Val::S(c.id.clone()),
        Val::S(c.name.clone()),
        Val::S(c.country.clone()),
        Val::S(c.headquarters.clone()),
        Val::S(c.status.as_str().to_string()),
        Val::N(c.kyc_until.map(|d| d.to_string())),
        Val::S(c.created_at.clone()),
        Val::N(c.owner.clone()),
    ]
}

/// A cap ledger row as stored.
fn cap_vals(exporter: &str, chip: &str, c: &CapLedger) -> Vec<Val> {
    vec![
        Val::S(exporter.to_string()),
        Val::S(chip.to_string()),
        Val::I(c.us_units),
        Val::I(c.china_macau_units),
    ]
}

const LICENCE_COLS: &str = "number, exporter, customer_id, chip, quantity_units, value_usd, valid_until, status, drawn_units, drawn_value_usd, created_at";
const CUSTOMER_COLS: &str = "id, name, country, headquarters, status, kyc_until, created_at, owner";

/// Retries a PostgreSQL write on a retryable error (each attempt is a fresh transaction).
macro_rules! retrying {
    ($e:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match $e.await {
                Err(err) if err.is_retryable() && attempt < MAX_ATTEMPTS => {
                    tokio::task::yield_now().await;
                    continue;
                }
                r => break r,
            }
        }
    }};
}

/// One export shipment after its checks, ready to be written.
struct Planned {
    item: NewExport,
    /// The licence after this shipment's drawdown.
    licence_after: Licence,
    customer: String,
    destination: String,
    customs: Decimal,
    pack_id: String,
    duty: DutyAccrual,
    before: Value,
    /// The cap ledger row after this shipment, when it counts toward the cap.
    cap_after: Option<CapLedger>,
    /// The test report as first recorded and its use after this shipment.
    report_after: Option<RecordedReport>,
}

/// A test report as stored when the group began, and as the group's checks have used it so far
/// (`None`: not recorded yet).
struct ReportState {
    stored: Option<RecordedReport>,
    current: Option<RecordedReport>,
}

/// A test report as first recorded, and the units shipped under it.
type RecordedReport = (Arc<TestReport>, ReportUse);

/// What one export group locked and has counted so far.
struct Locked {
    licences: HashMap<String, (Licence, Drawdown)>,
    customers: HashMap<String, Customer>,
    caps: BTreeMap<(String, String), (CapLedger, CapLedger)>,
    /// US end-use units of (exporter, chip) dated on or before a date.
    us_dated: HashMap<(String, String, NaiveDate), i64>,
    reports: HashMap<String, ReportState>,
    bands: HashMap<(String, NaiveDate), Option<tollgate_core::classify::DutyBandRef>>,
    /// The catalog's TPP and DRAM bandwidth of each licence chip.
    figures: HashMap<String, (Option<Decimal>, Option<Decimal>)>,
}

const REPORT_COLS: [&str; 8] = [
    "report_id",
    "lab",
    "chip",
    "report_date",
    "units_tested",
    "tpp",
    "dram_bandwidth_gbs",
    "units_used",
];

/// A test report row as stored.
fn report_vals(r: &TestReport, u: &ReportUse) -> Vec<Val> {
    vec![
        Val::S(r.report_id.clone()),
        Val::S(r.lab.clone()),
        Val::S(r.chip.clone()),
        Val::S(r.date.to_string()),
        Val::I(r.units_tested),
        Val::S(r.measured.tpp.to_string()),
        Val::S(r.measured.dram_bandwidth_gbs.to_string()),
        Val::I(u.units_used),
    ]
}

impl SqlStore {
    /// Connects, creating the SQLite file if needed, and applies the migrations.
    pub async fn connect(url: &str, reg: Arc<Regulation>) -> Result<Self> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let (url, backend) = normalise_url(url)?;
        let opts = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::invalid("db", format!("{url}: {e}")))?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .connect_with(opts)
                    .await?
            }
        };
        Migrator::new(Embedded(backend)).await?.run(&pool).await?;
        let reader = match backend {
            Backend::Sqlite if !url.contains(":memory:") => {
                let ro = read_only_url(&url);
                let opts = AnyConnectOptions::from_str(&ro)
                    .map_err(|e| StoreError::invalid("db", format!("{ro}: {e}")))?;
                Some(
                    AnyPoolOptions::new()
                        .max_connections(READER_CONNECTIONS)
                        .min_connections(0)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute("PRAGMA busy_timeout = 30000;").await?;
                                Ok(())
                            })
                        })
                        .connect_lazy_with(opts),
                )
            }
            // PostgreSQL: a few connections of their own, so long reads never take the writers'
            // connections (each verification holds one for its whole snapshot).
            Backend::Postgres => {
                let opts = AnyConnectOptions::from_str(&url)
                    .map_err(|e| StoreError::invalid("db", format!("{url}: {e}")))?;
                Some(
                    AnyPoolOptions::new()
                        .max_connections(READER_CONNECTIONS)
                        .min_connections(0)
                        .connect_lazy_with(opts),
                )
            }
            Backend::Sqlite => None,
        };
        Ok(Self {
            pool,
            reader,
            backend,
            reg,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn regulation(&self) -> &Regulation {
        &self.reg
    }

    /// Closes the pool (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        if let Some(r) = &self.reader {
            r.close().await;
        }
        self.pool.close().await;
    }

    /// Records several independent requests of export shipments in one transaction (group
    /// commit; see [`crate::group::ExportQueue`]). Each request is all-or-nothing and is
    /// checked against what the requests before it recorded, as if sent one after another; a
    /// refused or invalid request changes nothing and leaves the others. The outer error is a
    /// database failure after which nothing of the group was written. Idempotency keys must
    /// differ within a group.
    pub async fn ship_export_group(
        &self,
        reqs: &[(&WriteCtx, &[NewExport])],
    ) -> Result<Vec<Result<Vec<ExportShipment>>>> {
        retrying!(self.do_ship_export_group(reqs))
    }

    fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
    fn for_share(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR SHARE",
        }
    }

    async fn begin(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Locks the audit head: from here on this transaction is the only writer of ids and audit.
    async fn lock_head(&self, conn: &mut AnyConnection, actor: &str) -> Result<AuditBuf> {
        let row = sqlx::query(&format!(
            "SELECT seq, hash FROM audit_head WHERE id = 1{}",
            self.for_update()
        ))
        .fetch_one(&mut *conn)
        .await?;
        let seq: i64 = row.try_get("seq")?;
        Ok(AuditBuf {
            head_seq: seq,
            seq,
            hash: row.try_get("hash")?,
            at: now_utc(),
            actor: actor.to_string(),
            rows: Vec::new(),
        })
    }

    async fn flush_audit(&self, conn: &mut AnyConnection, buf: AuditBuf) -> Result<()> {
        if buf.rows.is_empty() {
            return Ok(());
        }
        let (seq, hash, head_seq) = (buf.seq, buf.hash.clone(), buf.head_seq);
        let rows = buf
            .rows
            .into_iter()
            .map(|e| {
                vec![
                    Val::I(e.seq),
                    Val::S(e.at),
                    Val::S(e.actor),
                    Val::S(e.action),
                    Val::S(e.entity),
                    Val::S(e.before_json),
                    Val::S(e.after_json),
                    Val::S(e.prev_hash),
                    Val::S(e.hash),
                ]
            })
            .collect();
        insert_rows(
            conn,
            self.backend,
            "audit_log",
            &[
                "seq",
                "at",
                "actor",
                "action",
                "entity",
                "before_json",
                "after_json",
                "prev_hash",
                "hash",
            ],
            rows,
        )
        .await?;
        let done =
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3")
                .bind(seq)
                .bind(hash)
                .bind(head_seq)
                .execute(&mut *conn)
                .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(
                "audit head moved under its lock".into(),
            ));
        }
        Ok(())
    }

    async fn next_id(&self, conn: &mut AnyConnection, table: &str) -> Result<i64> {
        let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"))
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get::<i64, _>("m")? + 1)
    }

    /// A stored response for this idempotency key, if the same request was already done.
    async fn idem_get<T: DeserializeOwned>(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteCtx,
        kind: &str,
        request: &Value,
    ) -> Result<Option<T>> {
        let Some(key) = &ctx.idempotency_key else {
            return Ok(None);
        };
        let mut found = self.idem_rows(conn, &[key.as_str()]).await?;
        idem_answer(key, kind, request, found.remove(key))
    }

    /// The stored (request hash, response) of each of `keys` that has one, in one query.
    async fn idem_rows(
        &self,
        conn: &mut AnyConnection,
        keys: &[&str],
    ) -> Result<HashMap<String, (String, String)>> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(self.backend.chunk_rows()) {
            let mut sql =
                String::from("SELECT key, request_hash, response FROM idempotency WHERE key IN (");
            for n in 1..=chunk.len() {
                if n > 1 {
                    sql.push_str(", ");
                }
                self.backend.push_param(&mut sql, n);
            }
            sql.push(')');
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.to_string());
            }
            for row in q.fetch_all(&mut *conn).await? {
                found.insert(
                    row.try_get("key")?,
                    (row.try_get("request_hash")?, row.try_get("response")?),
                );
            }
        }
        Ok(found)
    }

    /// The end of every keyed write: its audit entries and its idempotent response join the
    /// write's transaction, which then commits, so a retry finds all of it or none.
    async fn commit_write<T: Serialize>(
        &self,
        mut tx: Transaction<'static, Any>,
        audit: AuditBuf,
        ctx: &WriteCtx,
        kind: &str,
        request: &Value,
        out: T,
    ) -> Result<T> {
        self.flush_audit(&mut tx, audit).await?;
        self.idem_put(&mut tx, ctx, kind, request, &out).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn idem_put<T: Serialize>(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteCtx,
        kind: &str,
        request: &Value,
        response: &T,
    ) -> Result<()> {
        let Some(key) = &ctx.idempotency_key else {
            return Ok(());
        };
        let row = idem_row(key, kind, request, response)?;
        insert_rows(conn, self.backend, "idempotency", &IDEM_COLS, vec![row]).await
    }

    /// Inserts the exporter if new; returns its `created_at` if it was created.
    async fn ensure_exporter(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<String>> {
        let at = now_utc();
        let r = sqlx::query(
            "INSERT INTO exporters (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(at.clone())
        .execute(&mut *conn)
        .await?;
        Ok((r.rows_affected() == 1).then_some(at))
    }

    fn resolve_chip(&self, field: &str, chip: &str) -> Result<String> {
        self.reg
            .catalog
            .resolve(chip)
            .map(|c| c.id.clone())
            .map_err(|e| StoreError::invalid(field, e.to_string()))
    }

    fn pack_on(&self, field: &str, d: NaiveDate) -> Result<&Pack> {
        self.reg
            .packs
            .in_force(d)
            .map_err(|e| StoreError::invalid(field, e.to_string()))
    }

    /// Whether a destination counts toward the China+Macau cap of `pack` (its `china_macau` set;
    /// a country the EAR treats as China, such as Hong Kong, counts as China).
    fn in_cap_set(&self, pack: &Pack, country: &str) -> bool {
        let Some(c) = Iso2::parse(country) else {
            return false;
        };
        let canon = self.reg.countries.canonical(c);
        pack.sets
            .iter()
            .find(|s| s.name == "china_macau")
            .is_some_and(|s| s.countries.contains(&c) || s.countries.contains(&canon))
    }

    async fn load_customer(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        lock: &str,
    ) -> Result<Option<Customer>> {
        let row = sqlx::query(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers WHERE id = $1{lock}"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn lock_cap(
        &self,
        conn: &mut AnyConnection,
        exporter: &str,
        chip: &str,
    ) -> Result<CapLedger> {
        sqlx::query(
            "INSERT INTO cap_ledger (exporter, chip, us_units, cn_mo_units) VALUES ($1, $2, 0, 0) \
             ON CONFLICT (exporter, chip) DO NOTHING",
        )
        .bind(exporter.to_string())
        .bind(chip.to_string())
        .execute(&mut *conn)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT us_units, cn_mo_units FROM cap_ledger WHERE exporter = $1 AND chip = $2{}",
            self.for_update()
        ))
        .bind(exporter.to_string())
        .bind(chip.to_string())
        .fetch_one(&mut *conn)
        .await?;
        Ok(CapLedger {
            us_units: row.try_get("us_units")?,
            china_macau_units: row.try_get("cn_mo_units")?,
        })
    }

    // ---- customers -------------------------------------------------------------------------

    async fn do_add_customer(
        &self,
        ctx: &WriteCtx,
        c: &NewCustomer,
        owner: Option<&str>,
    ) -> Result<Customer> {
        let owner = owner
            .map(|o| validate_name("exporter", o, 200))
            .transpose()?;
        let name = validate_name("name", &c.name, 500)?;
        let country = self.reg.countries.parse(&c.country).ok_or_else(|| {
            StoreError::invalid(
                "country",
                format!("'{}' is not an ISO 3166 country code", c.country),
            )
        })?;
        let hq = match &c.headquarters {
            Some(h) => self.reg.countries.parse(h).ok_or_else(|| {
                StoreError::invalid(
                    "headquarters",
                    format!("'{h}' is not an ISO 3166 country code"),
                )
            })?,
            None => country,
        };
        let id =
            c.id.as_deref()
                .map(|i| validate_name("id", i, 200))
                .transpose()?;
        let request = json!({"id": id, "name": name, "country": country.as_str(), "headquarters": hq.as_str(), "owner": owner});
        let mut tx = self.begin().await?;
        if let Some(r) = self
            .idem_get(&mut tx, ctx, "customer.add", &request)
            .await?
        {
            return Ok(r);
        }
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let id = match id {
            Some(id) => {
                if self.load_customer(&mut tx, &id, "").await?.is_some() {
                    return Err(StoreError::invalid(
                        "id",
                        format!("customer '{id}' already exists"),
                    ));
                }
                id
            }
            None => {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM customers")
                    .fetch_one(&mut *tx)
                    .await?;
                let mut n: i64 = row.try_get("n")?;
                loop {
                    n += 1;
                    let cand = format!("C-{n:06}");
                    if self.load_customer(&mut tx, &cand, "").await?.is_none() {
                        break cand;
                    }
                }
            }
        };
        let cust = Customer {
            id: id.clone(),
            name,
            country: country.as_str().to_string(),
            headquarters: hq.as_str().to_string(),
            status: VettingStatus::Unvetted,
            kyc_until: None,
            created_at: audit.at.clone(),
            owner,
        };
        let vals = customer_vals(&cust);
        insert_rows(
            &mut tx,
            self.backend,
            "customers",
            &CUSTOMER_COLS.split(", ").collect::<Vec<_>>(),
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::CUSTOMERS, &vals);
        let event = self
            .insert_event(
                &mut tx,
                &cust.id,
                VettingStatus::Unvetted,
                None,
                None,
                &audit.at,
            )
            .await?;
        rows.add(&replay::CUSTOMER_EVENTS, &event);
        audit.push_rows(
            "customer.add",
            &format!("customer:{id}"),
            &Value::Null,
            rows,
        );
        self.commit_write(tx, audit, ctx, "customer.add", &request, cust)
            .await
    }

    async fn insert_event(
        &self,
        conn: &mut AnyConnection,
        customer: &str,
        status: VettingStatus,
        kyc_until: Option<NaiveDate>,
        reason: Option<&str>,
        at: &str,
    ) -> Result<Vec<Val>> {
        let id = self.next_id(conn, "customer_events").await?;
        let vals = vec![
            Val::I(id),
            Val::S(customer.to_string()),
            Val::S(status.as_str().to_string()),
            Val::N(kyc_until.map(|d| d.to_string())),
            Val::N(reason.map(str::to_string)),
            Val::S(at.to_string()),
        ];
        insert_rows(
            conn,
            self.backend,
            "customer_events",
            &["id", "customer_id", "status", "kyc_until", "reason", "at"],
            vec![vals.clone()],
        )
        .await?;
        Ok(vals)
    }

    async fn do_set_vetting(
        &self,
        ctx: &WriteCtx,
        id: &str,
        status: VettingStatus,
        kyc_until: Option<NaiveDate>,
        reason: Option<&str>,
    ) -> Result<Customer> {
        let reason = reason
            .map(|r| validate_name("reason", r, 2000))
            .transpose()?;
        let action = match status {
            VettingStatus::Approved => "customer.approve",
            VettingStatus::Suspended => "customer.suspend",
            VettingStatus::Unvetted => "customer.unvet",
        };
        let request = json!({"id": id, "status": status, "kyc_until": kyc_until, "reason": reason});
        let mut tx = self.begin().await?;
        if let Some(r) = self.idem_get(&mut tx, ctx, action, &request).await? {
            return Ok(r);
        }
        let Some(before) = self.load_customer(&mut tx, id, self.for_update()).await? else {
            return Err(StoreError::invalid("id", format!("no customer '{id}'")));
        };
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let after = Customer {
            status,
            kyc_until: if status == VettingStatus::Approved {
                kyc_until
            } else {
                before.kyc_until
            },
            ..before.clone()
        };
        sqlx::query("UPDATE customers SET status = $1, kyc_until = $2 WHERE id = $3")
            .bind(after.status.as_str())
            .bind(after.kyc_until.map(|d| d.to_string()))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let event = self
            .insert_event(&mut tx, id, status, kyc_until, reason.as_deref(), &audit.at)
            .await?;
        let mut rows = Rows::new();
        rows.add(&replay::CUSTOMERS, &customer_vals(&after))
            .add(&replay::CUSTOMER_EVENTS, &event);
        audit.push_rows(action, &format!("customer:{id}"), &json!(before), rows);
        self.commit_write(tx, audit, ctx, action, &request, after)
            .await
    }

    // ---- licences --------------------------------------------------------------------------

    async fn do_add_licence(&self, ctx: &WriteCtx, l: &NewLicence) -> Result<Licence> {
        let number = validate_name("number", &l.number, 200)?;
        let exporter = validate_name("exporter", &l.exporter, 200)?;
        let chip = self.resolve_chip("chip", &l.chip)?;
        let quantity = validate_units("quantity", l.quantity_units)?;
        let value = validate_usd("value", l.value_usd, false)?;
        let request = json!({"number": number, "exporter": exporter, "customer": l.customer_id, "chip": chip,
            "quantity": quantity, "value": value, "valid_until": l.valid_until});
        let mut tx = self.begin().await?;
        if let Some(r) = self.idem_get(&mut tx, ctx, "licence.add", &request).await? {
            return Ok(r);
        }
        if self.get_licence(&mut tx, &number, "").await?.is_some() {
            return Err(StoreError::invalid(
                "number",
                format!("licence '{number}' already exists"),
            ));
        }
        let Some(cust) = self
            .load_customer(&mut tx, &l.customer_id, self.for_share())
            .await?
        else {
            return Err(StoreError::invalid(
                "customer",
                format!("no customer '{}'", l.customer_id),
            ));
        };
        // A customer registered by one exporter is that exporter's record: another exporter's
        // licence cannot name it (tenants never share customers).
        if cust.owner.as_deref().is_some_and(|o| o != exporter) {
            return Err(StoreError::invalid(
                "customer",
                format!("customer '{}' belongs to another exporter", l.customer_id),
            ));
        }
        let new_exporter = self.ensure_exporter(&mut tx, &exporter).await?;
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        if let Some(at) = &new_exporter {
            audit.exporter_added(&exporter, at);
        }
        let lic = Licence {
            number: number.clone(),
            exporter,
            customer_id: l.customer_id.clone(),
            chip,
            quantity_units: quantity,
            value_usd: value,
            valid_until: l.valid_until,
            status: "active".into(),
            drawn_units: 0,
            drawn_value_usd: Decimal::ZERO,
            created_at: audit.at.clone(),
        };
        let vals = licence_vals(&lic);
        insert_rows(
            &mut tx,
            self.backend,
            "licences",
            &LICENCE_COLS.split(", ").collect::<Vec<_>>(),
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::LICENCES, &vals);
        audit.push_rows(
            "licence.add",
            &format!("licence:{number}"),
            &Value::Null,
            rows,
        );
        self.commit_write(tx, audit, ctx, "licence.add", &request, lic)
            .await
    }

    async fn get_licence(
        &self,
        conn: &mut AnyConnection,
        number: &str,
        lock: &str,
    ) -> Result<Option<Licence>> {
        let row = sqlx::query(&format!(
            "SELECT {LICENCE_COLS} FROM licences WHERE number = $1{lock}"
        ))
        .bind(number.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(licence_from_row).transpose()
    }

    // ---- shipments -------------------------------------------------------------------------

    async fn do_ship_domestic(&self, ctx: &WriteCtx, d: &NewDomestic) -> Result<DomesticShipment> {
        let exporter = validate_name("exporter", &d.exporter, 200)?;
        let chip = self.resolve_chip("chip", &d.chip)?;
        let quantity = validate_units("quantity", d.quantity_units)?;
        let request =
            json!({"exporter": exporter, "chip": chip, "quantity": quantity, "date": d.date});
        let mut tx = self.begin().await?;
        if let Some(r) = self
            .idem_get(&mut tx, ctx, "ship.domestic", &request)
            .await?
        {
            return Ok(r);
        }
        rules::check_domestic_date(d.date, chrono::Utc::now().date_naive())?;
        let new_exporter = self.ensure_exporter(&mut tx, &exporter).await?;
        let cap = self.lock_cap(&mut tx, &exporter, &chip).await?;
        let us = cap
            .us_units
            .checked_add(quantity)
            .ok_or_else(|| StoreError::invalid("quantity", "US units would overflow"))?;
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        if let Some(at) = &new_exporter {
            audit.exporter_added(&exporter, at);
        }
        let id = self.next_id(&mut tx, "domestic_shipments").await?;
        sqlx::query("UPDATE cap_ledger SET us_units = $1 WHERE exporter = $2 AND chip = $3")
            .bind(us)
            .bind(exporter.clone())
            .bind(chip.clone())
            .execute(&mut *tx)
            .await?;
        let vals = vec![
            Val::I(id),
            Val::S(exporter.clone()),
            Val::S(chip.clone()),
            Val::I(quantity),
            Val::S(d.date.to_string()),
            Val::S(audit.at.clone()),
        ];
        insert_rows(
            &mut tx,
            self.backend,
            "domestic_shipments",
            &[
                "id",
                "exporter",
                "chip",
                "quantity_units",
                "ship_date",
                "created_at",
            ],
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::DOMESTIC_SHIPMENTS, &vals).add(
            &replay::CAP_LEDGER,
            &cap_vals(
                &exporter,
                &chip,
                &CapLedger {
                    us_units: us,
                    ..cap
                },
            ),
        );
        let s = DomesticShipment {
            id,
            exporter,
            chip,
            quantity_units: quantity,
            date: d.date,
        };
        audit.push_rows(
            "ship.domestic",
            &format!("domestic_shipment:{id}"),
            &json!({"cap": {"us_units": cap.us_units}}),
            rows,
        );
        self.commit_write(tx, audit, ctx, "ship.domestic", &request, s)
            .await
    }

    async fn do_ship_exports(
        &self,
        ctx: &WriteCtx,
        items: &[NewExport],
    ) -> Result<Vec<ExportShipment>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = self.do_ship_export_group(&[(ctx, items)]).await?;
        out.pop()
            .unwrap_or_else(|| Err(StoreError::Corrupt("a group of one gave no outcome".into())))
    }

    /// Several independent requests of export shipments in one transaction (group commit).
    /// Each request is all-or-nothing and is checked against the state the requests before it
    /// left, exactly as if they had been sent one after another; a refused or invalid request
    /// changes nothing and does not affect the others. The outer error is a database failure,
    /// after which nothing of the group was written.
    async fn do_ship_export_group(
        &self,
        reqs: &[(&WriteCtx, &[NewExport])],
    ) -> Result<Vec<Result<Vec<ExportShipment>>>> {
        let mut outcome: Vec<Option<Result<Vec<ExportShipment>>>> =
            (0..reqs.len()).map(|_| None).collect();
        // Input checks and regulation look-ups, before any lock.
        let mut report_chips: Vec<Vec<Option<String>>> = vec![Vec::new(); reqs.len()];
        let mut requests: Vec<Value> = vec![Value::Null; reqs.len()];
        let mut keys = BTreeSet::new();
        for (r, (ctx, items)) in reqs.iter().enumerate() {
            if let Some(k) = &ctx.idempotency_key {
                if !keys.insert(k.as_str()) {
                    return Err(StoreError::invalid(
                        "idempotency-key",
                        format!("'{k}' is used twice in one group"),
                    ));
                }
            }
            match self.check_export_request(items) {
                Ok(chips) => report_chips[r] = chips,
                Err(e) => {
                    outcome[r] = Some(Err(e));
                    continue;
                }
            }
            requests[r] = json!(items
                .iter()
                .map(
                    |i| json!({"licence": i.licence, "quantity": i.quantity_units, "value": i.value_usd,
                    "date": i.date, "test_report": i.test_report, "customs_value": i.customs_value_usd})
                )
                .zip(items.iter())
                .map(|(mut v, i)| {
                    // Only when given, so requests without it hash as they always did.
                    if let (Value::Object(m), Some(r)) = (&mut v, &i.low_value_reason) {
                        m.insert("low_value_reason".into(), json!(r));
                    }
                    v
                })
                .collect::<Vec<_>>());
        }
        let mut tx = self.begin().await?;
        let keyed: Vec<&str> = reqs
            .iter()
            .enumerate()
            .filter(|(r, _)| outcome[*r].is_none())
            .filter_map(|(_, (ctx, _))| ctx.idempotency_key.as_deref())
            .collect();
        let mut stored = if keyed.is_empty() {
            HashMap::new()
        } else {
            self.idem_rows(&mut tx, &keyed).await?
        };
        for (r, (ctx, _)) in reqs.iter().enumerate() {
            let Some(key) = &ctx.idempotency_key else {
                continue;
            };
            if outcome[r].is_some() {
                continue;
            }
            match idem_answer(key, "ship.export", &requests[r], stored.remove(key)) {
                Ok(Some(done)) => outcome[r] = Some(Ok(done)),
                Ok(None) => {}
                Err(e @ StoreError::Invalid { .. }) => outcome[r] = Some(Err(e)),
                Err(e) => return Err(e),
            }
        }
        let live = |outcome: &[Option<Result<Vec<ExportShipment>>>]| -> Vec<usize> {
            (0..reqs.len()).filter(|r| outcome[*r].is_none()).collect()
        };
        // Locks in one global order: licences, customers, cap rows, test reports, audit head.
        let numbers: BTreeSet<&str> = live(&outcome)
            .into_iter()
            .flat_map(|r| reqs[r].1.iter().map(|i| i.licence.as_str()))
            .collect();
        let mut licences: HashMap<String, (Licence, Drawdown)> = HashMap::new();
        for n in numbers {
            if let Some(l) = self.get_licence(&mut tx, n, self.for_update()).await? {
                let dd = Drawdown {
                    units_limit: l.quantity_units,
                    value_limit: l.value_usd,
                    drawn_units: l.drawn_units,
                    drawn_value: l.drawn_value_usd,
                };
                licences.insert(n.to_string(), (l, dd));
            }
        }
        let cust_ids: BTreeSet<String> = licences
            .values()
            .map(|(l, _)| l.customer_id.clone())
            .collect();
        let mut customers: HashMap<String, Customer> = HashMap::new();
        for c in cust_ids {
            if let Some(cu) = self.load_customer(&mut tx, &c, self.for_share()).await? {
                customers.insert(c, cu);
            }
        }
        let mut cap_keys: BTreeSet<(String, String)> = BTreeSet::new();
        let mut dated_keys: BTreeSet<(String, String, NaiveDate)> = BTreeSet::new();
        for r in live(&outcome) {
            for it in reqs[r].1 {
                let Some((l, _)) = licences.get(&it.licence) else {
                    continue;
                };
                let pack = self.pack_on("date", it.date)?;
                let dest = customers
                    .get(&l.customer_id)
                    .map(|c| c.country.clone())
                    .unwrap_or_default();
                if self.in_cap_set(pack, &dest) {
                    cap_keys.insert((l.exporter.clone(), l.chip.clone()));
                    dated_keys.insert((l.exporter.clone(), l.chip.clone(), it.date));
                }
            }
        }
        let mut caps: BTreeMap<(String, String), (CapLedger, CapLedger)> = BTreeMap::new();
        for (e, c) in cap_keys {
            let ledger = self.lock_cap(&mut tx, &e, &c).await?;
            caps.insert((e, c), (ledger, ledger));
        }
        // US end-use units dated on or before each shipment's date: units dated after it do not
        // count toward its cap. (Read under the cap row's lock, which every US end-use write
        // takes too.)
        let mut us_dated: HashMap<(String, String, NaiveDate), i64> = HashMap::new();
        for (e, c, d) in dated_keys {
            let n: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(quantity_units), 0) AS BIGINT) FROM domestic_shipments \
                 WHERE exporter = $1 AND chip = $2 AND ship_date <= $3",
            )
            .bind(e.clone())
            .bind(c.clone())
            .bind(d.to_string())
            .fetch_one(&mut *tx)
            .await?;
            us_dated.insert((e, c, d), n.unwrap_or(0));
        }
        // The test reports cited, locked (first uses are inserted at write time; two writers
        // inserting the same new report collide on its key and the later one retries).
        let report_ids: BTreeSet<&str> = live(&outcome)
            .into_iter()
            .flat_map(|r| reqs[r].1.iter())
            .filter_map(|i| i.test_report.as_ref().map(|t| t.report_id.as_str()))
            .collect();
        let mut reports: HashMap<String, ReportState> = HashMap::new();
        for id in report_ids {
            let stored = self.lock_report(&mut tx, id).await?;
            reports.insert(
                id.to_string(),
                ReportState {
                    current: stored.clone(),
                    stored,
                },
            );
        }
        let mut locked = Locked {
            licences,
            customers,
            caps,
            us_dated,
            reports,
            bands: HashMap::new(),
            figures: HashMap::new(),
        };
        // Every check, request by request, against the locked state; a refused request's
        // drawdowns, cap counts and report uses are rolled back before the next one.
        let mut planned: Vec<(usize, Vec<Planned>)> = Vec::new();
        for r in live(&outcome) {
            let drawn: Vec<(String, Drawdown)> = locked
                .licences
                .iter()
                .map(|(k, (_, dd))| (k.clone(), *dd))
                .collect();
            let counted: Vec<((String, String), CapLedger)> = locked
                .caps
                .iter()
                .map(|(k, (_, cur))| (k.clone(), *cur))
                .collect();
            let used: Vec<(String, Option<RecordedReport>)> = locked
                .reports
                .iter()
                .map(|(k, st)| (k.clone(), st.current.clone()))
                .collect();
            match self.plan_exports(reqs[r].1, &report_chips[r], &mut locked) {
                Ok(p) => planned.push((r, p)),
                Err(e) => {
                    for (k, dd) in drawn {
                        if let Some((_, cur)) = locked.licences.get_mut(&k) {
                            *cur = dd;
                        }
                    }
                    for (k, c) in counted {
                        if let Some((_, cur)) = locked.caps.get_mut(&k) {
                            *cur = c;
                        }
                    }
                    for (k, u) in used {
                        if let Some(st) = locked.reports.get_mut(&k) {
                            st.current = u;
                        }
                    }
                    outcome[r] = Some(Err(e));
                }
            }
        }
        if planned.is_empty() {
            // Nothing to write: the transaction ends without a change.
            drop(tx);
            return Ok(settled(outcome));
        }
        // Writes.
        let mut audit = self.lock_head(&mut tx, &reqs[planned[0].0].0.actor).await?;
        let first_id = self.next_id(&mut tx, "export_shipments").await?;
        for (l, dd) in locked.licences.values() {
            if dd.drawn_units != l.drawn_units || dd.drawn_value != l.drawn_value_usd {
                sqlx::query(
                    "UPDATE licences SET drawn_units = $1, drawn_value_usd = $2 WHERE number = $3",
                )
                .bind(dd.drawn_units)
                .bind(dd.drawn_value.to_string())
                .bind(l.number.clone())
                .execute(&mut *tx)
                .await?;
            }
        }
        for ((e, c), (before, after)) in &locked.caps {
            if before != after {
                sqlx::query(
                    "UPDATE cap_ledger SET cn_mo_units = $1 WHERE exporter = $2 AND chip = $3",
                )
                .bind(after.china_macau_units)
                .bind(e.clone())
                .bind(c.clone())
                .execute(&mut *tx)
                .await?;
            }
        }
        let mut new_reports = Vec::new();
        for (id, st) in &locked.reports {
            match (&st.stored, &st.current) {
                (None, Some((r, u))) => new_reports.push(report_vals(r, u)),
                (Some((_, a)), Some((_, b))) if a != b => {
                    sqlx::query("UPDATE test_reports SET units_used = $1 WHERE report_id = $2")
                        .bind(b.units_used)
                        .bind(id.clone())
                        .execute(&mut *tx)
                        .await?;
                }
                _ => {}
            }
        }
        insert_rows(
            &mut tx,
            self.backend,
            "test_reports",
            &REPORT_COLS,
            new_reports,
        )
        .await?;
        let total: usize = planned.iter().map(|(_, p)| p.len()).sum();
        let mut ship_rows = Vec::with_capacity(total);
        let mut duty_rows = Vec::with_capacity(total);
        let mut done: Vec<(usize, Vec<ExportShipment>)> = Vec::with_capacity(planned.len());
        let mut id = first_id;
        for (r, ps) in planned {
            audit.actor.clone_from(&reqs[r].0.actor);
            let mut out = Vec::with_capacity(ps.len());
            for p in ps {
                let report = serde_json::to_string(&p.item.test_report)
                    .map_err(|e| StoreError::Corrupt(format!("test report: {e}")))?;
                let s = ExportShipment {
                    id,
                    licence: p.licence_after.number.clone(),
                    exporter: p.licence_after.exporter.clone(),
                    customer_id: p.customer,
                    chip: p.licence_after.chip.clone(),
                    destination: p.destination,
                    quantity_units: p.item.quantity_units,
                    value_usd: p.item.value_usd,
                    customs_value_usd: p.customs,
                    date: p.item.date,
                    pack_id: p.pack_id,
                    duty: p.duty,
                };
                let ship = vec![
                    Val::I(id),
                    Val::S(s.licence.clone()),
                    Val::S(s.exporter.clone()),
                    Val::S(s.customer_id.clone()),
                    Val::S(s.chip.clone()),
                    Val::S(s.destination.clone()),
                    Val::I(s.quantity_units),
                    Val::S(s.value_usd.to_string()),
                    Val::S(s.customs_value_usd.to_string()),
                    Val::S(s.date.to_string()),
                    Val::S(s.pack_id.clone()),
                    Val::S(report),
                    Val::S(audit.at.clone()),
                ];
                let duty = vec![
                    Val::I(id),
                    Val::S(s.exporter.clone()),
                    Val::S(s.chip.clone()),
                    Val::S(s.destination.clone()),
                    Val::S(s.date.to_string()),
                    Val::I(s.quantity_units),
                    Val::S(s.customs_value_usd.to_string()),
                    Val::N(s.duty.band.clone()),
                    Val::S(s.duty.rate_pct.to_string()),
                    Val::S(s.duty.amount_usd.to_string()),
                    Val::S(s.duty.reason.clone()),
                    Val::N(s.duty.low_value_reason.clone()),
                ];
                let mut rows = Rows::new();
                rows.add(&replay::EXPORT_SHIPMENTS, &ship)
                    .add(&replay::DUTY_ACCRUALS, &duty)
                    .add(&replay::LICENCES, &licence_vals(&p.licence_after));
                if let Some(c) = &p.cap_after {
                    rows.add(&replay::CAP_LEDGER, &cap_vals(&s.exporter, &s.chip, c));
                }
                if let Some((r, u)) = &p.report_after {
                    rows.add(&replay::TEST_REPORTS, &report_vals(r, u));
                }
                ship_rows.push(ship);
                duty_rows.push(duty);
                audit.push_rows(
                    "ship.export",
                    &format!("export_shipment:{id}"),
                    &p.before,
                    rows,
                );
                out.push(s);
                id += 1;
            }
            done.push((r, out));
        }
        insert_rows(
            &mut tx,
            self.backend,
            "export_shipments",
            &[
                "id",
                "licence",
                "exporter",
                "customer_id",
                "chip",
                "destination",
                "quantity_units",
                "value_usd",
                "customs_value_usd",
                "ship_date",
                "pack_id",
                "test_report",
                "created_at",
            ],
            ship_rows,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "duty_accruals",
            &[
                "shipment_id",
                "exporter",
                "chip",
                "destination",
                "accrual_date",
                "quantity_units",
                "customs_value_usd",
                "band",
                "rate_pct",
                "amount_usd",
                "reason",
                "low_value_reason",
            ],
            duty_rows,
        )
        .await?;
        self.flush_audit(&mut tx, audit).await?;
        let mut idem = Vec::new();
        for (r, out) in &done {
            if let Some(key) = &reqs[*r].0.idempotency_key {
                idem.push(idem_row(key, "ship.export", &requests[*r], out)?);
            }
        }
        insert_rows(&mut tx, self.backend, "idempotency", &IDEM_COLS, idem).await?;
        tx.commit().await?;
        for (r, out) in done {
            outcome[r] = Some(Ok(out));
        }
        Ok(settled(outcome))
    }

    /// The stored test report `id` and its use, locked.
    async fn lock_report(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<RecordedReport>> {
        let row = sqlx::query(&format!(
            "SELECT report_id, lab, chip, report_date, units_tested, tpp, dram_bandwidth_gbs, units_used \
             FROM test_reports WHERE report_id = $1{}",
            self.for_update()
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let units_tested: i64 = r.try_get("units_tested")?;
        Ok(Some((
            Arc::new(TestReport {
                lab: r.try_get("lab")?,
                report_id: r.try_get("report_id")?,
                date: date(&r.try_get::<String, _>("report_date")?)?,
                chip: r.try_get("chip")?,
                units_tested,
                measured: Measured {
                    tpp: dec(&r.try_get::<String, _>("tpp")?)?,
                    dram_bandwidth_gbs: dec(&r.try_get::<String, _>("dram_bandwidth_gbs")?)?,
                },
            }),
            ReportUse {
                units_tested,
                units_used: r.try_get("units_used")?,
            },
        )))
    }

    /// The input checks of one export request that need no database: sizes, amounts, dates
    /// covered by a pack. Returns the catalog chip each item's test report names.
    fn check_export_request(&self, items: &[NewExport]) -> Result<Vec<Option<String>>> {
        if items.is_empty() {
            return Err(StoreError::invalid("batch", "at least one shipment"));
        }
        if items.len() > MAX_BATCH {
            return Err(StoreError::invalid(
                "batch",
                format!("more than {MAX_BATCH} shipments"),
            ));
        }
        let mut report_chips = Vec::with_capacity(items.len());
        for it in items {
            validate_units("quantity", it.quantity_units)?;
            validate_usd("value", it.value_usd, false)?;
            if let Some(c) = it.customs_value_usd {
                validate_usd("customs-value", c, true)?;
            }
            if let Some(r) = &it.low_value_reason {
                validate_name("low-value-reason", r, 2000)?;
            }
            if let Some(r) = &it.test_report {
                validate_name("test-report.report_id", &r.report_id, 200)?;
            }
            self.pack_on("date", it.date)?;
            report_chips.push(
                it.test_report
                    .as_ref()
                    .and_then(|r| self.reg.catalog.resolve(&r.chip).ok())
                    .map(|c| c.id.clone()),
            );
        }
        Ok(report_chips)
    }

    /// Checks one request's shipments in order against the locked licences, customers, cap
    /// ledgers and test reports, drawing down and counting as it goes (the caller rolls back on
    /// a refusal).
    fn plan_exports(
        &self,
        items: &[NewExport],
        report_chips: &[Option<String>],
        locked: &mut Locked,
    ) -> Result<Vec<Planned>> {
        let wrap = |index: usize, r: Refusal| -> StoreError {
            if items.len() == 1 {
                StoreError::Refused(r)
            } else {
                StoreError::Refused(Refusal::InBatch {
                    index,
                    inner: Box::new(r),
                })
            }
        };
        let mut planned: Vec<Planned> = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let pack = self.pack_on("date", it.date)?;
            let Some((l, dd)) = locked.licences.get_mut(&it.licence) else {
                return Err(wrap(
                    i,
                    Refusal::LicenceUnknown {
                        licence: it.licence.clone(),
                    },
                ));
            };
            if l.status != "active" {
                return Err(wrap(
                    i,
                    Refusal::LicenceNotActive {
                        licence: l.number.clone(),
                        status: l.status.clone(),
                    },
                ));
            }
            if it.date > l.valid_until {
                return Err(wrap(
                    i,
                    Refusal::LicenceExpired {
                        licence: l.number.clone(),
                        valid_until: l.valid_until.to_string(),
                        date: it.date.to_string(),
                    },
                ));
            }
            let Some(cust) = locked.customers.get(&l.customer_id) else {
                return Err(wrap(
                    i,
                    Refusal::CustomerNotApproved {
                        customer: l.customer_id.clone(),
                        status: "unknown".into(),
                    },
                ));
            };
            if cust.status != VettingStatus::Approved {
                return Err(wrap(
                    i,
                    Refusal::CustomerNotApproved {
                        customer: cust.id.clone(),
                        status: cust.status.as_str().into(),
                    },
                ));
            }
            match cust.kyc_until {
                Some(k) if k >= it.date => {}
                k => {
                    return Err(wrap(
                        i,
                        Refusal::KycLapsed {
                            customer: cust.id.clone(),
                            kyc_until: k
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "(never attested)".into()),
                            date: it.date.to_string(),
                        },
                    ))
                }
            }
            rules::check_test_report(
                pack,
                it.test_report.as_ref(),
                report_chips.get(i).and_then(|c| c.as_deref()),
                &l.chip,
                it.quantity_units,
                it.date,
            )
            .map_err(|r| wrap(i, r))?;
            // check_test_report refused a missing report.
            let Some(report) = it.test_report.as_ref() else {
                return Err(wrap(i, Refusal::TestReportMissing));
            };
            let (tpp, bandwidth) = match locked.figures.get(&l.chip) {
                Some(f) => *f,
                None => {
                    let m = self
                        .reg
                        .catalog
                        .resolve(&l.chip)
                        .map(|c| tollgate_core::classify::Metrics::of(&c.specs))
                        .map_err(|e| StoreError::invalid("chip", e.to_string()))?;
                    let f = (m.tpp, m.dram_bandwidth_gbs);
                    locked.figures.insert(l.chip.clone(), f);
                    f
                }
            };
            rules::check_report_plausible(report, &l.chip, tpp, bandwidth)
                .map_err(|r| wrap(i, r))?;
            let Some(rs) = locked.reports.get_mut(&report.report_id) else {
                return Err(StoreError::Corrupt(format!(
                    "test report {} was not locked",
                    report.report_id
                )));
            };
            // The report as first recorded (later citations must be the same report).
            let (recorded, use_before) = match &rs.current {
                Some((recorded, u)) => {
                    if **recorded != *report {
                        rules::check_report_same(recorded, report).map_err(|r| wrap(i, r))?;
                    }
                    (recorded.clone(), *u)
                }
                None => (
                    Arc::new(report.clone()),
                    ReportUse {
                        units_tested: report.units_tested,
                        units_used: 0,
                    },
                ),
            };
            let use_after = use_before
                .draw(&report.report_id, it.quantity_units)
                .map_err(|r| wrap(i, r))?;
            let band = match locked.bands.get(&(l.chip.clone(), it.date)) {
                Some(b) => b.clone(),
                None => {
                    let b = self
                        .reg
                        .classify_chip(&l.chip, it.date, false)
                        .map_err(|e| StoreError::invalid("chip", e.to_string()))?
                        .duty_band;
                    locked.bands.insert((l.chip.clone(), it.date), b.clone());
                    b
                }
            };
            let customs = it.customs_value_usd.unwrap_or(it.value_usd);
            let low_value_reason = it.low_value_reason.as_deref().map(|r| r.trim().to_string());
            rules::check_customs_value(
                it.value_usd,
                customs,
                band.as_ref().map(|b| b.id.as_str()),
                low_value_reason.as_deref(),
            )
            .map_err(|r| wrap(i, r))?;
            let dd_before = *dd;
            *dd = dd
                .draw(&l.number, it.quantity_units, it.value_usd)
                .map_err(|r| wrap(i, r))?;
            let mut cap_before = Value::Null;
            let mut cap_after = None;
            if self.in_cap_set(pack, &cust.country) {
                if let Some((ratio, rule)) = &pack.volume_cap_ratio {
                    if let Some((_, cur)) =
                        locked.caps.get_mut(&(l.exporter.clone(), l.chip.clone()))
                    {
                        let us_units = locked
                            .us_dated
                            .get(&(l.exporter.clone(), l.chip.clone(), it.date))
                            .copied()
                            .unwrap_or(0);
                        let dated = CapLedger {
                            us_units,
                            china_macau_units: cur.china_macau_units,
                        };
                        let next = dated
                            .ship_china_macau(
                                &rule.rule,
                                &l.exporter,
                                &l.chip,
                                it.quantity_units,
                                *ratio,
                            )
                            .map_err(|r| wrap(i, r))?;
                        cap_before = json!({"us_units_dated": us_units, "china_macau_units": cur.china_macau_units});
                        cur.china_macau_units = next.china_macau_units;
                        cap_after = Some(*cur);
                    }
                }
            }
            let mut duty = rules::duty_accrual(pack, &l.chip, band.as_ref(), customs);
            duty.low_value_reason = low_value_reason;
            rs.current = Some((recorded.clone(), use_after));
            planned.push(Planned {
                item: it.clone(),
                licence_after: Licence {
                    drawn_units: dd.drawn_units,
                    drawn_value_usd: dd.drawn_value,
                    ..l.clone()
                },
                customer: cust.id.clone(),
                destination: cust.country.clone(),
                customs,
                pack_id: pack.id.clone(),
                duty,
                before: json!({"licence": {"drawn_units": dd_before.drawn_units, "drawn_value_usd": dd_before.drawn_value}, "cap": cap_before, "test_report": {"units_used": use_before.units_used}}),
                cap_after,
                report_after: Some((recorded, use_after)),
            });
        }
        Ok(planned)
    }

    // ---- duty ------------------------------------------------------------------------------

    async fn do_pay_duty(&self, ctx: &WriteCtx, p: &NewPayment) -> Result<DutyPayment> {
        let exporter = validate_name("exporter", &p.exporter, 200)?;
        let reference = validate_name("reference", &p.reference, 200)?;
        let amount = validate_usd("amount", p.amount_usd, false)?;
        let request =
            json!({"exporter": exporter, "amount": amount, "reference": reference, "date": p.date});
        let mut tx = self.begin().await?;
        if let Some(r) = self.idem_get(&mut tx, ctx, "duty.pay", &request).await? {
            return Ok(r);
        }
        let dup =
            sqlx::query("SELECT id FROM duty_payments WHERE exporter = $1 AND reference = $2")
                .bind(exporter.clone())
                .bind(reference.clone())
                .fetch_optional(&mut *tx)
                .await?;
        if dup.is_some() {
            return Err(StoreError::invalid(
                "reference",
                format!("payment '{reference}' of {exporter} is already recorded"),
            ));
        }
        let new_exporter = self.ensure_exporter(&mut tx, &exporter).await?;
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        if let Some(at) = &new_exporter {
            audit.exporter_added(&exporter, at);
        }
        let id = self.next_id(&mut tx, "duty_payments").await?;
        let vals = vec![
            Val::I(id),
            Val::S(exporter.clone()),
            Val::S(amount.to_string()),
            Val::S(reference.clone()),
            Val::S(p.date.to_string()),
            Val::S(audit.at.clone()),
        ];
        insert_rows(
            &mut tx,
            self.backend,
            "duty_payments",
            &[
                "id",
                "exporter",
                "amount_usd",
                "reference",
                "paid_date",
                "created_at",
            ],
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::DUTY_PAYMENTS, &vals);
        let pay = DutyPayment {
            id,
            exporter,
            amount_usd: amount,
            reference,
            date: p.date,
        };
        audit.push_rows(
            "duty.pay",
            &format!("duty_payment:{id}"),
            &Value::Null,
            rows,
        );
        self.commit_write(tx, audit, ctx, "duty.pay", &request, pay)
            .await
    }

    async fn do_checkpoint(
        &self,
        ctx: &WriteCtx,
        key: &crate::checkpoint::ed25519_dalek::SigningKey,
    ) -> Result<Checkpoint> {
        let mut tx = self.begin().await?;
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let (seq, hash) = (audit.seq, audit.hash.clone());
        let cp = Checkpoint {
            seq,
            hash: hash.clone(),
            public_key: crate::checkpoint::key_hex(&key.verifying_key()),
            signature: crate::checkpoint::sign(key, seq, &hash),
            at: audit.at.clone(),
        };
        let vals = vec![
            Val::I(cp.seq),
            Val::S(cp.hash.clone()),
            Val::S(cp.public_key.clone()),
            Val::S(cp.signature.clone()),
            Val::S(cp.at.clone()),
        ];
        insert_rows(
            &mut tx,
            self.backend,
            "audit_checkpoints",
            &["seq", "hash", "public_key", "signature", "at"],
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::AUDIT_CHECKPOINTS, &vals);
        audit.push_rows(
            "audit.checkpoint",
            &format!("checkpoint:{seq}"),
            &Value::Null,
            rows,
        );
        self.flush_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(cp)
    }

    async fn do_record_decision(&self, ctx: &WriteCtx, d: &NewDecision) -> Result<Decision> {
        let order_id = validate_name("order_id", &d.order_id, 500)?;
        let request = json!(d);
        let mut tx = self.begin().await?;
        if let Some(r) = self
            .idem_get(&mut tx, ctx, "decision.record", &request)
            .await?
        {
            return Ok(r);
        }
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let id = self.next_id(&mut tx, "decisions").await?;
        let rec = Decision {
            id,
            order_id,
            as_of: d.as_of,
            pack_id: d.pack_id.clone(),
            list_versions: d.list_versions.clone(),
            decision: d.decision.clone(),
            created_at: audit.at.clone(),
        };
        let vals = vec![
            Val::I(id),
            Val::S(rec.order_id.clone()),
            Val::S(rec.as_of.to_string()),
            Val::S(rec.pack_id.clone()),
            Val::S(rec.list_versions.to_string()),
            Val::S(rec.decision.to_string()),
            Val::S(rec.created_at.clone()),
        ];
        insert_rows(
            &mut tx,
            self.backend,
            "decisions",
            &[
                "id",
                "order_id",
                "as_of",
                "pack_id",
                "list_versions",
                "decision",
                "created_at",
            ],
            vec![vals.clone()],
        )
        .await?;
        let mut rows = Rows::new();
        rows.add(&replay::DECISIONS, &vals);
        audit.push_rows(
            "decision.record",
            &format!("decision:{id}"),
            &Value::Null,
            rows,
        );
        self.commit_write(tx, audit, ctx, "decision.record", &request, rec)
            .await
    }
}

impl Records for SqlStore {
    async fn add_customer(&self, ctx: &WriteCtx, c: NewCustomer) -> Result<Customer> {
        retrying!(self.do_add_customer(ctx, &c, None))
    }

    async fn add_customer_for(
        &self,
        ctx: &WriteCtx,
        c: NewCustomer,
        owner: &str,
    ) -> Result<Customer> {
        retrying!(self.do_add_customer(ctx, &c, Some(owner)))
    }

    async fn approve_customer(
        &self,
        ctx: &WriteCtx,
        id: &str,
        kyc_until: NaiveDate,
    ) -> Result<Customer> {
        retrying!(self.do_set_vetting(ctx, id, VettingStatus::Approved, Some(kyc_until), None))
    }

    async fn suspend_customer(&self, ctx: &WriteCtx, id: &str, reason: &str) -> Result<Customer> {
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "must not be empty"));
        }
        retrying!(self.do_set_vetting(ctx, id, VettingStatus::Suspended, None, Some(reason)))
    }

    async fn customer(&self, id: &str) -> Result<Option<(Customer, Vec<VettingEvent>)>> {
        let mut conn = self.pool.acquire().await?;
        let Some(c) = self.load_customer(&mut conn, id, "").await? else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT status, kyc_until, reason, at FROM customer_events WHERE customer_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut ev = Vec::with_capacity(rows.len());
        for r in rows {
            let s: String = r.try_get("status")?;
            let k: Option<String> = r.try_get("kyc_until")?;
            ev.push(VettingEvent {
                status: VettingStatus::parse(&s).ok_or_else(|| corrupt("status", &s))?,
                kyc_until: k.as_deref().map(date).transpose()?,
                reason: r.try_get("reason")?,
                at: r.try_get("at")?,
            });
        }
        Ok(Some((c, ev)))
    }

    async fn add_licence(&self, ctx: &WriteCtx, l: NewLicence) -> Result<Licence> {
        retrying!(self.do_add_licence(ctx, &l))
    }

    async fn licence(&self, number: &str) -> Result<Option<Licence>> {
        let mut conn = self.pool.acquire().await?;
        self.get_licence(&mut conn, number, "").await
    }

    async fn ship_domestic(&self, ctx: &WriteCtx, d: NewDomestic) -> Result<DomesticShipment> {
        retrying!(self.do_ship_domestic(ctx, &d))
    }

    async fn ship_exports(
        &self,
        ctx: &WriteCtx,
        items: Vec<NewExport>,
    ) -> Result<Vec<ExportShipment>> {
        retrying!(self.do_ship_exports(ctx, &items))
    }

    async fn export_shipment_ids(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM export_shipments ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    async fn cap(&self, exporter: &str, chip: &str, as_of: NaiveDate) -> Result<CapPosition> {
        let chip = self.resolve_chip("chip", chip)?;
        let pack = self.pack_on("as-of", as_of)?;
        let ratio = pack
            .volume_cap_ratio
            .as_ref()
            .map(|(r, _)| *r)
            .unwrap_or(Decimal::ZERO);
        let row = sqlx::query(
            "SELECT us_units, cn_mo_units FROM cap_ledger WHERE exporter = $1 AND chip = $2",
        )
        .bind(exporter.to_string())
        .bind(chip.clone())
        .fetch_optional(&self.pool)
        .await?;
        let (us, cn) = match row {
            Some(r) => (r.try_get("us_units")?, r.try_get("cn_mo_units")?),
            None => (0, 0),
        };
        let allowed = rules::cap_allowed(us, ratio);
        Ok(CapPosition {
            exporter: exporter.to_string(),
            chip,
            us_units: us,
            china_macau_units: cn,
            ratio,
            allowed_units: allowed,
            headroom_units: allowed - cn,
            pack_id: pack.id.clone(),
        })
    }

    async fn pay_duty(&self, ctx: &WriteCtx, p: NewPayment) -> Result<DutyPayment> {
        retrying!(self.do_pay_duty(ctx, &p))
    }

    async fn duty_statement(&self, exporter: &str, quarter: Quarter) -> Result<DutyStatement> {
        let (Some(from), Some(to)) = (quarter.first_day(), quarter.last_day()) else {
            return Err(StoreError::invalid(
                "quarter",
                format!("{quarter} has no dates"),
            ));
        };
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let acc = sqlx::query(
            "SELECT shipment_id, chip, destination, accrual_date, quantity_units, customs_value_usd, band, rate_pct, amount_usd, reason, low_value_reason \
             FROM duty_accruals WHERE exporter = $1 AND accrual_date <= $2 ORDER BY shipment_id",
        )
        .bind(exporter.to_string())
        .bind(to_s.clone())
        .fetch_all(&self.pool)
        .await?;
        let pays = sqlx::query(
            "SELECT id, amount_usd, reference, paid_date FROM duty_payments WHERE exporter = $1 AND paid_date <= $2 ORDER BY id",
        )
        .bind(exporter.to_string())
        .bind(to_s)
        .fetch_all(&self.pool)
        .await?;
        let (mut opening, mut accrued, mut paid) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut lines: BTreeMap<(String, String, Option<String>), StatementLine> = BTreeMap::new();
        let mut low_value = Vec::new();
        for r in &acc {
            let d: String = r.try_get("accrual_date")?;
            let amount = dec(&r.try_get::<String, _>("amount_usd")?)?;
            if d < from_s {
                opening += amount;
                continue;
            }
            accrued += amount;
            let chip: String = r.try_get("chip")?;
            let dest: String = r.try_get("destination")?;
            if let Some(why) = r.try_get::<Option<String>, _>("low_value_reason")? {
                low_value.push(LowValueShipment {
                    shipment_id: r.try_get("shipment_id")?,
                    chip: chip.clone(),
                    destination: dest.clone(),
                    date: date(&d)?,
                    customs_value_usd: dec(&r.try_get::<String, _>("customs_value_usd")?)?,
                    accrued_usd: amount,
                    reason: why,
                });
            }
            let band: Option<String> = r.try_get("band")?;
            let reason: String = r.try_get("reason")?;
            let line = lines
                .entry((chip.clone(), dest.clone(), band.clone()))
                .or_insert_with(|| StatementLine {
                    chip,
                    destination: dest,
                    shipments: 0,
                    units: 0,
                    customs_value_usd: Decimal::ZERO,
                    band,
                    rate_pct: Decimal::ZERO,
                    accrued_usd: Decimal::ZERO,
                    reason: String::new(),
                });
            line.shipments += 1;
            line.units += r.try_get::<i64, _>("quantity_units")?;
            line.customs_value_usd += dec(&r.try_get::<String, _>("customs_value_usd")?)?;
            line.rate_pct = dec(&r.try_get::<String, _>("rate_pct")?)?;
            line.accrued_usd += amount;
            if line.reason.is_empty() || line.band.is_none() {
                line.reason = reason;
            }
        }
        let mut payments = Vec::new();
        for r in &pays {
            let d: String = r.try_get("paid_date")?;
            let amount = dec(&r.try_get::<String, _>("amount_usd")?)?;
            if d < from_s {
                opening -= amount;
                continue;
            }
            paid += amount;
            payments.push(DutyPayment {
                id: r.try_get("id")?,
                exporter: exporter.to_string(),
                amount_usd: amount,
                reference: r.try_get("reference")?,
                date: date(&d)?,
            });
        }
        Ok(DutyStatement {
            exporter: exporter.to_string(),
            quarter: quarter.to_string(),
            from,
            to,
            opening_outstanding_usd: opening,
            accrued_usd: accrued,
            paid_usd: paid,
            outstanding_usd: opening + accrued - paid,
            lines: lines.into_values().collect(),
            payments,
            low_value,
        })
    }

    async fn record_decision(&self, ctx: &WriteCtx, d: NewDecision) -> Result<Decision> {
        retrying!(self.do_record_decision(ctx, &d))
    }

    async fn decision(&self, id: i64) -> Result<Option<Decision>> {
        let row = sqlx::query(
            "SELECT id, order_id, as_of, pack_id, list_versions, decision, created_at FROM decisions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let parse = |s: String| serde_json::from_str::<Value>(&s).map_err(|_| corrupt("json", &s));
        Ok(Some(Decision {
            id: r.try_get("id")?,
            order_id: r.try_get("order_id")?,
            as_of: date(&r.try_get::<String, _>("as_of")?)?,
            pack_id: r.try_get("pack_id")?,
            list_versions: parse(r.try_get("list_versions")?)?,
            decision: parse(r.try_get("decision")?)?,
            created_at: r.try_get("created_at")?,
        }))
    }

    async fn customers(&self, owner: Option<&str>) -> Result<Vec<Customer>> {
        self.list_customers(owner).await
    }

    async fn licences(&self, exporter: Option<&str>) -> Result<Vec<Licence>> {
        self.list_licences(exporter).await
    }

    async fn cap_positions(
        &self,
        exporter: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<CapPosition>> {
        self.list_caps(exporter, as_of).await
    }

    async fn exporters(&self) -> Result<Vec<String>> {
        self.list_exporters().await
    }

    async fn duty_quarters(&self, exporter: &str) -> Result<Vec<Quarter>> {
        self.list_duty_quarters(exporter).await
    }

    async fn decisions(&self, limit: i64) -> Result<Vec<Decision>> {
        self.list_decisions(limit).await
    }

    async fn create_token(
        &self,
        ctx: &WriteCtx,
        role: TokenRole,
        exporter: Option<String>,
    ) -> Result<NewTokenSecret> {
        retrying!(self.do_create_token(ctx, role, exporter.as_deref()))
    }

    async fn bootstrap_token(&self, ctx: &WriteCtx) -> Result<Option<NewTokenSecret>> {
        retrying!(self.do_bootstrap_token(ctx))
    }

    async fn token_by_hash(&self, hash_hex: &str) -> Result<Option<ApiToken>> {
        self.get_token_by_hash(hash_hex).await
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>> {
        self.list_tokens().await
    }

    async fn revoked_token_count(&self) -> Result<i64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    async fn revoke_token(&self, ctx: &WriteCtx, id: &str) -> Result<ApiToken> {
        retrying!(self.do_revoke_token(ctx, id))
    }

    async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::replay::entry_from_row).collect()
    }

    async fn verify_audit(&self) -> Result<AuditReport> {
        self.verify_audit_with_key(None).await
    }

    async fn verify_audit_with_key(
        &self,
        key: Option<&crate::checkpoint::ed25519_dalek::VerifyingKey>,
    ) -> Result<AuditReport> {
        // One snapshot: the head, the log and every table read in the same read transaction,
        // on a connection of its own (SQLite: read-only, beside the writer).
        let pool = self.reader.as_ref().unwrap_or(&self.pool);
        let mut tx = match self.backend {
            Backend::Sqlite => pool.begin().await?,
            Backend::Postgres => {
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let report = replay::verify(&mut tx, key).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn checkpoint_audit(
        &self,
        ctx: &WriteCtx,
        key: &crate::checkpoint::ed25519_dalek::SigningKey,
    ) -> Result<Checkpoint> {
        retrying!(self.do_checkpoint(ctx, key))
    }
}
