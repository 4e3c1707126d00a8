//! One inbound endpoint: its settings, the messages it received (newest first, cursor pages)
//! and the requests ingest rejected for it, with their reason codes.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::Params;
use super::inbound::rejections_table;
use super::layout::{Nav, error_page, esc, facts, opt_num, page, paused_badge, query_value, time};
use super::messages::status_badge;
use super::session::UiSession;
use crate::error::ApiError;
use crate::http::extract::cursor;
use crate::http::inbound::is_uuid;
use crate::state::AppState;
use crate::store::inbound::RejectionFilter;
use crate::store::{Direction, LogEntry, LogFilter};

/// Messages and rejections shown per page.
const PAGE_SIZE: usize = 50;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("inbound endpoint", id)
}

/// One received message as a table row, linking to its page.
fn message_row(e: &LogEntry) -> String {
    format!(
        r#"<tr><td data-label="Message"><a href="/ui/inbound/messages/{}"><code>{}</code></a></td><td data-label="Status">{}</td><td data-label="Attempts">{}</td><td data-label="Last response">{}</td><td data-label="Last error">{}</td><td data-label="Received">{}</td></tr>"#,
        query_value(&e.message_id),
        esc(&e.message_id),
        status_badge(e.status),
        e.attempt_count,
        opt_num(e.response_status),
        esc(e.last_error.as_deref().unwrap_or("")),
        time(e.created_at),
    )
}

/// `GET /ui/inbound/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    session: UiSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query);
    let project = session.caller.project_id.clone();
    let loaded = async {
        let found = if is_uuid(&id) { state.store.get_inbound_endpoint(&project, &id).await? } else { None };
        let endpoint = found.ok_or_else(|| not_found(&id))?;
        let messages = LogFilter {
            project_id: project.clone(),
            direction: Direction::Inbound,
            status: None,
            endpoint_id: Some(id.clone()),
            start_ms: None,
            end_ms: None,
            limit: PAGE_SIZE,
            after: cursor(params.get("cursor"))?,
        };
        let messages = state.store.list_messages(messages).await?;
        let rejections = RejectionFilter {
            include_unattributed: false,
            project_id: project.clone(),
            inbound_endpoint_id: Some(id.clone()),
            start_ms: None,
            end_ms: None,
            limit: PAGE_SIZE,
            after: None,
        };
        let rejections = state.store.list_rejections(rejections).await?;
        Ok::<_, ApiError>((endpoint, messages, rejections))
    };
    let (e, messages, rejections) = match loaded.await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), &e, "/ui/inbound"),
    };
    let checks: Vec<&str> = [
        (e.verify_static_token, "static token"),
        (e.verify_hmac, "HMAC signature"),
        (e.verify_ip_allowlist, "sender address allowlist"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    let items = [
        ("State", paused_badge(e.paused).to_owned()),
        ("Forwards to", format!("<code>{}</code>", esc(&e.url))),
        ("Mode", e.mode.as_str().to_owned()),
        ("Description", esc(e.description.as_deref().unwrap_or("—"))),
        ("Verification preset", e.verification_preset.as_str().to_owned()),
        ("Checks", if checks.is_empty() { "none".to_owned() } else { checks.join(", ") }),
        ("Answers accepted requests with", e.ingest_response_code.to_string()),
        ("Signs forwarded requests", if e.signing_enabled { "yes" } else { "no" }.to_owned()),
        ("Created", time(e.created_at)),
        ("Updated", time(e.updated_at)),
    ];
    let facts = facts(&items);
    let rows: String = messages.items.iter().map(message_row).collect();
    let messages_html = if rows.is_empty() {
        "<p>No messages received.</p>".to_owned()
    } else {
        format!(
            r#"<table><caption>Received messages, newest first</caption><thead><tr><th scope="col">Message</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last response</th><th scope="col">Last error</th><th scope="col">Received</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let qid = query_value(&e.id);
    let more_messages = messages
        .next
        .map(|c| format!(r#"<p><a href="/ui/inbound/{qid}?cursor={}#messages">Next page</a></p>"#, query_value(&c.encode())))
        .unwrap_or_default();
    let more_rejections = if rejections.next.is_some() {
        format!(r#"<p><a href="/ui/inbound?endpoint={qid}#rejections">All rejections of this endpoint</a></p>"#)
    } else {
        String::new()
    };
    let body = format!(
        r#"<p class="mono">{}</p>
{facts}
<section aria-labelledby="messages"><h2 id="messages">Messages</h2>{messages_html}{more_messages}</section>
<section aria-labelledby="rejections"><h2 id="rejections">Rejections</h2>{}{more_rejections}</section>
<p><a href="/ui/inbound">All inbound endpoints</a></p>"#,
        esc(&e.id),
        rejections_table(&rejections.items),
    );
    page(StatusCode::OK, &format!("Inbound endpoint {}", e.name), Some(&session), Nav::Inbound, &body)
}
