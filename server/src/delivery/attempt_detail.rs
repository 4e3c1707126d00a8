//! What an attempt record keeps beyond its outcome: the address the request went to, the request
//! and response headers with secret values masked, the start of the response body, and the
//! timings the delivery client really measures (time to the response headers, and reading the
//! body after them). Connect, TLS and name resolution times are not measured by the client, so
//! they are never reported.

use reqwest::header::HeaderMap;

/// Most of a response body kept with an attempt, in bytes (the record says when it was longer).
pub const RESPONSE_BODY_CAP: usize = 4096;

/// What a masked header value reads.
pub const MASKED: &str = "***";

/// Parts of header names whose values are secrets (compared in lower case).
const SECRET_NAME_PARTS: &[&str] =
    &["authorization", "signature", "secret", "token", "api-key", "apikey", "cookie", "password", "session"];

/// Whether a header's value is masked in attempt records.
pub fn is_secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// Request headers whose values the server sets itself and keeps in attempt records; every
/// other request header (custom endpoint or per-send headers, an inbound sender's headers) may
/// carry a receiver's credential, which is sealed at rest, so its value is masked.
const SHOWN_REQUEST_HEADERS: &[&str] = &["content-type", "user-agent", "x-webhook-id", "x-webhook-timestamp"];

/// The request headers of an attempt as JSON (see `SHOWN_REQUEST_HEADERS`).
pub fn request_headers_json(headers: &HeaderMap) -> String {
    headers_json(headers, |name| !SHOWN_REQUEST_HEADERS.contains(&name))
}

/// The response headers of an attempt as JSON (secret values masked, see [`is_secret_header`]).
pub fn response_headers_json(headers: &HeaderMap) -> String {
    headers_json(headers, is_secret_header)
}

/// Headers as a JSON object of name to value (values `masked` says are masked, values that are
/// not text shown lossily; a repeated header keeps its values joined by `, `).
fn headers_json(headers: &HeaderMap, masked: impl Fn(&str) -> bool) -> String {
    let mut map = serde_json::Map::with_capacity(headers.len());
    for (name, value) in headers {
        let shown =
            if masked(name.as_str()) { MASKED.to_owned() } else { String::from_utf8_lossy(value.as_bytes()).into_owned() };
        match map.get_mut(name.as_str()) {
            Some(serde_json::Value::String(existing)) if !masked(name.as_str()) => {
                existing.push_str(", ");
                existing.push_str(&shown);
            }
            Some(_) => {}
            None => {
                map.insert(name.as_str().to_owned(), serde_json::Value::String(shown));
            }
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// The detail of one attempt, as far as it got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptDetail {
    /// The IP address the request was sent to, when a connection was made.
    pub resolved_ip: Option<String>,
    /// JSON object of the request headers (masked), when the request was built.
    pub request_headers: Option<String>,
    /// JSON object of the response headers (masked), when an answer came.
    pub response_headers: Option<String>,
    /// The start of the response body (at most [`RESPONSE_BODY_CAP`] bytes, as lossy UTF-8).
    pub response_body: Option<String>,
    /// Whether the body was longer than what is kept.
    pub response_body_truncated: Option<bool>,
    /// From the start of the request to the response headers, in milliseconds.
    pub ttfb_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_are_masked_and_the_rest_kept() {
        let mut headers = HeaderMap::new();
        headers.insert("x-webhook-signature", "v1=abc".parse().unwrap());
        headers.insert("authorization", "Bearer t".parse().unwrap());
        headers.insert("x-api-key", "k".parse().unwrap());
        headers.append("set-cookie", "a=1".parse().unwrap());
        headers.append("set-cookie", "b=2".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.append("vary", "a".parse().unwrap());
        headers.append("vary", "b".parse().unwrap());
        let json: serde_json::Value = serde_json::from_str(&response_headers_json(&headers)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "x-webhook-signature": MASKED, "authorization": MASKED, "x-api-key": MASKED, "set-cookie": MASKED,
                "content-type": "application/json", "vary": "a, b"
            })
        );
        headers.insert("x-custom", "receiver-credential".parse().unwrap());
        let sent: serde_json::Value = serde_json::from_str(&request_headers_json(&headers)).unwrap();
        assert_eq!(
            (&sent["x-custom"], &sent["vary"], &sent["content-type"]),
            (&json!(MASKED), &json!(MASKED), &json!("application/json"))
        );
    }
}
