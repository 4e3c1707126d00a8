//! Soft deletion of outbound and inbound messages: one, a batch, or every message matching
//! filters. The payload is purged; the record stays with `deleted_at`.

use reqwest::Method;
use serde::Deserialize;

use super::messages::MessageIds;
use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::{DeleteAllResult, DeleteBatchResult, DeleteMessageResult, DeletePartialError};
use crate::query::Query;
use crate::time::TimeArg;
use crate::transport::Call;

/// Which outbound messages `delete_messages_all` deletes (all filters optional).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteMessagesAllOptions {
    /// Only messages in this status.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this endpoint's messages.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub endpoint_id: Option<String>,
    /// Created at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_after: Option<TimeArg>,
    /// Created at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_before: Option<TimeArg>,
    /// At most this many (the server allows up to 1000 per call).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
}

/// Which inbound messages `delete_inbound_messages_all` deletes (all filters optional).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteInboundMessagesAllOptions {
    /// Only messages in this status.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this inbound endpoint's messages.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub inbound_endpoint_id: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub received_after: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub received_before: Option<TimeArg>,
    /// At most this many (the server allows up to 1000 per call).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
}

/// The answer of a delete-all: `data`, and a partial failure beside it.
#[derive(Deserialize)]
struct DeleteAllReply {
    data: DeleteAllData,
    #[serde(default)]
    error: Option<DeletePartialError>,
}

#[derive(Deserialize)]
struct DeleteAllData {
    deleted: i64,
    #[serde(default)]
    deleted_message_ids: Vec<String>,
}

impl Client {
    /// Deletes an outbound message (idempotent: a second call reports `already_deleted`).
    pub async fn delete_message(&self, message_id: &str) -> Result<DeleteMessageResult> {
        self.data(Call::new(Method::DELETE, format!("/v1/messages/{}", seg(message_id)))).await
    }

    /// Deletes up to 100 outbound messages by id.
    pub async fn delete_messages_batch(&self, message_ids: &[String]) -> Result<DeleteBatchResult> {
        self.data(Call::new(Method::POST, "/v1/messages/delete-batch").json(&MessageIds { message_ids })?).await
    }

    /// Deletes the outbound messages matching the filters (a bounded number per call).
    pub async fn delete_messages_all(&self, options: &DeleteMessagesAllOptions) -> Result<DeleteAllResult> {
        let mut q = Query::new();
        q.opt("status", options.status.as_ref())
            .opt("endpoint_id", options.endpoint_id.as_ref())
            .time("created_after", options.created_after.as_ref())
            .time("created_before", options.created_before.as_ref())
            .opt("limit", options.limit);
        self.delete_all(Call::new(Method::POST, "/v1/messages/delete-all").query(q)).await
    }

    /// Deletes an inbound message (idempotent).
    pub async fn delete_inbound_message(&self, message_id: &str) -> Result<DeleteMessageResult> {
        self.data(Call::new(Method::DELETE, format!("/v1/inbound-messages/{}", seg(message_id)))).await
    }

    /// Deletes up to 100 inbound messages by id.
    pub async fn delete_inbound_messages_batch(&self, message_ids: &[String]) -> Result<DeleteBatchResult> {
        self.data(Call::new(Method::POST, "/v1/inbound-messages/delete-batch").json(&MessageIds { message_ids })?).await
    }

    /// Deletes the inbound messages matching the filters (a bounded number per call).
    pub async fn delete_inbound_messages_all(&self, options: &DeleteInboundMessagesAllOptions) -> Result<DeleteAllResult> {
        let mut q = Query::new();
        q.opt("status", options.status.as_ref())
            .opt("inbound_endpoint_id", options.inbound_endpoint_id.as_ref())
            .time("received_after", options.received_after.as_ref())
            .time("received_before", options.received_before.as_ref())
            .opt("limit", options.limit);
        self.delete_all(Call::new(Method::POST, "/v1/inbound-messages/delete-all").query(q)).await
    }

    async fn delete_all(&self, call: Call) -> Result<DeleteAllResult> {
        let reply: DeleteAllReply = self.decode(call).await?;
        Ok(DeleteAllResult {
            deleted: reply.data.deleted,
            deleted_message_ids: reply.data.deleted_message_ids,
            error: reply.error,
        })
    }
}
