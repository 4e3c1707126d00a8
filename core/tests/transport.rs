//! The pluggable transport: a custom [`HttpTransport`] receives exactly the requests the default
//! reqwest transport puts on the wire (checked against a real recording server), its answers and
//! failures drive the same retry loop, and retry waits go through the pluggable [`Sleeper`].
//! Also the wire details every transport shares: `Content-Length: 0` on body-less POSTs (a strict
//! server answers 411 without it) and `Accept-Encoding: gzip, deflate` with decompressed answers.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{API_KEY, MockServer, Scripted};
use hookbridge::transport::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, Sleeper, TransportError};
use hookbridge::{Client, ClientConfig, ErrorKind, LogsQuery, Page, SendOptions, UpdateEndpointOptions};
use serde_json::json;

/// A transport that records every request and answers from a script.
#[derive(Debug, Default)]
struct ScriptedTransport {
    seen: Mutex<Vec<HttpRequest>>,
    script: Mutex<VecDeque<Result<HttpResponse, TransportError>>>,
}

impl ScriptedTransport {
    fn new(script: impl IntoIterator<Item = Result<HttpResponse, TransportError>>) -> Arc<Self> {
        Arc::new(ScriptedTransport { seen: Mutex::default(), script: Mutex::new(script.into_iter().collect()) })
    }

    fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl HttpTransport for ScriptedTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<Result<HttpResponse, TransportError>> {
        self.seen.lock().unwrap().push(request);
        let next = self.script.lock().unwrap().pop_front().unwrap_or_else(|| Ok(answer(200, json!({"data": {}}))));
        Box::pin(async move { next })
    }
}

/// A sleeper that records the waits it was asked for and returns at once (or aborts).
#[derive(Debug, Default)]
struct RecordingSleeper {
    waits: Mutex<Vec<Duration>>,
    abort: bool,
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<Result<(), TransportError>> {
        self.waits.lock().unwrap().push(duration);
        let abort = self.abort;
        Box::pin(async move { if abort { Err(TransportError::Aborted("interrupted".into())) } else { Ok(()) } })
    }
}

fn answer(status: u16, body: serde_json::Value) -> HttpResponse {
    HttpResponse { status, headers: Default::default(), body: body.to_string().into_bytes().into() }
}

fn error_answer(status: u16, code: &str) -> Result<HttpResponse, TransportError> {
    Ok(answer(status, json!({"error": {"code": code, "message": "scripted"}})))
}

fn custom(config: ClientConfig, transport: Arc<ScriptedTransport>, sleeper: Arc<RecordingSleeper>) -> Client {
    Client::with_transport(config, transport, sleeper).expect("client")
}

fn message() -> serde_json::Value {
    json!({"data": {"id": "m1", "project_id": "p", "endpoint_id": "ep", "status": "queued", "attempt_count": 0,
        "replay_count": 0, "content_type": "application/json", "size_bytes": 2, "payload_sha256": "x",
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}})
}

/// Runs the same operations through reqwest (against the recording server) and through a custom
/// transport, and compares what the server received with what the transport was handed.
#[tokio::test]
async fn a_custom_transport_sees_exactly_what_reqwest_sends() {
    async fn ops(client: &Client) {
        let options = SendOptions { idempotency_key: Some("k-1".into()), ..Default::default() };
        let _ = client.send("ep_1", &json!({"event": "a", "n": [1, 2]}), &options).await;
        let _ = client.replay("msg/1").await;
        let _ = client.pause_endpoint("ep_1").await;
        let query = LogsQuery { status: Some("failed".into()), limit: Some(5), ..Default::default() };
        let _ = client.get_logs(&query).await;
        let _ = client.list_endpoints(&Page { limit: Some(2), cursor: Some("c 1".into()) }).await;
        let _ =
            client.update_endpoint("ep_1", &UpdateEndpointOptions { description: Some("d".into()), ..Default::default() }).await;
        let _ = client.delete_endpoint("ep_1").await;
    }
    let server = MockServer::always(Scripted::json(200, json!({"data": {}})));
    ops(&Client::new(server.config().with_retries(0)).unwrap()).await;
    let transport = ScriptedTransport::new([]);
    ops(&custom(server.config().with_retries(0), transport.clone(), Arc::default())).await;

    let on_wire = server.requests();
    let handed = transport.seen();
    assert_eq!(on_wire.len(), 7, "one request per operation");
    assert_eq!(handed.len(), on_wire.len());
    for (wire, request) in on_wire.iter().zip(&handed) {
        assert_eq!(request.method.as_str(), wire.method);
        let path_and_query = match &wire.query {
            Some(q) => format!("{}{}?{q}", server.url(), wire.path),
            None => format!("{}{}", server.url(), wire.path),
        };
        assert_eq!(request.url, path_and_query);
        assert_eq!(request.body.as_deref().unwrap_or_default(), wire.body.as_slice(), "body of {}", request.url);
        // The server sees the transport's headers plus the framing: Host, and a body's length.
        let mut expected: Vec<(String, String)> =
            request.headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
        expected.push(("host".into(), server.url().trim_start_matches("http://").to_owned()));
        if let Some(body) = &request.body {
            expected.push(("content-length".into(), body.len().to_string()));
        }
        let mut got: Vec<(String, String)> =
            wire.headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "headers of {} {}", wire.method, wire.path);
    }
    let replay = &handed[1];
    assert_eq!(replay.headers.get("content-length").map(|v| v.to_str().unwrap()), Some("0"), "body-less POST");
    assert!(handed[3].headers.get("content-length").is_none(), "a GET carries no Content-Length");
    assert!(handed[6].headers.get("content-length").is_none(), "neither does a DELETE");
    assert_eq!(handed[0].headers.get("authorization").unwrap().to_str().unwrap(), format!("Bearer {API_KEY}"));
    assert_eq!(handed[0].timeouts.read, server.config().timeout);
}

