//! Pull endpoints (store and poll): endpoint management, their events (list, read, acknowledge,
//! delete), and pull logs and metrics. Requests match the Python SDK 2.0.0's.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{Page, seg};
use crate::client::{Client, DataMeta, NextCursorMeta};
use crate::error::{Error, Result};
use crate::models::{
    AckPullEventsResponse, CreatePullEndpointResponse, DeleteEventBatchResult, DeleteEventResult, DeletePullEventsAllResult,
    DeleteResult, ListPullEndpointsResponse, ListPullEventsResponse, Metrics, PauseState, PullDeletePartialError, PullEndpoint,
    PullEndpointSummary, PullEvent, PullEventSummary, PullLogEntry, PullLogsResponse, PullTimeSeriesMetrics,
};
use crate::query::Query;
use crate::time::TimeArg;
use crate::transport::Call;

/// Settings of a pull endpoint (create and update). Every `Some` is sent (`false`, 0 and
/// empty lists included), in this order.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEndpointSettings {
    /// Friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// Days an event is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub retention_days: Option<i64>,
    /// Where the event type is read: `body` or `header`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_type_source: Option<String>,
    /// Dotted body path or header name of the event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_type_path: Option<String>,
    /// Require a shared static token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub verify_static_token: Option<bool>,
    /// Header carrying the static token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub token_header_name: Option<String>,
    /// Query parameter carrying the static token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub token_query_param: Option<String>,
    /// The static token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub token_value: Option<String>,
    /// Require an HMAC signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub verify_hmac: Option<bool>,
    /// Header carrying the HMAC signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hmac_header_name: Option<String>,
    /// HMAC key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hmac_secret: Option<String>,
    /// Header carrying the sender's timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timestamp_header_name: Option<String>,
    /// Largest accepted timestamp age.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timestamp_ttl_seconds: Option<i64>,
    /// Require the sender IP to be allow-listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub verify_ip_allowlist: Option<bool>,
    /// Allowed CIDR blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub allowed_cidrs: Option<Vec<String>>,
    /// Headers that make up the dedupe key, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub idempotency_header_names: Option<Vec<String>>,
    /// Status answered to senders on success (200..299).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub ingest_response_code: Option<i64>,
}

crate::debug_redacted!(PullEndpointSettings {
    name,
    description,
    retention_days,
    event_type_source,
    event_type_path,
    verify_static_token,
    token_header_name,
    token_query_param,
    token_value,
    verify_hmac,
    hmac_header_name,
    hmac_secret,
    timestamp_header_name,
    timestamp_ttl_seconds,
    verify_ip_allowlist,
    allowed_cidrs,
    idempotency_header_names,
    ingest_response_code
});

/// Filters and pagination of `list_pull_events`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullEventsQuery {
    /// `stored`, `fetched`, `delivered` or `all`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this event type.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_type: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub since: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub before: Option<TimeArg>,
    /// Page size.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

/// Filters and pagination of `get_pull_logs`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PullLogsQuery {
    /// Only this pull endpoint.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pull_endpoint_id: Option<String>,
    /// `stored`, `fetched` or `delivered`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this event type.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_type: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub start_time: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub end_time: Option<TimeArg>,
    /// Page size.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

/// Filters of `delete_pull_events_all`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeletePullEventsFilter {
    /// Only events in this status.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this event type.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_type: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub received_after: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub received_before: Option<TimeArg>,
    /// At most this many.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
}

/// `meta` of the event list, where `has_more` may be missing.
#[derive(Deserialize, Default)]
struct EventsMeta {
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Serialize)]
struct EventIds<'a> {
    event_ids: &'a [String],
}

/// The batch deletion body: its key is `message_ids` although it holds event ids.
#[derive(Serialize)]
struct BatchIds<'a> {
    message_ids: &'a [String],
}

#[derive(Deserialize)]
struct DeleteAllAnswer {
    data: DeleteAllData,
    #[serde(default)]
    error: Option<PullDeletePartialError>,
}

#[derive(Deserialize)]
struct DeleteAllData {
    deleted: i64,
    #[serde(default)]
    deleted_event_ids: Vec<String>,
}

