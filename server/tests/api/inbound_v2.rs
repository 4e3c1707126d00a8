//! The 2.0.0 inbound routes through the core client: `cli`-mode endpoints and their listen
//! route (ordering, paging, `after`, bodies, errors), inbound signing keys (rotation verified by
//! a receiver), inbound message detail, and project isolation of all of them.

use base64::Engine;
use hookbridge::{ErrorKind, InboundEndpointSettings, Page, inbound_mode};
use serde_json::json;

use crate::harness::{Receiver, Server};
use crate::support::{Raw, WAIT, client_for, eventually, sha256_hex};

fn cli() -> InboundEndpointSettings {
    InboundEndpointSettings { mode: Some(inbound_mode::CLI.into()), ..Default::default() }
}

/// Posts `body` to an ingest URL and returns the stored message id.
async fn ingest(http: &reqwest::Client, ingest_url: &str, content_type: &str, body: Vec<u8>) -> String {
    let response = http
        .post(ingest_url)
        .header("content-type", content_type)
        .header("x-event", "test.event")
        .body(body)
        .send()
        .await
        .expect("ingest request");
    assert_eq!(response.status().as_u16(), 202);
    let answer: serde_json::Value = response.json().await.expect("ingest answer");
    answer["data"]["message_id"].as_str().expect("message id").to_owned()
}

