//! Every ingest rejection reason provoked by a real sender, then read back through
//! `list_inbound_rejections` (filters, pagination, masked headers, source address), plus the
//! `X-Forwarded-For` trust flag.

mod inbound_support;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::Method;
use hookbridge::{InboundEndpointSettings, InboundLogsQuery, InboundRejection, RejectionsQuery};
use inbound_support::{Receiver, Server, counter, hmac_hex, now_secs, sender};

const HMAC_SECRET: &str = "provider-shared-secret";

/// An endpoint with every check on: static token, HMAC with timestamp (TTL 60 s), loopback allow-list.
fn guarded() -> InboundEndpointSettings {
    InboundEndpointSettings {
        verify_static_token: Some(true),
        token_header_name: Some("X-Token".into()),
        token_value: Some("static-secret".into()),
        verify_hmac: Some(true),
        hmac_header_name: Some("X-Signature".into()),
        hmac_secret: Some(HMAC_SECRET.into()),
        timestamp_header_name: Some("X-Timestamp".into()),
        timestamp_ttl_seconds: Some(60),
        verify_ip_allowlist: Some(true),
        allowed_cidrs: Some(vec!["127.0.0.0/8".into(), "::1/128".into()]),
        ..Default::default()
    }
}

/// Headers of a request that passes every check of [`guarded`] at time `ts`.
fn good_headers(body: &[u8], ts: i64) -> Vec<(String, String)> {
    let mut signed = format!("{ts}.").into_bytes();
    signed.extend_from_slice(body);
    vec![
        ("X-Token".into(), "static-secret".into()),
        ("X-Timestamp".into(), ts.to_string()),
        ("X-Signature".into(), format!("sha256={}", hmac_hex(HMAC_SECRET, &signed))),
    ]
}

async fn send(method: Method, url: &str, headers: &[(String, String)], body: Vec<u8>) -> (u16, serde_json::Value) {
    let mut request = sender().request(method, url).body(body);
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let response = request.send().await.expect("ingest request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

fn with(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(name)).cloned().collect();
    out.push((name.into(), value.into()));
    out
}

fn without(headers: &[(String, String)], name: &str) -> Vec<(String, String)> {
    headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(name)).cloned().collect()
}

/// One provoked rejection: reason, status, error code, URL, headers, body, method.
type Case = (&'static str, u16, &'static str, String, Vec<(String, String)>, Vec<u8>, Method);

