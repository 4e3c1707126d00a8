//! Pull endpoints (store and poll): endpoints, their events, logs, metrics and deletion results.

use serde::{Deserialize, Serialize};

use super::HeaderMap;
use crate::time::{Timestamp, optional_timestamp};

/// Any JSON value (a pull event's payload, an inbound log's body). The uniffi bindings see it as
/// a native JSON value: Kotlin `kotlinx.serialization.json.JsonElement`, Swift `Data` (UTF-8 JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct JsonValue(pub serde_json::Value);

fn pull_mode() -> String {
    "pull".to_owned()
}

/// How many events of a pull endpoint are in each status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEndpointCounts {
    /// Received, not read yet.
    #[serde(default)]
    pub stored: Option<i64>,
    /// Read, not acknowledged.
    #[serde(default)]
    pub fetched: Option<i64>,
    /// Acknowledged.
    #[serde(default)]
    pub delivered: Option<i64>,
    /// All of them.
    #[serde(default)]
    pub total: Option<i64>,
}

/// A pull endpoint (`get_pull_endpoint`); secrets are never included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEndpoint {
    /// UUIDv7.
    pub id: String,
    /// Always `pull`.
    #[serde(default = "pull_mode")]
    pub mode: String,
    /// Where senders post events.
    pub ingest_url: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Friendly name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Days an event is kept.
    #[serde(default)]
    pub retention_days: Option<i64>,
    /// Where the event type is read: `body` or `header`.
    #[serde(default)]
    pub event_type_source: Option<String>,
    /// Dotted body path or header name of the event type.
    #[serde(default)]
    pub event_type_path: Option<String>,
    /// Events per status.
    #[serde(default)]
    pub counts: Option<PullEndpointCounts>,
    /// Whether a static token is required.
    #[serde(default)]
    pub verify_static_token: Option<bool>,
    /// Header carrying the static token.
    #[serde(default)]
    pub token_header_name: Option<String>,
    /// Query parameter carrying the static token.
    #[serde(default)]
    pub token_query_param: Option<String>,
    /// Whether an HMAC signature is required.
    #[serde(default)]
    pub verify_hmac: Option<bool>,
    /// Header carrying the HMAC signature.
    #[serde(default)]
    pub hmac_header_name: Option<String>,
    /// Header carrying the sender's timestamp.
    #[serde(default)]
    pub timestamp_header_name: Option<String>,
    /// Largest accepted timestamp age.
    #[serde(default)]
    pub timestamp_ttl_seconds: Option<i64>,
    /// Whether the sender IP must be allow-listed.
    #[serde(default)]
    pub verify_ip_allowlist: Option<bool>,
    /// Allowed CIDR blocks.
    #[serde(default)]
    pub allowed_cidrs: Option<Vec<String>>,
    /// Status answered to senders on success.
    #[serde(default)]
    pub ingest_response_code: Option<i64>,
    /// Headers that make up the dedupe key, in order.
    #[serde(default)]
    pub idempotency_header_names: Option<Vec<String>>,
}

/// A new pull endpoint: the endpoint plus its secret token, shown only this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreatePullEndpointResponse {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: PullEndpoint,
    /// The secret token of the ingest URL.
    #[serde(default)]
    pub secret_token: Option<String>,
}

/// A pull endpoint as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEndpointSummary {
    /// UUIDv7.
    pub id: String,
    /// True until deleted.
    pub active: bool,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Where senders post events.
    pub ingest_url: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Friendly name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A page of pull endpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListPullEndpointsResponse {
    /// The endpoints, newest first.
    pub endpoints: Vec<PullEndpointSummary>,
    /// Whether there is a next page.
    pub has_more: bool,
    /// Cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Where an event's time went, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullTimingBreakdown {
    /// From arrival to storage.
    #[serde(default)]
    pub ingest_processing_ms: Option<i64>,
    /// From storage to the first read.
    #[serde(default)]
    pub time_to_fetch_ms: Option<i64>,
    /// From the first read to the acknowledgement.
    #[serde(default)]
    pub time_to_ack_ms: Option<i64>,
    /// From storage to the acknowledgement.
    #[serde(default)]
    pub total_lifecycle_ms: Option<i64>,
}

/// An event as listed (without its payload).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEventSummary {
    /// UUIDv7.
    pub id: String,
    /// `stored`, `fetched` or `delivered`.
    pub status: String,
    /// Body size.
    pub size_bytes: i64,
    /// Arrival time.
    pub received_at: Timestamp,
    /// Event type.
    #[serde(default)]
    pub event_type: Option<String>,
    /// First read.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub fetched_at: Option<Timestamp>,
    /// Acknowledgement.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub delivered_at: Option<Timestamp>,
    /// Timing figures.
    #[serde(default)]
    pub timing: Option<PullTimingBreakdown>,
    /// Deletion time.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
}

