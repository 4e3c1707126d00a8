//! `POST /v1/webhooks/send`: acceptance, the stored message, validation and idempotency.

use hookbridge::{CreateEndpointOptions, ErrorKind, HeaderMap, LogsQuery, SendOptions};
use reqwest::Method;
use serde_json::json;

use crate::harness::{self, Receiver, Server, wait_for_status};
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
    // At most the server's payload retention (30 days by default).
    send(json!({"endpoint_id": ep.id, "payload": {}, "retention_hours": 720})).await.expect_ok(202);
    for too_long in [json!(721), json!(1i64 << 62), json!(i64::MAX)] {
        let m = send(json!({"endpoint_id": ep.id, "payload": {}, "retention_hours": too_long}))
            .await
            .expect_error(400, "INVALID_REQUEST");
        assert!(m.contains("retention_hours must be between 0 and 720"), "{m}");
    }
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

/// Posts `body` to `/v1/webhooks/send` with chunked transfer encoding (64 KiB chunks) over a
/// raw connection, and returns the answer's status and JSON body.
async fn send_chunked(url: &str, body: &[u8]) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(url.trim_start_matches("http://")).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let mut request = format!(
        "POST /v1/webhooks/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        crate::harness::DEV_KEY
    )
    .into_bytes();
    for chunk in body.chunks(64 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&request).await;
        writer
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(WAIT, reader.read_to_end(&mut answer)).await;
    drop(write);
    let text = String::from_utf8_lossy(&answer);
    let (head, rest) = text.split_once("\r\n\r\n").expect("an answer");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    // The answer itself may be chunked: take the JSON object inside.
    let json = rest.find('{').and_then(|a| rest.rfind('}').map(|b| &rest[a..=b])).unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn nesting_and_size_limits_hold_with_and_without_chunked_encoding() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/v", &Default::default()).await.unwrap();
    let raw = Raw::new(&server.url);
    let nested = |depth: usize| {
        format!("{{\"endpoint_id\":\"{}\",\"payload\":{{\"a\":{}1{}}}}}", ep.id, "[".repeat(depth), "]".repeat(depth))
    };

    // serde_json's recursion limit (128) refuses deeper documents; 100 levels are fine.
    raw.call_raw(Method::POST, "/v1/webhooks/send", "application/json", nested(100).into_bytes()).await.expect_ok(202);
    let m = raw
        .call_raw(Method::POST, "/v1/webhooks/send", "application/json", nested(200).into_bytes())
        .await
        .expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("recursion limit"), "{m}");
    let (status, body) = send_chunked(&server.url, nested(5000).as_bytes()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("INVALID_REQUEST")), "{body}");

    // The size limits hold when the body is chunked (no Content-Length to check up front).
    let small = format!("{{\"endpoint_id\":\"{}\",\"payload\":{{\"a\":\"x\"}}}}", ep.id);
    let (status, body) = send_chunked(&server.url, small.as_bytes()).await;
    assert_eq!(status, 202, "{body}");
    for size in [1024 * 1024 + 100, 3 * 1024 * 1024] {
        let big = format!("{{\"endpoint_id\":\"{}\",\"payload\":{{\"a\":\"{}\"}}}}", ep.id, "x".repeat(size));
        let (status, body) = send_chunked(&server.url, big.as_bytes()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("PAYLOAD_TOO_LARGE")), "{size} bytes: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_sends_with_one_key_through_two_clients_store_one_message() {
    // On PostgreSQL the second client talks to a second server process on the same database
    // (another node); SQLite allows one process per data dir, so both clients share the server.
    let node_a = Server::start(&[]);
    let node_b = harness::backend::is_postgres().then(|| Server::start_in(&node_a.data_dir, &[]));
    let urls = [node_a.url.clone(), node_b.as_ref().map_or(node_a.url.clone(), |b| b.url.clone())];
    let client = node_a.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/race", &Default::default()).await.unwrap();
    client.pause_endpoint(&ep.id).await.unwrap();

    for round in 0..5 {
        let key = format!("two-nodes-{round}");
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (url, body) =
                    (urls[i % 2].clone(), json!({"endpoint_id": ep.id, "payload": {"n": round}, "idempotency_key": key}));
                tokio::spawn(async move {
                    let answer = Raw::new(&url).post("/v1/webhooks/send", body).await;
                    (answer.status, answer.body["data"]["message_id"].as_str().map(str::to_owned))
                })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        let created = answers.iter().filter(|(status, _)| *status == 202).count();
        assert_eq!(created, 1, "exactly one send stores the message, the others repeat it: {answers:?}");
        assert!(answers.iter().all(|(status, _)| *status == 202 || *status == 200), "{answers:?}");
        let first = answers[0].1.clone().expect("a message id");
        assert!(answers.iter().all(|(_, id)| id.as_deref() == Some(first.as_str())), "one message id for all: {answers:?}");
    }
    let logs = client.get_logs(&LogsQuery::default()).await.unwrap();
    assert_eq!(logs.messages.len(), 5, "one stored message per key");
}

