//! SQLite side of the queue high-water mark: the backlog per project, on a reader connection.

use std::collections::HashMap;

use rusqlite::params;

use super::SqliteStore;
use crate::store::StoreError;
use crate::store::backlog::{BacklogStore, add_to_backlog};

/// Due waiting messages from the `messages_waiting` index alone (project, endpoint, due time:
/// no table reads, grouped in index order), plus the leased ones from `messages_leased`.
/// Without statistics the planner might pick an index that also holds finished messages.
const BACKLOG_SQL: &str = "\
    SELECT project_id, COUNT(*) FROM messages INDEXED BY messages_waiting \
     WHERE status IN ('queued', 'pending_retry') AND next_attempt_at <= ?1 GROUP BY project_id \
    UNION ALL \
    SELECT project_id, COUNT(*) FROM messages INDEXED BY messages_leased \
     WHERE status = 'delivering' GROUP BY project_id";

#[async_trait::async_trait]
impl BacklogStore for SqliteStore {
    async fn backlog_by_project(&self, now_ms: i64) -> Result<HashMap<String, u64>, StoreError> {
        self.read(move |conn| {
            let mut backlog = HashMap::new();
            let mut stmt = conn.prepare_cached(BACKLOG_SQL)?;
            let rows = stmt.query_map(params![now_ms], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (project_id, count) = row?;
                add_to_backlog(&mut backlog, project_id, count);
            }
            Ok(backlog)
        })
        .await
    }
}
