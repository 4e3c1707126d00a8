//! HTTP transport: the standard request headers, error mapping and the retry loop, over a
//! pluggable [`HttpTransport`] (by default [`ReqwestTransport`]: one pooled reqwest client for
//! both hosts) and [`Sleeper`] (by default a tokio timer).
//!
//! Every request carries `Authorization`, `Content-Type: application/json`, `Accept:
//! application/json`, the SDK's `User-Agent` and `Accept-Encoding: gzip, deflate` (answers are
//! decompressed); a body-less POST, PUT or PATCH carries `Content-Length: 0`.
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

mod http;
mod reqwest;

use std::sync::Arc;
use std::time::Duration;

pub use ::reqwest::Method;
use ::reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER, USER_AGENT,
};
/// Header types of [`HttpRequest`] and [`HttpResponse`], for transports outside this crate.
pub use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue};

pub use self::http::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, Sleeper, Timeouts, TokioSleeper, TransportError};
pub use self::reqwest::ReqwestTransport;
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
    pub method: Method,
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
    pub fn new(method: Method, path: impl Into<String>) -> Self {
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

/// Sends calls with the configured headers, timeout and retry policy, over any [`HttpTransport`].
#[derive(Debug)]
pub struct Transport {
    http: Arc<dyn HttpTransport>,
    sleeper: Arc<dyn Sleeper>,
    headers: HeaderMap,
    config: ClientConfig,
}

impl Transport {
    /// The default transport (pooled reqwest client, tokio timers); the configuration must
    /// already be validated.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = ReqwestTransport::new(Timeouts::of(&config))?;
        Transport::with(config, Arc::new(http), Arc::new(TokioSleeper))
    }

    /// The same retry loop over another transport and sleeper.
    pub fn with(config: ClientConfig, http: Arc<dyn HttpTransport>, sleeper: Arc<dyn Sleeper>) -> Result<Self> {
        let headers = standard_headers(&config)?;
        Ok(Transport { http, sleeper, headers, config })
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
                Err(Failure::Aborted(e)) => return Err(e),
                Err(Failure::Error(e)) if !e.is_retryable() => return Err(e),
                Err(Failure::Error(e)) => {
                    let asked = if self.config.honor_retry_after { e.retry_after() } else { None };
                    let wait = retry_delay(attempt, asked);
                    last_error = e;
                    wait
                }
            };
            if attempt < self.config.retries
                && let Err(stopped) = self.sleeper.sleep(wait).await
            {
                let (Failure::Error(e) | Failure::Aborted(e)) = Failure::from(stopped);
                return Err(e);
            }
        }
        Err(last_error)
    }

    /// The attempt `call` makes, exactly as the transport receives it.
    pub fn request(&self, call: &Call) -> HttpRequest {
        let mut headers = self.headers.clone();
        if call.body.is_none() && matches!(call.method, Method::POST | Method::PUT | Method::PATCH) {
            // httpx sends it, and strict proxies refuse a body-less POST without it (411).
            headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        HttpRequest {
            method: call.method.clone(),
            url: self.url(call),
            headers,
            body: call.body.clone().map(bytes::Bytes::from),
            timeouts: Timeouts::of(&self.config),
        }
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

    async fn attempt(&self, call: &Call) -> Result<Reply, Failure> {
        let response = self.http.send(self.request(call)).await.map_err(Failure::from)?;
        let status = response.status;
        if call.expects_redirect && matches!(status, 301 | 302 | 303 | 307 | 308) {
            return match response.headers.get(LOCATION).and_then(|v| v.to_str().ok()) {
                Some(location) if !location.is_empty() => Ok(Reply::Redirect(location.to_owned())),
                _ => Err(Failure::Error(Error::new(crate::ErrorKind::Api, "Missing redirect location", "INVALID_REDIRECT"))),
            };
        }
        if (200..300).contains(&status) {
            Ok(Reply::Body(response.body))
        } else {
            let retry_after = response.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
            Err(Failure::Error(Error::from_response(status, &response.body, retry_after)))
        }
    }
}

/// How one attempt failed: an error for the retry policy, or a stop that ends the loop.
enum Failure {
    Error(Error),
    Aborted(Error),
}

impl From<TransportError> for Failure {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Timeout => Failure::Error(Error::timeout()),
            TransportError::Connect(message) | TransportError::Other(message) => Failure::Error(Error::network(message)),
            TransportError::Aborted(message) => Failure::Aborted(Error::network(message)),
        }
    }
}

/// The headers of every request: credentials, JSON both ways, the SDK's name, compression.
fn standard_headers(config: &ClientConfig) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.api_key))
        .map_err(|_| Error::validation("API key contains characters not allowed in an HTTP header"))?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_str(&config.user_agent).map_err(|_| Error::validation("invalid User-Agent"))?);
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate"));
    Ok(headers)
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