/// One event with its payload (`get_pull_event`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEvent {
    /// UUIDv7.
    pub id: String,
    /// `stored`, `fetched` or `delivered`.
    pub status: String,
    /// Content type of the body.
    pub content_type: String,
    /// The body: JSON as sent, other bodies as a string; `null` once deleted.
    pub payload: JsonValue,
    /// Body size.
    pub size_bytes: i64,
    /// Arrival time.
    pub received_at: Timestamp,
    /// Event type.
    #[serde(default)]
    pub event_type: Option<String>,
    /// The request's headers (hop-by-hop and credentials left out).
    #[serde(default)]
    pub headers: Option<HeaderMap>,
    /// First read.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub fetched_at: Option<Timestamp>,
    /// Acknowledgement.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub delivered_at: Option<Timestamp>,
    /// Timing figures.
    #[serde(default)]
    pub timing: Option<PullTimingBreakdown>,
    /// Deletion time.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
    /// The user who deleted it (never set on a self-hosted server).
    #[serde(default)]
    pub deleted_by_user_id: Option<String>,
    /// The API key that deleted it.
    #[serde(default)]
    pub deleted_by_api_key_id: Option<String>,
}

/// A page of events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListPullEventsResponse {
    /// The events, newest first.
    pub events: Vec<PullEventSummary>,
    /// Whether there is a next page.
    pub has_more: bool,
    /// Cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The result of `ack_pull_events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AckPullEventsResponse {
    /// Events moved to `delivered` by this call.
    pub acknowledged: i64,
}

/// An event in the pull logs (across endpoints).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullLogEntry {
    /// The event.
    pub event_id: String,
    /// Its endpoint.
    pub pull_endpoint_id: String,
    /// `stored`, `fetched` or `delivered`.
    pub status: String,
    /// Body size.
    pub size_bytes: i64,
    /// Arrival time.
    pub received_at: Timestamp,
    /// The endpoint's name.
    #[serde(default)]
    pub endpoint_name: Option<String>,
    /// Event type.
    #[serde(default)]
    pub event_type: Option<String>,
    /// First read.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub fetched_at: Option<Timestamp>,
    /// Acknowledgement.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub delivered_at: Option<Timestamp>,
    /// Timing figures.
    #[serde(default)]
    pub timing: Option<PullTimingBreakdown>,
}

/// A page of pull logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullLogsResponse {
    /// The entries, newest first.
    pub entries: Vec<PullLogEntry>,
    /// Whether there is a next page.
    pub has_more: bool,
    /// Cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One bucket of the pull time series (events received in the bucket, by current status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullTimeSeriesBucket {
    /// Start of the bucket.
    pub timestamp: Timestamp,
    /// Acknowledged (`delivered`).
    pub succeeded: i64,
    /// Still `stored`.
    pub stored: i64,
    /// `fetched`, not acknowledged.
    pub fetched: i64,
    /// All of them.
    pub total: i64,
}

/// Pull metrics bucketed over a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullTimeSeriesMetrics {
    /// The window.
    pub window: String,
    /// Buckets, oldest first.
    pub buckets: Vec<PullTimeSeriesBucket>,
}

/// The result of deleting one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteEventResult {
    /// The event.
    pub event_id: String,
    /// When it was deleted.
    pub deleted_at: Timestamp,
    /// True when it had been deleted before.
    pub already_deleted: bool,
}

/// One event's outcome in a batch deletion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteEventBatchItemResult {
    /// The event.
    pub event_id: String,
    /// `deleted`, `already_deleted` or `not_found`.
    pub outcome: String,
    /// When it was deleted.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
}

/// The result of `delete_pull_events_batch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteEventBatchResult {
    /// One result per given id, in order.
    #[serde(default)]
    pub results: Vec<DeleteEventBatchItemResult>,
    /// Deleted now.
    pub deleted_count: i64,
    /// Deleted before.
    pub already_deleted_count: i64,
    /// Unknown ids.
    pub not_found_count: i64,
}

/// A failure reported next to a partial `delete-all` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullDeletePartialError {
    /// `DELETE_FAILED` or `PARTIAL_DELETE_FAILURE`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// The result of `delete_pull_events_all`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeletePullEventsAllResult {
    /// Events deleted.
    pub deleted: i64,
    /// Their ids.
    #[serde(default)]
    pub deleted_event_ids: Vec<String>,
    /// Set when only part of the deletion happened (top-level `error` of the answer).
    #[serde(default)]
    pub error: Option<PullDeletePartialError>,
}
