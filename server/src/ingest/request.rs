//! Reading an ingest request: the sender address, the body under a size limit, the headers
//! kept for forwarding and the dedupe key.

use std::net::IpAddr;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::HeaderMap;
use serde_json::{Map, Value};

/// Largest accepted body (1 MB).
pub const MAX_INGEST_BYTES: usize = 1024 * 1024;

/// Longest stored dedupe key; longer joined values are stored as their SHA-256.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Headers never forwarded: hop-by-hop headers, framing, `Host`, credentials, and the
/// content type (stored with the message and sent as `Content-Type` by the delivery engine).
const DROPPED_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-type",
    "expect",
    "authorization",
    "cookie",
];

/// Prefix of the headers HookBridge itself sets on forwarded requests (`X-Webhook-Id`,
/// `-Timestamp`, `-Signature`); a sender's own headers with it are never forwarded, so a
/// receiver cannot be fooled into trusting a forged signature, whether signing is on or off.
const HOOKBRIDGE_HEADER_PREFIX: &str = "x-webhook-";

/// Whether `name` is in HookBridge's own `X-Webhook-*` header space (any case).
pub fn is_hookbridge_header(name: &str) -> bool {
    name.get(..HOOKBRIDGE_HEADER_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(HOOKBRIDGE_HEADER_PREFIX))
}

/// The sender address: the connection's peer, or with `trust_forwarded_for` the last address
/// of `X-Forwarded-For` (the one appended by the proxy in front of this server).
/// IPv4-mapped IPv6 addresses are given as IPv4.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trust_forwarded_for: bool) -> Option<IpAddr> {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .next_back()
    };
    if trust_forwarded_for && let Some(ip) = forwarded() {
        return Some(ip.to_canonical());
    }
    peer.map(|ip| ip.to_canonical())
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// Over the limit (reading stopped there).
    TooLarge,
    /// The connection failed while reading.
    Broken(String),
}

/// Reads the body, stopping as soon as it exceeds `limit` bytes (so an oversized body is never
/// held in memory). A declared `Content-Length` over the limit fails before reading anything.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let declared =
        headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = std::pin::pin!(body);
    let mut buffer = bytes::BytesMut::with_capacity(declared.map_or(8 * 1024, |n| n as usize));
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
}

/// The headers forwarded with the message, as a JSON object (repeated headers joined with
/// `", "`): everything except `DROPPED_HEADERS`, HookBridge's own `X-Webhook-*` headers,
/// headers named in `Connection`, the static token header and values that are not text.
pub fn kept_headers(headers: &HeaderMap, token_header: Option<&str>) -> Map<String, Value> {
    let named_by_connection: Vec<String> = headers
        .get_all(axum::http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    let token_header = token_header.map(str::to_ascii_lowercase);
    let mut out = Map::new();
    for name in headers.keys() {
        let lower = name.as_str();
        if DROPPED_HEADERS.contains(&lower)
            || is_hookbridge_header(lower)
            || named_by_connection.iter().any(|n| n == lower)
            || token_header.as_deref() == Some(lower)
        {
            continue;
        }
        let values: Vec<&str> = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        if !values.is_empty() {
            out.insert(lower.to_owned(), Value::String(values.join(", ")));
        }
    }
    out
}

/// The dedupe key: the values of the configured headers that are present,
/// in list order, joined with `:`; `None` when none is present.
pub fn idempotency_key(headers: &HeaderMap, names: &[String]) -> Option<String> {
    let values: Vec<&str> = names
        .iter()
        .filter_map(|name| headers.get(name.as_str()))
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return None;
    }
    let key = values.join(":");
    Some(if key.len() > MAX_IDEMPOTENCY_KEY { format!("sha256:{}", crate::ids::sha256_hex(key.as_bytes())) } else { key })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7"), ("x-forwarded-for", "2001:db8::1")]);
        assert_eq!(client_address(Some(peer), &h, false), Some(peer));
        assert_eq!(client_address(Some(peer), &h, true), Some("2001:db8::1".parse().unwrap()));
        let h = headers(&[("x-forwarded-for", "203.0.113.9, garbage")]);
        assert_eq!(client_address(Some(peer), &h, true), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(client_address(Some(peer), &HeaderMap::new(), true), Some(peer));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(client_address(Some(mapped), &HeaderMap::new(), false), Some("10.1.2.3".parse().unwrap()));
    }

    #[test]
    fn kept_headers_drop_hop_by_hop_credentials_and_the_token() {
        let h = headers(&[
            ("host", "x"),
            ("content-length", "3"),
            ("content-type", "application/json"),
            ("authorization", "Bearer s"),
            ("connection", "keep-alive, x-hop"),
            ("x-hop", "1"),
            ("x-token", "secret"),
            ("x-event", "a"),
            ("x-event", "b"),
            ("x-github-delivery", "42"),
            ("x-webhook-signature", "v1,forged"),
            ("X-Webhook-Id", "msg_forged"),
            ("x-webhook-anything", "1"),
        ]);
        let kept = kept_headers(&h, Some("X-Token"));
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["x-event", "x-github-delivery"]);
        assert_eq!(kept["x-event"], "a, b");
        assert!(is_hookbridge_header("X-WEBHOOK-TIMESTAMP") && !is_hookbridge_header("x-webhook") && !is_hookbridge_header("é"));
    }

    #[test]
    fn idempotency_key_joins_present_headers_in_order() {
        let names = vec!["X-Delivery".to_owned(), "X-Missing".to_owned(), "X-Attempt".to_owned()];
        let h = headers(&[("x-attempt", "2"), ("x-delivery", "abc")]);
        assert_eq!(idempotency_key(&h, &names).as_deref(), Some("abc:2"));
        assert_eq!(idempotency_key(&HeaderMap::new(), &names), None);
        let long = headers(&[("x-delivery", &"k".repeat(300))]);
        assert!(idempotency_key(&long, &names).unwrap().starts_with("sha256:"));
    }

    #[tokio::test]
    async fn body_limit_is_enforced_while_reading() {
        let ok = read_body(&HeaderMap::new(), Body::from(vec![1u8; 10]), 10).await.unwrap();
        assert_eq!(ok.len(), 10);
        assert!(matches!(read_body(&HeaderMap::new(), Body::from(vec![1u8; 11]), 10).await, Err(BodyError::TooLarge)));
        let declared = headers(&[("content-length", "5000000")]);
        assert!(matches!(read_body(&declared, Body::from(vec![1u8; 1]), 10).await, Err(BodyError::TooLarge)));
    }
}
