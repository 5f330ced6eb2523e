//! `tollgate audit keygen | checkpoint | verify` and the store rules of issue 12 through the real
//! binary on a SQLite file: a tampered record exits 4 naming table, row and column; a verify with
//! the public key needs a checkpoint signed by it; refusals exit 3 naming the field.

use std::path::Path;
use std::process::Command;

fn tollgate(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    c.args(args)
        .current_dir(dir)
        .env_remove("TOLLGATE_DB")
        .env_remove("TOLLGATE_AUDIT_KEY")
        .env_remove("TOLLGATE_AUDIT_PUBLIC_KEY")
        .env("TOLLGATE_ACTOR", "cli-test");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = tollgate(dir, args, &[]);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let (c, out, err) = tollgate(dir, args, &[]);
    assert_eq!(c, code, "{args:?}: {out} {err}");
    err
}

const REPORT: &str = r#"{"lab": "Example Labs, Austin TX", "report_id": "EL-2026-0042", "date": "2026-02-10",
 "chip": "nvidia-h200-sxm", "units_tested": 1000,
 "measured": {"tpp": 15790, "dram_bandwidth_gbs": 4790}}"#;

/// A customer in China, licence L-1 (H200, 1,000 units), 10,000 US end-use units.
fn records(dir: &Path) {
    std::fs::write(dir.join("report.json"), REPORT).unwrap();
    std::fs::write(
        dir.join("tpp1.json"),
        REPORT
            .replace("\"tpp\": 15790", "\"tpp\": 1")
            .replace("EL-2026-0042", "EL-X"),
    )
    .unwrap();
    let id = ok(
        dir,
        &["customer", "add", "--name", "Acme Cloud", "--country", "CN"],
    );
    let id = id.trim();
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
            "h200",
            "--quantity",
            "10000",
            "--date",
            "2026-02-01",
        ],
    );
}

fn export(extra: &[&'static str], report: &'static str) -> Vec<&'static str> {
    let mut v = vec![
        "ship",
        "export",
        "--licence",
        "L-1",
        "--quantity",
        "100",
        "--value",
        "3100000.00",
        "--date",
        "2026-02-15",
        "--test-report",
        report,
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn keygen_checkpoint_and_verify_with_the_public_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    records(dir);
    ok(dir, &export(&[], "report.json"));
    let out = ok(dir, &["audit", "keygen", "--out", "audit.key"]);
    assert!(out.contains("audit.key.pub"), "{out}");
    let private = std::fs::read_to_string(dir.join("audit.key")).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{private}"
    );
    let public = std::fs::read_to_string(dir.join("audit.key.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwritten.
    let err = fails(dir, &["audit", "keygen", "--out", "audit.key"], 2);
    assert!(err.contains("audit.key"), "{err}");
    // Intact, but nothing signed yet: with the key that is a failure.
    assert!(ok(dir, &["audit", "verify"]).contains("audit log intact"));
    let err = fails(dir, &["audit", "verify", "--key", "audit.key.pub"], 4);
    assert!(err.contains("no signed checkpoint"), "{err}");
    // The private key is refused where the public one belongs.
    let err = fails(dir, &["audit", "verify", "--key", "audit.key"], 2);
    assert!(err.contains("private key"), "{err}");
    // Checkpoint with the key from the environment.
    let (code, out, err) = tollgate(
        dir,
        &["audit", "checkpoint"],
        &[("TOLLGATE_AUDIT_KEY", "audit.key")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("checkpoint: entry 6"), "{out}");
    let (code, out, err) = tollgate(
        dir,
        &["audit", "verify"],
        &[("TOLLGATE_AUDIT_PUBLIC_KEY", "audit.key.pub")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified with the key given"), "{out}");
    let json = ok(
        dir,
        &["audit", "verify", "--key", "audit.key.pub", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["first_bad"], serde_json::Value::Null);
    assert_eq!(v["checkpoints"], 1);
    assert_eq!(v["last_checkpoint_seq"], 6);
    // Another key pair's public key does not verify these checkpoints.
    ok(dir, &["audit", "keygen", "--out", "other.key"]);
    let err = fails(dir, &["audit", "verify", "--key", "other.key.pub"], 4);
    assert!(err.contains("not by the key given"), "{err}");
}

#[test]
fn a_tampered_record_exits_4_naming_table_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    records(dir);
    ok(dir, &export(&[], "report.json"));
    let db = format!("sqlite://{}", dir.join("tollgate.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db).await.unwrap();
        sqlx::query("UPDATE licences SET drawn_units = 0 WHERE number = 'L-1'")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let err = fails(dir, &["audit", "verify"], 4);
    assert!(
        err.contains("records tampered: table licences, row L-1, column drawn_units: stored 0"),
        "{err}"
    );
    let json = tollgate(dir, &["audit", "verify", "--json"], &[]).1;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["first_bad"]["table"], "licences");
    assert_eq!(v["first_bad"]["row"], "L-1");
    assert_eq!(v["first_bad"]["column"], "drawn_units");
}

#[test]
fn gamed_rules_are_refused_with_exit_3_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    records(dir);
    // TPP 1 for an H200.
    let err = fails(dir, &export(&[], "tpp1.json"), 3);
    assert!(err.contains("test-report.measured.tpp"), "{err}");
    // Customs value 0 on a dutiable chip, without and with a reason.
    let err = fails(dir, &export(&["--customs-value", "0"], "report.json"), 3);
    assert!(err.contains("customs-value"), "{err}");
    let out = ok(
        dir,
        &export(
            &[
                "--customs-value",
                "0",
                "--low-value-reason",
                "evaluation units, returned",
            ],
            "report.json",
        ),
    );
    assert!(
        out.contains("declared low: evaluation units, returned"),
        "{out}"
    );
    let st = ok(
        dir,
        &[
            "duty",
            "statement",
            "--exporter",
            "nvidia",
            "--quarter",
            "2026Q1",
        ],
    );
    assert!(
        st.contains("low customs value") && st.contains("evaluation units, returned"),
        "{st}"
    );
    // The report's 1,000 units: 100 used, 900 more allowed, then refused naming the report.
    let mut big = export(&[], "report.json");
    big[5] = "900";
    big[7] = "27900000.00";
    ok(dir, &big);
    let err = fails(dir, &export(&[], "report.json"), 3);
    assert!(
        err.contains("EL-2026-0042") && err.contains("1000 are already shipped"),
        "{err}"
    );
    // A US end-use shipment dated a week ahead.
    let ahead = (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string();
    let err = fails(
        dir,
        &[
            "ship",
            "domestic",
            "--exporter",
            "nvidia",
            "--chip",
            "h200",
            "--quantity",
            "5",
            "--date",
            &ahead,
        ],
        3,
    );
    assert!(err.contains("date:"), "{err}");
    assert!(ok(dir, &["audit", "verify"]).contains("audit log intact"));
}
