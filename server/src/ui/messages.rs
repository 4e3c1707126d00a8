//! The messages pages: browse outbound messages (status, time and endpoint filters, cursor
//! pages), one message (payload, headers, every attempt), and its actions: replay, cancel the
//! pending retry, retry now.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::csrf::Action;
use super::layout::{Nav, action_button, error_page, esc, facts, notice, opt_num, opt_time, page, query_value, time};
use super::session::UiSession;
use super::{Params, after_action, done_notice};
use crate::domain::MessageStatus;
use crate::error::{ApiError, ApiResult};
use crate::http::attempts::MAX_ATTEMPTS;
use crate::http::extract::{PathParams, cursor, endpoint_id_filter, parse_time, status_filter};
use crate::http::messages::{cancel as api_cancel, replay as api_replay, retry_now as api_retry_now};
use crate::state::AppState;
use crate::store::attempts::StoredAttempt;
use crate::store::messages::MessageBody;
use crate::store::{Direction, LogEntry, LogFilter};

/// Messages per page.
const PAGE_SIZE: usize = 50;

/// A time filter: RFC 3339, or a browser's `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) read as UTC.
pub fn filter_time(field: &str, text: &str) -> ApiResult<i64> {
    parse_time(field, text).or_else(|e| {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
            .map(|t| t.and_utc().timestamp_millis())
            .ok_or(e)
    })
}

