//! `/v1/check`, `/v1/screen` and `/v1/lists`, and the dashboard's order-check and screening
//! pages. Handlers validate with the core's order validation, screen with tollgate-screen and
//! decide with tollgate-core; nothing here knows a rule.
//!
//! Tenancy: an exporter token checks only orders of its own exporter (403 otherwise); screening
//! and list versions are reference data every role may read. Recording a decision is a write.

use crate::auth::{Principal, Role};
use crate::dashboard::page;
use crate::error::ApiError;
use crate::records::{IdempotencyKey, Params};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form, Json};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use tollgate_core::{NaiveDate, Order, OrderError, Regulation, Screening};
use tollgate_screen::{Query, Screener};

/// Most orders in one batch request.
pub const MAX_BATCH_ORDERS: usize = 10_000;
/// Most names in one screening batch request.
pub const MAX_BATCH_NAMES: usize = 100_000;

fn screener(s: &AppState) -> Result<Arc<Screener>, ApiError> {
    s.screener()
        .ok_or_else(|| ApiError::unavailable("no screening lists are loaded on this server"))
}

fn order_error(e: OrderError) -> ApiError {
    ApiError::invalid(e.field, e.problem)
}

fn parse_date(field: &str, v: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, format!("'{v}' is not a YYYY-MM-DD date")))
}

fn screening_for(s: &AppState, order: &Order) -> Screening {
    // The lists in use now, held to the end of this order even if new ones are swapped in.
    match s.lists.load() {
        Some(l) => {
            tollgate_screen::order::screen_order_cached(&l.screener, Some(&l.party_cache), order)
        }
        None => Screening::default(),
    }
}

fn allowed(p: &Principal, order: &Order) -> Result<(), ApiError> {
    if p.role == Role::Exporter && !p.can_read(&order.exporter) {
        return Err(ApiError::forbidden(format!(
            "exporter: this token acts for exporter '{}', not '{}'",
            p.exporter.as_deref().unwrap_or(""),
            order.exporter
        )));
    }
    Ok(())
}

/// The cap ledger of the records database: (exporter, chip) -> (US end-use units, China+Macau
/// units). Inside the server the 50 % cap is decided on these counts, not the order's.
type LedgerMap = std::collections::HashMap<(String, String), (u64, u64)>;

/// Reads the ledger rows the principal may see (an exporter's own; all for the other roles),
/// once per request; `None` on a server without a records database.
async fn ledger(s: &AppState, p: &Principal) -> Result<Option<LedgerMap>, ApiError> {
    use tollgate_store::Records;
    let Some(store) = &s.store else {
        return Ok(None);
    };
    let exporter = match p.role {
        Role::Exporter => Some(p.exporter.as_deref().unwrap_or("")),
        _ => None,
    };
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    let rows = store
        .cap_positions(exporter, today)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Some(
        rows.into_iter()
            .map(|r| {
                (
                    (r.exporter, r.chip),
                    (
                        u64::try_from(r.us_units).unwrap_or(0),
                        u64::try_from(r.china_macau_units).unwrap_or(0),
                    ),
                )
            })
            .collect(),
    ))
}

fn use_ledger(order: &mut Order, ledger: Option<&LedgerMap>) {
    if let Some(l) = ledger {
        order.use_ledger(|e, c| l.get(&(e.to_string(), c.to_string())).copied());
    }
}

/// Parses, authorises, screens and decides one order; the decision JSON of docs/decisions.md.
fn decide_value(
    s: &AppState,
    p: &Principal,
    v: &Value,
    as_of: Option<NaiveDate>,
    ledger: Option<&LedgerMap>,
) -> Result<(Value, Screening, String), ApiError> {
    let reg: &Regulation = &s.reg;
    let mut order = Order::from_value(v, &reg.catalog, &reg.countries).map_err(order_error)?;
    allowed(p, &order)?;
    use_ledger(&mut order, ledger);
    let screening = screening_for(s, &order);
    let d = reg.decide(&order, as_of, &screening).map_err(order_error)?;
    let pack = d.pack.id.clone();
    Ok((d.to_json(), screening, pack))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// Decide under the regulation in force on this date (default: the order's date).
    pub as_of: Option<String>,
    /// Record the decision (with pack and list versions) for replay; needs a writing role and a
    /// records database.
    #[serde(default)]
    pub record: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Decide every order under the regulation in force on this date (default: each order's date).
    pub as_of: Option<String>,
}

fn body_json(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid("body", format!("is not valid JSON: {e}")))
}

