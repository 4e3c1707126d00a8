//! The endpoint's optional checks on an ingest request:
//! static token, HMAC signature with timestamp freshness, and the IP allow-list.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::http::{HeaderMap, Uri};
use base64::Engine;
use hmac::{KeyInit, Mac};
use ipnet::IpNet;
use subtle::ConstantTimeEq;

use super::rejection::{Reason, Rejection};
use crate::store::inbound::InboundSettings;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Timestamp window used when a timestamp header is set without `timestamp_ttl_seconds`.
pub const DEFAULT_TIMESTAMP_TTL_SECONDS: i64 = 300;

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The static token check: the token from `token_header_name` or `token_query_param`
/// must hash to the stored value.
pub fn static_token(settings: &InboundSettings, headers: &HeaderMap, uri: &Uri) -> Result<(), Rejection> {
    let fail = |detail: String| Err(Rejection::new(Reason::StaticTokenFailed, detail));
    let from_header = settings.token_header_name.as_deref().and_then(|name| header_text(headers, name)).map(str::to_owned);
    let from_query = settings.token_query_param.as_deref().and_then(|param| {
        let query = axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri).ok()?.0;
        query.get(param).filter(|v| !v.is_empty()).cloned()
    });
    let Some(token) = from_header.or(from_query) else {
        let place = match (&settings.token_header_name, &settings.token_query_param) {
            (Some(h), Some(q)) => format!("header {h} or query parameter {q}"),
            (Some(h), None) => format!("header {h}"),
            (None, Some(q)) => format!("query parameter {q}"),
            (None, None) => "the request (no token header or query parameter is configured)".into(),
        };
        return fail(format!("static token missing: expected in {place}"));
    };
    let expected = settings.token_value_hash.as_deref().unwrap_or("");
    if expected.is_empty() || !bool::from(crate::ids::sha256_hex(token.as_bytes()).as_bytes().ct_eq(expected.as_bytes())) {
        return fail("static token does not match".into());
    }
    Ok(())
}

/// Decodes one signature entry: 64 hex digits, or base64 (standard or URL-safe, padded or not)
/// of 32 bytes.
fn decode_signature(text: &str) -> Option<Vec<u8>> {
    if text.len() == 64
        && let Ok(raw) = hex::decode(text)
    {
        return Some(raw);
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|e| e.decode(text).ok()).filter(|raw| raw.len() == 32)
}

/// The signature header's parts: candidate signatures, and a `t=` timestamp when the header
/// carries one (the `t=<ts>,v1=<sig>` style).
fn parse_signature_header(value: &str) -> (Vec<Vec<u8>>, Option<String>) {
    let mut signatures = Vec::new();
    let mut timestamp = None;
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let lower = entry.to_ascii_lowercase();
        if let Some(ts) = lower.strip_prefix("t=") {
            timestamp = Some(ts.to_owned());
            continue;
        }
        let body = ["sha256=", "v1="].iter().find_map(|p| lower.starts_with(p).then(|| &entry[p.len()..])).unwrap_or(entry);
        if let Some(raw) = decode_signature(body.trim()) {
            signatures.push(raw);
        }
    }
    (signatures, timestamp)
}

/// Reads a sender timestamp as Unix seconds: integer seconds (or milliseconds when the value is
/// that large), or an RFC 3339 date-time. Any `i64` is read without overflow.
fn parse_timestamp(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(if n.unsigned_abs() >= 100_000_000_000 { n.div_euclid(1000) } else { n });
    }
    hookbridge::Timestamp::parse(text).ok().map(|t| t.unix_millis().div_euclid(1000))
}

/// A signature that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The HMAC that matched.
    pub signature: Vec<u8>,
    /// The signed timestamp (Unix seconds) and the window it was checked against (seconds),
    /// when the signature covers one.
    pub timestamp: Option<(i64, i64)>,
}

