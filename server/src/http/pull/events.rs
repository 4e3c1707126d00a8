//! The events of a pull endpoint: list (filters and cursor), read (a non-preview read moves
//! `stored → fetched`), acknowledge (`→ delivered`), and delete (one, a batch, or every event
//! matching filters; the payload is purged and the dedupe key released, the record kept).

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, get, post};
use base64::Engine;
use hookbridge::{
    AckPullEventsResponse, DeleteEventBatchItemResult, DeleteEventBatchResult, DeleteEventResult, DeletePullEventsAllResult,
    JsonValue, PullEvent, PullEventSummary,
};
use serde::Deserialize;
use serde_json::Value;

use super::management::live_endpoint;
use super::{is_uuid, status_filter, timing};
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::http::auth::Caller;
use crate::http::extract::{JsonBody, PathParams, QueryParams, cursor, limit, parse_time};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::store::pull::{PullDeletion, PullEventFilter, PullEventRecord};

/// Most ids in one acknowledgement or batch deletion.
const MAX_IDS: usize = 100;
/// Most events one delete-all call deletes (and its default).
const MAX_DELETE_ALL: usize = 1000;

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    const EVENTS: &str = "/v1/pull-endpoints/{endpoint_id}/events";
    const ONE: &str = "/v1/pull-endpoints/{endpoint_id}/events/{event_id}";
    vec![
        Route {
            method: "GET",
            path: EVENTS,
            summary: "List a pull endpoint's events (filters, cursor pagination)",
            authenticated: true,
            handler: get(list),
            doc: op("list_pull_events").query::<ListQuery>().data::<Vec<hookbridge::PullEventSummary>>(),
        },
        Route {
            method: "GET",
            path: ONE,
            summary: "Read an event with its payload (stored -> fetched unless preview=true)",
            authenticated: true,
            handler: get(read),
            doc: op("get_pull_event").query::<ReadQuery>().data::<hookbridge::PullEvent>(),
        },
        Route {
            method: "DELETE",
            path: ONE,
            summary: "Delete an event (payload purged, record kept)",
            authenticated: true,
            handler: delete(delete_one),
            doc: op("delete_pull_event").data::<hookbridge::DeleteEventResult>(),
        },
        Route {
            method: "POST",
            path: "/v1/pull-endpoints/{endpoint_id}/events/ack",
            summary: "Acknowledge events (-> delivered)",
            authenticated: true,
            handler: post(ack),
            doc: op("ack_pull_events").body::<AckBody>().data::<hookbridge::AckPullEventsResponse>(),
        },
        Route {
            method: "POST",
            path: "/v1/pull-endpoints/{endpoint_id}/events/delete-batch",
            summary: "Delete the given events (body key message_ids holds event ids)",
            authenticated: true,
            handler: post(delete_batch),
            doc: op("delete_pull_events_batch").body::<BatchBody>().data::<hookbridge::DeleteEventBatchResult>(),
        },
        Route {
            method: "POST",
            path: "/v1/pull-endpoints/{endpoint_id}/events/delete-all",
            summary: "Delete every event matching the filters (at most 1000 per call)",
            authenticated: true,
            handler: post(delete_all),
            doc: op("delete_pull_events_all").query::<DeleteAllQuery>().data::<hookbridge::DeletePullEventsAllResult>(),
        },
    ]
}

/// An event as listed.
pub(super) fn summary(e: PullEventRecord) -> PullEventSummary {
    PullEventSummary {
        timing: Some(timing(&e)),
        id: e.id,
        status: e.status.as_str().into(),
        size_bytes: e.size_bytes,
        received_at: timestamp(e.received_at),
        event_type: e.event_type,
        fetched_at: opt_timestamp(e.fetched_at),
        delivered_at: opt_timestamp(e.delivered_at),
        deleted_at: opt_timestamp(e.deleted_at),
    }
}

/// The payload on the wire: JSON as sent, other text as a string, other bytes as base64;
/// `null` once deleted.
fn payload_value(payload: Option<Vec<u8>>) -> Value {
    let Some(bytes) = payload else { return Value::Null };
    if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
        return json;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Value::String(text),
        Err(e) => Value::String(base64::engine::general_purpose::STANDARD.encode(e.into_bytes())),
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ListQuery {
    status: Option<String>,
    event_type: Option<String>,
    since: Option<String>,
    before: Option<String>,
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let filter = PullEventFilter {
        project_id: caller.project_id,
        pull_endpoint_id: Some(id),
        status: status_filter("status", q.status, true)?,
        event_type: q.event_type.filter(|t| !t.is_empty()),
        start_ms: q.since.as_deref().map(|t| parse_time("since", t)).transpose()?,
        end_ms: q.before.as_deref().map(|t| parse_time("before", t)).transpose()?,
        live_only: false,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_pull_events(filter).await?;
    let items: Vec<PullEventSummary> = page.items.into_iter().map(summary).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ReadQuery {
    preview: Option<String>,
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, event_id)): PathParams<(String, String)>,
    QueryParams(q): QueryParams<ReadQuery>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let preview = match q.preview.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => return Err(ApiError::invalid(format!("preview must be true or false, got {other:?}"))),
    };
    let found = if is_uuid(&event_id) {
        state.store.read_pull_event(&caller.project_id, &id, &event_id, preview, now_millis()).await?
    } else {
        None
    };
    let Some((e, payload)) = found else { return Err(ApiError::not_found("pull event", &event_id)) };
    let headers = e.headers_json.as_deref().and_then(|h| serde_json::from_str(h).ok());
    Ok(Reply::ok(PullEvent {
        timing: Some(timing(&e)),
        payload: JsonValue(payload_value(payload)),
        id: e.id,
        status: e.status.as_str().into(),
        content_type: e.content_type,
        size_bytes: e.size_bytes,
        received_at: timestamp(e.received_at),
        event_type: e.event_type,
        headers,
        fetched_at: opt_timestamp(e.fetched_at),
        delivered_at: opt_timestamp(e.delivered_at),
        deleted_at: opt_timestamp(e.deleted_at),
        deleted_by_user_id: None,
        deleted_by_api_key_id: e.deleted_by_api_key_id,
    }))
}

