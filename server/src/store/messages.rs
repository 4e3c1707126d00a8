//! Messages: send, status, replay, logs, DLQ and metrics.

use hookbridge::Message;

use super::{
    Direction, ListPage, LogEntry, LogFilter, MetricCounts, NewMessage, ReplayAllResult, ReplayMode, ReplayOutcome, SendOutcome,
    StatusChange, StoreError,
};

/// Storage of messages: send, status, replay, logs, DLQ and metrics.
#[async_trait::async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores an outbound send, durably, in one write: checks that the endpoint is live in the
    /// message's project, applies idempotency on (endpoint, key), and inserts the message as
    /// `queued` (or `paused` when the endpoint is paused). The stored `destination_url` is the
    /// endpoint's URL at this moment (the record's own value is ignored).
    async fn accept_send(&self, message: NewMessage) -> Result<SendOutcome, StoreError>;

    /// One outbound message of the project.
    async fn get_message(&self, project_id: &str, message_id: &str) -> Result<Option<Message>, StoreError>;

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

    /// A page of messages matching the filter, newest first.
    async fn list_messages(&self, filter: LogFilter) -> Result<ListPage<LogEntry>, StoreError>;

    /// Figures over messages created, and attempts made, in `[from_ms, to_ms)`.
    async fn metric_counts(
        &self,
        project_id: &str,
        direction: Direction,
        endpoint_id: Option<String>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<MetricCounts, StoreError>;

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
