//! Intake backpressure, in two steps. First, intake pacing ([`crate::delivery::pacing`]): while
//! delivery is behind, fewer sends and ingested webhooks store at once, so intake slows to the
//! pace of delivery; a request that waits too long is refused. Second, the hard bound: the
//! queue high-water mark (`--queue-high-water`). When a project has
//! that many messages waiting for delivery ([`crate::store::backlog`] says which count), its new
//! sends and ingested webhooks are refused with 503 `QUEUE_FULL` and `Retry-After`, and nothing
//! is stored, until delivery has worked the backlog down. The mark is per project, so a tenant
//! that outruns its receivers slows down only its own intake.
//!
//! The check runs on every send without a database query. Each node keeps, per project, the
//! backlog from its last count plus the messages it admitted since that count started, and
//! counts again from the store in the background when a send finds the count older than
//! [`MIN_REFRESH`]. Deliveries are only seen by a count, so a send that finds its project at the
//! mark first waits for a fresh count (shared by every send waiting at that moment; at most
//! `MAX_REFUSAL_WAIT` in all) and is refused only if that count still shows the project at
//! the mark: a drained queue is noticed at once. Counts are spaced at least `COST_FACTOR`
//! times the last count's duration apart (at most [`MAX_REFRESH`]), so counting takes at most
//! about 5% of one core.
//!
//! Tolerance: admissions since the count are added at once, and deliveries since the count are
//! not subtracted. A message admitted before a count started but still being stored when it
//! started may be missing from that count, so it stays in the estimate on top of the count
//! (each admission holds an [`Unstored`] until its store call returns). One node alone therefore
//! never lets a project pass the mark. On PostgreSQL with several nodes, each node sees the
//! others' sends only through its counts: a project may pass the mark by what the other nodes
//! admit between two counts (their intake rate × the refresh period). Retries whose time comes
//! are likewise noticed at the next count. If the backlog cannot be counted (the database is
//! down), the mark is not enforced until it can be.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::clock::now_millis;
use crate::delivery::pacing::{Admission, Pacing, Refused};
use crate::error::ApiError;
use crate::store::{Direction, Store};
use crate::telemetry::Telemetry;

/// `Retry-After` of a refusal, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;
/// Shortest time between two background counts of the backlog (while sends are admitted).
pub const MIN_REFRESH: Duration = Duration::from_millis(250);
/// Shortest time between two counts made before refusing.
const MIN_RECOUNT: Duration = Duration::from_millis(10);
/// Longest a send waits for a count (for the counts' spacing, then the count itself) before
/// it is refused on the estimate alone (a refused client waits [`RETRY_AFTER_SECS`] anyway).
const MAX_REFUSAL_WAIT: Duration = Duration::from_secs(RETRY_AFTER_SECS);
/// Longest time between two counts while sends arrive.
pub const MAX_REFRESH: Duration = Duration::from_secs(5);
/// The time between counts is at least this many times the last count's duration.
const COST_FACTOR: u32 = 20;

/// The high-water mark and the backlog estimate of every project with waiting messages.
pub struct Backpressure {
    high_water: u64,
    store: Arc<dyn Store>,
    telemetry: Arc<Telemetry>,
    ledger: Mutex<Ledger>,
    /// Held while the backlog is counted: one count at a time.
    counting: tokio::sync::Mutex<()>,
    /// The intake pacing gate.
    pacing: Arc<Pacing>,
}

impl Backpressure {
    /// A mark of `high_water` waiting messages per project (0: never refuse).
    /// With `pacing`, the gate intake passes after the mark.
    pub fn new(high_water: u64, pacing: Arc<Pacing>, store: Arc<dyn Store>, telemetry: Arc<Telemetry>) -> Arc<Backpressure> {
        Arc::new(Backpressure {
            high_water,
            store,
            telemetry,
            ledger: Mutex::new(Ledger::default()),
            counting: tokio::sync::Mutex::const_new(()),
            pacing,
        })
    }

