//! Claim on send: a send stored while a worker and its endpoint's slot are free claims the
//! endpoint's next due delivery in the same write, and the delivery starts at once.
//!
//! Without it a lone send costs a scan for due work and a claim after its own write, each a
//! hand-off to another thread (see `bench/PROFILE.md`, "One sender"). With it a send to an idle
//! endpoint costs its write and its delivery. The claim takes the endpoint's oldest due message,
//! which is the send itself unless older messages of the endpoint are waiting; so the order in
//! which an endpoint's messages are sent, the fairness caps, pause and the lease are the same as
//! for a claim by the engine. When the send is its endpoint's next delivery, the store writes
//! it already claimed, so its row is written once (the SQLite store, and the PostgreSQL send
//! batch, which counts the caps over every node). A send that finds no
//! free slot, or an endpoint whose rate limit is holding deliveries back, is stored as before
//! and the engine is woken to claim it.

use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;

use super::{DeliveryHandle, Shared, due_after, launch};
use crate::clock::now_millis;
use crate::store::{ClaimedDelivery, SendLease};
use crate::telemetry::Telemetry;

/// A worker permit and a project and endpoint slot, held for a send about to be stored. Dropped
/// unused, it gives them back.
pub struct SendSlot {
    shared: Arc<Shared>,
    /// The engine's cap of attempts in flight per endpoint.
    endpoint_limit: usize,
    permit: Option<OwnedSemaphorePermit>,
    project_id: String,
    endpoint_id: String,
}

impl DeliveryHandle {
    /// A slot for a send to `endpoint_id` of `project_id`, when a worker and the project's and
    /// endpoint's slots are free now, the engine runs, and the endpoint's rate limit is not
    /// holding deliveries back.
    pub fn reserve(&self, project_id: &str, endpoint_id: &str) -> Option<SendSlot> {
        let shared = self.engine.upgrade()?;
        if shared.stopping.load(std::sync::atomic::Ordering::SeqCst) || shared.limiter.holds_back(endpoint_id) {
            return None;
        }
        let permit = shared.permits.clone().try_acquire_owned().ok()?;
        let endpoint_limit = {
            let mut fairness = shared.fairness();
            if !fairness.start(project_id, endpoint_id) {
                return None;
            }
            fairness.endpoint_limit()
        };
        let (project_id, endpoint_id) = (project_id.to_owned(), endpoint_id.to_owned());
        Some(SendSlot { shared, endpoint_limit, permit: Some(permit), project_id, endpoint_id })
    }
}

impl SendSlot {
    /// The lease a send stored with this slot is claimed under.
    pub fn lease(&self) -> SendLease {
        SendLease { lease_ms: self.shared.lease_ms, endpoint_limit: self.endpoint_limit }
    }

    /// Starts `delivery`, claimed with the send in the slot's project and endpoint. A delivery
    /// its endpoint's rate limit holds back goes back to the queue, as the engine does with it.
    pub fn start(mut self, delivery: ClaimedDelivery) {
        let shared = self.shared.clone();
        Telemetry::inc(&shared.telemetry.claimed_on_send);
        debug_assert_eq!((&delivery.project_id, &delivery.endpoint_id), (&self.project_id, &self.endpoint_id));
        if let Err(wait) = shared.take_token(&delivery) {
            let due = due_after(wait);
            // The slot is given back (and the engine woken) once the release is stored.
            tokio::spawn(async move {
                if let Err(e) = shared.store.release(vec![delivery.message_id], due).await {
                    tracing::error!(error = %e, "could not release a rate-limited delivery; its lease will expire");
                }
                drop(self);
                shared.wake();
            });
            return;
        }
        shared.pacing.observe(std::iter::once(now_millis().saturating_sub(delivery.due_at)));
        let Some(permit) = self.permit.take() else { return };
        // The delivery gives back the slots when it finishes.
        launch(&shared, delivery, permit);
    }
}

impl Drop for SendSlot {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            self.shared.finish(&self.project_id, &self.endpoint_id);
            drop(permit);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::config::{Args, Config};
    use crate::delivery::DeliveryEngine;
    use crate::store::Store;
    use crate::store::sqlite::{SqliteStore, Synchronous};
    use crate::telemetry::Telemetry;

    #[tokio::test(flavor = "multi_thread")]
    async fn no_send_is_claimed_before_the_last_runs_leases_are_taken_back() {
        let dir = tempfile::tempdir().expect("a temporary data dir");
        let args = Args { data_dir: Some(dir.path().to_owned()), ..Default::default() };
        let config = Arc::new(Config::resolve(args).expect("a configuration"));
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&config.data_dir, Synchronous::Normal, &config.secrets).expect("a store"));
        // Another connection holds the database's write lock, so the engine's take-back of the
        // last run's leases (a write) waits for it.
        let other = rusqlite::Connection::open(dir.path().join("hookbridge.db")).expect("a second connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("the write lock");
        let engine = DeliveryEngine::start(store, config, Arc::new(Telemetry::default()));
        let handle = engine.handle();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            handle.reserve("project", "endpoint").is_none(),
            "a send must not be claimed while the leases of the last run are not taken back yet"
        );
        other.execute_batch("COMMIT").expect("the write lock released");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while handle.reserve("project", "endpoint").is_none() {
            assert!(tokio::time::Instant::now() < deadline, "sends are claimed again once the take-back is done");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        engine.shutdown(Duration::from_secs(1)).await;
    }
}
