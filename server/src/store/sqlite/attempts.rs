//! SQLite implementation of [`AttemptStore`].

use rusqlite::params;

use super::SqliteStore;
use crate::store::attempts::{AttemptStore, StoredAttempt, list_sql};
use crate::store::{Direction, StoreError};

#[async_trait::async_trait]
impl AttemptStore for SqliteStore {
    async fn list_attempts(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        limit: usize,
    ) -> Result<Vec<StoredAttempt>, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&list_sql('?'))?;
            let rows = stmt.query_map(params![id, project, direction.as_str(), limit], |r| StoredAttempt::read(r))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
