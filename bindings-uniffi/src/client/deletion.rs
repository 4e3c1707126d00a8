//! Attempt records, message deletion, actor lookup and export deletion (SDK 2.0 operations).

use super::HookBridgeClient;
use crate::error::HookBridgeError;
use hookbridge::models::*;
use hookbridge::{DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions};

type Result<T> = std::result::Result<T, HookBridgeError>;

#[uniffi::export(async_runtime = "tokio")]
impl HookBridgeClient {
    /// The delivery attempts of an outbound message, oldest first.
    pub async fn get_message_attempts(&self, message_id: String) -> Result<AttemptsResponse> {
        Ok(self.inner.get_message_attempts(&message_id).await?)
    }

    /// The forwarding attempts of an inbound message, oldest first.
    pub async fn get_inbound_message_attempts(&self, message_id: String) -> Result<AttemptsResponse> {
        Ok(self.inner.get_inbound_message_attempts(&message_id).await?)
    }

    /// Deletes an outbound message (payload purged, record kept; idempotent).
    pub async fn delete_message(&self, message_id: String) -> Result<DeleteMessageResult> {
        Ok(self.inner.delete_message(&message_id).await?)
    }

    /// Deletes up to 100 outbound messages by id.
    pub async fn delete_messages_batch(&self, message_ids: Vec<String>) -> Result<DeleteBatchResult> {
        Ok(self.inner.delete_messages_batch(&message_ids).await?)
    }

    /// Deletes the outbound messages matching the filters.
    #[uniffi::method(default(options = None))]
    pub async fn delete_messages_all(&self, options: Option<DeleteMessagesAllOptions>) -> Result<DeleteAllResult> {
        Ok(self.inner.delete_messages_all(&options.unwrap_or_default()).await?)
    }

    /// Deletes an inbound message (idempotent).
    pub async fn delete_inbound_message(&self, message_id: String) -> Result<DeleteMessageResult> {
        Ok(self.inner.delete_inbound_message(&message_id).await?)
    }

    /// Deletes up to 100 inbound messages by id.
    pub async fn delete_inbound_messages_batch(&self, message_ids: Vec<String>) -> Result<DeleteBatchResult> {
        Ok(self.inner.delete_inbound_messages_batch(&message_ids).await?)
    }

    /// Deletes the inbound messages matching the filters.
    #[uniffi::method(default(options = None))]
    pub async fn delete_inbound_messages_all(&self, options: Option<DeleteInboundMessagesAllOptions>) -> Result<DeleteAllResult> {
        Ok(self.inner.delete_inbound_messages_all(&options.unwrap_or_default()).await?)
    }

    /// Resolves user ids and API key ids to display facts (API keys: their label).
    #[uniffi::method(default(user_ids = [], api_key_ids = []))]
    pub async fn lookup_actors(&self, user_ids: Vec<String>, api_key_ids: Vec<String>) -> Result<ActorLookupResult> {
        Ok(self.inner.lookup_actors(&user_ids, &api_key_ids).await?)
    }

    /// Deletes an export and its file.
    pub async fn delete_export(&self, export_id: String) -> Result<()> {
        Ok(self.inner.delete_export(&export_id).await?)
    }
}
