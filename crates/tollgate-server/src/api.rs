//! `/v1` handlers. Each one extracts typed input, calls one core function, maps the result.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tollgate_core::{ClassifyError, SpecsInput};

/// A chip's classification under the regulation in force on `as_of` (docs/classify.md).
/// Fields may be added.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClassificationBody {
    /// Catalog id, or the inline specs' name.
    pub chip: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    /// The regulation pack in force on `as_of`.
    pub regulation: String,
    /// Total processing performance, rounded down; null when unknown.
    pub tpp: Option<u64>,
    /// TPP per mm² of die area, at most 2 decimals; null when unknown.
    pub performance_density: Option<f64>,
    /// Total DRAM bandwidth in GB/s.
    pub dram_bandwidth_gbs: Option<f64>,
    /// `3A090.a`, `3A090.b`, `3A090.c`, `4A090.a`, `4A090.b`, or `not_3A090` / `EAR99`.
    pub eccn: String,
    /// Within the 2026 AI-commodity criteria, and that rule in force on `as_of`.
    pub ai_commodity_2026: bool,
    /// The paragraph that holds, e.g. `3A090.a.1`.
    pub paragraph: Option<String>,
    /// An advanced-computing ECCN applies.
    pub controlled: bool,
    /// TPP exactly, as a decimal string.
    pub tpp_exact: Option<String>,
    /// The precision that gives the TPP, e.g. `fp8`.
    pub tpp_precision: Option<String>,
    /// Interconnect bandwidth in GB/s.
    pub interconnect_gbs: Option<f64>,
    /// Designed or marketed for data centres.
    pub datacenter: bool,
    /// Classified as a computer containing the chip (4A090).
    pub system: bool,
    /// Named in an is-informed letter in force on `as_of`.
    pub is_informed: bool,
    /// The Section 232 duty band the chip falls in, or null.
    pub section_232_band: Option<DutyBandBody>,
    pub reasons: Vec<ReasonBody>,
}

/// A Section 232 duty band.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DutyBandBody {
    pub id: String,
    pub label: String,
    /// The duty rate in percent, a decimal string.
    pub rate_pct: String,
}

/// One reason: the rule that produced it, its citation and the sentence.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonBody {
    /// The regulation pack's rule id.
    pub rule: String,
    /// The CFR or Federal Register citation of the rule.
    pub citation: String,
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Date whose regulation applies (YYYY-MM-DD); default today in America/New_York.
    pub as_of: Option<String>,
    /// Classify a computer containing the chip (4A090).
    pub system: Option<bool>,
}

pub(crate) fn parse_as_of(s: Option<&str>, field: &str) -> Result<NaiveDate, ApiError> {
    match s {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| ApiError::invalid(field, format!("'{s}' is not a YYYY-MM-DD date ({e})"))),
        None => Ok(crate::today()),
    }
}

pub(crate) fn classify_error(field: &str, e: ClassifyError) -> ApiError {
    match e {
        ClassifyError::InvalidSpecs { field, problem } => ApiError::invalid(field, problem),
        ClassifyError::UnknownChip { .. } => ApiError {
            status: axum::http::StatusCode::NOT_FOUND,
            code: "unknown_chip",
            title: "Unknown chip",
            ..ApiError::invalid(field, e.to_string())
        },
        other => ApiError::invalid(field, other.to_string()),
    }
}

/// Classify a catalog chip (id or alias).
#[utoipa::path(get, path = "/v1/classify/{chip}", tag = "classify",
    params(("chip" = String, Path, description = "catalog id or alias"), AsOfQuery),
    responses((status = 200, body = ClassificationBody, description = "the classification, with a reason and citation for each step"),
        (status = 404, body = crate::error::Problem, description = "`unknown_chip`: neither a catalog id nor an alias; the detail lists the closest ids"),
        (status = 422, body = crate::error::Problem, description = "`as_of` is not a date, or no regulation pack is in force on it")),
    security(("bearer" = [])))]
