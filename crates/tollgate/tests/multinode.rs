//! Two `tollgate serve` processes on one fresh PostgreSQL database behave as one system:
//! concurrent export shipments through both nodes on one licence and one chip's cap never
//! overdraw the licence, fill the 50 % cap exactly, every acknowledged shipment is stored, a
//! retried write sent to the other node is not recorded twice, and the audit chain verifies.
//! Needs `TOLLGATE_TEST_PG_URL`; without it the test prints SKIPPED and passes.

mod http_client;

use http_client::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Client threads driving shipments (each alternates between the two nodes).
const CLIENTS: usize = 16;

/// Sends `attempts` one-unit shipments from CLIENTS threads, alternating nodes; every 10th
/// request is retried with the same key on the other node. Returns the acknowledged ids and
/// the refusal rules seen.
fn drive(
    nodes: &[String; 2],
    token: &str,
    attempts: usize,
    phase: &str,
) -> (Vec<i64>, BTreeSet<String>) {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let rules = Arc::new(Mutex::new(BTreeSet::new()));
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (acked, rules) = (acked.clone(), rules.clone());
            s.spawn(move || {
                for i in (c..attempts).step_by(CLIENTS) {
                    let node = &nodes[i % 2];
                    let body = export("L-MN", 1, "25000.00");
                    let key = (i % 10 == 0).then(|| format!("{phase}-{i}"));
                    let r = request(
                        node,
                        "POST",
                        "/v1/shipments/export",
                        Some(token),
                        Some(&body),
                        key.as_deref(),
                    )
                    .expect("request");
                    match r.status {
                        201 => {
                            let id = r.json()["shipments"][0]["id"].as_i64().expect("id");
                            acked.lock().unwrap().push(id);
                            if let Some(k) = &key {
                                // The retry goes to the other node: same answer, nothing new.
                                let again = request(
                                    &nodes[(i + 1) % 2],
                                    "POST",
                                    "/v1/shipments/export",
                                    Some(token),
                                    Some(&body),
                                    Some(k),
                                )
                                .expect("retry");
                                assert_eq!(again.status, 201, "{}", again.body);
                                assert_eq!(again.json()["shipments"][0]["id"].as_i64(), Some(id));
                            }
                        }
                        409 => {
                            let rule = r.json()["rule"].as_str().unwrap_or_default().to_string();
                            rules.lock().unwrap().insert(rule);
                        }
                        other => panic!("unexpected {other}: {}", r.body),
                    }
                }
            });
        }
    });
    let a = acked.lock().unwrap().clone();
    let r = rules.lock().unwrap().clone();
    (a, r)
}

#[test]
fn two_nodes_on_one_postgresql_keep_every_invariant_under_concurrent_shipments() {
    let Some(pg) = PgDb::fresh("multi-node on PostgreSQL") else {
        return;
    };
    let db = pg.url.clone();
    let dir = tempfile::tempdir().expect("temp dir");

    // Tokens from the CLI, before and after the nodes start: both kinds are accepted.
    let reg = token(&db, "regulator", None);
    let n1 = serve(dir.path(), &db);
    let n2 = serve(dir.path(), &db);
    assert!(
        n1.login.is_none() && n2.login.is_none(),
        "a token existed: no bootstrap"
    );
    let acme = token(&db, "exporter", Some("acme"));
    let nodes = [n1.base.clone(), n2.base.clone()];

    let c = ok(
        &nodes[0],
        "/v1/customers",
        &reg,
        json!({"name": "Shenzhen Compute", "country": "CN", "exporter": "acme"}),
    );
    let cid = c["id"].as_str().expect("id").to_string();
    ok(
        &nodes[1],
        &format!("/v1/customers/{cid}/approve"),
        &reg,
        json!({"kyc_until": "2026-12-31"}),
    );
    ok(
        &nodes[0],
        "/v1/licences",
        &reg,
        json!({"number": "L-MN", "exporter": "acme", "customer": cid,
        "chip": "h200", "quantity": 600, "value": "1000000000.00", "valid_until": "2026-12-31"}),
    );
    ok(
        &nodes[1],
        "/v1/shipments/domestic",
        &acme,
        json!({"chip": "h200", "quantity": 1000, "date": "2026-01-20"}),
    );

    // Phase 1: 700 one-unit attempts against a cap of 500 (50 % of 1000 US units).
    let (acked1, rules1) = drive(&nodes, &acme, 700, "p1");
    assert_eq!(acked1.len(), 500, "the cap admits exactly 500 units");
    assert_eq!(
        rules1,
        BTreeSet::from(["china-macau-volume-cap".to_string()])
    );
    let cap = request(
        &nodes[0],
        "GET",
        "/v1/cap?chip=h200&as_of=2026-03-01",
        Some(&acme),
        None,
        None,
    )
    .unwrap()
    .json();
    assert_eq!(
        (
            cap["china_macau_units"].as_i64(),
            cap["allowed_units"].as_i64()
        ),
        (Some(500), Some(500))
    );

    // Phase 2: more US units lift the cap to 1000; the licence's 600 units now bind.
    ok(
        &nodes[0],
        "/v1/shipments/domestic",
        &acme,
        json!({"chip": "h200", "quantity": 1000, "date": "2026-01-21"}),
    );
    let (acked2, rules2) = drive(&nodes, &acme, 200, "p2");
    assert_eq!(
        acked2.len(),
        100,
        "the licence admits exactly 100 more units"
    );
    assert!(
        rules2
            .iter()
            .all(|r| r == "licence-drawdown-units" || r == "licence-exhausted"),
        "{rules2:?}"
    );
    for node in &nodes {
        let l = request(node, "GET", "/v1/licences/L-MN", Some(&acme), None, None)
            .unwrap()
            .json();
        assert_eq!(
            (l["drawn_units"].as_i64(), l["quantity_units"].as_i64()),
            (Some(600), Some(600))
        );
        assert_eq!(l["drawn_value_usd"], "15000000.00");
        let cap = request(
            node,
            "GET",
            "/v1/cap?chip=h200&as_of=2026-03-01",
            Some(&acme),
            None,
            None,
        )
        .unwrap()
        .json();
        assert_eq!(
            (cap["china_macau_units"].as_i64(), cap["us_units"].as_i64()),
            (Some(600), Some(2000))
        );
    }

    // Every acknowledged shipment is stored, and nothing else is.
    let acked: BTreeSet<i64> = acked1.iter().chain(&acked2).copied().collect();
    assert_eq!(acked.len(), 600);
    let stored: BTreeSet<i64> = pg.rt.block_on(async {
        let pool = sqlx::AnyPool::connect(&db).await.expect("connect");
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM export_shipments")
            .fetch_all(&pool)
            .await
            .expect("ids");
        pool.close().await;
        rows.into_iter().map(|r| r.0).collect()
    });
    assert_eq!(stored, acked);

    // The audit chain verifies through both nodes and the CLI.
    for node in &nodes {
        let v = request(node, "GET", "/v1/audit/verify", Some(&reg), None, None)
            .unwrap()
            .json();
        assert_eq!(v["intact"], true, "{v}");
    }
    drop((n1, n2));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["audit", "verify", "--db", &db])
        .env_remove("TOLLGATE_DB")
        .output()
        .expect("audit verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
