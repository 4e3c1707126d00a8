//! Inbound ingest: `ANY /v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}`
//! (CONTRACT.md 5). No API key: the secret token in the path authenticates the sender.
//!
//! Checks, in order: the endpoint exists (`endpoint_not_found`) and is not deleted
//! (`endpoint_deleted`), the path token matches (`invalid_secret`), the method is POST
//! (`invalid_method`), the endpoint is not paused (503 `ENDPOINT_PAUSED`, not recorded), the
//! body is at most 1 MB (`payload_too_large`), then the endpoint's optional checks: static
//! token, HMAC with timestamp window, IP allow-list, and that a timestamped signature was not
//! accepted before (`signature_replayed`, see [`replay`]). Every refusal is answered and
//! recorded in the rejection log within the bounds of [`rejection_log`]. An accepted request is
//! stored durably (one group-committed write) before the sender gets `ingest_response_code`
//! with `data.message_id`; the delivery engine then forwards it, never with the sender's own
//! `X-Webhook-*` headers.
//!
//! The sender address is the connection's peer; behind a proxy, `--trust-forwarded-for` makes
//! it the last `X-Forwarded-For` entry instead.

pub mod rejection;
pub mod rejection_log;
pub mod replay;
pub mod request;
pub mod verify;

use std::net::SocketAddr;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::clock::now_millis;
use crate::http::{ApiError, AppState, Reply, Route};
use crate::ids;
use crate::store::inbound::IngestOutcome;
use crate::store::{Direction, NewMessage};
use crate::telemetry::Telemetry;
use rejection::{Reason, Rejection, RequestFacts, refuse};
use request::{BodyError, MAX_INGEST_BYTES};

/// Path of the ingest route.
pub const INGEST_PATH: &str = "/v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}";

/// Seconds a sender is asked to wait before retrying a paused endpoint.
const PAUSED_RETRY_AFTER: u64 = 60;

/// The ingest route (any method; non-POST requests are refused and recorded).
pub fn route() -> Route {
    Route {
        method: "POST",
        path: INGEST_PATH,
        summary: "Receive a webhook on an inbound endpoint (no API key: the secret token in the path authenticates)",
        authenticated: false,
        handler: axum::routing::any(ingest),
    }
}

/// The ingest URL of an endpoint.
pub fn ingest_url(public_base_url: &str, endpoint_id: &str, secret_token: &str) -> String {
    format!("{}/v1/webhooks/receive/{endpoint_id}/{secret_token}", public_base_url.trim_end_matches('/'))
}

