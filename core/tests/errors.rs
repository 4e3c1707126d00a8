//! Every branch of the error mapping through real HTTP, client-side
//! validation before any I/O, and URL normalisation.

mod common;

use common::{API_KEY, MockServer, Scripted};
use hookbridge::{Client, ClientConfig, ErrorKind, SendOptions};
use serde_json::json;

/// Runs `get_message` against a server answering `reply` (no retries) and returns the error
/// together with the number of requests the server saw.
async fn fail_with(reply: Scripted) -> (hookbridge::Error, usize) {
    let server = MockServer::always(reply);
    let client = Client::new(server.config().with_retries(0)).unwrap();
    let err = client.get_message("m1").await.expect_err("must fail");
    (err, server.hits())
}

#[tokio::test]
async fn status_401_is_authentication_whatever_the_server_code() {
    let (err, hits) = fail_with(Scripted::error(401, "INVALID_API_KEY", "Invalid API key")).await;
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.code(), "UNAUTHORIZED");
    assert_eq!((err.status(), err.message(), err.request_id()), (Some(401), "Invalid API key", Some("req_err_1")));
    assert_eq!(err.to_string(), "Invalid API key code=UNAUTHORIZED request_id=req_err_1");
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn status_404_is_not_found_whatever_the_server_code() {
    let (err, _) = fail_with(Scripted::error(404, "ENDPOINT_NOT_FOUND", "Message not found")).await;
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::NotFound, "NOT_FOUND", Some(404)));
    assert_eq!((err.message(), err.request_id()), ("Message not found", Some("req_err_1")));
}

#[tokio::test]
async fn status_409_depends_on_the_code() {
    let (err, _) = fail_with(Scripted::error(409, "IDEMPOTENCY_MISMATCH", "Idempotency key mismatch")).await;
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Idempotency, "IDEMPOTENCY_MISMATCH", Some(409)));
    assert_eq!(err.message(), "Idempotency key mismatch");

    let (err, _) = fail_with(Scripted::error(409, "DUPLICATE_URL", "Endpoint exists")).await;
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "DUPLICATE_URL", Some(409)));
    assert_eq!(err.request_id(), Some("req_err_1"));
}

#[tokio::test]
async fn status_429_replay_limit_has_no_retry_after() {
    let reply = Scripted::error(429, "REPLAY_LIMIT_EXCEEDED", "Replay limit exceeded").header("retry-after", "60");
    let (err, hits) = fail_with(reply).await;
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::ReplayLimit, "REPLAY_LIMIT_EXCEEDED", Some(429)));
    assert_eq!(err.retry_after(), None);
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn status_429_rate_limit_with_and_without_retry_after() {
    let reply = Scripted::error(429, "RATE_LIMITED", "Too many requests").header("retry-after", "60");
    let (err, _) = fail_with(reply).await;
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::RateLimit, "RATE_LIMIT_EXCEEDED", Some(429)));
    assert_eq!((err.retry_after(), err.message(), err.request_id()), (Some(60), "Too many requests", Some("req_err_1")));

    let (err, _) = fail_with(Scripted::error(429, "BURST_LIMIT_EXCEEDED", "slow down")).await;
    assert_eq!((err.kind(), err.code(), err.retry_after()), (ErrorKind::RateLimit, "RATE_LIMIT_EXCEEDED", None));

    let http_date = Scripted::error(429, "RATE_LIMITED", "x").header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
    let (err, _) = fail_with(http_date).await;
    assert_eq!(
        (err.kind(), err.retry_after()),
        (ErrorKind::RateLimit, None),
        "a non-integer Retry-After is dropped, not a crash"
    );
}

#[tokio::test]
async fn other_statuses_are_generic_api_errors_with_the_server_code() {
    for (status, code) in [
        (400, "VALIDATION_ERROR"),
        (403, "FORBIDDEN"),
        (410, "RETENTION_EXPIRED"),
        (422, "UNPROCESSABLE"),
        (500, "INTERNAL_ERROR"),
        (503, "UNAVAILABLE"),
    ] {
        let (err, hits) = fail_with(Scripted::error(status, code, "server says no")).await;
        assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, code, Some(status)), "status {status}");
        assert_eq!((err.message(), err.request_id(), err.retry_after()), ("server says no", Some("req_err_1"), None));
        assert_eq!(hits, 1, "retries are off here");
    }
}

#[tokio::test]
async fn status_400_is_not_a_validation_error() {
    let (err, _) = fail_with(Scripted::error(400, "INVALID_REQUEST", "endpoint_id must be in format ep_xxx")).await;
    assert_eq!(err.kind(), ErrorKind::Api, "only client-side checks produce Validation");
    assert_eq!(err.code(), "INVALID_REQUEST");
}

