//! The HTTP layer: a thin axum front over the store and the delivery engine.
//!
//! Every area module exposes `routes()`, a list of [`Route`]s (method, path, summary, handler).
//! The same list builds the router and the OpenAPI document, so the two cannot drift.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;

use crate::telemetry::http_requests::HttpRequests;

pub mod access_log;
pub mod auth;
pub mod backpressure;
pub mod envelope;
pub mod queue_depth;
pub mod rate_limit;
pub mod reply;
pub mod request_id;
pub mod request_metrics;
pub mod request_timeout;
mod unread_body;

mod actors;
mod api_keys;
pub(crate) mod attempts;
mod billing;
mod deletion;
pub(crate) mod dlq;
pub(crate) mod endpoints;
mod exports;
pub(crate) mod extract;
mod health;
pub(crate) mod inbound;
mod ingest_gate;
mod logs;
pub(crate) mod messages;
pub(crate) mod metrics;
pub mod openapi;
mod projects;
mod pull;
mod send;

pub use crate::error::{ApiError, ApiResult};
pub use crate::state::{AppState, Route};
pub use logs::write_export_line;
pub use reply::Reply;

/// Every route of the server, in documentation order.
pub fn all_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(health::routes());
    routes.extend(send::routes());
    routes.extend(messages::routes());
    routes.extend(deletion::routes());
    routes.extend(attempts::routes());
    routes.extend(logs::routes());
    routes.extend(metrics::routes());
    routes.extend(dlq::routes());
    routes.extend(api_keys::routes());
    routes.extend(actors::routes());
    routes.extend(projects::routes());
    routes.extend(endpoints::routes());
    routes.extend(billing::routes());
    routes.extend(exports::routes());
    routes.extend(inbound::routes());
    routes.extend(pull::routes());
    routes
}

/// The complete router (all routes plus `/openapi.json` and the `/docs` page) with request ids, the access log,
/// request metrics, the request timeout and the error envelope on every error answer.
pub fn router(state: AppState) -> Router {
    let request_timeout = state.config.request_timeout;
    let routes = all_routes();
    let document = Arc::new(openapi::document(&routes));
    let mut allowed: HashMap<&'static str, Vec<&'static str>> =
        openapi::DOCUMENTATION_PATHS.iter().map(|path| (*path, vec!["GET"])).collect();
    for route in &routes {
        allowed.entry(route.path).or_default().push(route.method);
    }
    let allowed = Arc::new(allowed);
    let ui_routes = crate::ui::routes();
    let ui_labels: Vec<(&'static str, &'static str)> =
        ui_routes.iter().flat_map(|r| r.methods.iter().map(move |m| (*m, r.path))).collect();
    let request_metrics = Arc::new(HttpRequests::new(
        routes.iter().map(|r| (r.method, r.path)).chain(openapi::DOCUMENTATION_PATHS.map(|p| ("GET", p))).chain(ui_labels),
    ));
    state.telemetry.set_http_requests(request_metrics.clone());
    let mut router = Router::new();
    for route in routes {
        router = router.route(route.path, route.handler);
    }
    router
        .route(openapi::DOCUMENT_PATH, axum::routing::get(move || openapi::serve(document.clone())))
        .route(openapi::docs_page::PAGE_PATH, axum::routing::get(openapi::docs_page::page))
        .route(openapi::docs_page::SCRIPT_PATH, axum::routing::get(openapi::docs_page::script))
        .route(openapi::docs_page::INIT_PATH, axum::routing::get(openapi::docs_page::init))
        .merge(crate::ui::router(ui_routes))
        .method_not_allowed_fallback(move |request: axum::extract::Request| method_not_allowed(allowed.clone(), request))
        .fallback(no_such_route)
        .layer(axum::middleware::from_fn_with_state(request_timeout, request_timeout::limit_request_time))
        .layer(axum::middleware::from_fn(envelope::envelope_bare_errors))
        .layer(axum::middleware::from_fn(unread_body::close_after_unread_body))
        .layer(axum::middleware::from_fn_with_state(request_metrics, request_metrics::record_request))
        .layer(access_log::layer())
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