async fn ingest(State(state): State<AppState>, request: Request) -> Response {
    let received_at = now_millis();
    let (mut parts, body) = request.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let source_ip = request::client_address(peer, &parts.headers, state.config.trust_forwarded_for);
    let (endpoint_id, token) = match Path::<(String, String)>::from_request_parts(&mut parts, &state).await {
        Ok(Path(p)) => p,
        Err(e) => return ApiError::invalid(format!("invalid ingest path: {}", e.body_text())).into_response(),
    };
    let facts = |endpoint| RequestFacts { endpoint, source_ip, headers: &parts.headers, received_at };

    let target = if uuid::Uuid::parse_str(&endpoint_id).is_ok() {
        match state.store.ingest_target(&endpoint_id).await {
            Ok(t) => t,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    let Some(endpoint) = target else {
        let rejection = Rejection::new(Reason::EndpointNotFound, format!("no inbound endpoint has id {endpoint_id:?}"));
        return refuse(&state, facts(None), rejection).await;
    };
    if endpoint.deleted {
        let rejection = Rejection::new(Reason::EndpointDeleted, format!("inbound endpoint {endpoint_id} was deleted"));
        return refuse(&state, facts(Some(&endpoint)), rejection).await;
    }
    let token_hash = ids::sha256_hex(token.as_bytes());
    if !bool::from(token_hash.as_bytes().ct_eq(endpoint.secret_token_hash.as_bytes())) {
        let rejection =
            Rejection::new(Reason::InvalidSecret, "the secret token in the ingest URL is not valid for this endpoint");
        return refuse(&state, facts(Some(&endpoint)), rejection).await;
    }
    if parts.method != Method::POST {
        let rejection =
            Rejection::new(Reason::InvalidMethod, format!("method {} is not allowed; send webhooks with POST", parts.method));
        return refuse(&state, facts(Some(&endpoint)), rejection).await;
    }
    if endpoint.paused {
        return paused_answer(&endpoint_id);
    }
    let body = match request::read_body(&parts.headers, body, MAX_INGEST_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            let rejection =
                Rejection::new(Reason::PayloadTooLarge, format!("the body is over the limit of {MAX_INGEST_BYTES} bytes (1 MB)"));
            return refuse(&state, facts(Some(&endpoint)), rejection).await;
        }
        Err(BodyError::Broken(e)) => return ApiError::invalid(format!("cannot read the request body: {e}")).into_response(),
    };

    let settings = &endpoint.settings;
    let checks = (|| {
        if settings.verify_static_token {
            verify::static_token(settings, &parts.headers, &parts.uri)?;
        }
        let now_secs = received_at.div_euclid(1000);
        let signature =
            if settings.verify_hmac { Some(verify::hmac_signature(settings, &parts.headers, &body, now_secs)?) } else { None };
        if settings.verify_ip_allowlist {
            verify::ip_allowed(settings, source_ip)?;
        }
        Ok::<_, Rejection>(signature)
    })();
    let replay_guard = match checks {
        Ok(signature) => signature.as_ref().and_then(replay::guard),
        Err(rejection) => return refuse(&state, facts(Some(&endpoint)), rejection).await,
    };

    let token_header = settings.token_header_name.as_deref().filter(|_| settings.verify_static_token);
    let kept = request::kept_headers(&parts.headers, token_header);
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let message_id = ids::uuid7();
    let message = NewMessage {
        id: message_id.clone(),
        project_id: endpoint.project_id.clone(),
        direction: Direction::Inbound,
        endpoint_id: endpoint.id.clone(),
        destination_url: endpoint.profile.url.clone(),
        content_type,
        payload_sha256: ids::sha256_hex(&body),
        payload: body.to_vec(),
        headers_json: (!kept.is_empty()).then(|| serde_json::Value::Object(kept).to_string()),
        idempotency_key: request::idempotency_key(&parts.headers, &settings.idempotency_header_names),
        signed_at: received_at.div_euclid(1000),
        retention_hours: None,
        created_at: received_at,
    };
    let status = StatusCode::from_u16(settings.ingest_response_code as u16)
        .ok()
        .filter(StatusCode::is_success)
        .unwrap_or(StatusCode::ACCEPTED);
    match state.store.accept_inbound(message, replay_guard).await {
        Ok(IngestOutcome::Accepted) => {
            state.delivery.wake();
            Telemetry::inc(&state.telemetry.accepted);
            Reply::ok(json!({ "message_id": message_id })).status(status).into_response()
        }
        Ok(IngestOutcome::Duplicate(original)) => Reply::ok(json!({ "message_id": original })).status(status).into_response(),
        Ok(IngestOutcome::Unavailable) => paused_answer(&endpoint_id),
        Ok(IngestOutcome::Replayed) => {
            let header = settings.hmac_header_name.as_deref().unwrap_or("the signature header");
            refuse(&state, facts(Some(&endpoint)), replay::refusal(header)).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// 503 `ENDPOINT_PAUSED` with `Retry-After` (CONTRACT.md 7 q29; not a recorded rejection).
fn paused_answer(endpoint_id: &str) -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ENDPOINT_PAUSED",
        format!("inbound endpoint {endpoint_id} is paused and not accepting webhooks; retry later"),
    )
    .with_retry_after(PAUSED_RETRY_AFTER)
    .into_response()
}
