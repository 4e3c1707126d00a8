//! Inbound messages: replay one, a batch or every message of a status (the outbound rules and
//! response shapes), and look one up (`GET /v1/inbound-messages/{id}`, the 2.0 shape).

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{get, post};
use hookbridge::ReplayMessageResponse;
use serde::{Deserialize, Serialize};

use super::is_uuid;
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::domain::MessageStatus;
use crate::http::auth::Caller;
use crate::http::extract::{JsonBody, PathParams, QueryParams};
use crate::http::messages::{replay_all_reply, replay_batch_reply, replay_error, shown_next_attempt};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::store::inbound::InboundMessageRecord;
use crate::store::{Direction, ReplayMode, ReplayOutcome};

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/inbound-messages/{message_id}",
            summary: "Get an inbound message",
            authenticated: true,
            handler: get(get_message),
            doc: op("get_inbound_message").data::<InboundMessage>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/{message_id}/replay",
            summary: "Forward an inbound message again (at most 10 times)",
            authenticated: true,
            handler: post(replay),
            doc: op("replay_inbound_message").data::<hookbridge::ReplayMessageResponse>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/replay-all",
            summary: "Replay every inbound message in a status",
            authenticated: true,
            handler: post(replay_all),
            doc: op("replay_all_inbound_messages").query::<ReplayAllQuery>().data::<hookbridge::ReplayAllMessagesResponse>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/replay-batch",
            summary: "Replay up to 100 inbound messages by id",
            authenticated: true,
            handler: post(replay_batch),
            doc: op("replay_batch_inbound_messages").body::<ReplayBatchBody>().data::<hookbridge::ReplayBatchMessagesResponse>(),
        },
    ]
}

async fn get_message(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    let found = if is_uuid(&id) { state.store.get_inbound_message(&caller.project_id, &id).await? } else { None };
    found.map(|m| Reply::ok(InboundMessage::from(m))).ok_or_else(|| ApiError::not_found("inbound message", &id))
}

/// `POST /v1/inbound-messages/{id}/replay` (also the dashboard's replay button).
pub(crate) async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    let outcome = if is_uuid(&id) {
        state.store.replay_message(&caller.project_id, Direction::Inbound, &id, ReplayMode::Manual, now_millis()).await?
    } else {
        ReplayOutcome::NotFound
    };
    if outcome != ReplayOutcome::Replayed {
        return Err(replay_error(outcome, &id));
    }
    state.delivery.wake();
    Ok(Reply::ok(ReplayMessageResponse { message_id: id, status: MessageStatus::Queued.to_string() })
        .message("Inbound message queued for replay"))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ReplayAllQuery {
    status: Option<String>,
    inbound_endpoint_id: Option<String>,
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<i64>,
}

async fn replay_all(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ReplayAllQuery>,
) -> ApiResult<Reply> {
    replay_all_reply(&state, &caller, Direction::Inbound, q.status.as_deref(), q.inbound_endpoint_id, q.limit).await
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "ReplayBatchInboundRequest")]
struct ReplayBatchBody {
    message_ids: Vec<String>,
}

async fn replay_batch(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ReplayBatchBody>,
) -> ApiResult<Reply> {
    replay_batch_reply(&state, &caller, Direction::Inbound, body.message_ids).await
}

/// One inbound message (the SDK 2.0 `InboundMessage` shape).
#[derive(Serialize, schemars::JsonSchema)]
struct InboundMessage {
    id: String,
    project_id: String,
    inbound_endpoint_id: String,
    status: MessageStatus,
    attempt_count: i64,
    replay_count: i64,
    received_at: hookbridge::Timestamp,
    updated_at: hookbridge::Timestamp,
    content_type: String,
    size_bytes: i64,
    payload_sha256: String,
    idempotency_key: Option<String>,
    next_attempt_at: Option<hookbridge::Timestamp>,
    last_error: Option<String>,
    response_status: Option<i64>,
    response_latency_ms: Option<i64>,
    delivered_at: Option<hookbridge::Timestamp>,
    failed_at: Option<hookbridge::Timestamp>,
    /// Received to delivered, in milliseconds.
    total_delivery_ms: Option<i64>,
    deleted_at: Option<hookbridge::Timestamp>,
    deleted_by_api_key_id: Option<String>,
}

impl From<InboundMessageRecord> for InboundMessage {
    fn from(m: InboundMessageRecord) -> Self {
        InboundMessage {
            next_attempt_at: shown_next_attempt(m.status, m.next_attempt_at),
            total_delivery_ms: m.delivered_at.map(|d| d.saturating_sub(m.received_at).max(0)),
            id: m.id,
            project_id: m.project_id,
            inbound_endpoint_id: m.inbound_endpoint_id,
            status: m.status,
            attempt_count: m.attempt_count,
            replay_count: m.replay_count,
            received_at: timestamp(m.received_at),
            updated_at: timestamp(m.updated_at),
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            payload_sha256: m.payload_sha256,
            idempotency_key: m.idempotency_key,
            last_error: m.last_error,
            response_status: m.response_status,
            response_latency_ms: m.response_latency_ms,
            delivered_at: opt_timestamp(m.delivered_at),
            failed_at: opt_timestamp(m.failed_at),
            deleted_at: opt_timestamp(m.deleted_at),
            deleted_by_api_key_id: m.deleted_by_api_key_id,
        }
    }
}
