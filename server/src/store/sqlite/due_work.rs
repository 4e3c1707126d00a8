//! SQLite's answers to the scan for due work ([`crate::store::due_scan`]): each probe is one
//! seek in the `messages_waiting` index (waiting messages by project, endpoint and due time).

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::due_scan::{self, DueProbe, EndpointRoom};
use crate::store::{DueScan, DueWork, StoreError};

/// The statuses of waiting messages: exactly the `messages_waiting` index's condition.
pub(super) const WAITING: &str = "status IN ('queued', 'pending_retry')";
/// Without statistics the planner may prefer an index that also holds finished messages.
pub(super) const INDEX: &str = "INDEXED BY messages_waiting";

/// Runs one scan on a reader connection (every probe answers at once).
pub(super) fn scan(conn: &Connection, scan: &DueScan) -> Result<DueWork, StoreError> {
    due_scan::complete_now(due_scan::scan(&mut Probe(conn), scan))
}

/// Whether an endpoint has a message waiting that is due at `now_ms`: one seek.
pub(super) fn has_waiting(conn: &Connection, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM messages {INDEX} WHERE {WAITING} AND project_id = ?1 AND endpoint_id = ?2 \
         AND next_attempt_at <= ?3)"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![project_id, endpoint_id, now_ms], |r| r.get(0))?)
}

struct Probe<'a>(&'a Connection);

/// Counts an endpoint's due messages, up to a limit. `LIMIT ?4 + 0`, not `LIMIT ?4`: SQLite
/// reads a bare parameter LIMIT while planning and then recompiles the statement each time a
/// new value is bound to it; an expression is read at run time.
fn count_due_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM messages {INDEX} WHERE {WAITING} AND project_id = ?1 AND endpoint_id = ?2 \
         AND next_attempt_at <= ?3 LIMIT ?4 + 0)"
    )
}

impl DueProbe for Probe<'_> {
    async fn next_project(&mut self, after: Option<&str>, inclusive: bool) -> Result<Option<String>, StoreError> {
        let op = if inclusive { ">=" } else { ">" };
        let sql =
            format!("SELECT project_id FROM messages {INDEX} WHERE {WAITING} AND project_id {op} ?1 ORDER BY project_id LIMIT 1");
        Ok(self.0.prepare_cached(&sql)?.query_row(params![after.unwrap_or("")], |r| r.get(0)).optional()?)
    }

    async fn next_endpoint(&mut self, project_id: &str, after: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
        let sql = format!(
            "SELECT endpoint_id, next_attempt_at FROM messages {INDEX} WHERE {WAITING} AND project_id = ?1 \
             AND endpoint_id > ?2 AND next_attempt_at IS NOT NULL ORDER BY endpoint_id, next_attempt_at LIMIT 1"
        );
        Ok(self
            .0
            .prepare_cached(&sql)?
            .query_row(params![project_id, after.unwrap_or("")], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    async fn endpoint_room(&mut self, endpoint_id: &str, _now_ms: i64) -> Result<EndpointRoom, StoreError> {
        let paused: Option<bool> = self
            .0
            .prepare_cached("SELECT paused FROM endpoints WHERE id = ?1")?
            .query_row(params![endpoint_id], |r| r.get(0))
            .optional()?;
        // One process: the engine's own slots and limiter are the caps.
        Ok(EndpointRoom { paused: paused.unwrap_or(false), free: None, ready_at: None })
    }

    async fn count_due(&mut self, project_id: &str, endpoint_id: &str, now_ms: i64, most: usize) -> Result<usize, StoreError> {
        let sql = count_due_sql();
        let most = i64::try_from(most).unwrap_or(i64::MAX);
        let n: i64 = self.0.prepare_cached(&sql)?.query_row(params![project_id, endpoint_id, now_ms, most], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    async fn earliest_lease(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .0
            .prepare_cached("SELECT MIN(lease_until) FROM messages WHERE status = 'delivering'")?
            .query_row([], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

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
    fn counting_with_a_new_limit_does_not_recompile_the_statement() {
        let conn = db();
        add(&conn, "pa", "ep_a1", 5, 10);
        let mut probe = Probe(&conn);
        for most in 1..=4 {
            let n = due_scan::complete_now(probe.count_due("pa", "ep_a1", 1_000, most)).unwrap();
            assert_eq!(n, most);
        }
        let stmt = conn.prepare_cached(&count_due_sql()).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "bound limits do not recompile");

        // What the `+ 0` avoids: with a bare parameter LIMIT, each new value recompiles.
        let bare = count_due_sql().replace("LIMIT ?4 + 0", "LIMIT ?4");
        for most in 1..=4_i64 {
            conn.prepare_cached(&bare).unwrap().query_row(params!["pa", "ep_a1", 1_000, most], |r| r.get::<_, i64>(0)).unwrap();
        }
        assert!(conn.prepare_cached(&bare).unwrap().get_status(StatementStatus::RePrepare) >= 3);
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
