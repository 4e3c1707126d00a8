//! Listening to a `cli`-mode inbound endpoint: `GET /v1/inbound-endpoints/{id}/listen?after=`
//! returns its stored requests in UUIDv7 order after the message `after` (from the oldest when
//! absent), at most [`LISTEN_MAX_MESSAGES`] and about [`LISTEN_MAX_BYTES`] of bodies per call,
//! with `meta.next_cursor` to pass as the next `after`. A `forward`-mode endpoint answers 400.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::is_uuid;
use crate::clock::timestamp;
use crate::domain::InboundMode;
use crate::domain::inbound::{LISTEN_MAX_BYTES, LISTEN_MAX_MESSAGES};
use crate::http::auth::Caller;
use crate::http::extract::{PathParams, QueryParams};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::store::inbound::ListenRecord;

/// The route of this part.
pub fn route() -> Route {
    Route {
        method: "GET",
        path: "/v1/inbound-endpoints/{endpoint_id}/listen",
        summary: "Stored requests of a cli-mode inbound endpoint after a message id (at most 50, oldest first)",
        authenticated: true,
        handler: get(listen),
        doc: op("listen_inbound_endpoint").query::<ListenQuery>().data::<Vec<ListenItem>>(),
    }
}

/// Why a listened message carries no body.
const BODY_GONE: &str = "the payload is no longer stored (purged by payload retention or deleted)";

#[derive(Deserialize, schemars::JsonSchema)]
struct ListenQuery {
    after: Option<String>,
}

/// One stored request on the wire.
#[derive(Serialize, schemars::JsonSchema)]
struct ListenItem {
    message_id: String,
    content_type: String,
    headers: Map<String, Value>,
    size_bytes: i64,
    received_at: hookbridge::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_error: Option<&'static str>,
}

/// Whether `content_type` names JSON (`application/json` or any `+json` type, parameters ignored).
fn is_json(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json")
}

impl From<ListenRecord> for ListenItem {
    fn from(r: ListenRecord) -> Self {
        let headers = r.headers_json.and_then(|h| serde_json::from_str::<Map<String, Value>>(&h).ok()).unwrap_or_default();
        let (body, body_encoding, body_error) = match r.payload {
            None => (None, None, Some(BODY_GONE)),
            Some(bytes) => match serde_json::from_slice::<Value>(&bytes).ok().filter(|_| is_json(&r.content_type)) {
                Some(value) => (Some(value), None, None),
                None => {
                    let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
                    (Some(Value::String(text)), Some("base64"), None)
                }
            },
        };
        ListenItem {
            message_id: r.id,
            content_type: r.content_type,
            headers,
            size_bytes: r.size_bytes,
            received_at: timestamp(r.received_at),
            body,
            body_encoding,
            body_error,
        }
    }
}

/// The `after` cursor: an inbound message id (any UUID, compared in its lowercase hyphenated form).
fn after_cursor(after: Option<String>) -> Result<Option<String>, ApiError> {
    match after.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => uuid::Uuid::parse_str(a).map(|u| Some(u.hyphenated().to_string())).map_err(|_| {
            ApiError::invalid(format!("after must be an inbound message id (a UUID, e.g. a previous next_cursor), got {a:?}"))
        }),
    }
}

async fn listen(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<ListenQuery>,
) -> ApiResult<Reply> {
    let after = after_cursor(q.after)?;
    let endpoint = if is_uuid(&id) { state.store.get_inbound_endpoint(&caller.project_id, &id).await? } else { None };
    let Some(endpoint) = endpoint else {
        return Err(ApiError::not_found("inbound endpoint", &id));
    };
    if endpoint.mode != InboundMode::Cli {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "ENDPOINT_NOT_CLI_MODE",
            format!(
                "inbound endpoint {id} is in {:?} mode; only \"cli\"-mode endpoints can be listened to",
                endpoint.mode.as_str()
            ),
        ));
    }
    let records =
        state.store.listen_inbound(&caller.project_id, &id, after.as_deref(), LISTEN_MAX_MESSAGES, LISTEN_MAX_BYTES).await?;
    let next_cursor = records.last().map(|r| r.id.clone()).or(after);
    let items: Vec<ListenItem> = records.into_iter().map(ListenItem::from).collect();
    Ok(Reply::ok(items).meta("next_cursor", next_cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(content_type: &str, payload: Option<&[u8]>) -> ListenItem {
        ListenItem::from(ListenRecord {
            id: "m".into(),
            content_type: content_type.into(),
            headers_json: Some(r#"{"x-event":"push"}"#.into()),
            size_bytes: 0,
            received_at: 0,
            payload: payload.map(<[u8]>::to_vec),
        })
    }

    #[test]
    fn json_bodies_stay_json_and_everything_else_is_base64() {
        let json = item("application/json; charset=utf-8", Some(br#"{"a":[1,2]}"#));
        assert_eq!((json.body, json.body_encoding), (Some(serde_json::json!({"a": [1, 2]})), None));
        assert_eq!(json.headers["x-event"], "push");
        let vendor = item("application/vnd.github+json", Some(b"null"));
        assert_eq!(vendor.body, Some(Value::Null), "a JSON null body is a value, not a missing body");
        let broken = item("application/json", Some(b"{not json"));
        assert_eq!((broken.body, broken.body_encoding), (Some(Value::String("e25vdCBqc29u".into())), Some("base64")));
        let form = item("application/x-www-form-urlencoded", Some(b"[1]"));
        assert_eq!(form.body_encoding, Some("base64"), "JSON-looking text of another type is not reinterpreted");
        let gone = item("application/json", None);
        assert_eq!((gone.body, gone.body_error), (None, Some(BODY_GONE)));
    }

    #[test]
    fn after_must_be_a_uuid() {
        assert_eq!(after_cursor(None).unwrap(), None);
        assert_eq!(after_cursor(Some(" ".into())).unwrap(), None);
        let upper = "0190B2A4-0000-7000-8000-000000000000";
        assert_eq!(after_cursor(Some(upper.into())).unwrap().as_deref(), Some("0190b2a4-0000-7000-8000-000000000000"));
        assert!(after_cursor(Some("abc".into())).unwrap_err().message.contains("after"));
    }
}
