//! Records finished attempts in batches: delivery tasks hand their outcome to one recorder task,
//! which stores whatever is ready in one [`crate::store::DeliveryQueue::record_attempts`] call.
//!
//! When the recorder is idle an outcome is recorded at once (one sender sees no added latency);
//! while a store call runs, the outcomes finished meanwhile wait and go in the next call together
//! (at most [`MAX_BATCH`]). On a store shared by several processes (PostgreSQL) a call also
//! waits up to [`SHARED_GATHER`] for the other deliveries of this process still in flight, so
//! that their outcomes share its statement and transaction: with several nodes each node has
//! fewer deliveries in flight, and without the wait its calls carried two or three outcomes
//! each, a transaction apiece. The wait comes after the delivery reached its receiver, so it
//! adds nothing to send→delivery latency; it only holds the finished attempts' leases and
//! worker permits that much longer. Each outcome carries its delivery's worker permit, released
//! only once the outcome is stored, so a graceful shutdown (which waits for every permit) still
//! records every attempt that finished.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::Shared;
use crate::store::{AttemptRecord, NextState};

/// Most outcomes stored in one call.
pub const MAX_BATCH: usize = 256;
/// Longest a call to a shared store waits for the outcomes of deliveries still in flight.
pub const SHARED_GATHER: Duration = Duration::from_millis(2);

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
        if shared.shared_store {
            let in_flight = shared.in_flight.lock().map(|s| s.len()).unwrap_or(0);
            gather(&mut outcomes, &mut batch, in_flight.min(MAX_BATCH), SHARED_GATHER).await;
        }
        record(&shared, std::mem::take(&mut batch)).await;
        batch.reserve(MAX_BATCH);
    }
}

/// Adds what comes on `rx` to `batch` until it holds `wanted` items, for at most `within`.
async fn gather<T>(rx: &mut UnboundedReceiver<T>, batch: &mut Vec<T>, wanted: usize, within: Duration) {
    let deadline = tokio::time::sleep(within);
    tokio::pin!(deadline);
    while batch.len() < wanted {
        tokio::select! {
            _ = &mut deadline => return,
            n = rx.recv_many(batch, wanted - batch.len()) => if n == 0 { return },
        }
    }
}

/// Stores one batch, then frees the message ids and worker permits of its deliveries.
async fn record(shared: &Shared, batch: Vec<Finished>) {
    let mut records = Vec::with_capacity(batch.len());
    let mut permits = Vec::with_capacity(batch.len());
    let mut ids = Vec::with_capacity(batch.len());
    // A retry is new due work the claim loop has not seen. On a store of one process a final
    // outcome frees only a permit, which wakes the loop by itself when it waits for one; on a
    // shared store it also ends a lease that counted against its endpoint's cap, which matters
    // only when the loop's last scan saw waiting messages (a full cap may have held them back).
    // Waking the loop after every record call cost a scan that found nothing per call: with
    // three nodes, two statements for every four or five deliveries.
    let ends_a_held_lease = shared.shared_store && shared.scan_saw_waiting.load(std::sync::atomic::Ordering::SeqCst);
    let wake = ends_a_held_lease || batch.iter().any(|f| matches!(f.record.next, NextState::Retry { .. }));
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc::unbounded_channel;

    use super::gather;

    #[tokio::test]
    async fn a_batch_waits_for_the_outcomes_in_flight_and_no_longer_than_its_time() {
        let (tx, mut rx) = unbounded_channel();
        let mut batch = vec![0];
        let late = tx.clone();
        tokio::spawn(async move {
            for n in 1..4 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                late.send(n).unwrap();
            }
        });
        let started = tokio::time::Instant::now();
        gather(&mut rx, &mut batch, 4, Duration::from_secs(10)).await;
        assert_eq!(batch, vec![0, 1, 2, 3], "the three outcomes still in flight joined the batch");
        assert!(started.elapsed() < Duration::from_secs(5), "it stopped waiting once all four were in");

        let mut batch = vec![4];
        let started = tokio::time::Instant::now();
        gather(&mut rx, &mut batch, 3, Duration::from_millis(50)).await;
        assert_eq!(batch, vec![4], "nothing more came");
        assert!(started.elapsed() >= Duration::from_millis(50), "it waited its time, and no longer");
        drop(tx);
    }
}
