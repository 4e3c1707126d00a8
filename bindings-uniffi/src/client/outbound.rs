//! Sending, messages, logs, metrics, the dead letter queue and outbound endpoints.

use super::HookBridgeClient;
use crate::error::HookBridgeError;
use crate::json::{JsonInput, json_text};
use hookbridge::models::*;
use hookbridge::{CreateEndpointOptions, LogsQuery, Page, ReplayAllOptions, SendOptions, UpdateEndpointOptions};

type Result<T> = std::result::Result<T, HookBridgeError>;

#[uniffi::export(async_runtime = "tokio")]
impl HookBridgeClient {
    /// Sends `payload` (any JSON value: a Kotlin `JsonElement`, Swift `Data` of UTF-8 JSON) to
    /// an endpoint; the message is stored durably before this returns. Retried on network
    /// errors, timeouts and 5xx: pass an idempotency key so a retry after a lost answer cannot
    /// create a second message. Bytes that are not JSON are a `Validation` error.
    #[uniffi::method(default(options = None))]
    pub async fn send(
        &self,
        endpoint_id: String,
        payload: JsonInput,
        options: Option<SendOptions>,
    ) -> Result<SendWebhookResponse> {
        let payload = payload.parse("payload")?;
        Ok(self.inner.send(&endpoint_id, &payload, &options.unwrap_or_default()).await?)
    }

    /// `send` with the payload as JSON text (sent as parsed: whitespace and key order are not
    /// kept); text that is not JSON is a `Validation` error.
    #[uniffi::method(default(options = None))]
    pub async fn send_json(
        &self,
        endpoint_id: String,
        payload_json: String,
        options: Option<SendOptions>,
    ) -> Result<SendWebhookResponse> {
        let payload = json_text(&payload_json, "payload")?;
        Ok(self.inner.send(&endpoint_id, &payload, &options.unwrap_or_default()).await?)
    }

    /// The full state of a message.
    pub async fn get_message(&self, message_id: String) -> Result<Message> {
        Ok(self.inner.get_message(&message_id).await?)
    }

    /// Re-queues a message for delivery (at most 10 manual replays per message).
    pub async fn replay(&self, message_id: String) -> Result<()> {
        Ok(self.inner.replay(&message_id).await?)
    }

    /// Cancels the pending retry of a message, moving it to the dead letter queue.
    pub async fn cancel_retry(&self, message_id: String) -> Result<()> {
        Ok(self.inner.cancel_retry(&message_id).await?)
    }

    /// Makes the pending retry of a message due now.
    pub async fn retry_now(&self, message_id: String) -> Result<()> {
        Ok(self.inner.retry_now(&message_id).await?)
    }

    /// Re-queues every message in a status (optionally of one endpoint).
    pub async fn replay_all_messages(&self, options: ReplayAllOptions) -> Result<ReplayAllMessagesResponse> {
        Ok(self.inner.replay_all_messages(&options).await?)
    }

    /// Re-queues the given messages (at most 100).
    pub async fn replay_batch_messages(&self, message_ids: Vec<String>) -> Result<ReplayBatchMessagesResponse> {
        Ok(self.inner.replay_batch_messages(&message_ids).await?)
    }

    /// A page of outbound messages, newest first.
    #[uniffi::method(default(query = None))]
    pub async fn get_logs(&self, query: Option<LogsQuery>) -> Result<LogsResponse> {
        Ok(self.inner.get_logs(&query.unwrap_or_default()).await?)
    }

    /// Aggregate metrics over `window` (`1h`, `24h`, `7d`, `30d`).
    #[uniffi::method(default(window = "24h"))]
    pub async fn get_metrics(&self, window: String) -> Result<Metrics> {
        Ok(self.inner.get_metrics(&window).await?)
    }

    /// Metrics bucketed over `window`, optionally for one endpoint.
    #[uniffi::method(default(window = "24h", endpoint_id = None))]
    pub async fn get_timeseries_metrics(&self, window: String, endpoint_id: Option<String>) -> Result<TimeSeriesMetrics> {
        Ok(self.inner.get_timeseries_metrics(&window, endpoint_id.as_deref()).await?)
    }

    /// A page of messages in `failed_permanent`.
    #[uniffi::method(default(page = None))]
    pub async fn get_dlq_messages(&self, page: Option<Page>) -> Result<DlqMessagesResponse> {
        Ok(self.inner.get_dlq_messages(&page.unwrap_or_default()).await?)
    }

    /// Re-queues a message from the dead letter queue (no replay cap).
    pub async fn replay_from_dlq(&self, message_id: String) -> Result<()> {
        Ok(self.inner.replay_from_dlq(&message_id).await?)
    }

    /// Creates an endpoint and its first signing key; the secret is returned only this once.
    #[uniffi::method(default(options = None))]
    pub async fn create_endpoint(&self, url: String, options: Option<CreateEndpointOptions>) -> Result<CreateEndpointResponse> {
        Ok(self.inner.create_endpoint(&url, &options.unwrap_or_default()).await?)
    }

    /// One endpoint (without its secret).
    pub async fn get_endpoint(&self, endpoint_id: String) -> Result<Endpoint> {
        Ok(self.inner.get_endpoint(&endpoint_id).await?)
    }

    /// A page of endpoints; `has_more` is true when the server gave a next cursor.
    #[uniffi::method(default(page = None))]
    pub async fn list_endpoints(&self, page: Option<Page>) -> Result<ListEndpointsResponse> {
        Ok(self.inner.list_endpoints(&page.unwrap_or_default()).await?)
    }

    /// Changes the given fields of an endpoint.
    pub async fn update_endpoint(&self, endpoint_id: String, changes: UpdateEndpointOptions) -> Result<()> {
        Ok(self.inner.update_endpoint(&endpoint_id, &changes).await?)
    }

    /// Deletes an endpoint; its undelivered messages fail permanently.
    pub async fn delete_endpoint(&self, endpoint_id: String) -> Result<()> {
        Ok(self.inner.delete_endpoint(&endpoint_id).await?)
    }

    /// Pauses delivery to an endpoint; sends are still accepted and stored.
    pub async fn pause_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.pause_endpoint(&endpoint_id).await?)
    }

    /// Resumes delivery; `messages_requeued` counts the held messages re-scheduled.
    pub async fn resume_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.resume_endpoint(&endpoint_id).await?)
    }

    /// Adds a signing key (at most 2 active); deliveries are then signed with both.
    pub async fn create_endpoint_signing_key(&self, endpoint_id: String) -> Result<RotateSecretResponse> {
        Ok(self.inner.create_endpoint_signing_key(&endpoint_id).await?)
    }

    /// The endpoint's signing keys (hints only, no secrets).
    pub async fn list_endpoint_signing_keys(&self, endpoint_id: String) -> Result<Vec<SigningKey>> {
        Ok(self.inner.list_endpoint_signing_keys(&endpoint_id).await?)
    }

    /// Deletes a signing key (the last one cannot be deleted).
    pub async fn delete_endpoint_signing_key(&self, endpoint_id: String, key_id: String) -> Result<()> {
        Ok(self.inner.delete_endpoint_signing_key(&endpoint_id, &key_id).await?)
    }

    /// Same as `create_endpoint_signing_key`: the old key keeps signing until deleted.
    pub async fn rotate_endpoint_secret(&self, endpoint_id: String) -> Result<RotateSecretResponse> {
        Ok(self.inner.rotate_endpoint_secret(&endpoint_id).await?)
    }
}