fn endpoint_path(endpoint_id: &str) -> String {
    format!("/v1/pull-endpoints/{}", seg(endpoint_id))
}

impl Client {
    /// Creates a pull endpoint; the ingest URL with its secret token is returned only this once.
    pub async fn create_pull_endpoint(&self, settings: &PullEndpointSettings) -> Result<CreatePullEndpointResponse> {
        self.data(Call::new(Method::POST, "/v1/pull-endpoints").json(settings)?).await
    }

    /// A page of pull endpoints; `has_more` is true when the server gave a next cursor.
    pub async fn list_pull_endpoints(&self, page: &Page) -> Result<ListPullEndpointsResponse> {
        let mut q = Query::new();
        q.opt("limit", page.limit).opt("cursor", page.cursor.as_ref());
        let list: DataMeta<Vec<PullEndpointSummary>, Option<NextCursorMeta>> =
            self.decode(Call::new(Method::GET, "/v1/pull-endpoints").query(q)).await?;
        let next_cursor = list.meta.unwrap_or_default().next_cursor;
        Ok(ListPullEndpointsResponse {
            endpoints: list.data,
            has_more: next_cursor.as_deref().is_some_and(|c| !c.is_empty()),
            next_cursor,
        })
    }

    /// One pull endpoint with its event counts (without secrets).
    pub async fn get_pull_endpoint(&self, endpoint_id: &str) -> Result<PullEndpoint> {
        self.data(Call::new(Method::GET, endpoint_path(endpoint_id))).await
    }

