//! The one error type of the bindings: one variant per core [`hookbridge::ErrorKind`], each
//! carrying every field of the core error. Kotlin renames it `HookBridgeException` (a sealed
//! class, one subclass per kind); Swift keeps `HookBridgeError` (an enum conforming to `Error`).

use hookbridge::{Error as CoreError, ErrorKind};

/// An error from a HookBridge call, by kind.
///
/// Every variant has the same fields: `code` (machine-readable, e.g. `NOT_FOUND`), `message`
/// (human-readable; named `errorMessage` in Kotlin because `message` is taken by `Throwable`),
/// `request_id` (the server's, when sent), `status` (HTTP status, absent when no HTTP answer was
/// received) and `retry_after` (seconds to wait, rate limits only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum HookBridgeError {
    /// HTTP 401: missing, invalid or revoked API key.
    #[error("{}", render(self))]
    Authentication { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// HTTP 404: the resource does not exist or belongs to another project.
    #[error("{}", render(self))]
    NotFound { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// Invalid input detected before any request was made (empty API key, bad URL, bad JSON text).
    #[error("{}", render(self))]
    Validation { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// HTTP 429 other than the replay limit; see `retry_after`.
    #[error("{}", render(self))]
    RateLimit { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// HTTP 409 `IDEMPOTENCY_MISMATCH`: same idempotency key, different payload.
    #[error("{}", render(self))]
    Idempotency { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// HTTP 429 `REPLAY_LIMIT_EXCEEDED`: a message was replayed too often.
    #[error("{}", render(self))]
    ReplayLimit { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// The request never got an HTTP answer (connection refused, DNS, reset).
    #[error("{}", render(self))]
    Network { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// The request timed out.
    #[error("{}", render(self))]
    Timeout { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// Any other API error, with the server's code and HTTP status.
    #[error("{}", render(self))]
    Api { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
    /// A 2xx answer whose body is not what the API contract promises.
    #[error("{}", render(self))]
    InvalidResponse { code: String, message: String, request_id: Option<String>, status: Option<i32>, retry_after: Option<i64> },
}

/// The fields every variant carries, borrowed.
struct Fields<'a> {
    code: &'a str,
    message: &'a str,
    request_id: Option<&'a str>,
    status: Option<i32>,
    retry_after: Option<i64>,
}

impl HookBridgeError {
    /// The core kind this variant stands for.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HookBridgeError::Authentication { .. } => ErrorKind::Authentication,
            HookBridgeError::NotFound { .. } => ErrorKind::NotFound,
            HookBridgeError::Validation { .. } => ErrorKind::Validation,
            HookBridgeError::RateLimit { .. } => ErrorKind::RateLimit,
            HookBridgeError::Idempotency { .. } => ErrorKind::Idempotency,
            HookBridgeError::ReplayLimit { .. } => ErrorKind::ReplayLimit,
            HookBridgeError::Network { .. } => ErrorKind::Network,
            HookBridgeError::Timeout { .. } => ErrorKind::Timeout,
            HookBridgeError::Api { .. } => ErrorKind::Api,
            HookBridgeError::InvalidResponse { .. } => ErrorKind::InvalidResponse,
        }
    }

    fn fields(&self) -> Fields<'_> {
        match self {
            HookBridgeError::Authentication { code, message, request_id, status, retry_after }
            | HookBridgeError::NotFound { code, message, request_id, status, retry_after }
            | HookBridgeError::Validation { code, message, request_id, status, retry_after }
            | HookBridgeError::RateLimit { code, message, request_id, status, retry_after }
            | HookBridgeError::Idempotency { code, message, request_id, status, retry_after }
            | HookBridgeError::ReplayLimit { code, message, request_id, status, retry_after }
            | HookBridgeError::Network { code, message, request_id, status, retry_after }
            | HookBridgeError::Timeout { code, message, request_id, status, retry_after }
            | HookBridgeError::Api { code, message, request_id, status, retry_after }
            | HookBridgeError::InvalidResponse { code, message, request_id, status, retry_after } => {
                Fields { code, message, request_id: request_id.as_deref(), status: *status, retry_after: *retry_after }
            }
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &str {
        self.fields().code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        self.fields().message
    }

    /// The server's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.fields().request_id
    }

    /// The HTTP status, when there was an HTTP answer.
    pub fn status(&self) -> Option<i32> {
        self.fields().status
    }

    /// Seconds the server asked to wait (rate limits).
    pub fn retry_after(&self) -> Option<i64> {
        self.fields().retry_after
    }

    /// A client-side validation error (bad argument given to the bindings).
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        CoreError::validation(message).into()
    }
}

impl From<CoreError> for HookBridgeError {
    fn from(e: CoreError) -> Self {
        let code = e.code().to_owned();
        let message = e.message().to_owned();
        let request_id = e.request_id().map(str::to_owned);
        let status = e.status().map(i32::from);
        // Retry-After values beyond i64 are not meaningful; saturate rather than wrap.
        let retry_after = e.retry_after().map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        match e.kind() {
            ErrorKind::Authentication => HookBridgeError::Authentication { code, message, request_id, status, retry_after },
            ErrorKind::NotFound => HookBridgeError::NotFound { code, message, request_id, status, retry_after },
            ErrorKind::Validation => HookBridgeError::Validation { code, message, request_id, status, retry_after },
            ErrorKind::RateLimit => HookBridgeError::RateLimit { code, message, request_id, status, retry_after },
            ErrorKind::Idempotency => HookBridgeError::Idempotency { code, message, request_id, status, retry_after },
            ErrorKind::ReplayLimit => HookBridgeError::ReplayLimit { code, message, request_id, status, retry_after },
            ErrorKind::Network => HookBridgeError::Network { code, message, request_id, status, retry_after },
            ErrorKind::Timeout => HookBridgeError::Timeout { code, message, request_id, status, retry_after },
            ErrorKind::Api => HookBridgeError::Api { code, message, request_id, status, retry_after },
            ErrorKind::InvalidResponse => HookBridgeError::InvalidResponse { code, message, request_id, status, retry_after },
        }
    }
}

impl From<&HookBridgeError> for CoreError {
    /// Rebuilds the core error (used for the text rendering, which the core owns).
    fn from(e: &HookBridgeError) -> Self {
        let f = e.fields();
        CoreError::new(e.kind(), f.message, f.code)
            .with_request_id(f.request_id.map(str::to_owned))
            .with_status(f.status.and_then(|s| u16::try_from(s).ok()))
            .with_retry_after(f.retry_after.and_then(|s| u64::try_from(s).ok()))
    }
}

/// The core's text form: `"<message> code=<code> request_id=<id>"`.
fn render(e: &HookBridgeError) -> String {
    CoreError::from(e).to_string()
}
