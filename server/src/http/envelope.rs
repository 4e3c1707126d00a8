//! Every error answer carries the error envelope: a middleware that rewrites the bare error
//! answers produced below the handlers (axum's own rejections, anything else with a non-JSON
//! body) and logs each of them. The router's 404 and 405 fallbacks answer with the envelope
//! themselves; the HTTP parser's answers are rewritten by the listener.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, code_for_status};

/// How much of a bare answer's text body is kept as the envelope's message.
const MAX_MESSAGE_BYTES: usize = 1024;

/// Middleware: error answers without a JSON body get the envelope (status and `Retry-After`
/// are kept), and are logged with the method and path.
pub async fn envelope_bare_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = bare_error_message(&method, &path, status, &text);
    let code = code_for_status(status);
    tracing::info!(status = status.as_u16(), code, %method, path, "refused request: {message}");
    let mut rewritten = ApiError::new(status, code, message).into_response();
    if let Some(value) = parts.headers.get(header::RETRY_AFTER) {
        rewritten.headers_mut().insert(header::RETRY_AFTER, value.clone());
    }
    rewritten
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
