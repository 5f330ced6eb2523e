//! `/v1` records routes: customers, licences, shipments, the cap, duty, audit and decisions.
//!
//! Tenancy lives here, once per handler, before the store is called: an exporter token reads
//! and writes only its own exporter's records (another exporter's record is answered 404, as if
//! it did not exist; a query naming another exporter is 403), the regulator approves and
//! suspends customers and adds licences and sees all, the auditor reads all and writes nothing.
//! The rules themselves (drawdown, the cap, vetting, test reports, duty) are the store's.

use crate::auth::{Principal, Role};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use tollgate_store::*;

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;
/// Most decisions one listing returns.
pub const MAX_DECISIONS: i64 = 1000;

// ---- extractors -----------------------------------------------------------------------------

/// A JSON body whose errors are problem+json naming the offending field (`shipments[0].value`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| crate::error::from_rejection(r.status(), r.body_text()))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(Body).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "body".into() } else { path };
            ApiError::invalid(field, e.inner().to_string())
        })
    }
}

/// Query parameters whose errors are problem+json.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Params(q))
            .map_err(|r| ApiError::invalid("query", r.body_text()))
    }
}

/// The optional `Idempotency-Key` header: a retried write with the same key and body changes
/// nothing and answers the first response.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let k = v
            .to_str()
            .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?
            .trim();
        if k.is_empty()
            || k.len() > MAX_IDEMPOTENCY_KEY_CHARS
            || !k.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(ApiError::invalid(
                "Idempotency-Key",
                format!("must be 1..={MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"),
            ));
        }
        Ok(IdempotencyKey(Some(k.to_string())))
    }
}

/// The write context: the token id is the audit actor, and idempotency keys live in the
/// caller's tenant namespace so one exporter can never replay another's stored response.
fn write_ctx(p: &Principal, key: IdempotencyKey) -> WriteCtx {
    let ns = match p.role {
        Role::Exporter => format!("api:exporter:{}", p.exporter.as_deref().unwrap_or("")),
        r => format!("api:{}", r.as_str()),
    };
    WriteCtx::new(p.token_id.clone()).with_key(key.0.map(|k| format!("{ns}:{k}")))
}

/// The exporter of each licence looked up so far. A licence's exporter never changes and
/// licences are never deleted, so an entry stays true; unknown numbers are not kept (the
/// licence may be added later). Bounded: beyond the limit the map starts again.
#[derive(Debug, Default, Clone)]
pub struct LicenceOwners(Arc<RwLock<HashMap<String, String>>>);

const MAX_LICENCE_OWNERS: usize = 100_000;

impl LicenceOwners {
    /// The exporter of licence `number`, from memory or the store; `None`: no such licence.
    async fn get(&self, st: &SqlStore, number: &str) -> Result<Option<String>, ApiError> {
        if let Some(e) = self.0.read().ok().and_then(|m| m.get(number).cloned()) {
            return Ok(Some(e));
        }
        let Some(l) = st.licence(number).await? else {
            return Ok(None);
        };
        if let Ok(mut m) = self.0.write() {
            if m.len() >= MAX_LICENCE_OWNERS {
                m.clear();
            }
            m.insert(number.to_string(), l.exporter.clone());
        }
        Ok(Some(l.exporter))
    }
}

fn store(s: &AppState) -> Result<&SqlStore, ApiError> {
    s.store
        .as_ref()
        .ok_or_else(|| ApiError::unavailable("this server has no records database"))
}

fn no_writes(p: &Principal) -> Result<(), ApiError> {
    if p.role == Role::Auditor {
        return Err(ApiError::forbidden("auditor tokens are read-only"));
    }
    Ok(())
}

fn regulator_only(p: &Principal, what: &str) -> Result<(), ApiError> {
    if p.role != Role::Regulator {
        return Err(ApiError::forbidden(format!(
            "only a regulator token may {what}"
        )));
    }
    Ok(())
}

