//! Inbound messages: replay one, a batch or every message of a status (the outbound rules and
//! response shapes), and look one up (`GET /v1/inbound-messages/{id}`, the 2.0 shape).

use axum::extract::State;
use axum::routing::{get, post};
use hookbridge::{ReplayAllMessagesResponse, ReplayBatchMessagesResponse, ReplayBatchResult, ReplayMessageResponse};
use serde::Deserialize;

use super::is_uuid;
use crate::clock::now_millis;
use crate::http::auth::Caller;
use crate::http::extract::{JsonBody, PathParams, QueryParams, limit};
use crate::http::messages::{MAX_BATCH_IDS, replay_error};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
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
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/{message_id}/replay",
            summary: "Forward an inbound message again (at most 10 times)",
            authenticated: true,
            handler: post(replay),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/replay-all",
            summary: "Replay every inbound message in a status",
            authenticated: true,
            handler: post(replay_all),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-messages/replay-batch",
            summary: "Replay up to 100 inbound messages by id",
            authenticated: true,
            handler: post(replay_batch),
        },
    ]
}

async fn get_message(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    let found = if is_uuid(&id) { state.store.get_inbound_message(&caller.project_id, &id).await? } else { None };
    found.map(Reply::ok).ok_or_else(|| ApiError::not_found("inbound message", &id))
}

async fn replay(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    let outcome = if is_uuid(&id) {
        state.store.replay_message(&caller.project_id, Direction::Inbound, &id, ReplayMode::Manual, now_millis()).await?
    } else {
        ReplayOutcome::NotFound
    };
    if outcome != ReplayOutcome::Replayed {
        return Err(replay_error(outcome, &id));
    }
    state.delivery.wake();
    Ok(Reply::ok(ReplayMessageResponse { message_id: id, status: "queued".into() }).message("Inbound message queued for replay"))
}

#[derive(Deserialize)]
struct ReplayAllQuery {
    status: Option<String>,
    inbound_endpoint_id: Option<String>,
    limit: Option<i64>,
}

async fn replay_all(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ReplayAllQuery>,
) -> ApiResult<Reply> {
    let status = match q.status.as_deref() {
        Some(s @ ("failed_permanent" | "pending_retry")) => s.to_owned(),
        Some(other) => return Err(ApiError::invalid(format!("status must be failed_permanent or pending_retry, got {other:?}"))),
        None => return Err(ApiError::invalid("status is required (failed_permanent or pending_retry)")),
    };
    let limit = limit("limit", q.limit, 100, 1000)?;
    let endpoint_id = q.inbound_endpoint_id.filter(|e| !e.is_empty());
    let result =
        state.store.replay_all(&caller.project_id, Direction::Inbound, &status, endpoint_id, limit, now_millis()).await?;
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

#[derive(Deserialize)]
struct ReplayBatchBody {
    message_ids: Vec<String>,
}

async fn replay_batch(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ReplayBatchBody>,
) -> ApiResult<Reply> {
    if body.message_ids.len() > MAX_BATCH_IDS {
        return Err(ApiError::invalid(format!(
            "message_ids may hold at most {MAX_BATCH_IDS} ids, got {}",
            body.message_ids.len()
        )));
    }
    let outcomes =
        state.store.replay_messages(&caller.project_id, Direction::Inbound, body.message_ids.clone(), now_millis()).await?;
    let mut response =
        ReplayBatchMessagesResponse { replayed: 0, failed: 0, stuck: 0, results: Vec::with_capacity(outcomes.len()) };
    for (id, outcome) in body.message_ids.into_iter().zip(outcomes) {
        let status = match outcome {
            ReplayOutcome::Replayed => {
                response.replayed += 1;
                "replayed"
            }
            ReplayOutcome::DeliveryInProgress | ReplayOutcome::RetryInProgress => {
                response.stuck += 1;
                "stuck"
            }
            _ => {
                response.failed += 1;
                "failed"
            }
        };
        let error = (outcome != ReplayOutcome::Replayed).then(|| replay_error(outcome, &id).message);
        response.results.push(ReplayBatchResult { message_id: id, status: status.into(), error });
    }
    if response.replayed > 0 {
        state.delivery.wake();
    }
    Ok(Reply::ok(response))
}
