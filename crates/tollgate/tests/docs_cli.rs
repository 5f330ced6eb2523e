//! The user reference in `docs/` is kept true: every JSON block in it parses, the orders it
//! shows are accepted by the real binary, and the decisions, classifications, hits and records it
//! shows are what the binary prints for the example files (field by field, or key by key where a
//! value changes from run to run), and fit the API's typed schemas.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("docs").join(name))
        .unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

/// The fenced blocks of a markdown text with their info string (`json`, or empty).
fn blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    while let Some(l) = lines.next() {
        if let Some(info) = l.strip_prefix("```") {
            let mut body = String::new();
            for b in lines.by_ref() {
                if b.starts_with("```") {
                    break;
                }
                body.push_str(b);
                body.push('\n');
            }
            out.push((info.trim().to_string(), body));
        }
    }
    out
}

fn json_blocks(name: &str) -> Vec<Value> {
    blocks(&doc(name))
        .into_iter()
        .filter(|(info, _)| info == "json")
        .map(|(_, b)| {
            serde_json::from_str(&b)
                .unwrap_or_else(|e| panic!("docs/{name}: a json block does not parse ({e}):\n{b}"))
        })
        .collect()
}

fn tollgate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("TOLLGATE_DB")
        .env_remove("TOLLGATE_DATA")
        .env_remove("TOLLGATE_LISTS")
        .env_remove("TOLLGATE_LISTS_DIR")
        // The docs show decisions as on current lists; on the bundled snapshot every decision
        // also carries `stale_lists`, whose message counts days (lists_update_cli.rs tests it).
        .env("TOLLGATE_MAX_LIST_AGE_DAYS", "36500")
        .env("TOLLGATE_ACTOR", "docs-test")
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let (code, out, err) = tollgate(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

fn example(name: &str) -> Value {
    let p = repo_root().join("examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("example")).expect("example JSON")
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn every_json_block_of_the_docs_parses() {
    let mut n = 0;
    for e in std::fs::read_dir(repo_root().join("docs")).expect("docs/") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            n += json_blocks(&name).len();
        }
    }
    assert!(n >= 10, "{n} json blocks");
}

#[test]
fn the_orders_shown_are_accepted_and_decided() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let orders: Vec<Value> = json_blocks("orders.md")
        .into_iter()
        .filter(|v| v.get("items").is_some())
        .collect();
    assert!(
        orders.len() >= 2,
        "orders.md shows a full order and one with owners"
    );
    assert_eq!(
        orders[0],
        example("order.json"),
        "orders.md shows examples/order.json"
    );
    assert!(
        orders.iter().any(|o| o.to_string().contains("\"owners\"")),
        "orders.md shows an order with owners"
    );
    for (i, o) in orders.iter().enumerate() {
        let _: tollgate_server::schema::OrderBody = serde_json::from_value(o.clone())
            .unwrap_or_else(|e| panic!("orders.md order {i} does not fit the API schema: {e}"));
        let f = tmp.path().join(format!("o{i}.json"));
        std::fs::write(&f, o.to_string()).expect("write");
        let d = ok_json(
            tmp.path(),
            &["check", f.to_str().unwrap(), "--no-screen", "--json"],
        );
        let _: tollgate_server::schema::DecisionBody = serde_json::from_value(d.clone())
            .unwrap_or_else(|e| panic!("orders.md order {i}: the decision does not fit: {e}"));
    }
    // The strict-keys example says what the binary says.
    let mut typo = example("order.json");
    let parties = typo["parties"].as_object_mut().expect("parties");
    let ic = parties.remove("intermediate_consignees").expect("ic");
    parties.insert("intermediate_consignee".into(), ic);
    let f = tmp.path().join("typo.json");
    std::fs::write(&f, typo.to_string()).expect("write");
    let (code, _, err) = tollgate(tmp.path(), &["check", f.to_str().unwrap(), "--no-screen"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "parties.intermediate_consignee: is not a known key; known keys here: purchaser, \
             ultimate_consignee, end_user, intermediate_consignees"
        ),
        "orders.md quotes the message: {err}"
    );
}

