//! Delivery metrics and time series.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Aggregate delivery metrics over a window (`1h`, `24h`, `7d`, `30d`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Metrics {
    /// The window the figures cover.
    pub window: String,
    /// Messages created in the window.
    pub total_messages: i64,
    /// Of those, delivered.
    pub succeeded: i64,
    /// Of those, permanently failed.
    pub failed: i64,
    /// Attempts beyond the first.
    pub retries: i64,
    /// `succeeded / total_messages`, 0.0 when there are none.
    pub success_rate: f64,
    /// Mean response latency of attempts, in milliseconds.
    pub avg_latency_ms: i64,
}

/// Inbound metrics: [`Metrics`] plus the mean time from receipt to delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundMetrics {
    /// The window the figures cover.
    pub window: String,
    /// Messages received in the window.
    pub total_messages: i64,
    /// Of those, forwarded successfully.
    pub succeeded: i64,
    /// Of those, permanently failed.
    pub failed: i64,
    /// Attempts beyond the first.
    pub retries: i64,
    /// `succeeded / total_messages`.
    pub success_rate: f64,
    /// Mean destination response latency, in milliseconds.
    pub avg_latency_ms: i64,
    /// Mean time from receipt to successful delivery, in milliseconds.
    pub avg_delivery_time_ms: i64,
}

/// One bucket of a time series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimeSeriesBucket {
    /// Start of the bucket.
    pub timestamp: Timestamp,
    /// Messages created in the bucket.
    pub total: i64,
    /// Of those, delivered.
    pub succeeded: i64,
    /// Of those, permanently failed.
    pub failed: i64,
    /// Of those, waiting for a retry.
    pub retrying: i64,
    /// Mean attempt latency in milliseconds.
    pub avg_latency_ms: i64,
}

/// Metrics bucketed over a window, oldest bucket first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimeSeriesMetrics {
    /// The window the series covers.
    pub window: String,
    /// The buckets.
    pub buckets: Vec<TimeSeriesBucket>,
}
