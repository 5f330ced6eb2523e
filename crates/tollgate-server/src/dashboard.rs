//! The dashboard: server-rendered HTML (maud), small and fast, no client framework. Charts are SVG
//! drawn here. Pages call the same core functions as the API.

use crate::auth::Principal;
use crate::AppState;
use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

const CSS: &str = r#"
:root{--ink:#14213d;--muted:#5c677d;--line:#e3e7ef;--bg:#f6f8fb;--card:#fff;--accent:#1f6feb;--ok:#1a7f37;--warn:#b35900;--bad:#c62828}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--ink);color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header b{font-size:18px;letter-spacing:.5px}header nav a{color:#c9d3e6;text-decoration:none;margin-right:16px}header nav a:hover,header nav a.on{color:#fff}
main{max-width:1100px;margin:24px auto;padding:0 24px}h1{font-size:22px;margin:0 0 16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:18px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);font-variant-numeric:tabular-nums}
th{font-size:12px;text-transform:uppercase;color:var(--muted);letter-spacing:.4px}td.n,th.n{text-align:right}
.pill{display:inline-block;padding:1px 9px;border-radius:12px;font-size:12px;font-weight:600}
.p-ok{background:#e6f4ea;color:var(--ok)}.p-warn{background:#fff4e5;color:var(--warn)}.p-bad{background:#fdecea;color:var(--bad)}.p-info{background:#e8f0fe;color:var(--accent)}
form.inline{display:flex;gap:10px;flex-wrap:wrap;align-items:end}label{font-size:12px;color:var(--muted);display:flex;flex-direction:column;gap:3px}
input,select,textarea{font:inherit;padding:7px 9px;border:1px solid var(--line);border-radius:6px;background:#fff}textarea{width:100%;font-family:ui-monospace,monospace;font-size:13px}
button{font:inherit;padding:8px 16px;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
ol.trace li{margin-bottom:8px}ol.trace .cite{color:var(--muted);font-size:12px}code{background:#eef1f6;padding:1px 5px;border-radius:4px}
.verdict{font-size:20px;font-weight:700}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:18px}
.muted{color:var(--muted)}
.kpi{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums}.bar-cell{min-width:170px}.bar-cell div{font-size:12px;color:var(--muted)}
.gauge{text-align:center}.gauge h3{margin:0 0 4px;font-size:15px}.gauge .nums{font-size:13px;color:var(--muted)}
.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px}.hash{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
"#;

pub fn page(title: &str, active: &str, body: Markup) -> Html<String> {
    let nav = [
        ("/", "Overview"),
        ("/chips", "Chips"),
        ("/screen", "Screening"),
        ("/check", "Order check"),
        ("/customers", "Customers"),
        ("/licences", "Licences"),
        ("/cap", "Cap"),
        ("/duty", "Duty"),
        ("/audit", "Audit"),
    ];
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · tollgate" }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    header {
                        b { "tollgate" }
                        nav { @for (href, label) in nav.iter().copied() { a href=(href) class=@if href == active { "on" } { (label) } } }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// Dashboard pages need the session cookie set by `/login?token=...`.
pub async fn require_session(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .map(str::trim)
                .find_map(|kv| kv.strip_prefix("tollgate_token="))
        })
        .map(str::to_string);
    let principal = match token {
        Some(t) => s.tokens.resolve(&t).await,
        None => None,
    };
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        None => (StatusCode::UNAUTHORIZED, page("Sign in", "", html! {
            div.card {
                h1 { "Sign in" }
                p { "Open the one-time login URL printed by " code { "tollgate serve" } ", or paste an API token." }
                form.inline method="get" action="/login" { label { "Token" input name="token" type="password" size="48"; } button { "Sign in" } }
            }
        }))
            .into_response(),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    token: String,
}

/// Exchanges a token for an HttpOnly session cookie.
pub async fn login(State(s): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    if s.tokens.resolve(&q.token).await.is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            page(
                "Sign in",
                "",
                html! { div.card { h1 { "Unknown token" } p { a href="/" { "Try again" } } } },
            ),
        )
            .into_response();
    }
    let cookie = format!(
        "tollgate_token={}; HttpOnly; SameSite=Strict; Path=/",
        q.token
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

pub async fn overview(
    State(s): State<AppState>,
    axum::Extension(p): axum::Extension<Principal>,
) -> Html<String> {
    let today = crate::today();
    let pack = s.reg.packs.in_force(today).ok();
    page(
        "Overview",
        "/",
        html! {
            h1 { "Overview" }
            div.grid {
                div.card {
                    div.muted { "Signed in as" }
                    div.verdict { (p.role.as_str()) }
                    @if let Some(e) = &p.exporter { div { "exporter " code { (e) } } }
                }
                div.card {
                    div.muted { "Regulation in force on " (today) }
                    @if let Some(pk) = pack { div.verdict { "pack " (pk.id) } div.muted { (pk.raw.pack.title) } }
                }
                div.card {
                    div.muted { "Chip catalog" }
                    div.verdict { (s.reg.catalog.chips().len()) " chips" }
                    a href="/chips" { "Look up a chip →" }
                }
            }
            (lists_freshness(&s))
        },
    )
}

/// The screening lists in use, each with its as-of date, age and whether it is stale (the
/// overview and the screening page).
pub fn lists_freshness(s: &AppState) -> Markup {
    let Some(l) = s.lists.load() else {
        return html! { div.card id="lists-freshness" { span.pill.p-warn { "no lists" } " this server screens no party" } };
    };
    let Some(f) = l.screener.freshness() else {
        return html! {};
    };
    let st = f.status();
    let sync = s.lists.sync_state();
    html! {
        div.card id="lists-freshness" data-stale=(st.stale) {
            h3 { "Screening lists " @if st.stale { span.pill.p-bad { "stale" } } @else { span.pill.p-ok { "current" } } }
            p.muted { "A list is stale when older than " (st.max_age_days) " days; decisions and screening results on stale lists carry the " code { "stale_lists" } " warning. Loaded " (l.loaded_at) "." }
            @if let Some(sy) = &sync {
                @if !sy.in_sync { p { span.pill.p-bad { "lagging" } " this node's lists differ from the version the database names: " (sy.lagging.join("; ")) } }
            }
            table {
                tr { th { "Source" } th { "File" } th { "As of" } th { "Fetched" } th.n { "Age (days)" } th.n { "Rows" } th { "" } }
                @for x in &st.lists {
                    tr {
                        td { (x.source) } td { (x.file) } td { (x.as_of) }
                        td { (x.fetched_at.as_deref().unwrap_or("bundled")) }
                        td.n { (x.age_days) } td.n { (x.rows) }
                        td { @if x.stale && x.updatable { span.pill.p-bad { "stale" } } @else if x.stale { span.pill.p-warn { "old, not updatable" } } @else { span.pill.p-ok { "current" } } }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ChipsQuery {
    q: Option<String>,
    as_of: Option<String>,
}

fn eccn_pill(eccn: &str) -> Markup {
    let class = match eccn {
        "3A090.a" | "4A090.a" => "pill p-bad",
        "3A090.b" | "4A090.b" | "3A090.c" => "pill p-warn",
        _ => "pill p-ok",
    };
    html! { span class=(class) { (eccn) } }
}

/// Chip lookup and classification.
pub async fn chips(State(s): State<AppState>, Query(q): Query<ChipsQuery>) -> Html<String> {
    let as_of = q
        .as_of
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(crate::today);
    let detail =
        q.q.as_deref()
            .filter(|x| !x.trim().is_empty())
            .map(|x| s.reg.classify_chip(x, as_of, false));
    let rows: Vec<_> = s
        .reg
        .catalog
        .chips()
        .iter()
        .map(|c| (c, s.reg.classify_chip(&c.id, as_of, false).ok()))
        .collect();
    page(
        "Chips",
        "/chips",
        html! {
            h1 { "Chip lookup and classification" }
            div.card {
                form.inline method="get" action="/chips" {
                    label { "Chip (id or alias)" input name="q" value=(q.q.clone().unwrap_or_default()) placeholder="H200"; }
                    label { "As of" input name="as_of" type="date" value=(as_of.to_string()); }
                    button { "Classify" }
                }
            }
            @match detail {
                Some(Ok(c)) => div.card id="classification" {
                    h1 { (c.chip) " " (eccn_pill(&c.eccn)) " "
                        @if c.ai_commodity_2026 { span.pill.p-info { "AI commodity (2026)" } }
                        @if let Some(b) = &c.duty_band { " " span.pill.p-warn { (b.label) } } }
                    p.muted { "Regulation pack " (c.regulation) " in force on " (c.as_of) }
                    table { tr { th.n { "TPP" } th.n { "Performance density" } th.n { "DRAM bandwidth" } }
                        tr { td.n { (c.tpp_int().map(|t| t.to_string()).unwrap_or_default()) }
                             td.n { (c.performance_density_2dp().map(|t| t.to_string()).unwrap_or_else(|| "unknown".into())) }
                             td.n { (c.metrics.dram_bandwidth_gbs.map(|t| format!("{} GB/s", t.normalize())).unwrap_or_else(|| "unknown".into())) } } }
                    h3 { "Reasons" }
                    ol.trace { @for r in &c.reasons { li { (r.message) br; span.cite { code { (r.rule) } " " (r.citation) } } } }
                },
                Some(Err(e)) => div.card { span.pill.p-bad { "error" } " " (e.to_string()) },
                None => {},
            }
            div.card {
                table {
                    tr { th { "Chip" } th { "Vendor" } th.n { "TPP" } th.n { "DRAM GB/s" } th { "ECCN" } th { "AI commodity" } th { "§232" } }
                    @for (chip, c) in &rows {
                        tr {
                            td { a href={ "/chips?q=" (chip.id) "&as_of=" (as_of) } { (chip.id) } }
                            td { (chip.specs.vendor) }
                            td.n { (c.as_ref().and_then(|c| c.tpp_int()).map(|t| t.to_string()).unwrap_or_else(|| "–".into())) }
                            td.n { (chip.specs.dram_bandwidth_gbs.map(|b| b.normalize().to_string()).unwrap_or_else(|| "–".into())) }
                            td { @if let Some(c) = c { (eccn_pill(&c.eccn)) } @else { "unknown" } }
                            td { @if c.as_ref().is_some_and(|c| c.ai_commodity_2026) { span.pill.p-info { "yes" } } @else { "no" } }
                            td { (c.as_ref().and_then(|c| c.duty_band.as_ref()).map(|b| b.id.clone()).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        },
    )
}
