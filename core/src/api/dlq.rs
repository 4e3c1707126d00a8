//! The dead letter queue.

use reqwest::Method;

use super::{Page, seg};
use crate::client::Client;
use crate::error::Result;
use crate::models::DlqMessagesResponse;
use crate::query::Query;
use crate::transport::Call;

impl Client {
    /// A page of messages in `failed_permanent`.
    pub async fn get_dlq_messages(&self, page: &Page) -> Result<DlqMessagesResponse> {
        let mut q = Query::new();
        q.opt("limit", page.limit).opt("cursor", page.cursor.as_ref());
        self.data(Call::new(Method::GET, "/v1/dlq/messages").query(q)).await
    }

    /// Re-queues a message from the dead letter queue (no replay cap).
    pub async fn replay_from_dlq(&self, message_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::POST, format!("/v1/dlq/replay/{}", seg(message_id)))).await
    }
}
