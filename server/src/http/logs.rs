//! `GET /v1/logs`: outbound messages, newest first, with status/time/endpoint filters and
//! cursor pagination (`meta.has_more`, `meta.next_cursor`).

use axum::extract::State;
use axum::routing::get;
use hookbridge::MessageSummary;
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::extract::{QueryParams, cursor, endpoint_id_filter, limit, parse_time, status_filter};
use super::{ApiResult, AppState, Reply, Route};
use crate::store::{Direction, LogEntry, LogFilter};

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![Route {
        method: "GET",
        path: "/v1/logs",
        summary: "List outbound messages (filters: status, start_time, end_time, endpoint_id; cursor pagination)",
        authenticated: true,
        handler: get(list_logs),
    }]
}

/// A log item: the contract's MessageSummary plus the endpoint id.
#[derive(Serialize)]
pub(super) struct LogItem {
    #[serde(flatten)]
    summary: MessageSummary,
    endpoint_id: String,
}

impl From<LogEntry> for LogItem {
    fn from(e: LogEntry) -> Self {
        LogItem { summary: e.summary, endpoint_id: e.endpoint_id }
    }
}

#[derive(Deserialize)]
struct LogsQuery {
    status: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    endpoint_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list_logs(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<LogsQuery>) -> ApiResult<Reply> {
    let filter = LogFilter {
        project_id: caller.project_id,
        direction: Direction::Outbound,
        status: status_filter("status", q.status)?,
        endpoint_id: endpoint_id_filter("endpoint_id", q.endpoint_id)?,
        start_ms: q.start_time.as_deref().filter(|t| !t.is_empty()).map(|t| parse_time("start_time", t)).transpose()?,
        end_ms: q.end_time.as_deref().filter(|t| !t.is_empty()).map(|t| parse_time("end_time", t)).transpose()?,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_messages(filter).await?;
    let items: Vec<LogItem> = page.items.into_iter().map(LogItem::from).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}
