//! PostgreSQL's answers to the scan for due work ([`crate::store::due_scan`]) in a few round
//! trips: the probe reads the waiting endpoints in key order a window at a time (one statement:
//! a walk over the `messages_waiting` index, one seek per endpoint, with each endpoint's due
//! count and the caps all nodes share, [`super::caps`]), and answers the scan's questions from
//! the windows it holds. With up to [`WINDOW`] endpoints waiting, a whole scan is one round trip
//! (the window from the start and the earliest lease, pipelined). The engine is offered only work
//! it can claim, and sleeps until the next token of a rate-limited endpoint instead of retrying.

use std::cmp::Ordering;

use deadpool_postgres::GenericClient;

use super::caps::{EndpointCaps, caps_columns, caps_joins};
use super::{PgStore, col, pg_err};
use crate::store::due_scan::{self, DueProbe, EndpointRoom};
use crate::store::{DueScan, DueWork, StoreError};

/// The statuses of waiting messages: exactly the `messages_waiting` index's condition.
pub(super) const WAITING: &str = "status IN ('queued', 'pending_retry')";
/// Endpoints read per window.
const WINDOW: i64 = 64;

impl PgStore {
    /// Runs one scan for due work.
    pub(super) async fn scan_due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        let client = self.delivery_client().await?;
        let mut probe = Probe {
            client: &client,
            now_ms: scan.now_ms,
            endpoint_limit: scan.endpoint_limit,
            windows: Vec::new(),
            project: String::new(),
            earliest_lease: None,
        };
        // The scan's first question and its last (the earliest lease), in one round trip.
        let first = Bound::project_start(scan.start_project.as_deref().unwrap_or(""));
        let (window, lease) = tokio::join!(probe.fetch(first), earliest_lease(probe.client));
        probe.windows.push(window?);
        probe.earliest_lease = lease?;
        due_scan::scan(&mut probe, &scan).await
    }
}

/// The earliest lease of a message being delivered, if any.
async fn earliest_lease<C: GenericClient>(client: &C) -> Result<Option<i64>, StoreError> {
    let stmt =
        client.prepare_cached("SELECT MIN(lease_until) FROM messages WHERE status = 'delivering'").await.map_err(pg_err)?;
    let row = client.query_one(&stmt, &[]).await.map_err(pg_err)?;
    col::<Option<i64>>(&row, 0)
}

/// Where a window starts, or what a question asks for: the first waiting endpoint after a
/// point in the (project, endpoint) key order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Bound {
    project: String,
    /// `None`: after every endpoint of `project`.
    endpoint: Option<String>,
    /// With an endpoint: the endpoint itself counts.
    inclusive: bool,
}

impl Bound {
    /// From the project's first endpoint (`""`: from the very first project).
    fn project_start(project: &str) -> Self {
        Bound { project: project.to_owned(), endpoint: Some(String::new()), inclusive: true }
    }

    /// After every endpoint of the project.
    fn after_project(project: &str) -> Self {
        Bound { project: project.to_owned(), endpoint: None, inclusive: false }
    }

    /// After the project's endpoint.
    fn after_endpoint(project: &str, endpoint: &str) -> Self {
        Bound { project: project.to_owned(), endpoint: Some(endpoint.to_owned()), inclusive: false }
    }

    /// Whether the endpoint's key lies at or after the bound.
    fn admits(&self, e: &Waiting) -> bool {
        match (&self.endpoint, e.project_id.cmp(&self.project)) {
            (_, Ordering::Less) => false,
            (_, Ordering::Greater) => true,
            (None, Ordering::Equal) => false,
            (Some(endpoint), Ordering::Equal) => match e.endpoint_id.cmp(endpoint) {
                Ordering::Less => false,
                Ordering::Equal => self.inclusive,
                Ordering::Greater => true,
            },
        }
    }

