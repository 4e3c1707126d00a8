//! PostgreSQL's answers to the scan for due work ([`crate::store::due_scan`]): each probe is one
//! seek in the `messages_waiting` index, and each endpoint looked at also reports the caps all
//! nodes share ([`super::caps`]), so the engine is offered only work it can claim and sleeps
//! until the next token of a rate-limited endpoint instead of retrying at once.

use deadpool_postgres::GenericClient;

use super::{PgStore, caps, col, pg_err};
use crate::store::due_scan::{self, DueProbe, EndpointRoom};
use crate::store::{DueScan, DueWork, StoreError};

/// The statuses of waiting messages: exactly the `messages_waiting` index's condition.
pub(super) const WAITING: &str = "status IN ('queued', 'pending_retry')";

impl PgStore {
    /// Runs one scan for due work.
    pub(super) async fn scan_due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        let client = self.client().await?;
        let mut probe = Probe { client: &client, endpoint_limit: scan.endpoint_limit };
        due_scan::scan(&mut probe, &scan).await
    }
}

struct Probe<'a, C> {
    client: &'a C,
    /// The per-endpoint cap over all nodes.
    endpoint_limit: usize,
}

impl<C: GenericClient> Probe<'_, C> {
    async fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<tokio_postgres::Row>, StoreError> {
        let stmt = self.client.prepare_cached(sql).await.map_err(pg_err)?;
        self.client.query_opt(&stmt, params).await.map_err(pg_err)
    }
}

impl<C: GenericClient> DueProbe for Probe<'_, C> {
    async fn next_project(&mut self, after: Option<&str>, inclusive: bool) -> Result<Option<String>, StoreError> {
        let op = if inclusive { ">=" } else { ">" };
        let sql = format!("SELECT project_id FROM messages WHERE {WAITING} AND project_id {op} $1 ORDER BY project_id LIMIT 1");
        let row = self.query_opt(&sql, &[&after.unwrap_or("")]).await?;
        row.map(|r| col(&r, 0)).transpose()
    }

    async fn next_endpoint(&mut self, project_id: &str, after: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
        let sql = format!(
            "SELECT endpoint_id, next_attempt_at FROM messages WHERE {WAITING} AND project_id = $1 AND endpoint_id > $2 \
             AND next_attempt_at IS NOT NULL ORDER BY endpoint_id, next_attempt_at LIMIT 1"
        );
        let row = self.query_opt(&sql, &[&project_id, &after.unwrap_or("")]).await?;
        row.map(|r| Ok((col(&r, 0)?, col(&r, 1)?))).transpose()
    }

    async fn endpoint_room(&mut self, endpoint_id: &str, now_ms: i64) -> Result<EndpointRoom, StoreError> {
        let caps = caps::read(self.client, endpoint_id, now_ms).await?;
        Ok(EndpointRoom { paused: caps.paused, free: Some(caps.free(self.endpoint_limit)), ready_at: caps.ready_at(now_ms) })
    }

    async fn count_due(&mut self, project_id: &str, endpoint_id: &str, now_ms: i64, most: usize) -> Result<usize, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE {WAITING} AND project_id = $1 AND endpoint_id = $2 \
             AND next_attempt_at <= $3 LIMIT $4) due"
        );
        let most = i64::try_from(most).unwrap_or(i64::MAX);
        let row = self.query_opt(&sql, &[&project_id, &endpoint_id, &now_ms, &most]).await?;
        let n: i64 = row.map(|r| col(&r, 0)).transpose()?.unwrap_or(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    async fn earliest_lease(&mut self) -> Result<Option<i64>, StoreError> {
        let row = self.query_opt("SELECT MIN(lease_until) FROM messages WHERE status = 'delivering'", &[]).await?;
        Ok(row.map(|r| col::<Option<i64>>(&r, 0)).transpose()?.flatten())
    }
}
