//! PostgreSQL implementation of [`ActorStore`].

use super::sql::all_rows;
use super::{PgStore, pg_err};
use crate::store::StoreError;
use crate::store::actors::ActorStore;
use crate::store::columns::Columns;

#[async_trait::async_trait]
impl ActorStore for PgStore {
    async fn api_key_labels(&self, project_id: &str, key_ids: Vec<String>) -> Result<Vec<(String, String)>, StoreError> {
        let client = self.client().await?;
        let rows = all_rows(
            &client,
            "SELECT id, COALESCE(label, '') FROM api_keys WHERE id = ANY($1) AND project_id = $2",
            &[&key_ids, &project_id],
        )
        .await?;
        rows.iter().map(|r| Ok((r.text(0).map_err(pg_err)?, r.text(1).map_err(pg_err)?))).collect()
    }
}
