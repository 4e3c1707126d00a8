//! The one error type of the client, with kinds that mirror the Python SDK's exception classes.
//!
//! Mapping from an HTTP error response: 401 is always [`ErrorKind::Authentication`]
//! (code `UNAUTHORIZED`), 404 always [`ErrorKind::NotFound`] (code `NOT_FOUND`), 409 with
//! `IDEMPOTENCY_MISMATCH` is [`ErrorKind::Idempotency`], 429 with `REPLAY_LIMIT_EXCEEDED` is
//! [`ErrorKind::ReplayLimit`], any other 429 is [`ErrorKind::RateLimit`] (code `RATE_LIMIT_EXCEEDED`,
//! `retry_after` from the `Retry-After` header), everything else is [`ErrorKind::Api`] with the
//! server's code and the real status.

use std::fmt;

/// The result type of every client call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in the categories the Python SDK uses for its exception classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// HTTP 401: missing, invalid or revoked API key (`AuthenticationError`).
    Authentication,
    /// HTTP 404: the resource does not exist or belongs to another project (`NotFoundError`).
    NotFound,
    /// Invalid input detected before any request was made, e.g. an empty API key (`ValidationError`).
    Validation,
    /// HTTP 429 other than the replay limit (`RateLimitError`); see [`Error::retry_after`].
    RateLimit,
    /// HTTP 409 `IDEMPOTENCY_MISMATCH`: same idempotency key, different payload (`IdempotencyError`).
    Idempotency,
    /// HTTP 429 `REPLAY_LIMIT_EXCEEDED`: a message was replayed too often (`ReplayLimitError`).
    ReplayLimit,
    /// The request never got an HTTP answer: connection refused, DNS, reset (`NetworkError`).
    Network,
    /// The request timed out (`TimeoutError`).
    Timeout,
    /// Any other API error, with the server's code and HTTP status (`HookBridgeError`).
    Api,
    /// A 2xx answer whose body is not what the contract promises (missing required field, bad JSON).
    InvalidResponse,
}

/// An error from a HookBridge call: its kind plus everything the server said about it.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: String,
    request_id: Option<String>,
    status: Option<u16>,
    retry_after: Option<u64>,
}

impl Error {
    /// Builds an error of any kind; `code` is the machine-readable code (e.g. `INVALID_REQUEST`).
    pub fn new(kind: ErrorKind, message: impl Into<String>, code: impl Into<String>) -> Self {
        Error { kind, message: message.into(), code: code.into(), request_id: None, status: None, retry_after: None }
    }

    /// A client-side validation error (HTTP status 400 in the Python SDK, never sent to a server).
    pub fn validation(message: impl Into<String>) -> Self {
        Error { status: Some(400), ..Error::new(ErrorKind::Validation, message, "INVALID_REQUEST") }
    }

    /// A transport failure without an HTTP answer.
    pub fn network(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Network, message, "NETWORK_ERROR")
    }

    /// A request that ran out of time.
    pub fn timeout() -> Self {
        Error::new(ErrorKind::Timeout, "Request timed out", "TIMEOUT")
    }

    /// A 2xx answer that could not be understood.
    pub fn invalid_response(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidResponse, message, "INVALID_RESPONSE")
    }

    /// Maps an HTTP error answer exactly as the API documents it.
    pub fn from_response(status: u16, body: &[u8], retry_after_header: Option<&str>) -> Self {
        let (code, message, request_id) = parse_error_body(body);
        let message = message.unwrap_or_else(|| format!("HTTP {status}"));
        let code = code.unwrap_or_else(|| "UNKNOWN_ERROR".to_owned());
        let (kind, code) = match status {
            401 => (ErrorKind::Authentication, "UNAUTHORIZED".to_owned()),
            404 => (ErrorKind::NotFound, "NOT_FOUND".to_owned()),
            409 if code == "IDEMPOTENCY_MISMATCH" => (ErrorKind::Idempotency, code),
            429 if code == "REPLAY_LIMIT_EXCEEDED" => (ErrorKind::ReplayLimit, code),
            429 => (ErrorKind::RateLimit, "RATE_LIMIT_EXCEEDED".to_owned()),
            _ => (ErrorKind::Api, code),
        };
        // Rate limits carry it for the caller; a 503 (e.g. `QUEUE_FULL`) for the retry loop.
        let retry_after = if kind == ErrorKind::RateLimit || status == 503 {
            retry_after_header.and_then(|v| v.trim().parse::<u64>().ok())
        } else {
            None
        };
        Error { kind, message, code, request_id, status: Some(status), retry_after }
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: Option<u16>) -> Self {
        self.status = status;
        self
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// Sets the seconds to wait before retrying (rate limits).
    pub fn with_retry_after(mut self, retry_after: Option<u64>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The human-readable message (the server's, or `HTTP <status>` when it gave none).
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The machine-readable code (`NOT_FOUND`, `INVALID_REQUEST`, `NETWORK_ERROR`, ...).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The server's request id (`meta.request_id`), when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The HTTP status, or `None` when there was no HTTP answer.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// Seconds the server asked to wait (`Retry-After` in whole seconds), for rate-limit errors
    /// and 503 answers (the server is busy, e.g. `QUEUE_FULL`, or its database is unavailable).
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Whether the client's retry loop tries again after this error:
    /// every error except an HTTP 4xx answer and an unreadable 2xx answer.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::InvalidResponse | ErrorKind::Validation => false,
            _ => !matches!(self.status, Some(400..=499)),
        }
    }
}

