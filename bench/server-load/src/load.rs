//! Send load through the SDK client and the resulting delivery figures.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hookbridge::{Client, SendOptions};

use crate::receiver::Arrivals;

/// The error code of a send refused by the queue high-water mark.
const QUEUE_FULL: &str = "QUEUE_FULL";

/// How long to wait for the last delivery of a level before reporting what arrived.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(120);

/// Messages sent by one run of [`send_all`].
pub struct Sent {
    /// Message id and the instant its send call started, for every accepted send.
    pub accepted: Vec<(String, Instant)>,
    /// Sends refused with 503 `QUEUE_FULL` (the queue high-water mark): the sender waited the
    /// answer's `Retry-After` and went on with its next message; the refused one is not retried.
    pub queue_full: usize,
    /// Sends that failed otherwise (any other error); not retried either.
    pub failed: usize,
    /// When the first sender started.
    pub started: Instant,
    /// Time from the first send call to the last reply.
    pub elapsed: Duration,
}

/// Sends `total` messages from `senders` concurrent tasks; sender `s` uses `clients[s % len]`
/// (one client per server node; the senders of a node share its pooled client).
pub async fn send_all(clients: &[Client], endpoint_id: &str, total: usize, senders: usize) -> Sent {
    let started = Instant::now();
    let per_sender = total / senders.max(1);
    let mut tasks = Vec::with_capacity(senders);
    for s in 0..senders {
        let client = clients[s % clients.len()].clone();
        let endpoint_id = endpoint_id.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut accepted = Vec::with_capacity(per_sender);
            let (mut queue_full, mut failed) = (0usize, 0usize);
            let payload = serde_json::json!({"event": "bench", "sender": s, "data": "x".repeat(200)});
            for _ in 0..per_sender {
                let at = Instant::now();
                match client.send(&endpoint_id, &payload, &SendOptions::default()).await {
                    Ok(reply) => accepted.push((reply.message_id, at)),
                    Err(e) if e.code() == QUEUE_FULL => {
                        queue_full += 1;
                        tokio::time::sleep(Duration::from_secs(e.retry_after().unwrap_or(1))).await;
                    }
                    Err(_) => {
                        failed += 1;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (accepted, queue_full, failed)
        }));
    }
    let mut sent = Sent { accepted: Vec::with_capacity(total), queue_full: 0, failed: 0, started, elapsed: Duration::ZERO };
    for task in tasks {
        let (accepted, queue_full, failed) = task.await.expect("sender task");
        sent.accepted.extend(accepted);
        sent.queue_full += queue_full;
        sent.failed += failed;
    }
    sent.elapsed = started.elapsed();
    sent
}

/// Figures of one load level.
pub struct LevelFigures {
    /// Accepted (durably stored) sends per second over the send window.
    pub accepted_per_sec: f64,
    /// Deliveries of this level's messages that arrived inside the send window, per second.
    pub delivered_during_load_per_sec: f64,
    /// Send→delivery latency (send call start to arrival at the receiver), median.
    pub p50: Duration,
    /// Send→delivery latency, 99th percentile.
    pub p99: Duration,
    /// Time from the end of the send window to the last delivery (0 if delivery kept pace).
    pub drain: Duration,
    /// Accepted messages that had not arrived when the wait ended.
    pub missing: usize,
    /// Sends accepted.
    pub accepted: usize,
    /// Sends refused with 503 `QUEUE_FULL` (queue high-water mark).
    pub queue_full: usize,
    /// Sends that failed otherwise.
    pub failed: usize,
}

impl LevelFigures {
    /// Whether every send was accepted or refused by the high-water mark, and every accepted
    /// message arrived: refusals by the mark are the server slowing intake down as designed.
    pub fn complete(&self) -> bool {
        self.missing == 0 && self.failed == 0
    }

    /// The line of refused, failed and missing sends, when there were any.
    pub fn problems(&self) -> Option<String> {
        (self.queue_full > 0 || self.failed > 0 || self.missing > 0).then(|| {
            format!(
                "  refused by the queue high-water mark (503 QUEUE_FULL) {}, other failed sends {}, accepted but not delivered within 120 s {}",
                self.queue_full, self.failed, self.missing
            )
        })
    }
}

/// Waits (up to two minutes) until every accepted message of `sent` arrived, then computes the figures.
pub async fn collect(sent: &Sent, arrivals: &Arrivals) -> LevelFigures {
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    let arrived: HashMap<String, Instant> = loop {
        let done = {
            let got = arrivals.lock().unwrap();
            sent.accepted.iter().all(|(id, _)| got.contains_key(id))
        };
        if done || Instant::now() > deadline {
            let got = arrivals.lock().unwrap();
            break sent.accepted.iter().filter_map(|(id, _)| got.get(id).map(|at| (id.clone(), *at))).collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let window_end = sent.started + sent.elapsed;
    let mut latencies: Vec<Duration> =
        sent.accepted.iter().filter_map(|(id, at)| arrived.get(id).map(|got| got.saturating_duration_since(*at))).collect();
    latencies.sort();
    let during = arrived.values().filter(|at| **at <= window_end).count();
    let last = arrived.values().max().copied().unwrap_or(window_end);
    let window = sent.elapsed.as_secs_f64();
    LevelFigures {
        accepted_per_sec: sent.accepted.len() as f64 / window,
        delivered_during_load_per_sec: during as f64 / window,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        drain: last.saturating_duration_since(window_end),
        missing: sent.accepted.len() - arrived.len(),
        accepted: sent.accepted.len(),
        queue_full: sent.queue_full,
        failed: sent.failed,
    }
}

/// Waits until `count` distinct messages have arrived in total, or `timeout` passes; returns whether they did.
pub async fn wait_for_arrivals(arrivals: &Arrivals, count: usize, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if arrivals.lock().unwrap().len() >= count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    arrivals.lock().unwrap().len() >= count
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
