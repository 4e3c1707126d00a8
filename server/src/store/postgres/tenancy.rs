//! PostgreSQL: TenancyStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::tenancy::*;
use crate::store::*;
use hookbridge::{ApiKeyInfo, Project};

fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl TenancyStore for PgStore {
    async fn data_dir_mode(&self, dev_key_hash: String) -> Result<Option<DataDirMode>, StoreError> {
        Err(not_yet())
    }

    async fn ensure_bootstrap(&self, api_key: Option<String>, mode: DataDirMode) -> Result<BootstrapOutcome, StoreError> {
        Err(not_yet())
    }

    async fn authenticate(&self, key_hash: &str) -> Result<Option<AuthenticatedKey>, StoreError> {
        Err(not_yet())
    }

    async fn list_projects(&self, tenant_id: &str) -> Result<Vec<Project>, StoreError> {
        Err(not_yet())
    }

    async fn create_project(&self, tenant_id: &str, name: String, rate_limit_default: i64) -> Result<Project, StoreError> {
        Err(not_yet())
    }

    async fn get_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Project>, StoreError> {
        Err(not_yet())
    }

    async fn update_project(
        &self,
        tenant_id: &str,
        project_id: &str,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Option<Project>, StoreError> {
        Err(not_yet())
    }

    async fn delete_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        Err(not_yet())
    }

    async fn list_api_keys(&self, project_id: &str) -> Result<Vec<ApiKeyInfo>, StoreError> {
        Err(not_yet())
    }

    async fn api_key_rank(&self, project_id: &str, key_id: &str) -> Result<Option<KeyRank>, StoreError> {
        Err(not_yet())
    }

    async fn create_api_key(&self, key: NewApiKey) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn delete_api_key(&self, project_id: &str, key_id: &str) -> Result<bool, StoreError> {
        Err(not_yet())
    }
}
