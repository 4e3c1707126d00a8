//! The delivery engine: claims due messages from the store, POSTs them with signing headers,
//! classifies the answer, and records the attempt together with the message's next state.
//!
//! Guarantees: at-least-once. A message is leased while its attempt runs; the attempt and the
//! new state are committed in one transaction (outcomes that finish together share one store
//! call, see `recorder.rs`); a lease left behind by a crash makes the
//! message due again (on SQLite at start-up, since one process owns the file; on PostgreSQL
//! once the lease expires, taken back by any node), and so does a graceful shutdown that stops
//! waiting for a receiver: either way the cut-short attempt is recorded as `interrupted` and
//! counts ([`crate::domain::interruption`]). Deliveries held
//! back by an endpoint's rate limit go back to the queue without counting as an attempt.
//! Paused endpoints are never claimed. Workers are shared fairly ([`fairness`]): no project
//! holds more than `--project-concurrency` attempts and no endpoint more than
//! `--endpoint-concurrency`, and free workers go to the least busy project first and to its
//! endpoints in turn, so slow receivers cannot delay other projects' deliveries. A send that
//! finds a free slot claims its endpoint's next delivery in its own write and starts it without
//! a scan ([`claim_on_send`]); the claim loop handles everything else.

pub mod attempt;
pub mod attempt_detail;
pub mod claim_on_send;
pub mod fairness;
pub mod pacing;
pub mod rate_limit;
mod recorder;
pub mod schedule;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::clock::now_millis;
use crate::config::Config;
use crate::store::{AttemptRecord, ClaimedDelivery, DueWork, NextState, Store};
use crate::telemetry::{DeliveryOutcome, Telemetry};
use attempt::Sender;
use fairness::Fairness;
use pacing::Pacing;
use rate_limit::RateLimiter;
use schedule::{AttemptResult, RetryPolicy};

/// Most messages claimed per round trip to the store.
const CLAIM_BATCH: usize = 512;
/// Longest idle sleep between checks for due work.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// First pause after a failed store call.
const STORE_BACKOFF_FIRST: Duration = Duration::from_millis(200);
/// Longest pause between store calls while the store keeps failing.
const STORE_BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Pause before a scan that ran out of budget without finding work continues.
const SCAN_PAUSE: Duration = Duration::from_millis(10);

/// Wakes the engine when new work is stored (sends, replays, resumes, retry-now), and starts
/// deliveries claimed with a send ([`claim_on_send`]).
#[derive(Clone, Default)]
pub struct DeliveryHandle {
    notify: Arc<Notify>,
    /// The running engine (none in a handle made without one).
    engine: Weak<Shared>,
}

impl DeliveryHandle {
    /// Asks the engine to look for due work now.
    pub fn wake(&self) {
        self.notify.notify_one();
    }
}

struct Shared {
    store: Arc<dyn Store>,
    telemetry: Arc<Telemetry>,
    sender: Sender,
    limiter: RateLimiter,
    policy: RetryPolicy,
    lease_ms: i64,
    permits: Arc<Semaphore>,
    concurrency: usize,
    in_flight: Mutex<HashSet<String>>,
    /// Attempts in flight per project and endpoint, and whose turn it is.
    fairness: Mutex<Fairness>,
    stopping: AtomicBool,
    /// Wakes the claim loop.
    notify: Arc<Notify>,
    /// The store is shared with other processes, which count this one's live leases against
    /// the endpoints' caps: a recorded outcome may free a slot that due work waits for.
    shared_store: bool,
    /// The claim loop's last scan saw waiting messages (due or not, claimable or held back by a
    /// cap). Only then can an outcome recorded on a shared store (a lease ended) let the loop
    /// claim more, so only then does the recorder wake it ([`recorder`]).
    scan_saw_waiting: AtomicBool,
    /// Finished attempts on their way to the recorder ([`recorder`]).
    outcomes: recorder::Outcomes,
    /// Where claimed deliveries' queue delays go, to pace intake.
    pacing: Arc<Pacing>,
    /// Set once the worker slots are open (the last run's leases are taken back).
    opened: tokio::sync::watch::Sender<bool>,
}

