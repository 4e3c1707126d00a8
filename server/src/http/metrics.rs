//! Outbound metrics over a window and as a time series.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use hookbridge::{Metrics, TimeSeriesBucket, TimeSeriesMetrics};
use serde::Deserialize;

use super::auth::Caller;
use super::extract::{QueryParams, endpoint_id_filter};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, timestamp};
use crate::store::Direction;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A metrics window: its name, length and time-series bucket width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// `1h`, `24h`, `7d` or `30d`.
    pub name: &'static str,
    /// Length in ms.
    pub length_ms: i64,
    /// Bucket width in ms.
    pub bucket_ms: i64,
}

impl Window {
    /// Reads a window name (absent or empty: `24h`); anything else is a 400.
    pub fn parse(value: Option<&str>) -> Result<Window, ApiError> {
        Ok(match value.unwrap_or("").trim() {
            "1h" => Window { name: "1h", length_ms: HOUR, bucket_ms: 5 * MINUTE },
            "" | "24h" => Window { name: "24h", length_ms: DAY, bucket_ms: HOUR },
            "7d" => Window { name: "7d", length_ms: 7 * DAY, bucket_ms: 6 * HOUR },
            "30d" => Window { name: "30d", length_ms: 30 * DAY, bucket_ms: DAY },
            other => return Err(ApiError::invalid(format!("window must be one of 1h, 24h, 7d, 30d, got {other:?}"))),
        })
    }

    /// The UTC-aligned buckets covering the window up to `now_ms`, oldest first:
    /// (start of the first bucket, number of buckets). The last bucket holds `now_ms`.
    pub fn buckets(&self, now_ms: i64) -> (i64, usize) {
        let count = (self.length_ms / self.bucket_ms) as usize;
        let last = now_ms.div_euclid(self.bucket_ms) * self.bucket_ms;
        (last - (count as i64 - 1) * self.bucket_ms, count)
    }
}

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/metrics",
            summary: "Delivery metrics over a window (1h, 24h, 7d, 30d)",
            authenticated: true,
            handler: get(metrics),
            doc: op("get_metrics").query::<MetricsQuery>().data::<hookbridge::Metrics>(),
        },
        Route {
            method: "GET",
            path: "/v1/metrics/timeseries",
            summary: "Delivery metrics bucketed over a window",
            authenticated: true,
            handler: get(timeseries),
            doc: op("get_timeseries_metrics").query::<MetricsQuery>().data::<hookbridge::TimeSeriesMetrics>(),
        },
    ]
}

#[derive(Deserialize, schemars::JsonSchema)]
struct MetricsQuery {
    window: Option<String>,
    endpoint_id: Option<String>,
}

async fn metrics(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<MetricsQuery>) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let now = now_millis();
    let endpoint = endpoint_id_filter("endpoint_id", q.endpoint_id)?;
    let c = state.store.metric_counts(&caller.project_id, Direction::Outbound, endpoint, now - window.length_ms, now + 1).await?;
    Ok(Reply::ok(Metrics {
        window: window.name.into(),
        total_messages: c.total,
        succeeded: c.succeeded,
        failed: c.failed,
        retries: c.retries,
        success_rate: c.success_rate(),
        avg_latency_ms: c.avg_latency_ms,
    }))
}

async fn timeseries(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<MetricsQuery>,
) -> ApiResult<Reply> {
    let window = Window::parse(q.window.as_deref())?;
    let (first, count) = window.buckets(now_millis());
    let endpoint = endpoint_id_filter("endpoint_id", q.endpoint_id)?;
    let series =
        state.store.metric_series(&caller.project_id, Direction::Outbound, endpoint, first, window.bucket_ms, count).await?;
    Ok(Reply::ok(time_series(&window, first, series)))
}

/// Turns per-bucket counts (oldest first, starting at `first`) into the API's time series.
pub(crate) fn time_series(window: &Window, first: i64, series: Vec<crate::store::MetricCounts>) -> TimeSeriesMetrics {
    let buckets = series
        .into_iter()
        .enumerate()
        .map(|(i, c)| TimeSeriesBucket {
            timestamp: timestamp(first + i as i64 * window.bucket_ms),
            total: c.total,
            succeeded: c.succeeded,
            failed: c.failed,
            retrying: c.retrying,
            avg_latency_ms: c.avg_latency_ms,
        })
        .collect();
    TimeSeriesMetrics { window: window.name.into(), buckets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_buckets() {
        let now = 1_735_689_600_000 + 37 * MINUTE + 5_000; // 2025-01-01T00:37:05Z
        for (name, count, width) in [("1h", 12, 5 * MINUTE), ("24h", 24, HOUR), ("7d", 28, 6 * HOUR), ("30d", 30, DAY)] {
            let w = Window::parse(Some(name)).unwrap();
            let (first, n) = w.buckets(now);
            assert_eq!((n, w.bucket_ms), (count, width), "{name}");
            assert_eq!(first % width, 0, "{name} buckets are UTC-aligned");
            let last = first + (n as i64 - 1) * width;
            assert!(last <= now && now < last + width, "{name}: the last bucket holds now");
        }
        assert_eq!(Window::parse(None).unwrap().name, "24h");
        assert!(Window::parse(Some("2h")).is_err());
    }
}
