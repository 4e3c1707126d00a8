//! PostgreSQL: [`RetentionStore`]. The same pruning as SQLite, in chunks, skipping rows another
//! transaction holds. Cluster-wide jobs (the janitor) are led by one node at a time: the leader
//! holds a session advisory lock on a connection of its own, which PostgreSQL releases when
//! that node dies or loses its connection, so another node takes over at its next pass.

use crate::domain::status::MessageStatus;
use crate::store::StoreError;
use crate::store::retention::{Pruned, RetentionStore};

use super::{PgStore, pg_err};

/// Rows changed per statement, so one pass never holds many row locks for long.
const CHUNK: i64 = 5_000;
/// First key of the advisory locks of cluster-wide jobs (the second is the job name's hash).
const JOB_LOCK: i32 = 0x4842_4a42; // "HBJB"

#[async_trait::async_trait]
impl RetentionStore for PgStore {
    /// Whether this node leads `job`: it keeps the connection holding the job's advisory lock
    /// while that connection answers; otherwise it tries to take the lock on a new connection.
    async fn try_lead(&self, job: &str) -> Result<bool, StoreError> {
        let mut held = self.job_leads.lock().await;
        if let Some(conn) = held.get(job) {
            if conn.simple_query("SELECT 1").await.is_ok() {
                return Ok(true);
            }
            // Dropping the connection closes it, so the lock is surely released.
            held.remove(job);
            tracing::warn!(job, "lost the connection holding a cluster job's lock; trying to lead it again");
        }
        let conn = self.client().await?;
        let led: bool =
            conn.query_one("SELECT pg_try_advisory_lock($1, hashtext($2))", &[&JOB_LOCK, &job]).await.map_err(pg_err)?.get(0);
        if led {
            tracing::info!(job, "this node now runs the cluster job");
            // Out of the pool for good: the lock lives as long as this connection.
            held.insert(job.to_owned(), deadpool_postgres::Object::take(conn));
        }
        Ok(led)
    }

    async fn prune(
        &self,
        payloads_before_ms: i64,
        rejections_before_ms: i64,
        max_unattributed: usize,
    ) -> Result<Pruned, StoreError> {
        let finished: Vec<&str> = MessageStatus::ALL.iter().filter(|s| s.is_final()).map(|s| s.as_str()).collect();
        let client = self.client().await?;
        let mut pruned = Pruned::default();
        loop {
            let n = client
                .execute(
                    "UPDATE messages SET payload = NULL WHERE id IN (SELECT id FROM messages \
                     WHERE payload IS NOT NULL AND status = ANY($2) AND created_at < $1 LIMIT $3 FOR UPDATE SKIP LOCKED)",
                    &[&payloads_before_ms, &finished, &CHUNK],
                )
                .await
                .map_err(pg_err)?;
            pruned.payloads += n;
            if n < CHUNK as u64 {
                break;
            }
        }
        let old = client
            .execute("DELETE FROM inbound_rejections WHERE received_at < $1", &[&rejections_before_ms])
            .await
            .map_err(pg_err)?;
        let keep = i64::try_from(max_unattributed).unwrap_or(i64::MAX);
        let excess = client
            .execute(
                "DELETE FROM inbound_rejections WHERE project_id IS NULL AND id NOT IN \
                 (SELECT id FROM inbound_rejections WHERE project_id IS NULL ORDER BY received_at DESC, id DESC LIMIT $1)",
                &[&keep],
            )
            .await
            .map_err(pg_err)?;
        pruned.rejections = old + excess;
        Ok(pruned)
    }
}