#[test]
fn the_decision_shown_is_the_real_decision_of_the_example_order() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let shown = json_blocks("decisions.md")
        .into_iter()
        .find(|v| v.get("verdict").is_some())
        .expect("decisions.md shows a decision");
    let _: tollgate_server::schema::DecisionBody =
        serde_json::from_value(shown.clone()).expect("the shown decision fits the API schema");
    let order = repo_root().join("examples/order.json");
    let real = ok_json(tmp.path(), &["check", order.to_str().unwrap(), "--json"]);
    for k in [
        "order",
        "as_of",
        "regulation",
        "verdict",
        "review_policy",
        "items",
        "screening",
        "obligations",
        "warnings",
    ] {
        assert_eq!(shown[k], real[k], "decisions.md `{k}`");
    }
    let real_reasons = real["reasons"].as_array().expect("reasons");
    for r in shown["reasons"].as_array().expect("reasons") {
        assert!(
            real_reasons.contains(r),
            "decisions.md shows a reason the decision does not give: {r}"
        );
    }
    // The warning shown is the one the order gets without the Part 744 certification.
    let warnings = json_blocks("decisions.md")
        .into_iter()
        .find(|v| v[0].get("code").is_some())
        .expect("decisions.md shows a warning");
    let mut o = example("order.json");
    o["certifications"]
        .as_object_mut()
        .expect("certifications")
        .remove("no_part744_end_use");
    let f = tmp.path().join("o.json");
    std::fs::write(&f, o.to_string()).expect("write");
    let d = ok_json(tmp.path(), &["check", f.to_str().unwrap(), "--json"]);
    assert_eq!(d["warnings"], warnings, "decisions.md warning example");
    assert_eq!(
        (&d["verdict"], &d["review_policy"]),
        (&real["verdict"], &real["review_policy"])
    );
    assert!(
        doc("decisions.md").contains(&format!("has {} reasons", real_reasons.len())),
        "decisions.md says how many reasons the real decision has ({})",
        real_reasons.len()
    );
}

#[test]
fn the_classification_and_specs_shown_are_real() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let b = json_blocks("classify.md");
    let shown = b
        .iter()
        .find(|v| v.get("eccn").is_some())
        .expect("a classification");
    let real = ok_json(
        tmp.path(),
        &[
            "classify",
            "nvidia-h200-sxm",
            "--as-of",
            "2026-02-01",
            "--json",
        ],
    );
    for (k, v) in shown.as_object().expect("object") {
        if k == "reasons" {
            for r in v.as_array().expect("reasons") {
                assert!(
                    real["reasons"].as_array().expect("reasons").contains(r),
                    "classify.md shows a reason the binary does not give: {r}"
                );
            }
        } else {
            assert_eq!(v, &real[k], "classify.md `{k}`");
        }
    }
    let specs = b
        .iter()
        .find(|v| v.get("dense_tops").is_some())
        .expect("specs");
    assert_eq!(
        specs,
        &example("acme-x1.json"),
        "classify.md shows examples/acme-x1.json"
    );
}