/// Decide one order: screen every party and owner, then apply the regulation in force.
#[utoipa::path(post, path = "/v1/check", tag = "decide",
    request_body(content = crate::schema::OrderBody, description = "the order (docs/orders.md)"),
    params(CheckQuery, ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key for a recorded decision")),
    responses((status = 200, body = crate::schema::DecisionBody, description = "the decision (docs/decisions.md); any verdict is a 200"),
        (status = 403, body = crate::error::Problem, description = "the order's exporter is not the token's, or an auditor asked to record"),
        (status = 422, body = crate::error::Problem, description = "invalid order: `field` is the JSON path of the problem"),
        (status = 503, body = crate::error::Problem, description = "`record=true` on a server without a records database")),
    security(("bearer" = [])))]
pub async fn check(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Params(q): Params<CheckQuery>,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Response, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .map(|d| parse_date("as_of", d))
        .transpose()?;
    let v = body_json(&body)?;
    let ledger = ledger(&s, &p).await?;
    if !q.record {
        // The common path: serialise the decision straight from its parts.
        let reg: &Regulation = &s.reg;
        let mut order = Order::from_value(&v, &reg.catalog, &reg.countries).map_err(order_error)?;
        allowed(&p, &order)?;
        use_ledger(&mut order, ledger.as_ref());
        let screening = screening_for(&s, &order);
        let d = reg.decide(&order, as_of, &screening).map_err(order_error)?;
        let bytes =
            serde_json::to_vec(&d.output()).map_err(|e| ApiError::internal(e.to_string()))?;
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response());
    }
    // Run inline: a decision takes microseconds and a party's screening well under a
    // millisecond (repeated parties come from the cache), less than a hop to the blocking pool.
    let (decision, screening, pack) = decide_value(&s, &p, &v, as_of, ledger.as_ref())?;
    if q.record {
        use tollgate_store::{NewDecision, Records, WriteCtx};
        let order = decision["order"].as_str().unwrap_or("").to_string();
        if p.role == Role::Auditor {
            return Err(ApiError::forbidden("record: the auditor role is read-only"));
        }
        let store = s
            .store
            .as_ref()
            .ok_or_else(|| ApiError::unavailable("no records database on this server"))?;
        let as_of = decision["as_of"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .ok_or_else(|| ApiError::internal("decision without as_of"))?;
        let stored = store
            .record_decision(
                &WriteCtx::new(p.token_id.clone()).with_key(key.0),
                NewDecision {
                    order_id: order,
                    as_of,
                    pack_id: pack,
                    list_versions: json!(screening.list_versions),
                    decision: decision.clone(),
                },
            )
            .await?;
        let mut out = decision;
        if let Some(m) = out.as_object_mut() {
            m.insert("recorded_decision".into(), json!(stored.id));
        }
        return Ok(Json(out).into_response());
    }
    Ok(Json(decision).into_response())
}

/// Decide many orders (at most 10,000) in one request; one result per order, in input order.
#[utoipa::path(post, path = "/v1/check/batch", tag = "decide",
    request_body(content = [crate::schema::OrderBody], description = "an array of orders (at most 10,000)"),
    params(BatchQuery),
    responses((status = 200, body = [crate::schema::CheckBatchResult], description = "one result per order, in input order: its decision, or `{\"index\", \"error\"}` with the problem of that order"),
        (status = 403, body = crate::error::Problem, description = "an exporter token's batch names another exporter (nothing is decided)"),
        (status = 422, body = crate::error::Problem, description = "the body is not an array of at most 10,000 orders, or `as_of` is not a date")),
    security(("bearer" = [])))]
