//! Soft deletion of messages (both directions): one message, a list, or every message matching
//! a filter. The rules are [`crate::domain::deletion`]'s; a backend applies them under its lock.

use super::{Direction, StoreError};
use crate::domain::MessageStatus;

/// Who deletes, in which project and direction, and when.
#[derive(Clone, Debug)]
pub struct Deleter {
    /// The caller's project: only its messages are touched.
    pub project_id: String,
    /// Outbound or inbound messages.
    pub direction: Direction,
    /// The API key that asks (kept as `deleted_by_api_key_id`).
    pub api_key_id: String,
    /// Unix milliseconds.
    pub now_ms: i64,
}

/// What happened to one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted now (at this time, Unix ms).
    Deleted(i64),
    /// Deleted before (at this time, Unix ms).
    AlreadyDeleted(i64),
    /// No such message in the project and direction.
    NotFound,
}

/// Which messages a delete-all takes, oldest first.
#[derive(Clone, Debug, Default)]
pub struct DeleteFilter {
    /// Only this status.
    pub status: Option<MessageStatus>,
    /// Only this endpoint.
    pub endpoint_id: Option<String>,
    /// Created (received) at or after (Unix ms).
    pub after_ms: Option<i64>,
    /// Created (received) at or before (Unix ms).
    pub before_ms: Option<i64>,
    /// At most this many.
    pub limit: usize,
}

/// Storage of message deletion.
#[async_trait::async_trait]
pub trait DeletionStore: Send + Sync {
    /// Deletes each listed message, in one transaction; one outcome per id, in order.
    async fn delete_messages(&self, by: Deleter, message_ids: Vec<String>) -> Result<Vec<DeleteOutcome>, StoreError>;

    /// Deletes up to `filter.limit` messages not deleted yet that match the filter, oldest
    /// first, in one transaction; the ids deleted.
    async fn delete_matching(&self, by: Deleter, filter: DeleteFilter) -> Result<Vec<String>, StoreError>;
}

/// SQL (every store, `$n` or `?n` placeholders spelled by the caller): the change deleting one
/// message makes, with `1` its id, `2` the time, `3` the key, `4` its new status and `5`
/// whether a pending attempt is called off.
pub(crate) fn delete_sql(p: char) -> String {
    format!(
        "UPDATE messages SET deleted_at = {p}2, deleted_by_api_key_id = {p}3, payload = NULL, idempotency_key = NULL, \
         status = {p}4, next_attempt_at = CASE WHEN {p}5 THEN NULL ELSE next_attempt_at END, \
         failed_at = CASE WHEN {p}5 THEN {p}2 ELSE failed_at END, updated_at = {p}2 WHERE id = {p}1"
    )
}

/// SQL (every store): the ids a delete-all takes, with `1` the project, `2` the direction, `3`
/// the status, `4` the endpoint, `5` and `6` the time bounds (NULL: no filter) and `7` the limit.
pub(crate) fn matching_sql(p: char, text: &str, int: &str) -> String {
    format!(
        "SELECT id FROM messages WHERE project_id = {p}1 AND direction = {p}2 AND deleted_at IS NULL \
         AND ({p}3{text} IS NULL OR status = {p}3) AND ({p}4{text} IS NULL OR endpoint_id = {p}4) \
         AND ({p}5{int} IS NULL OR created_at >= {p}5) AND ({p}6{int} IS NULL OR created_at <= {p}6) \
         ORDER BY created_at, id LIMIT {p}7"
    )
}
