//! Attempt outcomes are recorded in batches: many deliveries finishing at once are each recorded
//! with the right attempt count, and outcomes the API already shows survive a SIGKILL (they are
//! committed before the API reads them, even when not yet flushed to the disk).

mod harness;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use harness::{Answer, Receiver, Server};
use hookbridge::{CreateEndpointOptions, SendOptions};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);

/// Sends `n` messages to `endpoint` from 16 concurrent senders; returns their ids.
async fn send_many(client: &hookbridge::Client, endpoint: &str, n: usize) -> Vec<String> {
    let mut tasks = tokio::task::JoinSet::new();
    for sender in 0..16 {
        let (client, endpoint) = (client.clone(), endpoint.to_owned());
        tasks.spawn(async move {
            let mut ids = Vec::new();
            for i in (sender..n).step_by(16) {
                ids.push(client.send(&endpoint, &json!({"n": i}), &SendOptions::default()).await.unwrap().message_id);
            }
            ids
        });
    }
    let mut ids = Vec::new();
    while let Some(sent) = tasks.join_next().await {
        ids.extend(sent.unwrap());
    }
    ids
}

/// Requests the receiver got, per message id.
fn requests_per_message(receiver: &Receiver) -> HashMap<String, i64> {
    let mut counts = HashMap::new();
    for delivery in receiver.received() {
        *counts.entry(delivery.header("x-webhook-id").expect("x-webhook-id")).or_insert(0) += 1;
    }
    counts
}

/// Waits until every message in `ids` is `succeeded`; returns each one's attempt count.
async fn wait_all_succeeded(client: &hookbridge::Client, ids: &[String]) -> HashMap<String, i64> {
    let deadline = Instant::now() + WAIT;
    let mut done = HashMap::new();
    while done.len() < ids.len() {
        let waiting: Vec<&String> = ids.iter().filter(|id| !done.contains_key(*id)).collect();
        for id in waiting {
            let message = client.get_message(id).await.unwrap();
            if message.status == "succeeded" {
                done.insert(id.clone(), message.attempt_count);
            }
        }
        assert!(Instant::now() < deadline, "only {} of {} messages succeeded", done.len(), ids.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_outcomes_are_each_recorded_with_their_attempt_count() {
    let server = Server::start(&["--delivery-concurrency", "64", "--retry-time-scale", "0.001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    // The first 60 requests fail (retried 1.8 s later: 30 minutes scaled), the rest succeed;
    // answers take a little time so that many attempts finish together.
    let slow = |status| Answer { status, retry_after: None, delay: Some(Duration::from_millis(20)) };
    receiver.script((0..60).map(|_| slow(500)));
    receiver.fallback(slow(200));
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();

    let ids = send_many(&client, &ep.id, 300).await;
    let attempts = wait_all_succeeded(&client, &ids).await;

    let requests = requests_per_message(&receiver);
    assert_eq!(requests.values().sum::<i64>(), 360, "300 first attempts and 60 retries");
    for id in &ids {
        assert_eq!(attempts[id], requests[id], "{id}: recorded attempts match the requests the receiver got");
    }
    assert_eq!(attempts.values().filter(|n| **n == 2).count(), 60, "every failed attempt was recorded");
    // Nothing is delivered again once every outcome is recorded.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 360);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_after_a_burst_of_outcomes_keeps_every_recorded_outcome() {
    let mut server = Server::start(&["--delivery-concurrency", "64"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();

    let ids = send_many(&client, &ep.id, 300).await;
    // Outcomes the API shows were committed, possibly without reaching the disk yet.
    wait_all_succeeded(&client, &ids).await;
    server.kill();
    let before_restart = receiver.received().len();
    assert_eq!(before_restart, 300, "each message was delivered once before the kill");

    server.restart();
    let client = server.client();
    for id in &ids {
        let message = client.get_message(id).await.expect("every acknowledged send survives the kill");
        assert_eq!((message.status.as_str(), message.attempt_count), ("succeeded", 1), "{id}");
    }
    // A recorded outcome is not redelivered after the restart.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 300, "no redelivery of recorded outcomes");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_a_burst_of_deliveries_loses_nothing() {
    let mut server = Server::start(&["--delivery-concurrency", "64"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_millis(5)) });
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();

    let ids = send_many(&client, &ep.id, 300).await;
    // Kill while outcomes are being recorded: some are stored, some in flight, some not yet sent.
    receiver.wait_for(100, WAIT).await;
    server.kill();

    server.restart();
    let client = server.client();
    // Every acknowledged send is delivered and ends succeeded; an attempt whose outcome was
    // not stored is made again (at-least-once), never dropped. The attempt the kill cut short is
    // recorded as interrupted, so no message counts fewer attempts than the receiver saw
    // requests; one more when the kill caught its request on the way, before the receiver read it.
    let attempts = wait_all_succeeded(&client, &ids).await;
    let requests = requests_per_message(&receiver);
    for id in &ids {
        let got = requests.get(id).copied().unwrap_or(0);
        assert!(got >= 1, "{id} was never delivered");
        assert!((got..=got + 1).contains(&attempts[id]), "{id}: {} attempts recorded, {got} requests", attempts[id]);
    }
}
