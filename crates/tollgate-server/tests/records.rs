//! The records routes over HTTP (in process): idempotent writes, refusals and invalid input as
//! problem+json, tokens read from the database, audit actors, and the dashboard pages.

mod common;

use common::*;
use serde_json::json;
use tollgate_store::{hash_token, Records, TokenRole, WriteCtx};

#[tokio::test]
async fn a_retried_export_with_the_same_idempotency_key_records_one_shipment_and_answers_the_same()
{
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    let before = e.store.export_shipment_ids().await.unwrap().len();
    let mut body = export("L-ACME", 7, "217000.00");
    // A report covering both shipments below (a report covers its units once across shipments).
    body["shipments"][0]["test_report"]["units_tested"] = 14.into();
    let first = e
        .call(
            "POST",
            "/v1/shipments/export",
            &e.acme,
            Some(&body),
            Some("batch-42"),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = e
        .call(
            "POST",
            "/v1/shipments/export",
            &e.acme,
            Some(&body),
            Some("batch-42"),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(
        first.json, again.json,
        "the retry answers the first response"
    );
    assert_eq!(
        e.store.export_shipment_ids().await.unwrap().len(),
        before + 1
    );
    let l = e.get("/v1/licences/L-ACME", &e.acme).await.json;
    assert_eq!(l["drawn_units"], 17);
    assert_eq!(l["remaining_units"], 983);
    // The same key with another body is refused, naming the header.
    let other = e
        .call(
            "POST",
            "/v1/shipments/export",
            &e.acme,
            Some(&export("L-ACME", 8, "248000.00")),
            Some("batch-42"),
        )
        .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.json["field"], "idempotency-key");
    // Without a key, a second identical request is a second shipment.
    e.ok("/v1/shipments/export", &e.acme, body.clone()).await;
    assert_eq!(
        e.store.export_shipment_ids().await.unwrap().len(),
        before + 2
    );
}

#[tokio::test]
async fn the_cap_refusal_is_409_with_the_rule_and_its_numbers() {
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    // 1000 US units: 500 allowed to China+Macau, 10 already shipped.
    let r = e
        .post(
            "/v1/shipments/export",
            &e.acme,
            export("L-ACME", 491, "1.00"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.json["rule"], "china-macau-volume-cap");
    assert_eq!(r.json["refusal"]["shipped"], 10);
    assert_eq!(r.json["refusal"]["requested"], 491);
    assert_eq!(r.json["refusal"]["allowed"], 500);
    let cap = e
        .get("/v1/cap?chip=h200&as_of=2026-03-01", &e.acme)
        .await
        .json;
    assert_eq!(cap["china_macau_units"], 10);
    assert_eq!(cap["headroom_units"], 490);
}

#[tokio::test]
async fn invalid_input_is_422_naming_the_field() {
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    let cases = [
        (
            "/v1/customers",
            json!({"name": "X", "country": "ZZ"}),
            "country",
        ),
        ("/v1/customers", json!({"country": "CN"}), "body"),
        (
            "/v1/shipments/export",
            json!({"shipments": [{"licence": "L-ACME", "quantity": 1, "value": "abc", "date": "2026-02-15"}]}),
            "shipments[0].value",
        ),
        (
            "/v1/shipments/export",
            json!({"shipments": [{"licence": "L-ACME", "quantity": "many", "value": "1", "date": "2026-02-15"}]}),
            "shipments[0].quantity",
        ),
        (
            "/v1/shipments/export",
            json!({"shipments": [{"licence": "L-ACME", "quantity": 1, "value": "1", "date": "2026-02-15",
                                  "test_report": {"lab": "x"}}]}),
            "shipments[0].test_report.",
        ),
        (
            "/v1/shipments/export",
            json!({"shipments": []}),
            "shipments",
        ),
        (
            "/v1/shipments/domestic",
            json!({"chip": "h200", "quantity": 0, "date": "2026-01-20"}),
            "quantity",
        ),
        (
            "/v1/duty/payments",
            json!({"amount": "-1", "reference": "R", "date": "2026-01-20"}),
            "amount",
        ),
    ];
    for (uri, body, field) in cases {
        let r = e.post(uri, &e.acme, body.clone()).await;
        assert_eq!(r.status, 422, "{uri} {body}: {}", r.text);
        assert_eq!(r.content_type, "application/problem+json");
        let got = r.json["field"].as_str().unwrap_or_default();
        assert!(
            got == field || (field == "body" && got == "name") || got.starts_with(field),
            "{uri} {body}: field {got}, want {field}"
        );
    }
    let r = e.get("/v1/duty/statement?quarter=2026Q5", &e.acme).await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("quarter"))
    );
    let r = e.get("/v1/cap?chip=h200", &e.reg).await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("exporter"))
    );
    let r = e.get("/v1/customers/C-404", &e.reg).await;
    assert_eq!(r.status, 404);
    let r = e
        .call(
            "POST",
            "/v1/customers",
            &e.acme,
            Some(&json!({"name": "X", "country": "CN"})),
            Some("bad key with spaces"),
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn tokens_created_after_start_work_revoked_ones_do_not_and_the_audit_actor_is_the_token_id() {
    let e = env().await;
    // Created "by the CLI or another node" while this router serves: found in the database.
    let t = e
        .store
        .create_token(
            &WriteCtx::new("cli"),
            TokenRole::Exporter,
            Some("zeta".into()),
        )
        .await
        .unwrap();
    let r = e
        .post(
            "/v1/customers",
            &t.secret,
            json!({"name": "Zeta Buyer", "country": "SG"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["owner"], "zeta");
    let last = e.store.audit_entries().await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("customer.add", t.token.id.as_str())
    );
    // Revoked in the database before first use here: refused. (A token already cached is
    // dropped by the revocation watch: crates/tollgate/tests/revocation.rs.)
    let u = e
        .store
        .create_token(&WriteCtx::new("cli"), TokenRole::Auditor, None)
        .await
        .unwrap();
    e.store
        .revoke_token(&WriteCtx::new("cli"), &u.token.id)
        .await
        .unwrap();
    assert_eq!(e.get("/v1/licences", &u.secret).await.status, 401);
    assert_eq!(e.get("/v1/licences", "tg_unknown").await.status, 401);
    assert!(e
        .store
        .token_by_hash(&hash_token(&u.secret))
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn audit_verify_reports_an_intact_chain() {
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    let r = e.get("/v1/audit/verify", &e.aud).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["intact"], true);
    assert!(r.json["entries"].as_i64().unwrap() > 5);
    let r = e.get("/v1/duty/statement?quarter=2026Q1", &e.acme).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["accrued_usd"], "77500.00");
    assert_eq!(r.json["paid_usd"], "1000.00");
    assert_eq!(r.json["outstanding_usd"], "76500.00");
}

async fn page(e: &Env, path: &str, token: &str) -> (u16, String) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let req = Request::get(path)
        .header("cookie", format!("tollgate_token={token}"))
        .body(Body::empty())
        .unwrap();
    let resp = e.app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

#[tokio::test]
async fn dashboard_pages_render_charts_scoped_by_the_session_role() {
    let e = env().await;
    seed(&e, "acme", &e.acme, "L-ACME").await;
    seed(&e, "bolt", &e.bolt, "L-BOLT").await;
    for path in ["/customers", "/licences", "/cap", "/duty", "/audit"] {
        let (s, html) = page(&e, path, &e.reg).await;
        assert_eq!(s, 200, "{path}");
        if path != "/audit" {
            assert!(
                html.contains("acme") && html.contains("bolt"),
                "{path}: regulator sees all"
            );
        }
        let (s, html) = page(&e, path, &e.acme).await;
        assert_eq!(s, 200, "{path}");
        assert!(
            !html.contains("bolt"),
            "{path}: acme's session shows bolt: {html}"
        );
        let (s, _) = page(&e, path, "tg_nope").await;
        assert_eq!(s, 401);
    }
    let (_, html) = page(&e, "/licences", &e.reg).await;
    assert!(html.contains("1.0 % drawn") && html.contains("<svg"));
    let (_, html) = page(&e, "/cap", &e.reg).await;
    assert!(
        html.contains("2 %") && html.contains("of the 50 % cap"),
        "{html}"
    );
    let (_, html) = page(&e, "/duty", &e.acme).await;
    assert!(
        html.contains("2026Q1") && html.contains("77500.00"),
        "{html}"
    );
    let (_, html) = page(&e, "/audit", &e.aud).await;
    assert!(html.contains("intact"));
    let (_, html) = page(&e, "/customers", &e.acme).await;
    assert!(html.contains("approved"));
}