async fn all_rejections(client: &hookbridge::Client, query: RejectionsQuery) -> Vec<InboundRejection> {
    client.list_inbound_rejections(&query).await.expect("list rejections").entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reason_is_refused_recorded_and_listed() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.hook_url(), &guarded()).await.unwrap();
    let body = br#"{"event":"ping"}"#.to_vec();
    let good = good_headers(&body, now_secs());

    let (status, accepted) = send(Method::POST, &endpoint.ingest_url, &good, body.clone()).await;
    assert_eq!(status, 202, "a request passing every check is accepted: {accepted}");
    receiver.wait_for(1, Duration::from_secs(20)).await;

    let base = format!("{}/v1/webhooks/receive", server.url);
    let unknown_id = "0190b6a4-0000-7000-8000-000000000000";
    let wrong_token_url = format!("{base}/{}/not-the-token", endpoint.id);
    let stale = good_headers(&body, now_secs() - 3600);
    let future = good_headers(&body, now_secs() + 3600);
    let mut expected: Vec<Case> = vec![
        (
            "endpoint_not_found",
            404,
            "ENDPOINT_NOT_FOUND",
            format!("{base}/{unknown_id}/whatever"),
            good.clone(),
            body.clone(),
            Method::POST,
        ),
        ("invalid_secret", 401, "INVALID_SECRET", wrong_token_url, good.clone(), body.clone(), Method::POST),
        ("invalid_method", 405, "METHOD_NOT_ALLOWED", endpoint.ingest_url.clone(), good.clone(), Vec::new(), Method::GET),
        (
            "payload_too_large",
            413,
            "PAYLOAD_TOO_LARGE",
            endpoint.ingest_url.clone(),
            good.clone(),
            vec![b'x'; 1024 * 1024 + 1],
            Method::POST,
        ),
        (
            "static_token_failed",
            401,
            "STATIC_TOKEN_FAILED",
            endpoint.ingest_url.clone(),
            without(&good, "X-Token"),
            body.clone(),
            Method::POST,
        ),
        (
            "static_token_failed",
            401,
            "STATIC_TOKEN_FAILED",
            endpoint.ingest_url.clone(),
            with(&good, "X-Token", "guess"),
            body.clone(),
            Method::POST,
        ),
        (
            "hmac_failed",
            401,
            "HMAC_FAILED",
            endpoint.ingest_url.clone(),
            with(&good, "X-Signature", &"0".repeat(64)),
            body.clone(),
            Method::POST,
        ),
        (
            "hmac_failed",
            401,
            "HMAC_FAILED",
            endpoint.ingest_url.clone(),
            good.clone(),
            br#"{"event":"tampered"}"#.to_vec(),
            Method::POST,
        ),
        ("hmac_failed", 401, "HMAC_FAILED", endpoint.ingest_url.clone(), stale, body.clone(), Method::POST),
        ("hmac_failed", 401, "HMAC_FAILED", endpoint.ingest_url.clone(), future, body.clone(), Method::POST),
    ];
    // A deleted endpoint, and one whose allow-list excludes loopback.
    let gone = client.create_inbound_endpoint(&receiver.hook_url(), &InboundEndpointSettings::default()).await.unwrap();
    client.delete_inbound_endpoint(&gone.id).await.unwrap();
    expected.push(("endpoint_deleted", 410, "ENDPOINT_DELETED", gone.ingest_url.clone(), Vec::new(), body.clone(), Method::POST));
    let fenced_settings = InboundEndpointSettings {
        verify_ip_allowlist: Some(true),
        allowed_cidrs: Some(vec!["10.0.0.0/8".into(), "2001:db8::/32".into()]),
        ..Default::default()
    };
    let fenced = client.create_inbound_endpoint(&receiver.hook_url(), &fenced_settings).await.unwrap();
    expected.push(("ip_not_allowed", 403, "IP_NOT_ALLOWED", fenced.ingest_url.clone(), Vec::new(), body.clone(), Method::POST));

    for (reason, status, code, url, headers, body, method) in &expected {
        let (got, answer) = send(method.clone(), url, headers, body.clone()).await;
        assert_eq!(got, *status, "{reason}: {answer}");
        assert_eq!(answer["error"]["code"], *code, "{reason}");
        assert_eq!(answer["error"]["details"]["reason_code"], *reason);
        assert!(answer["meta"]["request_id"].is_string());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.requests().len(), 1, "no refused request was forwarded");
    let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
    assert_eq!(logs.entries.len(), 1, "no refused request was stored as a message");

    // Newest first, the server-wide endpoint_not_found included when no endpoint filter is given.
    let listed = all_rejections(&client, RejectionsQuery { limit: Some(500), ..Default::default() }).await;
    let codes: Vec<&str> = listed.iter().rev().map(|r| r.reason_code.as_str()).collect();
    let sent: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(codes, sent);
    let not_found = listed.iter().find(|r| r.reason_code == "endpoint_not_found").unwrap();
    assert_eq!(not_found.inbound_endpoint_id, None);

    let mine =
        all_rejections(&client, RejectionsQuery { inbound_endpoint_id: Some(endpoint.id.clone()), ..Default::default() }).await;
    let mut counts = BTreeMap::new();
    for r in &mine {
        *counts.entry(r.reason_code.as_str()).or_insert(0) += 1;
        assert_eq!(r.inbound_endpoint_id.as_deref(), Some(endpoint.id.as_str()));
        assert_eq!(r.source_ip.as_deref(), Some("127.0.0.1"));
        let masked: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r.headers_redacted.as_deref().expect("headers_redacted")).expect("a JSON-encoded object");
        assert!(masked.values().all(|v| v == "***"), "{masked:?}");
        assert!(!r.headers_redacted.as_deref().unwrap().contains("static-secret"));
    }
    let expected_counts: BTreeMap<&str, i32> =
        [("invalid_secret", 1), ("invalid_method", 1), ("payload_too_large", 1), ("static_token_failed", 2), ("hmac_failed", 4)]
            .into();
    assert_eq!(counts, expected_counts);
    let stale_detail =
        mine.iter().filter_map(|r| r.reason_detail.as_deref()).find(|d| d.contains("seconds old")).expect("stale detail");
    assert!(stale_detail.contains("within 60 seconds"), "{stale_detail}");
    assert!(mine.iter().filter_map(|r| r.reason_detail.as_deref()).any(|d| d.contains("in the future")));

    let fenced_list =
        all_rejections(&client, RejectionsQuery { inbound_endpoint_id: Some(fenced.id.clone()), ..Default::default() }).await;
    assert_eq!(fenced_list.len(), 1);
    assert!(fenced_list[0].reason_detail.as_deref().unwrap().contains("127.0.0.1"));

    // Time filters and pagination.
    let future_only =
        RejectionsQuery { start_time: Some(hookbridge::TimeArg::from("2999-01-01T00:00:00Z")), ..Default::default() };
    assert!(all_rejections(&client, future_only).await.is_empty());
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = client
            .list_inbound_rejections(&RejectionsQuery { limit: Some(5), cursor: cursor.clone(), ..Default::default() })
            .await
            .unwrap();
        seen.extend(page.entries.iter().map(|r| r.id.clone()));
        if !page.has_more {
            assert_eq!(page.next_cursor, None);
            break;
        }
        cursor = page.next_cursor;
    }
    assert_eq!(seen, listed.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
    let (status, _) = server.api(Method::GET, "/v1/inbound-rejections?limit=501", None).await;
    assert_eq!(status, 400);

    assert_eq!(counter(&server.prometheus().await, "hookbridge_inbound_rejected_total"), expected.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_token_in_a_query_parameter_and_base64_hmac_without_timestamp() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let settings = InboundEndpointSettings {
        verify_static_token: Some(true),
        token_query_param: Some("token".into()),
        token_value: Some("q-secret".into()),
        verify_hmac: Some(true),
        hmac_header_name: Some("X-Hub-Signature-256".into()),
        hmac_secret: Some("k".into()),
        ..Default::default()
    };
    let endpoint = client.create_inbound_endpoint(&receiver.hook_url(), &settings).await.unwrap();
    let body = b"raw body".to_vec();
    let raw = hex::decode(hmac_hex("k", &body)).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let signature = vec![("X-Hub-Signature-256".to_owned(), b64)];

    let (status, _) = send(Method::POST, &format!("{}?token=q-secret", endpoint.ingest_url), &signature, body.clone()).await;
    assert_eq!(status, 202);
    let (status, _) = send(Method::POST, &format!("{}?token=nope", endpoint.ingest_url), &signature, body.clone()).await;
    assert_eq!(status, 401);
    let forwarded = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(forwarded[0].header("x-hub-signature-256").map(str::len), Some(44), "the provider's own signature is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_used_only_when_trusted() {
    let allow = InboundEndpointSettings {
        verify_ip_allowlist: Some(true),
        allowed_cidrs: Some(vec!["203.0.113.0/24".into()]),
        ..Default::default()
    };
    let xff = vec![("X-Forwarded-For".to_owned(), "198.51.100.1, 203.0.113.5".to_owned())];

    let untrusting = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = untrusting.client();
    let endpoint = client.create_inbound_endpoint(&receiver.hook_url(), &allow).await.unwrap();
    let (status, _) = send(Method::POST, &endpoint.ingest_url, &xff, b"{}".to_vec()).await;
    assert_eq!(status, 403, "X-Forwarded-For is ignored by default");
    let listed = all_rejections(&client, RejectionsQuery::default()).await;
    assert_eq!(listed[0].source_ip.as_deref(), Some("127.0.0.1"));

    let trusting = Server::start(&["--trust-forwarded-for"]);
    let client = trusting.client();
    let endpoint = client.create_inbound_endpoint(&receiver.hook_url(), &allow).await.unwrap();
    let (status, _) = send(Method::POST, &endpoint.ingest_url, &xff, b"{}".to_vec()).await;
    assert_eq!(status, 202, "the proxy-appended address 203.0.113.5 is allowed");
    let spoofed = vec![("X-Forwarded-For".to_owned(), "203.0.113.5, 198.51.100.1".to_owned())];
    let (status, _) = send(Method::POST, &endpoint.ingest_url, &spoofed, b"{}".to_vec()).await;
    assert_eq!(status, 403, "only the last (proxy-appended) address counts");
    let listed = all_rejections(&client, RejectionsQuery::default()).await;
    assert_eq!(listed[0].source_ip.as_deref(), Some("198.51.100.1"));
}
