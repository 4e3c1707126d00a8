//! The delivery queue: claiming due messages with a lease, recording attempts atomically with
//! the message state, and releasing claims without an attempt.

use super::{Direction, StoreError};
use crate::telemetry::QueueDepth;

/// A message claimed for one delivery attempt, with everything needed to send it.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    /// The message.
    pub message_id: String,
    /// Its project.
    pub project_id: String,
    /// Outbound send or inbound forward.
    pub direction: Direction,
    /// The endpoint (rate limits are kept per endpoint).
    pub endpoint_id: String,
    /// Where to POST.
    pub url: String,
    /// `Content-Type` of the payload.
    pub content_type: String,
    /// The exact bytes to POST.
    pub payload: Vec<u8>,
    /// Extra headers: endpoint headers, then per-message headers (later entries win).
    pub headers: Vec<(String, String)>,
    /// Active signing secrets, oldest first (empty: no signature header).
    pub secrets: Vec<String>,
    /// Unix seconds for `X-Webhook-Timestamp`.
    pub signed_at: i64,
    /// Number of this attempt (1-based).
    pub attempt_no: i64,
    /// Retries already taken on the 429 track.
    pub fast_retry_count: i64,
    /// Retries already taken on the slow track.
    pub slow_retry_count: i64,
    /// Endpoint rate limit (deliveries per second, 0 = unlimited).
    pub rate_limit_rps: i64,
    /// Endpoint burst (0 = same as the rate).
    pub burst: i64,
    /// When the message was created (Unix ms), for send-to-delivery latency.
    pub created_at: i64,
}

/// Per-endpoint concurrency: the limit, and the attempts in flight of every busy endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointSlots {
    /// Most attempts in flight for one endpoint.
    pub per_endpoint: usize,
    /// Attempts in flight, by endpoint id (endpoints with none are absent).
    pub in_flight: Vec<(String, usize)>,
}

impl EndpointSlots {
    /// In-flight count from which an endpoint is left out of claims: it must have at least an
    /// eighth of its slots free, so a busy endpoint's claims come in batches rather than one
    /// message per finished attempt.
    pub fn claim_threshold(&self) -> usize {
        self.per_endpoint - (self.per_endpoint / 8).max(1) + 1
    }

    /// `{"<endpoint id>": <in flight>, ...}`: one statement parameter whatever the count.
    pub fn in_flight_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> =
            self.in_flight.iter().map(|(id, n)| (id.clone(), serde_json::Value::from(*n))).collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// What an attempt did to its message.
#[derive(Clone, Debug, PartialEq)]
pub enum NextState {
    /// 2xx: delivered.
    Succeeded,
    /// Retry at this time (Unix ms); `fast` when on the 429 track.
    Retry {
        /// Due time of the next attempt.
        at_ms: i64,
        /// Whether the retry is on the fast (429) track.
        fast: bool,
    },
    /// Non-retryable answer or attempts exhausted: into the dead letter queue.
    FailedPermanent,
}

/// One finished attempt to record.
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    /// The message.
    pub message_id: String,
    /// Its project.
    pub project_id: String,
    /// Its direction.
    pub direction: Direction,
    /// Attempt number (1-based).
    pub attempt_no: i64,
    /// HTTP status, when an answer came.
    pub response_status: Option<i64>,
    /// Duration of the attempt.
    pub latency_ms: i64,
    /// Error text (transport error or `HTTP <status>`).
    pub error: Option<String>,
    /// What happens next.
    pub next: NextState,
    /// Receiver's `Retry-After`, in ms, if any.
    pub retry_after_ms: Option<i64>,
    /// When the attempt finished (Unix ms).
    pub finished_at: i64,
}

/// The queue operations of the delivery engine.
#[async_trait::async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Claims up to `limit` messages due at `now_ms`, leasing each until `now_ms + lease_ms`;
    /// messages whose lease expired (a crashed worker) are due again. Paused endpoints are
    /// skipped, and no endpoint gets more than its free slots: `slots.per_endpoint` minus its
    /// attempts in flight.
    async fn claim_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
        slots: &EndpointSlots,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;

    /// Records finished attempts: for each, the attempt row and the message's new state, atomically.
    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError>;

    /// Puts claimed messages back, due at `due_at_ms`, without counting an attempt
    /// (rate limited, or shutting down before the attempt finished).
    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError>;

    /// Makes every leased message due now. Only for single-process stores (SQLite) at start-up,
    /// where any lease left in the database belongs to a process that died.
    async fn release_orphaned_leases(&self, now_ms: i64) -> Result<u64, StoreError>;

    /// The earliest due time of waiting work that [`DeliveryQueue::claim_due`] could take now
    /// (endpoints without a free slot are left out), if any.
    async fn next_due_at(&self, slots: &EndpointSlots) -> Result<Option<i64>, StoreError>;

    /// Queue figures for `/metrics` and readiness.
    async fn queue_depth(&self) -> Result<QueueDepth, StoreError>;
}
