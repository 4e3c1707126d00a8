//! SQLite implementation of [`ActorStore`].

use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::store::StoreError;
use crate::store::actors::ActorStore;

#[async_trait::async_trait]
impl ActorStore for SqliteStore {
    async fn api_key_labels(&self, project_id: &str, key_ids: Vec<String>) -> Result<Vec<(String, String)>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT COALESCE(label, '') FROM api_keys WHERE id = ?1 AND project_id = ?2")?;
            let mut found = Vec::with_capacity(key_ids.len());
            for id in key_ids {
                if let Some(label) = stmt.query_row(params![id, project], |r| r.get::<_, String>(0)).optional()? {
                    found.push((id, label));
                }
            }
            Ok(found)
        })
        .await
    }
}
