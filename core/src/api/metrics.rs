//! Outbound metrics and time series.

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::models::{Metrics, TimeSeriesMetrics};
use crate::query::Query;
use crate::transport::Call;

/// Metric windows the API accepts.
pub mod window {
    /// Last hour.
    pub const HOUR: &str = "1h";
    /// Last 24 hours (the default).
    pub const DAY: &str = "24h";
    /// Last 7 days.
    pub const WEEK: &str = "7d";
    /// Last 30 days.
    pub const MONTH: &str = "30d";
}

impl Client {
    /// Aggregate metrics over `window` (`1h`, `24h`, `7d`, `30d`).
    pub async fn get_metrics(&self, window: &str) -> Result<Metrics> {
        // The Python SDK formats this query by hand, without encoding; do the same.
        self.data(Call::new(Method::GET, format!("/v1/metrics?window={window}"))).await
    }

    /// Metrics bucketed over `window`, optionally for one endpoint.
    pub async fn get_timeseries_metrics(&self, window: &str, endpoint_id: Option<&str>) -> Result<TimeSeriesMetrics> {
        let mut q = Query::new();
        q.push("window", window).opt("endpoint_id", endpoint_id);
        self.data(Call::new(Method::GET, "/v1/metrics/timeseries").query(q)).await
    }
}
