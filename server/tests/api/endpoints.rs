//! Outbound endpoints: CRUD, pagination, pause/resume and signing keys.

use std::time::Duration;

use hookbridge::{CreateEndpointOptions, ErrorKind, HeaderMap, Page, SendOptions, UpdateEndpointOptions};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Delivery, Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT};

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_are_created_read_updated_and_deleted() {
    let server = Server::start(&[]);
    let client = server.client();
    let options = CreateEndpointOptions {
        description: Some("orders".into()),
        rate_limit_rps: 10,
        burst: 20,
        headers: Some(headers(&[("X-Tenant", "acme"), ("X-Env", "test")])),
        ..Default::default()
    };
    let created = client.create_endpoint("http://127.0.0.1:9/orders", &options).await.unwrap();
    assert!(created.id.starts_with("ep_") && created.id.len() == 35);
    assert!(created.signing_secret.starts_with("whsec_") && created.signing_secret.len() == 38);
    assert_eq!(created.key_hint.as_deref(), Some(&created.signing_secret[34..]));
    assert!(created.signing_key_id.as_deref().is_some_and(|k| k.starts_with("sk_")));
    assert_eq!(created.description.as_deref(), Some("orders"));

    let got = client.get_endpoint(&created.id).await.unwrap();
    assert_eq!(
        (got.url.as_str(), got.paused, got.rate_limit_rps, got.burst),
        ("http://127.0.0.1:9/orders", false, Some(10), Some(20))
    );
    assert_eq!(got.headers, options.headers);
    assert_eq!(got.created_at, created.created_at);

    // PATCH is partial: only the given fields change; 0 clears the rate limit, {} the headers.
    client
        .update_endpoint(&created.id, &UpdateEndpointOptions { description: Some("orders v2".into()), ..Default::default() })
        .await
        .unwrap();
    let after = client.get_endpoint(&created.id).await.unwrap();
    assert_eq!(
        (after.description.as_deref(), after.rate_limit_rps, after.headers.clone()),
        (Some("orders v2"), Some(10), options.headers.clone())
    );
    assert!(after.updated_at >= got.updated_at);
    client
        .update_endpoint(
            &created.id,
            &UpdateEndpointOptions {
                url: Some("http://127.0.0.1:9/orders-v2".into()),
                rate_limit_rps: Some(0),
                burst: Some(0),
                headers: Some(HeaderMap::new()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let cleared = client.get_endpoint(&created.id).await.unwrap();
    assert_eq!(cleared.url, "http://127.0.0.1:9/orders-v2");
    assert_eq!((cleared.rate_limit_rps, cleared.burst, cleared.headers), (Some(0), Some(0), None));
    assert_eq!(cleared.description.as_deref(), Some("orders v2"));
    let raw = Raw::new(&server.url);
    let updated = raw.call(Method::PATCH, &format!("/v1/endpoints/{}", created.id), Some(json!({}))).await;
    assert_eq!(updated.expect_ok(200), &json!({"id": created.id, "updated": true}));

    // Duplicate URLs conflict (on create and on update); a deleted endpoint frees its URL.
    let dup = client.create_endpoint("http://127.0.0.1:9/orders-v2", &Default::default()).await.unwrap_err();
    assert_eq!((dup.kind(), dup.code(), dup.status()), (ErrorKind::Api, "DUPLICATE_URL", Some(409)));
    let other = client.create_endpoint("http://127.0.0.1:9/other", &Default::default()).await.unwrap();
    let err = client
        .update_endpoint(
            &other.id,
            &UpdateEndpointOptions { url: Some("http://127.0.0.1:9/orders-v2".into()), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "DUPLICATE_URL");

    client.delete_endpoint(&created.id).await.unwrap();
    assert_eq!(client.get_endpoint(&created.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.delete_endpoint(&created.id).await.unwrap_err().kind(), ErrorKind::NotFound, "deleting twice is a 404");
    client.create_endpoint("http://127.0.0.1:9/orders-v2", &Default::default()).await.expect("the URL is free again");
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_input_is_validated_with_the_contract_codes() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server.url);
    let url = "http://127.0.0.1:9/hook";
    let cases = [
        (json!({}), "INVALID_REQUEST", "url"),
        (json!({"url": 42}), "INVALID_REQUEST", "url"),
        (json!({"url": "ftp://127.0.0.1/hook"}), "INVALID_ENDPOINT", "https"),
        (json!({"url": "http://a.b"}), "INVALID_ENDPOINT", "characters"),
        (json!({"url": url, "description": "d".repeat(501)}), "INVALID_REQUEST", "description"),
        (json!({"url": url, "rate_limit_rps": 1001}), "INVALID_REQUEST", "rate_limit_rps"),
        (json!({"url": url, "rate_limit_rps": -1}), "INVALID_REQUEST", "rate_limit_rps"),
        (json!({"url": url, "burst": 10001}), "INVALID_REQUEST", "burst"),
        (json!({"url": url, "headers": {"Host": "evil"}}), "INVALID_HEADERS", "Host"),
        (json!({"url": url, "headers": {"X-A": 1}}), "INVALID_HEADERS", "X-A"),
    ];
    for (body, code, mentions) in cases {
        let message = raw.post("/v1/endpoints", body.clone()).await.expect_error(400, code);
        assert!(message.contains(mentions), "{body}: {message:?} should mention {mentions}");
    }
    let raw_body = raw.call_raw(Method::POST, "/v1/endpoints", "application/json", b"{not json".to_vec()).await;
    raw_body.expect_error(400, "INVALID_REQUEST");
    let client = server.client();
    let ep = client.create_endpoint(url, &Default::default()).await.unwrap();
    let path = format!("/v1/endpoints/{}", ep.id);
    raw.call(Method::PATCH, &path, Some(json!({"headers": {"Authorization": "x"}}))).await.expect_error(400, "INVALID_HEADERS");
    raw.call(Method::PATCH, &path, Some(json!({"url": "ftp://example.com/x"}))).await.expect_error(400, "INVALID_ENDPOINT");
    raw.call(Method::PATCH, &path, Some(json!({"burst": 20000}))).await.expect_error(400, "INVALID_REQUEST");
    raw.call(Method::PATCH, "/v1/endpoints/ep_00000000000000000000000000000000", Some(json!({})))
        .await
        .expect_error(404, "ENDPOINT_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_list_newest_first_with_cursor_pagination() {
    let server = Server::start(&[]);
    let client = server.client();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(client.create_endpoint(&format!("http://127.0.0.1:9/hook-{i}"), &Default::default()).await.unwrap().id);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut page = Page::limit(2);
    loop {
        let list = client.list_endpoints(&page).await.unwrap();
        assert!(list.endpoints.len() <= 2);
        assert!(list.endpoints.iter().all(|e| !e.paused && e.url.starts_with("http://127.0.0.1:9/hook-")));
        seen.extend(list.endpoints.iter().map(|e| e.id.clone()));
        if !list.has_more {
            assert_eq!(list.next_cursor, None);
            break;
        }
        page.cursor = list.next_cursor;
    }
    assert_eq!(seen, ids, "every endpoint once, newest first");
    assert_eq!(client.list_endpoints(&Page::default()).await.unwrap().endpoints.len(), 5);

    let raw = Raw::new(&server.url);
    let all = raw.get("/v1/endpoints?limit=100").await;
    assert_eq!(all.expect_ok(200).as_array().unwrap().len(), 5);
    assert_eq!((all.body["meta"]["has_more"].clone(), all.body["meta"]["next_cursor"].clone()), (json!(false), json!(null)));
    raw.get("/v1/endpoints?limit=0").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/endpoints?limit=101").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/endpoints?limit=abc").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/endpoints?cursor=garbage!").await.expect_error(400, "INVALID_REQUEST");
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_holds_messages_and_resume_requeues_them() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/paused", &Default::default()).await.unwrap();
    let paused = client.pause_endpoint(&ep.id).await.unwrap();
    assert_eq!((paused.id.as_str(), paused.paused), (ep.id.as_str(), true));
    assert!(client.get_endpoint(&ep.id).await.unwrap().paused);
    assert!(client.pause_endpoint(&ep.id).await.unwrap().paused, "pausing twice is harmless");

    let mut ids = Vec::new();
    for n in 0..3 {
        let sent = client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap();
        assert_eq!(sent.status, "queued", "the send answer always says queued");
        ids.push(sent.message_id);
    }
    for id in &ids {
        assert_eq!(client.get_message(id).await.unwrap().status, "paused");
    }
    // Empty body with a JSON content type, as the Python SDK sends it.
    let raw = Raw::new(&server.url);
    let resumed = raw.call_raw(Method::POST, &format!("/v1/endpoints/{}/resume", ep.id), "application/json", Vec::new()).await;
    let data = resumed.expect_ok(200);
    assert_eq!((data["paused"].clone(), data["messages_requeued"].clone()), (json!(false), json!(3)));
    assert!(!client.get_endpoint(&ep.id).await.unwrap().paused);
    let again = client.resume_endpoint(&ep.id).await.unwrap();
    assert_eq!(again.messages_requeued, Some(0));
    for id in &ids {
        assert_ne!(client.get_message(id).await.unwrap().status, "paused");
    }
    assert_eq!(client.pause_endpoint("ep_00000000000000000000000000000000").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_endpoint_fails_its_undelivered_messages() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/gone", &Default::default()).await.unwrap();
    client.pause_endpoint(&ep.id).await.unwrap();
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    client.delete_endpoint(&ep.id).await.unwrap();
    let message = client.get_message(&sent.message_id).await.unwrap();
    assert_eq!(message.status, "failed_permanent");
    assert_eq!(message.last_error.as_deref(), Some("endpoint deleted"));
    let err = client.send(&ep.id, &json!({"n": 2}), &SendOptions::default()).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));
    // A message of a deleted endpoint cannot be replayed.
    let replay = client.replay(&sent.message_id).await.unwrap_err();
    assert_eq!((replay.code(), replay.status()), ("ENDPOINT_DELETED", Some(409)));

    // A message waiting for a retry fails too (the store finds those through another index).
    let refusing = client.create_endpoint("http://127.0.0.1:9/refused", &Default::default()).await.unwrap();
    let retrying = client.send(&refusing.id, &json!({"n": 3}), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &retrying.message_id, "pending_retry", Duration::from_secs(10)).await;
    client.delete_endpoint(&refusing.id).await.unwrap();
    let message = client.get_message(&retrying.message_id).await.unwrap();
    assert_eq!((message.status.as_str(), message.last_error.as_deref()), ("failed_permanent", Some("endpoint deleted")));
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_keys_are_capped_at_two_and_the_last_cannot_go() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/keys", &Default::default()).await.unwrap();
    let keys = client.list_endpoint_signing_keys(&ep.id).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(Some(keys[0].id.clone()), ep.signing_key_id);
    assert_eq!(keys[0].key_hint, ep.signing_secret[ep.signing_secret.len() - 4..]);

    let second = client.create_endpoint_signing_key(&ep.id).await.unwrap();
    assert!(second.id.starts_with("sk_") && second.signing_secret.starts_with("whsec_"));
    assert_eq!(second.key_hint.as_deref(), Some(&second.signing_secret[34..]));
    assert!(second.created_at.is_some());
    let listed = client.list_endpoint_signing_keys(&ep.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
        vec![keys[0].id.clone(), second.id.clone()],
        "oldest first"
    );

    let third = client.rotate_endpoint_secret(&ep.id).await.unwrap_err();
    assert_eq!((third.code(), third.status()), ("MAX_SIGNING_KEYS_REACHED", Some(409)));

    client.delete_endpoint_signing_key(&ep.id, &keys[0].id).await.unwrap();
    let last = client.delete_endpoint_signing_key(&ep.id, &second.id).await.unwrap_err();
    assert_eq!((last.code(), last.status()), ("CANNOT_DELETE_LAST_SIGNING_KEY", Some(409)));
    assert_eq!(client.delete_endpoint_signing_key(&ep.id, &keys[0].id).await.unwrap_err().kind(), ErrorKind::NotFound);

    // The legacy rotate-secret route is an alias of creating a signing key.
    let raw = Raw::new(&server.url);
    let rotated = raw.post(&format!("/v1/endpoints/{}/rotate-secret", ep.id), json!({})).await;
    assert!(rotated.expect_ok(201)["signing_secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(client.list_endpoint_signing_keys(&ep.id).await.unwrap().len(), 2);
}

/// Whether `delivery` carries a hookbridge signature made with `secret`.
fn signed_with(delivery: &Delivery, secret: &str) -> bool {
    let timestamp = delivery.header("x-webhook-timestamp").expect("timestamp header");
    let signature = delivery.header("x-webhook-signature").expect("signature header");
    hookbridge::signing::verify(&delivery.body, &signature, &timestamp, &[secret], Default::default()).is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_delivery_follows_the_endpoint_as_it_is_now() {
    // The server keeps endpoints' delivery targets between sends; a change of the URL, the
    // headers or the signing keys must reach the very next delivery.
    let server = Server::start(&[]);
    let client = server.client();
    let (first, second) = (Receiver::start().await, Receiver::start().await);
    let options = CreateEndpointOptions { headers: Some(headers(&[("x-team", "a")])), ..Default::default() };
    let ep = client.create_endpoint(&first.url, &options).await.unwrap();
    let send = |n: i64| {
        let client = client.clone();
        let id = ep.id.clone();
        async move { client.send(&id, &json!({"n": n}), &SendOptions::default()).await.unwrap() }
    };

    send(1).await;
    let got = first.wait_for(1, WAIT).await;
    assert_eq!(got[0].header("x-team").as_deref(), Some("a"));
    assert!(signed_with(&got[0], &ep.signing_secret));

    let change =
        UpdateEndpointOptions { url: Some(second.url.clone()), headers: Some(headers(&[("x-team", "b")])), ..Default::default() };
    client.update_endpoint(&ep.id, &change).await.unwrap();
    send(2).await;
    let got = second.wait_for(1, WAIT).await;
    assert_eq!(got[0].header("x-team").as_deref(), Some("b"), "the new headers");
    assert_eq!(first.received().len(), 1, "nothing more goes to the old URL");

    let added = client.create_endpoint_signing_key(&ep.id).await.unwrap();
    send(3).await;
    let got = second.wait_for(2, WAIT).await;
    assert!(signed_with(&got[1], &added.signing_secret), "the new key signs at once");
    assert!(signed_with(&got[1], &ep.signing_secret), "the old key still signs");

    client.delete_endpoint_signing_key(&ep.id, ep.signing_key_id.as_deref().unwrap()).await.unwrap();
    send(4).await;
    let got = second.wait_for(3, WAIT).await;
    assert!(signed_with(&got[2], &added.signing_secret));
    assert!(!signed_with(&got[2], &ep.signing_secret), "a deleted key no longer signs");
}
