//! `POST /v1/webhooks/send`: validate, store durably (one group-committed write), answer 202.
//! This is the hot path: one write job per send, the key checked from the auth cache.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use hookbridge::{HeaderMap, SendWebhookResponse};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::auth::Caller;
use super::extract::{RawJsonBody, is_endpoint_id};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::now_millis;
use crate::delivery::claim_on_send::SendSlot;
use crate::domain::MessageStatus;
use crate::ids;
use crate::store::{Direction, NewMessage, SendOutcome};
use crate::telemetry::Telemetry;

/// Largest payload, as compact JSON bytes.
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;
/// Largest request body of a send (a pretty-printed payload of 1 MB compact may be larger).
const MAX_SEND_BODY: usize = 4 * 1024 * 1024;
/// Most custom headers per send or endpoint.
pub const MAX_HEADERS: usize = 50;
/// Largest total size of custom header names and values.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The send route.
pub fn routes() -> Vec<Route> {
    vec![Route {
        method: "POST",
        path: "/v1/webhooks/send",
        summary: "Send a webhook to an endpoint (stored durably before the 202)",
        authenticated: true,
        handler: post(send),
        doc: op("send")
            .statuses(&[202, 200])
            .creates_in("/v1/messages")
            .body::<SendBody<serde_json::Value>>()
            .data::<hookbridge::SendWebhookResponse>(),
    }]
}

mod stored_json;

/// The fields of a send; `P` is how the payload was read.
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "SendWebhookRequest")]
struct SendBody<P> {
    endpoint_id: String,
    /// Absent reads as `None`, as for every `Option` field.
    payload: Option<P>,
    #[serde(default)]
    headers: Option<Value>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    retention_hours: Option<i64>,
}

/// A payload either already in its stored form (the bytes as received) or parsed, to be
/// checked and re-encoded.
enum Payload<'a> {
    Stored(&'a RawValue),
    Parsed(Value),
}

impl<P> SendBody<P> {
    fn with_payload<Q>(self, payload: Option<Q>) -> SendBody<Q> {
        let SendBody { endpoint_id, payload: _, headers, idempotency_key, retention_hours } = self;
        SendBody { endpoint_id, payload, headers, idempotency_key, retention_hours }
    }
}

/// Decodes a send. When the body is valid and its payload is an object already in the stored
/// form (see [`stored_json`]), the payload's bytes are kept as they are; otherwise the body is
/// decoded again with the payload parsed, which gives the same errors and result as before.
fn decode(body: &RawJsonBody<MAX_SEND_BODY>) -> ApiResult<SendBody<Payload<'_>>> {
    if let Ok(fast) = serde_json::from_slice::<SendBody<&RawValue>>(body.bytes())
        && let Some(raw) = fast.payload.filter(|raw| stored_json::is_stored_form(raw.get()))
    {
        return Ok(fast.with_payload(Some(Payload::Stored(raw))));
    }
    let mut parsed: SendBody<Value> = body.parse()?;
    let payload = parsed.payload.take();
    Ok(parsed.with_payload(payload.map(Payload::Parsed)))
}

