//! SQLite implementation of [`RetentionStore`].

use rusqlite::params;

use super::SqliteStore;
use crate::domain::MessageStatus;
use crate::store::StoreError;
use crate::store::retention::{Pruned, RetentionStore};

/// Rows changed per statement, so one pass never holds the writer for long.
const CHUNK: i64 = 5_000;

#[async_trait::async_trait]
impl RetentionStore for SqliteStore {
    /// Always: SQLite mode runs one server process per data dir (it holds the data dir lock).
    async fn try_lead(&self, _job: &str) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn prune(
        &self,
        payloads_before_ms: i64,
        rejections_before_ms: i64,
        max_unattributed: usize,
    ) -> Result<Pruned, StoreError> {
        let mut pruned = Pruned::default();
        let purge = std::sync::Arc::new(format!(
            "UPDATE messages SET payload = NULL WHERE rowid IN (SELECT rowid FROM messages \
             WHERE payload IS NOT NULL AND status IN ({}) AND created_at < ?1 LIMIT ?2)",
            MessageStatus::final_sql_list()
        ));
        loop {
            let sql = purge.clone();
            let n = self
                .write(move |conn| Ok(conn.prepare_cached(&sql)?.execute(params![payloads_before_ms, CHUNK])? as u64))
                .await?;
            pruned.payloads += n;
            if n < CHUNK as u64 {
                break;
            }
        }
        pruned.rejections = self
            .write(move |conn| {
                let old = conn.execute("DELETE FROM inbound_rejections WHERE received_at < ?1", params![rejections_before_ms])?;
                let excess = conn.execute(
                    "DELETE FROM inbound_rejections WHERE project_id IS NULL AND id NOT IN \
                     (SELECT id FROM inbound_rejections WHERE project_id IS NULL ORDER BY received_at DESC, id DESC LIMIT ?1)",
                    params![max_unattributed as i64],
                )?;
                Ok((old + excess) as u64)
            })
            .await?;
        Ok(pruned)
    }
}
