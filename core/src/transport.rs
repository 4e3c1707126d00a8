//! HTTP transport: one pooled reqwest client for both hosts, the standard request headers,
//! error mapping and the retry loop.
//!
//! # Retries and duplicate sends
//! Network errors, timeouts, 3xx and 5xx answers are retried up to `retries` times, sleeping
//! `0.1 s × 2^attempt` between attempts (0.1, 0.2, 0.4 s); 4xx answers are never retried.
//! A 503 with `Retry-After` (a busy server: `QUEUE_FULL`, or its database restarting) waits at
//! least that long before the next attempt, at most [`MAX_RETRY_AFTER`], unless
//! `honor_retry_after` is off (the Python package, whose official original ignores it).
//! A `send` whose answer was lost (timeout, reset, 5xx after the server committed) is sent
//! again, which can create a duplicate message. Pass an idempotency key to `send` to make the
//! retry return the original message instead.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT};

use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::query::Query;

/// Which of the two configured hosts a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// The management API (`base_url`).
    Api,
    /// The send API (`send_url`), used only by `send`.
    Send,
}

/// One API call, before retries.
#[derive(Clone, Debug)]
pub struct Call {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Target host.
    pub host: Host,
    /// Path starting with `/v1/`.
    pub path: String,
    /// Query parameters.
    pub query: Query,
    /// JSON body bytes; `None` sends an empty body.
    pub body: Option<Vec<u8>>,
    /// Whether a 3xx answer is the expected result (export download).
    pub expects_redirect: bool,
}

impl Call {
    /// A call with no query and no body.
    pub fn new(method: reqwest::Method, path: impl Into<String>) -> Self {
        Call { method, host: Host::Api, path: path.into(), query: Query::new(), body: None, expects_redirect: false }
    }

    /// Sets the query.
    pub fn query(mut self, query: Query) -> Self {
        self.query = query;
        self
    }

    /// Sets a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::validation(format!("request body is not valid JSON: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Sends to the send host.
    pub fn on_send_host(mut self) -> Self {
        self.host = Host::Send;
        self
    }
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// A 2xx body (empty for 204).
    Body(bytes::Bytes),
    /// The `Location` of an expected redirect.
    Redirect(String),
}

/// Sends calls with the configured headers, timeout and retry policy.
#[derive(Debug)]
pub struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
}

impl Transport {
    /// Builds the pooled HTTP client; the configuration must already be validated.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.api_key))
            .map_err(|_| Error::validation("API key contains characters not allowed in an HTTP header"))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers
            .insert(USER_AGENT, HeaderValue::from_str(&config.user_agent).map_err(|_| Error::validation("invalid User-Agent"))?);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout.unwrap_or(config.timeout))
            .read_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::network(format!("cannot build HTTP client: {e}")))?;
        Ok(Transport { http, config })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends a call, retrying as the API documents, and returns the first success or the last error.
    pub async fn execute(&self, call: &Call) -> Result<Reply> {
        let mut last_error = Error::network("Request failed");
        for attempt in 0..=self.config.retries {
            let wait = match self.attempt(call).await {
                Ok(reply) => return Ok(reply),
                Err(e) if !e.is_retryable() => return Err(e),
                Err(e) => {
                    let asked = if self.config.honor_retry_after { e.retry_after() } else { None };
                    let wait = retry_delay(attempt, asked);
                    last_error = e;
                    wait
                }
            };
            if attempt < self.config.retries {
                tokio::time::sleep(wait).await;
            }
        }
        Err(last_error)
    }

    fn url(&self, call: &Call) -> String {
        let root = match call.host {
            Host::Api => &self.config.base_url,
            Host::Send => &self.config.send_url,
        };
        let mut url = String::with_capacity(root.len() + call.path.len() + 32);
        url.push_str(root);
        url.push_str(&call.path);
        if !call.query.is_empty() {
            url.push('?');
            url.push_str(&call.query.encode());
        }
        url
    }

    async fn attempt(&self, call: &Call) -> Result<Reply> {
        let mut request = self.http.request(call.method.clone(), self.url(call));
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        if call.expects_redirect && matches!(status, 301 | 302 | 303 | 307 | 308) {
            return match response.headers().get(LOCATION).and_then(|v| v.to_str().ok()) {
                Some(location) if !location.is_empty() => Ok(Reply::Redirect(location.to_owned())),
                _ => Err(Error::new(crate::ErrorKind::Api, "Missing redirect location", "INVALID_REDIRECT")),
            };
        }
        let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.bytes().await.map_err(transport_error)?;
        if (200..300).contains(&status) {
            Ok(Reply::Body(body))
        } else {
            Err(Error::from_response(status, &body, retry_after.as_deref()))
        }
    }
}

/// Longest `Retry-After` the retry loop waits before one attempt.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Delay before retry number `attempt + 1`: the backoff, or the server's `Retry-After` seconds
/// (at most [`MAX_RETRY_AFTER`]) when that is longer.
pub fn retry_delay(attempt: u32, retry_after_secs: Option<u64>) -> Duration {
    let asked = retry_after_secs.map_or(Duration::ZERO, |s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
    backoff(attempt).max(asked)
}

/// Delay before retry number `attempt + 1`: `0.1 s × 2^attempt`.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1u64 << attempt.min(20)))
}

fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        return Error::timeout();
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    Error::network(message)
}
