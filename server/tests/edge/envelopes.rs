//! Error answers produced below the handlers (the HTTP parser, the router, the method check)
//! carry the JSON error envelope.

use std::time::Duration;

use reqwest::Method;

use crate::harness::Server;
use crate::raw::exchange;
use crate::support::Raw;

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn parser_errors_get_the_envelope() {
    let server = Server::start(&[]);

    // More than 100 header fields: 431.
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..101 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let message = exchange(&server.url, many.into_bytes(), WITHIN).await.expect_error(431, "HEADERS_TOO_LARGE");
    assert!(message.contains("100 header fields"), "{message}");

    // One header of 1 MB: 431.
    let mut huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    huge.extend_from_slice(b"\r\n\r\n");
    exchange(&server.url, huge, WITHIN).await.expect_error(431, "HEADERS_TOO_LARGE");

    // A control byte in Content-Type: 400.
    let bad = b"POST /v1/webhooks/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\x01\r\nContent-Length: 2\r\n\r\n{}"
        .to_vec();
    let message = exchange(&server.url, bad, WITHIN).await.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("not valid HTTP"), "{message}");

    // Not HTTP at all: 400.
    exchange(&server.url, b"HELLO\x00 THERE\r\n\r\n".to_vec(), WITHIN).await.expect_error(400, "INVALID_REQUEST");

    // The server keeps serving.
    let raw = Raw::new(&server.url);
    assert_eq!(raw.get("/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn router_errors_get_the_envelope() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server.url);

    // A wrong method on an API route: 405 naming the allowed methods.
    let answer = raw.call(Method::DELETE, "/v1/logs", None).await;
    let message = answer.expect_error(405, "METHOD_NOT_ALLOWED");
    assert!(message.contains("DELETE") && message.contains("/v1/logs") && message.contains("GET"), "{message}");
    assert!(answer.headers.get("allow").is_some(), "the Allow header is kept");
    raw.call(Method::PUT, "/v1/webhooks/send", None).await.expect_error(405, "METHOD_NOT_ALLOWED");
    raw.call(Method::POST, "/healthz", None).await.expect_error(405, "METHOD_NOT_ALLOWED");

    // No such route: 404 naming it, with or without a key.
    let message = raw.get("/v1/nope").await.expect_error(404, "NOT_FOUND");
    assert!(message.contains("/v1/nope"), "{message}");
    Raw::with_key(&server.url, None).get("/nope").await.expect_error(404, "NOT_FOUND");

    // A path parameter that is not valid UTF-8: 400 from the path extractor.
    raw.get("/v1/messages/%FF%FE").await.expect_error(400, "INVALID_REQUEST");
}
