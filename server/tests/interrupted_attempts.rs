//! Interrupted attempts: a request the server sent but could not see through (killed with
//! SIGKILL, or a SIGTERM shutdown that stopped waiting for the receiver) is recorded as one
//! attempt saying `interrupted`, so `attempt_count` equals the requests the receiver saw, and it
//! counts towards the attempt limit. Claims given back before any request was sent count nothing.

mod harness;

use std::time::Duration;

use harness::{Answer, Receiver, Server};
use hookbridge::{CreateEndpointOptions, SendOptions};
use serde_json::json;

/// Generous bound for anything that should happen "soon" on a busy machine.
const WAIT: Duration = Duration::from_secs(60);
/// How long the receiver holds the first request open: longer than the test needs.
const HOLD: Duration = Duration::from_secs(120);

/// A receiver that holds the first request open and answers 200 to the rest.
async fn holding_receiver() -> Receiver {
    let receiver = Receiver::start().await;
    receiver.script([Answer { status: 200, retry_after: None, delay: Some(HOLD) }]);
    receiver
}

/// Sends one message to a new endpoint at `receiver` and waits until its request is open there.
async fn send_and_wait_open(server: &Server, receiver: &Receiver) -> String {
    let client = server.client();
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let id = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap().message_id;
    receiver.wait_for(1, WAIT).await;
    id
}

/// The value of one sample line of `/metrics` (0 when absent).
async fn metric(url: &str, sample: &str) -> u64 {
    harness::metric_sample(url, sample).await.0.unwrap_or(0)
}

const INTERRUPTED_SAMPLE: &str = "hookbridge_delivery_attempts_total{outcome=\"interrupted\",status=\"none\"}";

/// Asserts the message was delivered after one interrupted attempt whose error starts with
/// `error_start`, and that its count matches the requests the receiver saw.
async fn assert_interrupted_then_succeeded(server: &Server, receiver: &Receiver, id: &str, error_start: &str) {
    let client = server.client();
    let message = harness::wait_for_status(&client, id, "succeeded", WAIT).await;
    let attempts = client.get_message_attempts(id).await.unwrap().attempts;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let (cut, done) = (&attempts[0], &attempts[1]);
    assert_eq!((cut.attempt_no, cut.response_status), (1, None), "{cut:?}");
    let error = cut.error_text.as_deref().unwrap_or_default();
    assert!(error.starts_with(error_start), "the first attempt says it was interrupted: {error:?}");
    assert_eq!((done.attempt_no, done.response_status, done.error_text.as_deref()), (2, Some(200), None), "{done:?}");
    assert_eq!(message.attempt_count, 2);
    assert_eq!(receiver.received().len(), 2, "attempt_count equals the requests the receiver saw");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attempt_cut_short_by_sigkill_is_recorded_as_interrupted_and_counted() {
    let mut server = Server::start(&[]);
    let receiver = holding_receiver().await;
    let id = send_and_wait_open(&server, &receiver).await;
    server.kill();

    server.restart();
    assert_interrupted_then_succeeded(&server, &receiver, &id, "interrupted: the server stopped during the attempt").await;
    assert_eq!(metric(&server.url, INTERRUPTED_SAMPLE).await, 1, "the restarted server counts the interrupted attempt");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shutdown_that_gives_up_on_a_receiver_records_the_attempt_as_interrupted() {
    let mut server = Server::start(&[]);
    let receiver = holding_receiver().await;
    let id = send_and_wait_open(&server, &receiver).await;
    // The shutdown waits its drain time for the open request, then gives up on it.
    let exited_cleanly = tokio::task::block_in_place(|| server.terminate(WAIT));
    assert!(exited_cleanly, "SIGTERM shuts down with exit status 0");

    server.restart();
    assert_interrupted_then_succeeded(&server, &receiver, &id, "interrupted: the server shut down before the receiver answered")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interruption_counts_towards_the_attempt_limit() {
    let mut server = Server::start(&["--max-attempts", "1"]);
    let receiver = holding_receiver().await;
    let id = send_and_wait_open(&server, &receiver).await;
    server.kill();

    server.restart();
    let client = server.client();
    let message = harness::wait_for_status(&client, &id, "failed_permanent", WAIT).await;
    assert_eq!(message.attempt_count, 1);
    assert!(message.last_error.as_deref().unwrap_or_default().starts_with("interrupted: "), "{message:?}");
    let attempts = client.get_message_attempts(&id).await.unwrap().attempts;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    // The only attempt the limit allows was made: nothing is sent again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 1, "no attempt beyond the limit");
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_given_back_before_sending_record_no_attempt() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    // One delivery per second: the engine claims several and gives back those over the limit.
    let options = CreateEndpointOptions { rate_limit_rps: 1, burst: 1, ..Default::default() };
    let ep = client.create_endpoint(&receiver.url, &options).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    for id in &ids {
        let message = harness::wait_for_status(&client, id, "succeeded", WAIT).await;
        let attempts = client.get_message_attempts(id).await.unwrap().attempts;
        assert_eq!((message.attempt_count, attempts.len()), (1, 1), "{id}: {attempts:?}");
    }
    if !harness::backend::is_postgres() {
        // One SQLite process claims past the bucket and gives the rest back. On PostgreSQL the
        // bucket is shared by all nodes and checked inside the claim, so usually nothing is
        // claimed that must be given back; the attempt counts above are what matter there.
        assert!(metric(&server.url, "hookbridge_deliveries_rate_limited_total").await >= 1, "claims were given back");
    }
    assert_eq!(metric(&server.url, INTERRUPTED_SAMPLE).await, 0);
    assert_eq!(receiver.received().len(), 3);
}