    /// Whether everything this bound admits, `other` admits too (`other` starts no later).
    fn within(&self, other: &Bound) -> bool {
        // A bound's position in the key order: (project, 0, endpoint, 0) just before the
        // endpoint, (project, 0, endpoint, 1) just after it, (project, 1, "", 0) after the project.
        fn position(b: &Bound) -> (&str, u8, &str, u8) {
            match &b.endpoint {
                Some(endpoint) => (&b.project, 0, endpoint, u8::from(!b.inclusive)),
                None => (&b.project, 1, "", 0),
            }
        }
        position(other) <= position(self)
    }

    /// SQL condition on `project_id, endpoint_id` for keys the bound admits, on `$1`, `$2`.
    fn condition(&self) -> &'static str {
        match (&self.endpoint, self.inclusive) {
            (None, _) => "project_id > $1 AND $2::TEXT IS NOT NULL",
            (Some(_), true) => "(project_id, endpoint_id) >= ($1, $2)",
            (Some(_), false) => "(project_id, endpoint_id) > ($1, $2)",
        }
    }
}

/// One endpoint with waiting messages, as a window read it.
#[derive(Clone, Debug)]
struct Waiting {
    project_id: String,
    endpoint_id: String,
    /// Its earliest due time.
    earliest: i64,
    /// Its messages due at the scan's time, counted up to the endpoint limit.
    due: usize,
    /// The caps all nodes share.
    caps: EndpointCaps,
}

/// Waiting endpoints in key order from `from`: every one there is up to the last, or to the
/// end of the keys when `complete`.
struct Window {
    from: Bound,
    endpoints: Vec<Waiting>,
    complete: bool,
}

struct Probe<'a, C> {
    client: &'a C,
    now_ms: i64,
    /// The per-endpoint cap over all nodes.
    endpoint_limit: usize,
    windows: Vec<Window>,
    /// The project of the last endpoint asked for (the scan looks at its endpoints in turn).
    project: String,
    /// Read with the first window.
    earliest_lease: Option<i64>,
}

impl<C: GenericClient> Probe<'_, C> {
    /// Reads the window starting at `from`.
    async fn fetch(&self, from: Bound) -> Result<Window, StoreError> {
        // The walk seeks the next (project, endpoint) in the index from the previous one: one
        // index seek per waiting endpoint, whatever the backlogs.
        let next = |condition: &str| {
            format!(
                "SELECT project_id, endpoint_id, next_attempt_at FROM messages \
                 WHERE {WAITING} AND {condition} AND next_attempt_at IS NOT NULL \
                 ORDER BY project_id, endpoint_id, next_attempt_at LIMIT 1"
            )
        };
        let sql = format!(
            "WITH RECURSIVE walk (project_id, endpoint_id, earliest, n) AS ( \
               (SELECT project_id, endpoint_id, next_attempt_at, 1::BIGINT FROM ({first}) f) \
               UNION ALL \
               SELECT s.project_id, s.endpoint_id, s.next_attempt_at, w.n + 1 FROM walk w \
               CROSS JOIN LATERAL ({step}) s WHERE w.n < $3::BIGINT) \
             SELECT w.project_id, w.endpoint_id, w.earliest, \
                    (SELECT COUNT(*) FROM (SELECT 1 FROM messages d WHERE d.{WAITING} AND d.project_id = w.project_id \
                       AND d.endpoint_id = w.endpoint_id AND d.next_attempt_at <= $4 LIMIT $5) due), \
                    {caps} \
             FROM walk w {joins} ORDER BY w.project_id, w.endpoint_id",
            first = next(from.condition()),
            step = next("(project_id, endpoint_id) > (w.project_id, w.endpoint_id)"),
            caps = caps_columns("w.endpoint_id", "$4"),
            joins = caps_joins("w.endpoint_id"),
        );
        let stmt = self.client.prepare_cached(&sql).await.map_err(pg_err)?;
        let endpoint = from.endpoint.as_deref().unwrap_or("");
        let limit = i64::try_from(self.endpoint_limit.max(1)).unwrap_or(i64::MAX);
        let rows = self.client.query(&stmt, &[&from.project, &endpoint, &WINDOW, &self.now_ms, &limit]).await.map_err(pg_err)?;
        let mut endpoints = Vec::with_capacity(rows.len());
        for row in &rows {
            let due: i64 = col(row, 3)?;
            endpoints.push(Waiting {
                project_id: col(row, 0)?,
                endpoint_id: col(row, 1)?,
                earliest: col(row, 2)?,
                due: usize::try_from(due).unwrap_or(0),
                caps: EndpointCaps::decode(row, 4, self.now_ms)?,
            });
        }
        let complete = (endpoints.len() as i64) < WINDOW;
        Ok(Window { from, endpoints, complete })
    }

    /// The first waiting endpoint `bound` admits, reading a new window when the windows held
    /// do not tell.
    async fn first(&mut self, bound: Bound) -> Result<Option<&Waiting>, StoreError> {
        let known = self.windows.iter().enumerate().find_map(|(i, w)| {
            if !bound.within(&w.from) {
                return None;
            }
            match w.endpoints.iter().position(|e| bound.admits(e)) {
                Some(at) => Some(Some((i, at))),
                None if w.complete => Some(None),
                None => None,
            }
        });
        let (i, at) = match known {
            Some(Some(found)) => found,
            Some(None) => return Ok(None),
            None => {
                let window = self.fetch(bound.clone()).await?;
                let at = window.endpoints.iter().position(|e| bound.admits(e));
                self.windows.push(window);
                match at {
                    Some(at) => (self.windows.len() - 1, at),
                    None => return Ok(None),
                }
            }
        };
        Ok(self.windows.get(i).and_then(|w| w.endpoints.get(at)))
    }

    /// What a window read about the endpoint (reading one from it if none did).
    async fn endpoint(&mut self, project_id: &str, endpoint_id: &str) -> Result<Option<&Waiting>, StoreError> {
        let bound = Bound { project: project_id.to_owned(), endpoint: Some(endpoint_id.to_owned()), inclusive: true };
        let found = self.first(bound).await?;
        Ok(found.filter(|e| e.project_id == project_id && e.endpoint_id == endpoint_id))
    }
}

