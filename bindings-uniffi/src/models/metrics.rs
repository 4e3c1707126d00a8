//! Delivery metrics and time series.

use super::{list, mirror, same, ts};

mirror! {
    /// Aggregate delivery metrics over a window (`1h`, `24h`, `7d`, `30d`).
    Metrics from hookbridge::Metrics {
        /// The window the figures cover.
        window: String => same,
        /// Messages created in the window.
        total_messages: i64 => same,
        /// Of those, delivered.
        succeeded: i64 => same,
        /// Of those, permanently failed.
        failed: i64 => same,
        /// Attempts beyond the first.
        retries: i64 => same,
        /// `succeeded / total_messages`, 0.0 when there are none.
        success_rate: f64 => same,
        /// Mean response latency of attempts, in milliseconds.
        avg_latency_ms: i64 => same,
    }
}

mirror! {
    /// Inbound metrics: [`Metrics`] plus the mean time from receipt to delivery.
    InboundMetrics from hookbridge::InboundMetrics {
        /// The window the figures cover.
        window: String => same,
        /// Messages received in the window.
        total_messages: i64 => same,
        /// Of those, forwarded successfully.
        succeeded: i64 => same,
        /// Of those, permanently failed.
        failed: i64 => same,
        /// Attempts beyond the first.
        retries: i64 => same,
        /// `succeeded / total_messages`.
        success_rate: f64 => same,
        /// Mean destination response latency, in milliseconds.
        avg_latency_ms: i64 => same,
        /// Mean time from receipt to successful delivery, in milliseconds.
        avg_delivery_time_ms: i64 => same,
    }
}

mirror! {
    /// One bucket of a time series.
    TimeSeriesBucket from hookbridge::TimeSeriesBucket {
        /// Start of the bucket (RFC 3339).
        timestamp: String => ts,
        /// Messages created in the bucket.
        total: i64 => same,
        /// Of those, delivered.
        succeeded: i64 => same,
        /// Of those, permanently failed.
        failed: i64 => same,
        /// Of those, waiting for a retry.
        retrying: i64 => same,
        /// Mean attempt latency in milliseconds.
        avg_latency_ms: i64 => same,
    }
}

mirror! {
    /// Metrics bucketed over a window, oldest bucket first.
    TimeSeriesMetrics from hookbridge::TimeSeriesMetrics {
        /// The window the series covers.
        window: String => same,
        /// The buckets.
        buckets: Vec<TimeSeriesBucket> => list,
    }
}
