//! The backlog intake is measured against (`--queue-high-water`, [`crate::http::backpressure`]):
//! per project, the messages the delivery engine still has to work through now.
//!
//! Counted: `queued` and `pending_retry` messages whose due time has come, and `delivering`
//! ones (an attempt in flight). Not counted: retries scheduled for later (a receiver that is
//! down must not stop its project's intake; its messages wait by design), messages held for a
//! paused endpoint, and finished ones.

use std::collections::HashMap;

use super::StoreError;

/// Storage side of the queue high-water mark.
#[async_trait::async_trait]
pub trait BacklogStore: Send + Sync {
    /// Per project, the messages waiting for delivery at `now_ms` (as the module says); projects
    /// with none are left out. Read from the waiting-message indexes, never the whole table.
    async fn backlog_by_project(&self, now_ms: i64) -> Result<HashMap<String, u64>, StoreError>;
}

/// Adds one `(project_id, count)` row of a backlog query to `backlog`.
pub(crate) fn add_to_backlog(backlog: &mut HashMap<String, u64>, project_id: String, count: i64) {
    let count = u64::try_from(count).unwrap_or(0);
    if count > 0 {
        let total = backlog.entry(project_id).or_default();
        *total = total.saturating_add(count);
    }
}