/// The running engine.
pub struct DeliveryEngine {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl DeliveryEngine {
    /// Starts the claim loop.
    pub fn start(store: Arc<dyn Store>, config: Arc<Config>, telemetry: Arc<Telemetry>) -> Self {
        let concurrency = config.delivery_concurrency;
        let store_wake = store.wake_source();
        let shared_store = store_wake.is_some();
        let (outcomes, finished) = recorder::channel();
        let pacing = Pacing::new(config.queue_delay_target_ms, telemetry.clone());
        let shared = Arc::new(Shared {
            store,
            telemetry,
            sender: Sender::new(config.delivery_timeout, crate::url_policy::UrlPolicy::from_config(&config)),
            limiter: RateLimiter::default(),
            policy: RetryPolicy { max_attempts: config.max_attempts, time_scale: config.retry_time_scale },
            lease_ms: i64::try_from(config.delivery_lease.as_millis()).unwrap_or(i64::MAX),
            // No worker slot until the leases of an earlier run are taken back ([`run`]).
            permits: Arc::new(Semaphore::new(0)),
            concurrency,
            in_flight: Mutex::new(HashSet::new()),
            fairness: Mutex::new(Fairness::new(config.project_concurrency, config.endpoint_concurrency)),
            stopping: AtomicBool::new(false),
            // A store shared with other processes also wakes the engine when they store work.
            notify: store_wake.unwrap_or_default(),
            shared_store,
            scan_saw_waiting: AtomicBool::new(false),
            outcomes,
            pacing,
            opened: tokio::sync::watch::Sender::new(false),
        });
        tokio::spawn(recorder::run(shared.clone(), finished));
        let task = tokio::spawn(run(shared.clone()));
        DeliveryEngine { shared, task }
    }

    /// Waits, at most `within`, until the engine has taken back the leases of the last run
    /// and opened its worker slots; whether it has. The server answers requests only after
    /// this, so that its first sends can be claimed on send.
    pub async fn opened(&self, within: Duration) -> bool {
        let mut opened = self.shared.opened.subscribe();
        matches!(tokio::time::timeout(within, opened.wait_for(|open| *open)).await, Ok(Ok(_)))
    }

    /// A handle that wakes the engine.
    pub fn handle(&self) -> DeliveryHandle {
        DeliveryHandle { notify: self.shared.notify.clone(), engine: Arc::downgrade(&self.shared) }
    }

    /// The intake pacing this engine's claims drive.
    pub fn pacing(&self) -> Arc<Pacing> {
        self.shared.pacing.clone()
    }

    /// Stops claiming, waits up to `drain` for in-flight attempts, then releases the rest for redelivery.
    pub async fn shutdown(self, drain: Duration) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.wake();
        let _ = self.task.await;
        let all = u32::try_from(self.shared.concurrency).unwrap_or(u32::MAX);
        if tokio::time::timeout(drain, self.shared.permits.acquire_many(all)).await.is_err() {
            abandon_unfinished(&self.shared).await;
        }
    }
}

/// At shutdown, once the drain time is over: the attempts still in flight are recorded as
/// interrupted (their requests were sent) and their messages are due again.
async fn abandon_unfinished(shared: &Shared) {
    let unfinished: Vec<String> = shared.in_flight.lock().map(|s| s.iter().cloned().collect()).unwrap_or_default();
    tracing::warn!(count = unfinished.len(), "recording unfinished deliveries as interrupted, for redelivery");
    match shared.store.abandon(unfinished, now_millis(), shared.policy.max_attempts).await {
        Ok(n) => shared.telemetry.record_interrupted(n),
        Err(e) => tracing::error!(error = %e, "could not release unfinished deliveries; their leases will expire"),
    }
}

/// Takes back leases that outlived their attempt (a worker that died or stalled), recording
/// each as an interrupted attempt.
async fn reclaim_expired(shared: &Shared) -> Result<(), crate::store::StoreError> {
    let n = shared.store.reclaim_expired_leases(now_millis(), shared.policy.max_attempts).await?;
    if n > 0 {
        tracing::warn!(count = n, "redelivering messages whose lease expired; their attempts are recorded as interrupted");
        shared.telemetry.record_interrupted(n);
    }
    Ok(())
}

