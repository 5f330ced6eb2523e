//! tollgate-server is the HTTP face of tollgate: a versioned JSON API under `/v1` (OpenAPI 3.1 at
//! `/openapi.json`, errors as RFC 9457 problem+json) and a server-rendered dashboard. Handlers are
//! thin: they extract typed input, call one function of the core, screening or store crates, and
//! map the result. No rule of the regulation lives here.

pub mod api;
pub mod auth;
pub mod dashboard;
pub mod decide;
pub mod error;
pub mod lists;
pub mod pages;
pub mod records;
pub mod schema;
pub mod svg;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tollgate_core::Regulation;
use utoipa::OpenApi;

/// Parties whose screening results a server keeps (a vendor's active customer master).
pub const PARTY_CACHE: usize = 100_000;

/// Largest request body accepted (batch uploads included).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub reg: Arc<Regulation>,
    pub tokens: auth::TokenCache,
    pub shutting_down: Arc<AtomicBool>,
    /// The records database; `None` serves reference data only (records routes answer 503).
    pub store: Option<tollgate_store::SqlStore>,
    /// Export shipment requests to the store, group-committed (see `tollgate_store::group`).
    pub exports: Option<tollgate_store::group::ExportQueue>,
    /// The screening lists in use with their party cache, swapped atomically when new lists
    /// come in (`lists.rs`); none: decides without screening and answers 503 on `/v1/screen`.
    pub lists: lists::ListsHandle,
    /// Licence number -> exporter, for the tenancy check of export shipments.
    pub licence_owners: records::LicenceOwners,
}

impl axum::extract::FromRef<AppState> for auth::TokenCache {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

impl AppState {
    pub fn new(reg: Regulation) -> Self {
        Self::shared(Arc::new(reg))
    }

    /// The same, sharing a regulation already behind an `Arc` (e.g. with the store).
    pub fn shared(reg: Arc<Regulation>) -> Self {
        Self {
            reg,
            tokens: auth::TokenCache::default(),
            shutting_down: Arc::new(AtomicBool::new(false)),
            store: None,
            exports: None,
            lists: lists::ListsHandle::default(),
            licence_owners: Default::default(),
        }
    }

    /// Screens parties against these lists (and decides orders with the hits).
    pub fn with_screener(self, screener: Arc<tollgate_screen::Screener>) -> Self {
        self.lists.swap(screener, String::new());
        self
    }

    /// The screener in use now (hold it for the whole request).
    pub fn screener(&self) -> Option<Arc<tollgate_screen::Screener>> {
        self.lists.screener()
    }

    /// Serves the records of `store`; tokens not in the cache are looked up in it.
    pub fn with_store(mut self, store: tollgate_store::SqlStore) -> Self {
        self.tokens = auth::TokenCache::with_store(store.clone());
        self.exports = Some(tollgate_store::group::ExportQueue::new(store.clone()));
        self.licence_owners = Default::default();
        self.store = Some(store);
        self
    }
}

/// Today's date in America/New_York, the zone regulation dates are given in.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "tollgate", description = "Export-control compliance engine for advanced AI accelerators. \
Every `/v1` route needs `Authorization: Bearer <token>` (`tollgate token create`); errors are RFC 9457 \
`application/problem+json` naming the offending field. The user reference is in the repository's \
`docs/` folder: `docs/api.md` (this API), `docs/orders.md`, `docs/decisions.md`, `docs/screening.md`, \
`docs/records.md` and `docs/errors.md`."),
    paths(api::health, api::ready, api::classify_chip, api::classify_specs, api::regs, api::regs_diff, api::regs_show,
        records::add_customer, records::list_customers, records::get_customer, records::approve_customer,
        records::suspend_customer, records::add_licence, records::list_licences, records::get_licence,
        records::ship_domestic, records::ship_export, records::cap, records::pay_duty, records::duty_statement,
        records::audit_verify, records::list_decisions,
        decide::check, decide::check_batch, decide::screen, decide::screen_batch, decide::lists),
    components(schemas(schema::OrderBody, schema::DecisionBody, schema::CheckBatchResult, schema::HitsBody,
        schema::ListsBody, decide::ScreenIn, decide::ScreenBatchIn, error::Problem, api::ClassificationBody,
        api::ReasonBody, api::PackBody, api::Health, api::Ready, api::ReadyLists, api::ReadyList,
        lists::SyncState)),
    tags((name = "classify", description = "Chip classification under the regulation in force on a date"),
        (name = "regulation", description = "The dated regulation packs"),
        (name = "decide", description = "Order decisions (docs/orders.md, docs/decisions.md)"),
        (name = "screen", description = "Restricted-party screening (docs/screening.md)"),
        (name = "records", description = "Customers, licences, shipments, the volume cap, duty, audit and recorded decisions (docs/records.md)"),
        (name = "ops", description = "Liveness and readiness")),
    modifiers(&Security, &Problems)
)]
pub struct ApiDoc;

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("an API token from `tollgate token create`"))
                    .build(),
            ),
        );
    }
}

