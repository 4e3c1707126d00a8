//! The scan for due work behind [`crate::store::DeliveryQueue::due_work`] on SQLite. It walks
//! the `messages_waiting` index (waiting messages by project, endpoint and due time) with one
//! seek per project and per endpoint, so its cost grows with the number of projects and
//! endpoints it looks at, never with the length of their backlogs.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{DueHead, DueScan, DueWork, StoreError};

/// The statuses of waiting messages: exactly the `messages_waiting` index's condition.
pub(super) const WAITING: &str = "status IN ('queued', 'pending_retry')";
/// Without statistics the planner may prefer an index that also holds finished messages.
pub(super) const INDEX: &str = "INDEXED BY messages_waiting";

/// Runs one scan: projects in turn from `scan.start_project`, and in each its endpoints in turn
/// after the one served last, until every project was looked at or the budget is spent.
pub(super) fn scan(conn: &Connection, scan: &DueScan) -> Result<DueWork, StoreError> {
    let mut work = DueWork::default();
    let mut probes = 0usize;
    let mut projects = Rotation::new(scan.start_project.clone(), true);
    'projects: while let Some(project) = projects.next(|after, inclusive| next_project(conn, after, inclusive))? {
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
        while let Some(endpoint) = endpoints.next(|after, _| next_endpoint(conn, &project, after))? {
            probes += 1;
            if probes > scan.budget {
                work.stopped_at = Some((project, Some(endpoint)));
                break 'projects;
            }
            let (endpoint_id, earliest) = (&endpoint, endpoints.value);
            let free = scan.free_for_endpoint(endpoint_id);
            if free == 0 || endpoint_paused(conn, endpoint_id)? {
                continue;
            }
            if earliest > scan.now_ms {
                work.next_due_at = Some(work.next_due_at.map_or(earliest, |at| at.min(earliest)));
                continue;
            }
            let due = count_due(conn, &project, endpoint_id, scan.now_ms, free.min(allowed - taken))?;
            if due > 0 {
                taken += due;
                work.heads.push(DueHead { project_id: project.clone(), endpoint_id: endpoint.clone(), due });
            }
            if taken >= allowed {
                break;
            }
        }
    }
    let lease: Option<i64> =
        conn.prepare_cached("SELECT MIN(lease_until) FROM messages WHERE status = 'delivering'")?.query_row([], |r| r.get(0))?;
    if let Some(lease) = lease {
        work.expired_leases = lease <= scan.now_ms;
        work.next_due_at = Some(work.next_due_at.map_or(lease, |at| at.min(lease)));
    }
    Ok(work)
}

/// Walks keys in order from a start key to the end, then from the beginning up to the start
/// key: one turn of a round-robin.
struct Rotation {
    start: Option<String>,
    /// Whether the start key itself comes first (else it comes last).
    start_first: bool,
    last: Option<String>,
    wrapped: bool,
    done: bool,
    /// The value that came with the last key.
    value: i64,
}

impl Rotation {
    fn new(start: Option<String>, start_first: bool) -> Self {
        Rotation { start, start_first, last: None, wrapped: false, done: false, value: 0 }
    }

