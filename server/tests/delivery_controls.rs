//! Controls over delivery: cancel, retry-now, idempotent resends, pause/resume, per-endpoint
//! rate limits and signing-key rotation, observed at a real receiver.

mod harness;

use std::collections::HashSet;
use std::time::Duration;

use harness::{Answer, Receiver, Server, wait_for_status};
use hookbridge::signing::{VerifyOptions, verify};
use hookbridge::{CreateEndpointOptions, ErrorKind, SendOptions};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn cancel_moves_a_pending_retry_to_the_dlq_and_refuses_other_states() {
    // Real schedule: after a 500 the next attempt is 30 minutes away.
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.script([Answer::status(500)]);
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &sent.message_id, "pending_retry", WAIT).await;

    client.cancel_retry(&sent.message_id).await.expect("cancel_retry");
    let cancelled = client.get_message(&sent.message_id).await.unwrap();
    assert_eq!(cancelled.status, "failed_permanent");
    let again = client.cancel_retry(&sent.message_id).await.unwrap_err();
    assert_eq!((again.kind(), again.code(), again.status()), (ErrorKind::Api, "INVALID_STATUS", Some(409)));
    assert!(again.message().contains("failed_permanent"), "message names the current status: {}", again.message());
    assert_eq!(client.retry_now(&sent.message_id).await.unwrap_err().code(), "INVALID_STATUS");
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_now_delivers_a_pending_retry_immediately() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.script([Answer::status(502)]);
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    let pending = wait_for_status(&client, &sent.message_id, "pending_retry", WAIT).await;
    assert!(pending.next_attempt_at.unwrap().unix_millis() > hookbridge::Timestamp::now().unix_millis() + 25 * 60_000);

    client.retry_now(&sent.message_id).await.expect("retry_now");
    let done = wait_for_status(&client, &sent.message_id, "succeeded", Duration::from_secs(5)).await;
    assert_eq!(done.attempt_count, 2);
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotent_resend_returns_the_original_and_a_different_payload_conflicts() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let options = SendOptions { headers: None, idempotency_key: Some("order-123-created".into()) };
    let first = client.send(&ep.id, &json!({"order": 123}), &options).await.unwrap();
    let second = client.send(&ep.id, &json!({"order": 123}), &options).await.unwrap();
    assert_eq!(first.message_id, second.message_id);
    assert_eq!(second.status, "queued");

    let conflict = client.send(&ep.id, &json!({"order": 999}), &options).await.unwrap_err();
    assert_eq!(
        (conflict.kind(), conflict.code(), conflict.status()),
        (ErrorKind::Idempotency, "IDEMPOTENCY_MISMATCH", Some(409))
    );

    wait_for_status(&client, &first.message_id, "succeeded", WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "one message, one delivery");
    let message = client.get_message(&first.message_id).await.unwrap();
    assert_eq!(message.idempotency_key.as_deref(), Some("order-123-created"));
}

