//! API keys.

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, optional_timestamp};

/// An API key as listed (never the secret itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename = "APIKeyInfo")]
pub struct ApiKeyInfo {
    /// Key id.
    pub key_id: String,
    /// Label given at creation (may be null).
    pub label: Option<String>,
    /// First 11 characters of the key.
    pub prefix: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last time the key authenticated a request.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub last_used_at: Option<Timestamp>,
}

/// A newly created API key; `key` is shown only this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename = "CreateAPIKeyResponse")]
pub struct CreateApiKeyResponse {
    /// Key id.
    pub key_id: String,
    /// The full secret key.
    pub key: String,
    /// First 11 characters of the key.
    pub prefix: String,
    /// Label (may be null).
    pub label: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

crate::debug_redacted!(CreateApiKeyResponse { key_id, key, prefix, label, created_at });
