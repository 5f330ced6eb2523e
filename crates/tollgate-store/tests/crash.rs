//! A writer process killed with SIGKILL in the middle of a batch run leaves every acknowledged
//! shipment stored and the audit chain intact. The child is this test binary re-run with
//! `TOLLGATE_CRASH_CHILD_URL` set: it records batches and prints `ACK id...` after each commit.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use tollgate_store::*;

/// Batches acknowledged before the parent kills the child.
const ACKED_BATCHES_BEFORE_KILL: usize = 25;

#[tokio::test]
async fn crash_child_entry() {
    let Ok(url) = std::env::var("TOLLGATE_CRASH_CHILD_URL") else {
        return; // not the child
    };
    let s = SqlStore::connect(&url, reg()).await.expect("child store");
    for _ in 0..100_000 {
        let batch = (0..20)
            .map(|_| export("LX", 1, "1.00", "2026-02-15", Some(h200_report(1))))
            .collect();
        let out = s.ship_exports(&ctx(), batch).await.expect("child batch");
        let ids: Vec<String> = out.iter().map(|e| e.id.to_string()).collect();
        println!("ACK {}", ids.join(" "));
    }
}

async fn crash(db: Db) {
    customer_and_licence(
        &db.store,
        "DE",
        "LX",
        "nvidia-h200-sxm",
        1_000_000_000,
        "1000000000.00",
    )
    .await;
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "crash_child_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TOLLGATE_CRASH_CHILD_URL", &db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut acked: Vec<i64> = Vec::new();
    let mut batches = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child line");
        if let Some(ids) = line.strip_prefix("ACK ") {
            acked.extend(ids.split(' ').map(|i| i.parse::<i64>().expect("id")));
            batches += 1;
            if batches == ACKED_BATCHES_BEFORE_KILL {
                child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
                break;
            }
        }
    }
    child.wait().expect("reap child");
    assert_eq!(
        batches, ACKED_BATCHES_BEFORE_KILL,
        "child acknowledged too few batches"
    );
    let s = db.reopen().await;
    let stored: std::collections::BTreeSet<i64> =
        s.export_shipment_ids().await.unwrap().into_iter().collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged shipment {id} was lost");
    }
    let l = s.licence("LX").await.unwrap().unwrap();
    assert_eq!(
        l.drawn_units as usize,
        stored.len(),
        "drawdown equals the stored shipments"
    );
    let r = s.verify_audit().await.unwrap();
    assert!(r.first_bad.is_none(), "{r:?}");
    eprintln!(
        "crash test: {} acknowledged, {} stored after SIGKILL, audit intact ({} entries)",
        acked.len(),
        stored.len(),
        r.entries
    );
}

both!(crash);
