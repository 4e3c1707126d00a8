//! Inbound endpoint management through the core client: create (with and without signing),
//! list with cursor pagination, get, partial update, delete, pause/resume, the inbound signing
//! key routes, and validation errors.

mod inbound_support;

use axum::http::Method;
use hookbridge::{ErrorKind, InboundEndpointSettings, Page, SigningKey};
use inbound_support::{Receiver, Server, data, sender};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_list_update_delete() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();

    let created = client.create_inbound_endpoint(&receiver.hook_url(), &InboundEndpointSettings::default()).await.unwrap();
    assert_eq!(created.name, "", "name defaults to an empty string");
    assert_eq!(created.url, receiver.hook_url());
    assert!(uuid::Uuid::parse_str(&created.id).is_ok_and(|u| u.get_version_num() == 7));
    assert!(created.secret_token.len() >= 32);
    assert_eq!(created.ingest_url, format!("{}/v1/webhooks/receive/{}/{}", server.url, created.id, created.secret_token));

    let got = client.get_inbound_endpoint(&created.id).await.unwrap();
    assert!(got.active && !got.paused && !got.verify_hmac && !got.verify_static_token && !got.verify_ip_allowlist);
    assert!(!got.signing_enabled);
    assert_eq!((got.ingest_response_code, got.idempotency_header_names.len()), (202, 0));

    // Partial update: only the given fields change, unknown keys are ignored.
    let fields = json!({
        "name": "stripe", "description": "payments", "ingest_response_code": 200,
        "idempotency_header_names": ["Stripe-Event-Id"], "verify_hmac": true, "hmac_header_name": "Stripe-Signature",
        "hmac_secret": "whsec_provider", "timestamp_header_name": "Stripe-Signature", "no_such_field": 1,
    });
    let updated = client.update_inbound_endpoint_fields(&created.id, fields.as_object().unwrap()).await.unwrap();
    assert!(updated.updated);
    assert_eq!(updated.id, created.id);
    let got = client.get_inbound_endpoint(&created.id).await.unwrap();
    assert_eq!((got.name.as_str(), got.description.as_deref()), ("stripe", Some("payments")));
    assert_eq!((got.ingest_response_code, got.verify_hmac), (200, true));
    assert_eq!(got.idempotency_header_names, vec!["Stripe-Event-Id".to_owned()]);
    assert_eq!(got.url, receiver.hook_url(), "url kept");
    assert!(got.updated_at.unix_millis() >= got.created_at.unix_millis());
    let (_, raw) = server.api(Method::GET, &format!("/v1/inbound-endpoints/{}", created.id), None).await;
    let text = raw.to_string();
    for secret in ["hmac_secret", "whsec_provider", "secret_token", "token_value", "Stripe-Signature\""] {
        assert!(!text.contains(secret), "{secret} must not be returned: {text}");
    }

    // The new HMAC requirement is enforced at once.
    let response = sender().post(&created.ingest_url).body("{}").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // An update that leaves a check incomplete is refused and changes nothing.
    let bad = client
        .update_inbound_endpoint_fields(&created.id, json!({"verify_static_token": true}).as_object().unwrap())
        .await
        .unwrap_err();
    assert_eq!((bad.status(), bad.code()), (Some(400), "INVALID_REQUEST"));
    assert!(bad.message().contains("token_value"), "{}", bad.message());
    let empty = client.update_inbound_endpoint_fields(&created.id, &serde_json::Map::new()).await.unwrap();
    assert!(empty.updated, "an empty PATCH is a no-op that reports updated");

    // Cursor pagination over five endpoints, newest first.
    let mut ids = vec![created.id.clone()];
    for i in 0..4 {
        let settings = InboundEndpointSettings { name: Some(format!("e{i}")), ..Default::default() };
        ids.push(client.create_inbound_endpoint(&receiver.hook_url(), &settings).await.unwrap().id);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut page = Page { limit: Some(2), cursor: None };
    loop {
        let list = client.list_inbound_endpoints(&page).await.unwrap();
        assert!(list.endpoints.iter().all(|e| e.active && e.url == receiver.hook_url()));
        seen.extend(list.endpoints.iter().map(|e| e.id.clone()));
        if !list.has_more {
            assert_eq!(list.next_cursor, None);
            break;
        }
        page.cursor = list.next_cursor;
    }
    assert_eq!(seen, ids);
    let (status, _) = server.api(Method::GET, "/v1/inbound-endpoints?limit=0", None).await;
    assert_eq!(status, 400);

    let deleted = client.delete_inbound_endpoint(&created.id).await.unwrap();
    assert_eq!((deleted.deleted, deleted.id.as_deref()), (true, Some(created.id.as_str())));
    assert_eq!(client.get_inbound_endpoint(&created.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.delete_inbound_endpoint(&created.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.pause_inbound_endpoint(&created.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    let list = client.list_inbound_endpoints(&Page::default()).await.unwrap();
    assert_eq!(list.endpoints.len(), 4);
    assert!(list.endpoints.iter().all(|e| e.id != created.id));
    assert_eq!(client.get_inbound_endpoint("not-a-uuid").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_keys_are_created_with_signing_and_rotate_like_outbound() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.hook_url(), &InboundEndpointSettings::default()).await.unwrap();
    let keys_path = format!("/v1/inbound-endpoints/{}/signing-keys", endpoint.id);
    let list_keys = || async {
        let (status, body) = server.api(Method::GET, &keys_path, None).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value::<Vec<SigningKey>>(data(&body).clone()).unwrap()
    };
    assert!(list_keys().await.is_empty());

    // Turning signing on creates the first key and shows its secret once.
    let (status, body) = server
        .api(Method::PATCH, &format!("/v1/inbound-endpoints/{}", endpoint.id), Some(json!({"signing_enabled": true})))
        .await;
    assert_eq!(status, 200);
    let first_secret = data(&body)["signing_secret"].as_str().expect("secret of the new key").to_owned();
    let keys = list_keys().await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key_hint, first_secret[first_secret.len() - 4..]);
    assert!(client.get_inbound_endpoint(&endpoint.id).await.unwrap().signing_enabled);
    let (_, again) = server
        .api(Method::PATCH, &format!("/v1/inbound-endpoints/{}", endpoint.id), Some(json!({"signing_enabled": true})))
        .await;
    assert!(data(&again).get("signing_secret").is_none(), "no second key when one exists");

    let (status, body) = server.api(Method::POST, &keys_path, None).await;
    assert_eq!(status, 201);
    let second: hookbridge::RotateSecretResponse = serde_json::from_value(data(&body).clone()).unwrap();
    assert!(second.signing_secret.starts_with("whsec_") && second.id.starts_with("sk_"));
    let (status, body) = server.api(Method::POST, &keys_path, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("MAX_SIGNING_KEYS_REACHED")));

    // Both keys sign forwarded requests (oldest first) during the rotation.
    let response = sender().post(&endpoint.ingest_url).body("rotating").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let forwarded = receiver.wait_for(1, std::time::Duration::from_secs(20)).await;
    let signature = forwarded[0].header("x-webhook-signature").unwrap();
    assert_eq!(signature.split(',').count(), 2);
    let ts = forwarded[0].header("x-webhook-timestamp").unwrap();
    for secret in [&first_secret, &second.signing_secret] {
        hookbridge::signing::verify(b"rotating", signature, ts, &[secret.as_str()], Default::default())
            .expect("each key verifies");
    }

    let first_id = list_keys().await[0].id.clone();
    let (status, _) = server.api(Method::DELETE, &format!("{keys_path}/{first_id}"), None).await;
    assert_eq!(status, 200);
    let keys = list_keys().await;
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [second.id.as_str()]);
    let (status, body) = server.api(Method::DELETE, &format!("{keys_path}/{}", second.id), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("CANNOT_DELETE_LAST_SIGNING_KEY")));
    let (status, _) = server.api(Method::DELETE, &format!("{keys_path}/sk_unknown"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_settings_are_refused_with_the_field_named() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let cases: Vec<(serde_json::Value, &str, &str)> = vec![
        (json!({}), "INVALID_REQUEST", "url is required"),
        (json!({"url": "ftp://example.com/hook"}), "INVALID_ENDPOINT", "https"),
        (json!({"url": receiver.hook_url(), "ingest_response_code": 500}), "INVALID_REQUEST", "ingest_response_code"),
        (json!({"url": receiver.hook_url(), "verify_hmac": true}), "INVALID_REQUEST", "hmac_secret"),
        (json!({"url": receiver.hook_url(), "allowed_cidrs": ["10.0.0.0/33"]}), "INVALID_REQUEST", "allowed_cidrs"),
        (json!({"url": receiver.hook_url(), "verify_ip_allowlist": true}), "INVALID_REQUEST", "allowed_cidrs"),
        (json!({"url": receiver.hook_url(), "timestamp_ttl_seconds": 0}), "INVALID_REQUEST", "timestamp_ttl_seconds"),
        (json!({"url": receiver.hook_url(), "name": "n".repeat(256)}), "INVALID_REQUEST", "name"),
        (json!({"url": receiver.hook_url(), "verify_hmac": "yes"}), "INVALID_REQUEST", "verify_hmac"),
    ];
    for (body, code, needle) in cases {
        let (status, answer) = server.api(Method::POST, "/v1/inbound-endpoints", Some(body.clone())).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{body}: {message}");
    }
    assert!(client.list_inbound_endpoints(&Page::default()).await.unwrap().endpoints.is_empty(), "nothing was created");
    let unauthenticated = sender().get(format!("{}/v1/inbound-endpoints", server.url)).send().await.unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
}
