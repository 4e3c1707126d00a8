//! Bounds on what refused ingest requests store. The ingest route needs no credentials, so
//! anyone can make it refuse requests; every refusal is still answered, but:
//! - recording is rate-limited per sender address (IPv6 by /64) and per endpoint (requests to
//!   unknown endpoints share one budget); a refusal over either rate is not stored, and is
//!   counted in `hookbridge_inbound_rejections_unrecorded_total` and in a warning logged at most
//!   once a minute;
//! - a record keeps at most [`RejectionLogLimits::max_headers`] header names, each cut to
//!   [`MAX_HEADER_NAME_CHARS`] characters, and a detail of at most [`MAX_DETAIL_CHARS`];
//! - the store keeps at most [`RejectionLogLimits::max_per_endpoint`] records per endpoint (and
//!   as many for unknown endpoints together), deleting the oldest as it writes.

use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::delivery::rate_limit::RateLimiter;
use crate::telemetry::Telemetry;

/// Longest header name stored in a rejection record (longer names are cut).
pub const MAX_HEADER_NAME_CHARS: usize = 64;
/// Longest `reason_detail` (and error message) of a refusal; longer ones are cut.
pub const MAX_DETAIL_CHARS: usize = 512;
/// Most sender addresses (and endpoints) whose recording budget is tracked at once.
const MAX_TRACKED_KEYS: usize = 50_000;
/// Time between two warnings about unrecorded refusals.
const WARN_INTERVAL: Duration = Duration::from_secs(60);
/// The budget key shared by every request to an unknown endpoint.
const UNKNOWN_ENDPOINT_KEY: &str = "(unknown endpoint)";

/// The configurable limits (flags `--rejection-log-*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectionLogLimits {
    /// Refusals recorded per sender address per minute.
    pub per_source_per_minute: u32,
    /// Refusals recorded per endpoint per minute.
    pub per_endpoint_per_minute: u32,
    /// Records kept per endpoint (and for unknown endpoints together).
    pub max_per_endpoint: u32,
    /// Header names kept per record.
    pub max_headers: u32,
}

impl Default for RejectionLogLimits {
    fn default() -> Self {
        RejectionLogLimits { per_source_per_minute: 60, per_endpoint_per_minute: 120, max_per_endpoint: 1000, max_headers: 32 }
    }
}

/// Decides which refusals are recorded and shapes what is stored of them.
pub struct RejectionLog {
    limits: RejectionLogLimits,
    sources: RateLimiter,
    endpoints: RateLimiter,
    /// Unrecorded refusals since the last warning, and when that warning was logged.
    unlogged: Mutex<(u64, Option<Instant>)>,
}

impl RejectionLog {
    /// A log with these limits.
    pub fn new(limits: RejectionLogLimits) -> Self {
        RejectionLog {
            limits,
            sources: RateLimiter::bounded(MAX_TRACKED_KEYS),
            endpoints: RateLimiter::bounded(MAX_TRACKED_KEYS),
            unlogged: Mutex::new((0, None)),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &RejectionLogLimits {
        &self.limits
    }

    /// Whether a refusal of a request from `source` to `endpoint_id` (`None`: unknown endpoint)
    /// may be recorded now. When not, counts it in `unrecorded` and warns at most once a minute.
    pub fn admit(&self, source: Option<IpAddr>, endpoint_id: Option<&str>, unrecorded: &AtomicU64) -> bool {
        let per_minute = |n: u32| (f64::from(n) / 60.0, f64::from(n));
        let (source_rate, source_burst) = per_minute(self.limits.per_source_per_minute);
        let (endpoint_rate, endpoint_burst) = per_minute(self.limits.per_endpoint_per_minute);
        let source_ok = self.sources.take(&source_key(source), source_rate, source_burst).is_ok();
        let admitted =
            source_ok && self.endpoints.take(endpoint_id.unwrap_or(UNKNOWN_ENDPOINT_KEY), endpoint_rate, endpoint_burst).is_ok();
        if !admitted {
            Telemetry::inc(unrecorded);
            self.note_unrecorded();
        }
        admitted
    }

    fn note_unrecorded(&self) {
        let mut unlogged = self.unlogged.lock().unwrap_or_else(|p| p.into_inner());
        unlogged.0 += 1;
        let now = Instant::now();
        if unlogged.1.is_none_or(|at| now.duration_since(at) >= WARN_INTERVAL) {
            tracing::warn!(
                unrecorded = unlogged.0,
                "refused ingest requests over the rejection log rate (per sender address or per endpoint) were \
                 answered but not recorded"
            );
            *unlogged = (0, Some(now));
        }
    }

    /// The request's header names with every value masked, as a JSON-encoded object: at most
    /// `max_headers` names, each cut to [`MAX_HEADER_NAME_CHARS`] characters.
    pub fn redacted_headers(&self, headers: &HeaderMap) -> String {
        let masked: Map<String, Value> = headers
            .keys()
            .take(self.limits.max_headers as usize)
            .map(|name| (cut(name.as_str(), MAX_HEADER_NAME_CHARS), Value::String("***".into())))
            .collect();
        Value::Object(masked).to_string()
    }
}

/// `text` cut to at most `max` characters (with `…` marking the cut).
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let end = text.char_indices().nth(max.saturating_sub(1)).map_or(0, |(i, _)| i);
            format!("{}…", &text[..end])
        }
    }
}

