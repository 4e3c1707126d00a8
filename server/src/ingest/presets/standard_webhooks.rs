//! Standard Webhooks (and Svix, which uses the same scheme under `svix-*` names):
//! `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64>…]`,
//! HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with the base64-decoded secret (the part
//! after `whsec_`); any `v1` entry may match, the timestamp within 300 seconds.

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{PresetSpec, first_match, fresh, mac_over, mismatch, parse_timestamp, refuse, required_header};
use crate::ingest::rejection::Rejection;
use crate::ingest::verify::VerifiedSignature;

/// Standard Webhooks' scheme.
pub const SPEC: PresetSpec = PresetSpec {
    signature_header: "webhook-signature",
    signed_content: "\"{webhook-id}.{webhook-timestamp}.{body}\"",
    tolerance_secs: Some(300),
    several_signatures: true,
    codes: reason_codes!("standard_webhooks"),
};

/// The header names of one spelling: id, timestamp, signature.
const SPELLINGS: [[&str; 3]; 2] =
    [["webhook-id", "webhook-timestamp", "webhook-signature"], ["svix-id", "svix-timestamp", "svix-signature"]];

/// Standard base64, padded or not (the Standard Webhooks libraries accept both in secrets).
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The HMAC key of a secret: the base64 after an optional `whsec_` prefix, as the Standard
/// Webhooks libraries read it; a sentence naming the problem otherwise.
pub fn key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    match SECRET_BASE64.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err("a standard_webhooks secret must be base64 (optionally prefixed whsec_), as the sender issued it".into()),
    }
}

/// Verifies a Standard Webhooks (or Svix) delivery.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now_secs: i64) -> Result<VerifiedSignature, Rejection> {
    let [id_header, ts_header, sig_header] =
        SPELLINGS.into_iter().find(|names| headers.contains_key(names[2])).unwrap_or(SPELLINGS[0]);
    let value = required_header(&SPEC, headers, sig_header)?;
    let id = required_header(&SPEC, headers, id_header)?;
    let Some(ts) = headers.get(ts_header).and_then(|v| v.to_str().ok()).map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(refuse(SPEC.codes.timestamp_missing, format!("header {ts_header} is missing or not text")));
    };
    let sent = parse_timestamp(&SPEC, ts_header, ts)?;
    let signatures: Vec<Vec<u8>> = value
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .collect();
    if signatures.is_empty() {
        return Err(refuse(SPEC.codes.signature_malformed, format!("header {sig_header} has no v1,<base64> entry")));
    }
    let key = key(secret).map_err(|problem| refuse(SPEC.codes.signature_mismatch, problem))?;
    let mac = mac_over(&key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
    let matched = first_match(&mac, signatures).ok_or_else(|| mismatch(&SPEC, sig_header))?;
    fresh(&SPEC, ts_header, matched, sent, now_secs)
}