pub async fn check_batch(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Params(q): Params<BatchQuery>,
    body: Bytes,
) -> Result<Json<Vec<Value>>, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .map(|d| parse_date("as_of", d))
        .transpose()?;
    let v = body_json(&body)?;
    let Value::Array(orders) = v else {
        return Err(ApiError::invalid("body", "must be an array of orders"));
    };
    // An exporter's batch naming another exporter is refused whole, before any work.
    if p.role == Role::Exporter {
        for (i, o) in orders.iter().enumerate() {
            if let Some(e) = o.get("exporter").and_then(Value::as_str) {
                if !p.can_read(e) {
                    return Err(ApiError::forbidden(format!(
                        "[{i}].exporter: this token acts for exporter '{}', not '{e}'",
                        p.exporter.as_deref().unwrap_or("")
                    )));
                }
            }
        }
    }
    if orders.len() > MAX_BATCH_ORDERS {
        return Err(ApiError::invalid(
            "body",
            format!("has {} orders, more than {MAX_BATCH_ORDERS}", orders.len()),
        ));
    }
    let ledger = ledger(&s, &p).await?;
    let out = tokio::task::spawn_blocking(move || {
        orders
            .iter()
            .enumerate()
            .map(
                |(i, o)| match decide_value(&s, &p, o, as_of, ledger.as_ref()) {
                    Ok((d, _, _)) => d,
                    Err(e) => json!({"index": i, "error": e.problem()}),
                },
            )
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(out))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScreenIn {
    /// The party's name, as written.
    pub name: String,
    /// ISO 3166-1 alpha-2 country (evidence, never the only evidence).
    pub country: Option<String>,
    pub address: Option<String>,
    /// Threshold in [0, 1] (default: the server's).
    pub threshold: Option<f64>,
}

fn validate_screen(q: &ScreenIn, field: &str) -> Result<(), ApiError> {
    if q.name.trim().is_empty() {
        return Err(ApiError::invalid(
            format!("{field}name"),
            "must not be empty",
        ));
    }
    if q.name.len() > tollgate_screen::MAX_QUERY_BYTES {
        return Err(ApiError::invalid(
            format!("{field}name"),
            format!("is longer than {} bytes", tollgate_screen::MAX_QUERY_BYTES),
        ));
    }
    if let Some(c) = &q.country {
        let ok = c.len() == 2 && c.chars().all(|x| x.is_ascii_alphabetic());
        if !ok {
            return Err(ApiError::invalid(
                format!("{field}country"),
                format!("'{c}' is not an ISO 3166-1 alpha-2 code"),
            ));
        }
    }
    if let Some(t) = q.threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(ApiError::invalid(
                format!("{field}threshold"),
                format!("{t} is not in [0, 1]"),
            ));
        }
    }
    Ok(())
}

fn hits_json(sc: &Screener, q: &ScreenIn) -> Value {
    let query = Query {
        name: &q.name,
        country: q.country.as_deref(),
        address: q.address.as_deref(),
    };
    let t = q.threshold.unwrap_or(sc.threshold());
    let hits = sc.screen_at(&query, t);
    json!({
        "query": {"name": q.name, "country": q.country, "address": q.address},
        "threshold": t,
        "hits": hits,
        "warnings": sc.warnings(),
    })
}

/// Screen one name against the loaded restricted-party lists.
#[utoipa::path(post, path = "/v1/screen", tag = "screen", request_body = ScreenIn,
    responses((status = 200, body = crate::schema::HitsBody, description = "the query, the threshold and the hits at or above it, best first"),
        (status = 422, body = crate::error::Problem, description = "invalid query: `field` names it"),
        (status = 503, body = crate::error::Problem, description = "no screening lists are loaded on this server")),
    security(("bearer" = [])))]