#[tokio::test]
async fn unreadable_error_bodies_fall_back_to_unknown_error() {
    let cases = [
        (Scripted::raw(502, "<html><body>Bad Gateway</body></html>").header("content-type", "text/html"), 502),
        (Scripted::empty(500), 500),
        (Scripted::json(400, json!([1, 2, 3])), 400),
        (Scripted::json(403, json!({"error": null})), 403),
        (Scripted::json(410, json!({"error": "gone"})), 410),
    ];
    for (reply, status) in cases {
        let shown = String::from_utf8_lossy(&reply.body).into_owned();
        let (err, _) = fail_with(reply).await;
        assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "UNKNOWN_ERROR", Some(status)), "{shown}");
        assert_eq!(err.message(), format!("HTTP {status}"));
        assert_eq!(err.request_id(), None);
    }
    // A JSON body without `error` keeps the request id and defaults the rest.
    let (err, _) = fail_with(Scripted::json(400, json!({"meta": {"request_id": "req_only"}}))).await;
    assert_eq!((err.code(), err.message(), err.request_id()), ("UNKNOWN_ERROR", "HTTP 400", Some("req_only")));
    // A code without a message.
    let (err, _) = fail_with(Scripted::json(403, json!({"error": {"code": "FORBIDDEN"}}))).await;
    assert_eq!((err.code(), err.message()), ("FORBIDDEN", "HTTP 403"));
    assert_eq!(err.to_string(), "HTTP 403 code=FORBIDDEN");
}

#[tokio::test]
async fn an_unexpected_2xx_body_is_invalid_response_and_not_retried() {
    let server = MockServer::always(Scripted::raw(200, "<html>not json</html>"));
    let err = server.client().get_message("m1").await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::InvalidResponse, "INVALID_RESPONSE", None));
    assert_eq!(server.hits(), 1);

    let server = MockServer::always(Scripted::data(json!({"message_id": "m"})));
    let err = server.client().send("ep", &json!({}), &SendOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.message().contains("status"), "names the missing field: {err}");
    assert_eq!(server.hits(), 1);

    let server = MockServer::always(Scripted::empty(204));
    let err = server.client().get_subscription().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "a data-returning call cannot accept 204");
}

#[tokio::test]
async fn send_errors_map_the_same_way() {
    let server = MockServer::always(Scripted::error(409, "IDEMPOTENCY_MISMATCH", "payload differs"));
    let options = SendOptions { headers: None, idempotency_key: Some("k1".into()) };
    let err = server.client().send("ep_1", &json!({"a": 2}), &options).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Idempotency);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn empty_api_key_fails_before_any_request() {
    let server = MockServer::always(Scripted::data(json!({})));
    for key in ["", "hb_test_\nx"] {
        let err = Client::new(ClientConfig::new(key).with_base_url(server.url()).with_send_url(server.url())).unwrap_err();
        assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Validation, "INVALID_REQUEST", Some(400)));
    }
    let err = Client::new(ClientConfig::new("").with_base_url(server.url())).unwrap_err();
    assert_eq!(err.message(), "API key is required");
    let err = hookbridge::blocking::Client::new(ClientConfig::new("").with_base_url(server.url())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(server.hits(), 0, "validation happens before any network I/O");
}

#[tokio::test]
async fn bad_urls_are_validation_errors() {
    for url in ["ftp://example.com", "example.com", ""] {
        let err = Client::new(ClientConfig::new(API_KEY).with_base_url(url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{url:?}");
        assert!(err.message().contains("base_url"), "{err}");
    }
}

#[tokio::test]
async fn trailing_slashes_are_stripped_from_both_urls() {
    let api = MockServer::always(Scripted::data(
        json!({"window": "24h", "total_messages": 0, "succeeded": 0, "failed": 0, "retries": 0, "success_rate": 0.0, "avg_latency_ms": 0}),
    ));
    let send = MockServer::always(Scripted::data(json!({"message_id": "m", "status": "queued"})));
    let config = ClientConfig::new(API_KEY).with_base_url(format!("{}///", api.url())).with_send_url(format!("{}/", send.url()));
    let client = Client::new(config).unwrap();
    assert_eq!(client.config().base_url, api.url());
    assert_eq!(client.config().send_url, send.url());

    client.get_metrics("24h").await.unwrap();
    client.send("ep", &json!({}), &SendOptions::default()).await.unwrap();
    api.only_request().expect("GET", "/v1/metrics", Some("window=24h"));
    send.only_request().expect("POST", "/v1/webhooks/send", None);
}

#[tokio::test]
async fn an_empty_send_url_is_ignored() {
    let config = ClientConfig::new(API_KEY).with_send_url("https://send.example/").with_send_url("");
    assert_eq!(config.validated().unwrap().send_url, "https://send.example");
}

#[tokio::test]
async fn a_custom_user_agent_is_sent() {
    let server = MockServer::always(Scripted::empty(204));
    let client = Client::new(server.config().with_user_agent("hookbridge-python/0.1.0 (hookbridge-rust core)")).unwrap();
    client.delete_api_key("k").await.unwrap();
    assert_eq!(server.only_request().header("user-agent"), Some("hookbridge-python/0.1.0 (hookbridge-rust core)"));
}
