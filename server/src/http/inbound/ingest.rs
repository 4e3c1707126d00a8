//! The ingest route: `ANY /v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}`. The checks
//! run in [`crate::http::ingest_gate::admit`]; an accepted request is stored durably before the
//! sender gets `ingest_response_code` with `data.message_id`. A paused endpoint answers 503
//! `ENDPOINT_PAUSED` with `Retry-After` (not recorded as a rejection), and so does a project at
//! the queue high-water mark, with 503 `QUEUE_FULL` ([`crate::http::backpressure`]).

use crate::http::openapi::op;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use crate::http::ingest_gate::{IngestKind, admit, paused_answer};
use crate::http::{ApiError, AppState, Reply, Route};
use crate::ingest::inbound_message;
use crate::store::Direction;
use crate::store::inbound::IngestOutcome;
use crate::telemetry::Telemetry;

/// Path of the ingest route.
pub const INGEST_PATH: &str = "/v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}";

/// Inbound endpoints queue a forwarding for every accepted request.
const INBOUND: IngestKind = IngestKind { noun: "inbound endpoint", backpressure: Some(Direction::Inbound) };

/// The ingest route (any method; non-POST requests are refused and recorded).
/// The answer to a stored (or duplicate) inbound webhook.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct InboundIngested {
    /// The stored message.
    message_id: String,
}

pub fn route() -> Route {
    Route {
        method: "POST",
        path: INGEST_PATH,
        summary: "Receive a webhook on an inbound endpoint (no API key: the secret token in the path authenticates)",
        authenticated: false,
        handler: axum::routing::any(ingest),
        doc: op("receive_inbound_webhook")
            .statuses(&[202, 200])
            .creates_in("/v1/inbound-messages")
            .optional_body::<serde_json::Value>()
            .data::<InboundIngested>(),
    }
}

/// The ingest URL of an endpoint.
pub fn ingest_url(public_base_url: &str, endpoint_id: &str, secret_token: &str) -> String {
    format!("{}/v1/webhooks/receive/{endpoint_id}/{secret_token}", public_base_url.trim_end_matches('/'))
}

async fn ingest(State(state): State<AppState>, request: Request) -> Response {
    let store = state.store.clone();
    let admitted =
        match admit(&state, request, &INBOUND, |id| async move { Ok(store.ingest_target(&id).await?.map(|e| (e, ()))) }).await {
            Ok(admitted) => admitted,
            Err(answer) => return answer,
        };
    let message = inbound_message(&admitted.endpoint, &admitted.headers, &admitted.body, admitted.received_at);
    let message_id = message.id.clone();
    let status = admitted.success_status();
    match state.store.accept_inbound(message, admitted.replay_guard.clone()).await {
        Ok(IngestOutcome::Accepted) => {
            state.delivery.wake();
            Telemetry::inc(&state.telemetry.accepted);
            Reply::ok(InboundIngested { message_id }).status(status).into_response()
        }
        Ok(IngestOutcome::Duplicate(original)) => {
            Reply::ok(InboundIngested { message_id: original }).status(status).into_response()
        }
        Ok(IngestOutcome::Unavailable) => paused_answer(&INBOUND, &admitted.endpoint.id),
        Ok(IngestOutcome::Replayed) => admitted.refuse_replayed(&state).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}
