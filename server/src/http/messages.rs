//! Outbound messages: status, replay (one, batch, all), cancel and retry-now.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use hookbridge::{ReplayAllMessagesResponse, ReplayBatchMessagesResponse, ReplayBatchResult, ReplayMessageResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams, QueryParams, limit};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::domain::MessageStatus;
use crate::domain::messages::{self as rules, ReplayCount};
use crate::store::{Direction, MAX_REPLAYS, MessageRecord, ReplayMode, ReplayOutcome, StatusChange};
use crate::telemetry::Telemetry;

/// Most ids in one replay-batch.
pub const MAX_BATCH_IDS: usize = 100;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/messages/{message_id}",
            summary: "Get a message",
            authenticated: true,
            handler: get(get_message),
            doc: op("get_message").data::<hookbridge::Message>(),
        },
        Route {
            method: "POST",
            path: "/v1/messages/{message_id}/replay",
            summary: "Replay a message (at most 10 times)",
            authenticated: true,
            handler: post(replay),
            doc: op("replay").data::<hookbridge::ReplayMessageResponse>(),
        },
        Route {
            method: "POST",
            path: "/v1/messages/{message_id}/cancel",
            summary: "Cancel the pending retry of a message (moves it to the DLQ)",
            authenticated: true,
            handler: post(cancel),
            doc: op("cancel_retry").data::<MessageStatusChange>(),
        },
        Route {
            method: "POST",
            path: "/v1/messages/{message_id}/retry-now",
            summary: "Make the pending retry of a message due now",
            authenticated: true,
            handler: post(retry_now),
            doc: op("retry_now").data::<MessageStatusChange>(),
        },
        Route {
            method: "POST",
            path: "/v1/messages/replay-all",
            summary: "Replay every message in a status",
            authenticated: true,
            handler: post(replay_all),
            doc: op("replay_all_messages").query::<ReplayAllQuery>().data::<hookbridge::ReplayAllMessagesResponse>(),
        },
        Route {
            method: "POST",
            path: "/v1/messages/replay-batch",
            summary: "Replay up to 100 messages by id",
            authenticated: true,
            handler: post(replay_batch),
            doc: op("replay_batch_messages").body::<ReplayBatchBody>().data::<hookbridge::ReplayBatchMessagesResponse>(),
        },
    ]
}

/// When the next attempt is due, shown only while the message waits for one.
pub(crate) fn shown_next_attempt(status: MessageStatus, next_attempt_at: Option<i64>) -> Option<hookbridge::Timestamp> {
    if status.is_waiting() { opt_timestamp(next_attempt_at) } else { None }
}

impl From<MessageRecord> for hookbridge::Message {
    fn from(m: MessageRecord) -> Self {
        hookbridge::Message {
            next_attempt_at: shown_next_attempt(m.status, m.next_attempt_at),
            id: m.id,
            project_id: m.project_id,
            endpoint_id: m.endpoint_id,
            status: m.status.to_string(),
            attempt_count: m.attempt_count,
            replay_count: m.replay_count,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            payload_sha256: m.payload_sha256,
            created_at: timestamp(m.created_at),
            updated_at: timestamp(m.updated_at),
            idempotency_key: m.idempotency_key,
            last_error: m.last_error,
            response_status: m.response_status,
            response_latency_ms: m.response_latency_ms,
            deleted_at: opt_timestamp(m.deleted_at),
            deleted_by_user_id: None,
            deleted_by_api_key_id: m.deleted_by_api_key_id,
        }
    }
}

async fn get_message(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.get_message(&caller.project_id, &id).await? {
        Some(message) => Ok(Reply::ok(hookbridge::Message::from(message))),
        None => Err(ApiError::not_found("message", &id)),
    }
}

/// The error answer for a replay that did not happen.
pub(super) fn replay_error(outcome: ReplayOutcome, id: &str) -> ApiError {
    match outcome {
        ReplayOutcome::Replayed => ApiError::internal("replay succeeded"),
        ReplayOutcome::NotFound => ApiError::not_found("message", id),
        ReplayOutcome::DeliveryInProgress => {
            ApiError::conflict("DELIVERY_IN_PROGRESS", format!("message {id} is being delivered right now; try again shortly"))
        }
        ReplayOutcome::RetryInProgress => ApiError::conflict(
            "RETRY_IN_PROGRESS",
            format!("message {id} is in a rate-limited (429) retry sequence; wait for it to finish or cancel it"),
        ),
        ReplayOutcome::LimitExceeded => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "REPLAY_LIMIT_EXCEEDED",
            format!("message {id} was already replayed {MAX_REPLAYS} times"),
        ),
        ReplayOutcome::PayloadUnavailable => {
            ApiError::new(StatusCode::GONE, "PAYLOAD_UNAVAILABLE", format!("the payload of message {id} is no longer retained"))
        }
        ReplayOutcome::EndpointDeleted => {
            ApiError::conflict("ENDPOINT_DELETED", format!("the endpoint of message {id} was deleted; it cannot be replayed"))
        }
        ReplayOutcome::NotReplayable(status) => {
            ApiError::conflict("INVALID_STATUS", format!("message {id} is {status}; it cannot be replayed in this status"))
        }
    }
}

/// Short text for a replay outcome inside batch results.
fn replay_error_text(outcome: &ReplayOutcome) -> String {
    match outcome {
        ReplayOutcome::Replayed => String::new(),
        ReplayOutcome::NotFound => "message not found".into(),
        ReplayOutcome::DeliveryInProgress => "delivery in progress".into(),
        ReplayOutcome::RetryInProgress => "rate-limited retry in progress".into(),
        ReplayOutcome::LimitExceeded => format!("replay limit of {MAX_REPLAYS} reached"),
        ReplayOutcome::PayloadUnavailable => "payload no longer retained".into(),
        ReplayOutcome::EndpointDeleted => "endpoint deleted".into(),
        ReplayOutcome::NotReplayable(status) => format!("message not replayable (status {status})"),
    }
}

