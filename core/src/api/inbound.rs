//! Inbound endpoints, inbound message replay, inbound logs, metrics and rejections.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::messages::MessageIds;
use super::{Page, seg};
use crate::client::{Client, CursorMeta, DataMeta, NextCursorMeta};
use crate::error::{Error, Result};
use crate::models::{
    CreateInboundEndpointResponse, DeleteResult, InboundEndpoint, InboundEndpointSummary, InboundLogEntry, InboundLogsResponse,
    InboundMessage, InboundMetrics, InboundRejection, InboundRejectionsResponse, ListInboundEndpointsResponse, PauseState,
    ReplayAllMessagesResponse, ReplayBatchMessagesResponse, ReplayMessageResponse, TimeSeriesMetrics, UpdateResult,
};
use crate::query::Query;
use crate::time::TimeArg;
use crate::transport::Call;

/// Verification and forwarding settings of an inbound endpoint. Every `Some` is sent
/// (`false`, 0 and empty lists included), in this order.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundEndpointSettings {
    /// Friendly name (at most 255 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// Description (at most 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// `forward` (the server's default) or `cli` (see [`crate::models::inbound_mode`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub mode: Option<String>,
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
    /// Verify a provider's own signature headers with `hmac_secret`: `stripe`, `github`,
    /// `shopify`, `slack`, `standard_webhooks` or `custom` (the server's default; see
    /// [`crate::models::verification_preset`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub verification_preset: Option<String>,
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
    /// Sign forwarded requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub signing_enabled: Option<bool>,
}

crate::debug_redacted!(InboundEndpointSettings {
    name,
    description,
    mode,
    verify_static_token,
    token_header_name,
    token_query_param,
    token_value,
    verify_hmac,
    verification_preset,
    hmac_header_name,
    hmac_secret,
    timestamp_header_name,
    timestamp_ttl_seconds,
    verify_ip_allowlist,
    allowed_cidrs,
    idempotency_header_names,
    ingest_response_code,
    signing_enabled
});

/// Filters and pagination of `get_inbound_logs`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InboundLogsQuery {
    /// Only messages in this status.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this inbound endpoint.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub inbound_endpoint_id: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub start_time: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub end_time: Option<TimeArg>,
    /// Page size (1..500, default 50).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

/// Filters and pagination of `list_inbound_rejections`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RejectionsQuery {
    /// Only this inbound endpoint.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub inbound_endpoint_id: Option<String>,
    /// Received at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub start_time: Option<TimeArg>,
    /// Received at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub end_time: Option<TimeArg>,
    /// Page size (1..500, default 50).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

#[derive(Serialize)]
struct CreateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(flatten)]
    settings: &'a InboundEndpointSettings,
}

impl Client {
    /// Creates an inbound endpoint; `ingest_url` and `secret_token` are returned only this once.
    pub async fn create_inbound_endpoint(
        &self,
        url: &str,
        settings: &InboundEndpointSettings,
    ) -> Result<CreateInboundEndpointResponse> {
        self.create_inbound_endpoint_with(Some(url), settings).await
    }

    /// Creates an inbound endpoint, the 2.0.0 form: `url` may be left out for a `cli`-mode
    /// endpoint (`settings.mode`); the server requires it for `forward` mode.
    pub async fn create_inbound_endpoint_with(
        &self,
        url: Option<&str>,
        settings: &InboundEndpointSettings,
    ) -> Result<CreateInboundEndpointResponse> {
        self.data(Call::new(Method::POST, "/v1/inbound-endpoints").json(&CreateBody { url, settings })?).await
    }

    /// A page of inbound endpoints; `has_more` is true when the server gave a next cursor.
    pub async fn list_inbound_endpoints(&self, page: &Page) -> Result<ListInboundEndpointsResponse> {
        let mut q = Query::new();
        q.opt("limit", page.limit).opt("cursor", page.cursor.as_ref());
        let list: DataMeta<Vec<InboundEndpointSummary>, Option<NextCursorMeta>> =
            self.decode(Call::new(Method::GET, "/v1/inbound-endpoints").query(q)).await?;
        let next_cursor = list.meta.unwrap_or_default().next_cursor;
        Ok(ListInboundEndpointsResponse {
            endpoints: list.data,
            has_more: next_cursor.as_deref().is_some_and(|c| !c.is_empty()),
            next_cursor,
        })
    }

    /// One inbound endpoint (without secrets).
    pub async fn get_inbound_endpoint(&self, endpoint_id: &str) -> Result<InboundEndpoint> {
        self.data(Call::new(Method::GET, format!("/v1/inbound-endpoints/{}", seg(endpoint_id)))).await
    }