fn expect_error<T: std::fmt::Debug>(result: hookbridge::Result<T>, status: u16, code: &str) -> String {
    let err = result.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(status), code), "{err}");
    err.message().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_endpoints_store_requests_for_listen_in_order_and_never_forward() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let http = reqwest::Client::new();

    // A cli endpoint needs no URL; one with a URL still never forwards to it.
    let bare = client.create_inbound_endpoint_with(None, &cli()).await.unwrap();
    assert_eq!((bare.mode.as_str(), bare.url.as_str()), ("cli", ""));
    let got = client.get_inbound_endpoint(&bare.id).await.unwrap();
    assert_eq!((got.mode.as_str(), got.url.as_str()), ("cli", ""));
    let endpoint = client.create_inbound_endpoint(&receiver.url, &cli()).await.unwrap();
    assert_eq!(endpoint.mode, "cli");
    let listed = client.list_inbound_endpoints(&Page::default()).await.unwrap();
    assert!(listed.endpoints.iter().all(|e| e.mode == "cli"), "{listed:?}");

    let empty = client.listen_inbound_endpoint(&endpoint.id, None).await.unwrap();
    assert!(empty.messages.is_empty());
    assert_eq!(empty.next_cursor, None, "nothing stored yet: no cursor");

    // 120 requests: a binary one first, then JSON ones.
    let binary: Vec<u8> = vec![0, 159, 146, 150, 255];
    let mut ids = vec![ingest(&http, &endpoint.ingest_url, "application/octet-stream", binary.clone()).await];
    for n in 1..120 {
        ids.push(ingest(&http, &endpoint.ingest_url, "application/json", json!({"n": n}).to_string().into_bytes()).await);
    }

    // Pages of 50 in UUIDv7 (arrival) order; next_cursor continues exactly after the last one.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut page_sizes = Vec::new();
    loop {
        let page = client.listen_inbound_endpoint(&endpoint.id, after.as_deref()).await.unwrap();
        if page.messages.is_empty() {
            assert_eq!(page.next_cursor, after, "an empty page keeps the cursor where it was");
            break;
        }
        page_sizes.push(page.messages.len());
        assert_eq!(page.next_cursor.as_deref(), Some(page.messages.last().unwrap().message_id.as_str()));
        seen.extend(page.messages);
        after = page.next_cursor;
    }
    assert_eq!(page_sizes, [50, 50, 20]);
    assert_eq!(seen.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(), ids);
    let first = &seen[0];
    assert_eq!(
        (first.content_type.as_str(), first.size_bytes, first.body_encoding.as_deref()),
        ("application/octet-stream", 5, Some("base64"))
    );
    let decoded = base64::engine::general_purpose::STANDARD.decode(first.body.as_ref().unwrap().0.as_str().unwrap()).unwrap();
    assert_eq!(decoded, binary);
    assert_eq!(first.headers.get("x-event").map(String::as_str), Some("test.event"));
    for (n, message) in seen.iter().enumerate().skip(1) {
        assert_eq!(message.body, Some(hookbridge::JsonValue(json!({"n": n}))), "JSON bodies come back as JSON values");
        assert_eq!((message.body_encoding.as_deref(), message.body_error.as_deref()), (None, None));
    }

    // `after` is exclusive: it starts right behind the given message.
    let from_ten = client.listen_inbound_endpoint(&endpoint.id, Some(&ids[9])).await.unwrap();
    assert_eq!(from_ten.messages[0].message_id, ids[10]);
    let tail = client.listen_inbound_endpoint(&endpoint.id, Some(&ids[110])).await.unwrap();
    assert_eq!(tail.messages.iter().map(|m| m.message_id.clone()).collect::<Vec<_>>(), ids[111..]);
    // Another endpoint's stream is its own.
    assert!(client.listen_inbound_endpoint(&bare.id, None).await.unwrap().messages.is_empty());

    // Stored, never forwarded: a forward-mode endpoint's request to the same receiver arrives
    // alone, and the cli messages stay `stored` with no attempt.
    let forward = client.create_inbound_endpoint(&receiver.url, &InboundEndpointSettings::default()).await.unwrap();
    assert_eq!(forward.mode, "forward", "forward is the default mode");
    let forwarded = ingest(&http, &forward.ingest_url, "application/json", b"{\"fwd\":1}".to_vec()).await;
    let got = receiver.wait_for(1, WAIT).await;
    eventually("forwarded message succeeded", WAIT, || async {
        (client.get_inbound_message(&forwarded).await.unwrap().status == "succeeded").then_some(())
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(receiver.received().len(), 1, "no cli message reached the receiver");
    let stored = client.get_inbound_message(&ids[0]).await.unwrap();
    assert_eq!((stored.status.as_str(), stored.attempt_count, stored.delivered_at), ("stored", 0, None));
    assert_eq!((stored.inbound_endpoint_id.as_str(), stored.size_bytes), (endpoint.id.as_str(), Some(5)));
    assert_eq!(stored.next_attempt_at, None);
    expect_error(client.replay_inbound_message(&ids[0]).await, 409, "INVALID_STATUS");

    // Errors: forward mode, a bad cursor, unknown or malformed endpoint ids.
    let message = expect_error(client.listen_inbound_endpoint(&forward.id, None).await, 400, "ENDPOINT_NOT_CLI_MODE");
    assert!(message.contains("forward"), "{message}");
    let message = expect_error(client.listen_inbound_endpoint(&endpoint.id, Some("nope")).await, 400, "INVALID_REQUEST");
    assert!(message.contains("after"), "{message}");
    let unknown = uuid::Uuid::now_v7().to_string();
    expect_error(client.listen_inbound_endpoint(&unknown, None).await, 404, "NOT_FOUND");
    expect_error(client.listen_inbound_endpoint("not-a-uuid", None).await, 404, "NOT_FOUND");
    client.delete_inbound_endpoint(&bare.id).await.unwrap();
    expect_error(client.listen_inbound_endpoint(&bare.id, None).await, 404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn mode_and_url_rules_on_create_and_update() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;

    let message = expect_error(client.create_inbound_endpoint_with(None, &Default::default()).await, 400, "INVALID_REQUEST");
    assert!(message.contains("url is required"), "{message}");
    let bogus = InboundEndpointSettings { mode: Some("pull".into()), ..Default::default() };
    let message = expect_error(client.create_inbound_endpoint(&receiver.url, &bogus).await, 400, "INVALID_REQUEST");
    assert!(message.contains("mode"), "{message}");
    assert!(client.list_inbound_endpoints(&Page::default()).await.unwrap().endpoints.is_empty(), "nothing was created");

    // Switch a forward endpoint to cli and clear its URL, then back: forward needs a URL again.
    let endpoint = client.create_inbound_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let to_cli = json!({"mode": "cli", "url": ""});
    client.update_inbound_endpoint_fields(&endpoint.id, to_cli.as_object().unwrap()).await.unwrap();
    let got = client.get_inbound_endpoint(&endpoint.id).await.unwrap();
    assert_eq!((got.mode.as_str(), got.url.as_str()), ("cli", ""));
    let back = InboundEndpointSettings { mode: Some("forward".into()), ..Default::default() };
    let message = expect_error(client.update_inbound_endpoint(&endpoint.id, &back).await, 400, "INVALID_REQUEST");
    assert!(message.contains("url is required"), "{message}");
    let with_url = json!({"mode": "forward", "url": receiver.url});
    client.update_inbound_endpoint_fields(&endpoint.id, with_url.as_object().unwrap()).await.unwrap();
    let got = client.get_inbound_endpoint(&endpoint.id).await.unwrap();
    assert_eq!((got.mode.as_str(), got.url.as_str()), ("forward", receiver.url.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn inbound_signing_keys_rotate_and_every_active_key_signs_forwards() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let http = reqwest::Client::new();

    let settings = InboundEndpointSettings { signing_enabled: Some(true), ..Default::default() };
    let endpoint = client.create_inbound_endpoint(&receiver.url, &settings).await.unwrap();
    let first_secret = endpoint.signing_secret.clone().expect("the first secret is shown once");
    let first_id = endpoint.signing_key_id.clone().expect("first key id");
    assert_eq!(endpoint.key_hint.as_deref(), Some(&first_secret[first_secret.len() - 4..]));
    let keys = client.list_inbound_signing_keys(&endpoint.id).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [first_id.as_str()]);

    let second = client.create_inbound_signing_key(&endpoint.id).await.unwrap();
    assert!(second.signing_secret.starts_with("whsec_") && second.id.starts_with("sk_"));
    assert_eq!(second.key_hint.as_deref(), Some(&second.signing_secret[second.signing_secret.len() - 4..]));
    expect_error(client.create_inbound_signing_key(&endpoint.id).await, 409, "MAX_SIGNING_KEYS_REACHED");
    let keys = client.list_inbound_signing_keys(&endpoint.id).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [first_id.as_str(), second.id.as_str()]);

    // During the rotation a receiver verifies the forward with either key.
    let body = b"{\"rotating\":true}".to_vec();
    let message_id = ingest(&http, &endpoint.ingest_url, "application/json", body.clone()).await;
    let forwarded = receiver.wait_for(1, WAIT).await;
    let (signature, ts) =
        (forwarded[0].header("x-webhook-signature").unwrap(), forwarded[0].header("x-webhook-timestamp").unwrap());
    assert_eq!(signature.split(',').count(), 2, "{signature}");
    for secret in [first_secret.as_str(), second.signing_secret.as_str()] {
        hookbridge::signing::verify(&body, &signature, &ts, &[secret], Default::default()).expect("each key verifies");
    }

    // The detail of the forwarded message.
    let detail = eventually("forward recorded", WAIT, || async {
        let m = client.get_inbound_message(&message_id).await.unwrap();
        (m.status == "succeeded").then_some(m)
    })
    .await;
    assert_eq!((detail.attempt_count, detail.replay_count, detail.response_status), (1, 0, Some(200)));
    assert_eq!(detail.payload_sha256.as_deref(), Some(sha256_hex(&body).as_str()));
    assert_eq!((detail.size_bytes, detail.content_type.as_deref()), (Some(body.len() as i64), Some("application/json")));
    assert!(detail.delivered_at.is_some() && detail.total_delivery_ms.is_some_and(|ms| ms >= 0));
    assert!(detail.received_at.unix_millis() <= detail.updated_at.unix_millis());
    expect_error(client.get_inbound_message(&uuid::Uuid::now_v7().to_string()).await, 404, "NOT_FOUND");
    expect_error(client.get_inbound_message("not-a-uuid").await, 404, "NOT_FOUND");

    // After deleting the old key, only the remaining one signs; the last key cannot go.
    client.delete_inbound_signing_key(&endpoint.id, &first_id).await.unwrap();
    expect_error(client.delete_inbound_signing_key(&endpoint.id, &second.id).await, 409, "CANNOT_DELETE_LAST_SIGNING_KEY");
    expect_error(client.delete_inbound_signing_key(&endpoint.id, &first_id).await, 404, "NOT_FOUND");
    let body = b"{\"rotated\":true}".to_vec();
    ingest(&http, &endpoint.ingest_url, "application/json", body.clone()).await;
    let forwarded = receiver.wait_for(2, WAIT).await;
    let (signature, ts) =
        (forwarded[1].header("x-webhook-signature").unwrap(), forwarded[1].header("x-webhook-timestamp").unwrap());
    assert_eq!(signature.split(',').count(), 1, "{signature}");
    hookbridge::signing::verify(&body, &signature, &ts, &[second.signing_secret.as_str()], Default::default())
        .expect("the remaining key verifies");
    assert!(
        hookbridge::signing::verify(&body, &signature, &ts, &[first_secret.as_str()], Default::default()).is_err(),
        "the deleted key no longer signs"
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    expect_error(client.list_inbound_signing_keys(&unknown).await, 404, "NOT_FOUND");
    expect_error(client.create_inbound_signing_key("not-a-uuid").await, 404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_project_cannot_see_or_touch_inbound_keys_messages_or_listen() {
    let server = Server::start(&[]);
    let a = server.client();
    let receiver = Receiver::start().await;
    let http = reqwest::Client::new();
    let settings = InboundEndpointSettings { signing_enabled: Some(true), ..Default::default() };
    let forward = a.create_inbound_endpoint(&receiver.url, &settings).await.unwrap();
    let listened = a.create_inbound_endpoint_with(None, &cli()).await.unwrap();
    let message_id = ingest(&http, &listened.ingest_url, "application/json", b"{\"of\":\"a\"}".to_vec()).await;

    let project_b = a.create_project("project b", None).await.unwrap();
    let key_b = Raw::new(&server.url).post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let b = client_for(&server.url, key_b.expect_ok(201)["key"].as_str().unwrap());
    let not_found = |err: hookbridge::Error| assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)), "{err}");
    not_found(b.get_inbound_message(&message_id).await.unwrap_err());
    not_found(b.listen_inbound_endpoint(&listened.id, None).await.unwrap_err());
    not_found(b.list_inbound_signing_keys(&forward.id).await.unwrap_err());
    not_found(b.create_inbound_signing_key(&forward.id).await.unwrap_err());
    let first_key = forward.signing_key_id.clone().unwrap();
    not_found(b.delete_inbound_signing_key(&forward.id, &first_key).await.unwrap_err());

    // Project A still has its single key and its stored request.
    assert_eq!(a.list_inbound_signing_keys(&forward.id).await.unwrap().len(), 1);
    let page = a.listen_inbound_endpoint(&listened.id, None).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(), [message_id.as_str()]);
    let detail = a.get_inbound_message(&message_id).await.unwrap();
    assert!(!detail.project_id.is_empty() && detail.project_id != project_b.id);
}
