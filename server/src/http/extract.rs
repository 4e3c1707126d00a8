//! Request extractors that answer with the contract's error envelope: a JSON body, a query
//! string and path parameters, plus parsers shared by several areas (times, limits, cursors).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::domain::MessageStatus;
use crate::error::ApiError;
use crate::store::ListCursor;

/// Default size limit of a JSON request body.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// An oversized body is read and thrown away up to this size, so the client gets the
/// `PAYLOAD_TOO_LARGE` envelope instead of a connection reset in the middle of its upload.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// A JSON body of at most `LIMIT` bytes. An empty body reads as `{}`; unknown fields are
/// ignored; the `Content-Type` is not required; errors name the offending field
/// (400 `INVALID_REQUEST`), and a larger body answers 400 `PAYLOAD_TOO_LARGE`.
pub struct JsonBody<T, const LIMIT: usize = DEFAULT_BODY_LIMIT>(pub T);

impl<S, T, const LIMIT: usize> FromRequest<S> for JsonBody<T, LIMIT>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        RawJsonBody::<LIMIT>::from_request(req, state).await?.parse().map(JsonBody)
    }
}

/// The bytes of a JSON body of at most `LIMIT` bytes, for a handler that looks at them before
/// (or instead of) decoding them; [`RawJsonBody::parse`] decodes them as [`JsonBody`] does.
pub struct RawJsonBody<const LIMIT: usize = DEFAULT_BODY_LIMIT>(Vec<u8>);

impl<const LIMIT: usize> RawJsonBody<LIMIT> {
    /// The body; an empty (or all-whitespace) body reads as `{}`.
    pub fn bytes(&self) -> &[u8] {
        if self.0.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &self.0 }
    }

    /// Decodes the body with the rules and error messages of [`JsonBody`].
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(self.bytes())
    }
}

impl<S, const LIMIT: usize> FromRequest<S> for RawJsonBody<LIMIT>
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        read_body(req, LIMIT).await.map(RawJsonBody)
    }
}

/// Reads a body of at most `limit` bytes; a larger one is drained (up to [`DRAIN_LIMIT`]) and refused.
async fn read_body(req: Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt;
    let mut body = req.into_body();
    let mut bytes = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::invalid(format!("cannot read the request body: {e}")))?;
        let Ok(chunk) = frame.into_data() else { continue };
        total += chunk.len();
        if total <= limit {
            bytes.extend_from_slice(&chunk);
        } else {
            bytes = Vec::new();
            if total > DRAIN_LIMIT {
                break;
            }
        }
    }
    if total > limit {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "PAYLOAD_TOO_LARGE",
            format!("request body is larger than the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// Decodes a JSON body, naming the field that is wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    axum::Json::<T>::from_bytes(bytes).map(|axum::Json(v)| v).map_err(|rejection| {
        let text = rejection.body_text();
        // axum's text is "<what failed>: <path>: <serde message> at line L column C".
        let detail = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest);
        let detail = strip_position(detail);
        match rejection {
            axum::extract::rejection::JsonRejection::JsonDataError(_) => {
                ApiError::invalid(format!("invalid request body: {detail}"))
            }
            _ => ApiError::invalid(format!("invalid JSON body: {detail}")),
        }
    })
}

/// Drops serde_json's " at line 1 column 17" suffix (noise for a field-level message).
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// A query string; unknown parameters are ignored, errors name the parameter.
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|axum::extract::Query(v)| QueryParams(v)).map_err(|rejection| {
            let text = rejection.body_text();
            let detail = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest);
            ApiError::invalid(format!("invalid query parameter: {detail}"))
        })
    }
}

/// Path parameters (`{id}` segments), with errors in the contract's envelope.
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| PathParams(v))
            .map_err(|rejection| ApiError::invalid(format!("invalid path: {}", rejection.body_text())))
    }
}

/// Parses an ISO 8601 time given in a query or body: `Z`, `±HH:MM` offsets and naive values
/// (taken as UTC), with or without fractional seconds; a bare date means midnight UTC.
/// A `+` turned into a space by form encoding is read back as `+`.
pub fn parse_time(field: &str, text: &str) -> Result<i64, ApiError> {
    let trimmed = text.trim();
    let repaired: String = match trimmed.get(10..) {
        Some(tail) if tail.contains(' ') && trimmed.len() > 19 => {
            let (head, tail) = trimmed.split_at(19);
            format!("{head}{}", tail.replacen(' ', "+", 1))
        }
        _ => trimmed.to_owned(),
    };
    let millis = hookbridge::Timestamp::parse(&repaired)
        .map(|t| t.unix_millis())
        .map_err(|_| ApiError::invalid(format!("{field} must be an ISO 8601 date-time, got {text:?}")))?;
    if !(0..=LATEST_TIME_MS).contains(&millis) {
        return Err(ApiError::invalid(format!("{field} must be between 1970-01-01 and 9999-12-31, got {text:?}")));
    }
    Ok(millis)
}

