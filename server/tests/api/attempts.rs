//! Attempt records through the core client: a 500, a 429 with `Retry-After`, a timeout and a
//! success, each with what was sent and received (secrets masked) and only measured timings;
//! the inbound form; unknown ids and other projects' messages give an empty list.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hookbridge::{AttemptRecord, CreateEndpointOptions, InboundEndpointSettings, SendOptions};
use serde_json::json;

use crate::harness::{Receiver, Server, eventually, wait_for_status};
use crate::support::{Raw, WAIT, client_for};

/// A receiver answering, in turn: 500 with a body and headers, 429 with `Retry-After: 2`, a
/// request held past the delivery timeout, then 200 with a body longer than the kept cap.
async fn scripted_receiver() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let answer: Response = match n {
                    0 => (StatusCode::INTERNAL_SERVER_ERROR, [("x-trace", "t1"), ("set-cookie", "session=s3cr3t")], "boom")
                        .into_response(),
                    1 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "2")], "slow down").into_response(),
                    2 => {
                        tokio::time::sleep(Duration::from_secs(4)).await;
                        StatusCode::OK.into_response()
                    }
                    _ => (StatusCode::OK, "a".repeat(5000)).into_response(),
                };
                answer
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), count)
}

fn header<'a>(map: &'a Option<hookbridge::HeaderMap>, name: &str) -> Option<&'a str> {
    map.as_ref().and_then(|m| m.get(name)).map(String::as_str)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_attempt_is_recorded_with_what_was_sent_and_received() {
    let server = Server::start(&["--retry-time-scale", "0.0005", "--delivery-timeout-secs", "1"]);
    let client = server.client();
    let (url, count) = scripted_receiver().await;
    let ep = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.unwrap();
    let id = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap().message_id;
    let done = wait_for_status(&client, &id, "succeeded", WAIT * 2).await;
    assert_eq!((done.attempt_count, count.load(Ordering::SeqCst)), (4, 4));

    let listed = client.get_message_attempts(&id).await.expect("attempts");
    assert!(!listed.has_more);
    let a: Vec<&AttemptRecord> = listed.attempts.iter().collect();
    assert_eq!(a.iter().map(|x| x.attempt_no).collect::<Vec<_>>(), vec![1, 2, 3, 4], "oldest first");
    let mut ids: Vec<&str> = a.iter().map(|x| x.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    for x in &a {
        assert_eq!(uuid::Uuid::parse_str(&x.id).unwrap().get_version_num(), 7);
        // What the client cannot measure is never reported.
        assert_eq!(
            (x.dns_ms, x.tcp_connect_ms, x.tls_handshake_ms, x.conn_reused, x.processing_ms),
            (None, None, None, None, None)
        );
        // The request headers are kept, the signature masked.
        assert_eq!(header(&x.request_headers, "x-webhook-signature"), Some("***"));
        assert_eq!(header(&x.request_headers, "x-webhook-id"), Some(id.as_str()));
        assert_eq!(header(&x.request_headers, "content-type"), Some("application/json"));
    }

    // 500: slow retry, the body and headers kept, secrets masked, timings measured.
    assert_eq!(a[0].response_status, Some(500));
    assert!(a[0].error_text.as_deref().unwrap().starts_with("HTTP 500"), "{:?}", a[0].error_text);
    assert_eq!((a[0].retry_type.as_deref(), a[0].retry_after_seconds), (Some("slow"), None));
    assert_eq!(header(&a[0].response_headers, "x-trace"), Some("t1"));
    assert_eq!(header(&a[0].response_headers, "set-cookie"), Some("***"));
    assert_eq!((a[0].response_body.as_deref(), a[0].response_body_truncated), (Some("boom"), Some(false)));
    assert_eq!(a[0].resolved_ip.as_deref(), Some("127.0.0.1"));
    let (ttfb, transfer, latency) = (a[0].ttfb_ms.unwrap(), a[0].transfer_ms.unwrap(), a[0].response_latency_ms.unwrap());
    assert!(ttfb >= 0 && transfer >= 0 && ttfb + transfer == latency, "{ttfb} + {transfer} != {latency}");

    // 429: the fast track, with the Retry-After it honoured.
    assert_eq!(a[1].response_status, Some(429));
    assert_eq!((a[1].retry_type.as_deref(), a[1].retry_after_seconds), (Some("fast"), Some(2)));

    // Timeout: no answer, so no status, headers, address or timing of an answer.
    assert_eq!(a[2].response_status, None);
    assert!(a[2].error_text.as_deref().unwrap().contains("timeout"), "{:?}", a[2].error_text);
    assert_eq!(a[2].retry_type.as_deref(), Some("slow"));
    assert_eq!((a[2].response_headers.as_ref(), a[2].ttfb_ms, a[2].transfer_ms), (None, None, None));
    assert_eq!((a[2].response_body.as_ref(), a[2].response_body_truncated), (None, None));

    // Success: no retry; a long body is cut at 4096 bytes and says so.
    assert_eq!((a[3].response_status, a[3].error_text.as_ref(), a[3].retry_type.as_ref()), (Some(200), None, None));
    assert_eq!(a[3].response_body.as_ref().map(String::len), Some(4096));
    assert_eq!(a[3].response_body_truncated, Some(true));

    // Unknown ids and other projects' messages: an empty list, not an error.
    let unknown = client.get_message_attempts("01900000-0000-7000-8000-000000000000").await.unwrap();
    assert!(unknown.attempts.is_empty() && !unknown.has_more);
    assert!(client.get_inbound_message_attempts(&id).await.unwrap().attempts.is_empty(), "an outbound id is not inbound");
    let project_b = client.create_project("project b", None).await.unwrap();
    let key_b = Raw::new(&server.url).post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let b = client_for(&server.url, key_b.expect_ok(201)["key"].as_str().unwrap());
    assert!(b.get_message_attempts(&id).await.unwrap().attempts.is_empty(), "project B sees none of A's attempts");
    let raw = Raw::new(&server.url).call(reqwest::Method::GET, &format!("/v1/messages/{id}/attempts"), None).await;
    assert_eq!(raw.expect_ok(200).as_array().map(Vec::len), Some(4));
    assert_eq!(raw.body["meta"]["has_more"], json!(false));
}

#[tokio::test(flavor = "multi_thread")]
async fn inbound_forwards_are_listed_as_attempts() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let inbound = client.create_inbound_endpoint(&receiver.url, &InboundEndpointSettings::default()).await.unwrap();
    let answer = reqwest::Client::new()
        .post(&inbound.ingest_url)
        .header("authorization", "Bearer sender-secret")
        .json(&json!({"n": 1}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = answer.json().await.unwrap();
    let id = body["data"]["message_id"].as_str().unwrap().to_owned();
    let listed = eventually("the forward to be recorded", WAIT, || async {
        let listed = client.get_inbound_message_attempts(&id).await.unwrap();
        (!listed.attempts.is_empty()).then_some(listed)
    })
    .await;
    let first = &listed.attempts[0];
    assert_eq!((first.attempt_no, first.response_status, first.retry_type.as_ref()), (1, Some(200), None));
    assert_eq!(first.resolved_ip.as_deref(), Some("127.0.0.1"));
    assert!(first.request_headers.as_ref().is_some_and(|h| h.values().all(|v| !v.contains("sender-secret"))));
    assert!(client.get_message_attempts(&id).await.unwrap().attempts.is_empty(), "an inbound id is not outbound");
}
