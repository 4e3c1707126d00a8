//! Pull endpoint rules: the life of a stored event (`stored → fetched → delivered`), where its
//! event type comes from, its timing figures and the retention window. Both stores apply these
//! answers; neither decides them in SQL.

use axum::http::HeaderMap;
use serde_json::Value;

/// Retention when an endpoint sets none (days).
pub const DEFAULT_RETENTION_DAYS: i64 = 7;
/// Longest retention an endpoint may set (days).
pub const MAX_RETENTION_DAYS: i64 = 365;
/// Longest stored event type; longer values are cut.
const MAX_EVENT_TYPE: usize = 255;
/// Body path used when `event_type_source` is `body` and no path is set.
pub const DEFAULT_BODY_PATH: &str = "type";
/// Header used when `event_type_source` is `header` and no path (header name) is set.
pub const DEFAULT_EVENT_TYPE_HEADER: &str = "x-event-type";

/// Where an event's status stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PullEventStatus {
    /// Received, never read by a receiver.
    Stored,
    /// Read (non-preview) at least once, not acknowledged.
    Fetched,
    /// Acknowledged by a receiver.
    Delivered,
}

impl PullEventStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [PullEventStatus; 3] = [PullEventStatus::Stored, PullEventStatus::Fetched, PullEventStatus::Delivered];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PullEventStatus::Stored => "stored",
            PullEventStatus::Fetched => "fetched",
            PullEventStatus::Delivered => "delivered",
        }
    }

    /// Reads a spelling (`None` for anything else).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status after a read: a non-preview read of a live `stored` event makes it
    /// `fetched`; `None` when the read changes nothing (a preview, or a deleted event).
    pub fn after_read(self, preview: bool, deleted: bool) -> Option<PullEventStatus> {
        (!preview && !deleted && self == PullEventStatus::Stored).then_some(PullEventStatus::Fetched)
    }

    /// Whether an acknowledgement moves the event to `delivered`: it is live and not there yet.
    pub fn ack_applies(self, deleted: bool) -> bool {
        !deleted && self != PullEventStatus::Delivered
    }
}

/// Where the event type of an ingested event is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTypeSource {
    /// A dotted path into the JSON body.
    Body,
    /// A request header.
    Header,
}

impl EventTypeSource {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventTypeSource::Body => "body",
            EventTypeSource::Header => "header",
        }
    }

    /// Reads a spelling (`None` for anything else).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "body" => Some(EventTypeSource::Body),
            "header" => Some(EventTypeSource::Header),
            _ => None,
        }
    }
}

/// The event type of an ingested request: the value at the dotted `path` of the JSON body
/// (array elements by index), or of the header named by `path`. Strings are taken as they are,
/// numbers and booleans as text; anything else (or nothing there) gives `None`.
pub fn event_type(source: Option<EventTypeSource>, path: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let value = match source? {
        EventTypeSource::Header => {
            let name = path.unwrap_or(DEFAULT_EVENT_TYPE_HEADER);
            headers.get(name)?.to_str().ok()?.trim().to_owned()
        }
        EventTypeSource::Body => {
            let json: Value = serde_json::from_slice(body).ok()?;
            let mut at = &json;
            for part in path.unwrap_or(DEFAULT_BODY_PATH).split('.') {
                at = match at {
                    Value::Object(map) => map.get(part)?,
                    Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            match at {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            }
        }
    };
    if value.is_empty() {
        return None;
    }
    Some(value.chars().take(MAX_EVENT_TYPE).collect())
}

/// An event's timing figures (ms), each present once both of its ends are known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PullTiming {
    /// From the request's arrival to its storage.
    pub ingest_processing_ms: Option<i64>,
    /// From storage to the first non-preview read.
    pub time_to_fetch_ms: Option<i64>,
    /// From the first read to the acknowledgement (from storage when never read).
    pub time_to_ack_ms: Option<i64>,
    /// From storage to the acknowledgement.
    pub total_lifecycle_ms: Option<i64>,
}

impl PullTiming {
    /// The figures of an event received at `received_at`, stored `ingest_ms` later, first read
    /// at `fetched_at` and acknowledged at `delivered_at` (Unix ms). Never negative.
    pub fn of(received_at: i64, ingest_ms: Option<i64>, fetched_at: Option<i64>, delivered_at: Option<i64>) -> Self {
        let span = |from: i64, to: i64| to.checked_sub(from).map(|d| d.max(0));
        PullTiming {
            ingest_processing_ms: ingest_ms.map(|d| d.max(0)),
            time_to_fetch_ms: fetched_at.and_then(|f| span(received_at, f)),
            time_to_ack_ms: delivered_at.and_then(|d| span(fetched_at.unwrap_or(received_at), d)),
            total_lifecycle_ms: delivered_at.and_then(|d| span(received_at, d)),
        }
    }
}

/// Events of an endpoint with `retention_days` received before this instant are purged.
pub fn retention_cutoff(now_ms: i64, retention_days: i64) -> i64 {
    now_ms.saturating_sub(retention_days.clamp(1, MAX_RETENTION_DAYS).saturating_mul(86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        assert_eq!(PullEventStatus::Stored.after_read(false, false), Some(PullEventStatus::Fetched));
        assert_eq!(PullEventStatus::Stored.after_read(true, false), None);
        assert_eq!(PullEventStatus::Stored.after_read(false, true), None);
        assert_eq!(PullEventStatus::Delivered.after_read(false, false), None);
        assert!(PullEventStatus::Fetched.ack_applies(false) && !PullEventStatus::Delivered.ack_applies(false));
        assert!(!PullEventStatus::Stored.ack_applies(true));
        assert_eq!(PullEventStatus::parse("fetched"), Some(PullEventStatus::Fetched));
        assert_eq!(PullEventStatus::parse("all"), None);
    }

    #[test]
    fn event_type_from_body_or_header() {
        let body = br#"{"type":"a.b","data":{"kind":7,"list":[{"t":"x"}]}}"#;
        let h = HeaderMap::new();
        assert_eq!(event_type(Some(EventTypeSource::Body), None, &h, body).as_deref(), Some("a.b"));
        assert_eq!(event_type(Some(EventTypeSource::Body), Some("data.kind"), &h, body).as_deref(), Some("7"));
        assert_eq!(event_type(Some(EventTypeSource::Body), Some("data.list.0.t"), &h, body).as_deref(), Some("x"));
        assert_eq!(event_type(Some(EventTypeSource::Body), Some("data"), &h, body), None);
        assert_eq!(event_type(Some(EventTypeSource::Body), None, &h, b"not json"), None);
        assert_eq!(event_type(None, Some("type"), &h, body), None);
        let mut h = HeaderMap::new();
        h.insert("x-github-event", "push".parse().unwrap());
        assert_eq!(event_type(Some(EventTypeSource::Header), Some("X-GitHub-Event"), &h, b"").as_deref(), Some("push"));
        assert_eq!(event_type(Some(EventTypeSource::Header), None, &h, b""), None);
    }

    #[test]
    fn timing_and_retention() {
        let t = PullTiming::of(1_000, Some(3), Some(1_500), Some(2_000));
        assert_eq!((t.time_to_fetch_ms, t.time_to_ack_ms, t.total_lifecycle_ms), (Some(500), Some(500), Some(1_000)));
        let unread = PullTiming::of(1_000, None, None, Some(1_200));
        assert_eq!((unread.time_to_fetch_ms, unread.time_to_ack_ms), (None, Some(200)));
        assert_eq!(retention_cutoff(10 * 86_400_000, 3), 7 * 86_400_000);
    }
}
