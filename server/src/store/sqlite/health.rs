//! SQLite side of the readiness check.

use super::SqliteStore;
use crate::store::StoreError;
use crate::store::health::HealthStore;

#[async_trait::async_trait]
impl HealthStore for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(StoreError::from)).await
    }
}
