//! The API's success envelope: `{"data": ..., "meta": {"request_id", ...}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::request_id::current_request_id;

/// A success answer: `data`, extra `meta` keys (pagination), optional top-level `message`.
pub struct Reply {
    status: StatusCode,
    /// `data`, already encoded (`null` if it could not be: `Box<RawValue>`'s default).
    data: Box<RawValue>,
    meta: Map<String, Value>,
    message: Option<String>,
}

impl Reply {
    /// 200 with `data`.
    pub fn ok(data: impl Serialize) -> Self {
        let data = serde_json::value::to_raw_value(&data).unwrap_or_default();
        Reply { status: StatusCode::OK, data, meta: Map::new(), message: None }
    }
    /// 201 with `data`.
    pub fn created(data: impl Serialize) -> Self {
        Self::ok(data).status(StatusCode::CREATED)
    }
    /// 202 with `data`.
    pub fn accepted(data: impl Serialize) -> Self {
        Self::ok(data).status(StatusCode::ACCEPTED)
    }
    /// Sets the status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
    /// Adds a `meta` key.
    pub fn meta(mut self, key: &str, value: impl Serialize) -> Self {
        self.meta.insert(key.to_owned(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }
    /// Adds cursor pagination (`has_more` and `next_cursor`, null when done) to `meta`.
    pub fn cursor(self, next_cursor: Option<String>) -> Self {
        let has_more = next_cursor.is_some();
        self.meta("has_more", has_more).meta("next_cursor", next_cursor)
    }
    /// The encoded `data`.
    pub fn data(&self) -> &RawValue {
        &self.data
    }
    /// Adds a top-level human-readable `message`.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// The envelope as written: `data`, `meta` (its extra keys, then `request_id`), `message`.
#[derive(Serialize)]
struct Envelope<'a> {
    data: &'a RawValue,
    meta: Meta<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// `meta`: the reply's extra keys, then `request_id`.
struct Meta<'a> {
    extra: &'a Map<String, Value>,
    request_id: &'a str,
}

impl Serialize for Meta<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.extra.len() + 1))?;
        for (key, value) in self.extra.iter().filter(|(key, _)| key.as_str() != "request_id") {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("request_id", self.request_id)?;
        map.end()
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let request_id = current_request_id();
        let envelope = Envelope {
            data: &self.data,
            meta: Meta { extra: &self.meta, request_id: &request_id },
            message: self.message.as_deref(),
        };
        let mut body = Vec::with_capacity(self.data.get().len() + request_id.len() + 64);
        match serde_json::to_writer(&mut body, &envelope) {
            Ok(()) => (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            // Writing into memory fails only if a `meta` value cannot be encoded.
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the answer could not be encoded: {e}")).into_response(),
        }
    }
}
