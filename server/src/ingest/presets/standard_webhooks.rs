//! Standard Webhooks (and Svix, which uses the same scheme under `svix-*` names):
//! `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64>…]`,
//! HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with the base64-decoded secret (the part
//! after `whsec_`); any `v1` entry may match, the timestamp within 300 seconds.

use axum::http::HeaderMap;
use hookbridge::signing::standard_webhooks as core_scheme;

use super::{MAX_SIGNATURES, PresetSpec, fresh, mismatch, parse_timestamp, refuse, required_header};
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

/// The HMAC key of a secret (core's reading: the base64 after an optional `whsec_` prefix,
/// padded or not); a sentence naming the problem otherwise.
pub fn key(secret: &str) -> Result<Vec<u8>, String> {
    core_scheme::key_from_secret(secret)
        .map_err(|_| "a standard_webhooks secret must be base64 (optionally prefixed whsec_), as the sender issued it".into())
}

/// Verifies a Standard Webhooks (or Svix) delivery with core's signature check; this module
/// only maps headers and failures onto the preset's reason codes.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now_secs: i64) -> Result<VerifiedSignature, Rejection> {
    let [id_header, ts_header, sig_header] =
        SPELLINGS.into_iter().find(|names| headers.contains_key(names[2])).unwrap_or(SPELLINGS[0]);
    let value = required_header(&SPEC, headers, sig_header)?;
    let id = required_header(&SPEC, headers, id_header)?;
    let Some(ts) = headers.get(ts_header).and_then(|v| v.to_str().ok()).map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(refuse(SPEC.codes.timestamp_missing, format!("header {ts_header} is missing or not text")));
    };
    let sent = parse_timestamp(&SPEC, ts_header, ts)?;
    let mut signatures = core_scheme::signature_entries(value);
    signatures.truncate(MAX_SIGNATURES);
    if signatures.is_empty() {
        return Err(refuse(SPEC.codes.signature_malformed, format!("header {sig_header} has no v1,<base64 of 32 bytes> entry")));
    }
    let key = key(secret).map_err(|problem| refuse(SPEC.codes.signature_mismatch, problem))?;
    let matched = core_scheme::matching_signature(&key, id, ts, body, &signatures).ok_or_else(|| mismatch(&SPEC, sig_header))?;
    fresh(&SPEC, ts_header, matched.to_vec(), sent, now_secs)
}
