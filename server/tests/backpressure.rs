//! The queue high-water mark (`--queue-high-water`): a project whose receivers cannot keep up
//! gets 503 `QUEUE_FULL` with `Retry-After` on new sends and ingested webhooks, nothing refused
//! is stored, intake resumes once delivery has drained the backlog, other projects are not
//! held back, retries scheduled for later do not count, and 0 turns the mark off. The real
//! server binary, a real receiver that is slow until the test lets it recover, and the real
//! core client. On PostgreSQL (`HB_TEST_POSTGRES`) the same tests run against it, plus one with
//! two nodes on one database.

mod harness;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use harness::{Answer, DEV_KEY, Receiver, Server, backend, eventually, wait_for_status};
use hookbridge::{Client, ClientConfig, CreateEndpointOptions, InboundEndpointSettings, SendOptions};
use serde_json::{Value, json};

/// Generous bound for anything that should happen "soon" on a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(120);

/// Most sends a test makes while filling a queue before it gives up on a refusal.
const FILL_LIMIT: usize = 200;

/// One answer of a raw request: status, `Retry-After` and JSON body.
#[derive(Debug)]
struct Answered {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

async fn answered(request: reqwest::RequestBuilder) -> Answered {
    let response = request.timeout(Duration::from_secs(60)).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Answered { status, retry_after, body }
}

/// `POST /v1/webhooks/send` with payload `{"n": n}` and `key`.
async fn send(url: &str, key: &str, endpoint_id: &str, n: usize) -> Answered {
    let body = json!({"endpoint_id": endpoint_id, "payload": {"n": n}});
    answered(reqwest::Client::new().post(format!("{url}/v1/webhooks/send")).bearer_auth(key).json(&body)).await
}

/// A receiver that holds every delivery for 2 s (with `--endpoint-concurrency 1`, one at a time).
async fn slow_receiver() -> Receiver {
    let receiver = Receiver::start().await;
    receiver.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_secs(2)) });
    receiver
}

/// A server with `--queue-high-water mark` and one delivery at a time per endpoint, a slow
/// receiver and an endpoint of the dev project there.
async fn slow_setup(mark: &str) -> (Server, Receiver, String) {
    let server = Server::start(&["--queue-high-water", mark, "--endpoint-concurrency", "1"]);
    let receiver = slow_receiver().await;
    let ep = server.client().create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    (server, receiver, ep.id)
}

/// Sends `{"n": first..}` until one is refused; returns the accepted numbers and the refusal.
async fn fill(url: &str, key: &str, endpoint_id: &str, first: usize) -> (Vec<usize>, Answered) {
    let mut accepted = Vec::new();
    for n in first..first + FILL_LIMIT {
        let answer = send(url, key, endpoint_id, n).await;
        match answer.status {
            202 => accepted.push(n),
            503 => return (accepted, answer),
            other => panic!("send {n} answered {other}: {}", answer.body),
        }
    }
    panic!("no send was refused after {FILL_LIMIT} sends with a slow receiver");
}

/// The `n` of every payload the receiver got.
fn received_numbers(receiver: &Receiver) -> BTreeSet<usize> {
    receiver
        .received()
        .iter()
        .filter_map(|d| serde_json::from_slice::<Value>(&d.body).ok())
        .filter_map(|v| v["n"].as_u64().map(|n| n as usize))
        .collect()
}

/// Waits until the receiver got every number of `want`.
async fn wait_for_numbers(receiver: &Receiver, want: &[usize]) {
    let want: BTreeSet<usize> = want.iter().copied().collect();
    eventually("every accepted message to arrive", WAIT, || {
        let got = received_numbers(receiver);
        std::future::ready(want.is_subset(&got).then_some(()))
    })
    .await;
}

/// The value of one sample line of `/metrics`.
async fn metric(url: &str, sample: &str) -> u64 {
    let (value, text) = harness::metric_sample(url, sample).await;
    value.unwrap_or_else(|| panic!("{sample} is not in /metrics:\n{text}"))
}

const REFUSED_SENDS: &str = "hookbridge_queue_full_refusals_total{direction=\"outbound\"}";
const REFUSED_INGESTS: &str = "hookbridge_queue_full_refusals_total{direction=\"inbound\"}";