pub async fn screen(
    State(s): State<AppState>,
    crate::records::Body(q): crate::records::Body<ScreenIn>,
) -> Result<Json<Value>, ApiError> {
    validate_screen(&q, "")?;
    let sc = screener(&s)?;
    Ok(Json(hits_json(&sc, &q)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScreenBatchIn {
    pub queries: Vec<ScreenIn>,
}

/// Screen many names (at most 100,000) in one request.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screen", request_body = ScreenBatchIn,
    responses((status = 200, body = [crate::schema::HitsBody], description = "one result per query, in input order"),
        (status = 422, body = crate::error::Problem, description = "an invalid query: `field` names it, e.g. `queries[3].country`"),
        (status = 503, body = crate::error::Problem, description = "no screening lists are loaded on this server")),
    security(("bearer" = [])))]
pub async fn screen_batch(
    State(s): State<AppState>,
    crate::records::Body(b): crate::records::Body<ScreenBatchIn>,
) -> Result<Json<Vec<Value>>, ApiError> {
    if b.queries.len() > MAX_BATCH_NAMES {
        return Err(ApiError::invalid(
            "queries",
            format!("has {} names, more than {MAX_BATCH_NAMES}", b.queries.len()),
        ));
    }
    for (i, q) in b.queries.iter().enumerate() {
        validate_screen(q, &format!("queries[{i}]."))?;
    }
    let sc = screener(&s)?;
    let out = tokio::task::spawn_blocking(move || {
        b.queries
            .iter()
            .map(|q| hits_json(&sc, q))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(out))
}

/// The loaded list files: source, format, as-of date, rows and SHA-256 of each.
#[utoipa::path(get, path = "/v1/lists", tag = "screen",
    responses((status = 200, body = crate::schema::ListsBody, description = "the default threshold and every loaded list file"),
        (status = 503, body = crate::error::Problem, description = "no screening lists are loaded on this server")),
    security(("bearer" = [])))]
pub async fn lists(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let sc = screener(&s)?;
    Ok(Json(
        json!({"threshold": sc.threshold(), "lists": sc.versions()}),
    ))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/check", post(check))
        .route("/check/batch", post(check_batch))
        .route("/screen", post(screen))
        .route("/screen/batch", post(screen_batch))
        .route("/lists", get(lists))
}

pub fn page_routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/check", get(check_page).post(check_submit))
        .route("/screen", get(screen_page).post(screen_submit))
}

// ---- dashboard pages ------------------------------------------------------------------------

const SAMPLE_ORDER: &str = r#"{
  "id": "PO-2026-0001",
  "date": "2026-02-03",
  "exporter": "nvidia",
  "transaction": "export",
  "ship_from": "US",
  "items": [
    {"chip": "nvidia-h200-sxm", "quantity": 1000,
     "unit_price": {"amount": "31000.00", "currency": "USD"}}
  ],
  "parties": {
    "purchaser":          {"name": "Example Cloud Co., Ltd.", "country": "CN"},
    "ultimate_consignee": {"name": "Example Cloud Co., Ltd.", "country": "CN"},
    "end_user":           {"name": "Example Cloud Co., Ltd.", "country": "CN",
                           "headquarters": "CN", "parent_headquarters": "CN"},
    "intermediate_consignees": []
  },
  "end_use": {"description": "commercial cloud inference", "military": false},
  "certifications": {
    "us_commercially_available": true,
    "us_supply_sufficient": true,
    "no_foundry_diversion": true,
    "kyc_remote_access_safeguards": true,
    "third_party_testing": true,
    "us_units_shipped": 250000
  }
}"#;

#[derive(Debug, Default, Deserialize)]
pub struct CheckForm {
    pub order: String,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub compare: String,
}

fn check_form(f: &CheckForm) -> Markup {
    html! {
        div.card {
            form method="post" action="/check" {
                label { "Order JSON (format: docs/orders.md)"
                    textarea name="order" id="order" rows="18" { (f.order) } }
                div.inline style="display:flex;gap:10px;margin-top:10px;align-items:end" {
                    label { "As of (default: the order's date)" input type="date" name="as_of" id="as_of" value=(f.as_of); }
                    label { "Compare with (what-if)" input type="date" name="compare" id="compare" value=(f.compare); }
                    button type="submit" id="check-submit" { "Check order" }
                }
            }
        }
    }
}

fn verdict_pill(v: &Value) -> Markup {
    let verdict = v["verdict"].as_str().unwrap_or("");
    let class = match verdict {
        "no_license_required" | "license_exception" => "pill p-ok",
        "prohibited" => "pill p-bad",
        _ => match v["review_policy"].as_str() {
            Some("presumption_of_approval") | Some("case_by_case") => "pill p-warn",
            _ => "pill p-bad",
        },
    };
    html! {
        span class=(class) { (verdict) }
        @if let Some(p) = v["review_policy"].as_str() { " " span.pill.p-info { (p) } }
    }
}