async fn send(State(state): State<AppState>, caller: Caller, raw: RawJsonBody<MAX_SEND_BODY>) -> ApiResult<Reply> {
    let body = decode(&raw)?;
    if !is_endpoint_id(&body.endpoint_id) {
        return Err(ApiError::invalid(format!(
            "endpoint_id must be in format ep_ followed by 32 lowercase hex characters, got {:?}",
            body.endpoint_id
        )));
    }
    let payload = match body.payload {
        Some(Payload::Stored(raw)) => raw.get().as_bytes().to_vec(),
        Some(Payload::Parsed(Value::Object(map))) => {
            serde_json::to_vec(&map).map_err(|e| ApiError::invalid(format!("payload cannot be encoded: {e}")))?
        }
        Some(Payload::Parsed(_)) => return Err(ApiError::invalid("payload must be a JSON object")),
        None => return Err(ApiError::invalid("payload is required")),
    };
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "PAYLOAD_TOO_LARGE",
            format!("payload is {} bytes; the limit is {MAX_PAYLOAD_BYTES} bytes (1 MB)", payload.len()),
        ));
    }
    let headers_json = validate_headers(body.headers)?.filter(|h| !h.is_empty()).map(|h| headers_to_json(&h));
    let idempotency_key = match body.idempotency_key.filter(|k| !k.is_empty()) {
        Some(key) => Some(validate_idempotency_key(key)?),
        None => None,
    };
    let max_retention_hours = i64::from(state.config.payload_retention_days) * 24;
    if let Some(hours) = body.retention_hours.filter(|h| !(0..=max_retention_hours).contains(h)) {
        return Err(ApiError::invalid(format!(
            "retention_hours must be between 0 and {max_retention_hours} (this server keeps payloads {} days), got {hours}",
            state.config.payload_retention_days
        )));
    }
    let now = now_millis();
    let message_id = ids::uuid7();
    let message = NewMessage {
        id: message_id.clone(),
        project_id: caller.project_id,
        direction: Direction::Outbound,
        endpoint_id: body.endpoint_id,
        destination_url: String::new(),
        content_type: "application/json".into(),
        payload_sha256: ids::sha256_hex(&payload),
        payload,
        headers_json,
        idempotency_key,
        signed_at: now.div_euclid(1000),
        retention_hours: body.retention_hours,
        created_at: now,
    };
    let endpoint_id = message.endpoint_id.clone();
    let admission = state.backpressure.admit(&message.project_id, Direction::Outbound).await?;
    let outcome = match state.delivery.reserve(&message.project_id, &message.endpoint_id) {
        Some(slot) => store_and_start(&state, message, slot).await,
        None => {
            let outcome = state.store.accept_send(message).await?;
            if matches!(outcome, SendOutcome::Accepted(_)) {
                state.delivery.wake();
            }
            Ok(outcome)
        }
    };
    drop(admission);
    match outcome? {
        SendOutcome::Accepted(_) => {
            Telemetry::inc(&state.telemetry.accepted);
            Ok(Reply::accepted(SendWebhookResponse { message_id, status: MessageStatus::Queued.to_string() }))
        }
        SendOutcome::Duplicate(original) => {
            Ok(Reply::ok(SendWebhookResponse { message_id: original, status: MessageStatus::Queued.to_string() }))
        }
        SendOutcome::IdempotencyMismatch => Err(ApiError::conflict(
            "IDEMPOTENCY_MISMATCH",
            "idempotency_key was already used for this endpoint with a different payload",
        )),
        SendOutcome::EndpointNotFound => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "ENDPOINT_NOT_FOUND", format!("endpoint {endpoint_id} not found")))
        }
    }
}

/// Stores a send with a free worker slot: its write also claims the endpoint's next delivery,
/// which starts at once ([`crate::delivery::claim_on_send`]). Both run in a task of their own,
/// so a client that goes away mid-write cannot leave a claimed message without its delivery.
async fn store_and_start(state: &AppState, message: NewMessage, slot: SendSlot) -> Result<SendOutcome, ApiError> {
    let (store, delivery) = (state.store.clone(), state.delivery.clone());
    let task = tokio::spawn(async move {
        let (outcome, claimed) = store.accept_send_and_claim(message, slot.lease()).await?;
        match (&outcome, claimed) {
            (SendOutcome::Accepted(_), Some(claimed)) => slot.start(claimed),
            (SendOutcome::Accepted(_), None) => {
                drop(slot);
                delivery.wake();
            }
            _ => {}
        }
        Ok::<_, ApiError>(outcome)
    });
    task.await.map_err(|e| ApiError::internal(format!("storing the send failed: {e}")))?
}