/// The claim loop. It first takes back the leases an earlier run of this process left, and only
/// then opens the worker slots: a send claimed on its own write before that (the slots are what
/// [`DeliveryHandle::reserve`] takes) would hold a lease of this node that the take-back would
/// count as left over, and its message would be delivered twice.
async fn run(shared: Arc<Shared>) {
    match shared.store.release_orphaned_leases(now_millis(), shared.policy.max_attempts).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(
                count = n,
                "redelivering messages left in flight by a previous run; their attempts are recorded as interrupted"
            );
            shared.telemetry.record_interrupted(n);
        }
        Err(e) => tracing::error!(error = %e, "could not recover leases left by a previous run"),
    }
    shared.permits.add_permits(shared.concurrency);
    shared.opened.send_replace(true);
    let mut failures = 0u32;
    while !shared.stopping.load(Ordering::SeqCst) {
        // Wait for at least one free worker slot before claiming.
        let Ok(first) = shared.permits.clone().acquire_owned().await else { break };
        let room = (shared.permits.available_permits() + 1).min(CLAIM_BATCH);
        let now = now_millis();
        let scan = shared.fairness().scan(now, room);
        // A lease that ends while the scan runs may free what the scan finds held back: such a
        // record wakes the loop (a wake-up that waits for the loop's next sleep).
        shared.scan_saw_waiting.store(true, Ordering::SeqCst);
        let work = match shared.store.due_work(scan).await {
            Ok(work) => work,
            Err(e) => {
                drop(first);
                store_failed(&shared, &mut failures, "looking for due messages", &e).await;
                continue;
            }
        };
        shared.scan_saw_waiting.store(!work.projects.is_empty(), Ordering::SeqCst);
        if work.expired_leases
            && let Err(e) = reclaim_expired(&shared).await
        {
            drop(first);
            store_failed(&shared, &mut failures, "taking back expired leases", &e).await;
            continue;
        }
        let allocations = shared.fairness().allocate(&work, room);
        let claimed = if allocations.is_empty() {
            Vec::new()
        } else {
            match shared.store.claim(now, shared.lease_ms, allocations).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    drop(first);
                    store_failed(&shared, &mut failures, "claiming due messages", &e).await;
                    continue;
                }
            }
        };
        failures = 0;
        shared.pacing.observe(claimed.iter().map(|d| now.saturating_sub(d.due_at)));
        if claimed.is_empty() {
            drop(first);
            // Due work that could not be claimed (another process took it, or a shared cap is
            // full): look again shortly rather than at once.
            let wait = if work.heads.is_empty() { next_check(&work) } else { SCAN_PAUSE };
            idle_wait(&shared, wait).await;
            continue;
        }
        let mut held_back = Vec::new();
        let mut no_slot = Vec::new();
        let mut earliest_wait = Duration::MAX;
        let mut first = Some(first);
        for delivery in claimed {
            if let Err(wait) = shared.take_token(&delivery) {
                earliest_wait = earliest_wait.min(wait);
                held_back.push(delivery.message_id);
                continue;
            }
            if !shared.fairness().start(&delivery.project_id, &delivery.endpoint_id) {
                // Claims respect free slots, so this is only a safety net.
                no_slot.push(delivery.message_id);
                continue;
            }
            let permit = match first.take() {
                Some(p) => p,
                None => match shared.permits.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            launch(&shared, delivery, permit);
        }
        if !held_back.is_empty()
            && let Err(e) = shared.store.release(held_back, due_after(earliest_wait)).await
        {
            tracing::error!(error = %e, "could not release rate-limited deliveries; their leases will expire");
        }
        if !no_slot.is_empty()
            && let Err(e) = shared.store.release(no_slot, now_millis()).await
        {
            tracing::error!(error = %e, "could not release deliveries of busy endpoints; their leases will expire");
        }
    }
}

impl Shared {
    /// The fairness state (a poisoned lock still holds consistent counts).
    fn fairness(&self) -> std::sync::MutexGuard<'_, Fairness> {
        self.fairness.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a token of the rate limit of `delivery`'s endpoint; `Err(wait)`, counted as a
    /// delivery held back, when there is none yet.
    fn take_token(&self, delivery: &ClaimedDelivery) -> Result<(), Duration> {
        let taken = self.limiter.try_acquire(&delivery.endpoint_id, delivery.rate_limit_rps, delivery.burst);
        if taken.is_err() {
            Telemetry::inc(&self.telemetry.rate_limited);
        }
        taken
    }

    /// Asks the claim loop to look for due work now.
    fn wake(&self) {
        self.notify.notify_one();
    }

