//! The endpoint setting `signature_scheme`: its default, validation, create/get/update, the
//! form of the secrets each scheme issues, and the headers deliveries carry under each scheme.

use hookbridge::signing::{self, SignatureScheme, VerifyOptions, standard_webhooks};
use hookbridge::{CreateEndpointOptions, SendOptions, UpdateEndpointOptions};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Delivery, Receiver, Server};
use crate::support::{Raw, WAIT};

fn spec_options() -> CreateEndpointOptions {
    CreateEndpointOptions { signature_scheme: Some(SignatureScheme::StandardWebhooks), ..Default::default() }
}

/// A secret in the Standard Webhooks form HookBridge issues: `whsec_` + base64 of 32 bytes.
fn assert_spec_form(secret: &str) {
    let key = standard_webhooks::key_from_secret(secret).unwrap_or_else(|e| panic!("{secret}: {e}"));
    assert!(secret.starts_with("whsec_") && secret.len() == 50 && key.len() == 32, "{secret}");
}

/// A secret in HookBridge's own form: `whsec_` + 32 lowercase letters and digits.
fn assert_hookbridge_form(secret: &str) {
    let rest = secret.strip_prefix("whsec_").expect("whsec_ prefix");
    assert!(rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{secret}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheme_defaults_to_hookbridge_and_is_created_read_and_updated() {
    let server = Server::start(&[]);
    let client = server.client();
    let raw = Raw::new(&server.url);

    // An old client that never sends the field gets the default, and hookbridge-form secrets.
    let old = raw.call(Method::POST, "/v1/endpoints", Some(json!({"url": "http://127.0.0.1:9/old"}))).await;
    let old = old.expect_ok(201).clone();
    assert_hookbridge_form(old["signing_secret"].as_str().unwrap());
    let old_id = old["id"].as_str().unwrap();
    let got = raw.call(Method::GET, &format!("/v1/endpoints/{old_id}"), None).await;
    assert_eq!(got.expect_ok(200)["signature_scheme"], "hookbridge");
    assert_eq!(client.get_endpoint(old_id).await.unwrap().signature_scheme, SignatureScheme::Hookbridge);
    assert_hookbridge_form(&client.create_endpoint_signing_key(old_id).await.unwrap().signing_secret);

    // standard_webhooks: spec-form secrets at create and at rotation.
    let spec = client.create_endpoint("http://127.0.0.1:9/spec", &spec_options()).await.unwrap();
    assert_spec_form(&spec.signing_secret);
    assert_eq!(spec.key_hint.as_deref(), Some(&spec.signing_secret[46..]));
    let got = raw.call(Method::GET, &format!("/v1/endpoints/{}", spec.id), None).await;
    assert_eq!(got.expect_ok(200)["signature_scheme"], "standard_webhooks");
    let rotated = client.rotate_endpoint_secret(&spec.id).await.unwrap();
    assert_spec_form(&rotated.signing_secret);
    assert_ne!(rotated.signing_secret, spec.signing_secret);

    // An update of other fields keeps the scheme; an update of the scheme changes it.
    let description = UpdateEndpointOptions { description: Some("spec".into()), ..Default::default() };
    client.update_endpoint(&spec.id, &description).await.unwrap();
    assert_eq!(client.get_endpoint(&spec.id).await.unwrap().signature_scheme, SignatureScheme::StandardWebhooks);
    let back = UpdateEndpointOptions { signature_scheme: Some(SignatureScheme::Hookbridge), ..Default::default() };
    client.update_endpoint(&spec.id, &back).await.unwrap();
    assert_eq!(client.get_endpoint(&spec.id).await.unwrap().signature_scheme, SignatureScheme::Hookbridge);
    // Keys made after the change take the new scheme's form (two are active: make room first).
    let first_key = spec.signing_key_id.as_deref().unwrap();
    client.delete_endpoint_signing_key(&spec.id, first_key).await.unwrap();
    assert_hookbridge_form(&client.create_endpoint_signing_key(&spec.id).await.unwrap().signing_secret);
    let patch =
        raw.call(Method::PATCH, &format!("/v1/endpoints/{old_id}"), Some(json!({"signature_scheme": "standard_webhooks"}))).await;
    assert_eq!(patch.expect_ok(200), &json!({"id": old_id, "updated": true}));
    assert_eq!(client.get_endpoint(old_id).await.unwrap().signature_scheme, SignatureScheme::StandardWebhooks);
    // `null` changes nothing.
    let patch = raw.call(Method::PATCH, &format!("/v1/endpoints/{old_id}"), Some(json!({"signature_scheme": null}))).await;
    patch.expect_ok(200);
    assert_eq!(client.get_endpoint(old_id).await.unwrap().signature_scheme, SignatureScheme::StandardWebhooks);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_scheme_is_rejected_naming_the_field_and_the_allowed_values() {
    let server = Server::start(&[]);
    let client = server.client();
    let raw = Raw::new(&server.url);
    for bad in [json!("svix"), json!("Standard_Webhooks"), json!(""), json!(5), json!(["hookbridge"])] {
        let answer =
            raw.call(Method::POST, "/v1/endpoints", Some(json!({"url": "http://127.0.0.1:9/x", "signature_scheme": bad}))).await;
        let message = answer.expect_error(400, "INVALID_REQUEST");
        assert!(
            message.contains("signature_scheme") && message.contains("hookbridge") && message.contains("standard_webhooks"),
            "{message}"
        );
    }
    // Nothing was created by the rejected requests.
    assert!(client.list_endpoints(&Default::default()).await.unwrap().endpoints.is_empty());

    let ep = client.create_endpoint("http://127.0.0.1:9/x", &Default::default()).await.unwrap();
    let answer = raw
        .call(
            Method::PATCH,
            &format!("/v1/endpoints/{}", ep.id),
            Some(json!({"description": "changed", "signature_scheme": "v1"})),
        )
        .await;
    let message = answer.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("signature_scheme") && message.contains("\"v1\""), "{message}");
    let unchanged = client.get_endpoint(&ep.id).await.unwrap();
    assert_eq!((unchanged.signature_scheme, unchanged.description), (SignatureScheme::Hookbridge, None));
}

/// The delivery of message `id` among what the receiver got.
fn delivery_of<'a>(got: &'a [Delivery], id: &str) -> &'a Delivery {
    got.iter()
        .find(|d| d.header("webhook-id").or_else(|| d.header("x-webhook-id")).as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no delivery of {id}"))
}

/// Checks a Standard Webhooks delivery of message `id` with `secrets` (each alone, too);
/// returns the number of signature entries.
fn check_spec_delivery(d: &Delivery, id: &str, secrets: &[&str]) -> usize {
    let (msg_id, ts, sig) =
        (d.header("webhook-id").unwrap(), d.header("webhook-timestamp").unwrap(), d.header("webhook-signature").unwrap());
    assert_eq!(msg_id, id);
    for secret in secrets {
        standard_webhooks::verify(&d.body, &msg_id, &ts, &sig, &[secret], VerifyOptions::default())
            .unwrap_or_else(|e| panic!("{secret} verifies {sig}: {e}"));
    }
    let tampered = [d.body.as_ref(), b" "].concat();
    assert!(standard_webhooks::verify(&tampered, &msg_id, &ts, &sig, secrets, VerifyOptions::default()).is_err());
    // Only the spec's headers: none of the HookBridge scheme's.
    assert!(d.header("x-webhook-signature").is_none() && d.header("x-webhook-timestamp").is_none());
    sig.split(' ').count()
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_carry_the_headers_of_their_endpoints_scheme() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let spec = client.create_endpoint(&receiver.url, &spec_options()).await.unwrap();
    let send = |ep: String, n: i64| {
        let client = client.clone();
        async move { client.send(&ep, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id }
    };

    // One key: one v1 entry, verified by the core's Standard Webhooks verifier.
    let first = send(spec.id.clone(), 1).await;
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(check_spec_delivery(delivery_of(&got, &first), &first, &[&spec.signing_secret]), 1);

    // Rotation: two active keys, two entries, each secret verifies alone.
    let second_key = client.create_endpoint_signing_key(&spec.id).await.unwrap();
    let second = send(spec.id.clone(), 2).await;
    let got = receiver.wait_for(2, WAIT).await;
    let d = delivery_of(&got, &second);
    assert_eq!(check_spec_delivery(d, &second, &[&spec.signing_secret, &second_key.signing_secret]), 2);
    // The whsec_ trap, from the other side: the HookBridge verifier (secret used whole) fails.
    let sig = d.header("webhook-signature").unwrap();
    let ts = d.header("webhook-timestamp").unwrap();
    assert!(signing::verify(&d.body, &sig, &ts, &[&spec.signing_secret], VerifyOptions::default()).is_err());

    // Back to hookbridge: the same two keys now sign X-Webhook-Signature, each used whole.
    let back = UpdateEndpointOptions { signature_scheme: Some(SignatureScheme::Hookbridge), ..Default::default() };
    client.update_endpoint(&spec.id, &back).await.unwrap();
    let third = send(spec.id.clone(), 3).await;
    let got = receiver.wait_for(3, WAIT).await;
    let d = delivery_of(&got, &third);
    let (sig, ts) = (d.header("x-webhook-signature").unwrap(), d.header("x-webhook-timestamp").unwrap());
    assert_eq!(sig.split(',').count(), 2);
    for secret in [&spec.signing_secret, &second_key.signing_secret] {
        signing::verify(&d.body, &sig, &ts, &[secret], VerifyOptions::default()).expect("hookbridge scheme verifies");
    }
    assert!(d.header("webhook-signature").is_none() && d.header("webhook-id").is_none());

    // A hookbridge endpoint switched to standard_webhooks keeps its secret: the spec decodes it.
    let receiver2 = Receiver::start().await;
    let old = client.create_endpoint(&receiver2.url, &Default::default()).await.unwrap();
    let fourth = send(old.id.clone(), 4).await;
    let got = receiver2.wait_for(1, WAIT).await;
    let d = delivery_of(&got, &fourth);
    assert!(d.header("webhook-signature").is_none(), "the default scheme sends only X-Webhook-* headers");
    let (sig, ts) = (d.header("x-webhook-signature").unwrap(), d.header("x-webhook-timestamp").unwrap());
    signing::verify(&d.body, &sig, &ts, &[&old.signing_secret], VerifyOptions::default()).expect("regression");
    let switch = UpdateEndpointOptions { signature_scheme: Some(SignatureScheme::StandardWebhooks), ..Default::default() };
    client.update_endpoint(&old.id, &switch).await.unwrap();
    let fifth = send(old.id.clone(), 5).await;
    let got = receiver2.wait_for(2, WAIT).await;
    assert_eq!(check_spec_delivery(delivery_of(&got, &fifth), &fifth, &[&old.signing_secret]), 1);
}
