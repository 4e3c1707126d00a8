//! Sending webhooks (`POST /v1/webhooks/send` on the send host).

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::models::{HeaderMap, SendWebhookResponse};
use crate::transport::Call;

/// Optional parts of a send.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SendOptions {
    /// Headers added to this delivery (sent only when non-empty).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub headers: Option<HeaderMap>,
    /// Makes the send idempotent per endpoint: a repeat with the same payload returns the
    /// original message, a different payload fails with `IDEMPOTENCY_MISMATCH` (sent only when non-empty).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub idempotency_key: Option<String>,
}

#[derive(Serialize)]
struct SendBody<'a> {
    endpoint_id: &'a str,
    payload: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<&'a HeaderMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<&'a str>,
}

impl Client {
    /// Sends `payload` to an endpoint; the message is stored durably before this returns.
    ///
    /// Retried on network errors, timeouts and 5xx: without an idempotency key a retry after a
    /// lost answer can create a second message.
    pub async fn send(
        &self,
        endpoint_id: &str,
        payload: &serde_json::Value,
        options: &SendOptions,
    ) -> Result<SendWebhookResponse> {
        let body = SendBody {
            endpoint_id,
            payload,
            headers: options.headers.as_ref().filter(|h| !h.is_empty()),
            idempotency_key: options.idempotency_key.as_deref().filter(|k| !k.is_empty()),
        };
        self.data(Call::new(reqwest::Method::POST, "/v1/webhooks/send").on_send_host().json(&body)?).await
    }
}
