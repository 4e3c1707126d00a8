//! Inbound webhooks end to end: a real sender posts to the ingest URL, the server stores and
//! forwards to a real receiving app. Covers forwarding with original headers and HookBridge
//! signatures, dedupe, retries after a failure, pause/resume, replay, deleted endpoints, and
//! what logs and metrics report.

mod inbound_support;

use std::time::Duration;

use axum::http::Method;
use hookbridge::signing::{self, VerifyOptions};
use hookbridge::{CreateInboundEndpointResponse, ErrorKind, InboundEndpointSettings, InboundLogsQuery, RejectionsQuery};
use inbound_support::{Receiver, Server, counter, data, eventually, sender};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

async fn create(client: &hookbridge::Client, url: &str, settings: InboundEndpointSettings) -> CreateInboundEndpointResponse {
    client.create_inbound_endpoint(url, &settings).await.expect("create inbound endpoint")
}

/// Posts `body` to the ingest URL with `headers`; returns status and JSON body.
async fn post(ingest_url: &str, headers: &[(&str, &str)], body: &'static str) -> (u16, serde_json::Value) {
    let mut request = sender().post(ingest_url).body(body);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.expect("ingest request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_request_is_forwarded_with_original_headers_and_a_verifiable_signature() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    // Created over raw HTTP: the 1.4 response type has no field for the signing secret.
    let (status, body) = server
        .api(
            Method::POST,
            "/v1/inbound-endpoints",
            Some(json!({
                "url": receiver.hook_url(), "name": "github", "signing_enabled": true,
                "verify_static_token": true, "token_header_name": "X-Hook-Token", "token_value": "tok-123",
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let created: CreateInboundEndpointResponse = serde_json::from_value(data(&body).clone()).expect("contract shape");
    let secret = data(&body)["signing_secret"].as_str().expect("signing_secret on create").to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(data(&body)["key_hint"].as_str().unwrap(), &secret[secret.len() - 4..]);
    assert_eq!(created.ingest_url, format!("{}/v1/webhooks/receive/{}/{}", server.url, created.id, created.secret_token));

    let payload = r#"{"action":"opened","number":7}"#;
    let (status, answer) = post(
        &created.ingest_url,
        &[
            ("Content-Type", "application/vnd.github+json"),
            ("X-GitHub-Event", "pull_request"),
            ("X-Hook-Token", "tok-123"),
            ("Authorization", "Bearer provider-credential"),
        ],
        payload,
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    let message_id = data(&answer)["message_id"].as_str().unwrap().to_owned();
    assert!(answer["meta"]["request_id"].as_str().is_some_and(|r| r.starts_with("req_")));

    let got = receiver.wait_for(1, WAIT).await;
    let forwarded = &got[0];
    assert_eq!(forwarded.method, Method::POST);
    assert_eq!(forwarded.uri.path(), "/hooks/inbound");
    assert_eq!(&forwarded.body[..], payload.as_bytes(), "the exact bytes are forwarded");
    assert_eq!(forwarded.header("content-type"), Some("application/vnd.github+json"));
    assert_eq!(forwarded.header("x-github-event"), Some("pull_request"));
    assert_eq!(forwarded.header("authorization"), None, "credentials are not forwarded");
    assert_eq!(forwarded.header("x-hook-token"), None, "the static token is not forwarded");
    assert_eq!(forwarded.header("x-webhook-id"), Some(message_id.as_str()));
    let signature = forwarded.header("x-webhook-signature").expect("signed");
    let ts = forwarded.header("x-webhook-timestamp").expect("timestamp");
    signing::verify(&forwarded.body, signature, ts, &[&secret], VerifyOptions::default()).expect("signature verifies");
    assert!(signing::verify(&forwarded.body, signature, ts, &["whsec_wrong"], VerifyOptions::default()).is_err());

    let client = server.client();
    let logs = eventually("the message to be succeeded", WAIT, || async {
        let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
        (logs.entries.first().map(|e| e.status.as_str()) == Some("succeeded")).then_some(logs)
    })
    .await;
    let entry = &logs.entries[0];
    assert_eq!((entry.message_id.as_str(), entry.inbound_endpoint_id.as_str()), (message_id.as_str(), created.id.as_str()));
    assert_eq!(entry.endpoint, receiver.hook_url());
    assert_eq!((entry.attempt_count, entry.response_status), (1, Some(200)));
    assert!(entry.total_delivery_ms.is_some() && entry.delivered_at.is_some());
    assert!(!logs.has_more);

    let (status, message) = server.api(Method::GET, &format!("/v1/inbound-messages/{message_id}"), None).await;
    assert_eq!(status, 200);
    let message = data(&message);
    assert_eq!(message["inbound_endpoint_id"], created.id.as_str());
    assert_eq!(message["content_type"], "application/vnd.github+json");
    assert_eq!(message["size_bytes"], payload.len());
    assert_eq!(message["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_by_idempotency_headers_get_the_original_id_and_are_not_forwarded_again() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let settings = InboundEndpointSettings {
        idempotency_header_names: Some(vec!["X-Delivery-Id".into(), "X-Shop".into()]),
        ingest_response_code: Some(200),
        ..Default::default()
    };
    let endpoint = create(&client, &receiver.hook_url(), settings).await;

    let headers = [("X-Delivery-Id", "d-1"), ("X-Shop", "s-9")];
    let (s1, first) = post(&endpoint.ingest_url, &headers, r#"{"n":1}"#).await;
    let (s2, second) = post(&endpoint.ingest_url, &headers, r#"{"n":1}"#).await;
    assert_eq!((s1, s2), (200, 200), "ingest_response_code is used for both answers");
    assert_eq!(data(&first)["message_id"], data(&second)["message_id"]);
    let (_, other) = post(&endpoint.ingest_url, &[("X-Delivery-Id", "d-2"), ("X-Shop", "s-9")], r#"{"n":2}"#).await;
    assert_ne!(data(&other)["message_id"], data(&first)["message_id"]);

    receiver.wait_for(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let bodies: Vec<_> = receiver.requests().iter().map(|r| r.body.clone()).collect();
    assert_eq!(bodies.len(), 2, "the duplicate was not forwarded");
    let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
    assert_eq!(logs.entries.len(), 2, "the duplicate was not stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_failure_is_retried_until_it_succeeds_and_metrics_reflect_it() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    receiver.answer_next(&[500]);
    let client = server.client();
    let endpoint = create(&client, &receiver.hook_url(), InboundEndpointSettings::default()).await;

    let (status, answer) = post(&endpoint.ingest_url, &[("Content-Type", "text/plain")], "hello").await;
    assert_eq!(status, 202);
    let id = data(&answer)["message_id"].as_str().unwrap().to_owned();

    let pending = eventually("the message to wait for a retry", WAIT, || async {
        let logs = client
            .get_inbound_logs(&InboundLogsQuery { status: Some("pending_retry".into()), ..Default::default() })
            .await
            .unwrap();
        logs.entries.into_iter().next()
    })
    .await;
    assert_eq!((pending.message_id.as_str(), pending.response_status), (id.as_str(), Some(500)));
    assert!(pending.last_error.is_some());

    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[1].header("content-type"), Some("text/plain"));
    let delivered = eventually("the retry to succeed", WAIT, || async {
        let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
        logs.entries.into_iter().find(|e| e.status == "succeeded")
    })
    .await;
    assert_eq!((delivered.attempt_count, delivered.response_status), (2, Some(200)));
    assert!(delivered.total_delivery_ms.unwrap() >= 1000, "received -> delivered spans the retry delay");

    let metrics = client.get_inbound_metrics("24h", None).await.unwrap();
    assert_eq!((metrics.total_messages, metrics.succeeded, metrics.failed, metrics.retries), (1, 1, 0, 1));
    assert_eq!(metrics.success_rate, 1.0);
    assert!(metrics.avg_delivery_time_ms >= 1000);
    let for_endpoint = client.get_inbound_metrics("1h", Some(&endpoint.id)).await.unwrap();
    assert_eq!((for_endpoint.window.as_str(), for_endpoint.total_messages), ("1h", 1));
    let other = client.get_inbound_metrics("24h", Some("0190b6a4-0000-7000-8000-000000000000")).await.unwrap();
    assert_eq!(other.total_messages, 0);
    let series = client.get_inbound_timeseries_metrics("1h", None).await.unwrap();
    assert_eq!(series.buckets.len(), 12);
    assert_eq!(series.buckets.iter().map(|b| b.total).sum::<i64>(), 1);
    assert_eq!(series.buckets.iter().map(|b| b.succeeded).sum::<i64>(), 1);
    let outbound = client.get_metrics("24h").await.unwrap();
    assert_eq!(outbound.total_messages, 0, "inbound traffic is not counted as outbound");
    assert!(counter(&server.prometheus().await, "hookbridge_messages_accepted_total") >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_endpoint_answers_503_without_a_rejection_and_accepts_after_resume() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = create(&client, &receiver.hook_url(), InboundEndpointSettings::default()).await;

    let paused = client.pause_inbound_endpoint(&endpoint.id).await.unwrap();
    assert!(paused.paused);
    assert!(client.get_inbound_endpoint(&endpoint.id).await.unwrap().paused);
    let response = sender().post(&endpoint.ingest_url).body("{}").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers().get("retry-after").unwrap(), "60");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ENDPOINT_PAUSED");
    let rejections = client.list_inbound_rejections(&RejectionsQuery::default()).await.unwrap();
    assert!(rejections.entries.is_empty(), "a paused refusal is not a rejection");

    let resumed = client.resume_inbound_endpoint(&endpoint.id).await.unwrap();
    assert!(!resumed.paused);
    let (status, _) = post(&endpoint.ingest_url, &[], r#"{"after":"resume"}"#).await;
    assert_eq!(status, 202);
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(&got[0].body[..], br#"{"after":"resume"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_one_batch_and_all_forward_again_and_the_limit_is_ten() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = create(&client, &receiver.hook_url(), InboundEndpointSettings::default()).await;

    let (_, answer) = post(&endpoint.ingest_url, &[("Content-Type", "application/json")], r#"{"replay":true}"#).await;
    let id = data(&answer)["message_id"].as_str().unwrap().to_owned();
    receiver.wait_for(1, WAIT).await;
    let succeeded = || async {
        let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
        logs.entries.iter().all(|e| e.status == "succeeded").then_some(())
    };
    eventually("delivery", WAIT, succeeded).await;

    let replayed = client.replay_inbound_message(&id).await.unwrap();
    assert_eq!((replayed.message_id.as_str(), replayed.status.as_str()), (id.as_str(), "queued"));
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[1].body, got[0].body);
    assert_eq!(got[1].header("x-webhook-signature"), None, "signing is off for this endpoint");
    assert_eq!(got[1].header("x-webhook-id"), None, "HookBridge headers come only with signing");

    let missing = client.replay_inbound_message("0190b6a4-0000-7000-8000-000000000000").await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    eventually("delivery", WAIT, succeeded).await;
    let batch = client.replay_batch_inbound_messages(&[id.clone(), "not-a-message".into()]).await.unwrap();
    assert_eq!((batch.replayed, batch.failed, batch.stuck), (1, 1, 0));
    assert_eq!(batch.results[1].status, "failed");
    assert!(batch.results[1].error.as_deref().is_some_and(|e| e.contains("not found")));
    receiver.wait_for(3, WAIT).await;

    // A message the receiver refuses permanently, then replay-all of failed_permanent.
    receiver.answer_next(&[400]);
    let (_, answer) = post(&endpoint.ingest_url, &[], r#"{"doomed":1}"#).await;
    let doomed = data(&answer)["message_id"].as_str().unwrap().to_owned();
    receiver.wait_for(4, WAIT).await;
    eventually("the refused message to fail", WAIT, || async {
        let q = InboundLogsQuery { status: Some("failed_permanent".into()), ..Default::default() };
        let logs = client.get_inbound_logs(&q).await.unwrap();
        (logs.entries.len() == 1).then_some(())
    })
    .await;
    let all = client.replay_all_inbound_messages("failed_permanent", Some(&endpoint.id), None).await.unwrap();
    assert_eq!((all.replayed, all.failed, all.stuck), (1, 0, 0));
    assert_eq!(all.replayed_message_ids, vec![doomed.clone()]);
    let got = receiver.wait_for(5, WAIT).await;
    assert_eq!(&got[4].body[..], br#"{"doomed":1}"#);
    let bad_status = client.replay_all_inbound_messages("succeeded", None, None).await.unwrap_err();
    assert_eq!(bad_status.status(), Some(400));

    // `id` was replayed twice; eight more reach the cap of ten, the next one is refused.
    for n in 3..=10 {
        eventually("delivery", WAIT, succeeded).await;
        client.replay_inbound_message(&id).await.unwrap_or_else(|e| panic!("replay {n}: {e}"));
        receiver.wait_for(3 + n, WAIT).await;
    }
    eventually("delivery", WAIT, succeeded).await;
    let limit = client.replay_inbound_message(&id).await.unwrap_err();
    assert_eq!(limit.kind(), ErrorKind::ReplayLimit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_endpoint_refuses_new_requests_but_forwards_what_it_accepted() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    receiver.answer_next(&[503]);
    let client = server.client();
    let endpoint = create(&client, &receiver.hook_url(), InboundEndpointSettings::default()).await;

    let (status, _) = post(&endpoint.ingest_url, &[], r#"{"before":"delete"}"#).await;
    assert_eq!(status, 202);
    receiver.wait_for(1, WAIT).await;
    let deleted = client.delete_inbound_endpoint(&endpoint.id).await.unwrap();
    assert!(deleted.deleted);

    let (status, refused) = post(&endpoint.ingest_url, &[], r#"{"after":"delete"}"#).await;
    assert_eq!(status, 410);
    assert_eq!(refused["error"]["code"], "ENDPOINT_DELETED");
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(&got[1].body[..], br#"{"before":"delete"}"#, "the accepted message is retried after the delete");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.requests().len(), 2);
}