    /// The next key; `fetch(after, inclusive)` returns the first key after (or at) `after`,
    /// `None` meaning from the very first.
    fn next(
        &mut self,
        mut fetch: impl FnMut(Option<&str>, bool) -> Result<Option<(String, i64)>, StoreError>,
    ) -> Result<Option<String>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let mut found = match &self.last {
            Some(last) => fetch(Some(last.as_str()), false)?,
            None => fetch(self.start.as_deref(), self.start_first)?,
        };
        if found.is_none() && !self.wrapped && self.start.is_some() {
            self.wrapped = true;
            found = fetch(None, false)?;
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

/// The first project with waiting messages after (or at) `after`.
fn next_project(conn: &Connection, after: Option<&str>, inclusive: bool) -> Result<Option<(String, i64)>, StoreError> {
    let op = if inclusive { ">=" } else { ">" };
    let sql =
        format!("SELECT project_id FROM messages {INDEX} WHERE {WAITING} AND project_id {op} ?1 ORDER BY project_id LIMIT 1");
    Ok(conn.prepare_cached(&sql)?.query_row(params![after.unwrap_or("")], |r| Ok((r.get(0)?, 0))).optional()?)
}

/// The project's first endpoint with waiting messages after `after`, with its earliest due time.
fn next_endpoint(conn: &Connection, project_id: &str, after: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
    let sql = format!(
        "SELECT endpoint_id, next_attempt_at FROM messages {INDEX} WHERE {WAITING} AND project_id = ?1 AND endpoint_id > ?2 \
         AND next_attempt_at IS NOT NULL ORDER BY endpoint_id, next_attempt_at LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![project_id, after.unwrap_or("")], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn endpoint_paused(conn: &Connection, endpoint_id: &str) -> Result<bool, StoreError> {
    let paused: Option<bool> = conn
        .prepare_cached("SELECT paused FROM endpoints WHERE id = ?1")?
        .query_row(params![endpoint_id], |r| r.get(0))
        .optional()?;
    Ok(paused.unwrap_or(false))
}

/// Messages of the endpoint due at `now_ms`, counted up to `most`.
fn count_due(conn: &Connection, project_id: &str, endpoint_id: &str, now_ms: i64, most: usize) -> Result<usize, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM messages {INDEX} WHERE {WAITING} AND project_id = ?1 AND endpoint_id = ?2 \
         AND next_attempt_at <= ?3 LIMIT ?4)"
    );
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params![project_id, endpoint_id, now_ms, most as i64], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for sql in super::super::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        conn
    }

    /// Adds `n` waiting messages of a project's endpoint, due at `due_at`.
    fn add(conn: &Connection, project: &str, endpoint: &str, n: usize, due_at: i64) {
        for _ in 0..n {
            conn.execute(
                "INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, \
                 size_bytes, payload_sha256, signed_at, next_attempt_at, created_at, updated_at) \
                 VALUES (?1, ?2, 'outbound', ?3, 'http://x', 'queued', 'application/json', 0, '', 0, ?4, 0, 0)",
                params![crate::ids::uuid7(), project, endpoint, due_at],
            )
            .unwrap();
        }
    }

    fn scan_of(now_ms: i64) -> DueScan {
        DueScan { now_ms, room: 100, project_limit: 100, endpoint_limit: 10, budget: 100, ..Default::default() }
    }

    fn heads(work: &DueWork) -> Vec<(&str, &str, usize)> {
        work.heads.iter().map(|h| (h.project_id.as_str(), h.endpoint_id.as_str(), h.due)).collect()
    }

    #[test]
    fn finds_every_projects_due_endpoints_past_a_saturated_backlog() {
        let conn = db();
        add(&conn, "pa", "ep_a1", 500, 10);
        add(&conn, "pa", "ep_a2", 3, 20);
        add(&conn, "pa", "ep_later", 2, 5_000);
        add(&conn, "pb", "ep_b1", 1, 900);
        conn.execute(
            "INSERT INTO endpoints (id, project_id, url, paused, created_at, updated_at) VALUES ('ep_b2', 'pb', 'http://x', 1, 0, 0)",
            [],
        )
        .unwrap();
        add(&conn, "pb", "ep_b2", 4, 0);
        let mut scan = scan_of(1_000);
        scan.endpoint_free.insert("ep_a1".into(), 0);
        let work = super::scan(&conn, &scan).unwrap();
        assert_eq!(heads(&work), vec![("pa", "ep_a2", 3), ("pb", "ep_b1", 1)], "saturated and paused endpoints are left out");
        assert_eq!(work.projects, vec!["pa", "pb"]);
        assert_eq!(work.next_due_at, Some(5_000));
        assert!(work.stopped_at.is_none() && !work.expired_leases);

        // Counts stop at the endpoint's free slots; a project at its cap is only looked at.
        scan.endpoint_free.clear();
        scan.project_free.insert("pb".into(), 0);
        let work = super::scan(&conn, &scan).unwrap();
        assert_eq!(heads(&work), vec![("pa", "ep_a1", 10), ("pa", "ep_a2", 3)]);
    }

    #[test]
    fn rotates_from_the_cursors_and_resumes_where_the_budget_ran_out() {
        let conn = db();
        for (project, endpoint) in [("p1", "e1"), ("p1", "e2"), ("p1", "e3"), ("p2", "f1"), ("p3", "g1")] {
            add(&conn, project, endpoint, 1, 0);
        }
        let mut scan = scan_of(1);
        scan.start_project = Some("p2".into());
        scan.endpoint_cursors.insert("p1".into(), "e2".into());
        let work = super::scan(&conn, &scan).unwrap();
        let order: Vec<&str> = work.heads.iter().map(|h| h.endpoint_id.as_str()).collect();
        assert_eq!(order, vec!["f1", "g1", "e3", "e1", "e2"]);
        assert_eq!(work.projects, vec!["p2", "p3", "p1"]);

        scan.budget = 6;
        let work = super::scan(&conn, &scan).unwrap();
        assert_eq!(work.stopped_at, Some(("p1".into(), Some("e1".into()))));
        assert_eq!(work.heads.len(), 3);
    }
}