/// The exporter a write or query is about: an exporter token acts for its own exporter (naming
/// another is 403); the regulator and auditor must name one.
fn exporter_for(p: &Principal, named: Option<&str>, field: &str) -> Result<String, ApiError> {
    match (p.scope(), named.map(str::trim).filter(|n| !n.is_empty())) {
        (Some(own), None) => Ok(own.to_string()),
        (Some(own), Some(n)) if n == own => Ok(own.to_string()),
        (Some(_), Some(_)) => Err(ApiError::forbidden(
            "an exporter token acts only for its own exporter",
        )),
        (None, Some(n)) => Ok(n.to_string()),
        (None, None) => Err(ApiError::invalid(
            field,
            format!("required for a {} token", p.role.as_str()),
        )),
    }
}

/// Rejects another tenant's record as if it did not exist, so nothing about it leaks.
fn visible(p: &Principal, owner: Option<&str>) -> bool {
    match p.scope() {
        None => true,
        Some(own) => owner == Some(own),
    }
}

fn usd(field: &str, v: &str) -> Result<Decimal, ApiError> {
    Decimal::from_str_exact(v.trim())
        .map_err(|_| ApiError::invalid(field, format!("'{v}' is not a decimal USD amount")))
}

type Created<T> = (StatusCode, Json<T>);

fn created<T>(v: T) -> Created<T> {
    (StatusCode::CREATED, Json(v))
}

// ---- customers ------------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerIn {
    /// Optional id; default `C-000001`, ...
    pub id: Option<String>,
    pub name: String,
    /// ISO 3166 alpha-2 country of the end user.
    pub country: String,
    /// Headquarters country (default: `country`).
    pub headquarters: Option<String>,
    /// The owning exporter: an exporter token's own (default), required for a regulator.
    pub exporter: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    pub customer: Customer,
    /// Vetting history, oldest first.
    pub history: Vec<VettingEvent>,
}

/// Register a customer (unvetted) for an exporter.
#[utoipa::path(post, path = "/v1/customers", tag = "records", request_body = CustomerIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 201, body = Customer, description = "the customer, registered unvetted"),
        (status = 403, body = crate::error::Problem, description = "the token may not write this (an auditor, or another exporter named)"),
        (status = 422, body = crate::error::Problem, description = "invalid input (`field` names it), e.g. a country that is not ISO 3166-1 alpha-2 or an id already taken")),
    security(("bearer" = [])))]
pub async fn add_customer(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Body(b): Body<CustomerIn>,
) -> Result<Created<Customer>, ApiError> {
    no_writes(&p)?;
    let owner = exporter_for(&p, b.exporter.as_deref(), "exporter")?;
    let c = NewCustomer {
        id: b.id,
        name: b.name,
        country: b.country,
        headquarters: b.headquarters,
    };
    Ok(created(
        store(&s)?
            .add_customer_for(&write_ctx(&p, key), c, &owner)
            .await?,
    ))
}

/// Customers the caller may see (an exporter: its own).
#[utoipa::path(get, path = "/v1/customers", tag = "records",
    responses((status = 200, body = [Customer], description = "the customers the token may see, oldest first")), security(("bearer" = [])))]
pub async fn list_customers(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Vec<Customer>>, ApiError> {
    Ok(Json(store(&s)?.customers(p.scope()).await?))
}

async fn visible_customer(
    s: &AppState,
    p: &Principal,
    id: &str,
) -> Result<(Customer, Vec<VettingEvent>), ApiError> {
    match store(s)?.customer(id).await? {
        Some((c, h)) if visible(p, c.owner.as_deref()) => Ok((c, h)),
        _ => Err(ApiError::not_found(format!("no customer '{id}'"))),
    }
}

/// A customer and its vetting history.
#[utoipa::path(get, path = "/v1/customers/{id}", tag = "records",
    params(("id" = String, Path, description = "customer id")),
    responses((status = 200, body = CustomerDetail, description = "the customer and its vetting history"),
        (status = 404, body = crate::error::Problem, description = "no such customer (or another exporter's)")),
    security(("bearer" = [])))]
