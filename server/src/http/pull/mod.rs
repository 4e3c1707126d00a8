//! Pull endpoints (store and poll) over the API: endpoint management (`management`), the events
//! receivers list, read, acknowledge and delete (`events`), logs and metrics across endpoints
//! (`observability`), and the ingest route senders post to (`ingest`). A pull endpoint never
//! delivers anything itself.

mod events;
mod ingest;
mod management;
mod observability;

use hookbridge::PullTimingBreakdown;

use super::{ApiError, Route};
use crate::domain::pull::{PullEventStatus, PullTiming};
use crate::store::pull::PullEventRecord;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let mut routes = management::routes();
    routes.extend(events::routes());
    routes.extend(observability::routes());
    routes.push(ingest::route());
    routes
}

/// Whether `id` can be a pull endpoint or event id (a UUID); other ids are simply not found.
fn is_uuid(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

/// 404 `NOT_FOUND` for a pull endpoint.
fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::not_found("pull endpoint", id)
}

/// An event's timing figures on the wire.
fn timing(e: &PullEventRecord) -> PullTimingBreakdown {
    let t = PullTiming::of(e.received_at, e.ingest_ms, e.fetched_at, e.delivered_at);
    PullTimingBreakdown {
        ingest_processing_ms: t.ingest_processing_ms,
        time_to_fetch_ms: t.time_to_fetch_ms,
        time_to_ack_ms: t.time_to_ack_ms,
        total_lifecycle_ms: t.total_lifecycle_ms,
    }
}

/// Reads an optional status filter (`field` names the parameter); `all` (when `allow_all`) or
/// empty means none.
fn status_filter(field: &str, value: Option<String>, allow_all: bool) -> Result<Option<PullEventStatus>, ApiError> {
    let Some(text) = value.filter(|s| !s.is_empty()) else { return Ok(None) };
    if allow_all && text == "all" {
        return Ok(None);
    }
    PullEventStatus::parse(&text).map(Some).ok_or_else(|| {
        let all = if allow_all { "stored, fetched, delivered, all" } else { "stored, fetched, delivered" };
        ApiError::invalid(format!("{field} must be one of {all}, got {text:?}"))
    })
}

/// Reads an optional pull endpoint id given as a filter (empty means none).
fn endpoint_filter(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.filter(|v| !v.is_empty()) {
        Some(id) if !is_uuid(&id) => Err(ApiError::invalid(format!("{field} must be a pull endpoint id (a UUID), got {id:?}"))),
        other => Ok(other),
    }
}
