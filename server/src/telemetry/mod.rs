//! Prometheus metrics: counters and histograms kept in atomics, rendered as the text exposition
//! format by `GET /metrics`: delivery attempts by outcome and status class with their latency,
//! HTTP requests by route template ([`http_requests`]), the standard `process_*` metrics
//! ([`process`]) and the queue gauges.
//!
//! In a cluster (several servers on one PostgreSQL database) the counters and the histogram
//! count what THIS process did since it started: sum them over the nodes for cluster totals.
//! The queue, paused and DLQ gauges are counted from the database, so every node reports the
//! same cluster-wide figure: take one node's value (or `max`), never the sum.
//! `hookbridge_node_info{node="…"}` names the node, to join with the scrape's `instance`.

pub mod histogram;
pub mod http_requests;
pub mod process;

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use histogram::Histogram;
use http_requests::HttpRequests;

/// What an attempt led to, the `outcome` label of the delivery metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// A 2xx answer: the message is delivered.
    Delivered,
    /// A retry is scheduled.
    Retrying,
    /// No retry left or a final answer: the message went to the dead letter queue.
    Failed,
    /// Cut short by a crash, a shutdown or an expired lease (no answer, no latency measured).
    Interrupted,
}

impl DeliveryOutcome {
    const ALL: [DeliveryOutcome; 4] =
        [DeliveryOutcome::Delivered, DeliveryOutcome::Retrying, DeliveryOutcome::Failed, DeliveryOutcome::Interrupted];
    /// The outcomes whose latency is measured.
    const TIMED: [DeliveryOutcome; 3] = [DeliveryOutcome::Delivered, DeliveryOutcome::Retrying, DeliveryOutcome::Failed];

    fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retrying => "retrying",
            DeliveryOutcome::Failed => "failed",
            DeliveryOutcome::Interrupted => "interrupted",
        }
    }
}