/// The HMAC check: HMAC-SHA256 with `hmac_secret` over the raw body, or over
/// `"{timestamp}.{body}"` when a separate timestamp header is configured (or the signature
/// header carries `t=`). The header may hold several comma-separated entries, each optionally
/// prefixed `sha256=` (or `v1=`), hex or base64. With a timestamp, it must be within
/// `timestamp_ttl_seconds` of `now_secs` in either direction (q28: `hmac_failed` otherwise;
/// a timestamp so far off that the difference overflows is refused the same way).
pub fn hmac_signature(
    settings: &InboundSettings,
    headers: &HeaderMap,
    body: &[u8],
    now_secs: i64,
) -> Result<VerifiedSignature, Rejection> {
    let fail = |detail: String| Err(Rejection::new(Reason::HmacFailed, detail));
    let (Some(header_name), Some(secret)) = (settings.hmac_header_name.as_deref(), settings.hmac_secret.as_deref()) else {
        return fail("HMAC verification is enabled but no signature header or secret is configured".into());
    };
    let Some(value) = header_text(headers, header_name) else {
        return fail(format!("signature header {header_name} is missing"));
    };
    let (signatures, inline_timestamp) = parse_signature_header(value);
    if signatures.is_empty() {
        return fail(format!("signature header {header_name} holds no hex or base64 HMAC-SHA256 value"));
    }
    let separate_header = settings.timestamp_header_name.as_deref().filter(|t| !t.eq_ignore_ascii_case(header_name));
    let timestamp = match separate_header {
        Some(ts_header) => match header_text(headers, ts_header) {
            Some(ts) => Some((ts_header.to_owned(), ts.to_owned())),
            None => return fail(format!("timestamp header {ts_header} is missing")),
        },
        None if settings.timestamp_header_name.is_some() => match inline_timestamp {
            Some(ts) => Some((format!("{header_name} t="), ts)),
            None => return fail(format!("signature header {header_name} has no t=<timestamp> entry")),
        },
        None => inline_timestamp.map(|ts| (format!("{header_name} t="), ts)),
    };
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    if let Some((_, ts)) = &timestamp {
        mac.update(ts.as_bytes());
        mac.update(b".");
    }
    mac.update(body);
    let Some(matched) = signatures.into_iter().find(|sig| mac.clone().verify_slice(sig).is_ok()) else {
        let signed = if timestamp.is_some() { "\"{timestamp}.{body}\"" } else { "the raw body" };
        return fail(format!("signature in {header_name} does not match (HMAC-SHA256 of {signed} with the configured secret)"));
    };
    let Some((source, ts)) = timestamp else {
        return Ok(VerifiedSignature { signature: matched, timestamp: None });
    };
    let ttl = settings.timestamp_ttl_seconds.unwrap_or(DEFAULT_TIMESTAMP_TTL_SECONDS);
    let Some(sent) = parse_timestamp(&ts) else {
        return fail(format!("timestamp in {source} is not Unix seconds or an RFC 3339 time: {ts:?}"));
    };
    if let Some(problem) = window_violation(sent, now_secs, ttl) {
        return fail(format!("timestamp in {source} ({ts:?}) {problem}"));
    }
    Ok(VerifiedSignature { signature: matched, timestamp: Some((sent, ttl)) })
}

/// Whether a sender timestamp `sent` (Unix seconds) is outside `tolerance` seconds of
/// `now_secs` in either direction: `None` when accepted, else the end of a sentence ("is 61
/// seconds old; requests are accepted within 60 seconds"). A difference that overflows is
/// "out of range", never a panic.
pub fn window_violation(sent: i64, now_secs: i64, tolerance: i64) -> Option<String> {
    let window = format!("requests are accepted within {tolerance} seconds");
    let Some(age) = now_secs.checked_sub(sent) else {
        return Some(format!("is out of range; {window}"));
    };
    if age > tolerance {
        return Some(format!("is {age} seconds old; {window}"));
    }
    if age < 0 && age.unsigned_abs() > tolerance.unsigned_abs() {
        return Some(format!("is {} seconds in the future; {window}", age.unsigned_abs()));
    }
    None
}

