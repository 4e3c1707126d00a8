//! Message status, replay, cancel and retry-now.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::{Message, ReplayAllMessagesResponse, ReplayBatchMessagesResponse};
use crate::query::Query;
use crate::transport::Call;

/// Which messages `replay_all_messages` re-queues.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReplayAllOptions {
    /// `failed_permanent` or `pending_retry`.
    pub status: String,
    /// Only this endpoint's messages.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub endpoint_id: Option<String>,
    /// At most this many.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
}

impl ReplayAllOptions {
    /// Replays every message in `status`.
    pub fn status(status: impl Into<String>) -> Self {
        ReplayAllOptions { status: status.into(), endpoint_id: None, limit: None }
    }
}

#[derive(Serialize)]
pub(crate) struct MessageIds<'a> {
    pub message_ids: &'a [String],
}

impl Client {
    /// The full state of a message.
    pub async fn get_message(&self, message_id: &str) -> Result<Message> {
        self.data(Call::new(Method::GET, format!("/v1/messages/{}", seg(message_id)))).await
    }

    /// Re-queues a message for delivery (at most 10 manual replays per message).
    pub async fn replay(&self, message_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::POST, format!("/v1/messages/{}/replay", seg(message_id)))).await
    }

    /// Cancels the pending retry of a message, moving it to the dead letter queue.
    pub async fn cancel_retry(&self, message_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::POST, format!("/v1/messages/{}/cancel", seg(message_id)))).await
    }

    /// Makes the pending retry of a message due now.
    pub async fn retry_now(&self, message_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::POST, format!("/v1/messages/{}/retry-now", seg(message_id)))).await
    }

    /// Re-queues every message in a status (optionally of one endpoint).
    pub async fn replay_all_messages(&self, options: &ReplayAllOptions) -> Result<ReplayAllMessagesResponse> {
        let mut q = Query::new();
        q.push("status", &options.status).opt("endpoint_id", options.endpoint_id.as_ref()).opt("limit", options.limit);
        self.data(Call::new(Method::POST, "/v1/messages/replay-all").query(q)).await
    }

    /// Re-queues the given messages (at most 100).
    pub async fn replay_batch_messages(&self, message_ids: &[String]) -> Result<ReplayBatchMessagesResponse> {
        self.data(Call::new(Method::POST, "/v1/messages/replay-batch").json(&MessageIds { message_ids })?).await
    }
}
