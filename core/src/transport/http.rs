//! The pluggable HTTP layer under the retry loop: a [`HttpTransport`] sends one fully built
//! [`HttpRequest`] and hands back an [`HttpResponse`] or a classified [`TransportError`]; a
//! [`Sleeper`] waits between attempts. The default pair is [`super::ReqwestTransport`] and
//! [`TokioSleeper`]; a binding can plug in its own (the Python package sends through httpx when
//! a test has patched httpx, and sleeps through the names tests patch).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;

/// A boxed, sendable future: what the transport and sleeper traits return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The time limits of one attempt, in the parts httpx distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the connection.
    pub connect: Duration,
    /// Waiting for each read of the answer.
    pub read: Duration,
    /// Waiting for each write of the request.
    pub write: Duration,
    /// Waiting for a free connection of the pool.
    pub pool: Duration,
}

impl Timeouts {
    /// The same limit for every part (what a single `timeout` setting means).
    pub fn uniform(limit: Duration) -> Self {
        Timeouts { connect: limit, read: limit, write: limit, pool: limit }
    }

    /// The limits a client configuration sets: its `timeout` for every part, except connecting
    /// when it sets `connect_timeout`.
    pub fn of(config: &crate::config::ClientConfig) -> Self {
        Timeouts { connect: config.connect_timeout.unwrap_or(config.timeout), ..Timeouts::uniform(config.timeout) }
    }
}

/// One attempt, exactly as it goes on the wire except for framing: the transport adds `Host`
/// and, when there is a body, its `Content-Length`.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL with the encoded query string.
    pub url: String,
    /// Every header to send, in this order (including `Content-Length: 0` on a body-less
    /// POST, PUT or PATCH, as httpx sends it).
    pub headers: HeaderMap,
    /// Body bytes; `None` sends no body.
    pub body: Option<bytes::Bytes>,
    /// Limits for this attempt.
    pub timeouts: Timeouts,
}

/// An HTTP answer, its body already decompressed.
#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: bytes::Bytes,
}

/// Why an attempt got no HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The connection could not be made (refused, unreachable, DNS, TLS); retried.
    Connect(String),
    /// A time limit ran out; retried.
    Timeout,
    /// Any other failure on the way (reset, broken body); retried.
    Other(String),
    /// The transport (or sleeper) stopped for a reason of its own, e.g. a Python exception that
    /// must reach the caller unchanged: the retry loop ends at once with a network error carrying
    /// this text, and the binding raises what it kept aside.
    Aborted(String),
}

/// Sends one attempt. Implementations must be cheap to share across tasks.
pub trait HttpTransport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns its answer, whatever the status.
    fn send(&self, request: HttpRequest) -> BoxFuture<Result<HttpResponse, TransportError>>;
}

/// Waits between attempts.
pub trait Sleeper: Send + Sync + std::fmt::Debug {
    /// Waits `duration`; an error ends the retry loop (see [`TransportError::Aborted`]).
    fn sleep(&self, duration: Duration) -> BoxFuture<Result<(), TransportError>>;
}

/// The default sleeper: a tokio timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<Result<(), TransportError>> {
        Box::pin(async move {
            tokio::time::sleep(duration).await;
            Ok(())
        })
    }
}
