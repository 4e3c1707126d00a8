//! Soft deletion of outbound and inbound messages: `DELETE /v1/messages/{id}`,
//! `POST /v1/messages/delete-batch`, `POST /v1/messages/delete-all` and the same under
//! `/v1/inbound-messages`. The payload is purged and the record kept with `deleted_at` and the
//! deleting key; pending attempts are called off and the idempotency key released (see
//! [`crate::domain::deletion`]). Any key of the project may delete its messages.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, post};
use hookbridge::{DeleteBatchItemResult, DeleteBatchResult, DeleteMessageResult, outcome};
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::extract::{JsonBody, PathParams, QueryParams, endpoint_id_filter, limit, parse_time, status_filter};
use super::messages::MAX_BATCH_IDS;
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, timestamp};
use crate::store::Direction;
use crate::store::deletion::{DeleteFilter, DeleteOutcome, Deleter};

/// Most messages one delete-all call deletes (also its default).
pub const MAX_DELETE_ALL: usize = 1000;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let r = |method, path, summary, handler, doc| Route { method, path, summary, authenticated: true, handler, doc };
    vec![
        r(
            "DELETE",
            "/v1/messages/{message_id}",
            "Delete a message (payload purged, record kept)",
            delete(delete_outbound),
            op("delete_message").data::<hookbridge::DeleteMessageResult>(),
        ),
        r(
            "POST",
            "/v1/messages/delete-batch",
            "Delete up to 100 messages by id",
            post(batch_outbound),
            op("delete_messages_batch").body::<BatchBody>().data::<hookbridge::DeleteBatchResult>(),
        ),
        r(
            "POST",
            "/v1/messages/delete-all",
            "Delete messages matching filters (status, endpoint_id, created_after, created_before; up to 1000 per call)",
            post(all_outbound),
            op("delete_messages_all").query::<OutboundAllQuery>().data::<DeletedAll>(),
        ),
        r(
            "DELETE",
            "/v1/inbound-messages/{message_id}",
            "Delete an inbound message",
            delete(delete_inbound),
            op("delete_inbound_message").data::<hookbridge::DeleteMessageResult>(),
        ),
        r(
            "POST",
            "/v1/inbound-messages/delete-batch",
            "Delete up to 100 inbound messages by id",
            post(batch_inbound),
            op("delete_inbound_messages_batch").body::<BatchBody>().data::<hookbridge::DeleteBatchResult>(),
        ),
        r(
            "POST",
            "/v1/inbound-messages/delete-all",
            "Delete inbound messages matching filters (status, inbound_endpoint_id, received_after, received_before)",
            post(all_inbound),
            op("delete_inbound_messages_all").query::<InboundAllQuery>().data::<DeletedAll>(),
        ),
    ]
}

fn deleter(caller: &Caller, direction: Direction) -> Deleter {
    Deleter { project_id: caller.project_id.clone(), direction, api_key_id: caller.key_id.clone(), now_ms: now_millis() }
}

fn what(direction: Direction) -> &'static str {
    match direction {
        Direction::Outbound => "message",
        Direction::Inbound => "inbound message",
    }
}

async fn delete_outbound(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    delete_one(&state, &caller, Direction::Outbound, id).await
}

async fn delete_inbound(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    delete_one(&state, &caller, Direction::Inbound, id).await
}

