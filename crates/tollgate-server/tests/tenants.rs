//! Tenant isolation, route by route. The table below must name every `/v1` route of the OpenAPI
//! document (reference-data routes are listed apart, with the reason): a new route without a
//! case fails `every_v1_route_has_a_tenant_case`.
//!
//! For each route: an exporter token of `acme` aimed at `bolt`'s records gets 403 or 404 (a list
//! answers 200 with acme's records only), and never a byte of bolt's data; an auditor cannot
//! write; an exporter cannot approve or suspend customers or add licences; and nothing of
//! bolt's changed (the audit log did not grow).

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tollgate_store::Records;

/// Routes serving reference data (the regulation, the chip catalog), the same for every tenant.
const NOT_TENANT_DATA: &[(&str, &str)] = &[
    ("get", "/v1/classify/{chip}"),
    ("post", "/v1/classify"),
    ("get", "/v1/regs"),
    ("get", "/v1/regs/diff"),
    ("get", "/v1/regs/{date_or_id}"),
    // Screening reads the public restricted-party lists: reference data, not tenant records.
    ("post", "/v1/screen"),
    ("post", "/v1/screen/batch"),
    ("get", "/v1/lists"),
];

/// An order of exporter `bolt` (the other tenant).
fn bolt_order() -> Value {
    json!({
        "id": "PO-BOLT-1", "date": "2026-02-03", "exporter": "bolt",
        "items": [{"chip": "H200", "quantity": 10}],
        "parties": {
            "ultimate_consignee": {"name": "Example Cloud Co., Ltd.", "country": "CN"},
            "end_user": {"name": "Example Cloud Co., Ltd.", "country": "CN"}
        }
    })
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    /// 403 or 404.
    Denied,
    /// 200, with the caller's own records only.
    OwnOnly,
}

struct Case {
    method: &'static str,
    template: &'static str,
    /// The request `acme` sends at `bolt`'s records (`{B}` = bolt's customer id).
    uri: &'static str,
    body: Option<Value>,
    expect: Expect,
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let c = |method, template, uri, body: Option<Value>, expect| Case {
        method,
        template,
        uri,
        body,
        expect,
    };
    vec![
        c("post", "/v1/check", "/v1/check", Some(bolt_order()), Denied),
        c(
            "post",
            "/v1/check",
            "/v1/check?record=true",
            Some(bolt_order()),
            Denied,
        ),
        c(
            "post",
            "/v1/check/batch",
            "/v1/check/batch",
            Some(json!([bolt_order()])),
            Denied,
        ),
        c(
            "post",
            "/v1/customers",
            "/v1/customers",
            Some(json!({"name": "Planted", "country": "CN", "exporter": "bolt"})),
            Denied,
        ),
        c("get", "/v1/customers", "/v1/customers", None, OwnOnly),
        c(
            "get",
            "/v1/customers/{id}",
            "/v1/customers/{B}",
            None,
            Denied,
        ),
        c(
            "post",
            "/v1/customers/{id}/approve",
            "/v1/customers/{B}/approve",
            Some(json!({"kyc_until": "2030-01-01"})),
            Denied,
        ),
        c(
            "post",
            "/v1/customers/{id}/suspend",
            "/v1/customers/{B}/suspend",
            Some(json!({"reason": "sabotage"})),
            Denied,
        ),
        c(
            "post",
            "/v1/licences",
            "/v1/licences",
            Some(
                json!({"number": "L-EVIL", "exporter": "bolt", "customer": "{B}", "chip": "h200",
                      "quantity": 5, "value": "5.00", "valid_until": "2026-12-31"}),
            ),
            Denied,
        ),
        c("get", "/v1/licences", "/v1/licences", None, OwnOnly),
        c(
            "get",
            "/v1/licences/{number}",
            "/v1/licences/L-BOLT",
            None,
            Denied,
        ),
        c(
            "post",
            "/v1/shipments/domestic",
            "/v1/shipments/domestic",
            Some(json!({"exporter": "bolt", "chip": "h200", "quantity": 5, "date": "2026-01-21"})),
            Denied,
        ),
        c(
            "post",
            "/v1/shipments/export",
            "/v1/shipments/export",
            Some(export("L-BOLT", 1, "31000.00")),
            Denied,
        ),
        c(
            "get",
            "/v1/cap",
            "/v1/cap?exporter=bolt&chip=h200&as_of=2026-03-01",
            None,
            Denied,
        ),
        c(
            "post",
            "/v1/duty/payments",
            "/v1/duty/payments",
            Some(
                json!({"exporter": "bolt", "amount": "1.00", "reference": "EVIL", "date": "2026-02-21"}),
            ),
            Denied,
        ),
        c(
            "get",
            "/v1/duty/statement",
            "/v1/duty/statement?exporter=bolt&quarter=2026Q1",
            None,
            Denied,
        ),
        c("get", "/v1/audit/verify", "/v1/audit/verify", None, Denied),
        c("get", "/v1/decisions", "/v1/decisions", None, Denied),
    ]
}

fn fill(s: &str, b: &str) -> String {
    s.replace("{B}", b)
}

fn fill_json(v: &Value, b: &str) -> Value {
    serde_json::from_str(&fill(&v.to_string(), b)).expect("json")
}

/// Strings that only bolt's records contain (its customer's name is never sent by acme).
fn bolt_markers(b: &str) -> Vec<String> {
    vec![
        "bolt customer ltd".into(),
        "L-BOLT".into(),
        "PAY-bolt".into(),
        format!("\"{b}\""),
        "\"bolt\"".into(),
    ]
}