pub async fn classify_chip(
    State(s): State<AppState>,
    Path(chip): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let as_of = parse_as_of(q.as_of.as_deref(), "as_of")?;
    let c = s
        .reg
        .classify_chip(&chip, as_of, q.system.unwrap_or(false))
        .map_err(|e| classify_error("chip", e))?;
    Ok(Json(c.to_json()))
}

/// Classify inline specs (the specs shape of docs/classify.md).
#[utoipa::path(post, path = "/v1/classify", tag = "classify", params(AsOfQuery),
    request_body(content = crate::schema::SpecsBody, description = "inline specs"),
    responses((status = 200, body = ClassificationBody, description = "the classification, with a reason and citation for each step"),
        (status = 422, body = crate::error::Problem, description = "invalid specs (`field` names the figure) or `as_of`")),
    security(("bearer" = [])))]
pub async fn classify_specs(
    State(s): State<AppState>,
    Query(q): Query<AsOfQuery>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let as_of = parse_as_of(q.as_of.as_deref(), "as_of")?;
    let input: SpecsInput =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let specs = input.validate("").map_err(|e| classify_error("body", e))?;
    let name = specs.name.clone();
    let c = s
        .reg
        .classify_specs(&specs, &name, None, as_of, q.system.unwrap_or(false))
        .map_err(|e| classify_error("body", e))?;
    Ok(Json(c.to_json()))
}

/// A regulation pack: one dated version of the rules.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PackBody {
    pub id: String,
    pub effective: String,
    pub title: String,
    pub federal_register: String,
    pub source: String,
    pub summary: String,
    pub rules: usize,
}

/// The regulation packs.
#[utoipa::path(get, path = "/v1/regs", tag = "regulation",
    responses((status = 200, body = [PackBody], description = "every pack, oldest first")), security(("bearer" = [])))]
pub async fn regs(State(s): State<AppState>) -> Json<Vec<PackBody>> {
    Json(
        s.reg
            .packs
            .all()
            .iter()
            .map(|p| PackBody {
                id: p.id.clone(),
                effective: p.effective.to_string(),
                title: p.raw.pack.title.clone(),
                federal_register: p.raw.pack.federal_register.clone(),
                source: p.raw.pack.source.clone(),
                summary: p.raw.pack.summary.clone(),
                rules: p.rule_map().len(),
            })
            .collect(),
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The earlier date (YYYY-MM-DD).
    pub from: String,
    /// The later date (YYYY-MM-DD).
    pub to: String,
}

/// What changed between the packs in force on two dates.
#[utoipa::path(get, path = "/v1/regs/diff", tag = "regulation", params(DiffQuery),
    responses((status = 200, body = Object, description = "the packs in force on both dates and every change between them, pack by pack"),
        (status = 422, body = crate::error::Problem, description = "`from` or `to` is not a date, or no pack is in force on it")),
    security(("bearer" = [])))]
pub async fn regs_diff(
    State(s): State<AppState>,
    Query(q): Query<DiffQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let from = parse_as_of(Some(&q.from), "from")?;
    let to = parse_as_of(Some(&q.to), "to")?;
    let d = s
        .reg
        .packs
        .diff(from, to)
        .map_err(|e| classify_error("from", e))?;
    serde_json::to_value(d)
        .map(Json)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// The pack in force on a date (or by id), rule by rule.
#[utoipa::path(get, path = "/v1/regs/{date_or_id}", tag = "regulation", params(("date_or_id" = String, Path, description = "pack id or YYYY-MM-DD")),
    responses((status = 200, body = Object, description = "the pack as its data file gives it, rule by rule with citations"),
        (status = 422, body = crate::error::Problem, description = "neither a pack id nor a date with a pack in force")),
    security(("bearer" = [])))]
pub async fn regs_show(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let pack = match s.reg.packs.get(&id) {
        Some(p) => p,
        None => s
            .reg
            .packs
            .in_force(parse_as_of(Some(&id), "date_or_id")?)
            .map_err(|e| classify_error("date_or_id", e))?,
    };
    serde_json::to_value(&pack.raw)
        .map(Json)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Liveness.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Health, description = "the process answers: `{\"status\": \"ok\"}`")))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness, with what is loaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    pub status: &'static str,
    pub regulation_packs: usize,
    pub chips: usize,
    /// The screening lists in use with their ages; null when the server screens no party.
    pub lists: Option<ReadyLists>,
}

