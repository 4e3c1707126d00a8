//! PostgreSQL: InboundStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::inbound::*;
use crate::store::*;
use hookbridge::{InboundEndpoint, InboundEndpointSummary, InboundRejection, SigningKey};

fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl InboundStore for PgStore {
    async fn create_inbound_endpoint(&self, endpoint: NewInboundEndpoint) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn get_inbound_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<InboundEndpoint>, StoreError> {
        Err(not_yet())
    }

    async fn get_inbound_config(&self, project_id: &str, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        Err(not_yet())
    }

    async fn list_inbound_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<InboundEndpointSummary>, StoreError> {
        Err(not_yet())
    }

    async fn update_inbound_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        profile: InboundProfile,
        settings: InboundSettings,
        signing_key: Option<NewSigningKey>,
        now_ms: i64,
    ) -> Result<InboundUpdate, StoreError> {
        Err(not_yet())
    }

    async fn delete_inbound_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        Err(not_yet())
    }

    async fn set_inbound_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        Err(not_yet())
    }

    async fn ingest_target(&self, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        Err(not_yet())
    }

    async fn accept_inbound(&self, message: NewMessage, replay_guard: Option<ReplayGuard>) -> Result<IngestOutcome, StoreError> {
        Err(not_yet())
    }

    async fn record_rejection(&self, rejection: NewRejection, keep: usize) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn list_rejections(&self, filter: RejectionFilter) -> Result<ListPage<InboundRejection>, StoreError> {
        Err(not_yet())
    }

    async fn get_inbound_message(&self, project_id: &str, message_id: &str) -> Result<Option<InboundMessageRecord>, StoreError> {
        Err(not_yet())
    }

    async fn create_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key: NewSigningKey,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        Err(not_yet())
    }

    async fn list_inbound_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKey>>, StoreError> {
        Err(not_yet())
    }

    async fn delete_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        Err(not_yet())
    }
}
