//! The scan for due work behind [`crate::store::DeliveryQueue::due_work`], shared by every
//! store: projects with waiting work in turn from the scan's start project, and in each project
//! its endpoints in turn after the one served last, until every project was looked at or the
//! budget is spent. A store answers the probes (`DueProbe`) with one index seek each, so the
//! cost grows with the number of projects and endpoints looked at, never with backlogs.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::store::{DueHead, DueScan, DueWork, StoreError};

/// What the store says about one endpoint with waiting work, beyond the engine's own slots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct EndpointRoom {
    /// The endpoint is paused: none of its work is due.
    pub paused: bool,
    /// Attempts the endpoint may still start in total, when the store counts them (several
    /// processes share the caps); `None`: only the engine's own slots count.
    pub free: Option<usize>,
    /// When the endpoint's shared rate limit allows its next delivery, if not now.
    pub ready_at: Option<i64>,
}

/// The store's side of a scan: one question per step.
pub(crate) trait DueProbe {
    /// The first project with waiting messages after (or, `inclusive`, at) `after`; `None`
    /// meaning from the very first.
    async fn next_project(&mut self, after: Option<&str>, inclusive: bool) -> Result<Option<String>, StoreError>;

    /// The project's first endpoint with waiting messages after `after`, with its earliest due time.
    async fn next_endpoint(&mut self, project_id: &str, after: Option<&str>) -> Result<Option<(String, i64)>, StoreError>;

    /// Whether the endpoint is paused, and what the store's shared caps leave it at `now_ms`.
    async fn endpoint_room(&mut self, endpoint_id: &str, now_ms: i64) -> Result<EndpointRoom, StoreError>;

    /// Messages of the endpoint due at `now_ms`, counted up to `most`.
    async fn count_due(&mut self, project_id: &str, endpoint_id: &str, now_ms: i64, most: usize) -> Result<usize, StoreError>;

    /// The earliest lease of a message being delivered, if any.
    async fn earliest_lease(&mut self) -> Result<Option<i64>, StoreError>;
}

/// Runs one scan as `scan` allows.
pub(crate) async fn scan<P: DueProbe>(probe: &mut P, scan: &DueScan) -> Result<DueWork, StoreError> {
    let mut work = DueWork::default();
    let mut probes = 0usize;
    let mut projects = Rotation::new(scan.start_project.clone(), true);
    'projects: while let Some(project) = projects.next(probe, None).await? {
        probes += 1;
        if probes > scan.budget {
            work.stopped_at = Some((project, None));
            break;
        }
        work.projects.push(project.clone());
        let allowed = scan.free_for_project(&project).min(scan.room);
        if allowed == 0 {
            continue;
        }
        let mut taken = 0usize;
        let mut endpoints = Rotation::new(scan.endpoint_cursors.get(&project).cloned(), false);
        while let Some(endpoint) = endpoints.next(probe, Some(&project)).await? {
            probes += 1;
            if probes > scan.budget {
                work.stopped_at = Some((project, Some(endpoint)));
                break 'projects;
            }
            let earliest = endpoints.value;
            let free = scan.free_for_endpoint(&endpoint);
            if free == 0 {
                continue;
            }
            let room = probe.endpoint_room(&endpoint, scan.now_ms).await?;
            if room.paused {
                continue;
            }
            let due_at = room.ready_at.map_or(earliest, |ready| ready.max(earliest));
            if due_at > scan.now_ms {
                work.next_due_at = Some(work.next_due_at.map_or(due_at, |at| at.min(due_at)));
                continue;
            }
            // A full shared cap frees up when a lease ends: this process wakes on its own finished
            // attempts, and sees other processes' within its next poll.
            let free = room.free.map_or(free, |shared| shared.min(free));
            if free == 0 {
                continue;
            }
            let due = probe.count_due(&project, &endpoint, scan.now_ms, free.min(allowed - taken)).await?;
            if due > 0 {
                taken += due;
                work.heads.push(DueHead { project_id: project.clone(), endpoint_id: endpoint, due });
            }
            if taken >= allowed {
                break;
            }
        }
    }
    if let Some(lease) = probe.earliest_lease().await? {
        work.expired_leases = lease <= scan.now_ms;
        work.next_due_at = Some(work.next_due_at.map_or(lease, |at| at.min(lease)));
    }
    Ok(work)
}

/// Completes a future that never waits (a store answering from a blocking connection);
/// one that would wait is reported as an error instead of blocking.
pub(crate) fn complete_now<T>(future: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Io("a blocking store probe tried to wait".into())),
    }
}

/// Walks keys in order from a start key to the end, then from the beginning up to the start
/// key: one turn of a round-robin. Keys are projects, or a project's endpoints.
struct Rotation {
    start: Option<String>,
    /// Whether the start key itself comes first (else it comes last).
    start_first: bool,
    last: Option<String>,
    wrapped: bool,
    done: bool,
    /// The value that came with the last key (an endpoint's earliest due time).
    value: i64,
}

impl Rotation {
    fn new(start: Option<String>, start_first: bool) -> Self {
        Rotation { start, start_first, last: None, wrapped: false, done: false, value: 0 }
    }

    /// The next project (`project` is `None`) or endpoint of `project`.
    async fn next<P: DueProbe>(&mut self, probe: &mut P, project: Option<&str>) -> Result<Option<String>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let mut found = match &self.last {
            Some(last) => fetch(probe, project, Some(last.as_str()), false).await?,
            None => fetch(probe, project, self.start.as_deref(), self.start_first).await?,
        };
        if found.is_none() && !self.wrapped && self.start.is_some() {
            self.wrapped = true;
            found = fetch(probe, project, None, false).await?;
        }
        if self.wrapped
            && let (Some((key, _)), Some(start)) = (&found, &self.start)
            && (key > start || (self.start_first && key == start))
        {
            found = None;
        }
        match found {
            Some((key, value)) => {
                self.last = Some(key.clone());
                self.value = value;
                Ok(Some(key))
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }
}

/// The first key after (or at) `after`: a project, or an endpoint of `project` with its earliest due time.
async fn fetch<P: DueProbe>(
    probe: &mut P,
    project: Option<&str>,
    after: Option<&str>,
    inclusive: bool,
) -> Result<Option<(String, i64)>, StoreError> {
    match project {
        None => Ok(probe.next_project(after, inclusive).await?.map(|p| (p, 0))),
        Some(project) => probe.next_endpoint(project, after).await,
    }
}
