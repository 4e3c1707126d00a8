//! Intake pacing: intake slows down to the pace of delivery before a backlog builds up.
//!
//! The delivery engine reports, for every delivery it claims, how long the message had been
//! due (its queue delay). Every [`INTERVAL`] the smallest of those delays is compared with the
//! target (`--queue-delay-target-ms`, default [`DEFAULT_TARGET_MS`]). The smallest, not the
//! mean: when even the message that waited least waited longer than the target, a standing
//! queue has formed (CoDel's test), while a burst that is worked off within an interval, or one
//! slow endpoint next to healthy ones, leaves the minimum low.
//!
//! Intake (sends and ingested webhooks) passes a gate that bounds how many intake requests are
//! storing at once. The bound starts unlimited. An interval with a standing queue cuts it to
//! three quarters of what was in use, but not below 4 (multiplicative decrease); an
//! interval without one raises it by an eighth (additive increase) until it is unlimited again,
//! and a second without intake or claims opens it at once. With fewer requests storing
//! at a time, intake takes less of the CPU and of the store's writer, and delivery gets the
//! rest: the accepted rate settles at the delivered rate and the queue delay near the target.
//! A request waits for a place at the gate for at most [`MAX_WAIT`]; then it is refused with
//! 503 `QUEUE_FULL` and `Retry-After`, and nothing is stored. The high-water mark
//! (`--queue-high-water`) stays the hard bound on the backlog behind this.
//!
//! Each node paces its own intake from the deliveries it claims itself; on PostgreSQL every
//! node claims from the same queue, so each sees the same delays.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::telemetry::Telemetry;

/// Default `--queue-delay-target-ms`.
pub const DEFAULT_TARGET_MS: u64 = 100;
/// How often the gate's bound is adjusted.
pub const INTERVAL: Duration = Duration::from_millis(100);
/// Longest an intake request waits at the gate before it is refused.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// A bound this high is lifted (the gate is open).
const OPEN_ABOVE: usize = 4096;
/// The lowest bound: intake never stops entirely (a stuck delivery engine is the high-water
/// mark's case), and a burst of requests never waits behind a single one.
const MIN_LIMIT: usize = 4;
/// An interval this long without intake or claims opens the gate: the node is idle.
const IDLE_RESET: Duration = Duration::from_secs(1);
/// The gate's bound when open.
const OPEN: usize = usize::MAX;

/// The queue delay measure and the intake gate of one node.
pub struct Pacing {
    target_ms: i64,
    /// Intake requests allowed to store at once ([`OPEN`]: any number).
    limit: AtomicUsize,
    /// Intake requests storing now.
    in_use: AtomicUsize,
    /// The most in use at once in the current interval.
    peak: AtomicUsize,
    /// Intake requests admitted in the current interval.
    admitted: AtomicU64,
    /// Wakes requests waiting at the gate when a place may be free.
    freed: Notify,
    interval: Mutex<Interval>,
    telemetry: Arc<Telemetry>,
}

/// What the current interval has seen.
struct Interval {
    started: Instant,
    /// Smallest queue delay of a claimed delivery (ms), if any was claimed.
    min_delay_ms: Option<i64>,
}

/// How the gate's bound moves at the end of an interval.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// A standing queue: cut the bound.
    Decrease,
    /// No standing queue: raise it.
    Increase,
    /// Intake arrived but nothing was claimed: no evidence either way.
    Hold,
    /// Nothing happened for [`IDLE_RESET`]: open the gate.
    Reset,
}

impl Pacing {
    /// Pacing towards a queue delay of `target_ms` (0: the gate never closes).
    pub fn new(target_ms: u64, telemetry: Arc<Telemetry>) -> Arc<Pacing> {
        Arc::new(Pacing {
            target_ms: i64::try_from(target_ms).unwrap_or(i64::MAX),
            limit: AtomicUsize::new(OPEN),
            in_use: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            freed: Notify::new(),
            admitted: AtomicU64::new(0),
            interval: Mutex::new(Interval { started: Instant::now(), min_delay_ms: None }),
            telemetry,
        })
    }

    /// Whether pacing is on.
    pub fn enabled(&self) -> bool {
        self.target_ms > 0
    }

    /// The gate's current bound (`None`: open).
    pub fn limit(&self) -> Option<usize> {
        Some(self.limit.load(Ordering::Relaxed)).filter(|l| *l != OPEN)
    }

