//! PostgreSQL health check.

use super::{PgStore, pg_err};
use crate::store::{HealthStore, StoreError};

#[async_trait::async_trait]
impl HealthStore for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.query_one("SELECT 1", &[]).await.map_err(pg_err)?;
        Ok(())
    }
}
