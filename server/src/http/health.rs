//! Liveness, readiness and Prometheus metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use super::{AppState, Route};

/// `/healthz`, `/readyz` and `/metrics`.
pub fn routes() -> Vec<Route> {
    vec![
        Route { method: "GET", path: "/healthz", summary: "Liveness probe", authenticated: false, handler: get(healthz) },
        Route {
            method: "GET",
            path: "/readyz",
            summary: "Readiness probe (database reachable)",
            authenticated: false,
            handler: get(readyz),
        },
        Route { method: "GET", path: "/metrics", summary: "Prometheus metrics", authenticated: false, handler: get(metrics) },
    ]
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.queue_depth().await {
        Ok(_) => (StatusCode::OK, "ready\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let depth = state.store.queue_depth().await.unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.telemetry.render(depth))
}
