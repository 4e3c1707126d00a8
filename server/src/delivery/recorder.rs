//! Records finished attempts in batches: delivery tasks hand their outcome to one recorder task,
//! which stores whatever is ready in one [`crate::store::DeliveryQueue::record_attempts`] call.
//!
//! There is no timer: when the recorder is idle an outcome is recorded at once (one sender sees
//! no added latency); while a store call runs, the outcomes finished meanwhile wait and go in the
//! next call together (at most [`MAX_BATCH`]). Each outcome carries its delivery's worker permit,
//! released only once the outcome is stored, so a graceful shutdown (which waits for every
//! permit) still records every attempt that finished.

use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::Shared;
use crate::store::{AttemptRecord, NextState};

/// Most outcomes stored in one call.
pub const MAX_BATCH: usize = 256;

/// A finished attempt waiting to be recorded, with the worker permit it still holds.
pub(super) struct Finished {
    /// What to store.
    pub record: AttemptRecord,
    /// The delivery's worker permit, released once the outcome is stored.
    pub permit: OwnedSemaphorePermit,
}

/// Where delivery tasks hand in their outcomes.
pub(super) type Outcomes = UnboundedSender<Finished>;

/// A channel for outcomes. It needs no bound: each entry holds a worker permit, so at most
/// `--delivery-concurrency` outcomes can wait.
pub(super) fn channel() -> (Outcomes, UnboundedReceiver<Finished>) {
    unbounded_channel()
}

/// Records outcomes until every sender is gone.
pub(super) async fn run(shared: Arc<Shared>, mut outcomes: UnboundedReceiver<Finished>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while outcomes.recv_many(&mut batch, MAX_BATCH).await > 0 {
        record(&shared, std::mem::take(&mut batch)).await;
        batch.reserve(MAX_BATCH);
    }
}

/// Stores one batch, then frees the message ids and worker permits of its deliveries.
async fn record(shared: &Shared, batch: Vec<Finished>) {
    let mut records = Vec::with_capacity(batch.len());
    let mut permits = Vec::with_capacity(batch.len());
    let mut ids = Vec::with_capacity(batch.len());
    // A retry is new due work the claim loop has not seen. On a store of one process a final
    // outcome frees only a permit, which wakes the loop by itself when it waits for one; on a
    // shared store it also ends a lease that counted against its endpoint's cap.
    let wake = shared.shared_store || batch.iter().any(|f| matches!(f.record.next, NextState::Retry { .. }));
    for finished in batch {
        ids.push(finished.record.message_id.clone());
        records.push(finished.record);
        permits.push(finished.permit);
    }
    if let Err(e) = shared.store.record_attempts(records).await {
        tracing::error!(error = %e, count = ids.len(), message_ids = ?ids, "could not record attempts; the messages will be redelivered");
    }
    if let Ok(mut set) = shared.in_flight.lock() {
        for id in &ids {
            set.remove(id);
        }
    }
    drop(permits);
    if wake {
        shared.wake();
    }
}