async fn delete_one(state: &AppState, caller: &Caller, direction: Direction, id: String) -> ApiResult<Reply> {
    let outcomes = state.store.delete_messages(deleter(caller, direction), vec![id.clone()]).await?;
    let (deleted_at, already_deleted) = match outcomes.first() {
        Some(DeleteOutcome::Deleted(at)) => (*at, false),
        Some(DeleteOutcome::AlreadyDeleted(at)) => (*at, true),
        Some(DeleteOutcome::NotFound) | None => return Err(ApiError::not_found(what(direction), &id)),
    };
    Ok(Reply::ok(DeleteMessageResult { message_id: id, deleted_at: timestamp(deleted_at), already_deleted }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DeleteMessagesBatchRequest")]
struct BatchBody {
    message_ids: Vec<String>,
}

async fn batch_outbound(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<BatchBody>) -> ApiResult<Reply> {
    delete_batch(&state, &caller, Direction::Outbound, body.message_ids).await
}

async fn batch_inbound(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<BatchBody>) -> ApiResult<Reply> {
    delete_batch(&state, &caller, Direction::Inbound, body.message_ids).await
}

async fn delete_batch(state: &AppState, caller: &Caller, direction: Direction, ids: Vec<String>) -> ApiResult<Reply> {
    if ids.is_empty() {
        return Err(ApiError::invalid("message_ids must hold at least one id"));
    }
    if ids.len() > MAX_BATCH_IDS {
        return Err(ApiError::invalid(format!("message_ids may hold at most {MAX_BATCH_IDS} ids, got {}", ids.len())));
    }
    let outcomes = state.store.delete_messages(deleter(caller, direction), ids.clone()).await?;
    let mut result = DeleteBatchResult {
        results: Vec::with_capacity(ids.len()),
        deleted_count: 0,
        already_deleted_count: 0,
        not_found_count: 0,
    };
    for (message_id, outcome) in ids.into_iter().zip(outcomes) {
        let (text, at) = match outcome {
            DeleteOutcome::Deleted(at) => {
                result.deleted_count += 1;
                (outcome::DELETED, Some(at))
            }
            DeleteOutcome::AlreadyDeleted(at) => {
                result.already_deleted_count += 1;
                (outcome::ALREADY_DELETED, Some(at))
            }
            DeleteOutcome::NotFound => {
                result.not_found_count += 1;
                (outcome::NOT_FOUND, None)
            }
        };
        result.results.push(DeleteBatchItemResult { message_id, outcome: text.into(), deleted_at: at.map(timestamp) });
    }
    Ok(Reply::ok(result))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct OutboundAllQuery {
    status: Option<String>,
    endpoint_id: Option<String>,
    created_after: Option<String>,
    created_before: Option<String>,
    #[schemars(range(min = 1, max = MAX_DELETE_ALL))]
    limit: Option<i64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct InboundAllQuery {
    status: Option<String>,
    inbound_endpoint_id: Option<String>,
    received_after: Option<String>,
    received_before: Option<String>,
    #[schemars(range(min = 1, max = MAX_DELETE_ALL))]
    limit: Option<i64>,
}

/// `data` of a delete-all. A delete-all runs in one transaction, so it never reports the
/// optional top-level partial-failure `error`: it deletes everything it selected or nothing.
#[derive(Serialize, schemars::JsonSchema)]
struct DeletedAll {
    deleted: usize,
    deleted_message_ids: Vec<String>,
}

fn time_param(field: &str, value: Option<String>) -> Result<Option<i64>, ApiError> {
    value.as_deref().filter(|t| !t.is_empty()).map(|t| parse_time(field, t)).transpose()
}

async fn all_outbound(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<OutboundAllQuery>,
) -> ApiResult<Reply> {
    let filter = DeleteFilter {
        status: status_filter("status", q.status)?,
        endpoint_id: endpoint_id_filter("endpoint_id", q.endpoint_id)?,
        after_ms: time_param("created_after", q.created_after)?,
        before_ms: time_param("created_before", q.created_before)?,
        limit: limit("limit", q.limit, MAX_DELETE_ALL, MAX_DELETE_ALL)?,
    };
    delete_all(&state, &caller, Direction::Outbound, filter).await
}

async fn all_inbound(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<InboundAllQuery>,
) -> ApiResult<Reply> {
    let endpoint_id = q.inbound_endpoint_id.filter(|e| !e.is_empty());
    if let Some(id) = &endpoint_id
        && uuid::Uuid::parse_str(id).is_err()
    {
        return Err(ApiError::invalid(format!("inbound_endpoint_id must be a UUID, got {id:?}")));
    }
    let filter = DeleteFilter {
        status: status_filter("status", q.status)?,
        endpoint_id,
        after_ms: time_param("received_after", q.received_after)?,
        before_ms: time_param("received_before", q.received_before)?,
        limit: limit("limit", q.limit, MAX_DELETE_ALL, MAX_DELETE_ALL)?,
    };
    delete_all(&state, &caller, Direction::Inbound, filter).await
}

async fn delete_all(state: &AppState, caller: &Caller, direction: Direction, filter: DeleteFilter) -> ApiResult<Reply> {
    let ids = state.store.delete_matching(deleter(caller, direction), filter).await?;
    Ok(Reply::ok(DeletedAll { deleted: ids.len(), deleted_message_ids: ids }))
}