/// `POST /v1/messages/{id}/replay`.
pub(crate) async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    let outcome =
        state.store.replay_message(&caller.project_id, Direction::Outbound, &id, ReplayMode::Manual, now_millis()).await?;
    if outcome != ReplayOutcome::Replayed {
        return Err(replay_error(outcome, &id));
    }
    state.delivery.wake();
    Ok(Reply::ok(ReplayMessageResponse { message_id: id, status: MessageStatus::Queued.to_string() })
        .message("Message queued for replay"))
}

fn status_error(change: StatusChange, id: &str, action: &str) -> ApiError {
    match change {
        StatusChange::NotFound => ApiError::not_found("message", id),
        StatusChange::WrongStatus(status) => {
            ApiError::conflict("INVALID_STATUS", format!("message {id} is {status}; only pending_retry messages can be {action}"))
                .with_details(json!({ "current_status": status }))
        }
        StatusChange::Done => ApiError::internal("status change succeeded"),
    }
}

/// The answer of cancel, retry-now and a DLQ replay: the message and its status now.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct MessageStatusChange {
    /// The message.
    message_id: String,
    /// Its status after the change.
    status: String,
}

impl MessageStatusChange {
    /// The message `id` is now in `status`.
    pub(crate) fn new(id: String, status: impl ToString) -> Self {
        MessageStatusChange { message_id: id, status: status.to_string() }
    }
}

/// `POST /v1/messages/{id}/cancel`.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    match state.store.cancel_message(&caller.project_id, &id, now_millis()).await? {
        StatusChange::Done => {
            Telemetry::inc(&state.telemetry.failed);
            Ok(Reply::ok(MessageStatusChange::new(id, MessageStatus::FailedPermanent))
                .message("Retry cancelled; message moved to the DLQ"))
        }
        other => Err(status_error(other, &id, "cancelled")),
    }
}

/// `POST /v1/messages/{id}/retry-now`.
pub(crate) async fn retry_now(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    match state.store.retry_message_now(&caller.project_id, &id, now_millis()).await? {
        StatusChange::Done => {
            state.delivery.wake();
            Ok(Reply::ok(MessageStatusChange::new(id, MessageStatus::PendingRetry)).message("Retry scheduled now"))
        }
        other => Err(status_error(other, &id, "retried now")),
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ReplayAllQuery {
    status: Option<String>,
    endpoint_id: Option<String>,
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<i64>,
}

async fn replay_all(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ReplayAllQuery>,
) -> ApiResult<Reply> {
    replay_all_reply(&state, &caller, Direction::Outbound, q.status.as_deref(), q.endpoint_id, q.limit).await
}

/// Replays every message of a status (`failed_permanent` or `pending_retry`), optionally of one
/// endpoint, in one direction: the shared body of the outbound and inbound replay-all routes.
pub(crate) async fn replay_all_reply(
    state: &AppState,
    caller: &Caller,
    direction: Direction,
    status: Option<&str>,
    endpoint_id: Option<String>,
    limit_param: Option<i64>,
) -> ApiResult<Reply> {
    let status = rules::replay_all_status(status).map_err(ApiError::invalid)?;
    let limit = limit("limit", limit_param, 100, 1000)?;
    let endpoint_id = endpoint_id.filter(|e| !e.is_empty());
    let result = state.store.replay_all(&caller.project_id, direction, status.as_str(), endpoint_id, limit, now_millis()).await?;
    if !result.replayed.is_empty() {
        state.delivery.wake();
    }
    Ok(Reply::ok(ReplayAllMessagesResponse {
        replayed: result.replayed.len() as i64,
        failed: result.failed,
        stuck: result.stuck.len() as i64,
        replayed_message_ids: result.replayed,
        stuck_message_ids: result.stuck,
    }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "ReplayBatchRequest")]
struct ReplayBatchBody {
    message_ids: Vec<String>,
}

async fn replay_batch(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ReplayBatchBody>,
) -> ApiResult<Reply> {
    replay_batch_reply(&state, &caller, Direction::Outbound, body.message_ids).await
}

/// Replays a list of messages (at most [`MAX_BATCH_IDS`]) of one direction, reporting each id:
/// the shared body of the outbound and inbound replay-batch routes.
pub(crate) async fn replay_batch_reply(
    state: &AppState,
    caller: &Caller,
    direction: Direction,
    message_ids: Vec<String>,
) -> ApiResult<Reply> {
    if message_ids.len() > MAX_BATCH_IDS {
        return Err(ApiError::invalid(format!("message_ids may hold at most {MAX_BATCH_IDS} ids, got {}", message_ids.len())));
    }
    let outcomes = rules::replay_batch(&*state.store, &caller.project_id, direction, message_ids, now_millis()).await?;
    let mut response =
        ReplayBatchMessagesResponse { replayed: 0, failed: 0, stuck: 0, results: Vec::with_capacity(outcomes.len()) };
    for (id, outcome) in outcomes {
        let count = ReplayCount::of(&outcome);
        match count {
            ReplayCount::Replayed => response.replayed += 1,
            ReplayCount::Stuck => response.stuck += 1,
            ReplayCount::Failed => response.failed += 1,
        }
        let error = (count != ReplayCount::Replayed).then(|| replay_error_text(&outcome));
        response.results.push(ReplayBatchResult { message_id: id, status: count.as_str().into(), error });
    }
    if response.replayed > 0 {
        state.delivery.wake();
    }
    Ok(Reply::ok(response))
}
