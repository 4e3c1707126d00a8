//! Abuse of the unauthenticated ingest route and of inbound settings, against the real binary:
//! the rejection log stays bounded under a flood (rate limits per sender and per endpoint, a
//! row cap per endpoint, capped header names), a signed request is accepted once, extreme
//! timestamps are refused without a crash, a sender's `X-Webhook-*` headers never reach the
//! destination, `timestamp_header_name` needs `verify_hmac`, and header injection is refused.

mod harness;
mod inbound_support;

use std::path::Path;
use std::time::{Duration, Instant};

use harness::{DEV_KEY, Receiver, Server};
use hookbridge::{InboundEndpointSettings, InboundLogsQuery, InboundRejection, RejectionsQuery};
use inbound_support::{hmac_hex, now_secs};
use reqwest::Method;
use serde_json::{Value, json};

const SECRET: &str = "provider-secret";

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("HTTP client")
}

/// An authenticated API call: status and JSON body.
async fn api(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = http().request(method, format!("{}{path}", server.url)).bearer_auth(DEV_KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("API call");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// POSTs to an ingest URL: status and JSON body.
async fn ingest(url: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    let mut request = http().post(url).body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.expect("the server answers the ingest request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// HMAC with a separate timestamp header, as Stripe-like providers sign.
fn signed_settings(ttl: i64) -> InboundEndpointSettings {
    InboundEndpointSettings {
        verify_hmac: Some(true),
        hmac_header_name: Some("X-Signature".into()),
        hmac_secret: Some(SECRET.into()),
        timestamp_header_name: Some("X-Timestamp".into()),
        timestamp_ttl_seconds: Some(ttl),
        ..Default::default()
    }
}

/// Headers signing `"{timestamp}.{body}"` with timestamp text `ts`.
fn signed(ts: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut message = format!("{ts}.").into_bytes();
    message.extend_from_slice(body);
    vec![("X-Timestamp".into(), ts.into()), ("X-Signature".into(), format!("sha256={}", hmac_hex(SECRET, &message)))]
}

async fn rejections(client: &hookbridge::Client, endpoint: Option<&str>) -> Vec<InboundRejection> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let query = RejectionsQuery {
            inbound_endpoint_id: endpoint.map(str::to_owned),
            limit: Some(500),
            cursor: cursor.clone(),
            ..Default::default()
        };
        let page = client.list_inbound_rejections(&query).await.expect("list rejections");
        all.extend(page.entries);
        if !page.has_more {
            return all;
        }
        cursor = page.next_cursor;
    }
}

/// The value of a Prometheus counter.
async fn counter(server: &Server, name: &str) -> u64 {
    let text = http().get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    inbound_support::counter(&text, name)
}

/// Folds the write-ahead log into the database file (as the server's own checkpoints do) and
/// returns the file's size, so sizes taken at two moments compare what is really stored.
fn database_size(data_dir: &Path) -> u64 {
    if harness::backend::is_postgres() {
        // The bytes of every live row (PostgreSQL reuses the space of deleted rows after vacuum).
        let sql = "SELECT (SELECT COALESCE(SUM(pg_column_size(r)), 0) FROM inbound_rejections r) \
                   + (SELECT COALESCE(SUM(pg_column_size(m)), 0) FROM messages m)";
        return harness::backend::database_sql(data_dir, sql).trim().parse().expect("a size");
    }
    let path = data_dir.join("hookbridge.db");
    let conn = rusqlite::Connection::open(&path).expect("open the server's database");
    conn.busy_timeout(Duration::from_secs(20)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    // (busy, frames in the log, frames checkpointed): retry until no reader holds it back.
    while conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0)).unwrap() != 0 {
        assert!(Instant::now() < deadline, "could not checkpoint the database");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::metadata(&path).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_refused_requests_keeps_the_rejection_log_at_its_cap_and_the_database_bounded() {
    let server = Server::start(&[
        "--rejection-log-per-source-per-minute",
        "1000000",
        "--rejection-log-per-endpoint-per-minute",
        "1000000",
        "--rejection-log-max-per-endpoint",
        "20",
        "--rejection-log-max-headers",
        "8",
    ]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let wrong_token = endpoint.ingest_url.replace(&endpoint.secret_token, "not-the-token");
    // 60 headers with 400-character names: about 24 KB of names per request, 7 MB over the flood.
    let bulky: Vec<(String, String)> = (0..60).map(|i| (format!("x-{i:02}-{}", "n".repeat(400)), "v".into())).collect();
    let before = database_size(&server.data_dir);

    let mut rejection_ids = Vec::new();
    for round in 0..30 {
        let answers = futures_join((0..10).map(|_| {
            let (url, headers) = (wrong_token.clone(), bulky.clone());
            async move { ingest(&url, &headers, b"{}").await }
        }))
        .await;
        for (status, answer) in answers {
            assert_eq!(status, 401, "round {round}: {answer}");
            assert_eq!(answer["error"]["details"]["reason_code"], "invalid_secret");
            rejection_ids.push(answer["error"]["details"]["rejection_id"].as_str().expect("recorded").to_owned());
        }
    }
    let unknown_base = format!("{}/v1/webhooks/receive", server.url);
    for i in 0..40 {
        let url = format!("{unknown_base}/0190b6a4-0000-7000-8000-{i:012}/token");
        let (status, answer) = ingest(&url, &bulky, b"{}").await;
        assert_eq!((status, answer["error"]["details"]["reason_code"].as_str()), (404, Some("endpoint_not_found")));
    }

    let kept = rejections(&client, Some(&endpoint.id)).await;
    assert_eq!(kept.len(), 20, "the endpoint keeps its newest 20 rejections");
    let last_rounds = &rejection_ids[rejection_ids.len() - 30..];
    assert!(kept.iter().all(|r| last_rounds.contains(&r.id)), "the oldest records were the ones deleted");
    for r in &kept {
        let names: serde_json::Map<String, Value> = serde_json::from_str(r.headers_redacted.as_deref().unwrap()).unwrap();
        assert_eq!(names.len(), 8, "at most 8 header names are stored: {names:?}");
        assert!(names.keys().all(|n| n.chars().count() <= 64), "names are cut to 64 characters: {names:?}");
        assert!(names.values().all(|v| v == "***"));
    }
    let everything = rejections(&client, None).await;
    let unattributed = everything.iter().filter(|r| r.inbound_endpoint_id.is_none()).count();
    assert_eq!(unattributed, 20, "requests to unknown endpoints are capped the same way");

    let growth = database_size(&server.data_dir).saturating_sub(before);
    assert!(growth < 1024 * 1024, "the database grew by {growth} bytes over a flood of 7 MB of header names");
    assert_eq!(counter(&server, "hookbridge_inbound_rejected_total").await, 340);
    assert_eq!(counter(&server, "hookbridge_inbound_rejections_unrecorded_total").await, 0);
}

/// Runs futures concurrently and collects their outputs in order.
async fn futures_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_of_rejections_is_rate_limited_per_sender_and_per_endpoint() {
    let server = Server::start(&[
        "--trust-forwarded-for",
        "--rejection-log-per-source-per-minute",
        "5",
        "--rejection-log-per-endpoint-per-minute",
        "12",
    ]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let started = Instant::now();
    let endpoint = client.create_inbound_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let wrong_token = endpoint.ingest_url.replace(&endpoint.secret_token, "not-the-token");
    let from = |ip: &str| vec![("X-Forwarded-For".to_owned(), ip.to_owned())];

    let mut recorded_by_a = 0;
    for _ in 0..20 {
        let (status, answer) = ingest(&wrong_token, &from("198.51.100.1"), b"{}").await;
        assert_eq!(status, 401, "every refusal is answered: {answer}");
        assert_eq!(answer["error"]["code"], "INVALID_SECRET");
        assert_eq!(answer["error"]["details"]["reason_code"], "invalid_secret");
        if answer["error"]["details"]["rejection_id"].is_string() {
            recorded_by_a += 1;
        }
    }
    for ip in ["198.51.100.2", "198.51.100.3"] {
        for _ in 0..10 {
            assert_eq!(ingest(&wrong_token, &from(ip), b"{}").await.0, 401);
        }
    }
    // Unknown endpoints share one budget, whatever the id.
    let base = format!("{}/v1/webhooks/receive", server.url);
    for (n, ip) in ["198.51.100.4", "198.51.100.5", "198.51.100.6"].iter().enumerate() {
        for i in 0..5 {
            let url = format!("{base}/0190b6a4-0000-7000-8000-{:012}/t", n * 10 + i);
            assert_eq!(ingest(&url, &from(ip), b"{}").await.0, 404);
        }
    }
    // Budgets refill continuously (5 and 12 per minute); allow for what refilled meanwhile.
    let refilled = |per_minute: u64| (started.elapsed().as_secs_f64() * per_minute as f64 / 60.0).ceil() as u64;
    let per_endpoint = rejections(&client, Some(&endpoint.id)).await;
    let by_a = per_endpoint.iter().filter(|r| r.source_ip.as_deref() == Some("198.51.100.1")).count() as u64;
    assert_eq!(by_a, recorded_by_a);
    assert!((5..=5 + refilled(5)).contains(&by_a), "one sender records 5 a minute, got {by_a}");
    let stored = per_endpoint.len() as u64;
    assert!((12..=12 + refilled(12)).contains(&stored), "one endpoint records 12 a minute, got {stored}");
    let unknown = rejections(&client, None).await.iter().filter(|r| r.inbound_endpoint_id.is_none()).count() as u64;
    assert!((12..=12 + refilled(12)).contains(&unknown), "unknown endpoints record 12 a minute together, got {unknown}");

    assert_eq!(counter(&server, "hookbridge_inbound_rejected_total").await, 55);
    let unrecorded = counter(&server, "hookbridge_inbound_rejections_unrecorded_total").await;
    assert_eq!(unrecorded, 55 - stored - unknown, "every refusal not stored is counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_request_is_accepted_once_even_across_a_restart() {
    let mut server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.url, &signed_settings(300)).await.unwrap();
    let body = br#"{"type":"invoice.paid"}"#;
    let first_signed_at = now_secs();
    let headers = signed(&first_signed_at.to_string(), body);

    let (status, first) = ingest(&endpoint.ingest_url, &headers, body).await;
    assert_eq!(status, 202, "{first}");
    let (status, again) = ingest(&endpoint.ingest_url, &headers, body).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"]["code"], "SIGNATURE_REPLAYED");
    assert_eq!(again["error"]["details"]["reason_code"], "signature_replayed");
    assert!(again["error"]["message"].as_str().unwrap().contains("X-Signature"), "{again}");
    // The same signature in another encoding is the same signature.
    let hex_sig = headers[1].1.trim_start_matches("sha256=").to_owned();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(hex::decode(&hex_sig).unwrap());
    let reencoded = vec![headers[0].clone(), ("X-Signature".to_owned(), b64)];
    assert_eq!(ingest(&endpoint.ingest_url, &reencoded, body).await.0, 409);

    // Concurrent copies of a fresh request: exactly one is accepted. (Its timestamp differs from
    // the first request's whatever the clock did meanwhile, so its signature does too.)
    let fresh = signed(&(first_signed_at - 1).to_string(), body);
    let url = endpoint.ingest_url.clone();
    let statuses: Vec<u16> = futures_join((0..8).map(|_| {
        let (url, fresh) = (url.clone(), fresh.clone());
        async move { ingest(&url, &fresh, body).await.0 }
    }))
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 202 || *s == 409), "{statuses:?}");

    let old_base = server.url.clone();
    server.restart();
    let ingest_url = endpoint.ingest_url.replace(&old_base, &server.url);
    let (status, after_restart) = ingest(&ingest_url, &headers, body).await;
    assert_eq!(status, 409, "remembered across a restart: {after_restart}");
    let resent = signed(&(now_secs() + 1).to_string(), body);
    assert_eq!(ingest(&ingest_url, &resent, body).await.0, 202, "a resend signed anew is accepted");

    receiver.wait_for(3, Duration::from_secs(30)).await;
    let client = server.client();
    let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.unwrap();
    assert_eq!(logs.entries.len(), 3, "replays created no message");
    let replays = rejections(&client, Some(&endpoint.id)).await;
    assert_eq!(replays.len(), 10, "{replays:?}");
    assert!(replays.iter().all(|r| r.reason_code == "signature_replayed"), "{replays:?}");

    // With dedupe headers, a provider's retry of the same event gets the original message id,
    // signature or not; the signature cannot be reused for another event id.
    let settings = InboundEndpointSettings { idempotency_header_names: Some(vec!["X-Event-Id".into()]), ..signed_settings(300) };
    let deduped = client.create_inbound_endpoint(&receiver.url, &settings).await.unwrap();
    let mut event = signed(&now_secs().to_string(), body);
    event.push(("X-Event-Id".into(), "evt_1".into()));
    let (status, original) = ingest(&deduped.ingest_url, &event, body).await;
    assert_eq!(status, 202, "{original}");
    let (status, retry) = ingest(&deduped.ingest_url, &event, body).await;
    assert_eq!((status, &retry["data"]["message_id"]), (202, &original["data"]["message_id"]));
    event.last_mut().unwrap().1 = "evt_2".into();
    assert_eq!(ingest(&deduped.ingest_url, &event, body).await.0, 409, "same signature, another event id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remembered_signatures_are_dropped_once_their_window_has_passed() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.url, &signed_settings(1)).await.unwrap();
    let remembered = || -> i64 {
        let sql = "SELECT COUNT(*) FROM inbound_signatures";
        if harness::backend::is_postgres() {
            return harness::backend::database_sql(&server.data_dir, sql).trim().parse().expect("a count");
        }
        let conn = rusqlite::Connection::open(server.data_dir.join("hookbridge.db")).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let first = signed(&now_secs().to_string(), b"1");
    assert_eq!(ingest(&endpoint.ingest_url, &first, b"1").await.0, 202);
    assert_eq!(remembered(), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, stale) = ingest(&endpoint.ingest_url, &first, b"1").await;
    assert_eq!((status, stale["error"]["details"]["reason_code"].as_str()), (401, Some("hmac_failed")), "{stale}");
    assert_eq!(ingest(&endpoint.ingest_url, &signed(&now_secs().to_string(), b"2"), b"2").await.0, 202);
    assert_eq!(remembered(), 1, "the expired signature was dropped when the next one was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_timestamps_are_refused_with_a_reason_not_a_crash() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let endpoint = client.create_inbound_endpoint(&receiver.url, &signed_settings(300)).await.unwrap();
    let body = b"{}";
    for (ts, says) in [
        (i64::MIN.to_string(), "seconds old"),
        (i64::MAX.to_string(), "in the future"),
        ("-99999999999".to_owned(), "seconds old"),
        ("99999999999999999999".to_owned(), "not Unix seconds"),
    ] {
        let (status, answer) = ingest(&endpoint.ingest_url, &signed(&ts, body), body).await;
        assert_eq!(status, 401, "{ts}: {answer}");
        assert_eq!(answer["error"]["code"], "HMAC_FAILED", "{ts}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("X-Timestamp") && message.contains(says), "{ts}: {message}");
    }
    assert_eq!(ingest(&endpoint.ingest_url, &signed(&now_secs().to_string(), body), body).await.0, 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_senders_x_webhook_headers_never_reach_the_destination() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let client = server.client();
    let forged = vec![
        ("X-Webhook-Signature".to_owned(), "v1,Zm9yZ2Vk".to_owned()),
        ("X-Webhook-Id".to_owned(), "msg_forged".to_owned()),
        ("X-Webhook-Timestamp".to_owned(), "1".to_owned()),
        ("X-WEBHOOK-Verified".to_owned(), "true".to_owned()),
        ("X-Provider-Event".to_owned(), "kept".to_owned()),
    ];

    let unsigned = client.create_inbound_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let (status, _) = ingest(&unsigned.ingest_url, &forged, b"{}").await;
    assert_eq!(status, 202);
    let got = receiver.wait_for(1, Duration::from_secs(30)).await;
    for name in ["x-webhook-signature", "x-webhook-id", "x-webhook-timestamp", "x-webhook-verified"] {
        assert_eq!(got[0].header(name), None, "{name} was forwarded with signing off");
    }
    assert_eq!(got[0].header("x-provider-event").as_deref(), Some("kept"));

    let settings = InboundEndpointSettings { signing_enabled: Some(true), ..Default::default() };
    let signing = client.create_inbound_endpoint(&receiver.url, &settings).await.unwrap();
    let (status, accepted) = ingest(&signing.ingest_url, &forged, b"{}").await;
    assert_eq!(status, 202);
    let got = receiver.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(got[1].header("x-webhook-id").as_deref(), accepted["data"]["message_id"].as_str());
    assert_ne!(got[1].header("x-webhook-signature").as_deref(), Some("v1,Zm9yZ2Vk"));
    assert_eq!(got[1].header("x-webhook-verified"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timestamp_header_without_hmac_verification_is_refused() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let expect_refused = |(status, answer): (u16, Value)| {
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["code"], "INVALID_REQUEST");
        let message = answer["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("timestamp_header_name") && message.contains("verify_hmac"), "{message}");
    };
    let lone = json!({"url": receiver.url, "timestamp_header_name": "X-Timestamp", "timestamp_ttl_seconds": 60});
    expect_refused(api(&server, Method::POST, "/v1/inbound-endpoints", Some(lone)).await);

    let plain = api(&server, Method::POST, "/v1/inbound-endpoints", Some(json!({"url": receiver.url}))).await;
    let path = format!("/v1/inbound-endpoints/{}", plain.1["data"]["id"].as_str().unwrap());
    expect_refused(api(&server, Method::PATCH, &path, Some(json!({"timestamp_header_name": "X-Timestamp"}))).await);

    let body = json!({"url": receiver.url, "verify_hmac": true, "hmac_header_name": "X-Signature", "hmac_secret": "s",
                      "timestamp_header_name": "X-Timestamp"});
    let (status, created) = api(&server, Method::POST, "/v1/inbound-endpoints", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/v1/inbound-endpoints/{}", created["data"]["id"].as_str().unwrap());
    expect_refused(api(&server, Method::PATCH, &path, Some(json!({"verify_hmac": false}))).await);
    let off = json!({"verify_hmac": false, "timestamp_header_name": ""});
    assert_eq!(api(&server, Method::PATCH, &path, Some(off)).await.0, 200, "turning both off together is fine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_injection_and_forbidden_header_names_are_refused() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let (status, endpoint) = api(&server, Method::POST, "/v1/endpoints", Some(json!({"url": receiver.url}))).await;
    assert_eq!(status, 201, "{endpoint}");
    let endpoint_id = endpoint["data"]["id"].as_str().unwrap().to_owned();
    let bad_headers = [
        json!({"X-A": "a\r\nX-Injected: 1"}),
        json!({"X-A": "a\nb"}),
        json!({"X-A": "a\rb"}),
        json!({"X-A": "a\u{0}b"}),
        json!({"X-A\r\nX-Injected": "1"}),
        json!({"X\u{0}A": "1"}),
        json!({"Host": "internal"}),
        json!({"Transfer-Encoding": "chunked"}),
        json!({"Connection": "close"}),
        json!({"Proxy-Authorization": "x"}),
        json!({"X-Webhook-Signature": "forged"}),
    ];
    for headers in &bad_headers {
        let send = json!({"endpoint_id": endpoint_id, "payload": {}, "headers": headers});
        let (status, answer) = api(&server, Method::POST, "/v1/webhooks/send", Some(send)).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("INVALID_HEADERS")), "send {headers}: {answer}");
        let create = json!({"url": format!("{}/other", receiver.url), "headers": headers});
        let (status, answer) = api(&server, Method::POST, "/v1/endpoints", Some(create)).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("INVALID_HEADERS")), "create {headers}: {answer}");
    }
    for (field, value) in [
        ("token_header_name", json!("X-Token\r\nX-Injected: 1")),
        ("hmac_header_name", json!("X-Sig\u{0}")),
        ("timestamp_header_name", json!("X-Ts\nX-Other: 1")),
        ("idempotency_header_names", json!(["X-Id\r\nX-Other: 1"])),
    ] {
        let body = json!({"url": receiver.url, "verify_hmac": true, "hmac_header_name": "X-S", "hmac_secret": "s", field: value});
        let (status, answer) = api(&server, Method::POST, "/v1/inbound-endpoints", Some(body)).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(field), "{field}: {answer}");
    }
}
