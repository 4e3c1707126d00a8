//! Readiness: a check that the database answers, cheap enough for an unauthenticated probe.

use super::StoreError;

/// Storage side of `/readyz`.
#[async_trait::async_trait]
pub trait HealthStore: Send + Sync {
    /// Runs a trivial query (no table is read); an error means the database is not usable.
    async fn ping(&self) -> Result<(), StoreError>;
}
