//! The ingest route: `ANY /v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}`. It reads
//! the request, runs the checks of [`crate::ingest`] in their order, answers every refusal
//! through [`crate::ingest::rejection::refuse`], and stores an accepted request durably before
//! the sender gets `ingest_response_code` with `data.message_id`. A paused endpoint answers
//! 503 `ENDPOINT_PAUSED` with `Retry-After` (not recorded as a rejection), and so does a project
//! at the queue high-water mark, with 503 `QUEUE_FULL` ([`crate::http::backpressure`]).

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
use crate::ingest::rejection::{Reason, Rejection, RequestFacts, refuse};
use crate::ingest::request::{self, BodyError, MAX_INGEST_BYTES};
use crate::ingest::{endpoint_checks, inbound_message, replay};
use crate::store::Direction;
use crate::store::inbound::IngestOutcome;
use crate::telemetry::Telemetry;

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
    if let Err(full) = state.backpressure.admit(&endpoint.project_id, Direction::Inbound).await {
        return full.into_response();
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

    let replay_guard = match endpoint_checks(&endpoint, &parts.headers, &parts.uri, &body, received_at, source_ip) {
        Ok(guard) => guard,
        Err(rejection) => return refuse(&state, facts(Some(&endpoint)), rejection).await,
    };
    let message = inbound_message(&endpoint, &parts.headers, &body, received_at);
    let message_id = message.id.clone();
    let settings = &endpoint.settings;
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

/// 503 `ENDPOINT_PAUSED` with `Retry-After` (not a recorded rejection).
fn paused_answer(endpoint_id: &str) -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ENDPOINT_PAUSED",
        format!("inbound endpoint {endpoint_id} is paused and not accepting webhooks; retry later"),
    )
    .with_retry_after(PAUSED_RETRY_AFTER)
    .into_response()
}
