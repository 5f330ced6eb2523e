//! Dashboard pages over the records: customers, licences with drawdown bars, the 50 % cap gauge
//! per exporter and chip, duty accrued vs paid by quarter, and the audit chain's status. Each page
//! is scoped like the API: an exporter's session sees only its own exporter's records.

use crate::auth::Principal;
use crate::dashboard::page;
use crate::svg;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::Extension;
use maud::{html, Markup};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use tollgate_store::{Records, SqlStore, StoreError, VettingStatus};

/// Quarters drawn in a duty chart (the latest ones).
pub const CHART_QUARTERS: usize = 8;
/// Exporters shown on the duty page at once (the regulator filters with `?exporter=`).
pub const MAX_DUTY_EXPORTERS: usize = 20;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/customers", get(customers))
        .route("/licences", get(licences))
        .route("/cap", get(cap))
        .route("/duty", get(duty))
        .route("/audit", get(audit))
}

/// Chart geometry only: money stays Decimal everywhere else and is printed exactly.
fn geom(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn failure(e: StoreError) -> Markup {
    tracing::error!(error = %e, "dashboard: store failure");
    html! { div.card { span.pill.p-bad { "error" } " the records database failed; see the server log" } }
}

fn no_store() -> Markup {
    html! { div.card { span.pill.p-warn { "no database" } " this server was started without a records database" } }
}

fn scope_note(p: &Principal) -> Markup {
    html! {
        p.muted {
            @match p.scope() {
                Some(e) => { "Records of exporter " code { (e) } " only." }
                None => { "All exporters (" (p.role.as_str()) ")." }
            }
        }
    }
}

fn status_pill(s: VettingStatus) -> Markup {
    let class = match s {
        VettingStatus::Approved => "pill p-ok",
        VettingStatus::Suspended => "pill p-bad",
        VettingStatus::Unvetted => "pill p-warn",
    };
    html! { span class=(class) { (s.as_str()) } }
}

async fn with_store<F, Fut>(s: &AppState, f: F) -> Markup
where
    F: FnOnce(SqlStore) -> Fut,
    Fut: std::future::Future<Output = Result<Markup, StoreError>>,
{
    match &s.store {
        None => no_store(),
        Some(st) => f(st.clone()).await.unwrap_or_else(failure),
    }
}

/// Customers with their vetting status.
pub async fn customers(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Html<String> {
    let body = with_store(&s, |st| async move {
        let list = st.customers(p.scope()).await?;
        Ok(html! {
            (scope_note(&p))
            div.card {
                @if list.is_empty() { p.muted { "No customers yet." } }
                @else {
                    table id="customers" {
                        tr { th { "Customer" } th { "Name" } th { "Country" } th { "HQ" } th { "Exporter" } th { "Vetting" } th { "KYC until" } }
                        @for c in &list {
                            tr {
                                td { code { (c.id) } } td { (c.name) } td { (c.country) } td { (c.headquarters) }
                                td { (c.owner.as_deref().unwrap_or("–")) }
                                td { (status_pill(c.status)) }
                                td { (c.kyc_until.map(|d| d.to_string()).unwrap_or_else(|| "–".into())) }
                            }
                        }
                    }
                }
            }
        })
    })
    .await;
    page(
        "Customers",
        "/customers",
        html! { h1 { "Customers and vetting" } (body) },
    )
}

/// Licences with drawdown bars (units and value).
pub async fn licences(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Html<String> {
    let today = crate::today();
    let body = with_store(&s, |st| async move {
        let list = st.licences(p.scope()).await?;
        Ok(html! {
            (scope_note(&p))
            div.card {
                @if list.is_empty() { p.muted { "No licences yet." } }
                @else {
                    table id="licences" {
                        tr { th { "Licence" } th { "Exporter" } th { "Customer" } th { "Chip" } th { "Units drawn" } th { "Value drawn (USD)" } th { "Valid until" } }
                        @for l in &list {
                            tr {
                                td { code { (l.number) } } td { (l.exporter) } td { (l.customer_id) } td { (l.chip) }
                                td.bar-cell {
                                    (svg::drawdown_bar(l.drawn_units as f64, l.quantity_units as f64, 160))
                                    div { (l.drawn_units) " of " (l.quantity_units) " · " (l.remaining_units()) " left" }
                                }
                                td.bar-cell {
                                    (svg::drawdown_bar(geom(l.drawn_value_usd), geom(l.value_usd), 160))
                                    div { (l.drawn_value_usd) " of " (l.value_usd) }
                                }
                                td {
                                    (l.valid_until) " "
                                    @if l.valid_until < today { span.pill.p-bad { "expired" } }
                                    @else if l.status != "active" { span.pill.p-warn { (l.status) } }
                                }
                            }
                        }
                    }
                }
            }
        })
    })
    .await;
    page(
        "Licences",
        "/licences",
        html! { h1 { "Licences and drawdown" } (body) },
    )
}

#[derive(Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// The China+Macau 50 % cap, one gauge per exporter and chip.
pub async fn cap(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<AsOf>,
) -> Html<String> {
    let as_of = q
        .as_of
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(crate::today);
    let body = with_store(&s, |st| async move {
        let caps = match st.cap_positions(p.scope(), as_of).await {
            Ok(c) => c,
            // No pack in force on that date: say so rather than fail the page.
            Err(StoreError::Invalid { message, .. }) => {
                return Ok(html! { div.card { span.pill.p-warn { "no cap" } " " (message) } })
            }
            Err(e) => return Err(e),
        };
        Ok(html! {
            (scope_note(&p))
            p.muted { "Cumulative China+Macau units against the ratio in force on " (as_of) " × cumulative US end-use units." }
            @if caps.is_empty() { div.card { p.muted { "No shipments yet." } } }
            div.grid id="caps" {
                @for c in &caps {
                    div.card.gauge {
                        h3 { (c.exporter) " · " (c.chip) }
                        (svg::cap_gauge(c.china_macau_units as f64, c.allowed_units as f64))
                        div.nums {
                            (c.china_macau_units) " shipped of " (c.allowed_units) " allowed" br;
                            (c.us_units) " US units · headroom " (c.headroom_units) " · pack " (c.pack_id)
                        }
                    }
                }
            }
        })
    })
    .await;
    page(
        "Cap",
        "/cap",
        html! { h1 { "China+Macau volume cap" } (body) },
    )
}

#[derive(Deserialize)]
pub struct DutyQuery {
    exporter: Option<String>,
}

/// Duty accrued vs paid by quarter, per exporter.
pub async fn duty(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<DutyQuery>,
) -> Html<String> {
    let body = with_store(&s, |st| async move {
        let exporters: Vec<String> = match (p.scope(), q.exporter.as_deref()) {
            (Some(own), _) => vec![own.to_string()],
            (None, Some(e)) if !e.trim().is_empty() => vec![e.trim().to_string()],
            (None, _) => st.exporters().await?,
        };
        let mut cards = Vec::new();
        for e in exporters.iter().take(MAX_DUTY_EXPORTERS) {
            let quarters = st.duty_quarters(e).await?;
            let skip = quarters.len().saturating_sub(CHART_QUARTERS);
            let mut rows = Vec::new();
            for qt in &quarters[skip..] {
                rows.push(st.duty_statement(e, *qt).await?);
            }
            let chart: Vec<(String, f64, f64)> = rows
                .iter()
                .map(|r| (r.quarter.clone(), geom(r.accrued_usd), geom(r.paid_usd)))
                .collect();
            cards.push(html! {
                div.card {
                    h3 { "Exporter " code { (e) } }
                    @if rows.is_empty() { p.muted { "No duty accrued or paid yet." } }
                    @else {
                        div.legend.muted { span style="background:#1f6feb" {} "accrued" span style="background:#1a7f37" {} "paid" }
                        (svg::duty_chart(&chart))
                        table {
                            tr { th { "Quarter" } th.n { "Opening" } th.n { "Accrued" } th.n { "Paid" } th.n { "Outstanding" } }
                            @for r in &rows {
                                tr { td { (r.quarter) } td.n { (r.opening_outstanding_usd) } td.n { (r.accrued_usd) } td.n { (r.paid_usd) } td.n { (r.outstanding_usd) } }
                            }
                        }
                    }
                }
            });
        }
        Ok(html! {
            (scope_note(&p))
            @if exporters.is_empty() { div.card { p.muted { "No exporters yet." } } }
            @if exporters.len() > MAX_DUTY_EXPORTERS { p.muted { "Showing the first " (MAX_DUTY_EXPORTERS) "; add ?exporter=ID for another." } }
            div id="duty" { @for c in &cards { (c) } }
        })
    })
    .await;
    page(
        "Duty",
        "/duty",
        html! { h1 { "Section 232 duty: accrued vs paid" } (body) },
    )
}

/// The audit chain: recomputed now, with the latest entries.
pub async fn audit(State(s): State<AppState>, Extension(p): Extension<Principal>) -> Html<String> {
    let body = if p.scope().is_some() {
        html! { div.card { p.muted { "The audit log spans every exporter: regulator and auditor sessions only." } } }
    } else {
        with_store(&s, |st| async move {
            let report = st.verify_audit().await?;
            let entries = st.audit_entries().await?;
            let latest: Vec<_> = entries.iter().rev().take(15).collect();
            Ok(html! {
                div.card id="audit-status" {
                    @match &report.first_bad {
                        None => { div.verdict { span.pill.p-ok { "intact" } } p { "The chain of " (report.entries) " entries recomputes to the stored head." } }
                        Some(f) => { div.verdict { span.pill.p-bad { "tampered" } } p { "First bad entry: " b { "#" (f.seq) } " — " (f.problem) } }
                    }
                    div.muted { "Head hash" } div.hash { (report.head_hash) }
                }
                div.card {
                    h3 { "Latest entries" }
                    table {
                        tr { th.n { "#" } th { "At" } th { "Actor" } th { "Action" } th { "Entity" } }
                        @for e in &latest { tr { td.n { (e.seq) } td { (e.at) } td { code { (e.actor) } } td { (e.action) } td { (e.entity) } } }
                    }
                }
            })
        })
        .await
    };
    page("Audit", "/audit", html! { h1 { "Audit log" } (body) })
}
