//! The blocking client (`hookbridge::blocking::Client`) over real HTTP: same requests, same
//! models, same errors and retries as the async client. Plain `#[test]`s: no runtime around.

mod common;

use std::time::Duration;

use common::{API_KEY, MockServer, Scripted, ts};
use hookbridge::blocking::Client;
use hookbridge::{ClientConfig, ErrorKind, LogsQuery, SendOptions, TimeArg};
use serde_json::json;

#[test]
fn blocking_send_uses_the_send_host() {
    let api = MockServer::always(Scripted::error(500, "WRONG_HOST", "no"));
    let send = MockServer::always(Scripted::data(json!({"message_id": "m1", "status": "queued"})));
    let client = Client::new(ClientConfig::new(API_KEY).with_base_url(api.url()).with_send_url(send.url())).unwrap();
    let sent =
        client.send("ep_1", &json!({"x": true}), &SendOptions { headers: None, idempotency_key: Some("k".into()) }).unwrap();
    assert_eq!((sent.message_id.as_str(), sent.status.as_str()), ("m1", "queued"));
    assert_eq!(api.hits(), 0);
    send.only_request()
        .expect("POST", "/v1/webhooks/send", None)
        .expect_sdk_headers()
        .expect_json(json!({"endpoint_id": "ep_1", "payload": {"x": true}, "idempotency_key": "k"}));
}

#[test]
fn blocking_get_logs_and_portal() {
    let server = MockServer::start(Scripted::data(json!({"portal_url": "https://billing.example/p"})));
    server.enqueue([Scripted::json(200, json!({"data": [], "meta": {"has_more": false, "next_cursor": null}}))]);
    let client = Client::new(server.config()).unwrap();
    let query = LogsQuery {
        status: Some("succeeded".into()),
        start_time: Some(TimeArg::At(ts("2025-01-01T00:00:00Z"))),
        ..LogsQuery::default()
    };
    let logs = client.get_logs(&query).unwrap();
    assert!(!logs.has_more && logs.messages.is_empty());
    let portal = client.create_portal(None).unwrap();
    assert_eq!(portal.portal_url, "https://billing.example/p");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    requests[0]
        .expect("GET", "/v1/logs", Some("status=succeeded&start_time=2025-01-01T00%3A00%3A00%2B00%3A00"))
        .expect_sdk_headers();
    requests[1].expect("POST", "/v1/billing/portal", None).expect_sdk_headers().expect_no_body();
}

#[test]
fn blocking_errors_and_retries_match_the_async_client() {
    let server = MockServer::always(Scripted::error(404, "NOT_FOUND", "Message not found"));
    let client = Client::new(server.config()).unwrap();
    let err = client.get_message("missing").unwrap_err();
    assert_eq!((err.kind(), err.code(), err.request_id()), (ErrorKind::NotFound, "NOT_FOUND", Some("req_err_1")));
    assert_eq!(server.hits(), 1);

    let server = MockServer::start(Scripted::empty(204));
    server.enqueue([Scripted::error(500, "INTERNAL_ERROR", "x"), Scripted::error(500, "INTERNAL_ERROR", "y")]);
    let client = Client::new(server.config().with_retries(2)).unwrap();
    client.delete_endpoint("ep_1").unwrap();
    assert_eq!(server.hits(), 3);
    assert!(server.requests().iter().all(|r| r.method == "DELETE" && r.path == "/v1/endpoints/ep_1"));
}

#[test]
fn blocking_download_export_and_timeout() {
    let server = MockServer::always(Scripted::empty(302).header("location", "https://files.example/e.csv"));
    let client = Client::new(server.config()).unwrap();
    assert_eq!(client.download_export("e1").unwrap(), "https://files.example/e.csv");
    assert_eq!(client.config().retries, 3);

    let slow = MockServer::always(Scripted::data(json!({})).delayed(Duration::from_secs(3)));
    let client = Client::new(slow.config().with_retries(0).with_timeout(Duration::from_millis(150))).unwrap();
    assert_eq!(client.list_exports().unwrap_err().kind(), ErrorKind::Timeout);
}

#[test]
fn blocking_client_is_usable_from_several_threads() {
    let server = MockServer::always(Scripted::data(json!([])));
    let client = Client::new(server.config()).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let client = client.clone();
            scope.spawn(move || assert!(client.list_api_keys().unwrap().is_empty()));
        }
    });
    assert_eq!(server.hits(), 4);
}

#[test]
fn dropping_a_blocking_client_inside_async_code_does_not_panic() {
    let server = MockServer::always(Scripted::data(json!([])));
    let client = Client::new(server.config()).unwrap();
    client.list_api_keys().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async move { drop(client) });
    assert_eq!(server.hits(), 1);
}
