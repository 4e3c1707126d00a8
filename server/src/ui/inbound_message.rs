//! One inbound message: status and counters, the received payload and headers, every
//! forwarding attempt, and replay.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::csrf::Action;
use super::layout::{Nav, action_button, error_page, esc, facts, notice, opt_time, page, query_value, time};
use super::messages::{attempts_table, body_and_attempts, headers_table, payload_block, status_badge};
use super::session::UiSession;
use super::{Params, after_action, done_notice};
use crate::error::ApiError;
use crate::http::extract::PathParams;
use crate::http::inbound::is_uuid;
use crate::http::inbound::messages::replay as api_replay;
use crate::state::AppState;
use crate::store::Direction;

/// The page of inbound message `id`.
fn page_path(id: &str) -> String {
    format!("/ui/inbound/messages/{}", query_value(id))
}

/// `GET /ui/inbound/messages/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    session: UiSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let project = session.caller.project_id.clone();
    let loaded = async {
        let found = if is_uuid(&id) { state.store.get_inbound_message(&project, &id).await? } else { None };
        let message = found.ok_or_else(|| ApiError::not_found("inbound message", &id))?;
        let (body, attempts) = body_and_attempts(&state, &project, Direction::Inbound, &id).await?;
        Ok::<_, ApiError>((message, body, attempts))
    };
    let (m, stored, attempts) = match loaded.await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), &e, "/ui/inbound"),
    };
    let items = [
        ("Status", status_badge(m.status)),
        (
            "Inbound endpoint",
            format!(
                r#"<a href="/ui/inbound/{}"><code>{}</code></a>"#,
                query_value(&m.inbound_endpoint_id),
                esc(&m.inbound_endpoint_id)
            ),
        ),
        ("Received", time(m.received_at)),
        ("Updated", time(m.updated_at)),
        ("Forwarded", opt_time(m.delivered_at)),
        ("Attempts", m.attempt_count.to_string()),
        ("Replays", m.replay_count.to_string()),
        ("Next attempt", if m.status.is_waiting() { opt_time(m.next_attempt_at) } else { "—".into() }),
        ("Content type", esc(&m.content_type)),
        ("Size", format!("{} bytes", m.size_bytes)),
        ("SHA-256", format!("<code>{}</code>", esc(&m.payload_sha256))),
        ("Idempotency key", esc(m.idempotency_key.as_deref().unwrap_or("—"))),
        ("Last error", esc(m.last_error.as_deref().unwrap_or("—"))),
    ];
    let facts = facts(&items);
    let payload = payload_block(stored.payload.as_deref());
    let headers = headers_table("Headers received with the message", stored.headers_json.as_deref());
    let body = format!(
        r#"{}<p class="mono">{}</p><div class="actions">{}</div>
{facts}
<h2>Payload</h2>{payload}
<h2>Headers</h2>{}
<h2>Forwarding attempts</h2>{}
<p><a href="/ui/inbound/{}">Back to the inbound endpoint</a></p>"#,
        notice(done_notice(&Params::parse(query))),
        esc(&m.id),
        action_button(&session, &format!("{}/replay", page_path(&m.id)), "Replay", ""),
        if headers.is_empty() { "<p>No headers kept.</p>".to_owned() } else { headers },
        attempts_table(&attempts),
        query_value(&m.inbound_endpoint_id),
    );
    page(StatusCode::OK, &format!("Inbound message {}", m.id), Some(&session), Nav::Inbound, &body)
}

/// `POST /ui/inbound/messages/{id}/replay`: forwards the message again (the API's replay).
pub async fn replay(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let back = page_path(&id);
    let result = api_replay(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, &format!("{back}?done=replayed"), &back)
}