    /// Gives back an attempt's project and endpoint slots, and wakes the claim loop when its
    /// last scan left work out that the freed slot can take.
    fn finish(&self, project_id: &str, endpoint_id: &str) {
        if self.fairness().finish(project_id, endpoint_id) {
            self.wake();
        }
    }
}

/// When deliveries held back for `wait` are due again (Unix ms, at least 1 ms from now).
fn due_after(wait: Duration) -> i64 {
    now_millis() + wait.as_millis().max(1) as i64
}

/// Starts a claimed delivery that holds its project and endpoint slots and `permit`.
fn launch(shared: &Arc<Shared>, delivery: ClaimedDelivery, permit: OwnedSemaphorePermit) {
    if let Ok(mut set) = shared.in_flight.lock() {
        set.insert(delivery.message_id.clone());
    }
    let shared = shared.clone();
    tokio::spawn(async move { deliver_one(&shared, delivery, permit).await });
}

/// Backs off after a failed store call (the database may be down): 200 ms doubling up to
/// [`STORE_BACKOFF_MAX`], logging the first failure of a run and then every tenth. A wake-up
/// ends the pause early (shutdown, or a store that reconnected and announces work).
async fn store_failed(shared: &Shared, failures: &mut u32, what: &str, error: &crate::store::StoreError) {
    if failures.is_multiple_of(10) {
        tracing::error!(error = %error, failures = *failures + 1, "{what} failed; retrying with backoff");
    }
    let wait = STORE_BACKOFF_FIRST.saturating_mul(1 << (*failures).min(5)).min(STORE_BACKOFF_MAX);
    *failures = failures.saturating_add(1);
    idle_wait(shared, wait).await;
}

/// How long to wait after a scan that found nothing to claim: until the next due time (at
/// most [`IDLE_POLL`]), or briefly when the scan ran out of budget.
fn next_check(work: &DueWork) -> Duration {
    if work.stopped_at.is_some() {
        SCAN_PAUSE
    } else {
        match work.next_due_at {
            Some(at) => Duration::from_millis((at.saturating_sub(now_millis())).clamp(0, IDLE_POLL.as_millis() as i64) as u64),
            None => IDLE_POLL,
        }
    }
}

/// Sleeps for `wait` or until woken.
async fn idle_wait(shared: &Shared, wait: Duration) {
    if wait.is_zero() {
        tokio::task::yield_now().await;
        return;
    }
    tokio::select! {
        _ = shared.notify.notified() => {}
        _ = tokio::time::sleep(wait) => {}
    }
}

/// Runs one attempt and hands its outcome, with the worker permit, to the recorder.
async fn deliver_one(shared: &Shared, delivery: ClaimedDelivery, permit: OwnedSemaphorePermit) {
    let outcome = shared.sender.deliver(&delivery).await;
    // The slot bounds concurrent requests to the receiver; recording needs none.
    shared.finish(&delivery.project_id, &delivery.endpoint_id);
    let now = now_millis();
    let next =
        shared.policy.next_state(outcome.result, delivery.fast_retry_count, delivery.slow_retry_count, outcome.retry_after, now);
    let status = match outcome.result {
        AttemptResult::Status(s) => Some(s),
        AttemptResult::NoAnswer => None,
    };
    shared.telemetry.record_attempt(
        match &next {
            NextState::Succeeded => DeliveryOutcome::Delivered,
            NextState::Retry { .. } => DeliveryOutcome::Retrying,
            NextState::FailedPermanent => DeliveryOutcome::Failed,
        },
        status,
        outcome.latency,
    );
    let record = AttemptRecord {
        message_id: delivery.message_id,
        project_id: delivery.project_id,
        direction: delivery.direction,
        attempt_no: delivery.attempt_no,
        response_status: status.map(i64::from),
        latency_ms: outcome.latency.as_millis() as i64,
        error: outcome.error,
        next,
        retry_after_ms: outcome.retry_after.map(|d| d.as_millis() as i64),
        finished_at: now,
        detail: outcome.detail,
    };
    // The recorder stores it with whatever else finished meanwhile, then frees the permit.
    if let Err(unsent) = shared.outcomes.send(recorder::Finished { record, permit }) {
        // Only when the recorder is gone (the runtime is stopping): the lease makes it due again.
        tracing::error!(message_id = %unsent.0.record.message_id, "could not record an attempt; the message will be redelivered");
    }
}
