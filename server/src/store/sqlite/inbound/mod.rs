//! SQLite implementation of [`InboundStore`]: endpoint rows and signing keys in `endpoints`,
//! ingest, rejections and message reads in `traffic`.

mod endpoints;
pub(super) mod traffic;

use super::SqliteStore;
use crate::store::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundMessageRecord, InboundProfile, InboundSettings, InboundUpdate,
    IngestOutcome, ListenRecord, NewInboundEndpoint, NewRejection, NewSigningKey, RejectionFilter, RejectionRecord, ReplayGuard,
    StoredInbound,
};
use crate::store::{InboundStore, ListCursor, ListPage, NewMessage, SigningKeyRecord, SigningKeyWrite, StoreError};

#[async_trait::async_trait]
impl InboundStore for SqliteStore {
    async fn create_inbound_endpoint(&self, endpoint: NewInboundEndpoint) -> Result<(), StoreError> {
        let keys = self.secrets();
        self.write(move |conn| endpoints::create(conn, &keys, &endpoint)).await
    }

    async fn get_inbound_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<Option<InboundEndpointRecord>, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.read(move |conn| endpoints::get(conn, &project, &id)).await
    }

    async fn get_inbound_config(&self, project_id: &str, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| endpoints::live_config(conn, &keys, &project, &id)).await
    }

    async fn list_inbound_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<InboundEndpointListing>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| endpoints::list(conn, &project, limit, after.as_ref())).await
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
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.write(move |conn| endpoints::update(conn, &keys, &project, &id, &profile, &settings, signing_key.as_ref(), now_ms))
            .await
    }

    async fn delete_inbound_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| endpoints::delete(conn, &project, &id, now_ms)).await
    }

    async fn set_inbound_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| endpoints::set_paused(conn, &project, &id, paused, now_ms)).await
    }

    async fn ingest_target(&self, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
        let (id, keys) = (endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| endpoints::stored_by_id(conn, &keys, &id)).await
    }

    async fn accept_inbound(&self, message: NewMessage, replay_guard: Option<ReplayGuard>) -> Result<IngestOutcome, StoreError> {
        self.write(move |conn| traffic::accept(conn, &message, replay_guard.as_ref())).await
    }

    async fn record_rejection(&self, rejection: NewRejection, keep: usize) -> Result<(), StoreError> {
        self.write(move |conn| traffic::record_rejection(conn, &rejection, keep)).await
    }

    async fn list_rejections(&self, filter: RejectionFilter) -> Result<ListPage<RejectionRecord>, StoreError> {
        self.read(move |conn| traffic::list_rejections(conn, &filter)).await
    }

    async fn get_inbound_message(&self, project_id: &str, message_id: &str) -> Result<Option<InboundMessageRecord>, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.read(move |conn| super::message_queries::get_inbound_message(conn, &project, &id)).await
    }

    async fn listen_inbound(
        &self,
        project_id: &str,
        endpoint_id: &str,
        after: Option<&str>,
        max_messages: usize,
        max_bytes: i64,
    ) -> Result<Vec<ListenRecord>, StoreError> {
        let (project, id, after) = (project_id.to_owned(), endpoint_id.to_owned(), after.map(str::to_owned));
        self.read(move |conn| traffic::listen(conn, &project, &id, after.as_deref(), max_messages, max_bytes)).await
    }

    async fn create_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key: NewSigningKey,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.write(move |conn| endpoints::create_key(conn, &keys, &project, &id, &key, now_ms)).await
    }

    async fn list_inbound_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| endpoints::list_keys(conn, &keys, &project, &id)).await
    }

    async fn delete_inbound_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let (project, id, key) = (project_id.to_owned(), endpoint_id.to_owned(), key_id.to_owned());
        self.write(move |conn| endpoints::delete_key(conn, &project, &id, &key, now_ms)).await
    }
}
