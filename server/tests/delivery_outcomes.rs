//! Delivery outcomes against a real receiver: success with a verified signature, retries on
//! the slow and fast schedules, permanent failures into the DLQ, and replay from the DLQ.

mod harness;

use std::time::Duration;

use harness::{Answer, Receiver, Server, wait_for_status};
use hookbridge::signing::{VerifyOptions, verify};
use hookbridge::{CreateEndpointOptions, ErrorKind, Page, SendOptions};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

async fn endpoint(
    client: &hookbridge::Client,
    receiver: &Receiver,
    options: CreateEndpointOptions,
) -> hookbridge::CreateEndpointResponse {
    client.create_endpoint(&receiver.url, &options).await.expect("create_endpoint")
}

#[tokio::test(flavor = "multi_thread")]
async fn delivers_signed_payload_with_custom_headers() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let mut endpoint_headers = hookbridge::HeaderMap::new();
    endpoint_headers.insert("X-Endpoint-Header".into(), "from-endpoint".into());
    let ep = endpoint(&client, &receiver, CreateEndpointOptions { headers: Some(endpoint_headers), ..Default::default() }).await;
    let mut send_headers = hookbridge::HeaderMap::new();
    send_headers.insert("X-Tenant-Id".into(), "tenant_abc".into());
    let payload = json!({"event": "order.created", "amount": 99.99, "items": ["a", "b"], "nested": {"z": 1, "a": 2}});
    let sent =
        client.send(&ep.id, &payload, &SendOptions { headers: Some(send_headers), idempotency_key: None }).await.expect("send");
    assert_eq!(sent.status, "queued");

    let got = receiver.wait_for(1, WAIT).await;
    let delivery = &got[0];
    assert_eq!(delivery.header("x-webhook-id").as_deref(), Some(sent.message_id.as_str()));
    assert_eq!(delivery.header("x-tenant-id").as_deref(), Some("tenant_abc"));
    assert_eq!(delivery.header("x-endpoint-header").as_deref(), Some("from-endpoint"));
    assert_eq!(delivery.header("content-type").as_deref(), Some("application/json"));
    // Key order is preserved and the body is compact JSON.
    assert_eq!(
        std::str::from_utf8(&delivery.body).unwrap(),
        r#"{"event":"order.created","amount":99.99,"items":["a","b"],"nested":{"z":1,"a":2}}"#
    );
    let timestamp = delivery.header("x-webhook-timestamp").expect("timestamp header");
    let signature = delivery.header("x-webhook-signature").expect("signature header");
    verify(&delivery.body, &signature, &timestamp, &[&ep.signing_secret], VerifyOptions::default()).expect("signature verifies");
    let wrong = verify(&delivery.body, &signature, &timestamp, &["whsec_wrong"], VerifyOptions::default());
    assert!(wrong.is_err());

    let message = wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    assert_eq!(message.attempt_count, 1);
    assert_eq!(message.response_status, Some(200));
    assert_eq!(message.size_bytes, delivery.body.len() as i64);
    assert_eq!(message.payload_sha256, hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&delivery.body)));
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_is_retried_on_the_slow_schedule_then_succeeds() {
    let server = Server::start(&["--retry-time-scale", "0.001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.script([Answer::status(500)]);
    let ep = endpoint(&client, &receiver, CreateEndpointOptions::default()).await;
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();

    let pending = wait_for_status(&client, &sent.message_id, "pending_retry", WAIT).await;
    assert_eq!(pending.attempt_count, 1);
    assert_eq!(pending.response_status, Some(500));
    assert!(pending.last_error.as_deref().unwrap_or("").contains("500"));
    let due = pending.next_attempt_at.expect("next_attempt_at while pending_retry");
    let delay_ms = due.unix_millis() - pending.updated_at.unix_millis();
    // 30 minutes scaled by 0.001 = 1.8 s.
    assert!((1_700..=1_900).contains(&delay_ms), "slow delay was {delay_ms} ms");

    let done = wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    assert_eq!(done.attempt_count, 2);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    // Automatic retries keep the original signing timestamp.
    assert_eq!(got[0].header("x-webhook-timestamp"), got[1].header("x-webhook-timestamp"));
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_uses_the_fast_schedule_and_honours_retry_after() {
    let server = Server::start(&["--retry-time-scale", "0.01"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.script([Answer::status(429), Answer { status: 429, retry_after: Some("60".into()), delay: None }]);
    let ep = endpoint(&client, &receiver, CreateEndpointOptions::default()).await;
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();

    let first = wait_for_status(&client, &sent.message_id, "pending_retry", WAIT).await;
    let delay = first.next_attempt_at.unwrap().unix_millis() - first.updated_at.unix_millis();
    // 30 s scaled by 0.01 = 300 ms (the slow track would be 18 s).
    assert!((250..=350).contains(&delay), "fast delay was {delay} ms");

    receiver.wait_for(2, WAIT).await;
    let second = loop {
        let m = client.get_message(&sent.message_id).await.unwrap();
        if m.attempt_count >= 2 {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    if second.status == "pending_retry" {
        let delay = second.next_attempt_at.unwrap().unix_millis() - second.updated_at.unix_millis();
        // Second fast delay is 60 s; Retry-After 60 s asks for the same: 600 ms scaled.
        assert!((550..=650).contains(&delay), "second fast delay was {delay} ms");
    }
    let done = wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    assert_eq!(done.attempt_count, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn client_error_goes_straight_to_the_dead_letter_queue() {
    let server = Server::start(&["--retry-time-scale", "0.001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer::status(400));
    let ep = endpoint(&client, &receiver, CreateEndpointOptions::default()).await;
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();

    let failed = wait_for_status(&client, &sent.message_id, "failed_permanent", WAIT).await;
    assert_eq!(failed.attempt_count, 1);
    assert_eq!(failed.response_status, Some(400));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "a 400 is never retried");
    let dlq = client.get_dlq_messages(&Page::default()).await.unwrap();
    assert!(dlq.messages.iter().any(|m| m.message_id == sent.message_id && m.status == "failed_permanent"));
}

#[tokio::test(flavor = "multi_thread")]
async fn eight_failures_then_dlq_then_replay_from_dlq_succeeds() {
    let server = Server::start(&["--retry-time-scale", "0.00001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    // 8 failures exhaust the first run; the 9th (after the DLQ replay) must be retried, not dead-lettered.
    receiver.script((0..9).map(|_| Answer::status(503)));
    let ep = endpoint(&client, &receiver, CreateEndpointOptions::default()).await;
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();

    let failed = wait_for_status(&client, &sent.message_id, "failed_permanent", Duration::from_secs(60)).await;
    assert_eq!(failed.attempt_count, 8);
    assert_eq!(receiver.received().len(), 8);
    let dlq = client.get_dlq_messages(&Page::default()).await.unwrap();
    assert!(dlq.messages.iter().any(|m| m.message_id == sent.message_id));

    client.replay_from_dlq(&sent.message_id).await.expect("replay_from_dlq");
    let done = wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    assert_eq!(receiver.received().len(), 10, "a replay gets a fresh set of retries");
    assert_eq!(done.attempt_count, 10);
    let dlq = client.get_dlq_messages(&Page::default()).await.unwrap();
    assert!(!dlq.messages.iter().any(|m| m.message_id == sent.message_id));
    // Replaying from the DLQ again is refused: the message is no longer there.
    let err = client.replay_from_dlq(&sent.message_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
}
