//! Attempt records: `GET /v1/messages/{id}/attempts` and `GET /v1/inbound-messages/{id}/attempts`,
//! oldest first, at most [`MAX_ATTEMPTS`] (`meta.has_more` says when there are more). An
//! unknown id, or another project's, gives an empty list, as the hosted API does.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::get;
use hookbridge::{AttemptRecord, HeaderMap};

use super::auth::Caller;
use super::extract::PathParams;
use super::{ApiResult, AppState, Reply, Route};
use crate::clock::timestamp;
use crate::store::Direction;
use crate::store::attempts::StoredAttempt;

/// Most attempts listed.
pub const MAX_ATTEMPTS: usize = 200;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/messages/{message_id}/attempts",
            summary: "List the delivery attempts of a message (oldest first, at most 200)",
            authenticated: true,
            handler: get(outbound),
            doc: op("get_message_attempts").data::<Vec<hookbridge::AttemptRecord>>(),
        },
        Route {
            method: "GET",
            path: "/v1/inbound-messages/{message_id}/attempts",
            summary: "List the forwarding attempts of an inbound message (oldest first, at most 200)",
            authenticated: true,
            handler: get(inbound),
            doc: op("get_inbound_message_attempts").data::<Vec<hookbridge::AttemptRecord>>(),
        },
    ]
}

async fn outbound(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    list(&state, &caller, Direction::Outbound, &id).await
}

async fn inbound(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    list(&state, &caller, Direction::Inbound, &id).await
}

async fn list(state: &AppState, caller: &Caller, direction: Direction, id: &str) -> ApiResult<Reply> {
    let mut rows = state.store.list_attempts(&caller.project_id, direction, id, MAX_ATTEMPTS + 1).await?;
    let has_more = rows.len() > MAX_ATTEMPTS;
    rows.truncate(MAX_ATTEMPTS);
    let items: Vec<AttemptRecord> = rows.into_iter().map(wire).collect();
    Ok(Reply::ok(items).meta("has_more", has_more))
}

/// A stable UUIDv7 for an attempt: its time, and its row id in the random bits.
fn attempt_id(created_at: i64, row_id: i64) -> String {
    let mut bits = [0u8; 10];
    bits[2..].copy_from_slice(&row_id.to_be_bytes());
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(created_at).unwrap_or(0), &bits).into_uuid().to_string()
}

/// A stored JSON object of headers (anything else: none).
fn headers(json: Option<String>) -> Option<HeaderMap> {
    json.and_then(|j| serde_json::from_str(&j).ok())
}

/// The wire form of a stored attempt: the retry schedule its outcome chose, and the receiver's
/// `Retry-After` only when a retry honoured it.
fn wire(a: StoredAttempt) -> AttemptRecord {
    let retry_type = match a.outcome.as_str() {
        "retry_fast" => Some("fast".to_owned()),
        "retry_slow" => Some("slow".to_owned()),
        _ => None,
    };
    let retry_after_seconds =
        a.retry_after_ms.filter(|_| retry_type.is_some()).map(|ms| ms.saturating_add(999).div_euclid(1000).max(0));
    let transfer_ms = a.ttfb_ms.map(|ttfb| a.latency_ms.saturating_sub(ttfb).max(0));
    AttemptRecord {
        id: attempt_id(a.created_at, a.row_id),
        attempt_no: a.attempt_no,
        created_at: timestamp(a.created_at),
        response_status: a.response_status,
        response_latency_ms: Some(a.latency_ms),
        processing_ms: None,
        error_text: a.error,
        response_headers: headers(a.response_headers),
        retry_type,
        retry_after_seconds,
        resolved_ip: a.resolved_ip,
        request_headers: headers(a.request_headers),
        dns_ms: None,
        tcp_connect_ms: None,
        tls_handshake_ms: None,
        ttfb_ms: a.ttfb_ms,
        transfer_ms,
        conn_reused: None,
        response_body_url: None,
        response_body_truncated: a.response_body_truncated,
        response_body: a.response_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_ids_are_stable_uuid_v7_and_distinct() {
        let a = attempt_id(1_735_689_600_000, 1);
        assert_eq!(a, attempt_id(1_735_689_600_000, 1));
        assert_ne!(a, attempt_id(1_735_689_600_000, 2));
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        assert_eq!(parsed.get_timestamp().unwrap().to_unix().0, 1_735_689_600);
    }
}
