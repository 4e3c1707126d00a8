//! Revoked dashboard sessions: a session cookie is a sealed token, so logging out cannot take it
//! back from a browser or from whoever copied it. The server keeps the ids of logged-out
//! sessions until their tokens expire and refuses those tokens meanwhile.

use super::StoreError;

/// Storage of revoked dashboard sessions.
#[async_trait::async_trait]
pub trait UiSessionStore: Send + Sync {
    /// Records `session_id` as revoked until `expires_at_ms` (the token's own expiry), and drops
    /// the records of tokens that expired before `now_ms` (they are refused anyway).
    async fn revoke_ui_session(&self, session_id: &str, expires_at_ms: i64, now_ms: i64) -> Result<(), StoreError>;

    /// Whether `session_id` was revoked.
    async fn ui_session_revoked(&self, session_id: &str) -> Result<bool, StoreError>;
}
