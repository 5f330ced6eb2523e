//! End-to-end tests of `tollgate check` (INTERFACES.md section 3): the real binary, the bundled
//! regulation packs and the bundled screening lists.

use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;

fn run(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("TOLLGATE_DB")
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn order(chip: &str, country: &str, name: &str) -> Value {
    json!({
        "id": "PO-2026-0001", "date": "2026-02-01", "exporter": "nvidia",
        "transaction": "export", "ship_from": "US",
        "items": [{"chip": chip, "quantity": 1000,
                   "unit_price": {"amount": "31000.00", "currency": "USD"}}],
        "parties": {
            "purchaser": {"name": name, "country": country},
            "ultimate_consignee": {"name": name, "country": country},
            "end_user": {"name": name, "country": country,
                         "headquarters": country, "parent_headquarters": country},
            "intermediate_consignees": []
        },
        "end_use": {"description": "commercial cloud inference", "military": false},
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "us_units_shipped": 250000
        }
    })
}

fn write(dir: &std::path::Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
    p.display().to_string()
}

fn decide(v: &Value, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "order.json", v);
    let mut args = vec!["check", f.as_str(), "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args, dir.path());
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("decision JSON")
}

#[test]
fn the_acceptance_orders() {
    let cloud = "Example Cloud Co., Ltd.";
    let d = decide(&order("nvidia-h200-sxm", "CN", cloud), &[]);
    assert_eq!(d["order"], "PO-2026-0001");
    assert_eq!(d["as_of"], "2026-02-01");
    assert_eq!(d["regulation"], "2026-01-15");
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "case_by_case");
    assert_eq!(
        d["obligations"],
        json!([
            "third_party_test_each_shipment",
            "section_232_duty_25pct",
            "china_volume_cap_50pct"
        ])
    );
    assert_eq!(d["items"][0]["tpp"], 15832);
    assert_eq!(
        d["screening"][2],
        json!({"party": "end_user", "match_id": null, "match_list": null, "score": null})
    );

    let d = decide(
        &order("nvidia-h200-sxm", "CN", cloud),
        &["--as-of", "2025-06-01"],
    );
    assert_eq!(d["review_policy"], "presumption_of_denial");
    for day in ["2025-06-01", "2026-02-01"] {
        let d = decide(&order("nvidia-b200", "CN", cloud), &["--as-of", day]);
        assert_eq!(d["review_policy"], "presumption_of_denial", "{day}");
    }
    let d = decide(
        &order("nvidia-h200-sxm", "DE", "Beispiel Rechenzentrum GmbH"),
        &[],
    );
    assert_eq!(d["verdict"], "no_license_required");
    assert_eq!(d["review_policy"], Value::Null);
}

#[test]
fn a_real_sdn_party_is_prohibited_through_real_screening() {
    // BANCO NACIONAL DE CUBA is OFAC SDN entry 306 in the bundled sdn.csv.
    let d = decide(
        &order("nvidia-h200-sxm", "CN", "Banco Nacional de Cuba"),
        &[],
    );
    assert_eq!(d["verdict"], "prohibited", "{d:#}");
    assert_eq!(d["screening"][2]["match_list"], "SDN");
    assert_eq!(d["screening"][2]["match_id"], "306");
    assert!(d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "ofac-sdn"));
}

#[test]
fn invalid_orders_exit_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = order("nvidia-h200-sxm", "CN", "X Co.");
    o["items"][0]["quantity"] = json!(-3);
    let f = write(dir.path(), "bad.json", &o);
    let (code, _, err) = run(&["check", &f], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("items[0].quantity"), "{err}");
    let mut o = order("nvidia-h9999", "CN", "X Co.");
    o["parties"]["end_user"]["country"] = json!("ZZ");
    let f = write(dir.path(), "bad2.json", &o);
    let (code, _, err) = run(&["check", &f], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("items[0].chip"), "{err}");
    let o = order("nvidia-h200-sxm", "CN", "X Co.");
    let f = write(dir.path(), "early.json", &o);
    let (code, _, err) = run(&["check", &f, "--as-of", "2021-01-01"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("as_of"), "{err}");
}

#[test]
fn batch_keeps_input_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("orders.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    let countries = ["CN", "DE", "MO", "FR", "CN", "IN"];
    for (i, c) in countries.iter().enumerate() {
        let mut o = order("H200", c, "Example Co., Ltd.");
        o["id"] = json!(format!("PO-{i}"));
        writeln!(f, "{}", serde_json::to_string(&o).unwrap()).unwrap();
        if i == 2 {
            writeln!(f, "{{\"id\": \"broken\", \"date\": \"2026-13-01\"}}").unwrap();
        }
    }
    drop(f);
    let (code, out, err) = run(&["check", "--batch", p.to_str().unwrap()], dir.path());
    assert_eq!(code, 2, "one line is invalid: {err}");
    assert!(err.contains("line 4") && err.contains("date"), "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[3]["error"]["field"], "date");
    let ids: Vec<&str> = lines.iter().filter_map(|l| l["order"].as_str()).collect();
    assert_eq!(ids, ["PO-0", "PO-1", "PO-2", "PO-3", "PO-4", "PO-5"]);
    assert_eq!(lines[0]["verdict"], "license_required");
    assert_eq!(lines[1]["verdict"], "no_license_required");
}

#[test]
fn compare_and_explain_show_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "o.json",
        &order("H200", "CN", "Example Cloud Co., Ltd."),
    );
    let (code, out, err) = run(
        &["check", &f, "--compare", "2024-06-01,2026-02-01"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("presumption_of_denial") && out.contains("case_by_case"),
        "{out}"
    );
    assert!(out.contains("742.6-b10-2026-case-by-case"), "{out}");
    let (code, out, _) = run(&["check", &f, "--explain"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("15 CFR 742.6(a)(6)(iii)"), "{out}");
    let (code, out, err) = run(
        &["check", &f, "--compare", "2024-06-01,2026-02-01", "--json"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["changed"], true);
    assert_eq!(v["before"]["review_policy"], "presumption_of_denial");
}

#[test]
fn a_recorded_decision_can_be_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "o.json",
        &order("H200", "CN", "Example Cloud Co., Ltd."),
    );
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    // With a database the cap is decided on the exporter's ledger: put the US end-use units the
    // order certifies on record, so both decisions rest on the same counts.
    let (code, _, err) = run(
        &[
            "ship",
            "domestic",
            "--db",
            &db,
            "--exporter",
            "nvidia",
            "--chip",
            "H200",
            "--quantity",
            "250000",
            "--date",
            "2026-01-20",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        &["check", &f, "--json", "--record", "--db", &db],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("recorded as decision"), "{err}");
    let first: Value = serde_json::from_str(&out).unwrap();
    let (code, out, _) = run(
        &[
            "check",
            &f,
            "--json",
            "--as-of",
            first["as_of"].as_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    let again: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(first, again, "same pack, same lists, same answer");
    let (code, out, _) = run(&["audit", "verify", "--db", &db], dir.path());
    assert_eq!(code, 0, "{out}");
}
