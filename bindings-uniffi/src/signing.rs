//! Webhook signing and verification, delegating to [`hookbridge::signing`].
//!
//! A delivery carries `X-Webhook-Timestamp` (Unix seconds) and `X-Webhook-Signature`
//! (`sha256=<hex>`, one entry per active signing key). Verify against the raw body bytes
//! exactly as received.

use hookbridge::signing::{self, VerifyError, VerifyErrorKind, VerifyOptions, standard_webhooks};

/// Why a webhook signature did not verify. Each case carries a sentence naming the problem
/// (Kotlin: the exception's `message`; Swift: the `message` associated value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum WebhookVerificationError {
    /// The signature or timestamp header, or every secret, is missing or empty.
    #[error("{0}")]
    Missing(String),
    /// No well-formed `sha256=<64 hex>` entry, or the timestamp is not an integer.
    #[error("{0}")]
    Malformed(String),
    /// The timestamp is further from now than the tolerance (stale or in the future).
    #[error("{0}")]
    Expired(String),
    /// No signature matches the body and any of the secrets.
    #[error("{0}")]
    Mismatch(String),
}

impl From<VerifyError> for WebhookVerificationError {
    fn from(e: VerifyError) -> Self {
        match e.kind {
            VerifyErrorKind::Missing => WebhookVerificationError::Missing(e.message),
            VerifyErrorKind::Malformed => WebhookVerificationError::Malformed(e.message),
            VerifyErrorKind::Expired => WebhookVerificationError::Expired(e.message),
            VerifyErrorKind::Mismatch => WebhookVerificationError::Mismatch(e.message),
        }
    }
}

/// Signs `"<timestamp>.<body>"` with `secret` (used whole, `whsec_` prefix included) and
/// returns `sha256=<lowercase hex>`.
#[uniffi::export]
pub fn sign_webhook(secret: String, timestamp: String, body: Vec<u8>) -> String {
    signing::sign(&secret, &timestamp, &body)
}

/// The `X-Webhook-Signature` value for several active secrets (oldest first), comma-joined.
#[uniffi::export]
pub fn webhook_signature_header(secrets: Vec<String>, timestamp: String, body: Vec<u8>) -> String {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    signing::signature_header(&secrets, &timestamp, &body)
}

/// Verifies a delivery: `body` is the raw request body, `signature_header` the raw
/// `X-Webhook-Signature`, `timestamp` the raw `X-Webhook-Timestamp`, `secrets` every secret that
/// may have signed it. Passes when any entry matches any secret and the timestamp is within
/// `tolerance_seconds` (default 300) of `now` (Unix seconds; default: the system clock).
#[uniffi::export(default(tolerance_seconds = 300, now = None))]
pub fn verify_webhook(
    body: Vec<u8>,
    signature_header: String,
    timestamp: String,
    secrets: Vec<String>,
    tolerance_seconds: u64,
    now: Option<i64>,
) -> Result<(), WebhookVerificationError> {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    signing::verify(&body, &signature_header, &timestamp, &secrets, VerifyOptions { tolerance_seconds, now })?;
    Ok(())
}

/// Signs a Standard Webhooks delivery (endpoints with `signature_scheme` `standard_webhooks`):
/// `v1,<base64 HMAC-SHA256(key, "<webhook_id>.<timestamp>.<body>")>`, the key being the
/// base64-decoded part of `secret` after `whsec_`. Fails (`Malformed`) for a secret that is not base64.
#[uniffi::export]
pub fn sign_standard_webhook(
    secret: String,
    webhook_id: String,
    timestamp: String,
    body: Vec<u8>,
) -> Result<String, WebhookVerificationError> {
    Ok(standard_webhooks::sign(&secret, &webhook_id, &timestamp, &body)?)
}

/// Verifies a Standard Webhooks delivery: `webhook_id`, `webhook_timestamp` and
/// `webhook_signature` are the raw `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// values, `secrets` every `whsec_<base64>` secret that may have signed it. Passes when any `v1,`
/// entry matches any secret and the timestamp is within `tolerance_seconds` (default 300) of
/// `now` (Unix seconds; default: the system clock).
#[uniffi::export(default(tolerance_seconds = 300, now = None))]
pub fn verify_standard_webhook(
    body: Vec<u8>,
    webhook_id: String,
    webhook_timestamp: String,
    webhook_signature: String,
    secrets: Vec<String>,
    tolerance_seconds: u64,
    now: Option<i64>,
) -> Result<(), WebhookVerificationError> {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let options = VerifyOptions { tolerance_seconds, now };
    standard_webhooks::verify(&body, &webhook_id, &webhook_timestamp, &webhook_signature, &secrets, options)?;
    Ok(())
}
