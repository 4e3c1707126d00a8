//! PostgreSQL side of revoked dashboard sessions (`ui_revoked_sessions`).

use super::{PgStore, pg_err};
use crate::store::StoreError;
use crate::store::ui_sessions::UiSessionStore;

#[async_trait::async_trait]
impl UiSessionStore for PgStore {
    async fn revoke_ui_session(&self, session_id: &str, expires_at_ms: i64, now_ms: i64) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.execute("DELETE FROM ui_revoked_sessions WHERE expires_at < $1", &[&now_ms]).await.map_err(pg_err)?;
        client
            .execute(
                "INSERT INTO ui_revoked_sessions (session_id, expires_at) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING",
                &[&session_id, &expires_at_ms],
            )
            .await
            .map_err(pg_err)?;
        Ok(())
    }

    async fn ui_session_revoked(&self, session_id: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row =
            client.query_opt("SELECT 1 FROM ui_revoked_sessions WHERE session_id = $1", &[&session_id]).await.map_err(pg_err)?;
        Ok(row.is_some())
    }
}