/// A status as a badge.
pub fn status_badge(status: MessageStatus) -> String {
    let class = match status {
        MessageStatus::Succeeded => "ok",
        MessageStatus::FailedPermanent => "bad",
        _ => "warn",
    };
    format!(r#"<span class="badge {class}">{}</span>"#, status.as_str())
}

/// One listed message as a table row.
pub fn message_row(e: &LogEntry, extra: &str) -> String {
    format!(
        r#"<tr><td data-label="Message"><a href="/ui/messages/{}"><code>{}</code></a></td><td data-label="Status">{}</td><td data-label="Endpoint">{}</td><td data-label="Attempts">{}</td><td data-label="Last response">{}</td><td data-label="Last error">{}</td><td data-label="Created">{}</td>{extra}</tr>"#,
        esc(&e.message_id),
        esc(&e.message_id),
        status_badge(e.status),
        esc(&e.destination_url),
        e.attempt_count,
        opt_num(e.response_status),
        esc(e.last_error.as_deref().unwrap_or("")),
        time(e.created_at),
    )
}

/// The header row of [`message_row`] tables.
pub const MESSAGE_HEADER: &str = r#"<th scope="col">Message</th><th scope="col">Status</th><th scope="col">Endpoint</th><th scope="col">Attempts</th><th scope="col">Last response</th><th scope="col">Last error</th><th scope="col">Created</th>"#;

fn filter_from(params: &Params, project_id: &str) -> ApiResult<LogFilter> {
    Ok(LogFilter {
        project_id: project_id.to_owned(),
        direction: Direction::Outbound,
        status: status_filter("status", params.owned("status"))?,
        endpoint_id: endpoint_id_filter("endpoint_id", params.owned("endpoint_id"))?,
        start_ms: params.get("from").map(|t| filter_time("from", t)).transpose()?,
        end_ms: params.get("to").map(|t| filter_time("to", t)).transpose()?,
        limit: PAGE_SIZE,
        after: cursor(params.get("cursor"))?,
    })
}

/// `GET /ui/messages`.
pub async fn list(State(state): State<AppState>, session: UiSession, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query);
    let listed = match filter_from(&params, &session.caller.project_id) {
        Ok(filter) => state.store.list_messages(filter).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => return error_page(Some(&session), &e, "/ui/messages"),
    };
    let selected = params.get("status").unwrap_or("");
    let options: String = std::iter::once(("", "any status"))
        .chain(MessageStatus::ALL.iter().map(|s| (s.as_str(), s.as_str())))
        .map(|(value, label)| {
            let sel = if value == selected { " selected" } else { "" };
            format!(r#"<option value="{value}"{sel}>{label}</option>"#)
        })
        .collect();
    let value = |name: &str| esc(params.get(name).unwrap_or(""));
    let rows: String = listed.items.iter().map(|e| message_row(e, "")).collect();
    let table = if rows.is_empty() {
        "<p>No messages match.</p>".to_owned()
    } else {
        format!(
            r#"<table><caption>Outbound messages, newest first</caption><thead><tr>{MESSAGE_HEADER}</tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let more = listed
        .next
        .map(|c| {
            let mut q = String::new();
            for name in ["status", "from", "to", "endpoint_id"] {
                if let Some(v) = params.get(name) {
                    q.push_str(&format!("{name}={}&", query_value(v)));
                }
            }
            format!(r#"<p><a href="/ui/messages?{}cursor={}">Next page</a></p>"#, esc(&q), query_value(&c.encode()))
        })
        .unwrap_or_default();
    let body = format!(
        r#"<form method="get" action="/ui/messages" class="filters" role="search">
<div><label for="status">Status</label><select id="status" name="status">{options}</select></div>
<div><label for="from">From (UTC)</label><input id="from" name="from" type="datetime-local" step="1" value="{}"></div>
<div><label for="to">To (UTC)</label><input id="to" name="to" type="datetime-local" step="1" value="{}"></div>
<div><label for="endpoint_id">Endpoint id</label><input id="endpoint_id" name="endpoint_id" value="{}"></div>
<button type="submit">Filter</button></form>
<section aria-label="Messages">{table}{more}</section>"#,
        value("from"),
        value("to"),
        value("endpoint_id"),
    );
    page(StatusCode::OK, "Messages", Some(&session), Nav::Messages, &body)
}

/// A stored JSON object of headers as a table (anything else as text).
pub fn headers_table(caption: &str, json: Option<&str>) -> String {
    let Some(json) = json else { return String::new() };
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(map) if map.is_empty() => String::new(),
        Ok(map) => {
            let rows: String = map
                .iter()
                .map(|(k, v)| {
                    let v = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                    format!(r#"<tr><th scope="row">{}</th><td><code>{}</code></td></tr>"#, esc(k), esc(&v))
                })
                .collect();
            format!(r#"<table class="kv"><caption>{}</caption><tbody>{rows}</tbody></table>"#, esc(caption))
        }
        Err(_) => format!("<p>{}</p><pre>{}</pre>", esc(caption), esc(json)),
    }
}

/// A stored payload as a focusable block (pretty JSON, text, or a note for binary data), or a
/// note once retention purged it.
pub fn payload_block(payload: Option<&[u8]>) -> String {
    match payload {
        Some(p) => format!(r#"<pre class="payload" tabindex="0">{}</pre>"#, esc(&payload_text(p))),
        None => "<p>The payload is no longer retained.</p>".to_owned(),
    }
}

/// A payload for reading: pretty JSON, text, or a note for binary data.
fn payload_text(payload: &[u8]) -> String {
    match std::str::from_utf8(payload) {
        Ok(text) => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| text.to_owned()),
        Err(_) => format!("({} bytes of binary data)", payload.len()),
    }
}

/// Attempts (oldest first) as a table: time, response status, latency, outcome, error, and
/// the request and response headers and body under *Details*.
pub fn attempts_table(attempts: &[StoredAttempt]) -> String {
    let rows: String = attempts
        .iter()
        .map(|a| {
            let details = [("Request headers", a.request_headers.as_deref()), ("Response headers", a.response_headers.as_deref())]
                .iter()
                .map(|(c, j)| headers_table(c, *j))
                .collect::<String>()
                + &a.response_body.as_deref().map(|b| format!("<p>Response body</p><pre>{}</pre>", esc(b))).unwrap_or_default();
            let details =
                if details.is_empty() { String::new() } else { format!("<details><summary>Details</summary>{details}</details>") };
            format!(
                r#"<tr><td data-label="Attempt">{}</td><td data-label="Time">{}</td><td data-label="Response status">{}</td><td data-label="Latency">{} ms</td><td data-label="Outcome">{}</td><td data-label="Error">{}{details}</td></tr>"#,
                a.attempt_no,
                time(a.created_at),
                opt_num(a.response_status),
                a.latency_ms,
                esc(&a.outcome),
                esc(a.error.as_deref().unwrap_or("")),
            )
        })
        .collect();
    if rows.is_empty() {
        "<p>No attempts yet.</p>".to_owned()
    } else {
        format!(
            r#"<table id="attempts"><caption>Attempts, oldest first</caption><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Response status</th><th scope="col">Latency</th><th scope="col">Outcome</th><th scope="col">Error</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    }
}

/// The stored body (payload and headers; empty when none) and the attempts (oldest first, up to
/// the API's limit) of a message shown on a page.
pub async fn body_and_attempts(
    state: &AppState,
    project: &str,
    direction: Direction,
    id: &str,
) -> ApiResult<(MessageBody, Vec<StoredAttempt>)> {
    let body = state.store.message_body(project, direction, id).await?.unwrap_or_default();
    let attempts = state.store.list_attempts(project, direction, id, MAX_ATTEMPTS).await?;
    Ok((body, attempts))
}

/// `GET /ui/messages/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    session: UiSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let project = session.caller.project_id.clone();
    let loaded = async {
        let message = state.store.get_message(&project, &id).await?.ok_or_else(|| ApiError::not_found("message", &id))?;
        let (body, attempts) = body_and_attempts(&state, &project, Direction::Outbound, &id).await?;
        Ok::<_, ApiError>((message, body, attempts))
    };
    let (m, stored, attempts) = match loaded.await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), &e, "/ui/messages"),
    };
    let mut actions = action_button(&session, &format!("/ui/messages/{}/replay", m.id), "Replay", "");
    if m.status == MessageStatus::PendingRetry {
        actions.push_str(&action_button(&session, &format!("/ui/messages/{}/retry-now", m.id), "Retry now", "secondary"));
        actions.push_str(&action_button(&session, &format!("/ui/messages/{}/cancel", m.id), "Cancel retry", "danger"));
    }
    let items = [
        ("Status", status_badge(m.status)),
        ("Endpoint", format!(r#"<code>{}</code>"#, esc(&m.endpoint_id))),
        ("Created", time(m.created_at)),
        ("Updated", time(m.updated_at)),
        ("Attempts", m.attempt_count.to_string()),
        ("Replays", m.replay_count.to_string()),
        ("Next attempt", if m.status.is_waiting() { opt_time(m.next_attempt_at) } else { "—".into() }),
        ("Content type", esc(&m.content_type)),
        ("Size", format!("{} bytes", m.size_bytes)),
        ("Idempotency key", esc(m.idempotency_key.as_deref().unwrap_or("—"))),
        ("Last error", esc(m.last_error.as_deref().unwrap_or("—"))),
    ];
    let facts = facts(&items);
    let payload = payload_block(stored.payload.as_deref());
    let attempts_html = attempts_table(&attempts);
    let body = format!(
        r#"{}<p class="mono">{}</p><div class="actions">{actions}</div>
{facts}
<h2>Payload</h2>{payload}
<h2>Headers</h2>{}
<h2>Attempts</h2>{attempts_html}
<p><a href="/ui/messages">All messages</a></p>"#,
        notice(done_notice(&Params::parse(query))),
        esc(&m.id),
        {
            let h = headers_table("Custom headers sent with the message", stored.headers_json.as_deref());
            if h.is_empty() { "<p>No custom headers.</p>".to_owned() } else { h }
        },
    );
    page(StatusCode::OK, &format!("Message {}", m.id), Some(&session), Nav::Messages, &body)
}

/// `POST /ui/messages/{id}/replay`.
pub async fn replay(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let back = format!("/ui/messages/{id}");
    let result = api_replay(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, &format!("{back}?done=replayed"), &back)
}

/// `POST /ui/messages/{id}/cancel`.
pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let back = format!("/ui/messages/{id}");
    let result = api_cancel(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, &format!("{back}?done=cancelled"), &back)
}

/// `POST /ui/messages/{id}/retry-now`.
pub async fn retry_now(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let back = format!("/ui/messages/{id}");
    let result = api_retry_now(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, &format!("{back}?done=retrying"), &back)
}
