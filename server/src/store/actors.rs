//! Resolving actor ids to display facts: the API keys of a project to their labels. A
//! self-hosted server has no user accounts, so user ids resolve to nothing.

use super::StoreError;

/// Storage reads for actor lookups.
#[async_trait::async_trait]
pub trait ActorStore: Send + Sync {
    /// `(key id, label)` of each listed API key of the project (revoked keys included: they may
    /// have acted before); ids that are not the project's keys are left out. A key without a
    /// label has `""`.
    async fn api_key_labels(&self, project_id: &str, key_ids: Vec<String>) -> Result<Vec<(String, String)>, StoreError>;
}
