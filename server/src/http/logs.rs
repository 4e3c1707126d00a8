//! `GET /v1/logs`: outbound messages, newest first, with status/time/endpoint filters and
//! cursor pagination (`meta.has_more`, `meta.next_cursor`).

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use hookbridge::MessageSummary;
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::extract::{QueryParams, cursor, endpoint_id_filter, limit, parse_time, status_filter};
use super::{ApiResult, AppState, Reply, Route};
use crate::clock::{opt_timestamp, timestamp};
use crate::store::{Direction, LogEntry, LogFilter};

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![Route {
        method: "GET",
        path: "/v1/logs",
        summary: "List outbound messages (filters: status, start_time, end_time, endpoint_id; cursor pagination)",
        authenticated: true,
        handler: get(list_logs),
        doc: op("get_logs").query::<LogsQuery>().data::<Vec<LogItem>>(),
    }]
}

/// A log item: the API's message summary plus the endpoint id.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "LogEntry")]
struct LogItem {
    #[serde(flatten)]
    summary: MessageSummary,
    endpoint_id: String,
}

impl From<LogEntry> for LogItem {
    fn from(e: LogEntry) -> Self {
        LogItem { summary: message_summary(&e), endpoint_id: e.endpoint_id }
    }
}

/// The API's summary of a listed message (`next_attempt_at` only while an attempt is due).
pub(super) fn message_summary(e: &LogEntry) -> MessageSummary {
    MessageSummary {
        message_id: e.message_id.clone(),
        endpoint: e.destination_url.clone(),
        status: e.status.to_string(),
        attempt_count: e.attempt_count,
        created_at: timestamp(e.created_at),
        delivered_at: opt_timestamp(e.delivered_at),
        next_attempt_at: super::messages::shown_next_attempt(e.status, e.next_attempt_at),
        response_status: e.response_status,
        response_latency_ms: e.response_latency_ms,
        last_error: e.last_error.clone(),
        deleted_at: opt_timestamp(e.deleted_at),
    }
}

/// One line of an export file: the log item as `GET /v1/logs` lists it.
pub fn write_export_line(buf: &mut Vec<u8>, entry: LogEntry) -> serde_json::Result<()> {
    serde_json::to_writer(buf, &LogItem::from(entry))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LogsQuery {
    status: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    endpoint_id: Option<String>,
    #[schemars(range(min = 1, max = 500))]
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
