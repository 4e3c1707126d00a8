//! The `standard_webhooks` signature scheme: the Standard Webhooks specification
//! (<https://www.standardwebhooks.com>), which Svix and the `standardwebhooks` libraries verify.
//!
//! A delivery carries `webhook-id` (the message id), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: space-separated entries `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`,
//! one per active signing key. The secret has the form `whsec_<base64>`; the HMAC key is the
//! base64-DECODED part after `whsec_`, not the secret's text (the trap when a HookBridge-scheme
//! secret meets a Standard Webhooks library: both start with `whsec_`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use super::{HmacSha256, VerifyError, VerifyErrorKind, VerifyOptions, check_age};

/// Header carrying the message id.
pub const HEADER_ID: &str = "webhook-id";
/// Header carrying the signing time (Unix seconds).
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header carrying the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// Prefix of a secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Version prefix of a signature entry (`v1,<base64>`).
pub const SIGNATURE_VERSION: &str = "v1,";
/// Fewest key bytes the specification allows in a secret HookBridge issues.
pub const MIN_KEY_BYTES: usize = 24;

/// Standard base64, padded or not (senders' secrets come both ways).
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The HMAC key of a secret: the base64 (padded or not) after an optional `whsec_` prefix,
/// decoded (as the specification's libraries do). Fails with [`VerifyErrorKind::Malformed`]
/// when that is not standard base64 or decodes to nothing.
pub fn key_from_secret(secret: &str) -> Result<Vec<u8>, VerifyError> {
    let encoded = secret.trim();
    let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
    match SECRET_BASE64.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err(VerifyError::new(VerifyErrorKind::Malformed, "secret is not in the Standard Webhooks form whsec_<base64 key>")),
    }
}

