//! Messages: send, status, replay, logs, DLQ and metrics.

use super::{
    Direction, ListPage, LogEntry, LogFilter, MessageRecord, MetricCounts, NewMessage, ReplayAllResult, ReplayMode,
    ReplayOutcome, SendOutcome, StatusChange, StoreError,
};
use crate::store::{ClaimedDelivery, SendLease};

/// Storage of messages: send, status, replay, logs, DLQ and metrics.
#[async_trait::async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores an outbound send, durably, in one write: checks that the endpoint is live in the
    /// message's project, applies idempotency on (endpoint, key), and inserts the message as
    /// `queued` (or `paused` when the endpoint is paused). The stored `destination_url` is the
    /// endpoint's URL at this moment (the record's own value is ignored).
    async fn accept_send(&self, message: NewMessage) -> Result<SendOutcome, StoreError>;

    /// Stores a send as [`accept_send`](Self::accept_send) does and, when it is accepted, claims
    /// in the same write the next due delivery of its endpoint under the lease `lease`: the
    /// send itself, unless older messages of the endpoint are due (claim on send,
    /// `crate::delivery::claim_on_send`). Nothing is claimed when the endpoint is paused, or
    /// when the claim fails (the send is stored all the same). A store that cannot claim in the
    /// send's own write claims nothing, and the engine finds the send by its scan.
    async fn accept_send_and_claim(
        &self,
        message: NewMessage,
        lease: SendLease,
    ) -> Result<(SendOutcome, Option<ClaimedDelivery>), StoreError> {
        let _ = lease;
        Ok((self.accept_send(message).await?, None))
    }

    /// One outbound message of the project.
    async fn get_message(&self, project_id: &str, message_id: &str) -> Result<Option<MessageRecord>, StoreError>;

    /// Replays one message (see [`ReplayMode`]); status `queued` (or `paused`), due now,
    /// signed now, retry tracks reset, `replay_count + 1`.
    async fn replay_message(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        mode: ReplayMode,
        now_ms: i64,
    ) -> Result<ReplayOutcome, StoreError>;

    /// Replays a list of messages in one transaction; one outcome per id, in order.
    async fn replay_messages(
        &self,
        project_id: &str,
        direction: Direction,
        message_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<Vec<ReplayOutcome>, StoreError>;

    /// Replays up to `limit` messages in `status` (oldest first), optionally of one endpoint.
    async fn replay_all(
        &self,
        project_id: &str,
        direction: Direction,
        status: &str,
        endpoint_id: Option<String>,
        limit: usize,
        now_ms: i64,
    ) -> Result<ReplayAllResult, StoreError>;

    /// Cancels a `pending_retry` message (it becomes `failed_permanent`).
    async fn cancel_message(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError>;

    /// Makes a `pending_retry` message due now.
    async fn retry_message_now(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError>;

    /// The stored body of one of the project's messages in `direction`: its payload (`None`
    /// once purged) and the custom headers it was sent (outbound) or received (inbound) with;
    /// `None` when there is no such message.
    async fn message_body(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
    ) -> Result<Option<MessageBody>, StoreError>;

    /// A page of messages matching the filter, newest first.
    async fn list_messages(&self, filter: LogFilter) -> Result<ListPage<LogEntry>, StoreError>;

    /// Figures over messages created, and attempts made, in `[from_ms, to_ms)`: one bucket of
    /// [`MessageStore::metric_series`].
    async fn metric_counts(
        &self,
        project_id: &str,
        direction: Direction,
        endpoint_id: Option<String>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<MetricCounts, StoreError> {
        let width = to_ms.saturating_sub(from_ms).max(1);
        Ok(self.metric_series(project_id, direction, endpoint_id, from_ms, width, 1).await?.pop().unwrap_or_default())
    }

    /// The same figures for `count` consecutive buckets of `width_ms` starting at `first_ms`.
    async fn metric_series(
        &self,
        project_id: &str,
        direction: Direction,
        endpoint_id: Option<String>,
        first_ms: i64,
        width_ms: i64,
        count: usize,
    ) -> Result<Vec<MetricCounts>, StoreError>;

    /// Messages (both directions) the project created in each `[start, end)` range.
    async fn count_messages_in(&self, project_id: &str, ranges: Vec<(i64, i64)>) -> Result<Vec<i64>, StoreError>;
}

/// What [`MessageStore::message_body`] reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageBody {
    /// The payload, until retention purges it.
    pub payload: Option<Vec<u8>>,
    /// Custom headers as a JSON object, if any.
    pub headers_json: Option<String>,
}

/// Per-bucket figures of one message group (a bucket of [`MessageStore::metric_series`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct MessageBucket {
    /// Messages created.
    pub total: i64,
    /// Of those, `succeeded`.
    pub succeeded: i64,
    /// Of those, `failed_permanent`.
    pub failed: i64,
    /// Of those, `pending_retry`.
    pub retrying: i64,
    /// Mean creation-to-delivery time of the delivered ones (ms), if any.
    pub avg_delivery_ms: Option<f64>,
}

/// Collects the grouped rows of a metric series into `count` buckets of `width_ms` from
/// `first_ms`; a row is placed by its bucket number `(created_at - first_ms) / width_ms`, and
/// a number outside the series is ignored.
#[derive(Clone, Debug)]
pub struct MetricSeries {
    buckets: Vec<MetricCounts>,
}

impl MetricSeries {
    /// `count` empty buckets.
    pub fn new(count: usize) -> Self {
        MetricSeries { buckets: vec![MetricCounts::default(); count] }
    }

    /// The end (exclusive, Unix ms) of `count` buckets of `width_ms` from `first_ms`.
    pub fn end_ms(first_ms: i64, width_ms: i64, count: usize) -> i64 {
        width_ms.saturating_mul(i64::try_from(count).unwrap_or(i64::MAX)).saturating_add(first_ms)
    }

    fn slot(&mut self, bucket: i64) -> Option<&mut MetricCounts> {
        usize::try_from(bucket).ok().and_then(|i| self.buckets.get_mut(i))
    }

    /// The message figures of bucket `bucket`.
    pub fn messages(&mut self, bucket: i64, m: MessageBucket) {
        if let Some(slot) = self.slot(bucket) {
            slot.total = m.total;
            slot.succeeded = m.succeeded;
            slot.failed = m.failed;
            slot.retrying = m.retrying;
            slot.avg_delivery_ms = m.avg_delivery_ms.map(|d| d.round() as i64).unwrap_or(0);
        }
    }

    /// The attempt figures of bucket `bucket`: retries and mean latency.
    pub fn attempts(&mut self, bucket: i64, retries: Option<i64>, avg_latency_ms: Option<f64>) {
        if let Some(slot) = self.slot(bucket) {
            slot.retries = retries.unwrap_or(0);
            slot.avg_latency_ms = avg_latency_ms.map(|l| l.round() as i64).unwrap_or(0);
        }
    }

    /// The buckets, in time order.
    pub fn finish(self) -> Vec<MetricCounts> {
        self.buckets
    }
}
