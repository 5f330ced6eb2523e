//! In-process tests of the router: auth, problem+json, contracts and the OpenAPI document.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tollgate_server::auth::{hash_token, Principal, Role};
use tollgate_server::{router, AppState};
use tower::ServiceExt;

mod common;

fn app() -> axum::Router {
    let state = AppState::new(tollgate_core::Regulation::bundled().unwrap());
    state.tokens.insert(
        hash_token("reg-token"),
        Principal {
            token_id: "t1".into(),
            role: Role::Regulator,
            exporter: None,
        },
    );
    router(state)
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, String, serde_json::Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        ct,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header("Authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn v1_routes_need_a_token_and_say_so_as_problem_json() {
    let app = app();
    for uri in [
        "/v1/classify/H200",
        "/v1/regs",
        "/v1/regs/diff?from=2024-06-01&to=2026-02-01",
    ] {
        let (s, ct, body) = call(&app, get(uri, None)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(body["status"], 401);
        let (s, _, _) = call(&app, get(uri, Some("wrong"))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // The challenge names the bearer scheme.
        let resp = app.clone().oneshot(get(uri, None)).await.unwrap();
        assert_eq!(
            resp.headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer realm=\"tollgate\""),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn classify_returns_the_section_1_json() {
    let app = app();
    let (s, _, v) = call(
        &app,
        get("/v1/classify/H200?as_of=2026-02-01", Some("reg-token")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["tpp"], 15832);
    assert_eq!(v["eccn"], "3A090.a");
    assert_eq!(v["ai_commodity_2026"], true);
    let (s, _, v) = call(
        &app,
        get("/v1/classify/H200?as_of=2025-06-01", Some("reg-token")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["ai_commodity_2026"], false);
}

#[tokio::test]
async fn bad_input_is_problem_json_naming_the_field() {
    let app = app();
    let (s, ct, v) = call(
        &app,
        get("/v1/classify/H200?as_of=2026-99-01", Some("reg-token")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    assert_eq!(v["field"], "as_of");
    let (s, _, v) = call(
        &app,
        get("/v1/classify/NOPE?as_of=2026-02-01", Some("reg-token")),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "unknown_chip");
    let req = Request::post("/v1/classify?as_of=2026-02-01")
        .header("Authorization", "Bearer reg-token")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"x","dense_tops":{"fp8":"abc"}}"#))
        .unwrap();
    let (s, _, v) = call(&app, req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], ".dense_tops.fp8");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = app();
    let big = vec![b' '; tollgate_server::MAX_BODY_BYTES + 10];
    let req = Request::post("/v1/classify")
        .header("Authorization", "Bearer reg-token")
        .body(Body::from(big))
        .unwrap();
    let (s, _, _) = call(&app, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn health_ready_and_openapi_need_no_token() {
    let app = app();
    assert_eq!(call(&app, get("/health", None)).await.0, StatusCode::OK);
    let (s, _, v) = call(&app, get("/ready", None)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["regulation_packs"], 16);
    let (s, _, doc) = call(&app, get("/openapi.json", None)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
}

/// Every documented path answers (not the fallback's 404, not 405, not 5xx) with the documented
/// method on a seeded database, and every /v1 path declares bearer security.
#[tokio::test]
async fn every_openapi_route_exists_in_the_router() {
    let e = common::env().await;
    let id = common::seed(&e, "acme", &e.acme, "L-ACME").await;
    let doc = e.get("/openapi.json", "").await.json;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 20);
    for (path, ops) in paths {
        let uri = path
            .replace("{chip}", "H200")
            .replace("{date_or_id}", "2026-02-01")
            .replace("{id}", &id)
            .replace("{number}", "L-ACME");
        let uri = match uri.as_str() {
            u if u.ends_with("/diff") => format!("{u}?from=2024-06-01&to=2026-02-01"),
            "/v1/cap" => format!("{uri}?exporter=acme&chip=h200&as_of=2026-03-01"),
            "/v1/duty/statement" => format!("{uri}?exporter=acme&quarter=2026Q1"),
            _ => uri,
        };
        for (method, op) in ops.as_object().unwrap() {
            let body = (method == "post").then(|| {
                if uri.starts_with("/v1/classify") {
                    serde_json::json!({"dense_tops":{"fp8":1979},"dram_bandwidth_gbs":4800})
                } else {
                    serde_json::json!({})
                }
            });
            let r = e
                .call(&method.to_uppercase(), &uri, &e.reg, body.as_ref(), None)
                .await;
            assert!(
                r.json["code"] != "no_such_route"
                    && r.status != StatusCode::METHOD_NOT_ALLOWED
                    && !r.status.is_server_error(),
                "{method} {uri}: {} {}",
                r.status,
                r.text
            );
            if path.starts_with("/v1") {
                assert!(
                    op["security"].as_array().is_some_and(|a| !a.is_empty()),
                    "{method} {path} declares no security"
                );
            }
        }
    }
    // The fallback itself is distinguishable from a missing record.
    let r = e.get("/v1/nope", &e.reg).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_such_route"))
    );
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_a_405_problem() {
    let app = app();
    for uri in ["/health", "/v1/regs"] {
        let req = Request::delete(uri)
            .header("Authorization", "Bearer reg-token")
            .body(Body::empty())
            .unwrap();
        let (s, ct, body) = call(&app, req).await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
        assert_eq!(ct, "application/problem+json", "{uri}");
        assert_eq!(body["code"], "method_not_allowed", "{uri}");
        assert_eq!(body["status"], 405);
    }
}