/// The secret of `key` in the specification's form: `whsec_` + standard base64.
pub fn secret_from_key(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

fn mac(key: &[u8], message_id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn sign_with_key(key: &[u8], message_id: &str, timestamp: &str, body: &[u8]) -> String {
    let digest = mac(key, message_id, timestamp, body).finalize().into_bytes();
    format!("{SIGNATURE_VERSION}{}", STANDARD.encode(digest))
}

/// Signs `"<message_id>.<timestamp>.<body>"` with the key of `secret`; returns `v1,<base64>`.
/// Fails (malformed) when the secret is not `whsec_<base64>`.
pub fn sign(secret: &str, message_id: &str, timestamp: &str, body: &[u8]) -> Result<String, VerifyError> {
    Ok(sign_with_key(&key_from_secret(secret)?, message_id, timestamp, body))
}

/// The `webhook-signature` value for several active secrets, oldest first, space-separated.
/// Fails (malformed) when any secret is not `whsec_<base64>`.
pub fn signature_header(secrets: &[&str], message_id: &str, timestamp: &str, body: &[u8]) -> Result<String, VerifyError> {
    let entries = secrets.iter().map(|s| sign(s, message_id, timestamp, body)).collect::<Result<Vec<_>, _>>()?;
    Ok(entries.join(" "))
}

/// The Standard Webhooks headers of one delivery: `webhook-id`, `webhook-timestamp` and, when
/// some secret is usable, `webhook-signature` (a secret that is not `whsec_<base64>` is skipped).
pub fn delivery_headers(message_id: &str, timestamp: i64, body: &[u8], secrets: &[&str]) -> Vec<(&'static str, String)> {
    let ts = timestamp.to_string();
    let mut headers = vec![(HEADER_ID, message_id.to_owned()), (HEADER_TIMESTAMP, ts.clone())];
    let entries: Vec<String> =
        secrets.iter().filter_map(|s| key_from_secret(s).ok()).map(|key| sign_with_key(&key, message_id, &ts, body)).collect();
    if !entries.is_empty() {
        headers.push((HEADER_SIGNATURE, entries.join(" ")));
    }
    headers
}

/// The signatures of a `webhook-signature` value, in order: every space-separated `v1,` entry
/// whose base64 decodes to 32 bytes (an HMAC-SHA256). Entries of other versions or shapes are
/// skipped, so an empty result means the header holds no usable signature.
pub fn signature_entries(signature_header: &str) -> Vec<[u8; 32]> {
    signature_header
        .split_ascii_whitespace()
        .filter_map(|entry| entry.strip_prefix(SIGNATURE_VERSION))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .filter_map(|raw| <[u8; 32]>::try_from(raw).ok())
        .collect()
}

/// The first of `candidates` (as [`signature_entries`] reads them) equal to HMAC-SHA256 of
/// `"<message_id>.<timestamp>.<body>"` under `key`, or `None`. Every candidate is compared,
/// each in constant time, so timing does not depend on which one matched.
pub fn matching_signature(
    key: &[u8],
    message_id: &str,
    timestamp: &str,
    body: &[u8],
    candidates: &[[u8; 32]],
) -> Option<[u8; 32]> {
    let digest = mac(key, message_id, timestamp, body).finalize().into_bytes();
    let mut found = None;
    for candidate in candidates {
        let equal = bool::from(candidate.as_slice().ct_eq(digest.as_slice()));
        if equal && found.is_none() {
            found = Some(*candidate);
        }
    }
    found
}

/// Verifies a Standard Webhooks delivery: `message_id`, `timestamp` and `signature_header` are
/// the raw `webhook-id`, `webhook-timestamp` and `webhook-signature` values, `secrets` every
/// `whsec_<base64>` secret that may have signed it. Passes when any `v1,` entry matches any
/// secret (compared in constant time) and the timestamp is within the tolerance. Entries of
/// other versions are ignored.
///
/// Failure kinds, checked in this order: missing (an empty header or no secret), malformed (a
/// secret that is not base64, a timestamp that is not an integer, no well-formed `v1,` entry),
/// expired, mismatch.
pub fn verify(
    body: &[u8],
    message_id: &str,
    timestamp: &str,
    signature_header: &str,
    secrets: &[&str],
    options: VerifyOptions,
) -> Result<(), VerifyError> {
    let (message_id, timestamp) = (message_id.trim(), timestamp.trim());
    for (value, name) in [(message_id, HEADER_ID), (timestamp, HEADER_TIMESTAMP), (signature_header.trim(), HEADER_SIGNATURE)] {
        if value.is_empty() {
            return Err(VerifyError::new(VerifyErrorKind::Missing, format!("missing {name} header")));
        }
    }
    let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.trim().is_empty()).collect();
    if secrets.is_empty() {
        return Err(VerifyError::new(VerifyErrorKind::Missing, "no signing secret given"));
    }
    let keys = secrets.iter().map(|s| key_from_secret(s)).collect::<Result<Vec<_>, _>>()?;
    let signed_at: i64 = timestamp.parse().map_err(|_| {
        VerifyError::new(VerifyErrorKind::Malformed, format!("{HEADER_TIMESTAMP} is not Unix seconds: {timestamp:?}"))
    })?;
    let candidates = signature_entries(signature_header);
    if candidates.is_empty() {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!("{HEADER_SIGNATURE} has no entry of the form v1,<base64 of 32 bytes>"),
        ));
    }
    check_age(signed_at, options)?;
    if keys.iter().any(|key| matching_signature(key, message_id, timestamp, body, &candidates).is_some()) {
        return Ok(());
    }
    Err(VerifyError::new(VerifyErrorKind::Mismatch, "no signature matches the payload and secret"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: VerifyOptions = VerifyOptions { tolerance_seconds: 300, now: Some(1_614_265_330) };

    #[test]
    fn matches_the_specification_example() {
        // The example of the Standard Webhooks specification and its reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(body, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &sig, &[secret], NOW).is_ok());
    }

    #[test]
    fn rotation_and_failures() {
        let (old, new) = (secret_from_key(&[1; 32]), secret_from_key(&[2; 32]));
        let body = br#"{"a":1}"#;
        let header = signature_header(&[&old, &new], "msg_1", "1614265330", body).unwrap();
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify(body, "msg_1", "1614265330", &header, &[&new], NOW).is_ok());
        assert!(verify(body, "msg_1", "1614265330", &header, &[&old], NOW).is_ok());
        let kind = |r: Result<(), VerifyError>| r.unwrap_err().kind;
        let other = secret_from_key(&[3; 32]);
        assert_eq!(kind(verify(body, "msg_1", "1614265330", &header, &[&other], NOW)), VerifyErrorKind::Mismatch);
        assert_eq!(kind(verify(body, "msg_2", "1614265330", &header, &[&new], NOW)), VerifyErrorKind::Mismatch);
        assert_eq!(kind(verify(b"{\"a\":2}", "msg_1", "1614265330", &header, &[&new], NOW)), VerifyErrorKind::Mismatch);
        assert_eq!(kind(verify(body, "", "1614265330", &header, &[&new], NOW)), VerifyErrorKind::Missing);
        assert_eq!(kind(verify(body, "msg_1", "1614265330", &header, &[], NOW)), VerifyErrorKind::Missing);
        assert_eq!(kind(verify(body, "msg_1", "1614265330", &header, &["whsec_!!"], NOW)), VerifyErrorKind::Malformed);
        assert_eq!(kind(verify(body, "msg_1", "1614265330", "v2,abc", &[&new], NOW)), VerifyErrorKind::Malformed);
        let stale = sign(&new, "msg_1", "1614264000", body).unwrap();
        assert_eq!(kind(verify(body, "msg_1", "1614264000", &stale, &[&new], NOW)), VerifyErrorKind::Expired);
    }

    #[test]
    fn secrets_decode_padded_or_not_and_entries_match_in_order() {
        // 25 key bytes: base64 with one `=` of padding, which some senders leave out.
        let padded = secret_from_key(&[9; 25]);
        assert!(padded.ends_with('='));
        let unpadded = padded.trim_end_matches('=');
        assert_eq!(key_from_secret(unpadded).unwrap(), vec![9; 25]);
        assert_eq!(key_from_secret(&padded).unwrap(), vec![9; 25]);

        let body = b"{}";
        let good = sign(&padded, "msg_1", "1614265330", body).unwrap();
        let other = sign(&secret_from_key(&[1; 32]), "msg_1", "1614265330", body).unwrap();
        let entries = signature_entries(&format!("v1,AAAA {other} v2,{} {good}", &good[3..]));
        assert_eq!(entries.len(), 2, "the short and the v2 entries are skipped");
        let matched = matching_signature(&[9; 25], "msg_1", "1614265330", body, &entries).unwrap();
        assert_eq!(STANDARD.encode(matched), good[3..]);
        assert!(matching_signature(&[9; 25], "msg_2", "1614265330", body, &entries).is_none());
        assert!(verify(body, "msg_1", "1614265330", &good, &[unpadded], NOW).is_ok());
    }

    #[test]
    fn delivery_headers_skip_unusable_secrets() {
        let good = secret_from_key(&[7; 32]);
        let headers = delivery_headers("msg_1", 1_614_265_330, b"{}", &["whsec_not base64", &good]);
        let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE]);
        assert_eq!(headers[2].1, sign(&good, "msg_1", "1614265330", b"{}").unwrap());
        assert_eq!(delivery_headers("msg_1", 1, b"{}", &["whsec_!"]).len(), 2);
    }
}