#[tokio::test]
async fn every_v1_route_has_a_tenant_case() {
    let e = env().await;
    let doc = e.get("/openapi.json", "").await.json;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(p, _)| p.starts_with("/v1"))
        .flat_map(|(p, ops)| {
            ops.as_object()
                .expect("ops")
                .keys()
                .map(|m| (m.clone(), p.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut covered: BTreeSet<(String, String)> = cases()
        .iter()
        .map(|c| (c.method.to_string(), c.template.to_string()))
        .collect();
    covered.extend(
        NOT_TENANT_DATA
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a tenant-isolation case (add one to cases(), or to NOT_TENANT_DATA with a reason): {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "cases for routes not in the OpenAPI document: {stale:?}"
    );
}

#[tokio::test]
async fn an_exporter_never_reads_or_changes_another_exporters_records_on_any_route() {
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    let b = seed(&e, "bolt", &e.bolt, "L-BOLT").await;
    let audit_before = e.store.audit_entries().await.unwrap().len();
    let bolt_before = (
        e.store.customer(&b).await.unwrap(),
        e.store.licence("L-BOLT").await.unwrap(),
    );
    for c in cases() {
        let uri = fill(c.uri, &b);
        let body = c.body.as_ref().map(|v| fill_json(v, &b));
        let r = e
            .call(&c.method.to_uppercase(), &uri, &e.acme, body.as_ref(), None)
            .await;
        match c.expect {
            Expect::Denied => assert!(
                r.status == 403 || r.status == 404,
                "{} {uri}: acme got {} {}",
                c.method,
                r.status,
                r.text
            ),
            Expect::OwnOnly => {
                assert_eq!(r.status, 200, "{} {uri}: {}", c.method, r.text);
                assert!(
                    !r.json.as_array().expect("a list").is_empty(),
                    "{uri}: acme sees its own records"
                );
            }
        }
        // A marker the request itself carries may be echoed back (404 "no licence 'L-BOLT'").
        let sent = format!(
            "{uri} {}",
            body.as_ref().map(|v| v.to_string()).unwrap_or_default()
        );
        for m in bolt_markers(&b)
            .into_iter()
            .filter(|m| !sent.contains(m.trim_matches('"')))
        {
            assert!(
                !r.text.contains(&m),
                "{} {uri}: acme's response leaks bolt's {m}: {}",
                c.method,
                r.text
            );
        }
    }
    assert_eq!(
        e.store.audit_entries().await.unwrap().len(),
        audit_before,
        "a denied request changed something"
    );
    let bolt_after = (
        e.store.customer(&b).await.unwrap(),
        e.store.licence("L-BOLT").await.unwrap(),
    );
    assert_eq!(bolt_before, bolt_after);
}

#[tokio::test]
async fn auditors_cannot_write_on_any_route() {
    let e = env().await;
    let b = seed(&e, "bolt", &e.bolt, "L-BOLT").await;
    let before = e.store.audit_entries().await.unwrap().len();
    let mut writes = 0;
    // Checking an order computes and stores nothing unless asked to record it.
    let is_write = |c: &Case| {
        c.method == "post" && (!c.uri.starts_with("/v1/check") || c.uri.contains("record=true"))
    };
    for c in cases().into_iter().filter(is_write) {
        writes += 1;
        let uri = fill(c.uri, &b);
        let body = c.body.as_ref().map(|v| fill_json(v, &b));
        let r = e.call("POST", &uri, &e.aud, body.as_ref(), None).await;
        assert_eq!(r.status, 403, "auditor POST {uri}: {}", r.text);
        assert_eq!(r.content_type, "application/problem+json");
    }
    assert!(writes >= 7);
    assert_eq!(e.store.audit_entries().await.unwrap().len(), before);
    // Reads are all open to the auditor.
    for c in cases().into_iter().filter(|c| c.method == "get") {
        let r = e.get(&fill(c.uri, &b), &e.aud).await;
        assert_eq!(r.status, 200, "auditor GET {}: {}", c.uri, r.text);
    }
}

#[tokio::test]
async fn exporters_cannot_approve_or_suspend_customers_or_add_licences_even_their_own() {
    let e = env().await;
    let a = e
        .ok(
            "/v1/customers",
            &e.acme,
            json!({"name": "Own", "country": "SG"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = e
        .post(
            &format!("/v1/customers/{a}/approve"),
            &e.acme,
            json!({"kyc_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e
        .post(
            &format!("/v1/customers/{a}/suspend"),
            &e.acme,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = e
        .post(
            "/v1/licences",
            &e.acme,
            json!({"number": "L-SELF", "exporter": "acme", "customer": a, "chip": "h200",
                   "quantity": 5, "value": "5.00", "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(e.store.licence("L-SELF").await.unwrap().is_none());
}

#[tokio::test]
async fn idempotency_keys_are_per_tenant_so_a_key_never_replays_another_exporters_response() {
    let e = env().await;
    let body = json!({"name": "Same Name", "country": "SG"});
    let rb = e
        .call("POST", "/v1/customers", &e.bolt, Some(&body), Some("k-1"))
        .await;
    assert_eq!(rb.status, 201);
    let ra = e
        .call("POST", "/v1/customers", &e.acme, Some(&body), Some("k-1"))
        .await;
    assert_eq!(ra.status, 201, "{}", ra.text);
    assert_ne!(ra.json["id"], rb.json["id"]);
    assert_eq!(ra.json["owner"], "acme");
}