fn decision_card(d: &Value) -> Markup {
    html! {
        div.card {
            div.verdict id="verdict" data-verdict=(d["verdict"].as_str().unwrap_or("")) data-policy=(d["review_policy"].as_str().unwrap_or("")) {
                (verdict_pill(d))
            }
            p.muted { "Order " code { (d["order"].as_str().unwrap_or("")) } " under regulation " code { (d["regulation"].as_str().unwrap_or("")) } " as of " (d["as_of"].as_str().unwrap_or("")) }
            table {
                tr { th { "Chip" } th { "ECCN" } th.n { "TPP" } th { "AI commodity" } th.n { "Quantity" } th { "Item verdict" } }
                @for it in d["items"].as_array().into_iter().flatten() {
                    tr {
                        td { (it["chip"].as_str().unwrap_or("")) }
                        td { (it["eccn"].as_str().unwrap_or("")) }
                        td.n { (it["tpp"]) }
                        td { (it["ai_commodity_2026"]) }
                        td.n { (it["quantity"]) }
                        td { (it["verdict"].as_str().unwrap_or("")) @if let Some(p) = it["review_policy"].as_str() { " (" (p) ")" } }
                    }
                }
            }
            @if let Some(o) = d["obligations"].as_array().filter(|o| !o.is_empty()) {
                h3 { "Obligations" }
                ul { @for x in o { li { code { (x.as_str().unwrap_or("")) } } } }
            }
            @if let Some(e) = d.get("licence_exception") {
                h3 { "Licence exception " (e["name"].as_str().unwrap_or("")) }
                p { (e["notification"].as_str().unwrap_or("No notification is required.")) }
            }
            h3 { "Screening" }
            table {
                tr { th { "Party" } th { "Match" } th { "List" } th.n { "Score" } }
                @for sline in d["screening"].as_array().into_iter().flatten() {
                    tr {
                        td { (sline["party"].as_str().unwrap_or("")) }
                        td { (sline["match_name"].as_str().unwrap_or("—")) }
                        td { (sline["match_list"].as_str().unwrap_or("no match")) }
                        td.n { @if sline["score"].is_null() { "—" } @else { (sline["score"]) } }
                    }
                }
            }
            h3 { "Reasons" }
            ol.trace id="reasons" {
                @for r in d["reasons"].as_array().into_iter().flatten() {
                    li {
                        code { (r["rule"].as_str().unwrap_or("")) } " " (r["message"].as_str().unwrap_or(""))
                        div.cite { (r["citation"].as_str().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

pub async fn check_page() -> Html<String> {
    let f = CheckForm {
        order: SAMPLE_ORDER.to_string(),
        ..Default::default()
    };
    page(
        "Order check",
        "/check",
        html! { h1 { "Order check" } (check_form(&f)) },
    )
}

pub async fn check_submit(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(f): Form<CheckForm>,
) -> Response {
    let ledger = ledger(&s, &p).await.ok().flatten();
    let run = || -> Result<Markup, ApiError> {
        let v = body_json(&Bytes::from(f.order.clone()))?;
        let as_of = (!f.as_of.trim().is_empty())
            .then(|| parse_date("as_of", &f.as_of))
            .transpose()?;
        let (d, _, _) = decide_value(&s, &p, &v, as_of, ledger.as_ref())?;
        let compare = if f.compare.trim().is_empty() {
            None
        } else {
            let other = parse_date("compare", &f.compare)?;
            let (d2, _, _) = decide_value(&s, &p, &v, Some(other), ledger.as_ref())?;
            Some(d2)
        };
        Ok(html! {
            @if let Some(d2) = &compare {
                div.card id="compare" {
                    h3 { "What-if: " (d["as_of"].as_str().unwrap_or("")) " vs " (d2["as_of"].as_str().unwrap_or("")) }
                    div.grid {
                        div { p.muted { "regulation " (d["regulation"].as_str().unwrap_or("")) } (verdict_pill(&d)) }
                        div { p.muted { "regulation " (d2["regulation"].as_str().unwrap_or("")) } (verdict_pill(d2)) }
                    }
                    @let ra: Vec<&str> = rules(&d);
                    @let rb: Vec<&str> = rules(d2);
                    p { "Rules only on " (d["as_of"].as_str().unwrap_or("")) ": "
                        @for r in ra.iter().filter(|r| !rb.contains(r)) { code { (r) } " " } }
                    p { "Rules only on " (d2["as_of"].as_str().unwrap_or("")) ": "
                        @for r in rb.iter().filter(|r| !ra.contains(r)) { code { (r) } " " } }
                }
            }
            (decision_card(&d))
        })
    };
    let result = run();
    let body = match result {
        Ok(m) => m,
        Err(e) => {
            html! { div.card id="error" { span.pill.p-bad { "invalid order" } " " (e.detail) } }
        }
    };
    page(
        "Order check",
        "/check",
        html! { h1 { "Order check" } (body) (check_form(&f)) },
    )
    .into_response()
}

fn rules(d: &Value) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for r in d["reasons"].as_array().into_iter().flatten() {
        if let Some(id) = r["rule"].as_str() {
            if !v.contains(&id) {
                v.push(id);
            }
        }
    }
    v
}

#[derive(Debug, Default, Deserialize)]
pub struct ScreenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub country: String,
}

fn screen_form(f: &ScreenForm) -> Markup {
    html! {
        div.card {
            form.inline method="post" action="/screen" {
                label { "Name" input type="text" name="name" id="name" size="40" value=(f.name); }
                label { "Country (ISO)" input type="text" name="country" id="country" size="4" value=(f.country); }
                button type="submit" id="screen-submit" { "Screen" }
            }
        }
    }
}

pub async fn screen_page(State(s): State<AppState>) -> Html<String> {
    let lists = s
        .screener()
        .map(|sc| sc.versions().to_vec())
        .unwrap_or_default();
    page(
        "Screening",
        "/screen",
        html! {
            h1 { "Restricted-party screening" }
            (screen_form(&ScreenForm::default()))
            (crate::dashboard::lists_freshness(&s))
            div.card {
                h3 { "Lists loaded" }
                table {
                    tr { th { "Source" } th { "File" } th { "Published" } th.n { "Rows" } th { "SHA-256" } }
                    @for v in &lists {
                        tr { td { (v.source) } td { (v.file) } td { (v.published.as_deref().unwrap_or("—")) } td.n { (v.rows) } td.hash { (v.sha256.get(..16).unwrap_or(&v.sha256)) "…" } }
                    }
                }
            }
        },
    )
}

pub async fn screen_submit(State(s): State<AppState>, Form(f): Form<ScreenForm>) -> Response {
    let q = ScreenIn {
        name: f.name.clone(),
        country: (!f.country.trim().is_empty()).then(|| f.country.trim().to_string()),
        address: None,
        threshold: None,
    };
    let body = match validate_screen(&q, "").and_then(|_| screener(&s)) {
        Err(e) => html! { div.card id="error" { span.pill.p-bad { "invalid" } " " (e.detail) } },
        Ok(sc) => {
            let r = hits_json(&sc, &q);
            let hits = r["hits"].as_array().cloned().unwrap_or_default();
            let warnings = r["warnings"].as_array().cloned().unwrap_or_default();
            html! {
                @for w in &warnings {
                    div.card.warning { span.pill.p-warn { (w["code"].as_str().unwrap_or("")) } " " (w["message"].as_str().unwrap_or("")) }
                }
                div.card id="hits" data-count=(hits.len()) {
                    @if hits.is_empty() {
                        p { span.pill.p-ok { "no match" } " at threshold " (r["threshold"]) }
                    } @else {
                        table {
                            tr { th { "Listed name" } th { "List" } th { "Id" } th.n { "Score" } th { "Why" } }
                            @for h in &hits {
                                tr {
                                    td { (h["matched_name"].as_str().unwrap_or("")) }
                                    td { span.pill.p-bad { (h["list"].as_str().unwrap_or("")) } }
                                    td { code { (h["entity_id"].as_str().unwrap_or("")) } }
                                    td.n { (format!("{:.3}", h["score"].as_f64().unwrap_or(0.0))) }
                                    td.muted { (h["explanation"].as_str().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(
        "Screening",
        "/screen",
        html! { h1 { "Restricted-party screening" } (screen_form(&f)) (body) },
    )
    .into_response()
}
