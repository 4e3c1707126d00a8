//! Delivery attempt records of a message (`get_message_attempts`, `get_inbound_message_attempts`).

use serde::{Deserialize, Serialize};

use super::HeaderMap;
use crate::time::Timestamp;

/// One delivery attempt of a message (`AttemptRecord` in Python 2.0). Timing fields are
/// present only when the server measured them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "AttemptRecord")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttemptRecord {
    /// UUIDv7 of the attempt.
    pub id: String,
    /// Number of the attempt (1-based).
    pub attempt_no: i64,
    /// When the attempt was recorded.
    pub created_at: Timestamp,
    /// HTTP status of the answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<i64>,
    /// Duration of the attempt in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_latency_ms: Option<i64>,
    /// Processing time in milliseconds (hosted only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_ms: Option<i64>,
    /// Why the attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// Headers of the answer (secret values masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeaderMap>,
    /// Which retry schedule the attempt led to (`fast` after a 429, `slow` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_type: Option<String>,
    /// The receiver's `Retry-After`, in seconds, that the retry honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i64>,
    /// The address the request was sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_ip: Option<String>,
    /// Headers of the request (signature and secret values masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<HeaderMap>,
    /// Name resolution time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_ms: Option<i64>,
    /// TCP connect time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_connect_ms: Option<i64>,
    /// TLS handshake time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_handshake_ms: Option<i64>,
    /// Time from the start of the request to the response headers, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<i64>,
    /// Time reading the response body after its headers, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_ms: Option<i64>,
    /// Whether a pooled connection was reused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn_reused: Option<bool>,
    /// Where the captured response body can be fetched (hosted only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body_url: Option<String>,
    /// Whether the captured response body was cut short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body_truncated: Option<bool>,
    /// The start of the response body, as text (a self-hosted server's addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}

/// The attempts of a message (`AttemptsResponse` in Python 2.0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "AttemptsResponse")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttemptsResponse {
    /// The attempts, oldest first.
    pub attempts: Vec<AttemptRecord>,
    /// Whether more attempts exist than were returned.
    pub has_more: bool,
}