    /// Admits one message of `project_id`, or refuses it with 503 `QUEUE_FULL` when the
    /// project's backlog is at the mark or no place at the pacing gate came in time. The
    /// returned place at the gate must be held until the message is stored.
    pub async fn admit(self: &Arc<Self>, project_id: &str, direction: Direction) -> Result<Intake, ApiError> {
        let unstored = self.admit_below_mark(project_id, direction).await?;
        let pacing = self.pace(direction).await?;
        Ok(Intake { _unstored: unstored, _pacing: pacing })
    }

    /// Waits for a place at the pacing gate, or refuses with 503 `QUEUE_FULL`. Hold the place
    /// until the message is stored.
    pub async fn pace(&self, direction: Direction) -> Result<Admission, ApiError> {
        self.pacing.admit().await.map_err(|refused| self.paced_out(refused, direction))
    }

    /// The 503 answer to a request that found no place at the pacing gate.
    fn paced_out(&self, refused: Refused, direction: Direction) -> ApiError {
        let what = what_is_refused(direction);
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "QUEUE_FULL",
            format!(
                "delivery is behind intake on this server and {what} waited {} ms for its turn to be stored; \
                 it was not stored, retry after {RETRY_AFTER_SECS} s",
                refused.waited.as_millis()
            ),
        )
        .with_details(json!({ "paced": true }))
        .with_retry_after(RETRY_AFTER_SECS)
    }

    /// Counts one message of `project_id` as waiting, or refuses it when the project's backlog
    /// is at the mark. Hold the returned [`Unstored`] until the message is stored.
    pub async fn admit_below_mark(self: &Arc<Self>, project_id: &str, direction: Direction) -> Result<Unstored, ApiError> {
        if self.high_water == 0 {
            return Ok(Unstored { held: None });
        }
        let waiting = match self.try_admit(project_id, Instant::now()) {
            Ok(unstored) => return Ok(unstored),
            // The next count is too far away: the estimate decides.
            Err(Full { waiting, recount_in }) if recount_in > MAX_REFUSAL_WAIT / 2 => waiting,
            Err(Full { recount_in, .. }) => {
                // Deliveries since the last count are not known here: count again (as soon as
                // the counts' spacing allows) before refusing, unless the count takes too long.
                let recount = async {
                    tokio::time::sleep(recount_in).await;
                    self.count_if_due(Need::BeforeRefusal).await;
                };
                let _ = tokio::time::timeout(MAX_REFUSAL_WAIT, recount).await;
                match self.try_admit(project_id, Instant::now()) {
                    Ok(unstored) => return Ok(unstored),
                    Err(full) => full.waiting,
                }
            }
        };
        Err(self.refusal(waiting, direction))
    }

    /// Admits when there is room; asks for a count in the background when the last one is old.
    fn try_admit(self: &Arc<Self>, project_id: &str, now: Instant) -> Result<Unstored, Full> {
        let (result, start_count) = match self.ledger.lock() {
            Ok(mut ledger) => ledger.admit(project_id, self.high_water, now),
            Err(_) => return Ok(Unstored { held: None }),
        };
        if start_count {
            let this = self.clone();
            tokio::spawn(async move {
                this.count_if_due(Need::Background).await;
                if let Ok(mut ledger) = this.ledger.lock() {
                    ledger.count_scheduled = false;
                }
            });
        }
        result.map(|()| Unstored { held: Some((self.clone(), project_id.into())) })
    }

    /// Counts the backlog unless a count started too recently for `need` (waits for one
    /// already running, and then usually finds it recent enough).
    async fn count_if_due(&self, need: Need) {
        let _one = self.counting.lock().await;
        let started = Instant::now();
        match self.ledger.lock() {
            Ok(mut ledger) if ledger.is_due(started, need) => ledger.count_started(),
            _ => return,
        }
        let result = self.store.backlog_by_project(now_millis()).await;
        let Ok(mut ledger) = self.ledger.lock() else { return };
        match result {
            Ok(backlog) => ledger.count_finished(backlog, started, started.elapsed()),
            Err(error) => {
                tracing::warn!(%error, "cannot count the queue backlog; the queue high-water mark is not enforced until it can");
                ledger.count_failed();
            }
        }
    }

    /// The 503 answer, counted in `/metrics`.
    fn refusal(&self, waiting: u64, direction: Direction) -> ApiError {
        let mark = self.high_water;
        let what = what_is_refused(direction);
        Telemetry::inc(match direction {
            Direction::Outbound => &self.telemetry.sends_refused_queue_full,
            Direction::Inbound => &self.telemetry.ingest_refused_queue_full,
        });
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "QUEUE_FULL",
            format!(
                "the project has {waiting} messages waiting for delivery, at or over the queue high-water mark of {mark}; \
                 {what} was not stored, retry after {RETRY_AFTER_SECS} s"
            ),
        )
        .with_details(json!({ "waiting": waiting, "high_water": mark }))
        .with_retry_after(RETRY_AFTER_SECS)
    }
}