    /// Changes the given settings of an inbound endpoint.
    pub async fn update_inbound_endpoint(&self, endpoint_id: &str, settings: &InboundEndpointSettings) -> Result<UpdateResult> {
        let fields = match serde_json::to_value(settings) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return Err(Error::validation("inbound endpoint settings must serialize to a JSON object")),
        };
        self.update_inbound_endpoint_fields(endpoint_id, &fields).await
    }

    /// Sends `fields` as the update body, keys verbatim and in order, leaving out `null` values
    /// (the Python SDK passes `**kwargs` through and drops the ones that are `None`).
    pub async fn update_inbound_endpoint_fields(
        &self,
        endpoint_id: &str,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<UpdateResult> {
        let body: serde_json::Map<String, serde_json::Value> =
            fields.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
        self.data(Call::new(Method::PATCH, format!("/v1/inbound-endpoints/{}", seg(endpoint_id))).json(&body)?).await
    }

    /// Deletes an inbound endpoint; accepted messages are still forwarded.
    pub async fn delete_inbound_endpoint(&self, endpoint_id: &str) -> Result<DeleteResult> {
        self.data(Call::new(Method::DELETE, format!("/v1/inbound-endpoints/{}", seg(endpoint_id)))).await
    }

    /// Pauses ingest: new requests are refused until resumed. Returns the server's answer whole.
    pub async fn pause_inbound_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("/v1/inbound-endpoints/{}/pause", seg(endpoint_id)))).await
    }

    /// Resumes ingest. Returns the server's answer whole (`messages_requeued` as the server reports it).
    pub async fn resume_inbound_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("/v1/inbound-endpoints/{}/resume", seg(endpoint_id)))).await
    }

    /// One inbound message (without its body).
    pub async fn get_inbound_message(&self, message_id: &str) -> Result<InboundMessage> {
        self.data(Call::new(Method::GET, format!("/v1/inbound-messages/{}", seg(message_id)))).await
    }

    /// Re-queues one inbound message for forwarding.
    pub async fn replay_inbound_message(&self, message_id: &str) -> Result<ReplayMessageResponse> {
        self.data(Call::new(Method::POST, format!("/v1/inbound-messages/{}/replay", seg(message_id)))).await
    }

    /// Re-queues every inbound message in `status` (optionally of one endpoint).
    pub async fn replay_all_inbound_messages(
        &self,
        status: &str,
        inbound_endpoint_id: Option<&str>,
        limit: Option<i64>,
    ) -> Result<ReplayAllMessagesResponse> {
        let mut q = Query::new();
        q.push("status", status).opt("inbound_endpoint_id", inbound_endpoint_id).opt("limit", limit);
        self.data(Call::new(Method::POST, "/v1/inbound-messages/replay-all").query(q)).await
    }

    /// Re-queues the given inbound messages (at most 100).
    pub async fn replay_batch_inbound_messages(&self, message_ids: &[String]) -> Result<ReplayBatchMessagesResponse> {
        self.data(Call::new(Method::POST, "/v1/inbound-messages/replay-batch").json(&MessageIds { message_ids })?).await
    }

    /// A page of inbound messages, newest first.
    pub async fn get_inbound_logs(&self, query: &InboundLogsQuery) -> Result<InboundLogsResponse> {
        let mut q = Query::new();
        q.opt("status", query.status.as_ref())
            .opt("inbound_endpoint_id", query.inbound_endpoint_id.as_ref())
            .time("start_time", query.start_time.as_ref())
            .time("end_time", query.end_time.as_ref())
            .opt("limit", query.limit)
            .opt("cursor", query.cursor.as_ref());
        let page: DataMeta<Vec<InboundLogEntry>, CursorMeta> =
            self.decode(Call::new(Method::GET, "/v1/inbound-logs").query(q)).await?;
        Ok(InboundLogsResponse { entries: page.data, has_more: page.meta.has_more, next_cursor: page.meta.next_cursor })
    }

    /// Inbound metrics over `window`, optionally for one endpoint.
    pub async fn get_inbound_metrics(&self, window: &str, inbound_endpoint_id: Option<&str>) -> Result<InboundMetrics> {
        let mut q = Query::new();
        q.push("window", window).opt("inbound_endpoint_id", inbound_endpoint_id);
        self.data(Call::new(Method::GET, "/v1/inbound-metrics").query(q)).await
    }

    /// Inbound metrics bucketed over `window`.
    pub async fn get_inbound_timeseries_metrics(
        &self,
        window: &str,
        inbound_endpoint_id: Option<&str>,
    ) -> Result<TimeSeriesMetrics> {
        let mut q = Query::new();
        q.push("window", window).opt("inbound_endpoint_id", inbound_endpoint_id);
        self.data(Call::new(Method::GET, "/v1/inbound-metrics/timeseries").query(q)).await
    }

    /// A page of refused ingest requests, newest first.
    pub async fn list_inbound_rejections(&self, query: &RejectionsQuery) -> Result<InboundRejectionsResponse> {
        let mut q = Query::new();
        q.opt("inbound_endpoint_id", query.inbound_endpoint_id.as_ref())
            .time("start_time", query.start_time.as_ref())
            .time("end_time", query.end_time.as_ref())
            .opt("limit", query.limit)
            .opt("cursor", query.cursor.as_ref());
        let page: DataMeta<Vec<InboundRejection>, CursorMeta> =
            self.decode(Call::new(Method::GET, "/v1/inbound-rejections").query(q)).await?;
        Ok(InboundRejectionsResponse { entries: page.data, has_more: page.meta.has_more, next_cursor: page.meta.next_cursor })
    }
}
