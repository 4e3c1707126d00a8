//! Retention: purging delivered payloads and old rejection records.

use super::StoreError;

/// What one retention pass removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Payloads purged (message metadata and attempts are kept).
    pub payloads: u64,
    /// Rejection records deleted.
    pub rejections: u64,
}

/// Storage side of the retention janitor.
#[async_trait::async_trait]
pub trait RetentionStore: Send + Sync {
    /// Whether this server process may run the background job named `job` (e.g. `"retention"`)
    /// now. Asked before every pass, so that with several processes on one database only one
    /// of them works at a time. A single-process backend (SQLite) always answers `Ok(true)`,
    /// which is also the default; a shared backend answers from a lock it holds (a PostgreSQL
    /// advisory lock, say) and `Ok(false)` while another process holds it.
    async fn try_lead(&self, job: &str) -> Result<bool, StoreError> {
        let _ = job;
        Ok(true)
    }

    /// Purges the payloads of finished messages (`succeeded`, `failed_permanent`) created before
    /// `payloads_before_ms`, deletes rejections received before `rejections_before_ms`, and keeps
    /// at most `max_unattributed` rejections that belong to no project (requests to unknown
    /// endpoints need no credentials, so their records must not grow without bound).
    async fn prune(
        &self,
        payloads_before_ms: i64,
        rejections_before_ms: i64,
        max_unattributed: usize,
    ) -> Result<Pruned, StoreError>;
}