/// Sends `payload` (raw JSON text) to `endpoint_id` and returns the answer.
async fn send_raw_payload(raw: &Raw, endpoint_id: &str, payload: &str, idempotency_key: &str) -> crate::support::Answer {
    let body = format!(r#"{{"endpoint_id":"{endpoint_id}","payload":{payload},"idempotency_key":"{idempotency_key}"}}"#);
    raw.call_raw(Method::POST, "/v1/webhooks/send", "application/json", body.into_bytes()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn payloads_are_delivered_byte_exactly_in_the_compact_form_and_their_signatures_verify() {
    use hookbridge::signing::{VerifyOptions, verify};

    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let raw = Raw::new(&server.url);

    // (sent, delivered): payloads already in the compact form go out exactly as sent; any other
    // spelling of the same JSON goes out in the compact form (escapes, numbers, duplicate keys).
    let cases = [
        (
            r#"{"amount":12.5,"tiny":1e-7,"big":1e+21,"n":-42,"zero":0,"note":"quote\" back\\ nl\n tab\t","ctl":"\u0001\u001f","emoji":"😀","slash":"a/b","nested":{"list":[1,-2,0.25,true,false,null,{},[]]}}"#,
            r#"{"amount":12.5,"tiny":1e-7,"big":1e+21,"n":-42,"zero":0,"note":"quote\" back\\ nl\n tab\t","ctl":"\u0001\u001f","emoji":"😀","slash":"a/b","nested":{"list":[1,-2,0.25,true,false,null,{},[]]}}"#,
        ),
        ("{ \"b\" : 1,\n  \"a\" : [ 1 , 2 ] }", r#"{"b":1,"a":[1,2]}"#),
        (r#"{"e":"\u00e9\u0041\/","ctl":"\u001F\u000a","pair":"\ud83d\ude00"}"#, r#"{"e":"éA/","ctl":"\u001f\n","pair":"😀"}"#),
        (
            r#"{"f":1.0E2,"g":1.50,"h":-0,"i":12345678901234567890123,"j":1e21}"#,
            r#"{"f":100.0,"g":1.5,"h":-0.0,"i":1.2345678901234568e+22,"j":1e+21}"#,
        ),
        (r#"{"d":1,"x":true,"d":2}"#, r#"{"d":2,"x":true}"#),
    ];
    for (n, (sent, expected)) in cases.iter().enumerate() {
        let answer = send_raw_payload(&raw, &ep.id, sent, &format!("case-{n}")).await;
        let id = answer.expect_ok(202)["message_id"].as_str().unwrap().to_owned();
        let message = client.get_message(&id).await.unwrap();
        assert_eq!(message.payload_sha256, sha256_hex(expected.as_bytes()), "case {n}: {sent}");
        assert_eq!(message.size_bytes, expected.len() as i64, "case {n}");
        let got = receiver.wait_for(n + 1, WAIT).await;
        let delivery = got.iter().find(|d| d.header("x-webhook-id").as_deref() == Some(id.as_str())).expect("delivered");
        assert_eq!(std::str::from_utf8(&delivery.body).unwrap(), *expected, "case {n}: {sent}");
        let timestamp = delivery.header("x-webhook-timestamp").expect("timestamp");
        let signature = delivery.header("x-webhook-signature").expect("signature");
        verify(&delivery.body, &signature, &timestamp, &[&ep.signing_secret], VerifyOptions::default())
            .unwrap_or_else(|e| panic!("case {n}: the signature over the delivered bytes verifies: {e}"));
    }

    // Two spellings of one payload are one payload: the idempotency key matches, no mismatch.
    let first = send_raw_payload(&raw, &ep.id, r#"{"order":7,"note":"é"}"#, "same-payload").await;
    let first_id = first.expect_ok(202)["message_id"].clone();
    let again = send_raw_payload(&raw, &ep.id, "{ \"order\": 7, \"note\": \"\\u00e9\" }", "same-payload").await;
    assert_eq!(again.expect_ok(200)["message_id"], first_id);
    let changed = send_raw_payload(&raw, &ep.id, r#"{"order":7,"note":"e"}"#, "same-payload").await;
    changed.expect_error(409, "IDEMPOTENCY_MISMATCH");

    // JSON the parser refuses is refused with the same code and a message naming the problem.
    for (payload, problem) in [
        (r#"{"a":"\ud800"}"#, "hex escape"),
        (r#"{"a":1e400}"#, "number out of range"),
        (r#"{"a":"\x"}"#, "invalid escape"),
        (r#"{"a":01}"#, "invalid number"),
        (r#"{"a":[1,]}"#, "trailing comma"),
    ] {
        let m = send_raw_payload(&raw, &ep.id, payload, "bad").await.expect_error(400, "INVALID_REQUEST");
        assert!(m.contains(problem), "{payload}: {m}");
    }
    let got = receiver.wait_for(cases.len() + 1, WAIT).await;
    let first_id = first_id.as_str().unwrap();
    let delivered = got.iter().find(|d| d.header("x-webhook-id").as_deref() == Some(first_id)).expect("delivered");
    assert_eq!(&delivered.body[..], r#"{"order":7,"note":"é"}"#.as_bytes());
}
