//! Signing keys of an inbound endpoint's forwarded requests (2.0.0): the same two-key rotation
//! as outbound endpoints.

use reqwest::Method;

use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::{RotateSecretResponse, SigningKey};
use crate::transport::Call;

impl Client {
    /// Adds a signing key (at most 2 active); forwarded requests are then signed with both.
    pub async fn create_inbound_signing_key(&self, endpoint_id: &str) -> Result<RotateSecretResponse> {
        self.data(Call::new(Method::POST, format!("/v1/inbound-endpoints/{}/signing-keys", seg(endpoint_id)))).await
    }

    /// The inbound endpoint's signing keys, oldest first (hints only, no secrets).
    pub async fn list_inbound_signing_keys(&self, endpoint_id: &str) -> Result<Vec<SigningKey>> {
        self.data(Call::new(Method::GET, format!("/v1/inbound-endpoints/{}/signing-keys", seg(endpoint_id)))).await
    }

    /// Deletes a signing key (the last one cannot be deleted).
    pub async fn delete_inbound_signing_key(&self, endpoint_id: &str, key_id: &str) -> Result<()> {
        let path = format!("/v1/inbound-endpoints/{}/signing-keys/{}", seg(endpoint_id), seg(key_id));
        self.ignore(Call::new(Method::DELETE, path)).await
    }
}
