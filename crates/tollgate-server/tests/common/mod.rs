//! A router on a fresh SQLite store with one token per role (exporters `acme` and `bolt`), and
//! small request helpers.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use tollgate_server::{router, AppState};
use tollgate_store::{Records, SqlStore, TokenRole, WriteCtx};
use tower::ServiceExt;

pub struct Env {
    pub app: axum::Router,
    pub store: SqlStore,
    pub reg: String,
    pub aud: String,
    pub acme: String,
    pub bolt: String,
    _dir: tempfile::TempDir,
}

/// The bundled lists, loaded once per test binary.
pub fn screener() -> Arc<tollgate_screen::Screener> {
    static S: std::sync::OnceLock<Arc<tollgate_screen::Screener>> = std::sync::OnceLock::new();
    S.get_or_init(|| Arc::new(tollgate_screen::Screener::bundled().expect("bundled lists")))
        .clone()
}

pub async fn env() -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = Arc::new(tollgate_core::Regulation::bundled().expect("bundled regulation"));
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqlStore::connect(&url, reg.clone()).await.expect("store");
    let ctx = WriteCtx::new("test");
    let tok = |role, exp: Option<&str>| {
        let store = store.clone();
        let ctx = ctx.clone();
        let exp = exp.map(str::to_string);
        async move {
            store
                .create_token(&ctx, role, exp)
                .await
                .expect("token")
                .secret
        }
    };
    let (r, a, x, b) = (
        tok(TokenRole::Regulator, None).await,
        tok(TokenRole::Auditor, None).await,
        tok(TokenRole::Exporter, Some("acme")).await,
        tok(TokenRole::Exporter, Some("bolt")).await,
    );
    let app = router(
        AppState::shared(reg)
            .with_store(store.clone())
            .with_screener(screener()),
    );
    Env {
        app,
        store,
        reg: r,
        aud: a,
        acme: x,
        bolt: b,
        _dir: dir,
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
    pub json: Value,
}

impl Env {
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("Authorization", format!("Bearer {token}"));
        if let Some(k) = key {
            b = b.header("Idempotency-Key", k);
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes).to_string();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            content_type,
            text,
            json,
        }
    }
    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.call("GET", uri, token, None, None).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call("POST", uri, token, Some(&body), None).await
    }
    /// POST that must succeed with 201 or 200; returns the JSON.
    pub async fn ok(&self, uri: &str, token: &str, body: Value) -> Value {
        let r = self.post(uri, token, body).await;
        assert!(r.status.is_success(), "POST {uri}: {} {}", r.status, r.text);
        r.json
    }
}

/// A test report with an id of its own: the store refuses a report reused beyond its
/// `units_tested` across shipments, so each call is a different report (a body built once and
/// sent twice still carries the same one).
pub fn h200_report(units: i64) -> Value {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = format!(
        "EL-T-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    serde_json::json!({"lab": "Example Labs, Austin TX", "report_id": id, "date": "2026-02-10",
        "chip": "nvidia-h200-sxm", "units_tested": units,
        "measured": {"tpp": 15790, "dram_bandwidth_gbs": 4790}})
}

pub fn export(licence: &str, units: i64, value: &str) -> Value {
    serde_json::json!({"shipments": [{"licence": licence, "quantity": units, "value": value,
        "date": "2026-02-15", "test_report": h200_report(units)}]})
}

/// One exporter's records through the API: an approved customer in China, a licence, US
/// end-use units, an export shipment and a duty payment. Returns the customer id.
pub async fn seed(e: &Env, exporter: &str, token: &str, licence: &str) -> String {
    let c = e
        .ok(
            "/v1/customers",
            token,
            serde_json::json!({"name": format!("{exporter} customer ltd"), "country": "CN"}),
        )
        .await;
    let id = c["id"].as_str().expect("id").to_string();
    e.ok(
        &format!("/v1/customers/{id}/approve"),
        &e.reg,
        serde_json::json!({"kyc_until": "2026-12-31"}),
    )
    .await;
    e.ok(
        "/v1/licences",
        &e.reg,
        serde_json::json!({"number": licence, "exporter": exporter, "customer": id, "chip": "h200",
            "quantity": 1000, "value": "31000000.00", "valid_until": "2026-12-31"}),
    )
    .await;
    e.ok(
        "/v1/shipments/domestic",
        token,
        serde_json::json!({"chip": "h200", "quantity": 1000, "date": "2026-01-20"}),
    )
    .await;
    e.ok(
        "/v1/shipments/export",
        token,
        export(licence, 10, "310000.00"),
    )
    .await;
    e.ok(
        "/v1/duty/payments",
        token,
        serde_json::json!({"amount": "1000.00", "reference": format!("PAY-{exporter}"), "date": "2026-02-20"}),
    )
    .await;
    id
}