/// 9999-12-31T23:59:59.999Z, the last instant a four-digit year can name.
const LATEST_TIME_MS: i64 = 253_402_300_799_999;

/// A page size: `None` gives `default`, anything outside `1..=max` is a 400 naming `field`.
pub fn limit(field: &str, value: Option<i64>, default: usize, max: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if v >= 1 && v as u64 <= max as u64 => Ok(v as usize),
        Some(v) => Err(ApiError::invalid(format!("{field} must be between 1 and {max}, got {v}"))),
    }
}

/// Decodes an optional cursor from a previous page (an empty string means the first page).
pub fn cursor(value: Option<&str>) -> Result<Option<ListCursor>, ApiError> {
    match value.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => ListCursor::decode(c)
            .map(Some)
            .ok_or_else(|| ApiError::invalid("cursor is not valid (use next_cursor from a previous page)")),
    }
}

/// Whether `id` is an outbound endpoint id: `ep_` + 32 lowercase hex.
pub fn is_endpoint_id(id: &str) -> bool {
    crate::ids::ENDPOINT_ID.matches(id)
}

/// Checks an optional outbound endpoint id given as a filter (empty means no filter).
pub fn endpoint_id_filter(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.filter(|e| !e.is_empty()) {
        Some(id) if !is_endpoint_id(&id) => {
            Err(ApiError::invalid(format!("{field} must be in format {}, got {id:?}", crate::ids::ENDPOINT_ID.describe())))
        }
        other => Ok(other),
    }
}

/// Reads an optional message status filter (empty means none).
pub fn status_filter(field: &str, value: Option<String>) -> Result<Option<MessageStatus>, ApiError> {
    let Some(text) = value.filter(|s| !s.is_empty()) else { return Ok(None) };
    MessageStatus::parse(&text).map(Some).ok_or_else(|| {
        let all: Vec<&str> = MessageStatus::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::invalid(format!("{field} must be one of {}, got {text:?}", all.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_form() {
        let z = parse_time("t", "2025-01-01T00:00:00Z").unwrap();
        assert_eq!(z, 1_735_689_600_000);
        assert_eq!(parse_time("t", "2025-01-01T00:00:00+00:00").unwrap(), z);
        assert_eq!(parse_time("t", "2025-01-01T00:00:00 00:00").unwrap(), z);
        assert_eq!(parse_time("t", "2025-01-01T00:00:00").unwrap(), z);
        assert_eq!(parse_time("t", "2025-01-01T02:00:00+02:00").unwrap(), z);
        assert_eq!(parse_time("t", "2025-01-01T00:00:00.250Z").unwrap(), z + 250);
        assert_eq!(parse_time("t", "2025-01-01").unwrap(), z);
        assert!(parse_time("t", "yesterday").unwrap_err().message.contains("t must be"));
        assert!(parse_time("t", "9999-12-31T23:59:59.999Z").is_ok());
        for out_of_range in
            ["+99999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00"]
        {
            let e = parse_time("t", out_of_range).map(|ms| format!("accepted as {ms}")).unwrap_err();
            assert!(e.message.contains("t must be between 1970-01-01 and 9999-12-31"), "{out_of_range}: {}", e.message);
        }
    }

    #[test]
    fn endpoint_ids_and_limits() {
        assert!(is_endpoint_id("ep_0123456789abcdef0123456789abcdef"));
        assert!(!is_endpoint_id("ep_0123456789ABCDEF0123456789abcdef"));
        assert!(!is_endpoint_id("ep_123"));
        assert_eq!(endpoint_id_filter("endpoint_id", Some(String::new())).unwrap(), None);
        assert!(endpoint_id_filter("endpoint_id", Some("garbage".into())).unwrap_err().message.contains("endpoint_id must be"));
        assert_eq!(limit("limit", None, 50, 100).unwrap(), 50);
        assert_eq!(limit("limit", Some(100), 50, 100).unwrap(), 100);
        assert!(limit("limit", Some(0), 50, 100).is_err());
        assert!(limit("limit", Some(101), 50, 100).is_err());
    }

    #[test]
    fn json_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            name: String,
            n: Option<i64>,
        }
        let e = parse_json::<Body>(br#"{"name": 5}"#).unwrap_err();
        assert!(e.message.contains("name: invalid type"), "{}", e.message);
        let e = parse_json::<Body>(br#"{"n": 1}"#).unwrap_err();
        assert!(e.message.contains("missing field `name`"), "{}", e.message);
        let e = parse_json::<Body>(b"{nope").unwrap_err();
        assert!(e.message.contains("invalid JSON"), "{}", e.message);
        assert!(parse_json::<Body>(br#"{"name": "x", "extra": [1]}"#).is_ok());
    }
}
