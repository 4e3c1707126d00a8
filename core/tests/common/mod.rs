//! A real local HTTP server for the integration tests: it records every request it receives
//! (method, raw path, raw query string, headers, body bytes) and answers from a script.
//!
//! The server runs on its own tokio runtime, so it serves both the async client (inside
//! `#[tokio::test]`) and the blocking client (inside a plain `#[test]`).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use hookbridge::{Client, ClientConfig};
use serde_json::{Value, json};

/// The API key every test client uses.
pub const API_KEY: &str = "hb_test_0123456789abcdef0123456789abcdef";

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// HTTP method, upper case.
    pub method: String,
    /// Path exactly as sent (still percent-encoded).
    pub path: String,
    /// Raw query string without `?`, `None` when the URL had no `?`.
    pub query: Option<String>,
    /// Request headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Recorded {
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (panics when it is empty or not JSON).
    pub fn json(&self) -> Value {
        assert!(!self.body.is_empty(), "expected a JSON body on {} {}, got none", self.method, self.path);
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The keys of the JSON object body, in the order they were sent.
    pub fn json_keys(&self) -> Vec<String> {
        self.json().as_object().expect("body is a JSON object").keys().cloned().collect()
    }

    /// Asserts method, path and exact query string (`None` = no `?` at all).
    pub fn expect(&self, method: &str, path: &str, query: Option<&str>) -> &Self {
        assert_eq!(self.method, method, "method of {}", self.path);
        assert_eq!(self.path, path, "path");
        assert_eq!(self.query.as_deref(), query, "query string of {} {}", self.method, self.path);
        self
    }

    /// Asserts the request carried no body at all.
    pub fn expect_no_body(&self) -> &Self {
        assert!(
            self.body.is_empty(),
            "expected no body on {} {}, got {:?}",
            self.method,
            self.path,
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    /// Asserts the JSON body equals `expected` (key order is checked separately by `json_keys`).
    pub fn expect_json(&self, expected: Value) -> &Self {
        assert_eq!(self.json(), expected, "JSON body of {} {}", self.method, self.path);
        self
    }

    /// Asserts the standard request headers (sent on every request, with or without a body).
    pub fn expect_sdk_headers(&self) -> &Self {
        assert_eq!(self.header("authorization"), Some(format!("Bearer {API_KEY}").as_str()), "Authorization");
        assert_eq!(self.header("content-type"), Some("application/json"), "Content-Type on {} {}", self.method, self.path);
        assert_eq!(self.header("accept"), Some("application/json"), "Accept");
        let ua = self.header("user-agent").unwrap_or_default();
        assert!(ua.starts_with("hookbridge-rust/"), "User-Agent must name hookbridge-rust, got {ua:?}");
        self
    }
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Scripted {
    /// HTTP status.
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// How long to wait (after recording the request) before answering.
    pub delay: Duration,
}

impl Scripted {
    /// A JSON answer with any status.
    pub fn json(status: u16, value: Value) -> Self {
        Scripted::raw(status, &value.to_string()).header("content-type", "application/json")
    }

    /// A 200 success envelope `{"data": value, "meta": {"request_id": "req_test"}}`.
    pub fn data(value: Value) -> Self {
        Scripted::json(200, json!({"data": value, "meta": {"request_id": "req_test"}}))
    }

    /// An answer with a raw text body.
    pub fn raw(status: u16, body: &str) -> Self {
        Scripted { status, headers: Vec::new(), body: body.as_bytes().to_vec(), delay: Duration::ZERO }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Self {
        Scripted::raw(status, "")
    }

    /// The API's error envelope.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Scripted::json(status, json!({"error": {"code": code, "message": message}, "meta": {"request_id": "req_err_1"}}))
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Answers only after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

struct Shared {
    requests: Mutex<Vec<Recorded>>,
    queue: Mutex<VecDeque<Scripted>>,
    fallback: Mutex<Scripted>,
}

/// A recording HTTP server on `127.0.0.1:<random port>`.
pub struct MockServer {
    url: String,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl MockServer {
    /// Starts a server that answers `fallback` whenever its queue is empty.
    pub fn start(fallback: Scripted) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            queue: Mutex::new(VecDeque::new()),
            fallback: Mutex::new(fallback),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("server runtime");
        let app = axum::Router::new().fallback(handle).with_state(shared.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            axum::serve(listener, app).await.expect("serve");
        });
        MockServer { url, shared, runtime: Some(runtime) }
    }

    /// A server that always answers `reply`.
    pub fn always(reply: Scripted) -> Self {
        MockServer::start(reply)
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Queues answers used before the fallback, in order.
    pub fn enqueue(&self, replies: impl IntoIterator<Item = Scripted>) {
        self.shared.queue.lock().unwrap().extend(replies);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn hits(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    /// The single request received (panics unless exactly one arrived).
    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:#?}");
        requests.into_iter().next().unwrap()
    }

    /// A client configuration pointing both hosts at this server.
    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(API_KEY).with_base_url(self.url()).with_send_url(self.url())
    }

    /// An async client pointing both hosts at this server (default retries).
    pub fn client(&self) -> Client {
        Client::new(self.config()).expect("client")
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.map(|b| b.to_vec()).unwrap_or_default();
    shared.requests.lock().unwrap().push(Recorded {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    });
    let reply = {
        let next = shared.queue.lock().unwrap().pop_front();
        next.unwrap_or_else(|| shared.fallback.lock().unwrap().clone())
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("valid status");
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            axum::http::HeaderValue::from_str(&value).expect("header value"),
        );
    }
    response
}

/// Runs one operation against a fresh server answering `reply`; returns the operation's result
/// and the single request it made, after checking the SDK headers.
pub async fn exchange<T>(reply: Scripted, op: impl AsyncFnOnce(&Client) -> hookbridge::Result<T>) -> (T, Recorded) {
    let server = MockServer::always(reply);
    let client = server.client();
    let result = op(&client).await.unwrap_or_else(|e| panic!("operation failed: {e:?}"));
    let request = server.only_request();
    request.expect_sdk_headers();
    (result, request)
}

/// Like [`exchange`] but returns the error the operation must fail with.
pub async fn exchange_err<T: std::fmt::Debug>(
    client_config: impl FnOnce(ClientConfig) -> ClientConfig,
    server: &MockServer,
    op: impl AsyncFnOnce(&Client) -> hookbridge::Result<T>,
) -> hookbridge::Error {
    let client = Client::new(client_config(server.config())).expect("client");
    op(&client).await.expect_err("operation must fail")
}

/// Parses a timestamp literal.
pub fn ts(text: &str) -> hookbridge::Timestamp {
    hookbridge::Timestamp::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Owned strings from literals.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