/// Checks a refusal: 503, `Retry-After: 1`, the `QUEUE_FULL` envelope naming the backlog and the mark.
fn assert_queue_full(answer: &Answered, mark: u64) {
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.retry_after.as_deref(), Some("1"), "a refusal says when to try again");
    let error = &answer.body["error"];
    assert_eq!(error["code"], "QUEUE_FULL", "{}", answer.body);
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("queue high-water mark of {mark}")) && message.contains("not stored"), "{message}");
    assert_eq!(error["details"]["high_water"], mark, "{}", answer.body);
    assert!(error["details"]["waiting"].as_u64().is_some_and(|w| w >= mark), "{}", answer.body);
    assert!(answer.body["meta"]["request_id"].is_string(), "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_past_the_mark_get_503_until_the_queue_drains_and_nothing_refused_is_stored() {
    let (server, receiver, ep) = slow_setup("10").await;
    let (mut accepted, refusal) = fill(&server.url, DEV_KEY, &ep, 0).await;
    // One node: admissions count at once and deliveries only at the next count, so the project
    // never passes the mark; it may stop short of it by what was delivered during the fill.
    let delivered = receiver.received().len();
    assert!(
        accepted.len() <= 10 + delivered && accepted.len() + delivered >= 10,
        "{} accepted with {delivered} delivered, mark 10",
        accepted.len()
    );
    assert_queue_full(&refusal, 10);
    let again = send(&server.url, DEV_KEY, &ep, 1_000).await;
    assert_queue_full(&again, 10);
    assert!(metric(&server.url, REFUSED_SENDS).await >= 2, "refused sends are counted in /metrics");
    assert_eq!(metric(&server.url, REFUSED_INGESTS).await, 0);

    // The receiver recovers; once the backlog is delivered, sends are accepted again at once.
    receiver.fallback(Answer::status(200));
    wait_for_numbers(&receiver, &accepted).await;
    let resumed = send(&server.url, DEV_KEY, &ep, 2_000).await;
    assert_eq!(resumed.status, 202, "{}", resumed.body);
    accepted.push(2_000);
    wait_for_numbers(&receiver, &accepted).await;

    // Exactly the accepted messages exist and arrived: the refused ones were never stored.
    let expected: BTreeSet<usize> = accepted.iter().copied().collect();
    assert_eq!(received_numbers(&receiver), expected, "only accepted sends are delivered");
    assert_eq!(server.client().get_metrics("1h").await.unwrap().total_messages as usize, accepted.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_at_its_mark_does_not_hold_back_another_project() {
    let (server, _receiver, ep_a) = slow_setup("5").await;
    let project_b = server.client().create_project("project b", None).await.unwrap();
    let key_b = answered(
        reqwest::Client::new()
            .post(format!("{}/v1/api-keys", server.url))
            .bearer_auth(DEV_KEY)
            .json(&json!({"mode": "test", "project_id": project_b.id})),
    )
    .await;
    assert_eq!(key_b.status, 201, "{}", key_b.body);
    let key_b = key_b.body["data"]["key"].as_str().expect("the new key").to_owned();
    let b = client_for(&server.url, &key_b, 0);
    let fast = Receiver::start().await;
    let ep_b = b.create_endpoint(&fast.url, &CreateEndpointOptions::default()).await.unwrap();

    let (_, refusal) = fill(&server.url, DEV_KEY, &ep_a, 0).await;
    assert_queue_full(&refusal, 5);
    // More sends than the mark, each delivered before the next: project b never has 5 waiting.
    for n in 0..12 {
        let answer = send(&server.url, &key_b, &ep_b.id, n).await;
        assert_eq!(answer.status, 202, "project b's send {n} while project a is at its mark: {}", answer.body);
        wait_for_numbers(&fast, &(0..=n).collect::<Vec<_>>()).await;
    }
    assert_queue_full(&send(&server.url, DEV_KEY, &ep_a, 99).await, 5);
}

/// A core client for `key` with `retries` client-side retries.
fn client_for(url: &str, key: &str, retries: u32) -> Client {
    Client::new(ClientConfig::new(key).with_base_url(url).with_send_url(url).with_retries(retries)).expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_core_client_waits_out_retry_after_and_its_send_lands_once_the_queue_drains() {
    let (server, receiver, ep) = slow_setup("3").await;
    let (accepted, refusal) = fill(&server.url, DEV_KEY, &ep, 0).await;
    assert_queue_full(&refusal, 3);
    let refused_before = metric(&server.url, REFUSED_SENDS).await;

    // The SDK's own retry loop: 503 is retried, after the server's Retry-After.
    let client = client_for(&server.url, DEV_KEY, 60);
    let started = Instant::now();
    let sending = tokio::spawn(async move { client.send(&ep, &json!({"n": 500}), &SendOptions::default()).await });
    eventually("the client's send to be refused", WAIT, || {
        let url = server.url.clone();
        async move { (metric(&url, REFUSED_SENDS).await > refused_before).then_some(()) }
    })
    .await;
    assert!(!sending.is_finished(), "the client keeps retrying while the queue is full");
    receiver.fallback(Answer::status(200));
    let sent = tokio::time::timeout(WAIT, sending).await.expect("the send finishes").unwrap().expect("the send lands");
    assert!(started.elapsed() >= Duration::from_secs(1), "the client waited at least one Retry-After");
    wait_for_status(&server.client(), &sent.message_id, "succeeded", WAIT).await;
    let mut all = accepted;
    all.push(500);
    wait_for_numbers(&receiver, &all).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_scheduled_for_later_do_not_count_and_0_turns_the_mark_off() {
    // A receiver that fails: its messages wait for a retry 30 minutes later, not counted.
    let server = Server::start(&["--queue-high-water", "3"]);
    let client = server.client();
    let failing = Receiver::start().await;
    failing.fallback(Answer::status(500));
    let ep = client.create_endpoint(&failing.url, &CreateEndpointOptions::default()).await.unwrap();
    for round in 0..3 {
        let mut ids = Vec::new();
        for n in 0..3 {
            let answer = send(&server.url, DEV_KEY, &ep.id, round * 3 + n).await;
            assert_eq!(answer.status, 202, "round {round}: {}", answer.body);
            ids.push(answer.body["data"]["message_id"].as_str().expect("message_id").to_owned());
        }
        for id in &ids {
            wait_for_status(&client, id, "pending_retry", WAIT).await;
        }
    }
    drop(server);

    let (server, _receiver, ep) = slow_setup("0").await;
    for n in 0..40 {
        let answer = send(&server.url, DEV_KEY, &ep, n).await;
        assert_eq!(answer.status, 202, "send {n} with the mark off: {}", answer.body);
    }
    assert_eq!(metric(&server.url, REFUSED_SENDS).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn ingest_past_the_mark_gets_503_unrecorded_and_the_provider_retry_lands_after_the_drain() {
    let server = Server::start(&["--queue-high-water", "4", "--endpoint-concurrency", "1"]);
    let client = server.client();
    let receiver = slow_receiver().await;
    let inbound = client.create_inbound_endpoint(&receiver.url, &InboundEndpointSettings::default()).await.unwrap();
    let http = reqwest::Client::new();
    let ingest = |n: usize| answered(http.post(&inbound.ingest_url).json(&json!({"n": n})));

    let mut accepted = Vec::new();
    let (refused_n, refusal) = loop {
        let n = accepted.len();
        assert!(n < FILL_LIMIT, "no webhook was refused after {n}");
        let answer = ingest(n).await;
        match answer.status {
            200..=299 => accepted.push(n),
            _ => break (n, answer),
        }
    };
    let delivered = receiver.received().len();
    assert!(accepted.len() <= 4 + delivered && accepted.len() + delivered >= 4, "{accepted:?}, {delivered} delivered");
    assert_queue_full(&refusal, 4);
    assert_eq!(metric(&server.url, REFUSED_INGESTS).await, 1);
    assert_eq!(metric(&server.url, REFUSED_SENDS).await, 0);
    let rejections = client.list_inbound_rejections(&Default::default()).await.unwrap();
    assert!(rejections.entries.is_empty(), "a full queue is not a rejected request: {rejections:?}");

    // The provider retries the refused webhook after the receiver recovered and the queue drained.
    receiver.fallback(Answer::status(200));
    wait_for_numbers(&receiver, &accepted).await;
    let retried = ingest(refused_n).await;
    assert!((200..300).contains(&retried.status), "the provider's retry after the drain: {retried:?}");
    accepted.push(refused_n);
    wait_for_numbers(&receiver, &accepted).await;
    let expected: BTreeSet<usize> = accepted.iter().copied().collect();
    assert_eq!(received_numbers(&receiver), expected, "only accepted webhooks are forwarded");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql_every_node_refuses_once_the_cluster_backlog_reaches_the_mark() {
    if !backend::is_postgres() {
        eprintln!("skipped: needs PostgreSQL (set {})", backend::POSTGRES_ENV);
        return;
    }
    let flags = ["--queue-high-water", "6", "--endpoint-concurrency", "1"];
    let mut a_args = vec!["--node-id", "bp-node-a"];
    a_args.extend_from_slice(&flags);
    let a = Server::start(&a_args);
    let database_url = backend::database_url(&a.data_dir).expect("PostgreSQL");
    let key_file = a.data_dir.join("secrets.key");
    let mut b_args =
        vec!["--database-url", &database_url, "--secrets-key-file", key_file.to_str().unwrap(), "--node-id", "bp-node-b"];
    b_args.extend_from_slice(&flags);
    let b = Server::start(&b_args);

    let receiver = slow_receiver().await;
    let ep = a.client().create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let (mut accepted, refusal) = fill(&a.url, DEV_KEY, &ep.id, 0).await;
    assert_queue_full(&refusal, 6);
    // Node b learns the backlog from its first count: it may admit a few sends before it has
    // one, never more than the sends it admits between two counts.
    let (on_b, refusal) = fill(&b.url, DEV_KEY, &ep.id, 100).await;
    assert!(on_b.len() <= 5, "node b admitted {} sends past the cluster's mark", on_b.len());
    assert_queue_full(&refusal, 6);
    accepted.extend(on_b);

    receiver.fallback(Answer::status(200));
    wait_for_numbers(&receiver, &accepted).await;
    for (node, n) in [(&a, 900), (&b, 901)] {
        let resumed = send(&node.url, DEV_KEY, &ep.id, n).await;
        assert_eq!(resumed.status, 202, "{}: {}", node.url, resumed.body);
        accepted.push(n);
    }
    wait_for_numbers(&receiver, &accepted).await;
    let expected: BTreeSet<usize> = accepted.iter().copied().collect();
    assert_eq!(received_numbers(&receiver), expected, "only accepted sends are delivered");
}
