//! The API's success envelope: `{"data": ..., "meta": {"request_id", ...}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::request_id::current_request_id;

/// A success answer: `data`, extra `meta` keys (pagination), optional top-level `message`.
pub struct Reply {
    status: StatusCode,
    data: Value,
    meta: Map<String, Value>,
    message: Option<String>,
}

impl Reply {
    /// 200 with `data`.
    pub fn ok(data: impl Serialize) -> Self {
        Reply { status: StatusCode::OK, data: serde_json::to_value(data).unwrap_or(Value::Null), meta: Map::new(), message: None }
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
    /// Adds a top-level human-readable `message`.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut meta = self.meta;
        meta.insert("request_id".into(), Value::String(current_request_id()));
        let mut body = json!({ "data": self.data, "meta": meta });
        if let Some(message) = self.message {
            body["message"] = Value::String(message);
        }
        (self.status, axum::Json(body)).into_response()
    }
}
