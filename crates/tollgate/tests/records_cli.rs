//! End-to-end tests of the records commands of the real binary (INTERFACES.md section 4) on a
//! SQLite file in a temp dir: exit codes 0/2/3/4, human and JSON output, refusals change nothing.

use std::path::Path;
use std::process::Command;

fn tollgate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("TOLLGATE_DB")
        .env("TOLLGATE_ACTOR", "cli-test")
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = tollgate(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

const REPORT: &str = r#"{"lab": "Example Labs, Austin TX", "report_id": "EL-2026-0042", "date": "2026-02-10",
 "chip": "nvidia-h200-sxm", "units_tested": 1000,
 "measured": {"tpp": 15790, "dram_bandwidth_gbs": 4790}}"#;

#[test]
fn records_flow_on_the_default_sqlite_file_with_exit_codes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::write(dir.join("report.json"), REPORT).expect("report");
    let id = ok(
        dir,
        &["customer", "add", "--name", "Acme Cloud", "--country", "CN"],
    );
    let id = id.trim();
    assert!(
        dir.join("tollgate.db").exists(),
        "default database is ./tollgate.db"
    );
    ok(
        dir,
        &["customer", "approve", id, "--kyc-until", "2026-12-31"],
    );
    ok(
        dir,
        &[
            "licence",
            "add",
            "--number",
            "L-1",
            "--exporter",
            "nvidia",
            "--customer",
            id,
            "--chip",
            "h200",
            "--quantity",
            "1000",
            "--value",
            "31000000.00",
            "--valid-until",
            "2026-12-31",
        ],
    );
    ok(
        dir,
        &[
            "ship",
            "domestic",
            "--exporter",
            "nvidia",
            "--chip",
            "nvidia-h200-sxm",
            "--quantity",
            "1000",
            "--date",
            "2026-01-20",
        ],
    );
    let out = ok(
        dir,
        &[
            "ship",
            "export",
            "--licence",
            "L-1",
            "--quantity",
            "400",
            "--value",
            "12400000.00",
            "--date",
            "2026-02-15",
            "--test-report",
            "report.json",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["duty"]["amount_usd"], "3100000.00");

    // Refused by the cap: exit 3, names the rule and the numbers, changes nothing.
    let (code, _, err) = tollgate(
        dir,
        &[
            "ship",
            "export",
            "--licence",
            "L-1",
            "--quantity",
            "101",
            "--value",
            "1.00",
            "--date",
            "2026-02-15",
            "--test-report",
            "report.json",
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("china-macau-volume-cap")
            && err.contains("shipped 400")
            && err.contains("requested 101")
            && err.contains("allowed 500"),
        "{err}"
    );
    // Missing test report: exit 3.
    let (code, _, err) = tollgate(
        dir,
        &[
            "ship",
            "export",
            "--licence",
            "L-1",
            "--quantity",
            "1",
            "--value",
            "1.00",
            "--date",
            "2026-02-15",
            "--test-report",
            "missing.json",
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("test-report-missing"));
    // Invalid input: exit 2 naming the field.
    let (code, _, err) = tollgate(
        dir,
        &[
            "ship",
            "export",
            "--licence",
            "L-1",
            "--quantity",
            "1",
            "--value",
            "abc",
            "--date",
            "2026-02-15",
            "--test-report",
            "report.json",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("value"));
    let (code, _, err) = tollgate(dir, &["customer", "add", "--name", "X", "--country", "XX"]);
    assert_eq!(code, 2);
    assert!(err.contains("country"));

    let show: serde_json::Value =
        serde_json::from_str(&ok(dir, &["licence", "show", "L-1", "--json"])).expect("json");
    assert_eq!(show["drawn_units"], 400);
    assert_eq!(show["remaining_units"], 600);
    let cap: serde_json::Value = serde_json::from_str(&ok(
        dir,
        &["cap", "--exporter", "nvidia", "--chip", "h200", "--json"],
    ))
    .expect("json");
    assert_eq!(
        (
            cap["us_units"].as_i64(),
            cap["china_macau_units"].as_i64(),
            cap["headroom_units"].as_i64()
        ),
        (Some(1000), Some(400), Some(100))
    );

    ok(
        dir,
        &[
            "duty",
            "pay",
            "--exporter",
            "nvidia",
            "--amount",
            "1000000.00",
            "--reference",
            "W-1",
            "--date",
            "2026-03-01",
        ],
    );
    let st: serde_json::Value = serde_json::from_str(&ok(
        dir,
        &[
            "duty",
            "statement",
            "--exporter",
            "nvidia",
            "--quarter",
            "2026Q1",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(st["accrued_usd"], "3100000.00");
    assert_eq!(st["paid_usd"], "1000000.00");
    assert_eq!(st["outstanding_usd"], "2100000.00");
    assert!(ok(
        dir,
        &[
            "duty",
            "statement",
            "--exporter",
            "nvidia",
            "--quarter",
            "2026Q1"
        ]
    )
    .contains("outstanding"));

    // Idempotency key: the retried write is a no-op.
    for _ in 0..2 {
        ok(
            dir,
            &[
                "ship",
                "export",
                "--licence",
                "L-1",
                "--quantity",
                "10",
                "--value",
                "1.00",
                "--date",
                "2026-02-15",
                "--test-report",
                "report.json",
                "--idempotency-key",
                "k-1",
            ],
        );
    }
    let show: serde_json::Value =
        serde_json::from_str(&ok(dir, &["licence", "show", "L-1", "--json"])).expect("json");
    assert_eq!(show["drawn_units"], 410);

    assert!(ok(dir, &["audit", "verify"]).contains("intact"));
}

#[test]
fn audit_verify_exits_4_and_names_the_tampered_entry() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let db = format!("sqlite://{}", dir.join("t.db").display());
    for i in 0..4 {
        ok(
            dir,
            &[
                "customer",
                "add",
                "--name",
                &format!("C{i}"),
                "--country",
                "DE",
                "--db",
                &db,
            ],
        );
    }
    ok(dir, &["audit", "verify", "--db", &db]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db).await.expect("pool");
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .execute(&pool)
            .await
            .expect("tamper");
        pool.close().await;
    });
    let (code, _, err) = tollgate(dir, &["audit", "verify", "--db", &db]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("entry 2"), "{err}");
}

#[test]
fn a_customer_added_with_an_exporter_is_owned_by_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let c: serde_json::Value = serde_json::from_str(&ok(
        dir,
        &[
            "customer",
            "add",
            "--name",
            "Owned",
            "--country",
            "SG",
            "--exporter",
            "acme",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(c["owner"], "acme");
    let c: serde_json::Value = serde_json::from_str(&ok(
        dir,
        &[
            "customer",
            "add",
            "--name",
            "Unowned",
            "--country",
            "SG",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(c["owner"], serde_json::Value::Null);
    let (code, _, err) = tollgate(
        dir,
        &[
            "customer",
            "add",
            "--name",
            "X",
            "--country",
            "SG",
            "--exporter",
            " ",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exporter"), "{err}");
}
