//! Inbound ingest logic: verifying, reading and recording requests to an inbound endpoint's
//! ingest URL (the handler itself is `http::inbound::ingest`). No API key: the secret token in
//! the path authenticates the sender.
//!
//! Checks, in order: the endpoint exists (`endpoint_not_found`) and is not deleted
//! (`endpoint_deleted`), the path token matches (`invalid_secret`), the method is POST
//! (`invalid_method`), the endpoint is not paused (503 `ENDPOINT_PAUSED`, not recorded), the
//! body is at most 1 MB (`payload_too_large`), then the endpoint's optional checks: static
//! token, the signature (a provider's scheme when a verification preset is set, see
//! [`presets`], else the generic HMAC with timestamp window), IP allow-list, and that a timestamped signature was not
//! accepted before (`signature_replayed`, see [`replay`]). Every refusal is answered and
//! recorded in the rejection log within the bounds of [`rejection_log`]. An accepted request is
//! stored durably (one group-committed write) before the sender gets `ingest_response_code`
//! with `data.message_id`; the delivery engine then forwards it, never with the sender's own
//! `X-Webhook-*` headers. A `cli`-mode endpoint's request is stored `stored` instead, for its
//! listener (`GET /v1/inbound-endpoints/{id}/listen`), and never forwarded.
//!
//! The sender address is the connection's peer; behind a proxy, `--trust-forwarded-for` makes
//! it the last `X-Forwarded-For` entry instead.

pub mod presets;
pub mod rejection;
pub mod rejection_log;
pub mod replay;
pub mod request;
pub mod verify;

use std::net::IpAddr;

use axum::http::{HeaderMap, Uri};

use crate::domain::VerificationPreset;
use crate::ids;
use crate::store::inbound::{ReplayGuard, StoredInbound};
use crate::store::{Direction, NewMessage};
use rejection::Rejection;

/// The endpoint's optional checks, in order (static token, the preset's or the generic HMAC
/// signature with its timestamp window, IP allow-list); on success, what to remember against a
/// replay of the signature.
pub fn endpoint_checks(
    endpoint: &StoredInbound,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
    received_at: i64,
    source_ip: Option<IpAddr>,
) -> Result<Option<ReplayGuard>, Rejection> {
    let settings = &endpoint.settings;
    if settings.verify_static_token {
        verify::static_token(settings, headers, uri)?;
    }
    let now_secs = received_at.div_euclid(1000);
    let signature = match settings.verification_preset {
        VerificationPreset::Custom if settings.verify_hmac => Some(verify::hmac_signature(settings, headers, body, now_secs)?),
        VerificationPreset::Custom => None,
        preset => {
            let Some(secret) = settings.hmac_secret.as_deref().filter(|s| !s.is_empty()) else {
                let code = presets::spec(preset).map_or("hmac_failed", |s| s.codes.signature_mismatch);
                return Err(Rejection::new(
                    rejection::Reason::PresetFailed(code),
                    format!("verification preset {preset} is set but the endpoint has no hmac_secret"),
                ));
            };
            presets::verify(preset, secret, headers, body, now_secs)?
        }
    };
    if settings.verify_ip_allowlist {
        verify::ip_allowed(settings, source_ip)?;
    }
    Ok(signature.as_ref().and_then(replay::guard))
}

/// The header whose signature the endpoint verifies: the preset's, else `hmac_header_name`.
pub fn signature_header(settings: &crate::store::inbound::InboundSettings) -> Option<&str> {
    presets::spec(settings.verification_preset).map(|s| s.signature_header).or(settings.hmac_header_name.as_deref())
}

/// The message an accepted request becomes: the body as sent, the headers kept for forwarding,
/// the sender's dedupe key, addressed to the endpoint's destination.
pub fn inbound_message(endpoint: &StoredInbound, headers: &HeaderMap, body: &[u8], received_at: i64) -> NewMessage {
    let settings = &endpoint.settings;
    let token_header = settings.token_header_name.as_deref().filter(|_| settings.verify_static_token);
    let kept = request::kept_headers(headers, token_header);
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    NewMessage {
        id: ids::uuid7(),
        project_id: endpoint.project_id.clone(),
        direction: Direction::Inbound,
        endpoint_id: endpoint.id.clone(),
        destination_url: endpoint.profile.url.clone(),
        content_type,
        payload_sha256: ids::sha256_hex(body),
        payload: body.to_vec(),
        headers_json: (!kept.is_empty()).then(|| serde_json::Value::Object(kept).to_string()),
        idempotency_key: request::idempotency_key(headers, &settings.idempotency_header_names),
        signed_at: received_at.div_euclid(1000),
        retention_hours: None,
        created_at: received_at,
    }
}
