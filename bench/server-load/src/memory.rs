//! Memory mode: RSS of one server process after a first batch of messages and after many more,
//! all sent and delivered, with the memory goal.

use std::time::Duration;

use hookbridge::{Client, CreateEndpointOptions};

use crate::load::{send_all, wait_for_arrivals};
use crate::receiver::Arrivals;
use crate::report::{Goal, mb, ratio};
use crate::server::ServerProcess;

/// Default concurrent senders in memory mode (the level at which delivery is expected to keep pace).
pub const DEFAULT_SENDERS: usize = 16;
/// Messages per send round; rounds keep the bench's own bookkeeping small.
const ROUND: usize = 10_000;
/// Pause after the last delivery before reading RSS, so in-flight buffers are released.
const SETTLE: Duration = Duration::from_secs(2);
/// Longest wait for a batch's deliveries before RSS is read anyway.
const DELIVERY_WAIT: Duration = Duration::from_secs(300);

/// Messages sent so far in memory mode.
#[derive(Default)]
struct Progress {
    /// Send calls made (accepted or refused).
    attempted: usize,
    /// Send calls accepted; each must arrive at the receiver.
    accepted: usize,
    /// Concurrent senders.
    senders: usize,
}

/// Sends and delivers `first` messages, reads RSS, continues to `total`, reads RSS again; returns the goals.
pub async fn run(
    server: &ServerProcess,
    client: &Client,
    receiver: &str,
    arrivals: &Arrivals,
    (first, total, senders): (usize, usize, usize),
) -> Vec<Goal> {
    let endpoint = client.create_endpoint(receiver, &CreateEndpointOptions::default()).await.expect("endpoint");
    println!(
        "memory mode: {first} then {total} messages through one server process ({senders} senders, each batch delivered before RSS is read)"
    );
    let mut progress = Progress { senders, ..Progress::default() };
    let at_first = through(server, client, &endpoint.id, arrivals, &mut progress, first).await;
    println!("  RSS after {first:>7} messages   {:>7.1} MB", mb(at_first));
    let at_total = through(server, client, &endpoint.id, arrivals, &mut progress, total).await;
    let growth = ratio(at_total as f64, at_first as f64);
    println!("  RSS after {total:>7} messages   {:>7.1} MB = {growth:.2} × RSS after {first}", mb(at_total));
    println!("  peak RSS (VmHWM)             {:>7.1} MB", mb(server.peak_rss_bytes().unwrap_or(0)));
    vec![
        Goal::new(format!("memory: RSS after {total} within 20% of RSS after {first}"), format!("{growth:.2} ×"), growth <= 1.2),
        Goal::new(format!("memory: RSS after {total} < 150 MB"), format!("{:.1} MB", mb(at_total)), mb(at_total) < 150.0),
    ]
}

/// Sends messages `done..target` in rounds without waiting for delivery in between, then waits
/// until everything accepted so far arrived and the server settled; returns RSS in bytes.
async fn through(
    server: &ServerProcess,
    client: &Client,
    endpoint_id: &str,
    arrivals: &Arrivals,
    progress: &mut Progress,
    target: usize,
) -> u64 {
    while progress.attempted < target {
        let round = ROUND.min(target - progress.attempted).max(progress.senders);
        let batch = send_all(std::slice::from_ref(client), endpoint_id, round, progress.senders).await;
        progress.attempted += batch.accepted.len() + batch.queue_full + batch.failed;
        progress.accepted += batch.accepted.len();
        if batch.queue_full + batch.failed > 0 {
            println!("  note: {} sends refused in this round", batch.queue_full + batch.failed);
        }
    }
    let expected = progress.accepted;
    if !wait_for_arrivals(arrivals, expected, DELIVERY_WAIT).await {
        println!(
            "  note: only {} of {expected} messages arrived within {} s",
            arrivals.lock().unwrap().len(),
            DELIVERY_WAIT.as_secs()
        );
    }
    tokio::time::sleep(SETTLE).await;
    server.rss_bytes().unwrap_or(0)
}
