//! Delivery attempt records of outbound and inbound messages.

use reqwest::Method;
use serde::Deserialize;

use super::seg;
use crate::client::{Client, DataMeta};
use crate::error::Result;
use crate::models::{AttemptRecord, AttemptsResponse};
use crate::transport::Call;

/// `meta` of the attempts list: `has_more` defaults to false (and `meta` may be absent).
#[derive(Deserialize, Default)]
struct AttemptsMeta {
    #[serde(default)]
    has_more: bool,
}

impl Client {
    /// The delivery attempts of an outbound message (an unknown id gives an empty list).
    pub async fn get_message_attempts(&self, message_id: &str) -> Result<AttemptsResponse> {
        self.attempts(format!("/v1/messages/{}/attempts", seg(message_id))).await
    }

    /// The forwarding attempts of an inbound message (an unknown id gives an empty list).
    pub async fn get_inbound_message_attempts(&self, message_id: &str) -> Result<AttemptsResponse> {
        self.attempts(format!("/v1/inbound-messages/{}/attempts", seg(message_id))).await
    }

    async fn attempts(&self, path: String) -> Result<AttemptsResponse> {
        let page: DataMeta<Vec<AttemptRecord>, Option<AttemptsMeta>> = self.decode(Call::new(Method::GET, path)).await?;
        Ok(AttemptsResponse { attempts: page.data, has_more: page.meta.unwrap_or_default().has_more })
    }
}