    /// Reports the queue delays (ms since each message became due) of deliveries just claimed.
    pub fn observe(&self, delays_ms: impl IntoIterator<Item = i64>) {
        if !self.enabled() {
            return;
        }
        let smallest = delays_ms.into_iter().min();
        let now = Instant::now();
        self.adjust(now);
        if let (Some(d), Ok(mut interval)) = (smallest, self.interval.lock()) {
            interval.min_delay_ms = Some(interval.min_delay_ms.map_or(d, |m| m.min(d)));
        }
    }

    /// Waits for a place at the gate (at most [`MAX_WAIT`]); `Err` when none came in time.
    /// The place is held until the returned [`Admission`] is dropped.
    pub async fn admit(self: &Arc<Self>) -> Result<Admission, Refused> {
        if !self.enabled() {
            return Ok(Admission { pacing: None });
        }
        let started = Instant::now();
        let deadline = started + MAX_WAIT;
        let mut waited = false;
        loop {
            self.adjust(Instant::now());
            if let Some(admission) = self.try_take() {
                return Ok(admission);
            }
            if !waited {
                waited = true;
                Telemetry::inc(&self.telemetry.intake_paced);
            }
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            // A place freed between the check and the registration is not missed.
            if let Some(admission) = self.try_take() {
                return Ok(admission);
            }
            // Wake at the next adjustment at the latest: the bound may have been raised.
            let wake = (Instant::now() + INTERVAL).min(deadline);
            if tokio::time::timeout_at(tokio::time::Instant::from_std(wake), freed).await.is_err() && Instant::now() >= deadline {
                Telemetry::inc(&self.telemetry.intake_pacing_refusals);
                return Err(Refused { waited: started.elapsed() });
            }
        }
    }

    /// Takes a place if the bound allows, counting the admission in the interval.
    fn try_take(self: &Arc<Self>) -> Option<Admission> {
        let limit = self.limit.load(Ordering::Acquire);
        let before = self.in_use.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < limit).then_some(n + 1)).ok()?;
        self.peak.fetch_max(before + 1, Ordering::Relaxed);
        self.admitted.fetch_add(1, Ordering::Relaxed);
        Some(Admission { pacing: Some(self.clone()) })
    }

    /// Gives a place back.
    fn release(&self) {
        self.in_use.fetch_sub(1, Ordering::AcqRel);
        self.freed.notify_one();
    }

    /// Ends the interval if it is over: moves the bound by what it saw.
    fn adjust(&self, now: Instant) {
        let Ok(mut interval) = self.interval.try_lock() else { return };
        if now.duration_since(interval.started) < INTERVAL {
            return;
        }
        let admitted = self.admitted.swap(0, Ordering::Relaxed);
        let idle = interval.min_delay_ms.is_none() && admitted == 0;
        let verdict = if idle && now.duration_since(interval.started) >= IDLE_RESET {
            Verdict::Reset
        } else {
            verdict(interval.min_delay_ms, admitted, self.target_ms)
        };
        *interval = Interval { started: now, min_delay_ms: None };
        drop(interval);
        let peak = self.peak.swap(self.in_use.load(Ordering::Relaxed), Ordering::Relaxed);
        let limit = self.limit.load(Ordering::Relaxed);
        let next = next_limit(limit, peak, &verdict);
        if next != limit {
            self.limit.store(next, Ordering::Release);
            let shown = if next == OPEN { 0 } else { u64::try_from(next).unwrap_or(u64::MAX) };
            self.telemetry.intake_pacing_limit.store(shown, Ordering::Relaxed);
            if next > limit {
                self.freed.notify_waiters();
            }
            tracing::debug!(?verdict, limit = ?Some(next).filter(|l| *l != OPEN), "intake pacing");
        }
    }
}

/// What an interval's smallest queue delay says about the queue.
fn verdict(min_delay_ms: Option<i64>, admitted: u64, target_ms: i64) -> Verdict {
    match min_delay_ms {
        Some(d) if d > target_ms => Verdict::Decrease,
        Some(_) => Verdict::Increase,
        None if admitted == 0 => Verdict::Increase,
        None => Verdict::Hold,
    }
}

