//! Message operations: get, replay (and its refusals), replay-batch, replay-all, cancel and retry-now.

use std::time::Duration;

use hookbridge::{CreateEndpointOptions, ErrorKind, ReplayAllOptions, SendOptions};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Answer, Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT};

/// A server, a client and an endpoint whose receiver answers `status` to everything.
async fn setup(status: u16) -> (Server, hookbridge::Client, Receiver, String) {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer::status(status));
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    (server, client, receiver, ep.id)
}

async fn send(client: &hookbridge::Client, endpoint: &str, n: i64) -> String {
    client.send(endpoint, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_requeues_and_is_capped_at_ten() {
    let (server, client, receiver, ep) = setup(400).await;
    let id = send(&client, &ep, 1).await;
    let failed = wait_for_status(&client, &id, "failed_permanent", WAIT).await;
    assert_eq!((failed.attempt_count, failed.response_status), (1, Some(400)));
    assert!(failed.last_error.is_some());

    let raw = Raw::new(&server.url);
    let first = raw.call_raw(Method::POST, &format!("/v1/messages/{id}/replay"), "application/json", Vec::new()).await;
    assert_eq!(first.expect_ok(200), &json!({"message_id": id, "status": "queued"}));
    assert!(first.body["message"].as_str().is_some());
    let again = wait_for_status(&client, &id, "failed_permanent", WAIT).await;
    assert_eq!((again.replay_count, again.attempt_count), (1, 2));
    assert_eq!(receiver.received().len(), 2);

    for expected in 2..=10 {
        client.replay(&id).await.unwrap_or_else(|e| panic!("replay {expected}: {e}"));
        let m = wait_for_status(&client, &id, "failed_permanent", WAIT).await;
        assert_eq!(m.replay_count, expected);
    }
    let err = client.replay(&id).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::ReplayLimit, "REPLAY_LIMIT_EXCEEDED", Some(429)));
    assert_eq!(client.get_message(&id).await.unwrap().replay_count, 10);
    // The DLQ replay has no cap.
    client.replay_from_dlq(&id).await.expect("DLQ replay ignores the cap");
    assert_eq!(receiver.wait_for(12, WAIT).await.len(), 12);

    let missing = client.replay("01900000-0000-7000-8000-000000000000").await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert_eq!(client.get_message("not-a-message").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread")]
async fn succeeded_messages_replay_and_queued_ones_do_not() {
    let (server, client, receiver, ep) = setup(200).await;
    let id = send(&client, &ep, 1).await;
    wait_for_status(&client, &id, "succeeded", WAIT).await;
    client.replay(&id).await.expect("succeeded messages may be replayed");
    receiver.wait_for(2, WAIT).await;
    let m = wait_for_status(&client, &id, "succeeded", WAIT).await;
    assert_eq!(m.replay_count, 1);
    let signed: Vec<i64> =
        receiver.received().iter().map(|d| d.header("x-webhook-timestamp").unwrap().parse().unwrap()).collect();
    assert!(signed[1] >= signed[0], "a replay is signed at replay time");

    let ep2 = client.create_endpoint("http://127.0.0.1:9/held", &Default::default()).await.unwrap();
    client.pause_endpoint(&ep2.id).await.unwrap();
    let held = send(&client, &ep2.id, 2).await;
    let err = client.replay(&held).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("INVALID_STATUS", Some(409)));
    assert!(err.message().contains("paused"), "{}", err.message());

    // retention_hours = 0: the payload is dropped after delivery, so a replay is gone (410).
    let raw = Raw::new(&server.url);
    let sent = raw.post("/v1/webhooks/send", json!({"endpoint_id": ep, "payload": {"tmp": 1}, "retention_hours": 0})).await;
    let tmp = sent.expect_ok(202)["message_id"].as_str().unwrap().to_owned();
    wait_for_status(&client, &tmp, "succeeded", WAIT).await;
    let err = client.replay(&tmp).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("PAYLOAD_UNAVAILABLE", Some(410)));
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_is_refused_during_delivery_and_fast_retries() {
    let server = Server::start(&[]);
    let client = server.client();
    let slow = Receiver::start().await;
    slow.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_secs(3)) });
    let ep = client.create_endpoint(&slow.url, &Default::default()).await.unwrap();
    let id = send(&client, &ep.id, 1).await;
    wait_for_status(&client, &id, "delivering", WAIT).await;
    let err = client.replay(&id).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("DELIVERY_IN_PROGRESS", Some(409)));
    let batch = client.replay_batch_messages(std::slice::from_ref(&id)).await.unwrap();
    assert_eq!((batch.replayed, batch.failed, batch.stuck), (0, 0, 1));
    assert_eq!(batch.results[0].status, "stuck");

    let throttled = Receiver::start().await;
    throttled.fallback(Answer::status(429));
    let ep2 = client.create_endpoint(&throttled.url, &Default::default()).await.unwrap();
    let id2 = send(&client, &ep2.id, 2).await;
    let m = wait_for_status(&client, &id2, "pending_retry", WAIT).await;
    assert_eq!(m.response_status, Some(429));
    let err = client.replay(&id2).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("RETRY_IN_PROGRESS", Some(409)));
    let all = client.replay_all_messages(&ReplayAllOptions::status("pending_retry")).await.unwrap();
    assert_eq!((all.replayed, all.stuck), (0, 1));
    assert_eq!(all.stuck_message_ids, vec![id2.clone()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_and_retry_now_only_apply_to_pending_retries() {
    let (_server, client, receiver, ep) = setup(503).await;
    let id = send(&client, &ep, 1).await;
    let pending = wait_for_status(&client, &id, "pending_retry", WAIT).await;
    assert!(pending.next_attempt_at.is_some(), "a pending retry has its due time");

    client.retry_now(&id).await.unwrap();
    receiver.wait_for(2, WAIT).await;
    let retried = crate::support::eventually("the second attempt", WAIT, || {
        let client = client.clone();
        let id = id.clone();
        async move { client.get_message(&id).await.ok().filter(|m| m.attempt_count == 2 && m.status == "pending_retry") }
    })
    .await;
    assert_eq!(retried.response_status, Some(503));

    client.cancel_retry(&id).await.unwrap();
    let cancelled = client.get_message(&id).await.unwrap();
    assert_eq!((cancelled.status.as_str(), cancelled.next_attempt_at), ("failed_permanent", None));
    for err in [client.cancel_retry(&id).await.unwrap_err(), client.retry_now(&id).await.unwrap_err()] {
        assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "INVALID_STATUS", Some(409)));
        assert!(err.message().contains("failed_permanent"), "{}", err.message());
    }
    assert_eq!(client.cancel_retry("01900000-0000-7000-8000-000000000000").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_batch_and_replay_all_report_per_message() {
    let (server, client, receiver, ep) = setup(400).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(send(&client, &ep, n).await);
    }
    for id in &ids {
        wait_for_status(&client, id, "failed_permanent", WAIT).await;
    }
    let unknown = "01900000-0000-7000-8000-000000000000".to_owned();
    let batch = client.replay_batch_messages(&[ids[0].clone(), unknown.clone(), ids[1].clone()]).await.unwrap();
    assert_eq!((batch.replayed, batch.failed, batch.stuck), (2, 1, 0));
    assert_eq!(batch.results.len(), 3);
    assert_eq!((batch.results[0].status.as_str(), batch.results[0].error.clone()), ("replayed", None));
    assert_eq!((batch.results[1].message_id.as_str(), batch.results[1].status.as_str()), (unknown.as_str(), "failed"));
    assert_eq!(batch.results[1].error.as_deref(), Some("message not found"));
    receiver.wait_for(6, WAIT).await;
    for id in &ids {
        wait_for_status(&client, id, "failed_permanent", WAIT).await;
    }

    // replay-all, limited and per endpoint.
    let other = client.create_endpoint("http://127.0.0.1:9/other", &Default::default()).await.unwrap();
    let limited = client
        .replay_all_messages(&ReplayAllOptions {
            status: "failed_permanent".into(),
            endpoint_id: Some(ep.clone()),
            limit: Some(3),
        })
        .await
        .unwrap();
    assert_eq!((limited.replayed, limited.failed, limited.stuck), (3, 0, 0));
    assert_eq!(limited.replayed_message_ids, ids[..3].to_vec(), "oldest first");
    let none = client
        .replay_all_messages(&ReplayAllOptions { status: "failed_permanent".into(), endpoint_id: Some(other.id), limit: None })
        .await
        .unwrap();
    assert_eq!(none.replayed, 0);
    receiver.wait_for(9, WAIT).await;

    let raw = Raw::new(&server.url);
    raw.post("/v1/messages/replay-all", json!({})).await.expect_error(400, "INVALID_REQUEST");
    raw.post("/v1/messages/replay-all?status=succeeded", json!({})).await.expect_error(400, "INVALID_REQUEST");
    raw.post("/v1/messages/replay-all?status=failed_permanent&limit=1001", json!({})).await.expect_error(400, "INVALID_REQUEST");
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let m = raw.post("/v1/messages/replay-batch", json!({"message_ids": many})).await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("100"), "{m}");
    raw.post("/v1/messages/replay-batch", json!({})).await.expect_error(400, "INVALID_REQUEST");
    let empty = raw.post("/v1/messages/replay-batch", json!({"message_ids": []})).await;
    assert_eq!(empty.expect_ok(200)["replayed"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_replays_of_one_message_through_two_clients_replay_it_once() {
    // On PostgreSQL the second client talks to a second server process on the same database
    // (another node); SQLite allows one process per data dir, so both clients share the server.
    let (node_a, client, _receiver, ep) = setup(400).await;
    let node_b = crate::harness::backend::is_postgres().then(|| Server::start_in(&node_a.data_dir, &[]));
    let urls = [node_a.url.clone(), node_b.as_ref().map_or(node_a.url.clone(), |b| b.url.clone())];
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(send(&client, &ep, n).await);
    }
    for id in &ids {
        wait_for_status(&client, id, "failed_permanent", WAIT).await;
    }
    // Paused: a replayed message waits as `paused`, so every later replay sees it replayed.
    client.pause_endpoint(&ep).await.unwrap();

    for id in &ids {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (url, path) = (urls[i % 2].clone(), format!("/v1/messages/{id}/replay"));
                tokio::spawn(async move { Raw::new(&url).call_raw(Method::POST, &path, "application/json", Vec::new()).await })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        let replayed = answers.iter().filter(|a| a.status == 200).count();
        assert_eq!(replayed, 1, "exactly one of the racing replays wins: {answers:?}");
        for refused in answers.iter().filter(|a| a.status != 200) {
            refused.expect_error(409, "INVALID_STATUS");
        }
        let message = client.get_message(id).await.unwrap();
        assert_eq!((message.status.as_str(), message.replay_count), ("paused", 1));
    }
}