/// The screening lists a node uses, how old each is, and (on a shared database) whether the
/// node screens with the version the database names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadyLists {
    /// Every list file in use.
    pub lists: Vec<ReadyList>,
    /// Whether a list that `tollgate lists update` refreshes is older than the maximum age.
    pub stale: bool,
    /// The maximum age in days (null when the lists carry no ages).
    pub max_age_days: Option<u32>,
    /// When these lists were swapped in (RFC 3339).
    pub loaded_at: String,
    /// List swaps since the server started.
    pub swaps: u64,
    /// With a shared PostgreSQL database: this node against the database's list version.
    pub sync: Option<crate::lists::SyncState>,
}

/// One list file in use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadyList {
    /// `csl`, `ofac`, `un`, `opensanctions`, `bundled` (no update source) or `local`.
    pub source: String,
    pub file: String,
    /// The publisher's date, else the fetch date; the snapshot's date for a bundled file.
    pub as_of: Option<String>,
    /// When the file was downloaded (null for a bundled file).
    pub fetched_at: Option<String>,
    /// When the publisher last confirmed it current.
    pub checked_at: Option<String>,
    /// Whole days since the list was last known current.
    pub age_days: Option<i64>,
    pub rows: usize,
    pub sha256: String,
    pub bundled: bool,
    pub updatable: bool,
    pub stale: bool,
}

/// Readiness: reference data loaded (and, when configured, the database reachable).
#[utoipa::path(get, path = "/ready", tag = "ops",
    responses((status = 200, body = Ready, description = "ready to serve"),
        (status = 503, body = crate::error::Problem, description = "`shutting_down`: the server is draining; use another node")))]
pub async fn ready(State(s): State<AppState>) -> Result<Json<Ready>, ApiError> {
    if s.shutting_down.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(ApiError {
            status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
            code: "shutting_down",
            title: "Shutting down",
            detail: "the server is draining".into(),
            field: None,
            refusal: None,
        });
    }
    Ok(Json(Ready {
        status: "ready",
        regulation_packs: s.reg.packs.all().len(),
        chips: s.reg.catalog.chips().len(),
        lists: lists_readiness(&s),
    }))
}

/// Each list's age and staleness, when it was swapped in, and how this node stands against the
/// shared database's list version.
pub fn lists_readiness(s: &AppState) -> Option<ReadyLists> {
    let l = s.lists.load()?;
    let (lists, stale, max_age_days) = match l.screener.freshness() {
        Some(f) => {
            let st = f.status();
            let lists = st
                .lists
                .into_iter()
                .map(|x| ReadyList {
                    source: x.source,
                    file: x.file,
                    as_of: Some(x.as_of),
                    fetched_at: x.fetched_at,
                    checked_at: x.checked_at,
                    age_days: Some(x.age_days),
                    rows: x.rows,
                    sha256: x.sha256,
                    bundled: x.bundled,
                    updatable: x.updatable,
                    stale: x.stale,
                })
                .collect();
            (lists, st.stale, Some(st.max_age_days))
        }
        None => {
            let lists = l
                .screener
                .versions()
                .iter()
                .map(|v| ReadyList {
                    source: "local".into(),
                    file: v.file.clone(),
                    as_of: v.published.clone(),
                    fetched_at: None,
                    checked_at: None,
                    age_days: None,
                    rows: v.rows,
                    sha256: v.sha256.clone(),
                    bundled: false,
                    updatable: false,
                    stale: false,
                })
                .collect();
            (lists, false, None)
        }
    };
    Some(ReadyLists {
        lists,
        stale,
        max_age_days,
        loaded_at: l.loaded_at.clone(),
        swaps: s.lists.swaps(),
        sync: s.lists.sync_state(),
    })
}
