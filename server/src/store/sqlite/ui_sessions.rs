//! SQLite side of revoked dashboard sessions (`ui_revoked_sessions`).

use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::store::StoreError;
use crate::store::ui_sessions::UiSessionStore;

#[async_trait::async_trait]
impl UiSessionStore for SqliteStore {
    async fn revoke_ui_session(&self, session_id: &str, expires_at_ms: i64, now_ms: i64) -> Result<(), StoreError> {
        let session_id = session_id.to_owned();
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM ui_revoked_sessions WHERE expires_at < ?1")?.execute(params![now_ms])?;
            conn.prepare_cached("INSERT OR IGNORE INTO ui_revoked_sessions (session_id, expires_at) VALUES (?1, ?2)")?
                .execute(params![session_id, expires_at_ms])?;
            Ok(())
        })
        .await
    }

    async fn ui_session_revoked(&self, session_id: &str) -> Result<bool, StoreError> {
        let session_id = session_id.to_owned();
        self.read(move |conn| {
            let found = conn
                .prepare_cached("SELECT 1 FROM ui_revoked_sessions WHERE session_id = ?1")?
                .query_row(params![session_id], |_| Ok(()))
                .optional()?;
            Ok(found.is_some())
        })
        .await
    }
}
