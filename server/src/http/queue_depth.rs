//! The queue and dead-letter depth shown by `/metrics`: counting them reads the messages
//! table, so the figures are shared by every scrape and counted again at most once per
//! `--metrics-refresh-secs`, by one request at a time (the others wait for its result).

use std::time::{Duration, Instant};

use crate::store::{Store, StoreError};
use crate::telemetry::{QueueDepth, Telemetry};

/// The latest queue depth and when it was counted.
pub struct QueueDepthCache {
    refresh: Duration,
    latest: tokio::sync::Mutex<Option<(Instant, QueueDepth)>>,
}

impl QueueDepthCache {
    /// A cache whose figures are at most `refresh` old.
    pub fn new(refresh: Duration) -> Self {
        QueueDepthCache { refresh, latest: tokio::sync::Mutex::new(None) }
    }

    /// The depth, counted now if the last count is older than the refresh period.
    pub async fn get(&self, store: &dyn Store, telemetry: &Telemetry) -> Result<QueueDepth, StoreError> {
        let mut latest = self.latest.lock().await;
        if let Some((at, depth)) = *latest
            && at.elapsed() < self.refresh
        {
            return Ok(depth);
        }
        let depth = store.queue_depth().await?;
        Telemetry::inc(&telemetry.queue_depth_counts);
        *latest = Some((Instant::now(), depth));
        Ok(depth)
    }
}
