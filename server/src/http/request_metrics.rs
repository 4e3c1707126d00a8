//! Counts every answered request into the `hookbridge_http_*` metrics, by route template.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::telemetry::http_requests::HttpRequests;

/// Middleware timing the request and recording its status class under its route template.
pub async fn record_request(State(metrics): State<Arc<HttpRequests>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    metrics.record(method.as_str(), route.as_ref().map(|r| r.as_str()), response.status().as_u16(), started.elapsed());
    response
}
