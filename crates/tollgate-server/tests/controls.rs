//! `POST /v1/check` with the controls of December 2026 (in-process router, bundled packs and
//! lists, a SQLite records database): the Affiliates rule through the owners an order names, and
//! the 50 % cap decided on the exporter's ledger, not on the order's certification.

mod common;

use serde_json::{json, Value};

fn order(date: &str, country: &str, owners: Option<Value>) -> Value {
    let mut end_user = json!({"name": "Example Penang Compute Sdn. Bhd.", "country": country});
    if let Some(o) = owners {
        end_user["owners"] = o;
    }
    json!({
        "id": "PO-API-CTL", "date": date, "exporter": "acme",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 600}],
        "parties": {
            "ultimate_consignee": {"name": "Example Penang Compute Sdn. Bhd.", "country": country},
            "end_user": end_user
        },
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "no_part744_end_use": true,
            "us_units_shipped": 250000
        }
    })
}

#[tokio::test]
async fn an_affiliate_of_huawei_needs_a_licence_from_2026_11_10_and_is_a_red_flag_before() {
    let e = common::env().await;
    let owners =
        json!([{"name": "Huawei Technologies Co., Ltd.", "country": "CN", "percent": "60"}]);
    let d = e
        .ok(
            "/v1/check",
            &e.acme,
            order("2026-11-20", "MY", Some(owners.clone())),
        )
        .await;
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let r = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "744.11-a1-affiliates")
        .expect("the Affiliates rule is a reason");
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("'Huawei Technologies Co., Ltd.' (end_user.owners[0], 60 %) on the Entity List"));
    let d = e
        .ok(
            "/v1/check",
            &e.acme,
            order("2026-06-01", "MY", Some(owners)),
        )
        .await;
    assert_eq!(d["verdict"], "no_license_required", "{d:#}");
    assert!(d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "affiliate_red_flag"));
}

#[tokio::test]
async fn the_server_decides_the_cap_on_the_exporters_ledger() {
    let e = common::env().await;
    let china = || {
        order(
            "2026-02-01",
            "CN",
            Some(json!([{"name": "Example Founders", "country": "CN", "percent": "100"}])),
        )
    };
    // No US end-use units on record: 600 units to China exceed a cap of 0, whatever the order
    // certifies.
    let d = e.ok("/v1/check", &e.acme, china()).await;
    assert_eq!(d["review_policy"], "presumption_of_denial", "{d:#}");
    assert!(d["reasons"].as_array().unwrap().iter().any(|r| r["message"]
        .as_str()
        .unwrap()
        .ends_with("(0.5 x 0 US units) (counts from the exporter's ledger)")));
    e.ok(
        "/v1/shipments/domestic",
        &e.acme,
        json!({"chip": "h200", "quantity": 1200, "date": "2026-01-20"}),
    )
    .await;
    let d = e.ok("/v1/check", &e.acme, china()).await;
    assert_eq!(d["review_policy"], "case_by_case", "{d:#}");
}
