//! The client-side retry loop and the redirect handling of `download_export`,
//! through real HTTP: attempt counts, backoff, timeouts, refused connections, 3xx answers.

mod common;

use std::time::{Duration, Instant};

use common::{API_KEY, MockServer, Scripted};
use hookbridge::{Client, ClientConfig, ErrorKind, SendOptions};
use serde_json::json;

fn message() -> Scripted {
    Scripted::data(json!({"id": "m1", "project_id": "p", "endpoint_id": "ep", "status": "queued", "attempt_count": 0,
        "replay_count": 0, "content_type": "application/json", "size_bytes": 2, "payload_sha256": "x",
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}))
}

fn client(server: &MockServer, retries: u32) -> Client {
    Client::new(server.config().with_retries(retries)).unwrap()
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = MockServer::start(message());
    server.enqueue([Scripted::error(500, "INTERNAL_ERROR", "boom"), Scripted::error(503, "UNAVAILABLE", "busy")]);
    let got = client(&server, 3).get_message("m1").await.unwrap();
    assert_eq!(got.id, "m1");
    assert_eq!(server.hits(), 3, "two failures then a success");
    for request in server.requests() {
        request.expect("GET", "/v1/messages/m1", None).expect_sdk_headers();
    }
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server = MockServer::start(Scripted::error(500, "INTERNAL_ERROR", "fallback"));
    server.enqueue((1..=4).map(|i| Scripted::error(500 + i, &format!("CODE_{i}"), &format!("failure {i}"))));
    let err = client(&server, 3).get_message("m1").await.unwrap_err();
    assert_eq!(server.hits(), 4, "1 attempt + 3 retries");
    assert_eq!((err.kind(), err.code(), err.message(), err.status()), (ErrorKind::Api, "CODE_4", "failure 4", Some(504)));
}

#[tokio::test]
async fn zero_retries_means_exactly_one_request() {
    let server = MockServer::always(Scripted::error(500, "INTERNAL_ERROR", "boom"));
    let err = client(&server, 0).get_message("m1").await.unwrap_err();
    assert_eq!((err.status(), server.hits()), (Some(500), 1));
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, "INVALID_REQUEST"),
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (409, "IDEMPOTENCY_MISMATCH"),
        (410, "GONE"),
        (429, "RATE_LIMITED"),
        (429, "REPLAY_LIMIT_EXCEEDED"),
    ] {
        let server = MockServer::start(message());
        server.enqueue([Scripted::error(status, code, "no")]);
        let err = client(&server, 3).get_message("m1").await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.hits(), 1, "{status} {code} must not be retried");
    }
}

#[tokio::test]
async fn backoff_sleeps_at_least_100_200_400_ms() {
    let server = MockServer::always(Scripted::error(500, "INTERNAL_ERROR", "boom"));
    let started = Instant::now();
    client(&server, 3).get_message("m1").await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(server.hits(), 4);
    assert!(elapsed >= Duration::from_millis(700), "3 retries sleep 0.1 + 0.2 + 0.4 s, took {elapsed:?}");
    assert_eq!(hookbridge::transport::backoff(0), Duration::from_millis(100));
    assert_eq!(hookbridge::transport::backoff(3), Duration::from_millis(800));
}

#[tokio::test]
async fn a_503_with_retry_after_waits_that_long_before_the_retry() {
    let server = MockServer::start(message());
    server.enqueue([Scripted::error(503, "QUEUE_FULL", "busy").header("retry-after", "1")]);
    let started = Instant::now();
    assert_eq!(client(&server, 3).get_message("m1").await.unwrap().id, "m1");
    let elapsed = started.elapsed();
    assert_eq!(server.hits(), 2);
    assert!(elapsed >= Duration::from_secs(1), "Retry-After: 1 is longer than the 0.1 s backoff, waited {elapsed:?}");

    let server = MockServer::always(Scripted::error(503, "QUEUE_FULL", "busy").header("retry-after", "1"));
    let err = client(&server, 0).get_message("m1").await.unwrap_err();
    assert_eq!((err.code(), err.status(), err.retry_after()), ("QUEUE_FULL", Some(503), Some(1)));
    assert_eq!(hookbridge::transport::retry_delay(0, Some(2)), Duration::from_secs(2));
    assert_eq!(hookbridge::transport::retry_delay(3, Some(0)), Duration::from_millis(800), "never shorter than the backoff");
    assert_eq!(hookbridge::transport::retry_delay(0, Some(86_400)), hookbridge::transport::MAX_RETRY_AFTER);
}

#[tokio::test]
async fn with_honor_retry_after_off_a_503_retries_on_the_backoff_alone() {
    let server = MockServer::start(message());
    server.enqueue([Scripted::error(503, "QUEUE_FULL", "busy").header("retry-after", "5")]);
    let client = Client::new(server.config().with_retries(3).with_honor_retry_after(false)).unwrap();
    let started = Instant::now();
    assert_eq!(client.get_message("m1").await.unwrap().id, "m1");
    assert_eq!(server.hits(), 2);
    assert!(started.elapsed() < Duration::from_secs(2), "the 0.1 s backoff, not Retry-After: 5 ({:?})", started.elapsed());
}

