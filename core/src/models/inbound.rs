//! Inbound endpoints, inbound logs and rejections.

use serde::{Deserialize, Serialize};

use super::HeaderMap;
use crate::time::{Timestamp, optional_timestamp};

/// Modes of an inbound endpoint (`InboundEndpointMode` in Python 2.0.0). Models carry the mode
/// as a plain string, `forward` when a (1.4.0-era) server leaves it out.
pub mod inbound_mode {
    /// Forward accepted requests to the endpoint's URL (the default).
    pub const FORWARD: &str = "forward";
    /// Keep accepted requests for a listener (`listen_inbound_endpoint`); no URL.
    pub const CLI: &str = "cli";
}

fn default_mode() -> String {
    inbound_mode::FORWARD.to_owned()
}

/// Verification presets of an inbound endpoint: which provider's signature headers the server
/// checks with the endpoint's `hmac_secret`. Models carry the preset as a plain string,
/// `custom` (the generic HMAC and token settings) when a server leaves it out.
pub mod verification_preset {
    /// The generic HMAC and token settings (the default).
    pub const CUSTOM: &str = "custom";
    /// Stripe's `Stripe-Signature`.
    pub const STRIPE: &str = "stripe";
    /// GitHub's `X-Hub-Signature-256`.
    pub const GITHUB: &str = "github";
    /// Shopify's `X-Shopify-Hmac-Sha256`.
    pub const SHOPIFY: &str = "shopify";
    /// Slack's `X-Slack-Signature`.
    pub const SLACK: &str = "slack";
    /// Standard Webhooks (`webhook-*`, also Svix's `svix-*`).
    pub const STANDARD_WEBHOOKS: &str = "standard_webhooks";
}

fn default_preset() -> String {
    verification_preset::CUSTOM.to_owned()
}

/// An inbound endpoint (`get_inbound_endpoint`); secrets and header names are never included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundEndpoint {
    /// UUIDv7.
    pub id: String,
    /// Friendly name (`""` when none was given).
    pub name: String,
    /// Forwarding destination (`""` for a `cli` endpoint).
    #[serde(default)]
    pub url: String,
    /// `forward` or `cli` (see [`inbound_mode`]).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Whether a static token is required.
    pub verify_static_token: bool,
    /// Whether an HMAC signature is required.
    pub verify_hmac: bool,
    /// Which provider's signatures are verified (see [`verification_preset`]; `custom` when a
    /// server leaves it out).
    #[serde(default = "default_preset")]
    pub verification_preset: String,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundEndpointSummary {
    /// UUIDv7.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Forwarding destination (`""` for a `cli` endpoint).
    #[serde(default)]
    pub url: String,
    /// `forward` or `cli` (see [`inbound_mode`]).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A newly created inbound endpoint; `secret_token` is shown only this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateInboundEndpointResponse {
    /// UUIDv7.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Forwarding destination (`""` for a `cli` endpoint).
    #[serde(default)]
    pub url: String,
    /// `forward` or `cli` (see [`inbound_mode`]).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// Where providers send their webhooks.
    pub ingest_url: String,
    /// The secret path token inside `ingest_url`.
    pub secret_token: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// The first signing key of forwarded requests, when `signing_enabled` (shown only this once).
    #[serde(default)]
    pub signing_key_id: Option<String>,
    /// Its secret (shown only this once).
    #[serde(default)]
    pub signing_secret: Option<String>,
    /// Last 4 characters of that secret.
    #[serde(default)]
    pub key_hint: Option<String>,
}

crate::debug_redacted!(CreateInboundEndpointResponse {
    id,
    name,
    url,
    mode,
    ingest_url,
    secret_token,
    created_at,
    signing_key_id,
    signing_secret,
    key_hint
});

/// A page of inbound endpoints; `has_more` is derived from `next_cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpdateResult {
    /// The updated resource.
    pub id: String,
    /// Whether it was updated.
    pub updated: bool,
}

/// Result of a delete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
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
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
}

/// A page of inbound logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// One inbound message (`get_inbound_message`), without its body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundMessage {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// The inbound endpoint that received it.
    pub inbound_endpoint_id: String,
    /// Message status (`stored` for a `cli` endpoint's request).
    pub status: String,
    /// Forwarding attempts so far.
    pub attempt_count: i64,
    /// Manual replays so far.
    pub replay_count: i64,
    /// When it was received.
    pub received_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Content type of the body.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Body size.
    #[serde(default)]
    pub size_bytes: Option<i64>,
    /// Hex SHA-256 of the body.
    #[serde(default)]
    pub payload_sha256: Option<String>,
    /// Dedupe key derived from the sender's headers.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// When the next attempt is due.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub next_attempt_at: Option<Timestamp>,
    /// Error of the last attempt.
    #[serde(default)]
    pub last_error: Option<String>,
    /// HTTP status of the last attempt.
    #[serde(default)]
    pub response_status: Option<i64>,
    /// Latency of the last attempt.
    #[serde(default)]
    pub response_latency_ms: Option<i64>,
    /// Time spent waiting in the queue.
    #[serde(default)]
    pub queue_wait_ms: Option<i64>,
    /// Received to delivered, in milliseconds.
    #[serde(default)]
    pub total_delivery_ms: Option<i64>,
    /// When it was forwarded successfully.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub delivered_at: Option<Timestamp>,
    /// When it entered the dead letter queue.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub failed_at: Option<Timestamp>,
    /// When it was deleted.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
    /// The user who deleted it (never set by a self-hosted server).
    #[serde(default)]
    pub deleted_by_user_id: Option<String>,
    /// The API key that deleted it.
    #[serde(default)]
    pub deleted_by_api_key_id: Option<String>,
}

/// One stored request of a `cli` endpoint, as `listen_inbound_endpoint` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListenMessage {
    /// UUIDv7 of the inbound message (pass the last one as `after`).
    pub message_id: String,
    /// Content type of the body.
    pub content_type: String,
    /// The request headers kept with the message.
    pub headers: HeaderMap,
    /// Body size in bytes.
    pub size_bytes: i64,
    /// When it was received.
    pub received_at: Timestamp,
    /// The body: a JSON value for a JSON payload, else base64 text (see `body_encoding`).
    #[serde(default)]
    pub body: Option<super::JsonValue>,
    /// `base64` when `body` is base64 text.
    #[serde(default)]
    pub body_encoding: Option<String>,
    /// Why `body` is missing (e.g. the payload was purged).
    #[serde(default)]
    pub body_error: Option<String>,
}

/// A page of stored requests (`listen_inbound_endpoint`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListenInboundEndpointResponse {
    /// The requests, oldest first.
    pub messages: Vec<ListenMessage>,
    /// Where the next call continues (`after`); `None` when nothing was ever stored.
    #[serde(default)]
    pub next_cursor: Option<String>,
}