/// What a send holds between admission and its store call's return: its place under the mark
/// and its place at the pacing gate.
pub struct Intake {
    _unstored: Unstored,
    _pacing: Admission,
}

/// A message admitted under the mark whose store call has not returned: a count that starts
/// meanwhile may miss it, so that count's result is not trusted for it. Dropped once the store
/// call returned (stored or not).
pub struct Unstored {
    held: Option<(Arc<Backpressure>, Box<str>)>,
}

impl Drop for Unstored {
    fn drop(&mut self) {
        if let Some((backpressure, project_id)) = self.held.take()
            && let Ok(mut ledger) = backpressure.ledger.lock()
        {
            ledger.stored(&project_id);
        }
    }
}

/// How a refusal's message names what was not stored.
fn what_is_refused(direction: Direction) -> &'static str {
    match direction {
        Direction::Outbound => "the send",
        Direction::Inbound => "the webhook",
    }
}

/// A refusal: the project's estimated backlog, and how soon a count may check it.
#[derive(Debug, PartialEq, Eq)]
struct Full {
    waiting: u64,
    recount_in: Duration,
}

/// What a count is for: each allows a different age of the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Keeping the estimates current while sends are admitted ([`MIN_REFRESH`]).
    Background,
    /// Checking a refusal against deliveries made since the last count ([`MIN_RECOUNT`]).
    BeforeRefusal,
}

/// Per project backlog estimates and the state of the counts.
#[derive(Default)]
struct Ledger {
    projects: HashMap<String, Estimate>,
    /// When the last finished count started (`None`: none yet).
    counted_at: Option<Instant>,
    /// Least time between counts, from the last count's cost.
    spacing: Duration,
    /// The last count failed: admit everything until one succeeds.
    failed: bool,
    /// A background count was asked for and has not finished.
    count_scheduled: bool,
}

/// One project's backlog estimate: `counted + missed`.
#[derive(Clone, Copy, Debug, Default)]
struct Estimate {
    /// Waiting messages at the last finished count.
    counted: u64,
    /// Admitted messages the last finished count may have missed: those still being stored when
    /// it started, and every one admitted since it started.
    missed: u64,
    /// The same for the running count (becomes `missed` when it finishes).
    missed_by_running: u64,
    /// Admitted messages whose store call has not returned.
    unstored: u64,
}

impl Estimate {
    fn waiting(&self) -> u64 {
        self.counted.saturating_add(self.missed)
    }

    /// One more message admitted: no count has seen it yet.
    fn admitted(&mut self) {
        self.missed = self.missed.saturating_add(1);
        self.missed_by_running = self.missed_by_running.saturating_add(1);
        self.unstored = self.unstored.saturating_add(1);
    }

    /// Whether the estimate still says anything.
    fn matters(&self) -> bool {
        self.counted > 0 || self.missed > 0 || self.missed_by_running > 0 || self.unstored > 0
    }
}

impl Ledger {
    /// Whether a count for `need` that starts `now` is due.
    fn is_due(&self, now: Instant, need: Need) -> bool {
        self.until_due(now, need).is_zero()
    }

