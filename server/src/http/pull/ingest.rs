//! The pull ingest route: `ANY /v1/webhooks/pull/{pull_endpoint_id}/{secret_token}`. The same
//! checks as inbound ingest ([`crate::http::ingest_gate::admit`]: secret token, method, pause,
//! size, static token, HMAC with timestamp window and replay guard, IP allow-list), the same
//! answers and rejection log; an accepted request is stored as a `stored` event (its event
//! type read per the endpoint's settings) before the sender gets `ingest_response_code` with
//! `data.event_id` (and `message_id`, the same id, as inbound ingest answers).

use crate::http::openapi::op;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use crate::clock::now_millis;
use crate::domain::pull::event_type;
use crate::http::ingest_gate::{IngestKind, admit, paused_answer};
use crate::http::{ApiError, AppState, Reply, Route};
use crate::ids;
use crate::ingest::request::kept_headers;
use crate::store::inbound::IngestOutcome;
use crate::store::pull::NewPullEvent;

/// Path of the route.
pub const PULL_INGEST_PATH: &str = "/v1/webhooks/pull/{pull_endpoint_id}/{secret_token}";

/// Pull endpoints queue nothing: events wait for receivers.
const PULL: IngestKind = IngestKind { noun: "pull endpoint", backpressure: None };

/// The ingest route (any method; non-POST requests are refused and recorded).
/// The answer to a stored (or duplicate) pull webhook: the event id, also as `message_id`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct PullIngested {
    /// The stored event.
    event_id: String,
    /// The same id, under the name inbound endpoints use.
    message_id: String,
}

impl PullIngested {
    fn new(id: String) -> Self {
        PullIngested { message_id: id.clone(), event_id: id }
    }
}

pub fn route() -> Route {
    Route {
        method: "POST",
        path: PULL_INGEST_PATH,
        summary: "Receive a webhook on a pull endpoint (no API key: the secret token in the path authenticates)",
        authenticated: false,
        handler: axum::routing::any(ingest),
        doc: op("receive_pull_webhook").statuses(&[202, 200]).optional_body::<serde_json::Value>().data::<PullIngested>(),
    }
}

/// The ingest URL of a pull endpoint; without the token (which is stored only hashed) when
/// `secret_token` is `None`.
pub fn pull_ingest_url(public_base_url: &str, endpoint_id: &str, secret_token: Option<&str>) -> String {
    let base = format!("{}/v1/webhooks/pull/{endpoint_id}", public_base_url.trim_end_matches('/'));
    match secret_token {
        Some(token) => format!("{base}/{token}"),
        None => base,
    }
}

async fn ingest(State(state): State<AppState>, request: Request) -> Response {
    let store = state.store.clone();
    let lookup = |id: String| async move {
        let target = store.pull_ingest_target(&id).await?;
        Ok(target.map(|e| (e.ingest_target(), e.profile)))
    };
    let admitted = match admit(&state, request, &PULL, lookup).await {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let (endpoint, profile) = (&admitted.endpoint, &admitted.extra);
    let settings = &endpoint.settings;
    let token_header = settings.token_header_name.as_deref().filter(|_| settings.verify_static_token);
    let kept = kept_headers(&admitted.headers, token_header);
    let content_type = admitted
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let event = NewPullEvent {
        id: ids::uuid7(),
        project_id: endpoint.project_id.clone(),
        pull_endpoint_id: endpoint.id.clone(),
        event_type: event_type(profile.event_type_source, profile.event_type_path.as_deref(), &admitted.headers, &admitted.body),
        content_type,
        headers_json: (!kept.is_empty()).then(|| serde_json::Value::Object(kept).to_string()),
        payload: admitted.body.to_vec(),
        payload_sha256: ids::sha256_hex(&admitted.body),
        idempotency_key: crate::ingest::request::idempotency_key(&admitted.headers, &settings.idempotency_header_names),
        received_at: admitted.received_at,
        ingest_ms: now_millis().saturating_sub(admitted.received_at),
    };
    let event_id = event.id.clone();
    let status = admitted.success_status();
    match state.store.accept_pull_event(event, admitted.replay_guard.clone()).await {
        Ok(IngestOutcome::Accepted) => Reply::ok(PullIngested::new(event_id)).status(status).into_response(),
        Ok(IngestOutcome::Duplicate(original)) => Reply::ok(PullIngested::new(original)).status(status).into_response(),
        Ok(IngestOutcome::Unavailable) => paused_answer(&PULL, &endpoint.id),
        Ok(IngestOutcome::Replayed) => admitted.refuse_replayed(&state).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}