/// The budget key of a sender: its IPv4 address, or the /64 network of an IPv6 address (one
/// host usually holds a whole /64).
fn source_key(source: Option<IpAddr>) -> String {
    match source {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "(unknown address)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    fn log(per_source: u32, per_endpoint: u32) -> RejectionLog {
        RejectionLog::new(RejectionLogLimits {
            per_source_per_minute: per_source,
            per_endpoint_per_minute: per_endpoint,
            ..Default::default()
        })
    }

    #[test]
    fn recording_is_limited_per_source_and_per_endpoint() {
        let log = log(3, 5);
        let dropped = AtomicU64::new(0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let admitted = (0..10).filter(|_| log.admit(Some(a), Some("ep"), &dropped)).count();
        assert_eq!(admitted, 3, "the source's budget");
        let admitted = (0..10).filter(|_| log.admit(Some(b), Some("ep"), &dropped)).count();
        assert_eq!(admitted, 2, "what is left of the endpoint's budget");
        let c: IpAddr = "192.0.2.3".parse().unwrap();
        assert!(log.admit(Some(c), Some("other"), &dropped), "another endpoint has its own budget");
        let admitted = (0..10).filter(|_| log.admit(Some(c), None, &dropped)).count();
        assert_eq!(admitted, 2, "the rest of c's budget, on the shared budget of unknown endpoints");
        assert_eq!(dropped.load(std::sync::atomic::Ordering::Relaxed), 7 + 8 + 8);
    }

    #[test]
    fn ipv6_senders_share_their_64_budget() {
        let log = log(2, 100);
        let dropped = AtomicU64::new(0);
        let ips: Vec<IpAddr> = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2::77"].map(|s| s.parse().unwrap()).into();
        let admitted = ips.iter().filter(|ip| log.admit(Some(**ip), Some("ep"), &dropped)).count();
        assert_eq!(admitted, 2);
        assert!(log.admit(Some("2001:db8:1:3::1".parse().unwrap()), Some("ep"), &dropped));
    }

    #[test]
    fn redaction_masks_every_value() {
        let mut h = HeaderMap::new();
        h.append("authorization", HeaderValue::from_static("Bearer s"));
        h.append("x-a", HeaderValue::from_static("1"));
        h.append("x-a", HeaderValue::from_static("2"));
        let v: Value = serde_json::from_str(&log(1, 1).redacted_headers(&h)).unwrap();
        assert_eq!(v, serde_json::json!({"authorization": "***", "x-a": "***"}));
    }

    #[test]
    fn stored_headers_are_capped_in_number_and_length() {
        let log = RejectionLog::new(RejectionLogLimits { max_headers: 3, ..Default::default() });
        let mut headers = HeaderMap::new();
        for i in 0..10 {
            let name = format!("x-{i}-{}", "n".repeat(200));
            headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_static("secret"));
        }
        let stored: Map<String, Value> = serde_json::from_str(&log.redacted_headers(&headers)).unwrap();
        assert_eq!(stored.len(), 3);
        assert!(stored.keys().all(|k| k.chars().count() == MAX_HEADER_NAME_CHARS && k.ends_with('…')), "{stored:?}");
        assert!(stored.values().all(|v| v == "***"));
    }

    #[test]
    fn cut_keeps_short_text_and_marks_cuts_on_char_boundaries() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("ééééé", 4), "ééé…");
        assert_eq!(cut("", 0), "");
    }
}