    /// How long after `now` a count for `need` is due (zero: now).
    fn until_due(&self, now: Instant, need: Need) -> Duration {
        let least = match need {
            Need::Background => MIN_REFRESH,
            Need::BeforeRefusal => MIN_RECOUNT,
        };
        let Some(at) = self.counted_at else { return Duration::ZERO };
        self.spacing.max(least).saturating_sub(now.saturating_duration_since(at))
    }

    /// Admits one message of `project_id` unless the project is at `high_water`; also says
    /// whether to start a background count.
    fn admit(&mut self, project_id: &str, high_water: u64, now: Instant) -> (Result<(), Full>, bool) {
        let start_count = self.is_due(now, Need::Background) && !self.count_scheduled;
        if start_count {
            self.count_scheduled = true;
        }
        let waiting = self.projects.get(project_id).map_or(0, Estimate::waiting);
        if waiting >= high_water && !self.failed {
            return (Err(Full { waiting, recount_in: self.until_due(now, Need::BeforeRefusal) }), start_count);
        }
        match self.projects.get_mut(project_id) {
            Some(estimate) => estimate.admitted(),
            None => {
                let mut estimate = Estimate::default();
                estimate.admitted();
                self.projects.insert(project_id.to_owned(), estimate);
            }
        }
        (Ok(()), start_count)
    }

    /// The store call of one admitted message of `project_id` returned.
    fn stored(&mut self, project_id: &str) {
        if let Some(estimate) = self.projects.get_mut(project_id) {
            estimate.unstored = estimate.unstored.saturating_sub(1);
        }
    }

    /// A count starts: it sees every message stored so far, and may miss those still being
    /// stored and those admitted from now on.
    fn count_started(&mut self) {
        for estimate in self.projects.values_mut() {
            estimate.missed_by_running = estimate.unstored;
        }
    }

    /// A count that started at `started` and took `took` returned `backlog`.
    fn count_finished(&mut self, backlog: HashMap<String, u64>, started: Instant, took: Duration) {
        for estimate in self.projects.values_mut() {
            estimate.counted = 0;
            estimate.missed = estimate.missed_by_running;
        }
        for (project_id, counted) in backlog {
            self.projects.entry(project_id).or_default().counted = counted;
        }
        self.projects.retain(|_, e| e.matters());
        self.counted_at = Some(started);
        self.spacing = took.saturating_mul(COST_FACTOR).min(MAX_REFRESH);
        self.failed = false;
    }

