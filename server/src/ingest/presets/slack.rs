//! Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body>`
//! with the app's signing secret; the timestamp within 5 minutes, one signature.

use axum::http::HeaderMap;

use super::{PresetSpec, first_match, fresh, hex_sha256, mac_over, mismatch, parse_timestamp, refuse, required_header};
use crate::ingest::rejection::Rejection;
use crate::ingest::verify::VerifiedSignature;

/// The header carrying the signed timestamp.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

/// Slack's scheme.
pub const SPEC: PresetSpec = PresetSpec {
    signature_header: "X-Slack-Signature",
    signed_content: "\"v0:{X-Slack-Request-Timestamp}:{body}\"",
    tolerance_secs: Some(300),
    several_signatures: false,
    codes: reason_codes!("slack"),
};

/// Verifies a Slack request.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now_secs: i64) -> Result<VerifiedSignature, Rejection> {
    let value = required_header(&SPEC, headers, SPEC.signature_header)?;
    let Some(signature) = value.strip_prefix("v0=").and_then(hex_sha256) else {
        return Err(refuse(
            SPEC.codes.signature_malformed,
            format!("header {} must be v0=<64 hex digits>", SPEC.signature_header),
        ));
    };
    let Some(ts) = headers.get(TIMESTAMP_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(refuse(SPEC.codes.timestamp_missing, format!("header {TIMESTAMP_HEADER} is missing or not text")));
    };
    let sent = parse_timestamp(&SPEC, TIMESTAMP_HEADER, ts)?;
    let mac = mac_over(secret.as_bytes(), &[b"v0:", ts.as_bytes(), b":", body]);
    let matched = first_match(&mac, vec![signature]).ok_or_else(|| mismatch(&SPEC, SPEC.signature_header))?;
    fresh(&SPEC, TIMESTAMP_HEADER, matched, sent, now_secs)
}
