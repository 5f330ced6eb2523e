//! `/v1/check` and `/v1/screen` over HTTP (in-process router, bundled packs and lists).

mod common;

use serde_json::json;

fn order(exporter: &str, end_user: &str, country: &str) -> serde_json::Value {
    json!({
        "id": "PO-API-1", "date": "2026-02-03", "exporter": exporter,
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 1000,
                   "unit_price": {"amount": "31000.00", "currency": "USD"}}],
        "parties": {
            "ultimate_consignee": {"name": end_user, "country": country},
            "end_user": {"name": end_user, "country": country, "headquarters": country}
        },
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "us_units_shipped": 250000
        }
    })
}

#[tokio::test]
async fn check_returns_the_section_3_decision() {
    let e = common::env().await;
    // The server decides the cap on the exporter's ledger: put acme's US end-use units on record.
    e.ok(
        "/v1/shipments/domestic",
        &e.acme,
        serde_json::json!({"chip": "h200", "quantity": 250000, "date": "2026-01-20"}),
    )
    .await;
    let d = e
        .ok(
            "/v1/check",
            &e.acme,
            order("acme", "Example Cloud Co., Ltd.", "CN"),
        )
        .await;
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "case_by_case");
    assert_eq!(d["obligations"].as_array().map(|a| a.len()), Some(3));
    let d = e
        .ok(
            "/v1/check?as_of=2025-06-01",
            &e.reg,
            order("acme", "Example Cloud Co., Ltd.", "CN"),
        )
        .await;
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let d = e
        .ok(
            "/v1/check",
            &e.aud,
            order("acme", "Banco Nacional de Cuba", "CN"),
        )
        .await;
    assert_eq!(d["verdict"], "prohibited");
}

#[tokio::test]
async fn an_invalid_order_is_problem_json_naming_the_field() {
    let e = common::env().await;
    let mut o = order("acme", "X", "CN");
    o["items"][0]["unit_price"]["currency"] = json!("DOGE");
    let r = e.post("/v1/check", &e.acme, o).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.json["field"], "items[0].unit_price.currency");
    let r = e
        .post(
            "/v1/check?as_of=yesterday",
            &e.acme,
            order("acme", "X", "CN"),
        )
        .await;
    assert_eq!(r.json["field"], "as_of");
}

#[tokio::test]
async fn a_recorded_check_is_stored_once_per_idempotency_key() {
    let e = common::env().await;
    let o = order("acme", "Example Cloud Co., Ltd.", "CN");
    let k = Some("check-1");
    let a = e
        .call("POST", "/v1/check?record=true", &e.acme, Some(&o), k)
        .await;
    let b = e
        .call("POST", "/v1/check?record=true", &e.acme, Some(&o), k)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["recorded_decision"], b.json["recorded_decision"]);
    let list = e.get("/v1/decisions", &e.reg).await;
    assert_eq!(
        list.json.as_array().map(|a| a.len()),
        Some(1),
        "{}",
        list.text
    );
}

#[tokio::test]
async fn batch_check_answers_in_order_with_per_order_errors() {
    let e = common::env().await;
    let mut bad = order("acme", "X", "CN");
    bad["items"][0]["quantity"] = json!(-1);
    let out = e
        .ok(
            "/v1/check/batch",
            &e.acme,
            json!([
                order("acme", "A Co.", "DE"),
                bad,
                order("acme", "B Co.", "CN")
            ]),
        )
        .await;
    let a = out.as_array().unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0]["verdict"], "no_license_required");
    assert_eq!(a[1]["error"]["field"], "items[0].quantity");
    assert_eq!(a[2]["verdict"], "license_required");
}

#[tokio::test]
async fn screen_explains_its_hits() {
    let e = common::env().await;
    let r = e
        .ok(
            "/v1/screen",
            &e.acme,
            json!({"name": "Banco Nacional de Cuba", "country": "CU"}),
        )
        .await;
    let h = &r["hits"][0];
    assert_eq!(h["list"], "SDN");
    assert_eq!(h["entity_id"], "306");
    assert!(h["score"].as_f64().unwrap() > 0.9);
    assert!(h["explanation"].as_str().is_some_and(|s| !s.is_empty()));
    let r = e
        .ok(
            "/v1/screen",
            &e.acme,
            json!({"name": "Siemens Aktiengesellschaft", "country": "DE"}),
        )
        .await;
    assert_eq!(r["hits"], json!([]));
    let r = e
        .post("/v1/screen", &e.acme, json!({"name": "", "country": "DE"}))
        .await;
    assert_eq!(r.json["field"], "name");
    let r = e.get("/v1/lists", &e.aud).await;
    assert!(
        r.json["lists"].as_array().is_some_and(|l| l.len() >= 7),
        "{}",
        r.text
    );
    let r = e
        .ok(
            "/v1/screen/batch",
            &e.acme,
            json!({"queries": [{"name": "Banco Nacional de Cuba"}, {"name": "Zzyzx Bakery"}]}),
        )
        .await;
    assert_eq!(r[0]["hits"][0]["list"], "SDN");
    assert_eq!(r[1]["hits"], json!([]));
}

async fn form(e: &common::Env, uri: &str, token: &str, fields: &[(&str, &str)]) -> (u16, String) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let body = serde_urlencoded::to_string(fields).expect("form");
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("cookie", format!("tollgate_token={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let resp = e.app.clone().oneshot(req).await.expect("response");
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_check_page_shows_the_verdict_and_the_what_if() {
    let e = common::env().await;
    // The server decides the cap on the exporter's ledger: put acme's US end-use units on record.
    e.ok(
        "/v1/shipments/domestic",
        &e.acme,
        serde_json::json!({"chip": "h200", "quantity": 250000, "date": "2026-01-20"}),
    )
    .await;
    let o = order("acme", "Example Cloud Co., Ltd.", "CN").to_string();
    let (status, text) = form(
        &e,
        "/check",
        &e.reg,
        &[
            ("order", &o),
            ("as_of", "2026-02-03"),
            ("compare", "2024-06-01"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("data-verdict=\"license_required\""), "{text}");
    assert!(text.contains("data-policy=\"case_by_case\""));
    assert!(text.contains("id=\"compare\""));
    let (_, text) = form(&e, "/check", &e.bolt, &[("order", &o)]).await;
    assert!(
        text.contains("id=\"error\""),
        "bolt may not check acme's order: {text}"
    );
    let (_, text) = form(
        &e,
        "/screen",
        &e.aud,
        &[("name", "Banco Nacional de Cuba"), ("country", "CU")],
    )
    .await;
    assert!(text.contains("BANCO NACIONAL DE CUBA"), "{text}");
}