/// Checks an idempotency key: at most 255 characters of `[A-Za-z0-9_-]`.
fn validate_idempotency_key(key: String) -> ApiResult<String> {
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(ApiError::invalid(format!("idempotency_key must be at most {MAX_IDEMPOTENCY_KEY} characters")));
    }
    if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(ApiError::invalid("idempotency_key may only contain letters, digits, '_' and '-'"));
    }
    Ok(key)
}

/// Header names a caller may not set; `proxy-*` and `x-webhook-*` by prefix.
const FORBIDDEN_HEADERS: &[&str] =
    &["host", "authorization", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"];

fn invalid_headers(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_HEADERS", message)
}

/// Validates custom headers (of a send or an endpoint): an object of string values, at most
/// 50 entries and 8 KB in total, valid HTTP names and values, none of the forbidden names.
/// `None` (absent or null) stays `None`.
pub(super) fn validate_headers(value: Option<Value>) -> ApiResult<Option<HeaderMap>> {
    let map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(invalid_headers("headers must be an object of header names to string values")),
    };
    if map.len() > MAX_HEADERS {
        return Err(invalid_headers(format!("at most {MAX_HEADERS} headers are allowed, got {}", map.len())));
    }
    let mut out = HeaderMap::with_capacity(map.len());
    let mut total = 0usize;
    for (name, value) in map {
        let Value::String(value) = value else {
            return Err(invalid_headers(format!("header {name} must have a string value")));
        };
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(invalid_headers(format!("{name:?} is not a valid header name")));
        }
        if axum::http::HeaderValue::from_str(&value).is_err() {
            return Err(invalid_headers(format!("the value of header {name} is not a valid header value")));
        }
        let lower = name.to_ascii_lowercase();
        if FORBIDDEN_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") || lower.starts_with("x-webhook-") {
            return Err(invalid_headers(format!("header {name} cannot be set")));
        }
        if out.keys().any(|k: &String| k.eq_ignore_ascii_case(&name)) {
            return Err(invalid_headers(format!("header {name} is given twice")));
        }
        total += name.len() + value.len();
        out.insert(name, value);
    }
    if total > MAX_HEADER_BYTES {
        return Err(invalid_headers(format!("headers total {total} bytes; the limit is {MAX_HEADER_BYTES} bytes")));
    }
    Ok(Some(out))
}

/// The stored form of custom headers (a JSON object, order kept).
pub(super) fn headers_to_json(headers: &HeaderMap) -> String {
    serde_json::to_string(headers).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_rules() {
        assert!(validate_headers(None).unwrap().is_none());
        let ok = validate_headers(Some(json!({"X-Tenant": "a", "X-Trace": "b"}))).unwrap().unwrap();
        assert_eq!(ok.keys().collect::<Vec<_>>(), ["X-Tenant", "X-Trace"]);
        for bad in [
            json!({"Host": "x"}),
            json!({"authorization": "x"}),
            json!({"Proxy-Authorization": "x"}),
            json!({"X-Webhook-Id": "x"}),
            json!({"X-A": 1}),
            json!({"bad name": "x"}),
            json!({"X-A": "line\nbreak"}),
            json!({"X-A": "1", "x-a": "2"}),
            json!(["X-A"]),
            json!({"X-Big": "v".repeat(9000)}),
        ] {
            assert_eq!(validate_headers(Some(bad.clone())).unwrap_err().code, "INVALID_HEADERS", "{bad}");
        }
        let many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("X-H{i}"), json!("v"))).collect();
        assert_eq!(validate_headers(Some(Value::Object(many))).unwrap_err().code, "INVALID_HEADERS");
    }

    #[test]
    fn idempotency_key_rules() {
        assert!(validate_idempotency_key("order-1_A".into()).is_ok());
        assert!(validate_idempotency_key("has space".into()).is_err());
        assert!(validate_idempotency_key("k".repeat(256)).is_err());
    }
}
