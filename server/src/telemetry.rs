//! Prometheus metrics: counters and a latency histogram kept in atomics, rendered as the text
//! exposition format by `GET /metrics`.
//!
//! In a cluster (several servers on one PostgreSQL database) the counters and the histogram
//! count what THIS process did since it started: sum them over the nodes for cluster totals.
//! The queue, paused and DLQ gauges are counted from the database, so every node reports the
//! same cluster-wide figure: take one node's value (or `max`), never the sum.
//! `hookbridge_node_info{node="…"}` names the node, to join with the scrape's `instance`.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the delivery latency histogram buckets.
const LATENCY_BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Process-wide counters.
#[derive(Default)]
pub struct Telemetry {
    /// Messages accepted (send + ingest).
    pub accepted: AtomicU64,
    /// Messages delivered (2xx).
    pub delivered: AtomicU64,
    /// Messages moved to the dead letter queue.
    pub failed: AtomicU64,
    /// Attempts that ended in a scheduled retry.
    pub retried: AtomicU64,
    /// Deliveries held back by an endpoint's rate limit.
    pub rate_limited: AtomicU64,
    /// Inbound requests rejected.
    pub inbound_rejected: AtomicU64,
    /// Rejected inbound requests not written to the rejection log (over its rate limits).
    pub inbound_rejections_unrecorded: AtomicU64,
    /// Times the queue depth was counted from the store (at most once per refresh period).
    pub queue_depth_counts: AtomicU64,
    /// Sends refused with 503 `QUEUE_FULL` (project at the queue high-water mark).
    pub sends_refused_queue_full: AtomicU64,
    /// Ingested webhooks refused with 503 `QUEUE_FULL` (project at the queue high-water mark).
    pub ingest_refused_queue_full: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// Queue figures read from the store at scrape time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Messages `queued` or `pending_retry`.
    pub pending: u64,
    /// Messages held for paused endpoints.
    pub paused: u64,
    /// Messages in the dead letter queue.
    pub dead_letter: u64,
}

impl Telemetry {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the duration of one delivery attempt.
    pub fn observe_delivery_latency(&self, seconds: f64) {
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition for node `node_id` (a checked node id: no characters that
    /// need escaping). `depth` is `None` when the database could not be counted (the queue gauges
    /// are left out then, rather than shown as 0).
    pub fn render(&self, node_id: &str, depth: Option<QueueDepth>) -> String {
        let mut out = String::with_capacity(2048);
        let _ = writeln!(
            out,
            "# HELP hookbridge_node_info The node this process is (--node-id); counters are per node, queue gauges cluster-wide.\n\
             # TYPE hookbridge_node_info gauge\nhookbridge_node_info{{node=\"{node_id}\"}} 1"
        );
        let counter = |out: &mut String, name: &str, help: &str, v: &AtomicU64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help} Counted by this node since it started.\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        };
        counter(&mut out, "hookbridge_messages_accepted_total", "Messages accepted and stored.", &self.accepted);
        counter(&mut out, "hookbridge_messages_delivered_total", "Messages delivered with a 2xx answer.", &self.delivered);
        counter(&mut out, "hookbridge_messages_failed_total", "Messages moved to the dead letter queue.", &self.failed);
        counter(&mut out, "hookbridge_delivery_retries_total", "Attempts that ended in a scheduled retry.", &self.retried);
        counter(
            &mut out,
            "hookbridge_deliveries_rate_limited_total",
            "Deliveries held back by an endpoint rate limit.",
            &self.rate_limited,
        );
        counter(&mut out, "hookbridge_inbound_rejected_total", "Inbound requests rejected.", &self.inbound_rejected);
        counter(
            &mut out,
            "hookbridge_inbound_rejections_unrecorded_total",
            "Rejected inbound requests answered but not recorded (rejection log rate limits).",
            &self.inbound_rejections_unrecorded,
        );
        counter(
            &mut out,
            "hookbridge_queue_depth_counts_total",
            "Times the queue and DLQ depth were counted from the database.",
            &self.queue_depth_counts,
        );
        let name = "hookbridge_queue_full_refusals_total";
        let _ = writeln!(
            out,
            "# HELP {name} Sends (outbound) and ingested webhooks (inbound) refused with 503 QUEUE_FULL because their \
             project was at the queue high-water mark. Counted by this node since it started.\n# TYPE {name} counter\n\
             {name}{{direction=\"outbound\"}} {}\n{name}{{direction=\"inbound\"}} {}",
            self.sends_refused_queue_full.load(Ordering::Relaxed),
            self.ingest_refused_queue_full.load(Ordering::Relaxed)
        );
        let gauge = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ =
                writeln!(out, "# HELP {name} {help} Cluster-wide, counted from the database.\n# TYPE {name} gauge\n{name} {v}");
        };
        if let Some(depth) = depth {
            gauge(&mut out, "hookbridge_queue_depth", "Messages waiting for delivery (queued or pending retry).", depth.pending);
            gauge(&mut out, "hookbridge_queue_paused", "Messages held for paused endpoints.", depth.paused);
            gauge(&mut out, "hookbridge_dlq_depth", "Messages in the dead letter queue.", depth.dead_letter);
        }
        let name = "hookbridge_delivery_latency_seconds";
        let _ = writeln!(out, "# HELP {name} Duration of delivery attempts made by this node.\n# TYPE {name} histogram");
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", self.latency_buckets[i].load(Ordering::Relaxed));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_say_they_are_per_node_and_gauges_that_they_are_cluster_wide() {
        let telemetry = Telemetry::default();
        Telemetry::inc(&telemetry.delivered);
        Telemetry::inc(&telemetry.ingest_refused_queue_full);
        let text = telemetry.render("node-a", Some(QueueDepth { pending: 7, paused: 0, dead_letter: 2 }));
        assert!(text.contains("hookbridge_node_info{node=\"node-a\"} 1"), "{text}");
        assert!(text.contains("\nhookbridge_messages_delivered_total 1\n"), "{text}");
        assert!(text.contains("\nhookbridge_queue_depth 7\n"), "{text}");
        assert!(text.contains("\nhookbridge_queue_full_refusals_total{direction=\"outbound\"} 0\n"), "{text}");
        assert!(text.contains("\nhookbridge_queue_full_refusals_total{direction=\"inbound\"} 1\n"), "{text}");
        for line in text.lines().filter(|l| l.starts_with("# HELP")) {
            let name = line.split_whitespace().nth(2).unwrap_or_default();
            let per_node = line.contains("by this node") || name == "hookbridge_node_info";
            let cluster = line.contains("Cluster-wide");
            assert!(per_node != cluster, "{name} must say whether it is per node or cluster-wide: {line}");
            assert_eq!(
                cluster,
                ["hookbridge_queue_depth", "hookbridge_queue_paused", "hookbridge_dlq_depth"].contains(&name),
                "{line}"
            );
        }
        let down = telemetry.render("node-a", None);
        assert!(!down.contains("hookbridge_queue_depth ") && down.contains("hookbridge_messages_delivered_total 1"), "{down}");
    }
}
