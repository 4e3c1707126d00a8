//! What happens to an endpoint's messages that have not started delivery when the endpoint is
//! paused, resumed or deleted. Queued and paused messages are read from the partial index
//! `messages_endpoint_held`, pending retries from `messages_waiting`; each statement repeats
//! its index's condition word for word, because SQLite uses a partial index only when the
//! query's WHERE clause contains the index's terms. Messages being delivered or finished are in
//! neither index, so these statements stay cheap on an endpoint with a long history.

/// Pausing an outbound endpoint: its queued messages become `paused` (`?1` endpoint, `?2` now).
pub(super) const PAUSE_OUTBOUND: &str = "UPDATE messages SET status = 'paused', updated_at = ?2 \
     WHERE endpoint_id = ?1 AND status IN ('queued', 'paused') AND direction = 'outbound' AND status = 'queued'";

/// Resuming an outbound endpoint: its paused messages are queued again, due now (`?1`
/// endpoint, `?2` now).
pub(super) const RESUME_OUTBOUND: &str = "UPDATE messages SET status = 'queued', next_attempt_at = ?2, updated_at = ?2 \
     WHERE endpoint_id = ?1 AND status IN ('queued', 'paused') AND direction = 'outbound' AND status = 'paused'";

/// Resuming an inbound endpoint, as [`RESUME_OUTBOUND`].
pub(super) const RESUME_INBOUND: &str = "UPDATE messages SET status = 'queued', next_attempt_at = ?2, updated_at = ?2 \
     WHERE endpoint_id = ?1 AND status IN ('queued', 'paused') AND direction = 'inbound' AND status = 'paused'";

/// Deleting an outbound endpoint, first statement: its queued and paused messages fail (`?1`
/// endpoint, `?2` now).
pub(super) const FAIL_HELD_ON_DELETE: &str = "UPDATE messages SET status = 'failed_permanent', next_attempt_at = NULL, \
     failed_at = ?2, last_error = 'endpoint deleted', updated_at = ?2 \
     WHERE endpoint_id = ?1 AND status IN ('queued', 'paused') AND direction = 'outbound'";

/// Deleting an outbound endpoint, second statement: its pending retries fail (`?1` endpoint,
/// `?2` now, `?3` its project).
pub(super) const FAIL_RETRIES_ON_DELETE: &str = "UPDATE messages INDEXED BY messages_waiting \
     SET status = 'failed_permanent', next_attempt_at = NULL, \
     failed_at = ?2, last_error = 'endpoint deleted', updated_at = ?2 \
     WHERE project_id = ?3 AND endpoint_id = ?1 AND status IN ('queued', 'pending_retry') AND direction = 'outbound' \
     AND status = 'pending_retry'";

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for sql in super::super::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        conn
    }

    /// The plan's steps and whether the statement builds a temporary table.
    fn plan(conn: &Connection, sql: &str) -> (Vec<String>, bool) {
        let n = (1..=12).rev().find(|i| sql.contains(&format!("?{i}"))).unwrap_or(0);
        let params = vec![rusqlite::types::Value::Null; n];
        // Column `column` of every row `prefix` + `sql` returns.
        let rows = |prefix: &str, column: usize| -> Vec<String> {
            let mut stmt = conn.prepare(&format!("{prefix} {sql}")).unwrap();
            let rows = stmt.query_map(rusqlite::params_from_iter(&params), |r| r.get(column)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let steps = rows("EXPLAIN QUERY PLAN", 3);
        let temporary = rows("EXPLAIN", 1).iter().any(|op| op == "OpenEphemeral");
        (steps, temporary)
    }

    #[test]
    fn every_statement_reads_its_partial_index() {
        let conn = db();
        for (sql, index) in [
            (PAUSE_OUTBOUND, "messages_endpoint_held"),
            (RESUME_OUTBOUND, "messages_endpoint_held"),
            (RESUME_INBOUND, "messages_endpoint_held"),
            (FAIL_HELD_ON_DELETE, "messages_endpoint_held"),
            (FAIL_RETRIES_ON_DELETE, "messages_waiting"),
        ] {
            let (steps, _) = plan(&conn, sql);
            assert!(steps.iter().any(|step| step.contains(&format!("USING INDEX {index}"))), "{sql}\nplan: {steps:?}");
        }
    }

    #[test]
    fn recording_an_outcome_updates_the_row_in_one_pass() {
        // A partial index whose condition lists three statuses or more made SQLite build a
        // temporary table for every change of a message's status.
        let conn = db();
        let sql = "UPDATE messages SET status = ?2, lease_until = NULL WHERE id = ?1 AND status = 'delivering'";
        let (steps, temporary) = plan(&conn, sql);
        assert!(!temporary, "{steps:?}");
    }
}