#[tokio::test(flavor = "multi_thread")]
async fn paused_endpoint_accepts_but_holds_until_resumed() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let paused = client.pause_endpoint(&ep.id).await.unwrap();
    assert!(paused.paused);
    assert!(client.get_endpoint(&ep.id).await.unwrap().paused);

    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(receiver.received().is_empty(), "nothing is delivered while paused");
    for id in &ids {
        assert_eq!(client.get_message(id).await.unwrap().status, "paused");
    }

    let resumed = client.resume_endpoint(&ep.id).await.unwrap();
    assert!(!resumed.paused);
    assert_eq!(resumed.messages_requeued, Some(3));
    let got = receiver.wait_for(3, WAIT).await;
    let delivered: HashSet<String> = got.iter().filter_map(|d| d.header("x-webhook-id")).collect();
    assert_eq!(delivered, ids.iter().cloned().collect());
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_paces_deliveries_at_the_receiver() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let options = CreateEndpointOptions { rate_limit_rps: 5, burst: 1, ..Default::default() };
    let ep = client.create_endpoint(&receiver.url, &options).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..8 {
        ids.push(client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    let got = receiver.wait_for(8, WAIT).await;
    // 8 deliveries at 5/s with a burst of 1 need at least 7 gaps of 200 ms.
    let span = got[7].at.duration_since(got[0].at);
    assert!(span >= Duration::from_millis(1_300), "8 deliveries spanned only {span:?}");
    for id in &ids {
        // Held-back deliveries are not attempts: each message was attempted exactly once.
        assert_eq!(wait_for_status(&client, id, "succeeded", WAIT).await.attempt_count, 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_signs_with_both_keys_until_the_old_one_is_deleted() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let old_key_id = ep.signing_key_id.clone().expect("signing_key_id");
    let new_key = client.rotate_endpoint_secret(&ep.id).await.unwrap();
    assert_ne!(new_key.signing_secret, ep.signing_secret);
    assert_eq!(client.list_endpoint_signing_keys(&ep.id).await.unwrap().len(), 2);
    let third = client.create_endpoint_signing_key(&ep.id).await.unwrap_err();
    assert_eq!(third.code(), "MAX_SIGNING_KEYS_REACHED");

    client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    let got = receiver.wait_for(1, WAIT).await;
    let d = &got[0];
    let signature = d.header("x-webhook-signature").unwrap();
    let timestamp = d.header("x-webhook-timestamp").unwrap();
    let entries: Vec<&str> = signature.split(',').collect();
    assert_eq!(entries.len(), 2, "two signatures during rotation: {signature}");
    // Oldest key first; each entry verifies with its own secret.
    verify(&d.body, entries[0], &timestamp, &[&ep.signing_secret], VerifyOptions::default()).unwrap();
    verify(&d.body, entries[1], &timestamp, &[&new_key.signing_secret], VerifyOptions::default()).unwrap();

    client.delete_endpoint_signing_key(&ep.id, &old_key_id).await.unwrap();
    let last = client.delete_endpoint_signing_key(&ep.id, &new_key.id).await.unwrap_err();
    assert_eq!(last.status(), Some(409));
    client.send(&ep.id, &json!({"n": 2}), &SendOptions::default()).await.unwrap();
    let got = receiver.wait_for(2, WAIT).await;
    let signature = got[1].header("x-webhook-signature").unwrap();
    assert!(!signature.contains(','), "one signature after the old key is deleted");
    let ts = got[1].header("x-webhook-timestamp").unwrap();
    verify(&got[1].body, &signature, &ts, &[&new_key.signing_secret], VerifyOptions::default()).unwrap();
    assert!(verify(&got[1].body, &signature, &ts, &[&ep.signing_secret], VerifyOptions::default()).is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_endpoint_cannot_take_every_worker() {
    let server = Server::start(&["--delivery-concurrency", "8", "--endpoint-concurrency", "2"]);
    let client = server.client();
    let slow = Receiver::start().await;
    slow.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_millis(1_000)) });
    let fast = Receiver::start().await;
    let slow_ep = client.create_endpoint(&slow.url, &CreateEndpointOptions::default()).await.unwrap();
    let fast_ep = client.create_endpoint(&fast.url, &CreateEndpointOptions::default()).await.unwrap();
    for n in 0..6 {
        client.send(&slow_ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap();
    }
    slow.wait_for(2, WAIT).await;
    client.send(&fast_ep.id, &json!({"fast": true}), &SendOptions::default()).await.unwrap();
    let fast_got = fast.wait_for(1, WAIT).await;
    // The fast endpoint is served while the slow one still has its first pair in flight.
    assert!(slow.received().len() <= 2, "the slow endpoint never holds more than its 2 slots");
    let got = slow.wait_for(6, WAIT).await;
    assert!(fast_got[0].at < got[2].at, "the fast delivery did not wait behind the slow queue");
    // Deliveries to the slow endpoint come in pairs: no three within one attempt's duration.
    for window in got.windows(3) {
        let spread = window[2].at.duration_since(window[0].at);
        assert!(spread >= Duration::from_millis(900), "three attempts overlapped at the slow endpoint ({spread:?})");
    }
}