pub async fn get_customer(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<CustomerDetail>, ApiError> {
    let (customer, history) = visible_customer(&s, &p, &id).await?;
    Ok(Json(CustomerDetail { customer, history }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveIn {
    /// KYC and remote-access safeguards attested until this date (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub kyc_until: NaiveDate,
}

/// Approve (vet) a customer: regulator only.
#[utoipa::path(post, path = "/v1/customers/{id}/approve", tag = "records", request_body = ApproveIn,
    params(("id" = String, Path, description = "customer id"), ("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 200, body = Customer, description = "the customer, approved until `kyc_until`"),
        (status = 403, body = crate::error::Problem, description = "not a regulator token"),
        (status = 404, body = crate::error::Problem, description = "no such customer"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it")),
    security(("bearer" = [])))]
pub async fn approve_customer(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Body(b): Body<ApproveIn>,
) -> Result<Json<Customer>, ApiError> {
    regulator_only(&p, "approve customers")?;
    visible_customer(&s, &p, &id).await?;
    Ok(Json(
        store(&s)?
            .approve_customer(&write_ctx(&p, key), &id, b.kyc_until)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendIn {
    pub reason: String,
}

/// Suspend a customer: regulator only.
#[utoipa::path(post, path = "/v1/customers/{id}/suspend", tag = "records", request_body = SuspendIn,
    params(("id" = String, Path, description = "customer id"), ("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 200, body = Customer, description = "the customer, suspended"),
        (status = 403, body = crate::error::Problem, description = "not a regulator token"),
        (status = 404, body = crate::error::Problem, description = "no such customer"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it, e.g. an empty reason")),
    security(("bearer" = [])))]
pub async fn suspend_customer(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Body(b): Body<SuspendIn>,
) -> Result<Json<Customer>, ApiError> {
    regulator_only(&p, "suspend customers")?;
    visible_customer(&s, &p, &id).await?;
    Ok(Json(
        store(&s)?
            .suspend_customer(&write_ctx(&p, key), &id, &b.reason)
            .await?,
    ))
}

// ---- licences -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceIn {
    pub number: String,
    pub exporter: String,
    /// Customer id (the exporter's own customer).
    pub customer: String,
    /// Catalog chip id or alias.
    pub chip: String,
    pub quantity: i64,
    /// USD, decimal string.
    pub value: String,
    #[schema(value_type = String, format = Date)]
    pub valid_until: NaiveDate,
}

/// A licence with what is drawn and what remains.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LicenceBody {
    #[serde(flatten)]
    pub licence: Licence,
    pub remaining_units: i64,
    #[schema(value_type = String)]
    pub remaining_value_usd: Decimal,
}

impl From<Licence> for LicenceBody {
    fn from(l: Licence) -> Self {
        Self {
            remaining_units: l.remaining_units(),
            remaining_value_usd: l.remaining_value_usd(),
            licence: l,
        }
    }
}

/// Add a licence: regulator only.
#[utoipa::path(post, path = "/v1/licences", tag = "records", request_body = LicenceIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 201, body = LicenceBody, description = "the licence, nothing drawn yet"),
        (status = 403, body = crate::error::Problem, description = "not a regulator token"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it, e.g. an unknown customer or chip, or a number already taken")),
    security(("bearer" = [])))]
pub async fn add_licence(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Body(b): Body<LicenceIn>,
) -> Result<Created<LicenceBody>, ApiError> {
    regulator_only(&p, "add licences")?;
    let l = NewLicence {
        number: b.number,
        exporter: b.exporter,
        customer_id: b.customer,
        chip: b.chip,
        quantity_units: b.quantity,
        value_usd: usd("value", &b.value)?,
        valid_until: b.valid_until,
    };
    let lic = store(&s)?.add_licence(&write_ctx(&p, key), l).await?;
    Ok(created(lic.into()))
}

/// Licences the caller may see, with drawn and remaining.
#[utoipa::path(get, path = "/v1/licences", tag = "records",
    responses((status = 200, body = [LicenceBody], description = "the licences the token may see, with drawn and remaining")), security(("bearer" = [])))]
pub async fn list_licences(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Vec<LicenceBody>>, ApiError> {
    let v = store(&s)?.licences(p.scope()).await?;
    Ok(Json(v.into_iter().map(LicenceBody::from).collect()))
}

async fn visible_licence(s: &AppState, p: &Principal, number: &str) -> Result<Licence, ApiError> {
    match store(s)?.licence(number).await? {
        Some(l) if visible(p, Some(&l.exporter)) => Ok(l),
        _ => Err(ApiError::not_found(format!("no licence '{number}'"))),
    }
}

/// A licence: limits, drawn and remaining.
#[utoipa::path(get, path = "/v1/licences/{number}", tag = "records",
    params(("number" = String, Path, description = "licence number")),
    responses((status = 200, body = LicenceBody, description = "limits, drawn and remaining"),
        (status = 404, body = crate::error::Problem, description = "no such licence (or another exporter's)")),
    security(("bearer" = [])))]
pub async fn get_licence(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
) -> Result<Json<LicenceBody>, ApiError> {
    Ok(Json(visible_licence(&s, &p, &number).await?.into()))
}

// ---- shipments ------------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomesticIn {
    /// An exporter token's own (default); required for a regulator.
    pub exporter: Option<String>,
    pub chip: String,
    pub quantity: i64,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
}

/// Record US end-use units (the cap's base).
#[utoipa::path(post, path = "/v1/shipments/domestic", tag = "records", request_body = DomesticIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 201, body = DomesticShipment, description = "the US end-use units, recorded"),
        (status = 403, body = crate::error::Problem, description = "the token may not write this (an auditor, or another exporter named)"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it")),
    security(("bearer" = [])))]
pub async fn ship_domestic(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Body(b): Body<DomesticIn>,
) -> Result<Created<DomesticShipment>, ApiError> {
    no_writes(&p)?;
    let d = NewDomestic {
        exporter: exporter_for(&p, b.exporter.as_deref(), "exporter")?,
        chip: b.chip,
        quantity_units: b.quantity,
        date: b.date,
    };
    Ok(created(
        store(&s)?.ship_domestic(&write_ctx(&p, key), d).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportIn {
    pub licence: String,
    pub quantity: i64,
    /// USD, decimal string.
    pub value: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The third-party test report (docs/records.md), inline. Absent: refused
    /// (test-report-missing).
    #[schema(value_type = Option<crate::schema::TestReportBody>)]
    pub test_report: Option<serde_json::Value>,
    /// Customs value for the Section 232 duty (default: `value`).
    pub customs_value: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportBatchIn {
    /// Recorded atomically: all or none (a refusal names the item).
    pub shipments: Vec<ExportIn>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportBatchOut {
    pub shipments: Vec<ExportShipment>,
}

/// Record a batch of export shipments on licences (all or none).
#[utoipa::path(post, path = "/v1/shipments/export", tag = "records", request_body = ExportBatchIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key: a retried batch is never recorded twice")),
    responses((status = 201, body = ExportBatchOut, description = "every shipment recorded, each with its drawdown and duty accrual"),
        (status = 403, body = crate::error::Problem, description = "the token may not write this (an auditor, or another exporter named)"),
        (status = 404, body = crate::error::Problem, description = "no such licence (or another exporter's): `field` names the shipment"),
        (status = 409, body = crate::error::Problem, description = "refused by a rule: `rule` and `refusal` give the rule and its numbers; nothing was recorded"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it, e.g. `shipments[0].test_report.date`")),
    security(("bearer" = [])))]
pub async fn ship_export(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Body(b): Body<ExportBatchIn>,
) -> Result<Created<ExportBatchOut>, ApiError> {
    no_writes(&p)?;
    if b.shipments.is_empty() {
        return Err(ApiError::invalid("shipments", "at least one shipment"));
    }
    if b.shipments.len() > tollgate_store::sql::MAX_BATCH {
        return Err(ApiError::invalid(
            "shipments",
            format!("at most {} per batch", tollgate_store::sql::MAX_BATCH),
        ));
    }
    let st = store(&s)?;
    // An exporter may only draw on its own licences; another's is answered like a missing one.
    if p.scope().is_some() {
        let mut seen: BTreeMap<&str, bool> = BTreeMap::new();
        for (i, it) in b.shipments.iter().enumerate() {
            let ok = match seen.get(it.licence.as_str()) {
                Some(ok) => *ok,
                None => {
                    let owner = s.licence_owners.get(st, &it.licence).await?;
                    let ok = owner.is_some_and(|e| visible(&p, Some(&e)));
                    seen.insert(&it.licence, ok);
                    ok
                }
            };
            if !ok {
                return Err(ApiError {
                    field: Some(format!("shipments[{i}].licence")),
                    ..ApiError::not_found(format!("no licence '{}'", it.licence))
                });
            }
        }
    }
    let mut items = Vec::with_capacity(b.shipments.len());
    for (i, it) in b.shipments.into_iter().enumerate() {
        let at = |f: &str| format!("shipments[{i}].{f}");
        let test_report = match it.test_report {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(TestReport::from_json(&v.to_string()).map_err(|e| match e {
                StoreError::Invalid { field, message } => ApiError::invalid(
                    at(&field.replacen("test-report", "test_report", 1)),
                    message,
                ),
                other => other.into(),
            })?),
        };
        items.push(NewExport {
            licence: it.licence,
            quantity_units: it.quantity,
            value_usd: usd(&at("value"), &it.value)?,
            date: it.date,
            test_report,
            customs_value_usd: it
                .customs_value
                .as_deref()
                .map(|c| usd(&at("customs_value"), c))
                .transpose()?,
            low_value_reason: None,
        });
    }
    let ctx = write_ctx(&p, key);
    let shipments = match &s.exports {
        Some(q) => q.ship_exports(&ctx, items).await?,
        None => st.ship_exports(&ctx, items).await?,
    };
    Ok(created(ExportBatchOut { shipments }))
}

// ---- cap and duty ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CapQuery {
    /// An exporter token's own (default); required for the regulator and auditor.
    pub exporter: Option<String>,
    /// Catalog chip id or alias.
    pub chip: String,
    /// Ratio of the pack in force on this date (default today).
    pub as_of: Option<String>,
}

/// The China+Macau cap position of an exporter and chip.
#[utoipa::path(get, path = "/v1/cap", tag = "records", params(CapQuery),
    responses((status = 200, body = CapPosition, description = "US units, China+Macau units, allowed and headroom"),
        (status = 403, body = crate::error::Problem, description = "an exporter token named another exporter"),
        (status = 422, body = crate::error::Problem, description = "invalid or missing query parameter: `field` names it")),
    security(("bearer" = [])))]
pub async fn cap(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Params(q): Params<CapQuery>,
) -> Result<Json<CapPosition>, ApiError> {
    let exporter = exporter_for(&p, q.exporter.as_deref(), "exporter")?;
    let as_of = crate::api::parse_as_of(q.as_of.as_deref(), "as_of")?;
    Ok(Json(store(&s)?.cap(&exporter, &q.chip, as_of).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    /// An exporter token's own (default); required for a regulator.
    pub exporter: Option<String>,
    /// USD, decimal string.
    pub amount: String,
    pub reference: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
}

/// Record a duty payment.
#[utoipa::path(post, path = "/v1/duty/payments", tag = "records", request_body = PaymentIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe write key")),
    responses((status = 201, body = DutyPayment, description = "the payment, recorded"),
        (status = 403, body = crate::error::Problem, description = "the token may not write this (an auditor, or another exporter named)"),
        (status = 422, body = crate::error::Problem, description = "invalid input: `field` names it")),
    security(("bearer" = [])))]
pub async fn pay_duty(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    key: IdempotencyKey,
    Body(b): Body<PaymentIn>,
) -> Result<Created<DutyPayment>, ApiError> {
    no_writes(&p)?;
    let pay = NewPayment {
        exporter: exporter_for(&p, b.exporter.as_deref(), "exporter")?,
        amount_usd: usd("amount", &b.amount)?,
        reference: b.reference,
        date: b.date,
    };
    Ok(created(
        store(&s)?.pay_duty(&write_ctx(&p, key), pay).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// An exporter token's own (default); required for the regulator and auditor.
    pub exporter: Option<String>,
    /// e.g. `2026Q1`.
    pub quarter: String,
}

/// The duty statement of an exporter for a quarter: accrued, paid, outstanding.
#[utoipa::path(get, path = "/v1/duty/statement", tag = "records", params(StatementQuery),
    responses((status = 200, body = DutyStatement, description = "accrued, paid and outstanding, by chip and destination"),
        (status = 403, body = crate::error::Problem, description = "an exporter token named another exporter"),
        (status = 422, body = crate::error::Problem, description = "invalid or missing query parameter: `field` names it")),
    security(("bearer" = [])))]
pub async fn duty_statement(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Params(q): Params<StatementQuery>,
) -> Result<Json<DutyStatement>, ApiError> {
    let exporter = exporter_for(&p, q.exporter.as_deref(), "exporter")?;
    let quarter = Quarter::parse(&q.quarter)
        .ok_or_else(|| ApiError::invalid("quarter", format!("'{}' is not YYYYQn", q.quarter)))?;
    Ok(Json(store(&s)?.duty_statement(&exporter, quarter).await?))
}

// ---- audit and decisions --------------------------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditVerifyOut {
    /// `true`: the chain recomputes to the stored head.
    pub intact: bool,
    #[serde(flatten)]
    pub report: AuditReport,
}

/// Recompute the audit chain (regulator and auditor: the log spans every exporter).
#[utoipa::path(get, path = "/v1/audit/verify", tag = "records",
    responses((status = 200, body = AuditVerifyOut, description = "whether the chain is intact, and the first bad entry if not"),
        (status = 403, body = crate::error::Problem, description = "an exporter token (the log spans every exporter)")),
    security(("bearer" = [])))]
