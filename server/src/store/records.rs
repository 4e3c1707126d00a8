//! Domain records shared by the store traits, the HTTP layer and the delivery engine.

use super::tenancy::{KeyMode, KeyScope};
use crate::domain::MessageStatus;
use hookbridge::signing::SignatureScheme;

/// Which way a message flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Sent through `POST /v1/webhooks/send` to an outbound endpoint.
    Outbound,
    /// Received on an inbound endpoint's ingest URL and forwarded.
    Inbound,
}

impl Direction {
    /// The stored text.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
}

/// The caller behind a valid API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedKey {
    /// Key id.
    pub key_id: String,
    /// The key's project.
    pub project_id: String,
    /// The project's tenant.
    pub tenant_id: String,
    /// What the key may do beyond its project.
    pub scope: KeyScope,
    /// `live` or `test`.
    pub mode: KeyMode,
    /// The project's API requests per minute (`rate_limit_default`).
    pub rate_limit_per_minute: i64,
}

/// What first-start bootstrap did.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BootstrapOutcome {
    /// The plaintext of a key created now (printed once), if one was created.
    pub created_key: Option<String>,
    /// The configured key exists but was revoked: it stays revoked (its id).
    pub configured_key_revoked: Option<String>,
}

impl std::fmt::Debug for BootstrapOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapOutcome")
            .field("created_key", &self.created_key.as_ref().map(|_| hookbridge::REDACTED))
            .field("configured_key_revoked", &self.configured_key_revoked)
            .finish()
    }
}

/// A message to store (send or ingest).
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Outbound or inbound.
    pub direction: Direction,
    /// Endpoint (outbound `ep_…` or inbound UUID).
    pub endpoint_id: String,
    /// Destination URL at this moment.
    pub destination_url: String,
    /// Content type of the payload.
    pub content_type: String,
    /// The exact bytes to deliver.
    pub payload: Vec<u8>,
    /// Hex SHA-256 of `payload`.
    pub payload_sha256: String,
    /// JSON object of headers to add to the delivery.
    pub headers_json: Option<String>,
    /// Idempotency key, scoped to the endpoint.
    pub idempotency_key: Option<String>,
    /// Unix seconds to send as `X-Webhook-Timestamp`.
    pub signed_at: i64,
    /// Payload retention override.
    pub retention_hours: Option<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A new API key (stored hashed).