    /// A count failed: every admission since the last finished count stays missed (as it is),
    /// and refusals stop.
    fn count_failed(&mut self) {
        self.counted_at = Some(Instant::now());
        self.failed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admit(ledger: &mut Ledger, project: &str, mark: u64) -> Result<(), Full> {
        ledger.admit(project, mark, Instant::now()).0
    }

    #[test]
    fn admissions_count_until_the_mark_and_a_count_replaces_them() {
        let mut ledger = Ledger::default();
        assert!(ledger.is_due(Instant::now(), Need::Background), "no count yet");
        let (first, start_count) = ledger.admit("p", 3, Instant::now());
        assert!(first.is_ok() && start_count, "the first send asks for a count");
        assert!(!ledger.admit("p", 3, Instant::now()).1, "one background count at a time");
        assert!(admit(&mut ledger, "p", 3).is_ok());
        assert_eq!(admit(&mut ledger, "p", 3), Err(Full { waiting: 3, recount_in: Duration::ZERO }));
        assert!(admit(&mut ledger, "q", 3).is_ok(), "another project has its own backlog");

        // Every send is stored (and two of "p" delivered); a count says the store holds 1 of "p".
        for project in ["p", "p", "p", "q"] {
            ledger.stored(project);
        }
        ledger.count_started();
        ledger.count_finished(HashMap::from([("p".to_owned(), 1)]), Instant::now(), Duration::from_millis(1));
        assert_eq!(ledger.projects["p"].waiting(), 1);
        assert!(!ledger.projects.contains_key("q"), "a project the count did not find is dropped");
        assert!(!ledger.is_due(Instant::now(), Need::Background) && !ledger.is_due(Instant::now(), Need::BeforeRefusal));
        assert!(admit(&mut ledger, "p", 3).is_ok());
        assert!(admit(&mut ledger, "p", 3).is_ok());
        let full = admit(&mut ledger, "p", 3).unwrap_err();
        assert!(full.waiting == 3 && !full.recount_in.is_zero(), "counted just now: {full:?}");
        let later = Instant::now() + Duration::from_millis(30); // 20 × the 1 ms count
        assert!(ledger.is_due(later, Need::BeforeRefusal) && !ledger.is_due(later, Need::Background));
    }

    #[test]
    fn sends_admitted_while_a_count_runs_stay_counted() {
        let mut ledger = Ledger::default();
        ledger.count_started();
        assert!(admit(&mut ledger, "p", 10).is_ok());
        ledger.stored("p");
        ledger.count_finished(HashMap::from([("p".to_owned(), 4)]), Instant::now(), Duration::ZERO);
        assert_eq!(ledger.projects["p"].waiting(), 5, "the count may not have seen the send admitted meanwhile");
    }

    #[test]
    fn a_send_still_being_stored_when_a_count_starts_outlives_that_count() {
        let mut ledger = Ledger::default();
        assert!(admit(&mut ledger, "p", 2).is_ok());
        assert!(admit(&mut ledger, "p", 2).is_ok());
        ledger.stored("p");
        // The first send is stored; the second is still being stored as the count reads the
        // table, which finds only the first.
        ledger.count_started();
        ledger.count_finished(HashMap::from([("p".to_owned(), 1)]), Instant::now(), Duration::ZERO);
        assert_eq!(ledger.projects["p"].waiting(), 2, "the unstored send stays in the estimate");
        assert!(admit(&mut ledger, "p", 2).is_err(), "the mark holds");
        // Once it is stored, the next count sees it.
        ledger.stored("p");
        ledger.count_started();
        ledger.count_finished(HashMap::from([("p".to_owned(), 2)]), Instant::now(), Duration::ZERO);
        assert_eq!(ledger.projects["p"].waiting(), 2, "counted once, not twice");
        ledger.count_started();
        ledger.count_finished(HashMap::new(), Instant::now(), Duration::ZERO);
        assert!(!ledger.projects.contains_key("p"), "delivered and stored: nothing left to remember");
    }

    #[test]
    fn a_failed_count_stops_refusals_until_one_succeeds() {
        let mut ledger = Ledger::default();
        for _ in 0..2 {
            assert!(admit(&mut ledger, "p", 2).is_ok());
        }
        assert!(admit(&mut ledger, "p", 2).is_err());
        ledger.count_started();
        ledger.count_failed();
        assert!(admit(&mut ledger, "p", 2).is_ok(), "unknown backlog: not enforced");
        assert_eq!(ledger.projects["p"].waiting(), 3, "admissions are kept");
        ledger.count_finished(HashMap::from([("p".to_owned(), 2)]), Instant::now(), Duration::ZERO);
        assert!(admit(&mut ledger, "p", 2).is_err());
    }

    #[test]
    fn an_expensive_count_runs_less_often() {
        let mut ledger = Ledger::default();
        let at = Instant::now();
        ledger.count_finished(HashMap::new(), at, Duration::from_millis(1));
        assert!(ledger.is_due(at + Duration::from_millis(20), Need::BeforeRefusal));
        ledger.count_finished(HashMap::new(), at, Duration::from_millis(100));
        assert!(!ledger.is_due(at + Duration::from_millis(1_999), Need::BeforeRefusal), "20 × the count's duration");
        assert!(ledger.is_due(at + Duration::from_secs(2), Need::Background));
        ledger.count_finished(HashMap::new(), at, Duration::from_secs(1));
        assert!(!ledger.is_due(at + Duration::from_millis(4_999), Need::Background), "at most MAX_REFRESH apart");
        assert!(ledger.is_due(at + MAX_REFRESH, Need::BeforeRefusal));
    }
}
