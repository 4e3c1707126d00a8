//! Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `<ts>.<body>` with
//! the endpoint's signing secret (`whsec_…`, used as is); any `v1` may match (Stripe sends
//! several while a secret is rolled), the timestamp within 300 seconds. Other schemes (`v0`)
//! are ignored, as Stripe's libraries do.

use axum::http::HeaderMap;

use super::{PresetSpec, first_match, fresh, hex_sha256, mac_over, mismatch, parse_timestamp, refuse, required_header};
use crate::ingest::rejection::Rejection;
use crate::ingest::verify::VerifiedSignature;

/// Stripe's scheme.
pub const SPEC: PresetSpec = PresetSpec {
    signature_header: "Stripe-Signature",
    signed_content: "\"{t}.{body}\"",
    tolerance_secs: Some(300),
    several_signatures: true,
    codes: reason_codes!("stripe"),
};

/// Verifies a Stripe event delivery.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now_secs: i64) -> Result<VerifiedSignature, Rejection> {
    let header = SPEC.signature_header;
    let value = required_header(&SPEC, headers, header)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for (key, val) in value.split(',').filter_map(|item| item.split_once('=')).map(|(k, v)| (k.trim(), v.trim())) {
        match key {
            "t" if timestamp.is_none() => timestamp = Some(val),
            "v1" => signatures.extend(hex_sha256(val)),
            _ => {}
        }
    }
    let Some(ts) = timestamp else {
        return Err(refuse(SPEC.codes.timestamp_missing, format!("header {header} has no t=<timestamp> entry")));
    };
    let source = format!("{header} t=");
    let sent = parse_timestamp(&SPEC, &source, ts)?;
    if signatures.is_empty() {
        return Err(refuse(SPEC.codes.signature_malformed, format!("header {header} has no v1=<64 hex digits> entry")));
    }
    let mac = mac_over(secret.as_bytes(), &[ts.as_bytes(), b".", body]);
    let matched = first_match(&mac, signatures).ok_or_else(|| mismatch(&SPEC, SPEC.signature_header))?;
    fresh(&SPEC, &source, matched, sent, now_secs)
}