/// What every route shares, declared once: errors are `application/problem+json`; a route that
/// needs a token answers 401 without a valid one; a records route answers 503 on a server
/// without a records database.
struct Problems;
impl utoipa::Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                // Problem bodies are served as application/problem+json.
                for r in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = r {
                        if let Some(c) = r.content.shift_remove("application/json") {
                            let is_problem = matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem"));
                            let key = if is_problem {
                                "application/problem+json"
                            } else {
                                "application/json"
                            };
                            r.content.insert(key.to_string(), c);
                        }
                    }
                }
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    op.responses.responses.entry("401".into()).or_insert_with(|| {
                        problem("`unauthorized`: no bearer token, or one that is unknown or revoked")
                    });
                }
                let records = op
                    .tags
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| t == "records"));
                if records {
                    op.responses
                        .responses
                        .entry("503".into())
                        .or_insert_with(|| {
                            problem("`unavailable`: this server has no records database")
                        });
                }
            }
        }
    }
}

async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    match ApiDoc::openapi().to_json() {
        Ok(s) => ([(axum::http::header::CONTENT_TYPE, "application/json")], s).into_response(),
        Err(e) => error::ApiError::internal(e.to_string()).into_response(),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/classify/{chip}", get(api::classify_chip))
        .route("/classify", post(api::classify_specs))
        .route("/regs", get(api::regs))
        .route("/regs/diff", get(api::regs_diff))
        .route("/regs/{date_or_id}", get(api::regs_show))
        .merge(records::routes())
        .merge(decide::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.tokens.clone(),
            auth::require_token,
        ));
    let pages = Router::new()
        .route("/", get(dashboard::overview))
        .route("/chips", get(dashboard::chips))
        .merge(pages::routes())
        .merge(decide::page_routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            dashboard::require_session,
        ));
    Router::new()
        .nest("/v1", v1)
        .merge(pages)
        .route("/login", get(dashboard::login))
        .route("/health", get(api::health))
        .route("/ready", get(api::ready))
        .route("/openapi.json", get(openapi_json))
        .fallback(|| async {
            error::ApiError {
                code: "no_such_route",
                ..error::ApiError::not_found("no such route")
            }
        })
        // A known route asked with a method it does not take: problem+json, like every error.
        .method_not_allowed_fallback(|| async {
            error::ApiError {
                status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                title: "Method not allowed",
                ..error::ApiError::not_found("this route does not take this method")
            }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then drains in-flight requests (readiness reports
/// `shutting_down` meanwhile).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let flag = state.shutting_down.clone();
    let watcher = tokio::spawn(
        state
            .tokens
            .clone()
            .watch_revocations(auth::REVOCATION_POLL),
    );
    let app = router(state);
    // Small JSON responses: send each as soon as it is written (no Nagle delay).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            flag.store(true, Ordering::Relaxed);
            tracing::info!("shutting down: draining in-flight requests");
        })
        .await;
    watcher.abort();
    served
}
