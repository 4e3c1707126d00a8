//! API keys.

use super::{mirror, opt_ts, same, ts};

mirror! {
    /// An API key as listed (never the secret itself).
    ApiKeyInfo from hookbridge::ApiKeyInfo {
        /// Key id.
        key_id: String => same,
        /// Label given at creation.
        label: Option<String> => same,
        /// First 11 characters of the key.
        prefix: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Last time the key authenticated a request (RFC 3339).
        last_used_at: Option<String> => opt_ts,
    }
}

mirror! {
    /// A newly created API key; `key` is shown only this once.
    CreateApiKeyResponse from hookbridge::CreateApiKeyResponse {
        /// Key id.
        key_id: String => same,
        /// The full secret key.
        key: String => same,
        /// First 11 characters of the key.
        prefix: String => same,
        /// Label.
        label: Option<String> => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
    }
}
