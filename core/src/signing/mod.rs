//! Webhook signing and verification, for both signature schemes an endpoint can use.
//!
//! - [`hookbridge`] (the default, [`SignatureScheme::Hookbridge`]): `X-Webhook-Timestamp` and
//!   `X-Webhook-Signature: sha256=<hex>` over `"<timestamp>.<body>"`, the secret used whole.
//!   Its functions are also re-exported here ([`sign`], [`signature_header`], [`verify`]).
//! - [`standard_webhooks`] ([`SignatureScheme::StandardWebhooks`], the Standard Webhooks
//!   specification, also what Svix sends): `webhook-id`, `webhook-timestamp` and
//!   `webhook-signature: v1,<base64>` over `"<id>.<timestamp>.<body>"`, the key being the
//!   base64-decoded part of the secret after `whsec_`.
//!
//! Verify against the raw body bytes exactly as received: re-serialised JSON will not match.
//! Signatures are compared in constant time with the `subtle` crate; this module has no
//! comparison helper of its own:
//!
//! ```compile_fail
//! hookbridge::signing::constant_time_eq(b"a", b"a");
//! ```

pub mod hookbridge;
pub mod standard_webhooks;

use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use self::hookbridge::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SCHEME_PREFIX, sign, signature_header, verify};

pub(crate) type HmacSha256 = hmac::Hmac<Sha256>;

/// Default tolerance between the signed timestamp and now, in seconds.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// How an endpoint's deliveries are signed (the endpoint setting `signature_scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum SignatureScheme {
    /// `X-Webhook-*` headers, `sha256=<hex>` entries (see [`hookbridge`]). The default.
    #[default]
    Hookbridge,
    /// Standard Webhooks `webhook-*` headers, `v1,<base64>` entries (see [`standard_webhooks`]).
    StandardWebhooks,
}

impl SignatureScheme {
    /// Every scheme, in the order the documentation lists them.
    pub const ALL: [SignatureScheme; 2] = [SignatureScheme::Hookbridge, SignatureScheme::StandardWebhooks];

    /// The wire name: `hookbridge` or `standard_webhooks`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SignatureScheme::Hookbridge => "hookbridge",
            SignatureScheme::StandardWebhooks => "standard_webhooks",
        }
    }

    /// The scheme with this wire name, if any.
    pub fn parse(name: &str) -> Option<SignatureScheme> {
        SignatureScheme::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signing headers of one delivery under `scheme`: id, timestamp and (when there is a
/// usable secret) the signature with one entry per secret, oldest first.
pub fn delivery_headers(
    scheme: SignatureScheme,
    message_id: &str,
    timestamp: i64,
    body: &[u8],
    secrets: &[&str],
) -> Vec<(&'static str, String)> {
    match scheme {
        SignatureScheme::Hookbridge => hookbridge::delivery_headers(message_id, timestamp, body, secrets),
        SignatureScheme::StandardWebhooks => standard_webhooks::delivery_headers(message_id, timestamp, body, secrets),
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyErrorKind {
    /// The signature or timestamp header (or every secret) is missing or empty.
    Missing,
    /// The signature header has no well-formed entry, the timestamp is not an integer, or (Standard
    /// Webhooks) a secret is not base64.
    Malformed,
    /// The timestamp is further from now than the tolerance (stale or in the future).
    Expired,
    /// No signature matches any secret.
    Mismatch,
}

impl VerifyErrorKind {
    /// A stable lower-case name (`missing`, `malformed`, `expired`, `mismatch`) used by the test vectors.
    pub fn as_str(&self) -> &'static str {
        match self {
            VerifyErrorKind::Missing => "missing",
            VerifyErrorKind::Malformed => "malformed",
            VerifyErrorKind::Expired => "expired",
            VerifyErrorKind::Mismatch => "mismatch",
        }
    }
}

/// A failed verification: its kind and a sentence naming the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VerifyError {
    /// The category.
    pub kind: VerifyErrorKind,
    /// What exactly was wrong.
    pub message: String,
}

impl VerifyError {
    pub(crate) fn new(kind: VerifyErrorKind, message: impl Into<String>) -> Self {
        VerifyError { kind, message: message.into() }
    }
}

/// Verification settings: the tolerance, and the clock (fixed in tests and vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Largest accepted distance between the timestamp and now, in seconds (both directions).
    pub tolerance_seconds: u64,
    /// "Now" in Unix seconds; `None` reads the system clock.
    pub now: Option<i64>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { tolerance_seconds: DEFAULT_TOLERANCE_SECONDS, now: None }
    }
}

/// Fails with [`VerifyErrorKind::Expired`] when `signed_at` is further from now than the
/// tolerance (in either direction; the bound is inclusive).
pub(crate) fn check_age(signed_at: i64, options: VerifyOptions) -> Result<(), VerifyError> {
    let now = options.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let age = now.saturating_sub(signed_at);
    if age.unsigned_abs() > options.tolerance_seconds {
        let detail =
            if age > 0 { format!("{} s old", age.unsigned_abs()) } else { format!("{} s in the future", age.unsigned_abs()) };
        return Err(VerifyError::new(
            VerifyErrorKind::Expired,
            format!("timestamp is {detail}, outside the tolerance of {} s", options.tolerance_seconds),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_round_trip() {
        for scheme in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::parse(scheme.as_str()), Some(scheme));
            assert_eq!(serde_json::to_value(scheme).unwrap(), serde_json::json!(scheme.as_str()));
        }
        assert_eq!(SignatureScheme::parse("Standard_Webhooks"), None);
        assert_eq!(SignatureScheme::default(), SignatureScheme::Hookbridge);
    }
}