/// The `status` label of attempts: the answer's class, or `none` (timeout, connection error).
const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "none"];

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
    /// Deliveries claimed by the write that stored their send ([`crate::delivery::claim_on_send`]).
    pub claimed_on_send: AtomicU64,
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
    /// Intake requests that waited at the pacing gate ([`crate::delivery::pacing`]).
    pub intake_paced: AtomicU64,
    /// Intake requests refused after waiting at the pacing gate for its longest wait.
    pub intake_pacing_refusals: AtomicU64,
    /// The pacing gate's bound on intake requests storing at once (0: open).
    pub intake_pacing_limit: AtomicU64,
    /// Attempts by outcome and status class.
    attempts: [[AtomicU64; STATUS_CLASSES.len()]; 4],
    /// Attempt latency by timed outcome (interrupted attempts have none).
    delivery_latency: [Histogram; 3],
    /// Request metrics of the router (set once, when the router is built).
    http: OnceLock<Arc<HttpRequests>>,
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

    /// Records one delivery attempt: what it led to, the answer's status (`None`: no answer)
    /// and how long it took; counts the message as delivered, retried or failed.
    pub fn record_attempt(&self, outcome: DeliveryOutcome, status: Option<u16>, latency: Duration) {
        if let DeliveryOutcome::Interrupted = outcome {
            return self.record_interrupted(1);
        }
        let class = status.map_or(STATUS_CLASSES.len() - 1, |s| usize::from(s / 100).clamp(1, 5) - 1);
        self.attempts[outcome as usize][class].fetch_add(1, Ordering::Relaxed);
        self.delivery_latency[outcome as usize].observe(latency.as_secs_f64());
        Telemetry::inc(match outcome {
            DeliveryOutcome::Delivered => &self.delivered,
            DeliveryOutcome::Retrying => &self.retried,
            DeliveryOutcome::Interrupted => return,
            DeliveryOutcome::Failed => &self.failed,
        });
    }

    /// Counts `n` attempts recorded as interrupted (status class `none`, no latency).
    pub fn record_interrupted(&self, n: u64) {
        let none = STATUS_CLASSES.len() - 1;
        self.attempts[DeliveryOutcome::Interrupted as usize][none].fetch_add(n, Ordering::Relaxed);
    }

    /// Registers the router's request metrics, rendered with the others (the first router
    /// built in a process keeps them).
    pub fn set_http_requests(&self, http: Arc<HttpRequests>) {
        let _ = self.http.set(http);
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
        counter(
            &mut out,
            "hookbridge_deliveries_claimed_on_send_total",
            "Deliveries claimed by the write that stored their send, started without a scan for due work.",
            &self.claimed_on_send,
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
        counter(
            &mut out,
            "hookbridge_intake_paced_total",
            "Sends and ingested webhooks that waited at the intake pacing gate while delivery was behind.",
            &self.intake_paced,
        );
        counter(
            &mut out,
            "hookbridge_intake_pacing_refusals_total",
            "Sends and ingested webhooks refused with 503 QUEUE_FULL after waiting the longest time at the intake pacing gate.",
            &self.intake_pacing_refusals,
        );
        let name = "hookbridge_intake_pacing_limit";
        let _ = writeln!(
            out,
            "# HELP {name} Intake requests this node lets store at once while delivery is behind (0: no bound). Set by this \
             node.\n# TYPE {name} gauge\n{name} {}",
            self.intake_pacing_limit.load(Ordering::Relaxed)
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
        let name = "hookbridge_delivery_attempts_total";
        let _ = writeln!(
            out,
            "# HELP {name} Delivery attempts by outcome (delivered, retrying, failed, interrupted) and answer status class (none: \
             timeout or connection error). Counted by this node since it started.\n# TYPE {name} counter"
        );
        for outcome in DeliveryOutcome::ALL {
            for (i, class) in STATUS_CLASSES.iter().enumerate() {
                let n = self.attempts[outcome as usize][i].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(out, "{name}{{outcome=\"{}\",status=\"{class}\"}} {n}", outcome.label());
                }
            }
        }
        let name = "hookbridge_delivery_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Duration of delivery attempts by outcome. Counted by this node since it started.\n# TYPE {name} histogram"
        );
        for outcome in DeliveryOutcome::TIMED {
            self.delivery_latency[outcome as usize].render(&mut out, name, &format!("outcome=\"{}\"", outcome.label()));
        }
        if let Some(http) = self.http.get() {
            http.render(&mut out);
        }
        if let Some(figures) = process::read() {
            process::render(&mut out, &figures);
        }
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
            // The standard process_* metrics describe this process by definition.
            let per_node = line.contains("by this node") || name == "hookbridge_node_info" || name.starts_with("process_");
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

    #[test]
    fn attempts_are_counted_by_outcome_and_status_class() {
        let telemetry = Telemetry::default();
        telemetry.record_attempt(DeliveryOutcome::Retrying, Some(503), Duration::from_millis(40));
        telemetry.record_attempt(DeliveryOutcome::Retrying, None, Duration::from_secs(30));
        telemetry.record_attempt(DeliveryOutcome::Delivered, Some(204), Duration::from_millis(3));
        let text = telemetry.render("n", None);
        assert!(text.contains("\nhookbridge_delivery_attempts_total{outcome=\"retrying\",status=\"5xx\"} 1\n"), "{text}");
        assert!(text.contains("\nhookbridge_delivery_attempts_total{outcome=\"retrying\",status=\"none\"} 1\n"), "{text}");
        assert!(text.contains("\nhookbridge_delivery_attempts_total{outcome=\"delivered\",status=\"2xx\"} 1\n"), "{text}");
        assert!(!text.contains("outcome=\"failed\",status"), "no series for combinations that never happened: {text}");
        assert!(text.contains("\nhookbridge_delivery_latency_seconds_count{outcome=\"retrying\"} 2\n"), "{text}");
        assert!(text.contains("\nhookbridge_delivery_latency_seconds_bucket{outcome=\"delivered\",le=\"0.005\"} 1\n"), "{text}");
        assert!(
            text.contains("\nhookbridge_delivery_retries_total 2\n")
                && text.contains("\nhookbridge_messages_delivered_total 1\n")
        );
    }

    #[test]
    fn interrupted_attempts_are_counted_without_latency_or_message_counters() {
        let telemetry = Telemetry::default();
        telemetry.record_interrupted(2);
        telemetry.record_attempt(DeliveryOutcome::Interrupted, None, Duration::ZERO);
        let text = telemetry.render("n", None);
        assert!(text.contains("\nhookbridge_delivery_attempts_total{outcome=\"interrupted\",status=\"none\"} 3\n"), "{text}");
        assert!(!text.contains("hookbridge_delivery_latency_seconds_count{outcome=\"interrupted\"}"), "{text}");
        assert!(text.contains("\nhookbridge_delivery_retries_total 0\n"), "{text}");
    }
}
