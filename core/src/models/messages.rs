//! Sending, message status, logs, DLQ and replay results.

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, optional_timestamp};

/// Status values of a message (`MessageStatus` in Python). The API may add more (e.g. `paused`),
/// so models carry statuses as plain strings.
pub mod status {
    /// Waiting for its first attempt.
    pub const QUEUED: &str = "queued";
    /// An attempt is in flight.
    pub const DELIVERING: &str = "delivering";
    /// A 2xx answer was received.
    pub const SUCCEEDED: &str = "succeeded";
    /// A retryable failure; the next attempt is scheduled at `next_attempt_at`.
    pub const PENDING_RETRY: &str = "pending_retry";
    /// Retries exhausted or a non-retryable answer: the message is in the dead letter queue.
    pub const FAILED_PERMANENT: &str = "failed_permanent";
    /// Held because its endpoint is paused (server extension, not in the Python Literal).
    pub const PAUSED: &str = "paused";
}

/// Result of `send`: the id of the stored message and its status (`queued`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SendWebhookResponse {
    /// UUIDv7 of the message.
    pub message_id: String,
    /// Always `queued` on acceptance.
    pub status: String,
}

/// Result of replaying one inbound message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReplayMessageResponse {
    /// The replayed message.
    pub message_id: String,
    /// Its new status (`queued`).
    pub status: String,
}

/// Full state of one outbound message (`get_message`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Message {
    /// UUIDv7 of the message.
    pub id: String,
    /// Project that owns it.
    pub project_id: String,
    /// Destination endpoint (`ep_...`).
    pub endpoint_id: String,
    /// One of [`status`].
    pub status: String,
    /// Delivery attempts made so far.
    pub attempt_count: i64,
    /// Manual replays so far.
    pub replay_count: i64,
    /// Content type of the payload.
    pub content_type: String,
    /// Payload size in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256 of the payload bytes.
    pub payload_sha256: String,
    /// When the send was accepted.
    pub created_at: Timestamp,
    /// Last state change.
    pub updated_at: Timestamp,
    /// Idempotency key given on send.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// When the next attempt is due (while `pending_retry`).
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub next_attempt_at: Option<Timestamp>,
    /// Error of the last attempt.
    #[serde(default)]
    pub last_error: Option<String>,
    /// HTTP status of the last attempt.
    #[serde(default)]
    pub response_status: Option<i64>,
    /// Latency of the last attempt in milliseconds.
    #[serde(default)]
    pub response_latency_ms: Option<i64>,
    /// When the message was deleted (its payload is gone, its record kept).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
    /// The user who deleted it (hosted accounts only; never set by a self-hosted server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by_user_id: Option<String>,
    /// The API key that deleted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by_api_key_id: Option<String>,
}

/// One row of the delivery logs or of the dead letter queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MessageSummary {
    /// UUIDv7 of the message.
    pub message_id: String,
    /// Destination URL at send time.
    pub endpoint: String,
    /// One of [`status`].
    pub status: String,
    /// Delivery attempts made so far.
    pub attempt_count: i64,
    /// When the send was accepted.
    pub created_at: Timestamp,
    /// When it was delivered.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub delivered_at: Option<Timestamp>,
    /// When the next attempt is due.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub next_attempt_at: Option<Timestamp>,
    /// HTTP status of the last attempt.
    #[serde(default)]
    pub response_status: Option<i64>,
    /// Latency of the last attempt in milliseconds.
    #[serde(default)]
    pub response_latency_ms: Option<i64>,
    /// Error of the last attempt.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the message was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
}

/// A page of delivery logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LogsResponse {
    /// The messages, newest first.
    pub messages: Vec<MessageSummary>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A page of the dead letter queue (the wire `data` object has exactly this shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename = "DLQMessagesResponse")]
pub struct DlqMessagesResponse {
    /// Messages in `failed_permanent`.
    #[serde(default)]
    pub messages: Vec<MessageSummary>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Result of replaying every message of a status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReplayAllMessagesResponse {
    /// Messages re-queued.
    pub replayed: i64,
    /// Messages that could not be replayed.
    pub failed: i64,
    /// Messages busy right now (in flight or in a fast-retry run).
    pub stuck: i64,
    /// Ids of the replayed messages.
    #[serde(default)]
    pub replayed_message_ids: Vec<String>,
    /// Ids of the stuck messages.
    #[serde(default)]
    pub stuck_message_ids: Vec<String>,
}

/// Outcome for one id of a batch replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReplayBatchResult {
    /// The message.
    pub message_id: String,
    /// `replayed`, `failed` or `stuck`.
    pub status: String,
    /// Why it was not replayed.
    #[serde(default)]
    pub error: Option<String>,
}

/// Result of replaying a list of messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReplayBatchMessagesResponse {
    /// Messages re-queued.
    pub replayed: i64,
    /// Messages that could not be replayed.
    pub failed: i64,
    /// Messages busy right now.
    pub stuck: i64,
    /// One entry per requested id.
    #[serde(default)]
    pub results: Vec<ReplayBatchResult>,
}
