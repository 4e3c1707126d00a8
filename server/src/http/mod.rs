//! The HTTP layer: a thin axum front over the store and the delivery engine.
//!
//! Every area module exposes `routes()`, a list of [`Route`]s (method, path, summary, handler).
//! The same list builds the router and the OpenAPI document, so the two cannot drift.

use std::sync::Arc;

use axum::Router;
use axum::routing::MethodRouter;

use crate::config::Config;
use crate::delivery::DeliveryHandle;
use crate::store::Store;
use crate::telemetry::Telemetry;

pub mod auth;
pub mod error;
pub mod rate_limit;
pub mod reply;
pub mod request_id;

mod api_keys;
mod billing;
mod dlq;
mod endpoints;
mod exports;
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
    /// Prometheus counters.
    pub telemetry: Arc<Telemetry>,
    /// API key lookups.
    pub auth_cache: Arc<auth::AuthCache>,
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

/// The complete router (all routes plus `/openapi.json`) with request ids.
pub fn router(state: AppState) -> Router {
    let routes = all_routes();
    let document = Arc::new(openapi::document(&routes));
    let mut router = Router::new();
    for route in routes {
        router = router.route(route.path, route.handler);
    }
    router
        .route("/openapi.json", axum::routing::get(move || openapi::serve(document.clone())))
        .fallback(|| async { ApiError::new(axum::http::StatusCode::NOT_FOUND, "NOT_FOUND", "no such route") })
        .layer(axum::middleware::from_fn(request_id::assign_request_id))
        .with_state(state)
}
