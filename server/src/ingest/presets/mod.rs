//! Verification presets: a provider's own signature scheme, checked with the endpoint's
//! `hmac_secret` instead of the generic HMAC settings. One module per provider, each with its
//! [`PresetSpec`] (headers read, content signed, timestamp tolerance, whether several
//! signatures may be sent, reason codes) and its `verify`. Every comparison of a signature is
//! constant-time (`Mac::verify_slice`); any header content is refused, never a panic.

use axum::http::HeaderMap;
use hmac::{KeyInit, Mac};

use super::rejection::{Reason, Rejection};
use super::verify::{VerifiedSignature, window_violation};
use crate::domain::VerificationPreset;

/// The reason codes one preset records, `<preset>_<problem>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReasonCodes {
    /// A signature (or another required) header is missing.
    pub signature_missing: &'static str,
    /// The signature header cannot be read in the provider's format.
    pub signature_malformed: &'static str,
    /// No signature in the header matches the one computed with the endpoint's secret.
    pub signature_mismatch: &'static str,
    /// The signed timestamp is missing.
    pub timestamp_missing: &'static str,
    /// The signed timestamp is not integer Unix seconds.
    pub timestamp_malformed: &'static str,
    /// The signature matched but its timestamp is outside the tolerance.
    pub timestamp_out_of_tolerance: &'static str,
}

/// The [`ReasonCodes`] of the preset spelled `$p`.
macro_rules! reason_codes {
    ($p:literal) => {
        $crate::ingest::presets::ReasonCodes {
            signature_missing: concat!($p, "_signature_missing"),
            signature_malformed: concat!($p, "_signature_malformed"),
            signature_mismatch: concat!($p, "_signature_mismatch"),
            timestamp_missing: concat!($p, "_timestamp_missing"),
            timestamp_malformed: concat!($p, "_timestamp_malformed"),
            timestamp_out_of_tolerance: concat!($p, "_timestamp_out_of_tolerance"),
        }
    };
}

pub mod github;
pub mod shopify;
pub mod slack;
pub mod standard_webhooks;
pub mod stripe;

/// What a preset knows about its provider's scheme.
#[derive(Debug)]
pub struct PresetSpec {
    /// The header holding the signature.
    pub signature_header: &'static str,
    /// The content signed, as documentation.
    pub signed_content: &'static str,
    /// Accepted distance between the signed timestamp and now, in seconds, in either
    /// direction; `None` when the scheme signs no timestamp.
    pub tolerance_secs: Option<i64>,
    /// Whether one header may carry several signatures (any one matching is enough).
    pub several_signatures: bool,
    /// The reason codes recorded on refusal.
    pub codes: ReasonCodes,
}

/// Most signature entries of one header that are tried; further entries are ignored.
pub const MAX_SIGNATURES: usize = 16;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The spec of a named preset (`None` for `custom`).
pub fn spec(preset: VerificationPreset) -> Option<&'static PresetSpec> {
    match preset {
        VerificationPreset::Custom => None,
        VerificationPreset::Stripe => Some(&stripe::SPEC),
        VerificationPreset::Github => Some(&github::SPEC),
        VerificationPreset::Shopify => Some(&shopify::SPEC),
        VerificationPreset::Slack => Some(&slack::SPEC),
        VerificationPreset::StandardWebhooks => Some(&standard_webhooks::SPEC),
    }
}

/// Verifies a request with a named preset and the endpoint's secret; `now_secs` is the arrival
/// time. `custom` accepts (the generic checks apply instead).
pub fn verify(
    preset: VerificationPreset,
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now_secs: i64,
) -> Result<Option<VerifiedSignature>, Rejection> {
    let verified = match preset {
        VerificationPreset::Custom => return Ok(None),
        VerificationPreset::Stripe => stripe::verify(secret, headers, body, now_secs)?,
        VerificationPreset::Github => github::verify(secret, headers, body)?,
        VerificationPreset::Shopify => shopify::verify(secret, headers, body)?,
        VerificationPreset::Slack => slack::verify(secret, headers, body, now_secs)?,
        VerificationPreset::StandardWebhooks => standard_webhooks::verify(secret, headers, body, now_secs)?,
    };
    Ok(Some(verified))
}

/// Why `secret` cannot serve `preset`, if it cannot (only Standard Webhooks secrets have a
/// format: base64, optionally prefixed `whsec_`).
pub fn secret_problem(preset: VerificationPreset, secret: &str) -> Option<String> {
    match preset {
        VerificationPreset::StandardWebhooks => standard_webhooks::key(secret).err(),
        _ => None,
    }
}

/// A refusal with one of the preset's codes.
fn refuse(code: &'static str, detail: String) -> Rejection {
    Rejection::new(Reason::PresetFailed(code), detail)
}

/// The text of a required header: `signature_missing` when absent or empty,
/// `signature_malformed` when not visible ASCII.
fn required_header<'a>(spec: &PresetSpec, headers: &'a HeaderMap, name: &str) -> Result<&'a str, Rejection> {
    let Some(value) = headers.get(name) else {
        return Err(refuse(spec.codes.signature_missing, format!("header {name} is missing")));
    };
    let text = value
        .to_str()
        .map_err(|_| refuse(spec.codes.signature_malformed, format!("header {name} is not visible ASCII text")))?
        .trim();
    if text.is_empty() {
        return Err(refuse(spec.codes.signature_missing, format!("header {name} is empty")));
    }
    Ok(text)
}

/// HMAC-SHA256 over the concatenation of `parts`, keyed with `key`.
fn mac_over(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The first of `candidates` equal to `mac`'s result (each compared in constant time).
fn first_match(mac: &HmacSha256, candidates: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    candidates.into_iter().take(MAX_SIGNATURES).find(|sig| mac.clone().verify_slice(sig).is_ok())
}

/// `signature_mismatch`: nothing in `header` matches HMAC-SHA256 of the preset's signed content
/// with the secret.
fn mismatch(spec: &PresetSpec, header: &str) -> Rejection {
    refuse(
        spec.codes.signature_mismatch,
        format!(
            "signature in {header} does not match HMAC-SHA256 of {} with the endpoint's secret (hmac_secret)",
            spec.signed_content
        ),
    )
}

/// Reads a signed timestamp (integer Unix seconds, as every preset sends it).
fn parse_timestamp(spec: &PresetSpec, source: &str, text: &str) -> Result<i64, Rejection> {
    text.parse::<i64>().map_err(|_| {
        refuse(spec.codes.timestamp_malformed, format!("timestamp in {source} is not integer Unix seconds: {text:?}"))
    })
}

/// A matched signature over timestamp `sent`, refused when `sent` is outside the preset's
/// tolerance around `now_secs`; otherwise what the replay guard remembers.
fn fresh(spec: &PresetSpec, source: &str, matched: Vec<u8>, sent: i64, now_secs: i64) -> Result<VerifiedSignature, Rejection> {
    let tolerance = spec.tolerance_secs.unwrap_or(super::verify::DEFAULT_TIMESTAMP_TTL_SECONDS);
    if let Some(problem) = window_violation(sent, now_secs, tolerance) {
        return Err(refuse(spec.codes.timestamp_out_of_tolerance, format!("timestamp {sent} in {source} {problem}")));
    }
    Ok(VerifiedSignature { signature: matched, timestamp: Some((sent, tolerance)) })
}

/// Lowercase hex of exactly 32 bytes (SHA-256), else `None`.
fn hex_sha256(text: &str) -> Option<Vec<u8>> {
    (text.len() == 64).then(|| hex::decode(text).ok()).flatten()
}

#[cfg(test)]
mod tests;
