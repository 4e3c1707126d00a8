//! The access log: one line per answered request, through tower-http's trace layer, at `info`
//! with the target `hookbridge_server::access` (silence it with
//! `HOOKBRIDGE_LOG=info,hookbridge_server::access=off`). The line carries the method, the route
//! template (never the raw path, which holds ids), the status, the latency, the request id and,
//! once the API key is known, the project.

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use super::request_id::current_request_id;
use crate::telemetry::http_requests::UNMATCHED;

/// The layer writing the access log.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), AccessLine, (), (), ()> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(AccessLine)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Records the project of the authenticated caller on the request's span.
pub fn record_project(project_id: &str) {
    Span::current().record("project", project_id);
}

/// Opens the request's span: method, route template, request id, project (filled in later).
#[derive(Clone, Copy, Debug)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, |p| p.as_str());
        tracing::info_span!(
            target: "hookbridge_server::access",
            "request",
            method = %request.method(),
            route,
            request_id = %current_request_id(),
            project = tracing::field::Empty,
        )
    }
}

/// Writes the line once the answer's head is ready.
#[derive(Clone, Copy, Debug)]
pub struct AccessLine;

impl<B> OnResponse<B> for AccessLine {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            target: "hookbridge_server::access",
            status = response.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1e3,
            "answered"
        );
    }
}
