//! PostgreSQL side of the queue high-water mark: the backlog per project, cluster-wide (every
//! node's sends and leases are in the one database).

use std::collections::HashMap;

use super::{PgStore, col, pg_err};
use crate::store::StoreError;
use crate::store::backlog::{BacklogStore, add_to_backlog};

/// Due waiting messages (the partial `messages_due` index bounds the scan to what is due), plus
/// the leased ones (`messages_leased`).
const BACKLOG_SQL: &str = "\
    SELECT project_id, COUNT(*) FROM messages \
     WHERE status IN ('queued', 'pending_retry') AND next_attempt_at <= $1 GROUP BY project_id \
    UNION ALL \
    SELECT project_id, COUNT(*) FROM messages WHERE status = 'delivering' GROUP BY project_id";

#[async_trait::async_trait]
impl BacklogStore for PgStore {
    async fn backlog_by_project(&self, now_ms: i64) -> Result<HashMap<String, u64>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(BACKLOG_SQL).await.map_err(pg_err)?;
        let mut backlog = HashMap::new();
        for row in client.query(&stmt, &[&now_ms]).await.map_err(pg_err)? {
            add_to_backlog(&mut backlog, col(&row, 0)?, col(&row, 1)?);
        }
        Ok(backlog)
    }
}
