//! Outbound endpoints and their signing keys.

use super::{
    EndpointChanges, EndpointListing, EndpointRecord, EndpointWrite, ListCursor, ListPage, SigningKeyRecord, SigningKeyWrite,
    StoreError,
};

/// Most active signing keys per endpoint.
pub const MAX_SIGNING_KEYS: i64 = 2;

/// Storage of outbound endpoints and their signing keys.
#[async_trait::async_trait]
pub trait EndpointStore: Send + Sync {
    /// Creates an endpoint and its first signing key.
    async fn create_endpoint(&self, endpoint: super::NewEndpoint) -> Result<EndpointWrite<()>, StoreError>;

    /// One live endpoint of the project.
    async fn get_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<EndpointRecord>, StoreError>;

    /// A page of the project's live endpoints, newest first.
    async fn list_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<EndpointListing>, StoreError>;

    /// Applies a partial update.
    async fn update_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        changes: EndpointChanges,
        now_ms: i64,
    ) -> Result<EndpointWrite<()>, StoreError>;

    /// Soft-deletes an endpoint; its undelivered messages become `failed_permanent`.
    /// Returns how many messages were failed.
    async fn delete_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<EndpointWrite<u64>, StoreError>;

    /// Pauses (`queued` messages become `paused`) or resumes (`paused` messages become `queued`,
    /// due now). Returns the number of messages re-queued by a resume.
    async fn set_endpoint_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<EndpointWrite<u64>, StoreError>;

    /// Adds a signing key (at most [`MAX_SIGNING_KEYS`] active).
    async fn create_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: String,
        secret: String,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError>;

    /// The endpoint's active signing keys, oldest first.
    async fn list_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError>;

    /// Deletes a signing key (never the last active one).
    async fn delete_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError>;
}
