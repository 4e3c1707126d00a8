//! One delivery attempt: POST the stored payload with the signing headers and read the answer.
//! Outbound deliveries and inbound forwards share this client, and with it the SSRF guard at
//! connect time (see [`crate::url_policy::connect`]).

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};

use super::attempt_detail::{AttemptDetail, RESPONSE_BODY_CAP, request_headers_json, response_headers_json};
use super::schedule::{AttemptResult, parse_retry_after};
use crate::store::{ClaimedDelivery, Direction};
use crate::url_policy::UrlPolicy;
use crate::url_policy::connect::{GuardedResolver, refusal_in};

/// Most of a receiver's error body kept in `last_error`.
const ERROR_BODY_LIMIT: usize = 512;
/// The content type of every outbound send.
const JSON: &str = "application/json";
/// Most of a response body read (the rest is dropped with the connection).
const BODY_READ_LIMIT: usize = 1 << 20;
/// What `last_error` says when no connection could be made. The system's reason (refused,
/// reset, TLS alert...) is left out: telling those apart maps what listens behind an address.
pub const CONNECT_FAILED: &str = "connection failed";
/// What `last_error` says when a connection was made but no complete HTTP answer came back.
pub const NO_HTTP_ANSWER: &str = "request failed: no complete HTTP answer";

/// What an attempt produced.
#[derive(Debug)]
pub struct AttemptOutcome {
    /// The HTTP status or no answer.
    pub result: AttemptResult,
    /// How long it took.
    pub latency: Duration,
    /// Error text for failures.
    pub error: Option<String>,
    /// The receiver's `Retry-After`.
    pub retry_after: Option<Duration>,
    /// What was sent and received, as far as it got.
    pub detail: AttemptDetail,
}

/// Sends deliveries over one pooled HTTP client.
pub struct Sender {
    http: reqwest::Client,
    policy: UrlPolicy,
    user_agent: HeaderValue,
}

impl Sender {
    /// A sender with the per-attempt timeout that connects only where `policy` allows. It
    /// ignores proxy environment variables: a proxy would hide the real target from the guard.
    pub fn new(timeout: Duration, policy: UrlPolicy) -> Self {
        let http = reqwest::Client::builder()
            .dns_resolver(GuardedResolver::new(policy.clone()))
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .expect("static HTTP client configuration is valid");
        let user_agent = HeaderValue::from_static(concat!("HookBridge/", env!("CARGO_PKG_VERSION")));
        Sender { http, policy, user_agent }
    }

    /// The request headers: custom headers (for inbound forwards, never the sender's own
    /// `X-Webhook-*` headers), then content type, then the signing headers of the endpoint's
    /// scheme (`X-Webhook-*` or Standard Webhooks' `webhook-*`).
    pub fn headers(&self, delivery: &ClaimedDelivery) -> HeaderMap {
        // Room for the custom headers, content type, user agent and the three HookBridge headers.
        let mut headers = HeaderMap::with_capacity(delivery.headers.len() + 5);
        for (name, value) in &delivery.headers {
            if delivery.direction == Direction::Inbound && crate::ingest::request::is_hookbridge_header(name) {
                continue;
            }
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                headers.insert(n, v);
            }
        }
        let content_type = match delivery.content_type.as_str() {
            JSON => Ok(HeaderValue::from_static(JSON)),
            other => HeaderValue::from_str(other),
        };
        if let Ok(v) = content_type {
            headers.insert(CONTENT_TYPE, v);
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        if delivery.direction == Direction::Outbound || !delivery.secrets.is_empty() {
            let secrets: Vec<&str> = delivery.secrets.iter().map(String::as_str).collect();
            let signing = hookbridge::signing::delivery_headers(
                delivery.signature_scheme,
                &delivery.message_id,
                delivery.signed_at,
                &delivery.payload,
                &secrets,
            );
            for (name, value) in signing {
                // Takes the string's buffer as it is (no copy); the name is lower-cased.
                if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::try_from(value)) {
                    headers.insert(n, v);
                }
            }
        }
        headers
    }

    /// POSTs one delivery and classifies the answer.
    pub async fn deliver(&self, delivery: &ClaimedDelivery) -> AttemptOutcome {
        let started = Instant::now();
        let url = match self.policy.delivery_url(&delivery.url) {
            Ok(url) => url,
            Err(refusal) => return AttemptOutcome::no_answer(started, refusal.attempt_error()),
        };
        let headers = self.headers(delivery);
        let mut detail = AttemptDetail { request_headers: Some(request_headers_json(&headers)), ..AttemptDetail::default() };
        let request = self.http.post(url).headers(headers).body(delivery.payload.clone());
        match request.send().await {
            Ok(mut response) => {
                detail.ttfb_ms = Some(millis(started.elapsed()));
                detail.resolved_ip = response.remote_addr().map(|a| a.ip().to_string());
                detail.response_headers = Some(response_headers_json(response.headers()));
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, crate::clock::now_millis()));
                let mut snippet = Vec::new();
                let mut read = 0usize;
                while read < BODY_READ_LIMIT {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            read += chunk.len();
                            if snippet.len() < RESPONSE_BODY_CAP {
                                let take = (RESPONSE_BODY_CAP - snippet.len()).min(chunk.len());
                                snippet.extend_from_slice(&chunk[..take]);
                            }
                        }
                        _ => break,
                    }
                }
                let latency = started.elapsed();
                detail.response_body_truncated = Some(read > snippet.len());
                let body_text = String::from_utf8_lossy(&snippet).into_owned();
                let error = (!(200..300).contains(&status)).then(|| {
                    let body = String::from_utf8_lossy(&snippet[..snippet.len().min(ERROR_BODY_LIMIT)]);
                    let body = body.trim();
                    if body.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {body}") }
                });
                detail.response_body = Some(body_text);
                AttemptOutcome { result: AttemptResult::Status(status), latency, error, retry_after, detail }
            }
            Err(e) => AttemptOutcome { detail, ..AttemptOutcome::no_answer(started, failure_text(&e)) },
        }
    }
}

impl AttemptOutcome {
    fn no_answer(started: Instant, error: String) -> Self {
        AttemptOutcome {
            result: AttemptResult::NoAnswer,
            latency: started.elapsed(),
            error: Some(error),
            retry_after: None,
            detail: AttemptDetail::default(),
        }
    }
}

/// A duration in whole milliseconds.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The `last_error` of a request that got no HTTP answer: the guard's refusal, a timeout as the
/// client reports it, or a generic connect / request failure (the details go to the debug log).
fn failure_text(e: &reqwest::Error) -> String {
    if let Some(refusal) = refusal_in(e) {
        return refusal.attempt_error();
    }
    // The sources name the cause without the URL (whose query may hold a receiver's token).
    let mut causes = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        causes.push_str(": ");
        causes.push_str(&inner.to_string());
        source = inner.source();
    }
    tracing::debug!(cause = %causes, "delivery attempt got no answer");
    if e.is_timeout() {
        format!("timeout: {e}{causes}")
    } else if e.is_connect() {
        CONNECT_FAILED.to_owned()
    } else {
        NO_HTTP_ANSWER.to_owned()
    }
}