/// Parses an allow-list entry: a CIDR block or a bare address (a single host).
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// The IP allow-list check (IPv4 and IPv6 blocks).
pub fn ip_allowed(settings: &InboundSettings, address: Option<IpAddr>) -> Result<(), Rejection> {
    let Some(ip) = address else {
        return Err(Rejection::new(Reason::IpNotAllowed, "the sender address is unknown"));
    };
    if settings.allowed_cidrs.iter().filter_map(|c| parse_cidr(c)).any(|net| net.contains(&ip)) {
        Ok(())
    } else {
        Err(Rejection::new(Reason::IpNotAllowed, format!("sender address {ip} is not in the endpoint's allowed CIDR blocks")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn hmac_hex(secret: &str, data: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    fn hmac_settings(ts_header: Option<&str>, ttl: Option<i64>) -> InboundSettings {
        InboundSettings {
            verify_hmac: true,
            hmac_header_name: Some("X-Signature".into()),
            hmac_secret: Some("shh".into()),
            timestamp_header_name: ts_header.map(str::to_owned),
            timestamp_ttl_seconds: ttl,
            ..Default::default()
        }
    }

    #[test]
    fn static_token_from_header_or_query() {
        let settings = InboundSettings {
            verify_static_token: true,
            token_header_name: Some("X-Token".into()),
            token_query_param: Some("token".into()),
            token_value_hash: Some(crate::ids::sha256_hex(b"s3cret")),
            ..Default::default()
        };
        let uri: Uri = "/x".parse().unwrap();
        assert!(static_token(&settings, &headers(&[("x-token", "s3cret")]), &uri).is_ok());
        assert!(static_token(&settings, &HeaderMap::new(), &"/x?token=s3cret".parse().unwrap()).is_ok());
        let wrong = static_token(&settings, &headers(&[("x-token", "nope")]), &uri).unwrap_err();
        assert_eq!((wrong.reason, wrong.detail.as_str()), (Reason::StaticTokenFailed, "static token does not match"));
        let missing = static_token(&settings, &HeaderMap::new(), &uri).unwrap_err();
        assert!(missing.detail.contains("header X-Token or query parameter token"), "{}", missing.detail);
    }

    #[test]
    fn hmac_over_the_body_hex_base64_and_prefixed() {
        let body = br#"{"a":1}"#;
        let settings = hmac_settings(None, None);
        let hex_sig = hmac_hex("shh", body);
        let raw = hex::decode(&hex_sig).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        for value in [
            hex_sig.clone(),
            format!("sha256={hex_sig}"),
            b64.clone(),
            format!("sha256={b64}"),
            format!("sha256=00, sha256={hex_sig}"),
        ] {
            assert!(hmac_signature(&settings, &headers(&[("x-signature", &value)]), body, 0).is_ok(), "{value}");
        }
        let bad = hmac_signature(&settings, &headers(&[("x-signature", &hmac_hex("other", body))]), body, 0).unwrap_err();
        assert_eq!(bad.reason, Reason::HmacFailed);
        assert!(bad.detail.contains("does not match"));
        let missing = hmac_signature(&settings, &HeaderMap::new(), body, 0).unwrap_err();
        assert!(missing.detail.contains("X-Signature is missing"));
    }

    #[test]
    fn hmac_with_a_timestamp_header_signs_timestamp_dot_body_and_checks_the_window() {
        let body = b"payload";
        let settings = hmac_settings(Some("X-Timestamp"), Some(60));
        let now = 1_700_000_000;
        let sign = |ts: i64| hmac_hex("shh", format!("{ts}.payload").as_bytes());
        let ok = headers(&[("x-signature", &sign(now - 10)), ("x-timestamp", &(now - 10).to_string())]);
        assert!(hmac_signature(&settings, &ok, body, now).is_ok());
        let stale = headers(&[("x-signature", &sign(now - 61)), ("x-timestamp", &(now - 61).to_string())]);
        let e = hmac_signature(&settings, &stale, body, now).unwrap_err();
        assert!(e.detail.contains("61 seconds old") && e.detail.contains("within 60 seconds"), "{}", e.detail);
        let future = headers(&[("x-signature", &sign(now + 120)), ("x-timestamp", &(now + 120).to_string())]);
        assert!(hmac_signature(&settings, &future, body, now).unwrap_err().detail.contains("in the future"));
        let body_only = headers(&[("x-signature", &hmac_hex("shh", body)), ("x-timestamp", &now.to_string())]);
        assert!(hmac_signature(&settings, &body_only, body, now).unwrap_err().detail.contains("does not match"));
        let no_ts = headers(&[("x-signature", &sign(now))]);
        assert!(hmac_signature(&settings, &no_ts, body, now).unwrap_err().detail.contains("X-Timestamp is missing"));
    }

    #[test]
    fn extreme_timestamps_are_refused_without_overflow() {
        let settings = hmac_settings(Some("X-Timestamp"), Some(60));
        let now = 1_700_000_000;
        let signed = |ts: &str| headers(&[("x-signature", &hmac_hex("shh", format!("{ts}.b").as_bytes())), ("x-timestamp", ts)]);
        for ts in [i64::MIN.to_string(), i64::MAX.to_string(), "-100000000000".into(), "99999999999999999999".into()] {
            let e = hmac_signature(&settings, &signed(&ts), b"b", now).unwrap_err();
            assert_eq!(e.reason, Reason::HmacFailed, "{ts}");
            assert!(e.detail.contains("X-Timestamp"), "{ts}: {}", e.detail);
        }
        let far_past = hmac_signature(&settings, &signed(&i64::MIN.to_string()), b"b", now).unwrap_err();
        assert!(far_past.detail.contains("seconds old"), "{}", far_past.detail);
        let at_the_edge = hmac_signature(&settings, &signed(&i64::MIN.to_string()), b"b", i64::MAX).unwrap_err();
        assert!(at_the_edge.detail.contains("out of range"), "{}", at_the_edge.detail);
        let ok = hmac_signature(&settings, &signed(&now.to_string()), b"b", now).unwrap();
        assert_eq!(ok.timestamp, Some((now, 60)));
        assert_eq!(hex::encode(ok.signature), hmac_hex("shh", format!("{now}.b").as_bytes()));
    }

    #[test]
    fn combined_header_with_t_entry() {
        let settings = hmac_settings(Some("X-Signature"), Some(300));
        let now = 1_700_000_000;
        let sig = hmac_hex("shh", format!("{now}.b").as_bytes());
        let h = headers(&[("x-signature", &format!("t={now},v1={sig}"))]);
        assert!(hmac_signature(&settings, &h, b"b", now).is_ok());
        assert!(hmac_signature(&settings, &h, b"b", now + 301).is_err());
    }

    #[test]
    fn ip_allow_list_v4_and_v6() {
        let settings = InboundSettings {
            verify_ip_allowlist: true,
            allowed_cidrs: vec!["10.0.0.0/8".into(), "2001:db8::/32".into(), "192.0.2.7".into()],
            ..Default::default()
        };
        for ok in ["10.1.2.3", "2001:db8::5", "192.0.2.7"] {
            assert!(ip_allowed(&settings, Some(ok.parse().unwrap())).is_ok(), "{ok}");
        }
        for bad in ["11.0.0.1", "2001:db9::1", "192.0.2.8"] {
            let e = ip_allowed(&settings, Some(bad.parse().unwrap())).unwrap_err();
            assert_eq!(e.reason, Reason::IpNotAllowed, "{bad}");
        }
        assert!(ip_allowed(&settings, None).is_err());
        assert!(parse_cidr("nope").is_none());
    }
}
