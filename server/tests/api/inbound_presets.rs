//! Inbound verification presets through the API: the default (`custom`) for old clients, set
//! and read on create and update, the secret never returned, validation errors naming the
//! problem (400 `INVALID_REQUEST`, the server's code for every invalid setting; pull endpoints
//! refuse presets), and ingest with a preset end to end (accepted and forwarded, refused with the
//! preset's reason code in the rejection list, a replayed signature refused).

use hmac::{KeyInit, Mac};
use hookbridge::{InboundEndpointSettings, RejectionsQuery, verification_preset};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Receiver, Server};
use crate::support::{Raw, WAIT};

fn hmac_hex(secret: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

fn preset(name: &str, secret: &str) -> InboundEndpointSettings {
    InboundEndpointSettings { verification_preset: Some(name.into()), hmac_secret: Some(secret.into()), ..Default::default() }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn presets_default_to_custom_are_set_and_read_and_never_show_the_secret() {
    let server = Server::start(&[]);
    let client = server.client();
    let raw = Raw::new(&server.url);

    // An old client sends no preset: the endpoint is `custom`, as every existing one.
    let old = raw.call(Method::POST, "/v1/inbound-endpoints", Some(json!({"url": "http://127.0.0.1:9/h"}))).await;
    let old_id = old.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let got = client.get_inbound_endpoint(&old_id).await.unwrap();
    assert_eq!(got.verification_preset, verification_preset::CUSTOM);

    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let created = client.create_inbound_endpoint("http://127.0.0.1:9/h", &preset("standard_webhooks", secret)).await.unwrap();
    let got = client.get_inbound_endpoint(&created.id).await.unwrap();
    assert_eq!((got.verification_preset.as_str(), got.verify_hmac), ("standard_webhooks", false));
    let shown = raw.call(Method::GET, &format!("/v1/inbound-endpoints/{}", created.id), None).await;
    assert_eq!(shown.expect_ok(200)["verification_preset"], "standard_webhooks");
    assert!(
        !shown.text.contains(secret) && !shown.text.contains("MfKQ9r8G") && !shown.text.contains("hmac_secret"),
        "{}",
        shown.text
    );

    // Update: another preset with its secret, then back to custom; unrelated updates keep it.
    client.update_inbound_endpoint(&created.id, &preset("stripe", "whsec_stripe")).await.unwrap();
    let name_only = InboundEndpointSettings { name: Some("renamed".into()), ..Default::default() };
    client.update_inbound_endpoint(&created.id, &name_only).await.unwrap();
    assert_eq!(client.get_inbound_endpoint(&created.id).await.unwrap().verification_preset, "stripe");
    let custom = InboundEndpointSettings { verification_preset: Some("custom".into()), ..Default::default() };
    client.update_inbound_endpoint(&created.id, &custom).await.unwrap();
    assert_eq!(client.get_inbound_endpoint(&created.id).await.unwrap().verification_preset, "custom");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_preset_settings_are_400_naming_the_problem() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server.url);
    let create = |body: serde_json::Value| raw.call(Method::POST, "/v1/inbound-endpoints", Some(body));

    let unknown = create(json!({"url": "http://127.0.0.1:9/h", "verification_preset": "paypal", "hmac_secret": "s"})).await;
    let message = unknown.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("\"paypal\"") && message.contains("standard_webhooks"), "{message}");

    let no_secret = create(json!({"url": "http://127.0.0.1:9/h", "verification_preset": "github"})).await;
    assert!(no_secret.expect_error(400, "INVALID_REQUEST").contains("requires hmac_secret"));

    let bad_key =
        create(json!({"url": "http://127.0.0.1:9/h", "verification_preset": "standard_webhooks", "hmac_secret": "whsec_***"}))
            .await;
    assert!(bad_key.expect_error(400, "INVALID_REQUEST").contains("base64"));

    let both = create(json!({"url": "http://127.0.0.1:9/h", "verification_preset": "slack", "hmac_secret": "s",
        "verify_hmac": true, "hmac_header_name": "X-Sig"}))
    .await;
    assert!(both.expect_error(400, "INVALID_REQUEST").contains("verify_hmac"));

    // An update to an unknown preset changes nothing.
    let ok = create(json!({"url": "http://127.0.0.1:9/h", "verification_preset": "github", "hmac_secret": "s"})).await;
    let id = ok.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/inbound-endpoints/{id}");
    raw.call(Method::PATCH, &path, Some(json!({"verification_preset": "GitHub"}))).await.expect_error(400, "INVALID_REQUEST");
    assert_eq!(raw.call(Method::GET, &path, None).await.expect_ok(200)["verification_preset"], "github");

    // Pull endpoints share the verification fields but not presets: refused, never dropped silently.
    let pull = raw.call(Method::POST, "/v1/pull-endpoints", Some(json!({"verification_preset": "github", "hmac_secret": "s"})));
    let message = pull.await.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("pull endpoints"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preset_endpoint_accepts_its_providers_signature_and_refuses_with_preset_codes() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let http = reqwest::Client::new();
    let body = br#"{"action":"opened"}"#;

    let github = client.create_inbound_endpoint(&receiver.url, &preset("github", "gh-secret")).await.unwrap();
    let signature = format!("sha256={}", hmac_hex(b"gh-secret", &[body]));
    let accepted = http
        .post(&github.ingest_url)
        .header("x-hub-signature-256", &signature)
        .header("x-github-event", "pull_request")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    let forwarded = receiver.wait_for(1, WAIT).await;
    assert_eq!(forwarded[0].body.as_ref(), body);
    assert_eq!(forwarded[0].header("x-github-event").as_deref(), Some("pull_request"));

    let tampered = http.post(&github.ingest_url).header("x-hub-signature-256", &signature).body("{}").send().await.unwrap();
    assert_eq!(tampered.status().as_u16(), 401);
    let answer: serde_json::Value = tampered.json().await.unwrap();
    assert_eq!(answer["error"]["details"]["reason_code"], "github_signature_mismatch", "{answer}");

    // Stripe: a stale but correctly signed request, then a fresh one replayed.
    let stripe = client.create_inbound_endpoint(&receiver.url, &preset("stripe", "whsec_stripe")).await.unwrap();
    let stripe_header = |ts: i64| format!("t={ts},v1={}", hmac_hex(b"whsec_stripe", &[ts.to_string().as_bytes(), b".", body]));
    let stale = http.post(&stripe.ingest_url).header("stripe-signature", stripe_header(now_secs() - 3600)).body(body.to_vec());
    assert_eq!(stale.send().await.unwrap().status().as_u16(), 401);
    let fresh = stripe_header(now_secs());
    let first = http.post(&stripe.ingest_url).header("stripe-signature", &fresh).body(body.to_vec()).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 202);
    let again = http.post(&stripe.ingest_url).header("stripe-signature", &fresh).body(body.to_vec()).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 409);
    let answer: serde_json::Value = again.json().await.unwrap();
    assert!(answer["error"]["message"].as_str().unwrap().contains("Stripe-Signature"), "{answer}");

    let listed = |id: String| {
        let client = client.clone();
        async move {
            let query = RejectionsQuery { inbound_endpoint_id: Some(id), ..Default::default() };
            client.list_inbound_rejections(&query).await.unwrap().entries
        }
    };
    let github_rejections = listed(github.id.clone()).await;
    assert_eq!(github_rejections.len(), 1, "{github_rejections:?}");
    assert_eq!(github_rejections[0].reason_code, "github_signature_mismatch");
    assert!(github_rejections[0].reason_detail.as_deref().unwrap_or("").contains("X-Hub-Signature-256"));
    let mut stripe_codes: Vec<String> = listed(stripe.id.clone()).await.into_iter().map(|r| r.reason_code).collect();
    stripe_codes.sort();
    assert_eq!(stripe_codes, ["signature_replayed", "stripe_timestamp_out_of_tolerance"]);
    assert_eq!(receiver.wait_for(2, WAIT).await.len(), 2, "the github request and the first stripe one are forwarded");
}