    /// Changes the given settings of a pull endpoint; returns the endpoint.
    pub async fn update_pull_endpoint(&self, endpoint_id: &str, settings: &PullEndpointSettings) -> Result<PullEndpoint> {
        let fields = match serde_json::to_value(settings) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return Err(Error::validation("pull endpoint settings must serialize to a JSON object")),
        };
        self.update_pull_endpoint_fields(endpoint_id, &fields).await
    }

    /// Sends `fields` as the update body, keys verbatim and in order, leaving out `null` values
    /// (the Python SDK passes `**kwargs` through and drops the ones that are `None`).
    pub async fn update_pull_endpoint_fields(
        &self,
        endpoint_id: &str,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<PullEndpoint> {
        let body: serde_json::Map<String, serde_json::Value> =
            fields.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
        self.data(Call::new(Method::PATCH, endpoint_path(endpoint_id)).json(&body)?).await
    }

    /// Deletes a pull endpoint; its ingest URL stops accepting.
    pub async fn delete_pull_endpoint(&self, endpoint_id: &str) -> Result<DeleteResult> {
        self.data(Call::new(Method::DELETE, endpoint_path(endpoint_id))).await
    }

    /// Pauses ingest on a pull endpoint.
    pub async fn pause_pull_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("{}/pause", endpoint_path(endpoint_id)))).await
    }

    /// Resumes ingest on a pull endpoint.
    pub async fn resume_pull_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("{}/resume", endpoint_path(endpoint_id)))).await
    }

    /// A page of a pull endpoint's events, newest first (`""` as next cursor means none).
    pub async fn list_pull_events(&self, endpoint_id: &str, query: &PullEventsQuery) -> Result<ListPullEventsResponse> {
        let mut q = Query::new();
        q.opt("status", query.status.as_ref())
            .opt("event_type", query.event_type.as_ref())
            .time("since", query.since.as_ref())
            .time("before", query.before.as_ref())
            .opt("limit", query.limit)
            .opt("cursor", query.cursor.as_ref());
        let page: DataMeta<Vec<PullEventSummary>, Option<EventsMeta>> =
            self.decode(Call::new(Method::GET, format!("{}/events", endpoint_path(endpoint_id))).query(q)).await?;
        let meta = page.meta.unwrap_or_default();
        Ok(ListPullEventsResponse {
            events: page.data,
            has_more: meta.has_more,
            next_cursor: meta.next_cursor.filter(|c| !c.is_empty()),
        })
    }

    /// One event with its payload; unless `preview`, a `stored` event becomes `fetched`.
    pub async fn get_pull_event(&self, endpoint_id: &str, event_id: &str, preview: bool) -> Result<PullEvent> {
        let mut q = Query::new();
        if preview {
            q.push("preview", "true");
        }
        let path = format!("{}/events/{}", endpoint_path(endpoint_id), seg(event_id));
        self.data(Call::new(Method::GET, path).query(q)).await
    }

    /// Acknowledges events (`→ delivered`); how many moved.
    pub async fn ack_pull_events(&self, endpoint_id: &str, event_ids: &[String]) -> Result<AckPullEventsResponse> {
        let path = format!("{}/events/ack", endpoint_path(endpoint_id));
        self.data(Call::new(Method::POST, path).json(&EventIds { event_ids })?).await
    }

    /// A page of pull events across endpoints, newest first.
    pub async fn get_pull_logs(&self, query: &PullLogsQuery) -> Result<PullLogsResponse> {
        let mut q = Query::new();
        q.opt("pull_endpoint_id", query.pull_endpoint_id.as_ref())
            .opt("status", query.status.as_ref())
            .opt("event_type", query.event_type.as_ref())
            .time("start_time", query.start_time.as_ref())
            .time("end_time", query.end_time.as_ref())
            .opt("limit", query.limit)
            .opt("cursor", query.cursor.as_ref());
        let page: DataMeta<Vec<PullLogEntry>, crate::client::CursorMeta> =
            self.decode(Call::new(Method::GET, "/v1/pull-logs").query(q)).await?;
        Ok(PullLogsResponse { entries: page.data, has_more: page.meta.has_more, next_cursor: page.meta.next_cursor })
    }

    /// Pull metrics over `window`, optionally for one endpoint.
    pub async fn get_pull_metrics(&self, window: &str, pull_endpoint_id: Option<&str>) -> Result<Metrics> {
        let mut q = Query::new();
        q.push("window", window).opt("pull_endpoint_id", pull_endpoint_id);
        self.data(Call::new(Method::GET, "/v1/pull-metrics").query(q)).await
    }

    /// Pull metrics bucketed over `window`.
    pub async fn get_pull_timeseries_metrics(
        &self,
        window: &str,
        pull_endpoint_id: Option<&str>,
    ) -> Result<PullTimeSeriesMetrics> {
        let mut q = Query::new();
        q.push("window", window).opt("pull_endpoint_id", pull_endpoint_id);
        self.data(Call::new(Method::GET, "/v1/pull-metrics/timeseries").query(q)).await
    }

    /// Deletes one event (payload purged, record kept); idempotent.
    pub async fn delete_pull_event(&self, endpoint_id: &str, event_id: &str) -> Result<DeleteEventResult> {
        let path = format!("{}/events/{}", endpoint_path(endpoint_id), seg(event_id));
        self.data(Call::new(Method::DELETE, path)).await
    }

    /// Deletes the given events (at most 100), one outcome per id.
    pub async fn delete_pull_events_batch(&self, endpoint_id: &str, event_ids: &[String]) -> Result<DeleteEventBatchResult> {
        let path = format!("{}/events/delete-batch", endpoint_path(endpoint_id));
        self.data(Call::new(Method::POST, path).json(&BatchIds { message_ids: event_ids })?).await
    }

    /// Deletes every event matching the filters (at most 1000 per call).
    pub async fn delete_pull_events_all(
        &self,
        endpoint_id: &str,
        filter: &DeletePullEventsFilter,
    ) -> Result<DeletePullEventsAllResult> {
        let mut q = Query::new();
        q.opt("status", filter.status.as_ref())
            .opt("event_type", filter.event_type.as_ref())
            .time("received_after", filter.received_after.as_ref())
            .time("received_before", filter.received_before.as_ref())
            .opt("limit", filter.limit);
        let path = format!("{}/events/delete-all", endpoint_path(endpoint_id));
        let answer: DeleteAllAnswer = self.decode(Call::new(Method::POST, path).query(q)).await?;
        Ok(DeletePullEventsAllResult {
            deleted: answer.data.deleted,
            deleted_event_ids: answer.data.deleted_event_ids,
            error: answer.error,
        })
    }
}
