//! Raw HTTP helpers for checking envelopes and status codes, and small polling helpers.

#![allow(dead_code)]

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::harness::DEV_KEY;

/// How long tests wait for asynchronous work (deliveries, export jobs).
pub const WAIT: Duration = Duration::from_secs(20);

/// A raw HTTP client for one server and key.
pub struct Raw {
    http: reqwest::Client,
    /// Base URL.
    pub base: String,
    /// API key sent as `Bearer` (None: no `Authorization` header).
    pub key: Option<String>,
}

/// A raw answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// JSON body (`Value::Null` when not JSON).
    pub body: Value,
    /// Raw body text.
    pub text: String,
}

impl Answer {
    /// Asserts the contract's error envelope with this status and code; returns the message.
    pub fn expect_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "status of {:?}", self.text);
        assert_eq!(self.body["error"]["code"], code, "code of {:?}", self.text);
        let message = self.body["error"]["message"].as_str().expect("error.message is a string");
        assert!(!message.is_empty());
        let request_id = self.body["meta"]["request_id"].as_str().expect("meta.request_id");
        assert!(request_id.starts_with("req_"), "request id {request_id}");
        message.to_owned()
    }

    /// Asserts a success envelope with this status; returns `data`.
    pub fn expect_ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "status of {:?}", self.text);
        assert!(
            self.body["meta"]["request_id"].as_str().is_some_and(|r| r.starts_with("req_")),
            "meta.request_id in {:?}",
            self.text
        );
        &self.body["data"]
    }
}

impl Raw {
    /// A raw client with the dev key.
    pub fn new(base: &str) -> Raw {
        Raw::with_key(base, Some(DEV_KEY))
    }

    /// A raw client with any key (or none).
    pub fn with_key(base: &str, key: Option<&str>) -> Raw {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("reqwest client");
        Raw { http, base: base.to_owned(), key: key.map(str::to_owned) }
    }

    /// Sends a request with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
        let mut request = self.http.request(method, url);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// Sends a request with a raw body and content type.
    pub async fn call_raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }
}

/// A core client for a key on a server URL (no client-side retries).
pub fn client_for(url: &str, key: &str) -> hookbridge::Client {
    hookbridge::Client::new(hookbridge::ClientConfig::new(key).with_base_url(url).with_send_url(url).with_retries(0))
        .expect("valid client configuration")
}

/// Polls `check` until it returns `Some` (panics after `timeout`).
#[allow(unused_imports)] // not every test crate that includes this module polls
pub use crate::harness::eventually;

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
