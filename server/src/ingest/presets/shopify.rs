//! Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body with the app's
//! client secret; no timestamp, one signature.

use axum::http::HeaderMap;
use base64::Engine;

use super::{PresetSpec, first_match, mac_over, mismatch, refuse, required_header};
use crate::ingest::rejection::Rejection;
use crate::ingest::verify::VerifiedSignature;

/// Shopify's scheme.
pub const SPEC: PresetSpec = PresetSpec {
    signature_header: "X-Shopify-Hmac-Sha256",
    signed_content: "the raw body",
    tolerance_secs: None,
    several_signatures: false,
    codes: reason_codes!("shopify"),
};

/// Verifies a Shopify webhook.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<VerifiedSignature, Rejection> {
    let value = required_header(&SPEC, headers, SPEC.signature_header)?;
    let Some(signature) = base64::engine::general_purpose::STANDARD.decode(value).ok().filter(|raw| raw.len() == 32) else {
        return Err(refuse(
            SPEC.codes.signature_malformed,
            format!("header {} must be the base64 of a 32-byte HMAC-SHA256", SPEC.signature_header),
        ));
    };
    let mac = mac_over(secret.as_bytes(), &[body]);
    let matched = first_match(&mac, vec![signature]).ok_or_else(|| mismatch(&SPEC, SPEC.signature_header))?;
    Ok(VerifiedSignature { signature: matched, timestamp: None })
}