#[derive(Clone, Debug)]
pub struct NewApiKey {
    /// `key_` + 24 hex.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Hex SHA-256 of the full key.
    pub key_hash: String,
    /// First 11 characters of the key.
    pub prefix: String,
    /// `live` or `test`.
    pub mode: KeyMode,
    /// `project` or `admin`.
    pub scope: KeyScope,
    /// Label given at creation.
    pub label: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A new outbound endpoint together with its first signing key.
#[derive(Clone, Debug)]
pub struct NewEndpoint {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Destination URL.
    pub url: String,
    /// Description.
    pub description: Option<String>,
    /// Deliveries per second (0 = unlimited).
    pub rate_limit_rps: i64,
    /// Burst (0 = same as the rate).
    pub burst: i64,
    /// JSON object of custom headers.
    pub headers_json: Option<String>,
    /// Id of the first signing key.
    pub signing_key_id: String,
    /// Secret of the first signing key.
    pub signing_secret: String,
    /// How deliveries are signed.
    pub signature_scheme: SignatureScheme,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A partial endpoint update: `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct EndpointChanges {
    /// New URL.
    pub url: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New rate limit (0 clears it).
    pub rate_limit_rps: Option<i64>,
    /// New burst.
    pub burst: Option<i64>,
    /// New headers JSON (`Some(None)` clears them).
    pub headers_json: Option<Option<String>>,
    /// New signature scheme.
    pub signature_scheme: Option<SignatureScheme>,
}

/// Outcome of an endpoint write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointWrite<T> {
    /// Done.
    Done(T),
    /// No such live endpoint in the project.
    NotFound,
    /// Another live endpoint of the project has this URL.
    DuplicateUrl,
}

/// Outcome of a signing-key operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigningKeyWrite<T> {
    /// Done.
    Done(T),
    /// No such live endpoint in the project.
    EndpointNotFound,
    /// No such active key on the endpoint.
    KeyNotFound,
    /// The endpoint already has the maximum number of active keys.
    MaxReached,
    /// The key is the endpoint's only active key.
    LastKey,
}

/// Outcome of storing a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Stored with this status (`queued`, or `paused` for a paused endpoint).
    Accepted(&'static str),
    /// Idempotent repeat: the original message, nothing stored.
    Duplicate(String),
    /// Same idempotency key, different payload: nothing stored.
    IdempotencyMismatch,
    /// No such live endpoint in the caller's project.
    EndpointNotFound,
}

/// Position in a newest-first list: the last item's creation time and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListCursor {
    /// Unix milliseconds.
    pub created_at: i64,
    /// Id of the item.
    pub id: String,
}

impl ListCursor {
    /// The opaque wire form (URL-safe base64 of `created_at:id`).
    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}:{}", self.created_at, self.id))
    }

    /// Reads the wire form; `None` when it is not a cursor this server issued.
    pub fn decode(text: &str) -> Option<Self> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (ts, id) = raw.split_once(':')?;
        if id.is_empty() || id.len() > 100 {
            return None;
        }
        Some(ListCursor { created_at: ts.parse().ok()?, id: id.to_owned() })
    }
}

/// One page of a newest-first list.
#[derive(Clone, Debug)]
pub struct ListPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, when there is one.
    pub next: Option<ListCursor>,
}

impl<T> ListPage<T> {
    /// A page from up to `limit + 1` rows read newest first, each with its position: the extra
    /// row only tells that there is a next page, which starts after the last row kept.
    pub fn from_overfetch(mut rows: Vec<(ListCursor, T)>, limit: usize) -> Self {
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(cursor, _)| cursor.clone())
        } else {
            None
        };
        ListPage { items: rows.into_iter().map(|(_, item)| item).collect(), next }
    }
}

/// Filters of the message logs, the DLQ and exports.
#[derive(Clone, Debug)]
pub struct LogFilter {
    /// The caller's project.
    pub project_id: String,
    /// Outbound or inbound messages.
    pub direction: Direction,
    /// Only this status.
    pub status: Option<MessageStatus>,
    /// Only this endpoint.
    pub endpoint_id: Option<String>,
    /// Created at or after (Unix ms).
    pub start_ms: Option<i64>,
    /// Created at or before (Unix ms).
    pub end_ms: Option<i64>,
    /// Page size.
    pub limit: usize,
    /// Continue after this position.
    pub after: Option<ListCursor>,
}

/// One message as listed in logs, the DLQ and exports (the HTTP layer makes the wire items).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// UUIDv7 of the message.
    pub message_id: String,
    /// The endpoint the message belongs to.
    pub endpoint_id: String,
    /// Destination URL at send (or receive) time.
    pub destination_url: String,
    /// Current status.
    pub status: MessageStatus,
    /// Delivery attempts made so far.
    pub attempt_count: i64,
    /// When the message was accepted (Unix ms).
    pub created_at: i64,
    /// When it was delivered (Unix ms).
    pub delivered_at: Option<i64>,
    /// When the next attempt is due (Unix ms), as stored: meaningful only while the status
    /// waits for an attempt.
    pub next_attempt_at: Option<i64>,
    /// HTTP status of the last attempt.
    pub response_status: Option<i64>,
    /// Latency of the last attempt in milliseconds.
    pub response_latency_ms: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// When it entered the dead letter queue (Unix ms).
    pub failed_at: Option<i64>,
    /// When it was deleted (Unix ms).
    pub deleted_at: Option<i64>,
}

/// Which replay rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayMode {
    /// `POST /v1/messages/{id}/replay` and the batch forms: from `failed_permanent`,
    /// `pending_retry` (not on the 429 track) or `succeeded`, at most [`MAX_REPLAYS`] times.
    Manual,
    /// `POST /v1/dlq/replay/{id}`: only from `failed_permanent`, no cap.
    DeadLetter,
}

/// Most manual replays of one message.
pub const MAX_REPLAYS: i64 = 10;

/// Outcome of replaying one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayOutcome {
    /// Re-queued.
    Replayed,
    /// No such message in the project.
    NotFound,
    /// An attempt is in flight.
    DeliveryInProgress,
    /// The message is in a 429-driven fast retry run.
    RetryInProgress,
    /// The replay cap is reached.
    LimitExceeded,
    /// The payload was purged.
    PayloadUnavailable,
    /// The message's endpoint was deleted.
    EndpointDeleted,
    /// The message's status does not allow it (the current status).
    NotReplayable(String),
}

/// Outcome of cancel / retry-now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// Done.
    Done,
    /// No such message in the project.
    NotFound,
    /// The message is in this other status.
    WrongStatus(String),
}

/// Result of replay-all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayAllResult {
    /// Re-queued messages.
    pub replayed: Vec<String>,
    /// Messages that could not be replayed.
    pub failed: i64,
    /// Messages busy now (in flight or on the 429 track).
    pub stuck: Vec<String>,
}

/// Aggregate figures of messages and attempts over a time range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricCounts {
    /// Messages created in the range.
    pub total: i64,
    /// Of those, `succeeded`.
    pub succeeded: i64,
    /// Of those, `failed_permanent`.
    pub failed: i64,
    /// Of those, `pending_retry`.
    pub retrying: i64,
    /// Attempts in the range beyond each message's first.
    pub retries: i64,
    /// Mean attempt latency in the range (ms, rounded).
    pub avg_latency_ms: i64,
    /// Mean time from creation to delivery of the messages delivered in the range (ms).
    pub avg_delivery_ms: i64,
}

impl MetricCounts {
    /// `succeeded / total`, 0.0 when there were no messages.
    pub fn success_rate(&self) -> f64 {
        if self.total > 0 { self.succeeded as f64 / self.total as f64 } else { 0.0 }
    }
}

/// What an export holds: the messages of one project in one direction, created in a time
/// range, optionally of one status and one endpoint.
#[derive(Clone, Debug)]
pub struct ExportScope {
    /// Owning project.
    pub project_id: String,
    /// Which messages.
    pub direction: Direction,
    /// Range start (Unix ms).
    pub start_ms: i64,
    /// Range end (Unix ms), after the start.
    pub end_ms: i64,
    /// Status filter.
    pub status: Option<MessageStatus>,
    /// Endpoint filter.
    pub endpoint_id: Option<String>,
}

/// A new export job.
#[derive(Clone, Debug)]
pub struct NewExport {
    /// UUIDv7.
    pub id: String,
    /// What it holds.
    pub scope: ExportScope,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// An export job's facts, as stored (times in Unix ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportJob {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// `pending`, `processing`, `completed` or `failed`, as stored.
    pub status: String,
    /// Start of the exported range.
    pub filter_start_ms: i64,
    /// End of the exported range.
    pub filter_end_ms: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Status filter, as stored.
    pub filter_status: Option<String>,
    /// Endpoint filter.
    pub filter_endpoint_id: Option<String>,
    /// Rows written.
    pub row_count: Option<i64>,
    /// Content size in bytes.
    pub file_size_bytes: Option<i64>,
    /// Why the export failed.
    pub error_message: Option<String>,
    /// When the job started.
    pub started_at: Option<i64>,
    /// When the job completed.
    pub completed_at: Option<i64>,
    /// When the content stops being downloadable.
    pub expires_at: Option<i64>,
}

/// A stored export job.
#[derive(Clone, PartialEq)]
pub struct StoredExport {
    /// The job's facts.
    pub record: ExportJob,
    /// Which messages.
    pub direction: Direction,
    /// The file of its content, once written, where the content lives in files (SQLite).
    pub file_path: Option<String>,
    /// Secret that signs download links.
    pub download_secret: Option<String>,
}

hookbridge::debug_redacted!(StoredExport { record, direction, file_path, download_secret });

/// Facts of a finished export file.
#[derive(Clone)]
pub struct CompletedExport {
    /// Rows written.
    pub row_count: i64,
    /// Content size in bytes.
    pub file_size_bytes: i64,
    /// Secret that signs download links.
    pub download_secret: String,
    /// Unix milliseconds.
    pub completed_at: i64,
    /// Unix milliseconds.
    pub expires_at: i64,
}

hookbridge::debug_redacted!(CompletedExport { row_count, file_size_bytes, download_secret, completed_at, expires_at });

/// A live project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectRecord {
    /// UUIDv7.
    pub id: String,
    /// Tenant that owns the project.
    pub tenant_id: String,
    /// Display name.
    pub name: String,
    /// Status as stored (`active`).
    pub status: String,
    /// API requests per minute.
    pub rate_limit_default: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// An active API key as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Key id.
    pub key_id: String,
    /// Label given at creation (`""` when none was given).
    pub label: String,
    /// First 11 characters of the key.
    pub prefix: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// When the key last authenticated a request (Unix ms).
    pub last_used_at: Option<i64>,
}

/// A live outbound endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRecord {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Destination URL.
    pub url: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Last change (Unix ms).
    pub updated_at: i64,
    /// Whether delivery is paused.
    pub paused: bool,
    /// Description.
    pub description: Option<String>,
    /// Deliveries per second, when limited.
    pub rate_limit_rps: Option<i64>,
    /// Burst of the rate limiter, when set.
    pub burst: Option<i64>,
    /// The custom headers' JSON object, opened.
    pub headers_json: Option<String>,
    /// How deliveries are signed.
    pub signature_scheme: SignatureScheme,
}

/// A live outbound endpoint as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointListing {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Destination URL.
    pub url: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Whether delivery is paused.
    pub paused: bool,
    /// Description.
    pub description: Option<String>,
}

/// An active signing key as listed: a hint of its secret, never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// Key id.
    pub id: String,
    /// Last characters of the secret.
    pub key_hint: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A stored outbound message without its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Destination endpoint.
    pub endpoint_id: String,
    /// Current status.
    pub status: MessageStatus,
    /// Delivery attempts made so far.
    pub attempt_count: i64,
    /// Manual replays so far.
    pub replay_count: i64,
    /// Content type of the payload.
    pub content_type: String,
    /// Payload size in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256 of the payload.
    pub payload_sha256: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Last state change (Unix ms).
    pub updated_at: i64,
    /// Idempotency key given on send.
    pub idempotency_key: Option<String>,
    /// When the next attempt is due (Unix ms), as stored: meaningful only while the status
    /// waits for an attempt.
    pub next_attempt_at: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// HTTP status of the last attempt.
    pub response_status: Option<i64>,
    /// Latency of the last attempt in milliseconds.
    pub response_latency_ms: Option<i64>,
    /// When it was deleted (Unix ms).
    pub deleted_at: Option<i64>,
    /// The API key that deleted it.
    pub deleted_by_api_key_id: Option<String>,
}
