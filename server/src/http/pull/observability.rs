//! Pull logs, metrics and time series across a project's pull endpoints. Metrics count the live
//! events received in the window by their current status: `total_messages` all of them,
//! `succeeded` the acknowledged ones, `failed` and `retries` 0 (nothing is delivered by the
//! server), `avg_latency_ms` the mean time from receipt to acknowledgement.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use hookbridge::{Metrics, PullLogEntry, PullTimeSeriesBucket, PullTimeSeriesMetrics};
use serde::Deserialize;

use super::{endpoint_filter, status_filter, timing};
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::http::auth::Caller;
use crate::http::extract::{QueryParams, cursor, limit, parse_time};
use crate::http::metrics::Window;
use crate::http::{ApiResult, AppState, Reply, Route};
use crate::store::pull::PullEventFilter;

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/pull-logs",
            summary: "Pull events across endpoints, newest first (filters, cursor pagination)",
            authenticated: true,
            handler: get(logs),
            doc: op("get_pull_logs").query::<LogsQuery>().data::<Vec<hookbridge::PullLogEntry>>(),
        },
        Route {
            method: "GET",
            path: "/v1/pull-metrics",
            summary: "Pull event metrics over a window (1h, 24h, 7d, 30d)",
            authenticated: true,
            handler: get(metrics),
            doc: op("get_pull_metrics").query::<MetricsQuery>().data::<hookbridge::Metrics>(),
        },
        Route {
            method: "GET",
            path: "/v1/pull-metrics/timeseries",
            summary: "Pull event metrics bucketed over a window",
            authenticated: true,
            handler: get(timeseries),
            doc: op("get_pull_timeseries_metrics").query::<MetricsQuery>().data::<hookbridge::PullTimeSeriesMetrics>(),
        },
    ]
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LogsQuery {
    pull_endpoint_id: Option<String>,
    status: Option<String>,
    event_type: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn logs(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<LogsQuery>) -> ApiResult<Reply> {
    let filter = PullEventFilter {
        project_id: caller.project_id,
        pull_endpoint_id: endpoint_filter("pull_endpoint_id", q.pull_endpoint_id)?,
        status: status_filter("status", q.status, false)?,
        event_type: q.event_type.filter(|t| !t.is_empty()),
        start_ms: q.start_time.as_deref().map(|t| parse_time("start_time", t)).transpose()?,
        end_ms: q.end_time.as_deref().map(|t| parse_time("end_time", t)).transpose()?,
        live_only: false,
        limit: limit("limit", q.limit, 50, 500)?,
        after: cursor(q.cursor.as_deref())?,
    };
    let page = state.store.list_pull_events(filter).await?;
    let entries: Vec<PullLogEntry> = page
        .items
        .into_iter()
        .map(|e| PullLogEntry {
            timing: Some(timing(&e)),
            event_id: e.id,
            pull_endpoint_id: e.pull_endpoint_id,
            status: e.status.as_str().into(),
            size_bytes: e.size_bytes,
            received_at: timestamp(e.received_at),
            endpoint_name: Some(e.endpoint_name),
            event_type: e.event_type,
            fetched_at: opt_timestamp(e.fetched_at),
            delivered_at: opt_timestamp(e.delivered_at),
        })
        .collect();
    Ok(Reply::ok(entries).cursor(page.next.map(|c| c.encode())))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct MetricsQuery {
    window: Option<String>,
    pull_endpoint_id: Option<String>,
}

async fn metrics(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<MetricsQuery>) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let endpoint = endpoint_filter("pull_endpoint_id", q.pull_endpoint_id)?;
    let now = now_millis();
    let c = state.store.pull_window_counts(&caller.project_id, endpoint, now - window.length_ms, now + 1).await?;
    let total = c.total();
    Ok(Reply::ok(Metrics {
        window: window.name.into(),
        total_messages: total,
        succeeded: c.delivered,
        failed: 0,
        retries: 0,
        success_rate: if total > 0 { c.delivered as f64 / total as f64 } else { 0.0 },
        avg_latency_ms: c.avg_lifecycle_ms,
    }))
}

async fn timeseries(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<MetricsQuery>,
) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let endpoint = endpoint_filter("pull_endpoint_id", q.pull_endpoint_id)?;
    let (first, count) = window.buckets(now_millis());
    let series = state.store.pull_series(&caller.project_id, endpoint, first, window.bucket_ms, count).await?;
    let buckets = series
        .into_iter()
        .enumerate()
        .map(|(i, c)| PullTimeSeriesBucket {
            timestamp: timestamp(first + i as i64 * window.bucket_ms),
            succeeded: c.delivered,
            stored: c.stored,
            fetched: c.fetched,
            total: c.total(),
        })
        .collect();
    Ok(Reply::ok(PullTimeSeriesMetrics { window: window.name.into(), buckets }))
}
