//! GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body with the webhook
//! secret; no timestamp, one signature.

use axum::http::HeaderMap;

use super::{PresetSpec, first_match, hex_sha256, mac_over, mismatch, refuse, required_header};
use crate::ingest::rejection::Rejection;
use crate::ingest::verify::VerifiedSignature;

/// GitHub's scheme.
pub const SPEC: PresetSpec = PresetSpec {
    signature_header: "X-Hub-Signature-256",
    signed_content: "the raw body",
    tolerance_secs: None,
    several_signatures: false,
    codes: reason_codes!("github"),
};

/// Verifies a GitHub delivery.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<VerifiedSignature, Rejection> {
    let value = required_header(&SPEC, headers, SPEC.signature_header)?;
    let Some(signature) = value.strip_prefix("sha256=").and_then(hex_sha256) else {
        return Err(refuse(
            SPEC.codes.signature_malformed,
            format!("header {} must be sha256=<64 hex digits>", SPEC.signature_header),
        ));
    };
    let mac = mac_over(secret.as_bytes(), &[body]);
    let matched = first_match(&mac, vec![signature]).ok_or_else(|| mismatch(&SPEC, SPEC.signature_header))?;
    Ok(VerifiedSignature { signature: matched, timestamp: None })
}
