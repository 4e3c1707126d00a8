//! The error every refusal is made of: an HTTP status, a machine-readable code, a message that
//! names the problem, optional details and `Retry-After`. Handlers, the ingest checks and the
//! extractors build it; [`crate::http::envelope`] writes it as the JSON error envelope
//! (`{"error": {"code", "message", "details"?}, "meta": {"request_id"}}`).

use axum::http::StatusCode;
use serde_json::Value;

use crate::store::StoreError;
use crate::url_policy::UrlRejection;

/// An API error answered with the contract's envelope.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code, e.g. `INVALID_REQUEST`.
    pub code: &'static str,
    /// Human-readable message naming the problem.
    pub message: String,
    /// Optional structured details (boxed: keeps `Result<_, ApiError>` small).
    pub details: Option<Box<Value>>,
    /// Seconds for a `Retry-After` header (429/503).
    pub retry_after: Option<u64>,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: None, retry_after: None }
    }
    /// 400 `INVALID_REQUEST`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }
    /// 404 `NOT_FOUND` naming the missing resource.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", format!("{what} {id} not found"))
    }
    /// 401 `UNAUTHORIZED`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }
    /// 403 `FORBIDDEN`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }
    /// 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    /// 500 `INTERNAL_ERROR` (details are logged, not leaked).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", message)
    }
    /// Adds structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }
    /// Adds a `Retry-After`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            // Expected while the database restarts: the caller gets 503 and retries.
            StoreError::Unavailable(_) | StoreError::Closed => tracing::warn!(error = %e, "storage unavailable"),
            _ => tracing::error!(error = %e, "storage failure"),
        }
        match e {
            StoreError::Closed => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "the server is shutting down").with_retry_after(1)
            }
            StoreError::Unavailable(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "the database is unavailable; nothing was stored, try again shortly",
            )
            .with_retry_after(2),
            _ => ApiError::internal("internal storage error"),
        }
    }
}

impl From<UrlRejection> for ApiError {
    fn from(r: UrlRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, r.code(), r.message().to_owned())
    }
}
