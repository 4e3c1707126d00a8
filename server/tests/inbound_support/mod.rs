//! Shared harness of the inbound tests: a real `hookbridge-server` process (the built binary,
//! `--dev`, fast retries), the core client pointed at it, raw HTTP for routes the 1.4 client
//! does not have, and a real receiving app (axum on 127.0.0.1:0) that records every request.

#![allow(dead_code)]

#[allow(dead_code, clippy::duplicate_mod)] // inbound_abuse.rs also loads it through the harness
#[path = "../harness/backend.rs"]
mod backend;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;
use tokio::sync::Notify;

/// The API key of `--dev` mode.
pub const DEV_KEY: &str = "hb_test_dev00000000000000000000000000000";

/// A running server process, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _data_dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary with `--dev --listen 127.0.0.1:0 --retry-time-scale 0.001` plus `extra`.
    pub fn start(extra: &[&str]) -> Server {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let log = std::env::var_os("HOOKBRIDGE_TEST_LOG").is_some();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
            .args(["--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001", "--data-dir"])
            .arg(data_dir.path())
            .args(backend::server_args(data_dir.path()))
            .args(extra)
            .env_remove("HOOKBRIDGE_TRUST_FORWARDED_FOR")
            .stdout(Stdio::piped())
            .stderr(if log { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("start hookbridge-server");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => panic!("hookbridge-server exited before listening"),
            }
        };
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Server { child, url, _data_dir: data_dir }
    }

    /// The core client for this server (no client-side retries).
    pub fn client(&self) -> hookbridge::Client {
        hookbridge::Client::new(
            hookbridge::ClientConfig::new(DEV_KEY)
                .with_base_url(self.url.clone())
                .with_send_url(self.url.clone())
                .with_retries(0),
        )
        .expect("client")
    }

    /// An authenticated raw API call; returns the status and the JSON body.
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.url)).bearer_auth(DEV_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API call");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The Prometheus text of `GET /metrics`.
    pub async fn prometheus(&self) -> String {
        reqwest::get(format!("{}/metrics", self.url)).await.expect("metrics").text().await.expect("metrics text")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a Prometheus counter in `text`.
pub fn counter(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
        .unwrap_or_else(|| panic!("counter {name} not in metrics"))
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Method.
    pub method: Method,
    /// Path and query.
    pub uri: Uri,
    /// Headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
}

impl Recorded {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct ReceiverState {
    requests: Mutex<Vec<Recorded>>,
    statuses: Mutex<VecDeque<u16>>,
    notify: Notify,
}

/// A receiving app that records requests and answers 200 unless told otherwise.
pub struct Receiver {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<ReceiverState>,
}

async fn record(
    State(state): State<Arc<ReceiverState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let status = state.statuses.lock().unwrap().pop_front().unwrap_or(200);
    state.requests.lock().unwrap().push(Recorded { method, uri, headers, body });
    state.notify.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    /// Starts the app on a free port.
    pub async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let app = axum::Router::new().fallback(record).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, state }
    }

    /// The forwarding URL (a path under the receiver).
    pub fn hook_url(&self) -> String {
        format!("{}/hooks/inbound", self.url)
    }

    /// Answers the next requests with these statuses (then 200 again).
    pub fn answer_next(&self, statuses: &[u16]) {
        self.state.statuses.lock().unwrap().extend(statuses);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; panics after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.state.notify.notified();
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("receiver got {} requests, expected {n} within {timeout:?}", got.len());
            }
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), notified).await;
        }
    }
}

/// Polls `check` every 50 ms until it returns `Some`, panicking after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain HTTP client for senders (no API key).
pub fn sender() -> reqwest::Client {
    reqwest::Client::builder().build().expect("sender client")
}

/// The `data` object of a success envelope.
pub fn data(body: &Value) -> &Value {
    body.get("data").unwrap_or_else(|| panic!("no data in {body}"))
}

/// Hex HMAC-SHA256, as a provider would sign.
pub fn hmac_hex(secret: &str, message: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Unix seconds now.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
