//! The default [`HttpTransport`]: one pooled reqwest client for both hosts, no redirects followed,
//! gzip and deflate answers decompressed.

use std::time::Duration;

use super::http::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, Timeouts, TransportError};
use crate::error::{Error, Result};

/// Sends attempts over a pooled reqwest client.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// Builds the pooled client. reqwest applies the connect and read limits per client, so they
    /// are fixed here; the per-request [`Timeouts`] repeat them for other transports.
    pub fn new(timeouts: Timeouts) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::network(format!("cannot build HTTP client: {e}")))?;
        Ok(ReqwestTransport { http })
    }
}

impl HttpTransport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<Result<HttpResponse, TransportError>> {
        let mut builder = self.http.request(request.method, request.url).headers(request.headers);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        Box::pin(async move {
            let response = builder.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(classify)?;
            Ok(HttpResponse { status, headers, body })
        })
    }
}

/// Sorts a reqwest failure into the classes the retry loop maps to errors, keeping every cause
/// of the chain in the text.
fn classify(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        return TransportError::Timeout;
    }
    let connect = e.is_connect();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    if connect { TransportError::Connect(message) } else { TransportError::Other(message) }
}
