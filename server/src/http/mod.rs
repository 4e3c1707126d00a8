//! The HTTP layer: a thin axum front over the store and the delivery engine.
//!
//! Every area module exposes `routes()`, a list of [`Route`]s (method, path, summary, handler).
//! The same list builds the router and the OpenAPI document, so the two cannot drift.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::MethodRouter;

use crate::config::Config;
use crate::delivery::DeliveryHandle;
use crate::store::Store;
use crate::telemetry::Telemetry;

pub mod auth;
pub mod envelope;
pub mod error;
pub mod queue_depth;
pub mod rate_limit;
pub mod reply;
pub mod request_id;
pub mod request_timeout;

mod api_keys;
mod billing;
mod dlq;
mod endpoints;
pub mod exports;
mod extract;
mod health;
mod inbound;
mod logs;
mod messages;
mod metrics;
mod openapi;
mod projects;
mod send;

pub use error::{ApiError, ApiResult};
pub use reply::Reply;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// Persistent storage.
    pub store: Arc<dyn Store>,
    /// Server configuration.
    pub config: Arc<Config>,
    /// Wakes the delivery engine when new work is stored.
    pub delivery: DeliveryHandle,
    /// Wakes the export worker when an export is stored.
    pub exports: crate::export_worker::ExportWorker,
    /// Prometheus counters.
    pub telemetry: Arc<Telemetry>,
    /// API key lookups.
    pub auth_cache: Arc<auth::AuthCache>,
    /// What refused ingest requests may store (rate limits and caps).
    pub rejection_log: Arc<crate::ingest::rejection_log::RejectionLog>,
    /// Queue depth figures shared by `/metrics` scrapes.
    pub queue_depth: Arc<queue_depth::QueueDepthCache>,
    /// Per-project API rate limits and the failed-authentication throttle.
    pub api_limits: Arc<rate_limit::ApiLimits>,
}

/// One route: where, what it does (for the OpenAPI document) and its handler.
pub struct Route {
    /// HTTP method in upper case.
    pub method: &'static str,
    /// axum path, e.g. `/v1/messages/{message_id}`.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Whether an API key is required.
    pub authenticated: bool,
    /// The handler.
    pub handler: MethodRouter<AppState>,
}

/// Every route of the server, in documentation order.
pub fn all_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(health::routes());
    routes.extend(send::routes());
    routes.extend(messages::routes());
    routes.extend(logs::routes());
    routes.extend(metrics::routes());
    routes.extend(dlq::routes());
    routes.extend(api_keys::routes());
    routes.extend(projects::routes());
    routes.extend(endpoints::routes());
    routes.extend(billing::routes());
    routes.extend(exports::routes());
    routes.extend(inbound::routes());
    routes
}

/// The complete router (all routes plus `/openapi.json`) with request ids, the request
/// timeout and the error envelope on every error answer.
pub fn router(state: AppState) -> Router {
    let request_timeout = state.config.request_timeout;
    let routes = all_routes();
    let document = Arc::new(openapi::document(&routes));
    let mut allowed: HashMap<&'static str, Vec<&'static str>> = HashMap::from([("/openapi.json", vec!["GET"])]);
    for route in &routes {
        allowed.entry(route.path).or_default().push(route.method);
    }
    let allowed = Arc::new(allowed);
    let mut router = Router::new();
    for route in routes {
        router = router.route(route.path, route.handler);
    }
    router
        .route("/openapi.json", axum::routing::get(move || openapi::serve(document.clone())))
        .method_not_allowed_fallback(move |request: axum::extract::Request| method_not_allowed(allowed.clone(), request))
        .fallback(no_such_route)
        .layer(axum::middleware::from_fn_with_state(request_timeout, request_timeout::limit_request_time))
        .layer(axum::middleware::from_fn(envelope::envelope_bare_errors))
        .layer(axum::middleware::from_fn(request_id::assign_request_id))
        .with_state(state)
}

/// A route that exists with other methods: 405 naming the allowed ones (axum adds `Allow`).
async fn method_not_allowed(allowed: Arc<HashMap<&'static str, Vec<&'static str>>>, request: axum::extract::Request) -> ApiError {
    let path = request.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned());
    let methods = path.as_deref().and_then(|p| allowed.get(p)).map(|m| m.join(", ")).unwrap_or_default();
    tracing::info!(method = %request.method(), path = request.uri().path(), "refused request: method not allowed");
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("method {} is not allowed on {}; allowed: {methods}", request.method(), request.uri().path()),
    )
}

/// The router's fallback: 404 naming the method and path.
async fn no_such_route(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    tracing::info!(%method, path = uri.path(), "refused request: no such route");
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "NOT_FOUND", format!("no route for {method} {}", uri.path()))
}
