//! `POST /v1/webhooks/send`: acceptance, the stored message, validation and idempotency.

use hookbridge::{CreateEndpointOptions, ErrorKind, HeaderMap, SendOptions};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT, sha256_hex};

#[tokio::test(flavor = "multi_thread")]
async fn a_send_is_stored_with_the_exact_compact_bytes() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();

    // Key order is kept and whitespace dropped: the delivered bytes are the compact form.
    let body = format!(
        r#"{{ "endpoint_id": "{}", "payload": {{ "zeta": 1, "alpha": [true, null, "é"], "mid": {{"b": 2, "a": 1}} }} }}"#,
        ep.id
    );
    let raw = Raw::new(&server.url);
    let answer = raw.call_raw(Method::POST, "/v1/webhooks/send", "application/json", body.into_bytes()).await;
    let data = answer.expect_ok(202);
    assert_eq!(data["status"], "queued");
    let id = data["message_id"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7, "message ids are UUIDv7");

    let expected = r#"{"zeta":1,"alpha":[true,null,"é"],"mid":{"b":2,"a":1}}"#;
    let message = client.get_message(&id).await.unwrap();
    assert_eq!(message.endpoint_id, ep.id);
    assert_eq!(message.content_type, "application/json");
    assert_eq!(message.size_bytes, expected.len() as i64);
    assert_eq!(message.payload_sha256, sha256_hex(expected.as_bytes()));
    assert_eq!(message.replay_count, 0);
    assert_eq!(message.idempotency_key, None);

    let delivered = receiver.wait_for(1, WAIT).await;
    assert_eq!(&delivered[0].body[..], expected.as_bytes());
    let done = wait_for_status(&client, &id, "succeeded", WAIT).await;
    assert_eq!(done.attempt_count, 1);
    assert_eq!(done.response_status, Some(200));
    assert!(done.updated_at >= done.created_at);
    assert_eq!(done.next_attempt_at, None);

    // Through the core client too, with custom headers that reach the receiver.
    let options = SendOptions {
        headers: Some([("X-Order".to_owned(), "42".to_owned())].into_iter().collect::<HeaderMap>()),
        idempotency_key: None,
    };
    let sent = client.send(&ep.id, &json!({"order": 42}), &options).await.unwrap();
    assert_eq!(sent.status, "queued");
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[1].header("x-order").as_deref(), Some("42"));
    assert_eq!(got[1].header("x-webhook-id").as_deref(), Some(sent.message_id.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_is_scoped_to_the_endpoint_and_key() {
    let server = Server::start(&[]);
    let client = server.client();
    let a = client.create_endpoint("http://127.0.0.1:9/a", &Default::default()).await.unwrap();
    let b = client.create_endpoint("http://127.0.0.1:9/b", &Default::default()).await.unwrap();
    client.pause_endpoint(&a.id).await.unwrap();
    client.pause_endpoint(&b.id).await.unwrap();
    let key = SendOptions { headers: None, idempotency_key: Some("order-7_created".into()) };

    let first = client.send(&a.id, &json!({"order": 7}), &key).await.unwrap();
    let repeat = client.send(&a.id, &json!({"order": 7}), &key).await.unwrap();
    assert_eq!((repeat.message_id.as_str(), repeat.status.as_str()), (first.message_id.as_str(), "queued"));
    let other_endpoint = client.send(&b.id, &json!({"order": 7}), &key).await.unwrap();
    assert_ne!(other_endpoint.message_id, first.message_id, "the same key on another endpoint is a new message");
    let err = client.send(&a.id, &json!({"order": 8}), &key).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Idempotency, "IDEMPOTENCY_MISMATCH", Some(409)));
    assert_eq!(client.get_message(&first.message_id).await.unwrap().idempotency_key.as_deref(), Some("order-7_created"));

    // The repeat answers 200, the first 202.
    let raw = Raw::new(&server.url);
    let body = json!({"endpoint_id": a.id, "payload": {"order": 7}, "idempotency_key": "order-7_created"});
    let again = raw.post("/v1/webhooks/send", body).await;
    assert_eq!(again.expect_ok(200)["message_id"], first.message_id.as_str());

    // Concurrent first sends with one key create exactly one message.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = client.clone();
        let id = a.id.clone();
        tasks.push(tokio::spawn(async move {
            let key = SendOptions { headers: None, idempotency_key: Some("race".into()) };
            client.send(&id, &json!({"race": true}), &key).await.unwrap().message_id
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "all concurrent sends got the same message");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_sends_are_refused_with_the_contract_codes() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/v", &Default::default()).await.unwrap();
    let raw = Raw::new(&server.url);
    let send = |body: serde_json::Value| raw.post("/v1/webhooks/send", body);

    let m = send(json!({"payload": {}})).await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("endpoint_id"), "{m}");
    let m = send(json!({"endpoint_id": "ep_123", "payload": {}})).await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("endpoint_id must be in format ep_"), "{m}");
    let m = send(json!({"endpoint_id": ep.id})).await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("payload"), "{m}");
    for not_object in [json!([1, 2]), json!("text"), json!(3), json!(null)] {
        send(json!({"endpoint_id": ep.id, "payload": not_object})).await.expect_error(400, "INVALID_REQUEST");
    }
    send(json!({"endpoint_id": "ep_00000000000000000000000000000000", "payload": {}}))
        .await
        .expect_error(404, "ENDPOINT_NOT_FOUND");

    // 1 MB is the limit on the compact bytes.
    let at_limit = "x".repeat(1024 * 1024 - 8); // {"a":"…"} adds 8 bytes
    send(json!({"endpoint_id": ep.id, "payload": {"a": at_limit}})).await.expect_ok(202);
    let over = "x".repeat(1024 * 1024);
    let m = send(json!({"endpoint_id": ep.id, "payload": {"a": over}})).await.expect_error(400, "PAYLOAD_TOO_LARGE");
    assert!(m.contains("1 MB"), "{m}");
    let two_mb = "x".repeat(2 * 1024 * 1024);
    send(json!({"endpoint_id": ep.id, "payload": {"a": two_mb}})).await.expect_error(400, "PAYLOAD_TOO_LARGE");

    for bad_headers in [
        json!({"Host": "x"}),
        json!({"Content-Length": "1"}),
        json!({"X-Webhook-Signature": "forged"}),
        json!({"Proxy-Authorization": "x"}),
        json!({"X-Num": 5}),
        json!("not a map"),
        serde_json::Value::Object((0..51).map(|i| (format!("X-H{i}"), json!("v"))).collect()),
        json!({"X-Big": "v".repeat(8200)}),
    ] {
        send(json!({"endpoint_id": ep.id, "payload": {}, "headers": bad_headers})).await.expect_error(400, "INVALID_HEADERS");
    }
    for bad_key in [json!("has space"), json!("a".repeat(256)), json!("semi;colon"), json!(12)] {
        let m = send(json!({"endpoint_id": ep.id, "payload": {}, "idempotency_key": bad_key}))
            .await
            .expect_error(400, "INVALID_REQUEST");
        assert!(m.contains("idempotency_key"), "{m}");
    }
    send(json!({"endpoint_id": ep.id, "payload": {}, "idempotency_key": "k".repeat(255)})).await.expect_ok(202);
    // Unknown fields are ignored; retention_hours is accepted.
    send(json!({"endpoint_id": ep.id, "payload": {"ok": 1}, "future_field": [1], "retention_hours": 24})).await.expect_ok(202);
    send(json!({"endpoint_id": ep.id, "payload": {}, "retention_hours": -1})).await.expect_error(400, "INVALID_REQUEST");
    raw.call_raw(Method::POST, "/v1/webhooks/send", "application/json", b"{\"endpoint_id\":".to_vec())
        .await
        .expect_error(400, "INVALID_REQUEST");

    // The core client sees the same errors with the SDK's kinds.
    let err = client.send("ep_00000000000000000000000000000000", &json!({}), &SendOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = client.send("nope", &json!({}), &SendOptions::default()).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "INVALID_REQUEST", Some(400)));
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_get_the_envelope_not_a_reset_connection() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    for size in [5_000_000usize, 30_000_000] {
        // Through the core client, as an SDK user would: a clear 400, not a network error.
        let err = client.send(&ep.id, &json!({"blob": "x".repeat(size)}), &SendOptions::default()).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.code(), err.status()),
            (ErrorKind::Api, "PAYLOAD_TOO_LARGE", Some(400)),
            "{size} bytes: {err}"
        );
    }
    // The connection and the server stay usable.
    let ok = client.send(&ep.id, &json!({"small": true}), &SendOptions::default()).await.unwrap();
    assert_eq!(ok.status, "queued");
}