/// Checks a list of event ids given in a body under `field`: 1 to [`MAX_IDS`] entries.
fn id_list(field: &str, ids: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    let ids = ids.ok_or_else(|| ApiError::invalid(format!("{field} is required (a list of event ids)")))?;
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(ApiError::invalid(format!("{field} must hold 1 to {MAX_IDS} event ids, got {}", ids.len())));
    }
    Ok(ids)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "AckPullEventsRequest")]
struct AckBody {
    event_ids: Option<Vec<String>>,
}

async fn ack(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<AckBody>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let ids: Vec<String> = id_list("event_ids", body.event_ids)?.into_iter().filter(|e| is_uuid(e)).collect();
    let acknowledged = state.store.ack_pull_events(&caller.project_id, &id, ids, now_millis()).await?;
    Ok(Reply::ok(AckPullEventsResponse { acknowledged: i64::try_from(acknowledged).unwrap_or(i64::MAX) }))
}

/// Deletes the given ids (ids that are not UUIDs are simply not found).
async fn delete_ids(state: &AppState, caller: &Caller, endpoint_id: &str, ids: &[String]) -> ApiResult<Vec<PullDeletion>> {
    let valid: Vec<String> = ids.iter().filter(|e| is_uuid(e)).cloned().collect();
    let mut outcomes = state
        .store
        .delete_pull_events(&caller.project_id, endpoint_id, valid, Some(caller.key_id.clone()), now_millis())
        .await?
        .into_iter();
    Ok(ids
        .iter()
        .map(|e| if is_uuid(e) { outcomes.next().unwrap_or(PullDeletion::NotFound) } else { PullDeletion::NotFound })
        .collect())
}

async fn delete_one(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, event_id)): PathParams<(String, String)>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let outcome = delete_ids(&state, &caller, &id, std::slice::from_ref(&event_id)).await?;
    let (deleted_at, already_deleted) = match outcome.first() {
        Some(PullDeletion::Deleted(at)) => (*at, false),
        Some(PullDeletion::AlreadyDeleted(at)) => (*at, true),
        _ => return Err(ApiError::not_found("pull event", &event_id)),
    };
    Ok(Reply::ok(DeleteEventResult { event_id, deleted_at: timestamp(deleted_at), already_deleted }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DeletePullEventsBatchRequest")]
struct BatchBody {
    message_ids: Option<Vec<String>>,
}

async fn delete_batch(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<BatchBody>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let ids = id_list("message_ids", body.message_ids)?;
    let outcomes = delete_ids(&state, &caller, &id, &ids).await?;
    let mut result =
        DeleteEventBatchResult { results: Vec::new(), deleted_count: 0, already_deleted_count: 0, not_found_count: 0 };
    for (event_id, outcome) in ids.into_iter().zip(outcomes) {
        let (name, at) = match outcome {
            PullDeletion::Deleted(at) => {
                result.deleted_count += 1;
                ("deleted", Some(at))
            }
            PullDeletion::AlreadyDeleted(at) => {
                result.already_deleted_count += 1;
                ("already_deleted", Some(at))
            }
            PullDeletion::NotFound => {
                result.not_found_count += 1;
                ("not_found", None)
            }
        };
        result.results.push(DeleteEventBatchItemResult { event_id, outcome: name.into(), deleted_at: opt_timestamp(at) });
    }
    Ok(Reply::ok(result))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct DeleteAllQuery {
    status: Option<String>,
    event_type: Option<String>,
    received_after: Option<String>,
    received_before: Option<String>,
    #[schemars(range(min = 1, max = MAX_DELETE_ALL))]
    limit: Option<i64>,
}

async fn delete_all(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<DeleteAllQuery>,
) -> ApiResult<Reply> {
    live_endpoint(&state, &caller, &id).await?;
    let filter = PullEventFilter {
        project_id: caller.project_id.clone(),
        pull_endpoint_id: Some(id.clone()),
        status: status_filter("status", q.status, true)?,
        event_type: q.event_type.filter(|t| !t.is_empty()),
        start_ms: q.received_after.as_deref().map(|t| parse_time("received_after", t)).transpose()?,
        end_ms: q.received_before.as_deref().map(|t| parse_time("received_before", t)).transpose()?,
        live_only: true,
        limit: limit("limit", q.limit, MAX_DELETE_ALL, MAX_DELETE_ALL)?,
        after: None,
    };
    let ids: Vec<String> = state.store.list_pull_events(filter).await?.items.into_iter().map(|e| e.id).collect();
    let outcomes = delete_ids(&state, &caller, &id, &ids).await?;
    let deleted_event_ids: Vec<String> = ids
        .into_iter()
        .zip(outcomes)
        .filter(|(_, o)| matches!(o, PullDeletion::Deleted(_)))
        .map(|(event_id, _)| event_id)
        .collect();
    let deleted = i64::try_from(deleted_event_ids.len()).unwrap_or(i64::MAX);
    Ok(Reply::ok(DeletePullEventsAllResult { deleted, deleted_event_ids, error: None }))
}
