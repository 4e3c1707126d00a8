//! Soft deletion of outbound and inbound messages through the core client: one, a batch and
//! delete-all; the record kept, the payload and the idempotency key released, pending retries
//! cancelled, a delivery in flight never retried, and project isolation.

use std::time::Duration;

use hookbridge::{
    CreateEndpointOptions, DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions, ErrorKind, InboundEndpointSettings,
    InboundLogsQuery, LogsQuery, SendOptions, Timestamp,
};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Answer, Receiver, Server, eventually, wait_for_status};
use crate::support::{Raw, WAIT, client_for};

/// Long enough for a retry scheduled with `--retry-time-scale 0.001` (30 min -> 1.8 s) to run.
const RETRY_WINDOW: Duration = Duration::from_secs(4);

async fn send(client: &hookbridge::Client, endpoint: &str, key: Option<&str>) -> String {
    let options = SendOptions { idempotency_key: key.map(str::to_owned), ..SendOptions::default() };
    client.send(endpoint, &json!({"order": 42}), &options).await.expect("send").message_id
}

/// The id of the dev key (the key the test client uses).
async fn own_key_id(client: &hookbridge::Client) -> String {
    client.list_api_keys().await.expect("keys").into_iter().next().expect("one key").key_id
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_purges_the_payload_keeps_the_record_cancels_retries_and_releases_the_key() {
    let server = Server::start(&["--retry-time-scale", "0.001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer::status(500));
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap().id;
    let id = send(&client, &ep, Some("order-42")).await;
    wait_for_status(&client, &id, "pending_retry", WAIT).await;

    let deleted = client.delete_message(&id).await.expect("delete");
    let seen = receiver.received().len();
    assert_eq!((deleted.message_id.as_str(), deleted.already_deleted), (id.as_str(), false));
    let again = client.delete_message(&id).await.expect("delete again");
    assert!(again.already_deleted);
    assert_eq!(again.deleted_at, deleted.deleted_at, "the first deletion's time is kept");

    // The record stays, marked deleted, with no retry due and the key released.
    let message = client.get_message(&id).await.expect("the record is kept");
    assert_eq!(message.deleted_at, Some(deleted.deleted_at));
    assert_eq!(message.deleted_by_api_key_id, Some(own_key_id(&client).await));
    assert_eq!(message.deleted_by_user_id, None);
    assert_eq!((message.status.as_str(), message.next_attempt_at), ("failed_permanent", None));
    assert_eq!(message.idempotency_key, None);
    tokio::time::sleep(RETRY_WINDOW).await;
    assert_eq!(receiver.received().len(), seen, "no retry after deletion");
    assert!(client.get_message(&id).await.unwrap().deleted_at.is_some());

    // The payload is gone: no replay of any kind.
    let err = client.replay(&id).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(410), "PAYLOAD_UNAVAILABLE"));
    assert_eq!(client.replay_from_dlq(&id).await.unwrap_err().status(), Some(410));

    // The idempotency key is free: the same key makes a new message.
    let fresh = send(&client, &ep, Some("order-42")).await;
    assert_ne!(fresh, id);
    assert_eq!(send(&client, &ep, Some("order-42")).await, fresh, "the new message holds the key now");

    // Logs show the deletion.
    let logs = client.get_logs(&LogsQuery::default()).await.unwrap();
    let listed = logs.messages.iter().find(|m| m.message_id == id).expect("deleted messages stay listed");
    assert_eq!(listed.deleted_at, Some(deleted.deleted_at));
    assert!(logs.messages.iter().find(|m| m.message_id == fresh).unwrap().deleted_at.is_none());

    let missing = client.delete_message("01900000-0000-7000-8000-000000000000").await.unwrap_err();
    assert_eq!((missing.kind(), missing.code()), (ErrorKind::NotFound, "NOT_FOUND"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deletion_racing_a_delivery_in_flight_stops_every_later_attempt() {
    let server = Server::start(&["--retry-time-scale", "0.001"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer { status: 500, retry_after: None, delay: Some(Duration::from_secs(2)) });
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap().id;
    let id = send(&client, &ep, None).await;
    receiver.wait_for(1, WAIT).await;

    // The receiver holds the request: the message is delivering while it is deleted.
    let deleted = client.delete_message(&id).await.expect("delete while delivering");
    assert!(!deleted.already_deleted);
    assert_eq!(client.get_message(&id).await.unwrap().status, "delivering", "the attempt in flight is not cut off");

    // The 500 is recorded, but no retry is scheduled and the record stays deleted.
    let done = wait_for_status(&client, &id, "failed_permanent", WAIT).await;
    assert_eq!((done.attempt_count, done.response_status, done.next_attempt_at), (1, Some(500), None));
    assert_eq!(done.deleted_at, Some(deleted.deleted_at));
    tokio::time::sleep(RETRY_WINDOW).await;
    assert_eq!(receiver.received().len(), 1, "the deleted message was delivered again");
    let after = client.get_message(&id).await.unwrap();
    assert_eq!((after.status.as_str(), after.attempt_count), ("failed_permanent", 1));
    assert_eq!(after.deleted_at, Some(deleted.deleted_at));
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_and_delete_all_report_each_message_and_stay_inside_the_project() {
    let server = Server::start(&[]);
    let a = server.client();
    let receiver = Receiver::start().await;
    let ep1 = a.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap().id;
    let ep2 = a.create_endpoint(&format!("{}?second", receiver.url), &CreateEndpointOptions::default()).await.unwrap().id;
    let m1 = send(&a, &ep1, None).await;
    let m2 = send(&a, &ep1, None).await;
    let m3 = send(&a, &ep2, None).await;
    let m4 = send(&a, &ep2, None).await;
    for id in [&m1, &m2, &m3, &m4] {
        wait_for_status(&a, id, "succeeded", WAIT).await;
    }

    // Project B deletes nothing of A's.
    let project_b = a.create_project("project b", None).await.unwrap();
    let raw_a = Raw::new(&server.url);
    let key_b = raw_a.post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let b = client_for(&server.url, key_b.expect_ok(201)["key"].as_str().unwrap());
    assert_eq!(b.delete_message(&m1).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(b.delete_inbound_message(&m1).await.unwrap_err().kind(), ErrorKind::NotFound);
    let batch_b = b.delete_messages_batch(std::slice::from_ref(&m1)).await.unwrap();
    assert_eq!((batch_b.not_found_count, batch_b.deleted_count), (1, 0));
    let all_b = b.delete_messages_all(&DeleteMessagesAllOptions::default()).await.unwrap();
    assert_eq!((all_b.deleted, all_b.deleted_message_ids.len(), all_b.error), (0, 0, None));
    assert!(a.get_message(&m1).await.unwrap().deleted_at.is_none(), "B's calls left A's message alone");

    // A batch: deleted, already deleted, unknown (and an outbound id is not an inbound message).
    a.delete_message(&m2).await.unwrap();
    let unknown = "01900000-0000-7000-8000-000000000000".to_owned();
    let batch = a.delete_messages_batch(&[m1.clone(), m2.clone(), unknown.clone()]).await.unwrap();
    assert_eq!((batch.deleted_count, batch.already_deleted_count, batch.not_found_count), (1, 1, 1));
    let outcomes: Vec<(&str, &str, bool)> =
        batch.results.iter().map(|r| (r.message_id.as_str(), r.outcome.as_str(), r.deleted_at.is_some())).collect();
    assert_eq!(
        outcomes,
        vec![(m1.as_str(), "deleted", true), (m2.as_str(), "already_deleted", true), (unknown.as_str(), "not_found", false)]
    );
    assert_eq!(a.delete_inbound_messages_batch(std::slice::from_ref(&m3)).await.unwrap().not_found_count, 1);

    // delete-all with filters: only ep2's messages, one per call, oldest first; a future
    // created_after matches nothing.
    let filter = |limit| DeleteMessagesAllOptions { endpoint_id: Some(ep2.clone()), limit: Some(limit), ..Default::default() };
    let later = DeleteMessagesAllOptions {
        created_after: Some(Timestamp::from_unix_millis(4_102_444_800_000).into()),
        ..Default::default()
    };
    assert_eq!(a.delete_messages_all(&later).await.unwrap().deleted, 0);
    let first = a.delete_messages_all(&filter(1)).await.unwrap();
    assert_eq!((first.deleted, first.deleted_message_ids.clone()), (1, vec![m3.clone()]));
    let status = DeleteMessagesAllOptions { status: Some("succeeded".into()), ..Default::default() };
    let rest = a.delete_messages_all(&status).await.unwrap();
    assert_eq!(rest.deleted_message_ids, vec![m4.clone()], "already deleted messages are not taken again");
    for id in [&m1, &m2, &m3, &m4] {
        assert!(a.get_message(id).await.unwrap().deleted_at.is_some(), "{id}");
    }

    // Bad input: the error envelope naming the parameter.
    let too_many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let err = a.delete_messages_batch(&too_many).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), "INVALID_REQUEST"));
    raw_a
        .call(Method::POST, "/v1/messages/delete-batch", Some(json!({"message_ids": []})))
        .await
        .expect_error(400, "INVALID_REQUEST");
    raw_a.call(Method::POST, "/v1/messages/delete-batch", Some(json!({}))).await.expect_error(400, "INVALID_REQUEST");
    for (query, field) in [
        ("status=nope", "status"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("endpoint_id=bogus", "endpoint_id"),
        ("created_after=yesterday", "created_after"),
        ("created_before=x", "created_before"),
    ] {
        let answer = raw_a.call(Method::POST, &format!("/v1/messages/delete-all?{query}"), None).await;
        assert!(answer.expect_error(400, "INVALID_REQUEST").contains(field), "{query}: {}", answer.text);
    }
    let answer = raw_a.call(Method::POST, "/v1/inbound-messages/delete-all?inbound_endpoint_id=nope", None).await;
    assert!(answer.expect_error(400, "INVALID_REQUEST").contains("inbound_endpoint_id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn inbound_messages_are_deleted_the_same_way() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let inbound = client.create_inbound_endpoint(&receiver.url, &InboundEndpointSettings::default()).await.unwrap();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..3 {
        let answer = http.post(&inbound.ingest_url).json(&json!({"n": n})).send().await.expect("ingest");
        assert!(answer.status().is_success(), "ingest answered {}", answer.status());
        let body: serde_json::Value = answer.json().await.unwrap();
        ids.push(body["data"]["message_id"].as_str().expect("message id").to_owned());
    }
    receiver.wait_for(3, WAIT).await;

    let one = client.delete_inbound_message(&ids[0]).await.unwrap();
    assert!(!one.already_deleted);
    assert!(client.delete_inbound_message(&ids[0]).await.unwrap().already_deleted);
    // An inbound id is not an outbound message.
    assert_eq!(client.delete_message(&ids[1]).await.unwrap_err().kind(), ErrorKind::NotFound);
    let batch = client.delete_inbound_messages_batch(&[ids[0].clone(), ids[1].clone()]).await.unwrap();
    assert_eq!((batch.deleted_count, batch.already_deleted_count), (1, 1));
    let options = DeleteInboundMessagesAllOptions { inbound_endpoint_id: Some(inbound.id.clone()), ..Default::default() };
    let all = client.delete_inbound_messages_all(&options).await.unwrap();
    assert_eq!(all.deleted_message_ids, vec![ids[2].clone()]);

    let logs = eventually("inbound logs listing three messages", WAIT, || async {
        let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
        (logs.entries.len() == 3).then_some(logs)
    })
    .await;
    assert!(logs.entries.iter().all(|e| e.deleted_at.is_some()), "{:?}", logs.entries);
    let raw = Raw::new(&server.url);
    let detail = raw.call(Method::GET, &format!("/v1/inbound-messages/{}", ids[0]), None).await;
    let deleted_at = detail.expect_ok(200)["deleted_at"].as_str().expect("deleted_at is shown");
    assert_eq!(Timestamp::parse(deleted_at).unwrap(), one.deleted_at);
    assert_eq!(detail.body["data"]["deleted_by_api_key_id"], json!(own_key_id(&client).await));
}