#[tokio::test]
async fn the_custom_transports_answers_drive_the_retry_loop() {
    let transport = ScriptedTransport::new([
        error_answer(503, "UNAVAILABLE"),
        Err(TransportError::Connect("refused".into())),
        Err(TransportError::Timeout),
        Ok(answer(200, message())),
    ]);
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = custom(ClientConfig::new(API_KEY).with_base_url("http://127.0.0.1:9"), transport.clone(), sleeper.clone());
    let got = client.get_message("m1").await.expect("the fourth attempt succeeds");
    assert_eq!(got.id, "m1");
    assert_eq!(transport.seen().len(), 4);
    let waits: Vec<u128> = sleeper.waits.lock().unwrap().iter().map(Duration::as_millis).collect();
    assert_eq!(waits, [100, 200, 400], "backoff waits go through the sleeper");

    // Classified failures map to the same errors as with reqwest; the last one is returned.
    for (failure, kind, code) in [
        (Err(TransportError::Timeout), ErrorKind::Timeout, "TIMEOUT"),
        (Err(TransportError::Connect("refused".into())), ErrorKind::Network, "NETWORK_ERROR"),
        (Err(TransportError::Other("reset".into())), ErrorKind::Network, "NETWORK_ERROR"),
        (error_answer(502, "BAD_GATEWAY"), ErrorKind::Api, "BAD_GATEWAY"),
    ] {
        let transport = ScriptedTransport::new([failure.clone(), failure.clone(), failure]);
        let sleeper = Arc::new(RecordingSleeper::default());
        let client = custom(ClientConfig::new(API_KEY).with_retries(2), transport.clone(), sleeper.clone());
        let err = client.get_message("m1").await.unwrap_err();
        assert_eq!((err.kind(), err.code()), (kind, code));
        assert_eq!((transport.seen().len(), sleeper.waits.lock().unwrap().len()), (3, 2));
    }
    let transport = ScriptedTransport::new([Err(TransportError::Connect("refused".into()))]);
    let err = custom(ClientConfig::new(API_KEY).with_retries(0), transport, Arc::default()).get_message("m").await.unwrap_err();
    assert_eq!(err.message(), "refused", "the transport's text is the error message");
}

#[tokio::test]
async fn client_errors_and_aborts_end_the_loop_at_once() {
    let transport = ScriptedTransport::new([error_answer(404, "NOT_FOUND")]);
    let sleeper = Arc::new(RecordingSleeper::default());
    let err = custom(ClientConfig::new(API_KEY), transport.clone(), sleeper.clone()).get_message("m1").await.unwrap_err();
    assert_eq!((err.kind(), transport.seen().len(), sleeper.waits.lock().unwrap().len()), (ErrorKind::NotFound, 1, 0));

    let transport = ScriptedTransport::new([Err(TransportError::Aborted("KeyboardInterrupt".into()))]);
    let err = custom(ClientConfig::new(API_KEY), transport.clone(), Arc::default()).get_message("m1").await.unwrap_err();
    assert_eq!((err.message(), transport.seen().len()), ("KeyboardInterrupt", 1), "an abort is never retried");

    let transport = ScriptedTransport::new([error_answer(500, "INTERNAL")]);
    let sleeper = Arc::new(RecordingSleeper { abort: true, ..Default::default() });
    let err = custom(ClientConfig::new(API_KEY), transport.clone(), sleeper.clone()).get_message("m1").await.unwrap_err();
    assert_eq!((err.message(), transport.seen().len()), ("interrupted", 1), "a failed sleep ends the loop");
}

#[tokio::test]
async fn redirects_and_retry_after_come_from_the_custom_transports_headers() {
    let mut redirect = answer(302, json!(null));
    redirect.headers.insert("location", "https://files.example/export.csv".parse().unwrap());
    let transport = ScriptedTransport::new([Ok(redirect)]);
    let url = custom(ClientConfig::new(API_KEY), transport, Arc::default()).download_export("exp_1").await.unwrap();
    assert_eq!(url, "https://files.example/export.csv");

    let mut busy = answer(503, json!({"error": {"code": "QUEUE_FULL", "message": "busy"}}));
    busy.headers.insert("retry-after", "2".parse().unwrap());
    let transport = ScriptedTransport::new([Ok(busy), Ok(answer(200, message()))]);
    let sleeper = Arc::new(RecordingSleeper::default());
    custom(ClientConfig::new(API_KEY), transport, sleeper.clone()).get_message("m1").await.unwrap();
    assert_eq!(*sleeper.waits.lock().unwrap(), [Duration::from_secs(2)], "Retry-After is honoured over any transport");
}
