//! Inbound endpoints, inbound message replay, inbound logs, metrics and rejections.

use super::HookBridgeClient;
use crate::error::HookBridgeError;
use crate::json::{JsonInput, json_object, json_text};
use hookbridge::models::*;
use hookbridge::{InboundEndpointSettings, InboundLogsQuery, Page, RejectionsQuery};

type Result<T> = std::result::Result<T, HookBridgeError>;

#[uniffi::export(async_runtime = "tokio")]
impl HookBridgeClient {
    /// Creates an inbound endpoint; `ingest_url` and `secret_token` are returned only this once.
    #[uniffi::method(default(settings = None))]
    pub async fn create_inbound_endpoint(
        &self,
        url: String,
        settings: Option<InboundEndpointSettings>,
    ) -> Result<CreateInboundEndpointResponse> {
        Ok(self.inner.create_inbound_endpoint(&url, &settings.unwrap_or_default()).await?)
    }

    /// Creates an inbound endpoint, the 2.0.0 form: `url` may be left out for a `cli`-mode endpoint.
    #[uniffi::method(default(url = None, settings = None))]
    pub async fn create_inbound_endpoint_with(
        &self,
        url: Option<String>,
        settings: Option<InboundEndpointSettings>,
    ) -> Result<CreateInboundEndpointResponse> {
        Ok(self.inner.create_inbound_endpoint_with(url.as_deref(), &settings.unwrap_or_default()).await?)
    }

    /// Adds a signing key of forwarded requests (at most 2 active).
    pub async fn create_inbound_signing_key(&self, endpoint_id: String) -> Result<RotateSecretResponse> {
        Ok(self.inner.create_inbound_signing_key(&endpoint_id).await?)
    }

    /// The inbound endpoint's signing keys (hints only, no secrets).
    pub async fn list_inbound_signing_keys(&self, endpoint_id: String) -> Result<Vec<SigningKey>> {
        Ok(self.inner.list_inbound_signing_keys(&endpoint_id).await?)
    }

    /// Deletes a signing key of forwarded requests (the last one cannot be deleted).
    pub async fn delete_inbound_signing_key(&self, endpoint_id: String, key_id: String) -> Result<()> {
        Ok(self.inner.delete_inbound_signing_key(&endpoint_id, &key_id).await?)
    }

    /// Up to 50 requests a `cli`-mode inbound endpoint stored after `after`, oldest first.
    pub async fn listen_inbound_endpoint(
        &self,
        endpoint_id: String,
        after: Option<String>,
    ) -> Result<ListenInboundEndpointResponse> {
        Ok(self.inner.listen_inbound_endpoint(&endpoint_id, after.as_deref()).await?)
    }

    /// One inbound message (without its body).
    pub async fn get_inbound_message(&self, message_id: String) -> Result<InboundMessage> {
        Ok(self.inner.get_inbound_message(&message_id).await?)
    }

    /// A page of inbound endpoints; `has_more` is true when the server gave a next cursor.
    #[uniffi::method(default(page = None))]
    pub async fn list_inbound_endpoints(&self, page: Option<Page>) -> Result<ListInboundEndpointsResponse> {
        Ok(self.inner.list_inbound_endpoints(&page.unwrap_or_default()).await?)
    }

    /// One inbound endpoint (without secrets).
    pub async fn get_inbound_endpoint(&self, endpoint_id: String) -> Result<InboundEndpoint> {
        Ok(self.inner.get_inbound_endpoint(&endpoint_id).await?)
    }

    /// Changes the given settings of an inbound endpoint.
    pub async fn update_inbound_endpoint(&self, endpoint_id: String, settings: InboundEndpointSettings) -> Result<UpdateResult> {
        Ok(self.inner.update_inbound_endpoint(&endpoint_id, &settings).await?)
    }

    /// Sends exactly `fields` (a JSON object) as the update body.
    pub async fn update_inbound_endpoint_fields(&self, endpoint_id: String, fields: JsonInput) -> Result<UpdateResult> {
        let fields = json_object(fields.parse("fields")?, "fields")?;
        Ok(self.inner.update_inbound_endpoint_fields(&endpoint_id, &fields).await?)
    }

    /// `update_inbound_endpoint_fields` with the object as JSON text.
    pub async fn update_inbound_endpoint_fields_json(&self, endpoint_id: String, fields_json: String) -> Result<UpdateResult> {
        let fields = json_object(json_text(&fields_json, "fields")?, "fields")?;
        Ok(self.inner.update_inbound_endpoint_fields(&endpoint_id, &fields).await?)
    }

    /// Deletes an inbound endpoint; accepted messages are still forwarded.
    pub async fn delete_inbound_endpoint(&self, endpoint_id: String) -> Result<DeleteResult> {
        Ok(self.inner.delete_inbound_endpoint(&endpoint_id).await?)
    }

    /// Pauses ingest: new requests are refused until resumed.
    pub async fn pause_inbound_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.pause_inbound_endpoint(&endpoint_id).await?)
    }

    /// Resumes ingest.
    pub async fn resume_inbound_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.resume_inbound_endpoint(&endpoint_id).await?)
    }

    /// Re-queues one inbound message for forwarding.
    pub async fn replay_inbound_message(&self, message_id: String) -> Result<ReplayMessageResponse> {
        Ok(self.inner.replay_inbound_message(&message_id).await?)
    }

    /// Re-queues every inbound message in `status` (optionally of one endpoint).
    #[uniffi::method(default(inbound_endpoint_id = None, limit = None))]
    pub async fn replay_all_inbound_messages(
        &self,
        status: String,
        inbound_endpoint_id: Option<String>,
        limit: Option<i64>,
    ) -> Result<ReplayAllMessagesResponse> {
        Ok(self.inner.replay_all_inbound_messages(&status, inbound_endpoint_id.as_deref(), limit).await?)
    }

    /// Re-queues the given inbound messages (at most 100).
    pub async fn replay_batch_inbound_messages(&self, message_ids: Vec<String>) -> Result<ReplayBatchMessagesResponse> {
        Ok(self.inner.replay_batch_inbound_messages(&message_ids).await?)
    }

    /// A page of inbound messages, newest first.
    #[uniffi::method(default(query = None))]
    pub async fn get_inbound_logs(&self, query: Option<InboundLogsQuery>) -> Result<InboundLogsResponse> {
        Ok(self.inner.get_inbound_logs(&query.unwrap_or_default()).await?)
    }

    /// Inbound metrics over `window`, optionally for one endpoint.
    #[uniffi::method(default(window = "24h", inbound_endpoint_id = None))]
    pub async fn get_inbound_metrics(&self, window: String, inbound_endpoint_id: Option<String>) -> Result<InboundMetrics> {
        Ok(self.inner.get_inbound_metrics(&window, inbound_endpoint_id.as_deref()).await?)
    }

    /// Inbound metrics bucketed over `window`.
    #[uniffi::method(default(window = "24h", inbound_endpoint_id = None))]
    pub async fn get_inbound_timeseries_metrics(
        &self,
        window: String,
        inbound_endpoint_id: Option<String>,
    ) -> Result<TimeSeriesMetrics> {
        Ok(self.inner.get_inbound_timeseries_metrics(&window, inbound_endpoint_id.as_deref()).await?)
    }

    /// A page of refused ingest requests, newest first.
    #[uniffi::method(default(query = None))]
    pub async fn list_inbound_rejections(&self, query: Option<RejectionsQuery>) -> Result<InboundRejectionsResponse> {
        Ok(self.inner.list_inbound_rejections(&query.unwrap_or_default()).await?)
    }
}
