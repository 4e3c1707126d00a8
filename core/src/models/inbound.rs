//! Inbound endpoints, inbound logs and rejections.

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, optional_timestamp};

/// An inbound endpoint (`get_inbound_endpoint`); secrets and header names are never included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundEndpoint {
    /// UUIDv7.
    pub id: String,
    /// Friendly name (`""` when none was given).
    pub name: String,
    /// Forwarding destination.
    pub url: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Whether a static token is required.
    pub verify_static_token: bool,
    /// Whether an HMAC signature is required.
    pub verify_hmac: bool,
    /// Whether the sender IP must be allow-listed.
    pub verify_ip_allowlist: bool,
    /// Status answered to senders on success.
    pub ingest_response_code: i64,
    /// Headers used to derive the dedupe key, in order.
    #[serde(default)]
    pub idempotency_header_names: Vec<String>,
    /// Whether forwarded requests carry HookBridge signatures.
    pub signing_enabled: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// An inbound endpoint as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundEndpointSummary {
    /// UUIDv7.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Forwarding destination.
    pub url: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A newly created inbound endpoint; `secret_token` is shown only this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateInboundEndpointResponse {
    /// UUIDv7.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Forwarding destination.
    pub url: String,
    /// Where providers send their webhooks.
    pub ingest_url: String,
    /// The secret path token inside `ingest_url`.
    pub secret_token: String,
    /// Creation time.
    pub created_at: Timestamp,
}

crate::debug_redacted!(CreateInboundEndpointResponse { id, name, url, ingest_url, secret_token, created_at });

/// A page of inbound endpoints; `has_more` is derived from `next_cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListInboundEndpointsResponse {
    /// The endpoints.
    pub endpoints: Vec<InboundEndpointSummary>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Result of an update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpdateResult {
    /// The updated resource.
    pub id: String,
    /// Whether it was updated.
    pub updated: bool,
}

/// Result of a delete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteResult {
    /// Whether it was deleted.
    pub deleted: bool,
    /// The deleted resource.
    #[serde(default)]
    pub id: Option<String>,
}

/// One inbound message in the inbound logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundLogEntry {
    /// UUIDv7 of the message.
    pub message_id: String,
    /// The inbound endpoint that received it.
    pub inbound_endpoint_id: String,
    /// Forwarding URL.
    pub endpoint: String,
    /// Message status.
    pub status: String,
    /// Forwarding attempts so far.
    pub attempt_count: i64,
    /// When it was received.
    pub received_at: Timestamp,
    /// When it was forwarded successfully.
    #[serde(default, with = "optional_timestamp")]
    pub delivered_at: Option<Timestamp>,
    /// HTTP status of the last attempt.
    #[serde(default)]
    pub response_status: Option<i64>,
    /// Latency of the last attempt.
    #[serde(default)]
    pub response_latency_ms: Option<i64>,
    /// Error of the last attempt.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Received to delivered, in milliseconds.
    #[serde(default)]
    pub total_delivery_ms: Option<i64>,
    /// When the message was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_timestamp")]
    pub deleted_at: Option<Timestamp>,
}

/// A page of inbound logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundLogsResponse {
    /// The entries, newest first.
    pub entries: Vec<InboundLogEntry>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// An ingest request that was refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundRejection {
    /// UUIDv7.
    pub id: String,
    /// `endpoint_not_found`, `endpoint_deleted`, `invalid_secret`, `static_token_failed`,
    /// `hmac_failed`, `ip_not_allowed`, `payload_too_large` or `invalid_method`.
    pub reason_code: String,
    /// When the request arrived.
    pub received_at: Timestamp,
    /// The endpoint, when it could be identified.
    #[serde(default)]
    pub inbound_endpoint_id: Option<String>,
    /// Human-readable detail.
    #[serde(default)]
    pub reason_detail: Option<String>,
    /// Sender address.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// Request headers with values masked, as a JSON-encoded string.
    #[serde(default)]
    pub headers_redacted: Option<String>,
}

/// A page of rejections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundRejectionsResponse {
    /// The rejections, newest first.
    pub entries: Vec<InboundRejection>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}
