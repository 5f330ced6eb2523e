//! Test databases: a fresh SQLite file in a temp dir, or a fresh PostgreSQL database created on
//! the server named by `TOLLGATE_TEST_PG_URL` (tests print SKIPPED and pass when it is unset).
#![allow(dead_code)]

use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tollgate_core::{NaiveDate, Regulation};
use tollgate_store::*;

pub struct Db {
    pub store: SqlStore,
    pub url: String,
    pub _dir: Option<tempfile::TempDir>,
}

pub fn reg() -> Arc<Regulation> {
    Arc::new(Regulation::bundled().expect("bundled regulation loads"))
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqlStore::connect(&url, reg()).await.expect("sqlite store");
        Db {
            store,
            url,
            _dir: Some(dir),
        }
    }

    /// A fresh database on the PostgreSQL server, or None (skipped) without the env variable.
    pub async fn postgres() -> Option<Db> {
        let Ok(base) = std::env::var("TOLLGATE_TEST_PG_URL") else {
            eprintln!("SKIPPED (PostgreSQL): TOLLGATE_TEST_PG_URL is not set");
            return None;
        };
        let url = fresh_pg_database(&base).await;
        let store = SqlStore::connect(&url, reg())
            .await
            .expect("postgres store");
        Some(Db {
            store,
            url,
            _dir: None,
        })
    }

    pub async fn reopen(&self) -> SqlStore {
        SqlStore::connect(&self.url, reg()).await.expect("reopen")
    }

    /// A raw pool on the same database, for tampering.
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url).await.expect("raw pool")
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn fresh_pg_database(base: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!(
        "tollgate_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    let admin = sqlx::AnyPool::connect(base)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let (head, _) = base.split_once('?').unwrap_or((base, ""));
    let cut = head.rfind('/').expect("URL has a path");
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    if cut < scheme_end {
        format!("{head}/{name}")
    } else {
        format!("{}/{name}", &head[..cut])
    }
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

pub fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

pub fn ctx() -> WriteCtx {
    WriteCtx::new("test")
}

static REPORTS: AtomicU32 = AtomicU32::new(0);

/// A test report with an id of its own (a report covers its units across all shipments, so
/// tests that mean a fresh report get one; `with_id` gives a chosen id).
pub fn report(chip: &str, date: &str, units: i64, tpp: &str, bw: &str) -> TestReport {
    TestReport {
        lab: "Example Labs, Austin TX".into(),
        report_id: format!("EL-T-{:06}", REPORTS.fetch_add(1, Ordering::SeqCst)),
        date: d(date),
        chip: chip.into(),
        units_tested: units,
        measured: Measured {
            tpp: usd(tpp),
            dram_bandwidth_gbs: usd(bw),
        },
    }
}

pub fn h200_report(units: i64) -> TestReport {
    report("nvidia-h200-sxm", "2026-02-10", units, "15790", "4790")
}

pub fn export(
    licence: &str,
    units: i64,
    value: &str,
    date: &str,
    r: Option<TestReport>,
) -> NewExport {
    NewExport {
        licence: licence.into(),
        quantity_units: units,
        value_usd: usd(value),
        date: d(date),
        test_report: r,
        customs_value_usd: None,
        low_value_reason: None,
    }
}

/// An approved customer in `country` and a licence for it.
pub async fn customer_and_licence(
    s: &SqlStore,
    country: &str,
    number: &str,
    chip: &str,
    units: i64,
    value: &str,
) -> Customer {
    let c = s
        .add_customer(
            &ctx(),
            NewCustomer {
                id: None,
                name: format!("Customer of {number}"),
                country: country.into(),
                headquarters: None,
            },
        )
        .await
        .expect("customer");
    s.approve_customer(&ctx(), &c.id, d("2026-12-31"))
        .await
        .expect("approve");
    s.add_licence(
        &ctx(),
        NewLicence {
            number: number.into(),
            exporter: "nvidia".into(),
            customer_id: c.id.clone(),
            chip: chip.into(),
            quantity_units: units,
            value_usd: usd(value),
            valid_until: d("2026-12-31"),
        },
    )
    .await
    .expect("licence");
    c
}

/// The same report under a chosen id.
pub fn with_id(mut r: TestReport, id: &str) -> TestReport {
    r.report_id = id.to_string();
    r
}

pub async fn domestic(s: &SqlStore, chip: &str, units: i64) {
    s.ship_domestic(
        &ctx(),
        NewDomestic {
            exporter: "nvidia".into(),
            chip: chip.into(),
            quantity_units: units,
            date: d("2026-01-20"),
        },
    )
    .await
    .expect("domestic");
}

/// Runs a suite function against SQLite and PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(super::common::Db::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some(db) = super::common::Db::postgres().await else { return };
                super::$name(db).await
            }
        }
    )*};
}
