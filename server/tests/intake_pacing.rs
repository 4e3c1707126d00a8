//! Intake pacing (`--queue-delay-target-ms`): while delivery falls behind, sends wait for their
//! turn to be stored instead of piling up in the queue, nothing is lost, and the gate opens
//! again once the queue is worked off; 0 turns pacing off. The real server binary, a real
//! receiver that is slower than the senders, and raw HTTP sends from many concurrent tasks.

mod harness;

use std::time::Duration;

use harness::{Answer, DEV_KEY, Receiver, Server, eventually};
use hookbridge::CreateEndpointOptions;
use serde_json::{Value, json};

/// Generous bound for anything that should happen "soon" on a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(120);
/// Concurrent senders.
const SENDERS: usize = 24;
/// Sends per sender.
const EACH: usize = 4;
/// Sends made one after the other before the burst.
const PREFILL: usize = 40;

/// The value of one sample line of `/metrics`.
async fn metric(url: &str, sample: &str) -> u64 {
    let (value, text) = harness::metric_sample(url, sample).await;
    value.unwrap_or_else(|| panic!("{sample} is not in /metrics:\n{text}"))
}

/// A server with `flags`, one delivery at a time per endpoint, and a receiver that takes 40 ms
/// per delivery (about 25 deliveries a second: far slower than the senders).
async fn slow_setup(flags: &[&str]) -> (Server, Receiver, String) {
    let mut all = vec!["--endpoint-concurrency", "1", "--queue-high-water", "0"];
    all.extend_from_slice(flags);
    let server = Server::start(&all);
    let receiver = Receiver::start().await;
    receiver.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_millis(40)) });
    let endpoint = server.client().create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    (server, receiver, endpoint.id)
}

/// Sends `PREFILL` messages one after the other: a backlog of about 1.6 s for the receiver.
async fn prefill(url: &str, endpoint_id: &str) {
    let http = reqwest::Client::new();
    for n in 0..PREFILL {
        let body = json!({"endpoint_id": endpoint_id, "payload": {"prefill": n}});
        let response = http.post(format!("{url}/v1/webhooks/send")).bearer_auth(DEV_KEY).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 202, "one sender at a time is never held back");
    }
}

/// `SENDERS` tasks each sending `EACH` messages one after the other; the statuses, and the
/// highest pacing bound seen on `/metrics` while they ran (0: the gate stayed open).
async fn burst(url: &str, endpoint_id: &str) -> (Vec<(u16, Value)>, u64) {
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for sender in 0..SENDERS {
        let (http, url, endpoint_id) = (http.clone(), url.to_owned(), endpoint_id.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..EACH {
                let body = json!({"endpoint_id": endpoint_id, "payload": {"n": sender * EACH + i}});
                let response = http
                    .post(format!("{url}/v1/webhooks/send"))
                    .bearer_auth(DEV_KEY)
                    .json(&body)
                    .timeout(Duration::from_secs(60))
                    .send()
                    .await
                    .expect("the server answers");
                let status = response.status().as_u16();
                answers.push((status, response.json::<Value>().await.unwrap_or(Value::Null)));
            }
            answers
        }));
    }
    let mut highest_bound = 0;
    while tasks.iter().any(|t| !t.is_finished()) {
        highest_bound = highest_bound.max(metric(url, "hookbridge_intake_pacing_limit").await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.extend(task.await.expect("sender task"));
    }
    (answers, highest_bound)
}

#[tokio::test(flavor = "multi_thread")]
async fn intake_waits_while_delivery_is_behind_loses_nothing_and_the_gate_opens_again() {
    let (server, receiver, endpoint_id) = slow_setup(&["--queue-delay-target-ms", "20"]).await;
    prefill(&server.url, &endpoint_id).await;
    // Deliveries now wait longer than the target: the gate closes.
    eventually("the gate bounding intake", WAIT, || {
        let url = server.url.clone();
        async move { (metric(&url, "hookbridge_intake_pacing_limit").await > 0).then_some(()) }
    })
    .await;
    let (answers, highest_bound) = burst(&server.url, &endpoint_id).await;

    let accepted = answers.iter().filter(|(status, _)| *status == 202).count();
    for (status, body) in answers.iter().filter(|(status, _)| *status != 202) {
        // A send that waited the longest time is refused, never stored half-way.
        assert_eq!(*status, 503, "{body}");
        assert_eq!(body["error"]["code"], "QUEUE_FULL", "{body}");
        assert_eq!(body["error"]["details"]["paced"], true, "{body}");
    }
    assert!(accepted > 0, "sends are slowed down, not refused outright");
    assert!(metric(&server.url, "hookbridge_intake_paced_total").await > 0, "some sends waited for their turn");
    assert!(highest_bound > 0, "the gate bounded intake while delivery was behind");

    // Everything accepted is delivered, and then the gate opens again.
    eventually("every accepted send delivered", WAIT, || {
        let n = receiver.received().len();
        std::future::ready((n >= PREFILL + accepted).then_some(()))
    })
    .await;
    eventually("the gate open again once the queue is worked off", WAIT, || {
        let url = server.url.clone();
        async move { (metric(&url, "hookbridge_intake_pacing_limit").await == 0).then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_of_0_turns_pacing_off() {
    let (server, _receiver, endpoint_id) = slow_setup(&["--queue-delay-target-ms", "0"]).await;
    prefill(&server.url, &endpoint_id).await;
    let (answers, highest_bound) = burst(&server.url, &endpoint_id).await;
    assert!(answers.iter().all(|(status, _)| *status == 202), "every send accepted at once: {answers:?}");
    assert_eq!(highest_bound, 0, "the gate never closes");
    assert_eq!(metric(&server.url, "hookbridge_intake_paced_total").await, 0, "no send waited");
}
