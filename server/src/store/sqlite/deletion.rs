//! SQLite implementation of [`DeletionStore`]: each call is one job of the writer, so the
//! checks and changes of every message it deletes are atomic with respect to deliveries.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::domain::deletion::{self, Deletion};
use crate::domain::messages::stored_status;
use crate::store::StoreError;
use crate::store::deletion::{DeleteFilter, DeleteOutcome, Deleter, DeletionStore, delete_sql, matching_sql};

#[async_trait::async_trait]
impl DeletionStore for SqliteStore {
    async fn delete_messages(&self, by: Deleter, message_ids: Vec<String>) -> Result<Vec<DeleteOutcome>, StoreError> {
        self.write(move |conn| message_ids.iter().map(|id| delete_one(conn, &by, id)).collect()).await
    }

    async fn delete_matching(&self, by: Deleter, filter: DeleteFilter) -> Result<Vec<String>, StoreError> {
        self.write(move |conn| {
            let ids: Vec<String> = conn
                .prepare_cached(&matching_sql('?', "", ""))?
                .query_map(
                    params![
                        by.project_id,
                        by.direction.as_str(),
                        filter.status.map(|s| s.as_str()),
                        filter.endpoint_id,
                        filter.after_ms,
                        filter.before_ms,
                        i64::try_from(filter.limit).unwrap_or(i64::MAX)
                    ],
                    |r| r.get(0),
                )?
                .collect::<Result<_, _>>()?;
            for id in &ids {
                delete_one(conn, &by, id)?;
            }
            Ok(ids)
        })
        .await
    }
}

/// Deletes one message of the caller's project and direction.
fn delete_one(conn: &Connection, by: &Deleter, id: &str) -> Result<DeleteOutcome, StoreError> {
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT status, deleted_at FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = ?3")?
        .query_row(params![id, by.project_id, by.direction.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((status, deleted_at)) = row else {
        return Ok(DeleteOutcome::NotFound);
    };
    match deletion::decide(stored_status(&status)?, deleted_at) {
        Deletion::Already { deleted_at } => Ok(DeleteOutcome::AlreadyDeleted(deleted_at)),
        Deletion::Delete { status, cancels_attempts } => {
            conn.prepare_cached(&delete_sql('?'))?.execute(params![
                id,
                by.now_ms,
                by.api_key_id,
                status.as_str(),
                cancels_attempts
            ])?;
            Ok(DeleteOutcome::Deleted(by.now_ms))
        }
    }
}
