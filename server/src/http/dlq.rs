//! The dead letter queue: messages in `failed_permanent`, and replay out of it (no cap).

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{get, post};
use hookbridge::MessageSummary;
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::extract::{PathParams, QueryParams, cursor, limit};
use super::logs::message_summary;
use super::messages::replay_error;
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, opt_timestamp};
use crate::domain::MessageStatus;
use crate::store::{Direction, LogFilter, ReplayMode, ReplayOutcome};

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/dlq/messages",
            summary: "List messages in the dead letter queue",
            authenticated: true,
            handler: get(list_dlq),
            doc: op("get_dlq_messages").query::<DlqQuery>().data::<DlqPage>(),
        },
        Route {
            method: "POST",
            path: "/v1/dlq/replay/{message_id}",
            summary: "Replay a message from the dead letter queue",
            authenticated: true,
            handler: post(replay_from_dlq),
            doc: op("replay_from_dlq").data::<super::messages::MessageStatusChange>(),
        },
    ]
}

#[derive(Serialize, schemars::JsonSchema)]
struct DlqItem {
    #[serde(flatten)]
    summary: MessageSummary,
    endpoint_id: String,
    failed_at: Option<hookbridge::Timestamp>,
}

/// A page of the dead letter queue (the cursor also in `meta`).
#[derive(Serialize, schemars::JsonSchema)]
struct DlqPage {
    /// Messages in `failed_permanent`, newest first.
    messages: Vec<DlqItem>,
    /// Whether another page exists.
    has_more: bool,
    /// Pass as `cursor` for the next page.
    next_cursor: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct DlqQuery {
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    cursor: Option<String>,
    endpoint_id: Option<String>,
}

async fn list_dlq(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<DlqQuery>) -> ApiResult<Reply> {
    let filter = LogFilter {
        project_id: caller.project_id,
        direction: Direction::Outbound,
        status: Some(MessageStatus::FailedPermanent),
        endpoint_id: q.endpoint_id.filter(|e| !e.is_empty()),
        start_ms: None,
        end_ms: None,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_messages(filter).await?;
    let messages: Vec<DlqItem> = page
        .items
        .into_iter()
        .map(|e| DlqItem { failed_at: opt_timestamp(e.failed_at), summary: message_summary(&e), endpoint_id: e.endpoint_id })
        .collect();
    let next_cursor = page.next.map(|c| c.encode());
    let has_more = next_cursor.is_some();
    Ok(Reply::ok(DlqPage { messages, has_more, next_cursor: next_cursor.clone() }).cursor(next_cursor))
}

/// `POST /v1/dlq/replay/{id}`.
pub(crate) async fn replay_from_dlq(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    match state.store.replay_message(&caller.project_id, Direction::Outbound, &id, ReplayMode::DeadLetter, now_millis()).await? {
        ReplayOutcome::Replayed => {
            state.delivery.wake();
            Ok(Reply::ok(super::messages::MessageStatusChange::new(id, "replayed")).message("Message replayed from the DLQ"))
        }
        ReplayOutcome::NotReplayable(status) => Err(ApiError::invalid(format!(
            "message {id} is not in DLQ (status {status}); only failed_permanent messages can be replayed from it"
        ))),
        other => Err(replay_error(other, &id)),
    }
}