#[test]
fn the_screening_shown_is_real() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let shown = json_blocks("screening.md")
        .into_iter()
        .find(|v| v.get("hits").is_some())
        .expect("a screening result");
    let real = ok_json(
        tmp.path(),
        &[
            "screen",
            "Banco Nacional de Cuba",
            "--country",
            "CU",
            "--json",
        ],
    );
    assert_eq!(shown["query"], real["query"]);
    assert_eq!(shown["threshold"], real["threshold"]);
    let subset = |s: &Value, r: &Value, what: &str| {
        for (k, v) in s.as_object().expect("object") {
            assert_eq!(v, &r[k], "screening.md {what} `{k}`");
        }
    };
    subset(&shown["hits"][0], &real["hits"][0], "hit");
    subset(&shown["lists"][0], &real["lists"][0], "list file");
    // The CSV blocks: the input is the head of examples/customers.csv, the output what the
    // batch prints for it.
    let csv: Vec<String> = blocks(&doc("screening.md"))
        .into_iter()
        .filter(|(info, b)| info.is_empty() && b.starts_with("name,"))
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        csv.len(),
        2,
        "screening.md shows a batch input and its output"
    );
    let input = std::fs::read_to_string(repo_root().join("examples/customers.csv")).expect("csv");
    assert!(
        input.starts_with(&csv[0]),
        "the input shown is the head of examples/customers.csv"
    );
    std::fs::write(tmp.path().join("in.csv"), &csv[0]).expect("write");
    let (code, out, err) = tollgate(tmp.path(), &["screen", "--batch", "in.csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, csv[1], "screening.md shows the batch's real output");
}

#[test]
fn the_records_shown_are_real() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let b = json_blocks("records.md");
    let report = b
        .iter()
        .find(|v| v.get("units_tested").is_some())
        .expect("a test report");
    assert_eq!(
        report,
        &example("report.json"),
        "records.md shows examples/report.json"
    );
    let report_path = repo_root().join("examples/report.json");
    for args in [
        &[
            "customer",
            "add",
            "--name",
            "Example Cloud Co., Ltd.",
            "--country",
            "CN",
        ][..],
        &[
            "customer",
            "approve",
            "C-000001",
            "--kyc-until",
            "2027-01-31",
        ],
        &[
            "licence",
            "add",
            "--number",
            "L-1",
            "--exporter",
            "nvidia",
            "--customer",
            "C-000001",
            "--chip",
            "H200",
            "--quantity",
            "1000",
            "--value",
            "31000000.00",
            "--valid-until",
            "2027-01-31",
        ],
        &[
            "ship",
            "domestic",
            "--exporter",
            "nvidia",
            "--chip",
            "H200",
            "--quantity",
            "5000",
            "--date",
            "2026-02-01",
        ],
        &[
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
            report_path.to_str().unwrap(),
        ],
    ] {
        let (code, _, err) = tollgate(dir, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let licence = b
        .iter()
        .find(|v| v.get("remaining_units").is_some())
        .expect("a licence");
    let real = ok_json(dir, &["licence", "show", "L-1", "--json"]);
    assert_eq!(keys(licence), keys(&real), "records.md licence keys");
    for (k, v) in licence.as_object().expect("object") {
        if k != "created_at" {
            assert_eq!(v, &real[k], "records.md licence `{k}`");
        }
    }
    let cap = b
        .iter()
        .find(|v| v.get("headroom_units").is_some())
        .expect("a cap position");
    let real = ok_json(
        dir,
        &[
            "cap",
            "--exporter",
            "nvidia",
            "--chip",
            "H200",
            "--as-of",
            "2026-03-01",
            "--json",
        ],
    );
    assert_eq!(cap, &real, "records.md cap position");
}

#[test]
fn the_problem_shown_is_real() {
    let shown = json_blocks("api.md")
        .into_iter()
        .find(|v| v.get("code").is_some())
        .expect("a problem");
    let p: tollgate_server::error::Problem =
        serde_json::from_value(shown.clone()).expect("the problem fits the schema");
    // The same message from the CLI for the same mistake.
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut o = example("order.json");
    o["items"][0]["quantity"] = 0.into();
    let f = tmp.path().join("o.json");
    std::fs::write(&f, o.to_string()).expect("write");
    let (code, _, err) = tollgate(tmp.path(), &["check", f.to_str().unwrap(), "--no-screen"]);
    assert_eq!(code, 2);
    assert!(err.contains(&p.detail), "api.md problem detail: {err}");
}
