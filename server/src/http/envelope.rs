//! Every error answer carries the error envelope: a middleware that rewrites the bare error
//! answers produced below the handlers (axum's own rejections, anything else with a non-JSON
//! body) and logs each of them. The router's 404 and 405 fallbacks answer with the envelope
//! themselves; the HTTP parser's answers are rewritten by the listener. An [`ApiError`] is
//! written as `{"error": {"code", "message", "details"?}, "meta": {"request_id"}}`.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::request_id::current_request_id;
use crate::error::ApiError;

/// How much of a bare answer's text body is kept as the envelope's message.
const MAX_MESSAGE_BYTES: usize = 1024;

/// The header every dashboard answer carries (its CSP, [`crate::ui`]): the error envelope leaves
/// answers with it as they are, so the dashboard's error pages stay HTML.
pub const PAGE_MARKER: HeaderName = header::CONTENT_SECURITY_POLICY;

/// Middleware: error answers without a JSON body get the envelope (status and `Retry-After`
/// are kept), and are logged with the method and path.
pub async fn envelope_bare_errors(request: Request, next: Next) -> Response {
    // Kept for the log of an error answer; cloning a `Uri` shares its bytes instead of copying.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) || is_dashboard_page(&response) {
        return response;
    }
    let path = uri.path();
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = bare_error_message(&method, path, status, &text);
    let code = code_for_status(status);
    tracing::info!(status = status.as_u16(), code, %method, path, "refused request: {message}");
    let mut rewritten = ApiError::new(status, code, message).into_response();
    if let Some(value) = parts.headers.get(header::RETRY_AFTER) {
        rewritten.headers_mut().insert(header::RETRY_AFTER, value.clone());
    }
    rewritten
}

/// The dashboard's HTML error pages (see [`crate::ui`]) stay as they are.
fn is_dashboard_page(response: &Response) -> bool {
    response.headers().contains_key(PAGE_MARKER)
}

fn is_json(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

/// axum's own text when it gave one, otherwise the status reason with the method and path.
fn bare_error_message(method: &Method, path: &str, status: StatusCode, text: &str) -> String {
    if !text.is_empty() {
        return text.to_owned();
    }
    format!("{} ({method} {path})", status.canonical_reason().unwrap_or("error"))
}

/// The envelope's JSON for one error.
pub fn envelope(code: &str, message: &str, details: Option<Value>, request_id: &str) -> Value {
    let mut error = json!({ "code": code, "message": message });
    if let Some(details) = details {
        error["details"] = details;
    }
    json!({ "error": error, "meta": { "request_id": request_id } })
}

/// The code of an error answer known only by its HTTP status (answers produced below the
/// handlers: the HTTP parser, the router, axum's extractors).
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        408 => "REQUEST_TIMEOUT",
        413 => "PAYLOAD_TOO_LARGE",
        414 => "URI_TOO_LONG",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        429 => "RATE_LIMITED",
        431 => "HEADERS_TOO_LARGE",
        503 => "UNAVAILABLE",
        500..=599 => "INTERNAL_ERROR",
        _ => "INVALID_REQUEST",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = envelope(self.code, &self.message, self.details.map(|d| *d), &current_request_id());
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
