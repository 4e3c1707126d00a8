//! PostgreSQL implementation of [`DeletionStore`], safe with several server processes on one
//! database: every message is decided under a lock of its row (`SELECT … FOR UPDATE`), so a
//! deletion and the recording of an attempt in flight on another node apply one after the other.

use deadpool_postgres::Transaction;

use super::sql::{all_rows, commit, exec};
use super::{PgStore, pg_err};
use crate::domain::deletion::{self, Deletion};
use crate::domain::messages::stored_status;
use crate::store::StoreError;
use crate::store::columns::Columns;
use crate::store::deletion::{DeleteFilter, DeleteOutcome, Deleter, DeletionStore, delete_sql, matching_sql};

#[async_trait::async_trait]
impl DeletionStore for PgStore {
    async fn delete_messages(&self, by: Deleter, message_ids: Vec<String>) -> Result<Vec<DeleteOutcome>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let outcomes = delete_each(&tx, &by, &message_ids).await?;
        commit(tx, outcomes).await
    }

    async fn delete_matching(&self, by: Deleter, filter: DeleteFilter) -> Result<Vec<String>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        let rows = all_rows(
            &tx,
            &matching_sql('$', "::TEXT", "::BIGINT"),
            &[
                &by.project_id,
                &by.direction.as_str(),
                &filter.status.map(|s| s.as_str()),
                &filter.endpoint_id,
                &filter.after_ms,
                &filter.before_ms,
                &limit,
            ],
        )
        .await?;
        let ids = rows.iter().map(|r| r.text(0).map_err(pg_err)).collect::<Result<Vec<_>, _>>()?;
        delete_each(&tx, &by, &ids).await?;
        commit(tx, ids).await
    }
}

/// Deletes the listed messages of the caller's project and direction, one outcome per id.
async fn delete_each(tx: &Transaction<'_>, by: &Deleter, ids: &[String]) -> Result<Vec<DeleteOutcome>, StoreError> {
    // Lock every row first, in one order, so two deletions over the same messages cannot deadlock.
    let rows = all_rows(
        tx,
        "SELECT id, status, deleted_at FROM messages WHERE id = ANY($1) AND project_id = $2 AND direction = $3 \
         ORDER BY id FOR UPDATE",
        &[&ids, &by.project_id, &by.direction.as_str()],
    )
    .await?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for r in &rows {
        found.insert(r.text(0).map_err(pg_err)?, (r.text(1).map_err(pg_err)?, r.opt_int(2).map_err(pg_err)?));
    }
    let update = delete_sql('$');
    let mut outcomes = Vec::with_capacity(ids.len());
    for id in ids {
        let outcome = match found.get_mut(id) {
            None => DeleteOutcome::NotFound,
            Some((status, deleted_at)) => match deletion::decide(stored_status(status)?, *deleted_at) {
                Deletion::Already { deleted_at } => DeleteOutcome::AlreadyDeleted(deleted_at),
                Deletion::Delete { status: new, cancels_attempts } => {
                    exec(tx, &update, &[id, &by.now_ms, &by.api_key_id, &new.as_str(), &cancels_attempts]).await?;
                    // The same id twice in one list: the second sees it deleted.
                    *deleted_at = Some(by.now_ms);
                    DeleteOutcome::Deleted(by.now_ms)
                }
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
