//! The request timeout: a request (reading its body included) that is not answered within
//! `--request-timeout-secs` gets 408 `REQUEST_TIMEOUT` and its handler is dropped.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Middleware: answers 408 when the inner service takes longer than `limit`.
pub async fn limit_request_time(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%method, path, limit_secs = limit.as_secs(), "request timed out");
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                format!("the request was not completed within {} s (--request-timeout-secs)", limit.as_secs()),
            )
            .into_response()
        }
    }
}
