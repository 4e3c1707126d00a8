//! The retention janitor: every few minutes, purges the payloads of finished messages older than
//! `--payload-retention-days` (their metadata and attempts stay; replaying them answers 410
//! `PAYLOAD_UNAVAILABLE`) and deletes rejection records older than `--rejection-retention-days`,
//! keeping at most `--rejection-log-max-per-endpoint` records of requests to unknown endpoints
//! (the cap ingest also applies as it writes, see [`crate::ingest::rejection_log`]), and deletes
//! the content of exports whose download window ended ([`super::exports`]), and deletes pull
//! events older than their endpoint's `retention_days`. Before each pass it
//! asks the store whether this process may run it ([`crate::store::RetentionStore::try_lead`]): with SQLite
//! always; with a database shared by several processes, one of them at a time.

use std::sync::Arc;

use crate::clock::now_millis;
use crate::config::Config;
use crate::store::Store;

const DAY_MS: i64 = 86_400_000;

/// The name under which the janitor asks [`crate::store::RetentionStore::try_lead`].
pub const JOB: &str = "retention";

/// Runs one retention pass now.
pub async fn run_once(store: &dyn Store, config: &Config) {
    let now = now_millis();
    let payloads_before = now - i64::from(config.payload_retention_days) * DAY_MS;
    let rejections_before = now - i64::from(config.rejection_retention_days) * DAY_MS;
    let max_unattributed = config.rejection_log.max_per_endpoint as usize;
    match store.prune(payloads_before, rejections_before, max_unattributed).await {
        Ok(p) if p.payloads + p.rejections > 0 => {
            tracing::info!(payloads = p.payloads, rejections = p.rejections, "retention pass purged old data")
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "retention pass failed; will retry"),
    }
    match store.purge_expired_pull_events(now).await {
        Ok(n) if n > 0 => tracing::info!(events = n, "retention pass deleted pull events past their endpoint's retention"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "purging old pull events failed; will retry"),
    }
    let exports = super::exports::delete_expired(store, now).await;
    if exports > 0 {
        tracing::info!(exports, "deleted the content of expired exports");
    }
}

/// Starts the periodic janitor (first pass right away, then every `--janitor-interval-secs`);
/// a pass runs only while this process leads the job.
pub fn start(store: Arc<dyn Store>, config: Arc<Config>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(config.janitor_interval);
        loop {
            ticker.tick().await;
            match store.try_lead(JOB).await {
                Ok(true) => run_once(store.as_ref(), &config).await,
                Ok(false) => tracing::debug!("another server process runs the retention pass"),
                Err(e) => tracing::error!(error = %e, "cannot tell whether this process runs the retention pass; will retry"),
            }
        }
    })
}
