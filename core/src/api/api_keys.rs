//! API keys.

use reqwest::Method;
use serde::Serialize;

use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::{ApiKeyInfo, CreateApiKeyResponse};
use crate::transport::Call;

/// Key modes: `live` keys start with `hb_live_`, `test` keys with `hb_test_`.
pub mod key_mode {
    /// Production key.
    pub const LIVE: &str = "live";
    /// Test key.
    pub const TEST: &str = "test";
}

#[derive(Serialize)]
struct CreateKey<'a> {
    mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
}

impl Client {
    /// Every API key of the project (never the secrets).
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>> {
        self.data(Call::new(Method::GET, "/v1/api-keys")).await
    }

    /// Creates a key; `mode` is `live` or `test`. The secret is returned only this once.
    pub async fn create_api_key(&self, mode: &str, label: Option<&str>) -> Result<CreateApiKeyResponse> {
        self.data(Call::new(Method::POST, "/v1/api-keys").json(&CreateKey { mode, label })?).await
    }

    /// Revokes a key immediately.
    pub async fn delete_api_key(&self, key_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::DELETE, format!("/v1/api-keys/{}", seg(key_id)))).await
    }
}
