//! The dead letter queue page: messages in `failed_permanent`, replay one, or replay them all.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::csrf::Action;
use super::layout::{Nav, action_button, error_page, notice, opt_time, page, query_value};
use super::messages::{MESSAGE_HEADER, message_row};
use super::session::UiSession;
use super::{Params, after_action, done_notice};
use crate::domain::MessageStatus;
use crate::error::ApiError;
use crate::http::dlq::replay_from_dlq;
use crate::http::extract::{PathParams, cursor};
use crate::http::messages::replay_all_reply;
use crate::state::AppState;
use crate::store::{Direction, LogFilter};

/// Messages per page.
const PAGE_SIZE: usize = 50;
/// Most messages one "replay all" replays (the API's largest `limit`).
const REPLAY_ALL_LIMIT: i64 = 1000;

/// `GET /ui/dlq`.
pub async fn list(State(state): State<AppState>, session: UiSession, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query);
    let listed = match cursor(params.get("cursor")) {
        Ok(after) => {
            let filter = LogFilter {
                project_id: session.caller.project_id.clone(),
                direction: Direction::Outbound,
                status: Some(MessageStatus::FailedPermanent),
                endpoint_id: None,
                start_ms: None,
                end_ms: None,
                limit: PAGE_SIZE,
                after,
            };
            state.store.list_messages(filter).await.map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => return error_page(Some(&session), &e, "/ui/dlq"),
    };
    let rows: String = listed
        .items
        .iter()
        .map(|e| {
            let replay = action_button(&session, &format!("/ui/dlq/{}/replay", e.message_id), "Replay", "");
            message_row(e, &format!(r#"<td data-label="Failed">{}</td><td class="actions">{replay}</td>"#, opt_time(e.failed_at)))
        })
        .collect();
    let content = if rows.is_empty() {
        "<p>The dead letter queue is empty.</p>".to_owned()
    } else {
        format!(
            r#"<div class="actions">{}</div><table><caption>Messages that exhausted their retries or were cancelled</caption><thead><tr>{MESSAGE_HEADER}<th scope="col">Failed</th><th scope="col">Actions</th></tr></thead><tbody>{rows}</tbody></table>"#,
            action_button(&session, "/ui/dlq/replay-all", &format!("Replay all (up to {REPLAY_ALL_LIMIT})"), "")
        )
    };
    let more = listed
        .next
        .map(|c| format!(r#"<p><a href="/ui/dlq?cursor={}">Next page</a></p>"#, query_value(&c.encode())))
        .unwrap_or_default();
    let body = format!("{}{content}{more}", notice(done_notice(&params)));
    page(StatusCode::OK, "Dead letter queue", Some(&session), Nav::Dlq, &body)
}

/// `POST /ui/dlq/{id}/replay`.
pub async fn replay(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let result = replay_from_dlq(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, "/ui/dlq?done=dlq_replayed", "/ui/dlq")
}

/// `POST /ui/dlq/replay-all`: replays the queue (up to `REPLAY_ALL_LIMIT` messages) and says
/// how many were replayed, failed, or were stuck in a delivery.
pub async fn replay_all(State(state): State<AppState>, action: Action) -> Response {
    let caller = &action.session.caller;
    match replay_all_reply(&state, caller, Direction::Outbound, Some("failed_permanent"), None, Some(REPLAY_ALL_LIMIT)).await {
        Ok(reply) => {
            let data: serde_json::Value = serde_json::from_str(reply.data().get()).unwrap_or_default();
            let count = |k: &str| data.get(k).and_then(|v| v.as_i64()).unwrap_or(0);
            let body = format!(
                r#"<p class="notice" role="status">Replayed {} messages; {} could not be replayed; {} were being delivered.</p><p><a href="/ui/dlq">Back to the dead letter queue</a></p>"#,
                count("replayed"),
                count("failed"),
                count("stuck")
            );
            page(StatusCode::OK, "Dead letter queue replayed", Some(&action.session), Nav::Dlq, &body)
        }
        Err(e) => error_page(Some(&action.session), &e, "/ui/dlq"),
    }
}