impl<C: GenericClient> DueProbe for Probe<'_, C> {
    async fn next_project(&mut self, after: Option<&str>, inclusive: bool) -> Result<Option<String>, StoreError> {
        let bound = match (after, inclusive) {
            (None, _) => Bound::project_start(""),
            (Some(project), true) => Bound::project_start(project),
            (Some(project), false) => Bound::after_project(project),
        };
        Ok(self.first(bound).await?.map(|e| e.project_id.clone()))
    }

    async fn next_endpoint(&mut self, project_id: &str, after: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
        let bound = match after {
            None => Bound::project_start(project_id),
            Some(endpoint) => Bound::after_endpoint(project_id, endpoint),
        };
        if self.project != project_id {
            self.project = project_id.to_owned();
        }
        let found = self.first(bound).await?;
        Ok(found.filter(|e| e.project_id == project_id).map(|e| (e.endpoint_id.clone(), e.earliest)))
    }

    async fn endpoint_room(&mut self, endpoint_id: &str, now_ms: i64) -> Result<EndpointRoom, StoreError> {
        let limit = self.endpoint_limit;
        let project = std::mem::take(&mut self.project);
        let found = self.endpoint(&project, endpoint_id).await.map(|e| e.map(|e| e.caps));
        self.project = project;
        let caps = found?.unwrap_or_default();
        Ok(EndpointRoom { paused: caps.paused, free: Some(caps.free(limit)), ready_at: caps.ready_at(now_ms) })
    }

    async fn count_due(&mut self, project_id: &str, endpoint_id: &str, _now_ms: i64, most: usize) -> Result<usize, StoreError> {
        // Counted up to the endpoint limit, which `most` never exceeds.
        Ok(self.endpoint(project_id, endpoint_id).await?.map_or(0, |e| e.due.min(most)))
    }

    async fn earliest_lease(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(self.earliest_lease)
    }
}
