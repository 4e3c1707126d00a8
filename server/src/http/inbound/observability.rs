//! Inbound observability: logs (`received_at` filters, `total_delivery_ms`), metrics with
//! `avg_delivery_time_ms`, time series (the outbound bucket rules) and the rejection log.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use hookbridge::{InboundLogEntry, InboundMetrics};
use serde::Deserialize;

use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::http::auth::Caller;
use crate::http::extract::{QueryParams, cursor, limit, parse_time, status_filter};
use crate::http::metrics::{Window, time_series};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::store::inbound::{RejectionFilter, RejectionRecord};
use crate::store::{Direction, LogEntry, LogFilter};

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/inbound-logs",
            summary: "List inbound messages (filters: status, inbound_endpoint_id, start_time, end_time; cursor pagination)",
            authenticated: true,
            handler: get(logs),
            doc: op("get_inbound_logs").query::<LogsQuery>().data::<Vec<hookbridge::InboundLogEntry>>(),
        },
        Route {
            method: "GET",
            path: "/v1/inbound-metrics",
            summary: "Inbound metrics over a window (1h, 24h, 7d, 30d)",
            authenticated: true,
            handler: get(metrics),
            doc: op("get_inbound_metrics").query::<MetricsQuery>().data::<hookbridge::InboundMetrics>(),
        },
        Route {
            method: "GET",
            path: "/v1/inbound-metrics/timeseries",
            summary: "Inbound metrics bucketed over a window",
            authenticated: true,
            handler: get(timeseries),
            doc: op("get_inbound_timeseries_metrics").query::<MetricsQuery>().data::<hookbridge::TimeSeriesMetrics>(),
        },
        Route {
            method: "GET",
            path: "/v1/inbound-rejections",
            summary: "List refused ingest requests (filters: inbound_endpoint_id, start_time, end_time; cursor pagination)",
            authenticated: true,
            handler: get(rejections),
            doc: op("list_inbound_rejections").query::<RejectionsQuery>().data::<Vec<hookbridge::InboundRejection>>(),
        },
    ]
}

fn time(field: &str, value: Option<String>) -> Result<Option<i64>, ApiError> {
    value.as_deref().filter(|t| !t.is_empty()).map(|t| parse_time(field, t)).transpose()
}

fn endpoint_filter(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A log entry as an inbound log item.
fn log_item(e: LogEntry) -> InboundLogEntry {
    let total_delivery_ms = e.delivered_at.map(|d| d.saturating_sub(e.created_at).max(0));
    InboundLogEntry {
        message_id: e.message_id,
        inbound_endpoint_id: e.endpoint_id,
        endpoint: e.destination_url,
        status: e.status.to_string(),
        attempt_count: e.attempt_count,
        received_at: timestamp(e.created_at),
        delivered_at: opt_timestamp(e.delivered_at),
        response_status: e.response_status,
        response_latency_ms: e.response_latency_ms,
        last_error: e.last_error,
        total_delivery_ms,
        deleted_at: opt_timestamp(e.deleted_at),
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LogsQuery {
    status: Option<String>,
    inbound_endpoint_id: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn logs(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<LogsQuery>) -> ApiResult<Reply> {
    let filter = LogFilter {
        project_id: caller.project_id,
        direction: Direction::Inbound,
        status: status_filter("status", q.status)?,
        endpoint_id: endpoint_filter(q.inbound_endpoint_id),
        start_ms: time("start_time", q.start_time)?,
        end_ms: time("end_time", q.end_time)?,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_messages(filter).await?;
    let items: Vec<InboundLogEntry> = page.items.into_iter().map(log_item).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct MetricsQuery {
    window: Option<String>,
    inbound_endpoint_id: Option<String>,
}

async fn metrics(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<MetricsQuery>) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let now = now_millis();
    let c = state
        .store
        .metric_counts(
            &caller.project_id,
            Direction::Inbound,
            endpoint_filter(q.inbound_endpoint_id),
            now - window.length_ms,
            now + 1,
        )
        .await?;
    Ok(Reply::ok(InboundMetrics {
        window: window.name.into(),
        total_messages: c.total,
        succeeded: c.succeeded,
        failed: c.failed,
        retries: c.retries,
        success_rate: c.success_rate(),
        avg_latency_ms: c.avg_latency_ms,
        avg_delivery_time_ms: c.avg_delivery_ms,
    }))
}

async fn timeseries(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<MetricsQuery>,
) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let (first, count) = window.buckets(now_millis());
    let series = state
        .store
        .metric_series(
            &caller.project_id,
            Direction::Inbound,
            endpoint_filter(q.inbound_endpoint_id),
            first,
            window.bucket_ms,
            count,
        )
        .await?;
    Ok(Reply::ok(time_series(&window, first, series)))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RejectionsQuery {
    inbound_endpoint_id: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn rejections(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<RejectionsQuery>,
) -> ApiResult<Reply> {
    let filter = RejectionFilter {
        include_unattributed: caller.is_admin(),
        project_id: caller.project_id,
        inbound_endpoint_id: endpoint_filter(q.inbound_endpoint_id),
        start_ms: time("start_time", q.start_time)?,
        end_ms: time("end_time", q.end_time)?,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_rejections(filter).await?;
    let items: Vec<hookbridge::InboundRejection> = page.items.into_iter().map(Into::into).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

impl From<RejectionRecord> for hookbridge::InboundRejection {
    fn from(r: RejectionRecord) -> Self {
        hookbridge::InboundRejection {
            id: r.id,
            reason_code: r.reason_code,
            received_at: timestamp(r.received_at),
            inbound_endpoint_id: r.inbound_endpoint_id,
            reason_detail: r.reason_detail,
            source_ip: r.source_ip,
            headers_redacted: r.headers_redacted,
        }
    }
}
