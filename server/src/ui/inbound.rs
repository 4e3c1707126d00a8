//! The inbound page: the project's inbound endpoints and the requests ingest rejected, with their
//! reason codes (all endpoints, or one with `?endpoint=`; cursor pages).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::Params;
use super::layout::{Nav, error_page, esc, page, paused_badge, query_value, time};
use super::session::UiSession;
use crate::error::ApiError;
use crate::http::extract::cursor;
use crate::state::AppState;
use crate::store::inbound::{RejectionFilter, RejectionRecord};

/// Inbound endpoints listed (the first page only).
const ENDPOINTS_SHOWN: usize = 100;
/// Rejections per page.
const PAGE_SIZE: usize = 50;

/// Rejected requests (newest first) as a table: time, reason code, detail, endpoint, sender.
pub fn rejections_table(rejections: &[RejectionRecord]) -> String {
    let rows: String = rejections
        .iter()
        .map(|r| {
            format!(
                r#"<tr><td data-label="Received">{}</td><td data-label="Reason"><code>{}</code></td><td data-label="Detail">{}</td><td data-label="Endpoint">{}</td><td data-label="Source">{}</td></tr>"#,
                time(r.received_at),
                esc(&r.reason_code),
                esc(r.reason_detail.as_deref().unwrap_or("")),
                esc(r.inbound_endpoint_id.as_deref().unwrap_or("—")),
                esc(r.source_ip.as_deref().unwrap_or("—")),
            )
        })
        .collect();
    if rows.is_empty() {
        "<p>No rejected requests.</p>".to_owned()
    } else {
        format!(
            r#"<table><caption>Rejected requests, newest first</caption><thead><tr><th scope="col">Received</th><th scope="col">Reason</th><th scope="col">Detail</th><th scope="col">Endpoint</th><th scope="col">Source</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    }
}

/// `GET /ui/inbound`.
pub async fn list(State(state): State<AppState>, session: UiSession, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query);
    let project = session.caller.project_id.clone();
    let endpoint = params.owned("endpoint");
    let loaded = async {
        let endpoints = state.store.list_inbound_endpoints(&project, ENDPOINTS_SHOWN, None).await?;
        let filter = RejectionFilter {
            include_unattributed: session.caller.is_admin() && endpoint.is_none(),
            project_id: project.clone(),
            inbound_endpoint_id: endpoint.clone(),
            start_ms: None,
            end_ms: None,
            limit: PAGE_SIZE,
            after: cursor(params.get("cursor"))?,
        };
        let rejections = state.store.list_rejections(filter).await?;
        Ok::<_, ApiError>((endpoints, rejections))
    };
    let (endpoints, rejections) = match loaded.await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), &e, "/ui/inbound"),
    };
    let rows: String = endpoints
        .items
        .iter()
        .map(|e| {
            format!(
                r#"<tr><td data-label="Name"><a href="/ui/inbound/{}">{}</a><br><code>{}</code></td><td data-label="Forwards to">{}</td><td data-label="Mode">{}</td><td data-label="State">{}</td><td data-label="Created">{}</td><td data-label="Rejections"><a href="/ui/inbound?endpoint={}#rejections">Rejections</a></td></tr>"#,
                query_value(&e.id),
                esc(&e.name),
                esc(&e.id),
                esc(&e.url),
                e.mode.as_str(),
                paused_badge(e.paused),
                time(e.created_at),
                query_value(&e.id),
            )
        })
        .collect();
    let endpoints_html = if rows.is_empty() {
        "<p>No inbound endpoints.</p>".to_owned()
    } else {
        format!(
            r#"<table><caption>Inbound endpoints</caption><thead><tr><th scope="col">Name</th><th scope="col">Forwards to</th><th scope="col">Mode</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Rejections</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let scope = match &endpoint {
        Some(id) => format!(r#"of <code>{}</code> (<a href="/ui/inbound">all endpoints</a>)"#, esc(id)),
        None => "of all endpoints".to_owned(),
    };
    let rejections_html = rejections_table(&rejections.items);
    let more = rejections
        .next
        .map(|c| {
            let filter = endpoint.as_deref().map(|e| format!("endpoint={}&", query_value(e))).unwrap_or_default();
            format!(
                r#"<p><a href="/ui/inbound?{}cursor={}#rejections">Next page</a></p>"#,
                esc(&filter),
                query_value(&c.encode())
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<section aria-label="Inbound endpoints">{endpoints_html}</section>
<section aria-labelledby="rejections"><h2 id="rejections">Rejections {scope}</h2>{rejections_html}{more}</section>"#
    );
    page(StatusCode::OK, "Inbound", Some(&session), Nav::Inbound, &body)
}
