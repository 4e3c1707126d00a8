//! PostgreSQL implementation of [`InboundStore`]: endpoint rows and signing keys in
//! `endpoints`, ingest and rejections in `traffic`.

mod endpoints;
pub(super) mod traffic;

use super::sql::{WorkNote, commit};
use super::{PgStore, messages::message_row, pg_err};
use crate::store::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundMessageRecord, InboundProfile, InboundSettings, InboundUpdate,
    IngestOutcome, ListenRecord, NewInboundEndpoint, NewRejection, NewSigningKey, RejectionFilter, RejectionRecord, ReplayGuard,
    StoredInbound,
};
use crate::store::rows::MessageRow;
use crate::store::{Direction, InboundStore, ListCursor, ListPage, NewMessage, SigningKeyRecord, SigningKeyWrite, StoreError};

#[async_trait::async_trait]
impl InboundStore for PgStore {
    async fn create_inbound_endpoint(&self, endpoint: NewInboundEndpoint) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        endpoints::create(&tx, &self.secrets(), &endpoint).await?;
        commit(tx, ()).await
    }

    async fn get_inbound_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<Option<InboundEndpointRecord>, StoreError> {
        endpoints::get(&self.client().await?, project_id, endpoint_id).await
    }

    async fn get_inbound_config(&self, project_id: &str, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        let stored = endpoints::stored_by_id(&self.client().await?, &self.secrets(), endpoint_id).await?;
        Ok(stored.filter(|e| e.project_id == project_id && !e.deleted))
    }

    async fn list_inbound_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<InboundEndpointListing>, StoreError> {
        endpoints::list(&self.client().await?, project_id, limit, after.as_ref()).await
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
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let keys = self.secrets();
        let outcome =
            endpoints::update(&tx, &keys, project_id, endpoint_id, &profile, &settings, signing_key.as_ref(), now_ms).await?;
        commit(tx, outcome).await
    }

    async fn delete_inbound_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        endpoints::delete(&self.client().await?, project_id, endpoint_id, now_ms).await
    }

    async fn set_inbound_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let note = WorkNote::default();
        let done = endpoints::set_paused(&tx, project_id, endpoint_id, paused, now_ms, &note).await?;
        let done = commit(tx, done).await?;
        self.announce_if(&note);
        Ok(done)
    }

    async fn ingest_target(&self, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        endpoints::stored_by_id(&self.client().await?, &self.secrets(), endpoint_id).await
    }

    async fn accept_inbound(&self, message: NewMessage, replay_guard: Option<ReplayGuard>) -> Result<IngestOutcome, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let outcome = traffic::accept(&tx, &message, replay_guard.as_ref()).await?;
        if outcome == IngestOutcome::Accepted {
            let outcome = commit(tx, outcome).await?;
            self.announce_work();
            Ok(outcome)
        } else {
            tx.rollback().await.map_err(pg_err)?;
            Ok(outcome)
        }
    }

    async fn record_rejection(&self, rejection: NewRejection, keep: usize) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        traffic::record_rejection(&tx, &rejection, keep).await?;
        commit(tx, ()).await
    }

    async fn list_rejections(&self, filter: RejectionFilter) -> Result<ListPage<RejectionRecord>, StoreError> {
        traffic::list_rejections(&self.client().await?, &filter).await
    }

    async fn get_inbound_message(&self, project_id: &str, message_id: &str) -> Result<Option<InboundMessageRecord>, StoreError> {
        message_row(&self.client().await?, project_id, Direction::Inbound, message_id).await?.map(MessageRow::inbound).transpose()
    }

    async fn listen_inbound(
        &self,
        project_id: &str,
        endpoint_id: &str,
        after: Option<&str>,
        max_messages: usize,
        max_bytes: i64,
    ) -> Result<Vec<ListenRecord>, StoreError> {
        traffic::listen(&self.client().await?, project_id, endpoint_id, after, max_messages, max_bytes).await
    }

    async fn create_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key: NewSigningKey,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let outcome = endpoints::create_key(&tx, &self.secrets(), project_id, endpoint_id, &key, now_ms).await?;
        commit(tx, outcome).await
    }

    async fn list_inbound_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
        endpoints::list_keys(&self.client().await?, &self.secrets(), project_id, endpoint_id).await
    }

    async fn delete_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let outcome = endpoints::delete_key(&tx, project_id, endpoint_id, key_id, now_ms).await?;
        commit(tx, outcome).await
    }
}
