//! Recorded export shipments per second, batched, on SQLite (a temp file) and, when
//! `TOLLGATE_TEST_PG_URL` is set, PostgreSQL (a fresh database).
//!
//! `cargo run --release -p tollgate-store --example bench_shipments [-- SHIPMENTS BATCH]`

#![allow(clippy::result_large_err)]

use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;
use tollgate_core::{NaiveDate, Regulation};
use tollgate_store::*;

// The allocator of the `tollgate` binary, so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

async fn bench(name: &str, url: &str, total: usize, batch: usize) -> Result<()> {
    let reg = Arc::new(Regulation::bundled().map_err(|e| StoreError::Corrupt(e.to_string()))?);
    let s = SqlStore::connect(url, reg).await?;
    let ctx = WriteCtx::new("bench");
    let c = s
        .add_customer(
            &ctx,
            NewCustomer {
                id: None,
                name: "Bench".into(),
                country: "CN".into(),
                headquarters: None,
            },
        )
        .await?;
    s.approve_customer(&ctx, &c.id, d("2026-12-31")).await?;
    s.add_licence(
        &ctx,
        NewLicence {
            number: "BENCH".into(),
            exporter: "nvidia".into(),
            customer_id: c.id.clone(),
            chip: "h200".into(),
            quantity_units: 1_000_000_000,
            value_usd: Decimal::from(1_000_000_000_000i64),
            valid_until: d("2026-12-31"),
        },
    )
    .await?;
    s.ship_domestic(
        &ctx,
        NewDomestic {
            exporter: "nvidia".into(),
            chip: "h200".into(),
            quantity_units: 1_000_000_000,
            date: d("2026-01-20"),
        },
    )
    .await?;
    let report = TestReport {
        lab: "Example Labs".into(),
        report_id: "EL-1".into(),
        date: d("2026-02-10"),
        chip: "nvidia-h200-sxm".into(),
        // One report covering every unit of the run (a report covers its units across all
        // shipments).
        units_tested: total as i64 * 10,
        measured: Measured {
            tpp: Decimal::from(15790),
            dram_bandwidth_gbs: Decimal::from(4790),
        },
    };
    let value = Decimal::from_str("310000.00").unwrap_or_default();
    let t = Instant::now();
    let mut done = 0;
    while done < total {
        let n = batch.min(total - done);
        let items = (0..n)
            .map(|_| NewExport {
                licence: "BENCH".into(),
                quantity_units: 10,
                value_usd: value,
                date: d("2026-02-15"),
                test_report: Some(report.clone()),
                customs_value_usd: None,
                low_value_reason: None,
            })
            .collect();
        s.ship_exports(&ctx, items).await?;
        done += n;
    }
    let secs = t.elapsed().as_secs_f64();
    let v = Instant::now();
    let audit = s.verify_audit().await?;
    let verify_secs = v.elapsed().as_secs_f64();
    println!(
        "{name}: {total} export shipments in batches of {batch}: {secs:.2} s, {:.0} shipments/s (audit intact: {}; verify of {} entries, replayed against every table: {verify_secs:.2} s)",
        total as f64 / secs,
        audit.first_bad.is_none(),
        audit.entries
    );
    s.close().await;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total = args.first().copied().unwrap_or(100_000);
    let batch = args.get(1).copied().unwrap_or(500);
    let dir = std::env::temp_dir().join(format!("tollgate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    bench(
        "SQLite",
        &format!("sqlite://{}", dir.join("bench.db").display()),
        total,
        batch,
    )
    .await?;
    let _ = std::fs::remove_dir_all(&dir);
    match std::env::var("TOLLGATE_TEST_PG_URL") {
        Ok(base) => {
            sqlx::any::install_default_drivers();
            let name = format!("tollgate_bench_{}", std::process::id());
            let admin = sqlx::AnyPool::connect(&base).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await?;
            let cut = base.rfind('/').unwrap_or(base.len());
            let url = format!("{}/{name}", &base[..cut]);
            bench("PostgreSQL", &url, total, batch).await?;
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&admin)
                .await?;
        }
        Err(_) => println!("PostgreSQL: skipped (TOLLGATE_TEST_PG_URL is not set)"),
    }
    Ok(())
}