/// The gate's next bound, from the current one, the most places used in the interval, and
/// its verdict.
fn next_limit(limit: usize, peak: usize, verdict: &Verdict) -> usize {
    match verdict {
        Verdict::Decrease => (limit.min(peak).saturating_mul(3) / 4).max(MIN_LIMIT),
        Verdict::Increase if limit == OPEN => OPEN,
        Verdict::Increase => {
            let raised = limit.saturating_add((limit / 8).max(1));
            if raised > OPEN_ABOVE { OPEN } else { raised }
        }
        Verdict::Hold => limit,
        Verdict::Reset => OPEN,
    }
}

/// A place at the gate; given back when dropped.
pub struct Admission {
    pacing: Option<Arc<Pacing>>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Some(pacing) = self.pacing.take() {
            pacing.release();
        }
    }
}

/// No place at the gate within [`MAX_WAIT`].
#[derive(Debug)]
pub struct Refused {
    /// How long the request waited.
    pub waited: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_standing_queue_closes_the_gate() {
        assert_eq!(verdict(Some(150), 10, 100), Verdict::Decrease);
        assert_eq!(verdict(Some(100), 10, 100), Verdict::Increase, "at the target is fine");
        assert_eq!(verdict(None, 0, 100), Verdict::Increase, "idle");
        assert_eq!(verdict(None, 5, 100), Verdict::Hold, "intake but no claims: no evidence");
    }

    #[test]
    fn the_bound_falls_by_a_quarter_of_what_was_used_and_climbs_back_to_open() {
        assert_eq!(next_limit(OPEN, 128, &Verdict::Decrease), 96);
        assert_eq!(next_limit(96, 20, &Verdict::Decrease), 15, "cut from what was really in use");
        assert_eq!(next_limit(5, 5, &Verdict::Decrease), MIN_LIMIT, "never below the floor");
        assert_eq!(next_limit(40, 0, &Verdict::Reset), OPEN);
        assert_eq!(next_limit(8, 8, &Verdict::Increase), 9);
        assert_eq!(next_limit(80, 80, &Verdict::Increase), 90);
        assert_eq!(next_limit(OPEN_ABOVE, 10, &Verdict::Increase), OPEN);
        assert_eq!(next_limit(OPEN, 10, &Verdict::Increase), OPEN);
        assert_eq!(next_limit(12, 3, &Verdict::Hold), 12);
    }

    #[tokio::test]
    async fn a_closed_gate_holds_requests_until_a_place_is_given_back() {
        let pacing = Pacing::new(100, Default::default());
        pacing.limit.store(1, Ordering::Release);
        let first = pacing.admit().await.expect("a place is free");
        assert_eq!(pacing.telemetry.intake_paced.load(Ordering::Relaxed), 0);
        let waiting = tokio::spawn({
            let pacing = pacing.clone();
            async move { pacing.admit().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!waiting.is_finished(), "the second request waits while the only place is taken");
        drop(first);
        tokio::time::timeout(Duration::from_secs(2), waiting).await.expect("admitted once the place is back").unwrap().unwrap();
        assert_eq!(pacing.in_use.load(Ordering::Acquire), 0, "every place is given back");
        assert_eq!(pacing.telemetry.intake_paced.load(Ordering::Relaxed), 1, "the wait is counted");
    }

    #[tokio::test]
    async fn a_standing_queue_closes_the_gate_and_an_empty_one_opens_it() {
        let pacing = Pacing::new(100, Default::default());
        for _ in 0..4 {
            drop(pacing.admit().await.unwrap());
        }
        let held: Vec<Admission> = hold(&pacing, 8).await;
        pacing.observe([400, 250]);
        pacing.interval.lock().unwrap().started -= INTERVAL;
        pacing.observe([300]);
        assert_eq!(pacing.limit(), Some(6), "three quarters of the 8 places in use");
        drop(held);
        for _ in 0..100 {
            pacing.interval.lock().unwrap().started -= INTERVAL;
            pacing.observe([5]);
        }
        assert_eq!(pacing.limit(), None, "open again after intervals without a standing queue");
    }

    #[tokio::test]
    async fn off_never_waits() {
        let pacing = Pacing::new(0, Default::default());
        pacing.observe([10_000]);
        let _all: Vec<Admission> = hold(&pacing, 100).await;
        assert_eq!(pacing.limit(), None);
    }

    async fn hold(pacing: &Arc<Pacing>, n: usize) -> Vec<Admission> {
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            held.push(pacing.admit().await.unwrap());
        }
        held
    }
}