pub async fn audit_verify(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<Json<AuditVerifyOut>, ApiError> {
    if p.scope().is_some() {
        return Err(ApiError::forbidden(
            "the audit log spans every exporter: regulator and auditor tokens only",
        ));
    }
    let report = store(&s)?.verify_audit().await?;
    Ok(Json(AuditVerifyOut {
        intact: report.first_bad.is_none(),
        report,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionsQuery {
    /// Most decisions returned (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// The latest recorded decisions, newest first (regulator and auditor: decisions are not
/// stored per exporter).
#[utoipa::path(get, path = "/v1/decisions", tag = "records", params(DecisionsQuery),
    responses((status = 200, body = [Decision], description = "recorded decisions, newest first, each with its pack and list versions"),
        (status = 403, body = crate::error::Problem, description = "an exporter token (decisions are not kept per exporter)"),
        (status = 422, body = crate::error::Problem, description = "`limit` is not a number")),
    security(("bearer" = [])))]
pub async fn list_decisions(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Params(q): Params<DecisionsQuery>,
) -> Result<Json<Vec<Decision>>, ApiError> {
    if p.scope().is_some() {
        return Err(ApiError::forbidden(
            "decisions are not kept per exporter: regulator and auditor tokens only",
        ));
    }
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_DECISIONS);
    Ok(Json(store(&s)?.decisions(limit).await?))
}

/// The records routes, for the `/v1` router.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/customers", post(add_customer).get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route("/customers/{id}/approve", post(approve_customer))
        .route("/customers/{id}/suspend", post(suspend_customer))
        .route("/licences", post(add_licence).get(list_licences))
        .route("/licences/{number}", get(get_licence))
        .route("/shipments/domestic", post(ship_domestic))
        .route("/shipments/export", post(ship_export))
        .route("/cap", get(cap))
        .route("/duty/payments", post(pay_duty))
        .route("/duty/statement", get(duty_statement))
        .route("/audit/verify", get(audit_verify))
        .route("/decisions", get(list_decisions))
}
