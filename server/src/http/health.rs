//! Liveness, readiness and Prometheus metrics.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use super::{AppState, Route};

/// `/healthz`, `/readyz` and `/metrics`.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/healthz",
            summary: "Liveness probe",
            authenticated: false,
            handler: get(healthz),
            doc: op("healthz").raw("text/plain"),
        },
        Route {
            method: "GET",
            path: "/readyz",
            summary: "Readiness probe (database answers a trivial query)",
            authenticated: false,
            handler: get(readyz),
            doc: op("readyz").raw("text/plain"),
        },
        Route {
            method: "GET",
            path: "/metrics",
            summary: "Prometheus metrics (queue depth refreshed at most every --metrics-refresh-secs)",
            authenticated: false,
            handler: get(metrics),
            doc: op("get_prometheus_metrics").raw("text/plain"),
        },
    ]
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

/// Ready when the database answers a trivial query (no table is read).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Counters of this node from memory; cluster-wide queue and DLQ depth from the shared cache
/// (left out while the database cannot be counted, rather than shown as 0).
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let depth = match state.queue_depth.get(state.store.as_ref(), &state.telemetry).await {
        Ok(depth) => Some(depth),
        Err(error) => {
            tracing::warn!(%error, "cannot count the queue depth for /metrics");
            None
        }
    };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.telemetry.render(&state.config.node_id, depth))
}