#[tokio::test]
async fn timeouts_are_retried_and_reported_as_timeout() {
    let server = MockServer::always(message().delayed(Duration::from_secs(3)));
    let client = Client::new(server.config().with_retries(1).with_timeout(Duration::from_millis(200))).unwrap();
    let started = Instant::now();
    let err = client.get_message("m1").await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.message(), err.status()), (ErrorKind::Timeout, "TIMEOUT", "Request timed out", None));
    assert_eq!(server.hits(), 2, "the timed-out attempt is retried once");
    assert!(started.elapsed() < Duration::from_secs(3), "the client gave up before the server answered");
}

#[tokio::test]
async fn a_slow_first_attempt_then_success() {
    let server = MockServer::start(message());
    server.enqueue([message().delayed(Duration::from_secs(3))]);
    let client = Client::new(server.config().with_retries(2).with_timeout(Duration::from_millis(200))).unwrap();
    assert_eq!(client.get_message("m1").await.unwrap().id, "m1");
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn refused_connections_are_network_errors_and_retried() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::new(ClientConfig::new(API_KEY).with_base_url(&url).with_send_url(&url).with_retries(2)).unwrap();
    let started = Instant::now();
    let err = client.send("ep", &json!({}), &SendOptions::default()).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Network, "NETWORK_ERROR", None));
    assert!(!err.message().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(300), "two retries back off 0.1 + 0.2 s");
}

#[tokio::test]
async fn a_redirect_on_a_normal_call_is_a_retried_error() {
    let server = MockServer::always(Scripted::empty(302).header("location", "https://elsewhere.example/"));
    let err = client(&server, 2).get_message("m1").await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status(), err.message()), (ErrorKind::Api, "UNKNOWN_ERROR", Some(302), "HTTP 302"));
    assert_eq!(server.hits(), 3, "3xx counts as a retryable failure");

    let server = MockServer::start(message());
    server.enqueue([Scripted::empty(307).header("location", "/v1/other")]);
    assert_eq!(client(&server, 1).get_message("m1").await.unwrap().id, "m1");
    assert_eq!(server.hits(), 2, "the redirect is not followed, the same URL is retried");
    assert!(server.requests().iter().all(|r| r.path == "/v1/messages/m1"));
}

#[tokio::test]
async fn sends_are_retried_on_the_send_host() {
    let api = MockServer::always(Scripted::error(400, "WRONG_HOST", "no"));
    let send = MockServer::start(Scripted::data(json!({"message_id": "m1", "status": "queued"})));
    send.enqueue([Scripted::error(502, "BAD_GATEWAY", "x")]);
    let config = ClientConfig::new(API_KEY).with_base_url(api.url()).with_send_url(send.url());
    let sent = Client::new(config).unwrap().send("ep", &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    assert_eq!(sent.message_id, "m1");
    assert_eq!((api.hits(), send.hits()), (0, 2));
    let bodies: Vec<_> = send.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies[0], bodies[1], "the retry sends the same body");
}

#[tokio::test]
async fn download_export_redirect_without_location_is_retried_then_invalid_redirect() {
    let server = MockServer::always(Scripted::empty(302));
    let err = client(&server, 2).download_export("x1").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code(), err.message(), err.status()),
        (ErrorKind::Api, "INVALID_REDIRECT", "Missing redirect location", None)
    );
    assert_eq!(server.hits(), 3);

    let server = MockServer::start(Scripted::empty(302).header("location", "https://files.example/x1.csv"));
    server.enqueue([Scripted::empty(303), Scripted::error(503, "UNAVAILABLE", "busy")]);
    assert_eq!(client(&server, 3).download_export("x1").await.unwrap(), "https://files.example/x1.csv");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn download_export_2xx_is_an_invalid_response_not_retried() {
    let server = MockServer::always(Scripted::data(json!({"url": "https://files.example/x1.csv"})));
    let err = client(&server, 3).download_export("x1").await.unwrap_err();
    assert_eq!((err.kind(), err.code()), (ErrorKind::InvalidResponse, "INVALID_RESPONSE"));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn download_export_errors_map_normally() {
    let server = MockServer::always(Scripted::error(410, "EXPORT_EXPIRED", "link expired"));
    let err = client(&server, 3).download_export("x1").await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "EXPORT_EXPIRED", Some(410)));
    assert_eq!(server.hits(), 1);
    let server = MockServer::always(Scripted::error(404, "NOT_FOUND", "no export"));
    assert_eq!(client(&server, 3).download_export("x1").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn concurrent_calls_share_one_client() {
    let server = MockServer::always(message());
    let client = client(&server, 0);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_message("m1").await })
    });
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().id, "m1");
    }
    assert_eq!(server.hits(), 20, "exactly one request per call");
}
