//! Outbound endpoints, their signing keys and pause state.

use serde::{Deserialize, Serialize};

use super::HeaderMap;
use crate::signing::SignatureScheme;
use crate::time::{Timestamp, optional_timestamp};

/// An outbound endpoint (`get_endpoint`); the signing secret is never included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Endpoint {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Destination URL.
    pub url: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Whether delivery is paused.
    pub paused: bool,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Deliveries per second allowed (0 = unlimited).
    #[serde(default)]
    pub rate_limit_rps: Option<i64>,
    /// Burst allowance of the rate limiter.
    #[serde(default)]
    pub burst: Option<i64>,
    /// Headers added to every delivery.
    #[serde(default)]
    pub headers: Option<HeaderMap>,
    /// How deliveries are signed (`hookbridge` when the server does not say).
    #[serde(default)]
    pub signature_scheme: SignatureScheme,
}

/// An endpoint as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EndpointSummary {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Destination URL.
    pub url: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Whether delivery is paused.
    pub paused: bool,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A newly created endpoint; `signing_secret` is shown only this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateEndpointResponse {
    /// `ep_` + 32 hex.
    pub id: String,
    /// Destination URL.
    pub url: String,
    /// Secret of the first signing key (`whsec_...`).
    pub signing_secret: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Id of the first signing key (`sk_...`).
    #[serde(default)]
    pub signing_key_id: Option<String>,
    /// Last 4 characters of the secret.
    #[serde(default)]
    pub key_hint: Option<String>,
}

crate::debug_redacted!(CreateEndpointResponse { id, url, signing_secret, created_at, description, signing_key_id, key_hint });

/// A page of endpoints; `has_more` is derived from `next_cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListEndpointsResponse {
    /// The endpoints.
    pub endpoints: Vec<EndpointSummary>,
    /// Whether another page exists.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A new signing key (`create_endpoint_signing_key` / `rotate_endpoint_secret`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RotateSecretResponse {
    /// `sk_` + 32 hex.
    pub id: String,
    /// The new secret, shown only this once.
    pub signing_secret: String,
    /// Last 4 characters of the secret.
    #[serde(default)]
    pub key_hint: Option<String>,
    /// Creation time.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub created_at: Option<Timestamp>,
}

crate::debug_redacted!(RotateSecretResponse { id, signing_secret, key_hint, created_at });

/// A signing key as listed (no secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SigningKey {
    /// `sk_` + 32 hex.
    pub id: String,
    /// Last 4 characters of the secret.
    pub key_hint: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Pause state after pausing or resuming an endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PauseState {
    /// The endpoint.
    pub id: String,
    /// Whether it is paused now.
    pub paused: bool,
    /// On resume: messages re-scheduled for delivery.
    #[serde(default)]
    pub messages_requeued: Option<i64>,
}
