//! PostgreSQL: EndpointStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::endpoints::*;
use crate::store::*;
use hookbridge::{Endpoint, EndpointSummary, SigningKey};

fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl EndpointStore for PgStore {
    async fn create_endpoint(&self, endpoint: NewEndpoint) -> Result<EndpointWrite<()>, StoreError> {
        Err(not_yet())
    }

    async fn get_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<Endpoint>, StoreError> {
        Err(not_yet())
    }

    async fn list_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<EndpointSummary>, StoreError> {
        Err(not_yet())
    }

    async fn update_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        changes: EndpointChanges,
        now_ms: i64,
    ) -> Result<EndpointWrite<()>, StoreError> {
        Err(not_yet())
    }

    async fn delete_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<EndpointWrite<u64>, StoreError> {
        Err(not_yet())
    }

    async fn set_endpoint_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<EndpointWrite<u64>, StoreError> {
        Err(not_yet())
    }

    async fn create_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: String,
        secret: String,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        Err(not_yet())
    }

    async fn list_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKey>>, StoreError> {
        Err(not_yet())
    }

    async fn delete_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        Err(not_yet())
    }
}