/// Reads `error.code`, `error.message` and `meta.request_id` from an error body, tolerating
/// anything that is not the documented envelope.
fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None, None);
    };
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    let (code, message) = match root.get("error") {
        Some(serde_json::Value::Object(e)) => (text(e.get("code")), text(e.get("message"))),
        _ => (None, None),
    };
    let request_id = match root.get("meta") {
        Some(serde_json::Value::Object(m)) => text(m.get("request_id")),
        _ => None,
    };
    (code, message, request_id)
}

impl fmt::Display for Error {
    /// `"<message> code=<code> request_id=<id>"`, parts omitted when empty (the Python `str()` format).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.code.is_empty() {
            write!(f, " code={}", self.code)?;
        }
        if let Some(id) = self.request_id.as_deref().filter(|s| !s.is_empty()) {
            write!(f, " request_id={id}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("code", &self.code)
            .field("request_id", &self.request_id)
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_status_branch() {
        let body = br#"{"error":{"code":"SOME_CODE","message":"boom"},"meta":{"request_id":"req_1"}}"#;
        let e = Error::from_response(401, body, None);
        assert_eq!(
            (e.kind(), e.code(), e.message(), e.request_id()),
            (ErrorKind::Authentication, "UNAUTHORIZED", "boom", Some("req_1"))
        );
        assert_eq!(Error::from_response(404, body, None).code(), "NOT_FOUND");
        let idem = br#"{"error":{"code":"IDEMPOTENCY_MISMATCH","message":"x"}}"#;
        assert_eq!(Error::from_response(409, idem, None).kind(), ErrorKind::Idempotency);
        let other409 = Error::from_response(409, body, None);
        assert_eq!((other409.kind(), other409.code(), other409.status()), (ErrorKind::Api, "SOME_CODE", Some(409)));
        let replay = br#"{"error":{"code":"REPLAY_LIMIT_EXCEEDED","message":"x"}}"#;
        let r = Error::from_response(429, replay, Some("60"));
        assert_eq!((r.kind(), r.retry_after()), (ErrorKind::ReplayLimit, None));
        let rl = Error::from_response(429, body, Some("60"));
        assert_eq!((rl.kind(), rl.code(), rl.retry_after()), (ErrorKind::RateLimit, "RATE_LIMIT_EXCEEDED", Some(60)));
        assert_eq!(Error::from_response(429, body, None).retry_after(), None);
        let html = Error::from_response(502, b"<html>bad gateway</html>", None);
        assert_eq!(
            (html.kind(), html.code(), html.message(), html.request_id()),
            (ErrorKind::Api, "UNKNOWN_ERROR", "HTTP 502", None)
        );
        let null_error = Error::from_response(500, br#"{"error":null}"#, None);
        assert_eq!(null_error.message(), "HTTP 500");
        let list = Error::from_response(400, b"[1,2]", None);
        assert_eq!(list.code(), "UNKNOWN_ERROR");
        assert!(!Error::from_response(400, body, None).is_retryable());
        assert!(Error::from_response(503, body, None).is_retryable());
        assert_eq!(Error::from_response(503, body, Some("2")).retry_after(), Some(2));
        assert_eq!(Error::from_response(500, body, Some("2")).retry_after(), None);
        assert!(Error::network("refused").is_retryable());
        assert_eq!(e.to_string(), "boom code=UNAUTHORIZED request_id=req_1");
    }
}
