//! Projects and API keys.

use hookbridge::{ApiKeyInfo, Project};

use super::{AuthenticatedKey, BootstrapOutcome, NewApiKey, StoreError};

/// API requests per minute of a project when none is given (CONTRACT.md 1.13).
pub const DEFAULT_PROJECT_RATE_LIMIT: i64 = 1000;

/// Storage of projects and API keys.
#[async_trait::async_trait]
pub trait TenancyStore: Send + Sync {
    /// On an empty database: creates the default project and an API key (`api_key`, or a random
    /// live key) and returns the key's plaintext. When `api_key` is given and unknown on an
    /// existing database, adds it to the default project.
    async fn ensure_bootstrap(&self, api_key: Option<String>) -> Result<BootstrapOutcome, StoreError>;

    /// The caller of a non-revoked key with this SHA-256 hex hash (records `last_used_at`).
    async fn authenticate(&self, key_hash: &str) -> Result<Option<AuthenticatedKey>, StoreError>;

    /// The tenant's live projects, oldest first.
    async fn list_projects(&self, tenant_id: &str) -> Result<Vec<Project>, StoreError>;

    /// Creates a project in the tenant.
    async fn create_project(&self, tenant_id: &str, name: String, rate_limit_default: i64) -> Result<Project, StoreError>;

    /// One live project of the tenant.
    async fn get_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Project>, StoreError>;

    /// Changes the given fields of a live project of the tenant; `None` when there is none.
    async fn update_project(
        &self,
        tenant_id: &str,
        project_id: &str,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Option<Project>, StoreError>;

    /// Soft-deletes a project and revokes its keys; returns the revoked key ids, `None` when
    /// there is no such live project.
    async fn delete_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Vec<String>>, StoreError>;

    /// The project's active API keys, oldest first.
    async fn list_api_keys(&self, project_id: &str) -> Result<Vec<ApiKeyInfo>, StoreError>;

    /// Stores a new API key.
    async fn create_api_key(&self, key: NewApiKey) -> Result<(), StoreError>;

    /// Revokes an active key of the project; false when there is none.
    async fn delete_api_key(&self, project_id: &str, key_id: &str) -> Result<bool, StoreError>;
}
