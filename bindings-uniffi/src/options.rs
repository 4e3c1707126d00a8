//! Input records: the optional parts of calls, with uniffi defaults so that foreign code can
//! write `SendOptions(idempotencyKey = "k")` (Kotlin) or `SendOptions(idempotencyKey: "k")`
//! (Swift). Each converts into the core's option type; time filters are strings sent verbatim.

use std::collections::HashMap;

use hookbridge::{HeaderMap, TimeArg};

/// Headers from a foreign map, sorted by name so the request is the same on every run
/// (a foreign map's order is not preserved across the FFI).
fn headers_in(h: Option<HashMap<String, String>>) -> Option<HeaderMap> {
    h.map(|h| {
        let mut pairs: Vec<(String, String)> = h.into_iter().collect();
        pairs.sort();
        pairs.into_iter().collect()
    })
}

/// A time filter given as text, passed to the server exactly as written.
fn time_in(t: Option<String>) -> Option<TimeArg> {
    t.map(TimeArg::Text)
}

/// Optional parts of a send.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct SendOptions {
    /// Headers added to this delivery (sent only when non-empty).
    #[uniffi(default)]
    pub headers: Option<HashMap<String, String>>,
    /// Makes the send idempotent per endpoint: a repeat with the same payload returns the
    /// original message, a different payload fails with `Idempotency` (sent only when non-empty).
    #[uniffi(default)]
    pub idempotency_key: Option<String>,
}

impl From<SendOptions> for hookbridge::SendOptions {
    fn from(o: SendOptions) -> Self {
        hookbridge::SendOptions { headers: headers_in(o.headers), idempotency_key: o.idempotency_key }
    }
}

/// Cursor pagination of the list operations.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct Page {
    /// Page size (the server bounds it).
    #[uniffi(default)]
    pub limit: Option<i64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[uniffi(default)]
    pub cursor: Option<String>,
}

impl From<Page> for hookbridge::Page {
    fn from(p: Page) -> Self {
        hookbridge::Page { limit: p.limit, cursor: p.cursor }
    }
}

/// Optional settings of a new endpoint; only truthy values are sent (an empty description,
/// 0 and an empty map are left out).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct CreateEndpointOptions {
    /// Description (at most 500 characters).
    #[uniffi(default)]
    pub description: Option<String>,
    /// Deliveries per second (0 = unlimited).
    #[uniffi(default = 0)]
    pub rate_limit_rps: i64,
    /// Burst allowance (defaults to `rate_limit_rps` on the server).
    #[uniffi(default = 0)]
    pub burst: i64,
    /// Headers added to every delivery.
    #[uniffi(default)]
    pub headers: Option<HashMap<String, String>>,
}

impl From<CreateEndpointOptions> for hookbridge::CreateEndpointOptions {
    fn from(o: CreateEndpointOptions) -> Self {
        hookbridge::CreateEndpointOptions {
            description: o.description,
            rate_limit_rps: o.rate_limit_rps,
            burst: o.burst,
            headers: headers_in(o.headers),
        }
    }
}

/// Fields to change on an endpoint; every non-null field is sent, including `""`, 0 and an
/// empty map (0 clears the rate limit, an empty map clears the headers).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct UpdateEndpointOptions {
    /// New URL.
    #[uniffi(default)]
    pub url: Option<String>,
    /// New description.
    #[uniffi(default)]
    pub description: Option<String>,
    /// New rate limit.
    #[uniffi(default)]
    pub rate_limit_rps: Option<i64>,
    /// New burst.
    #[uniffi(default)]
    pub burst: Option<i64>,
    /// New headers.
    #[uniffi(default)]
    pub headers: Option<HashMap<String, String>>,
}

impl From<UpdateEndpointOptions> for hookbridge::UpdateEndpointOptions {
    fn from(o: UpdateEndpointOptions) -> Self {
        hookbridge::UpdateEndpointOptions {
            url: o.url,
            description: o.description,
            rate_limit_rps: o.rate_limit_rps,
            burst: o.burst,
            headers: headers_in(o.headers),
        }
    }
}

/// Filters and pagination of `get_logs`.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct LogsQuery {
    /// Only messages in this status.
    #[uniffi(default)]
    pub status: Option<String>,
    /// Created at or after (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub start_time: Option<String>,
    /// Created at or before (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub end_time: Option<String>,
    /// Page size (1..500, default 50).
    #[uniffi(default)]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[uniffi(default)]
    pub cursor: Option<String>,
}

impl From<LogsQuery> for hookbridge::LogsQuery {
    fn from(q: LogsQuery) -> Self {
        hookbridge::LogsQuery {
            status: q.status,
            start_time: time_in(q.start_time),
            end_time: time_in(q.end_time),
            limit: q.limit,
            cursor: q.cursor,
        }
    }
}

/// Which messages `replay_all_messages` re-queues.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReplayAllOptions {
    /// `failed_permanent` or `pending_retry`.
    pub status: String,
    /// Only this endpoint's messages.
    #[uniffi(default)]
    pub endpoint_id: Option<String>,
    /// At most this many.
    #[uniffi(default)]
    pub limit: Option<i64>,
}

impl From<ReplayAllOptions> for hookbridge::ReplayAllOptions {
    fn from(o: ReplayAllOptions) -> Self {
        hookbridge::ReplayAllOptions { status: o.status, endpoint_id: o.endpoint_id, limit: o.limit }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CreateExportOptions {
    /// Start of the range (ISO 8601 text, sent verbatim).
    pub start_time: String,
    /// End of the range (ISO 8601 text, sent verbatim).
    pub end_time: String,
    /// Only this status.
    #[uniffi(default)]
    pub status: Option<String>,
    /// Only this endpoint.
    #[uniffi(default)]
    pub endpoint_id: Option<String>,
}

impl From<CreateExportOptions> for hookbridge::CreateExportOptions {
    fn from(o: CreateExportOptions) -> Self {
        hookbridge::CreateExportOptions {
            start_time: TimeArg::Text(o.start_time),
            end_time: TimeArg::Text(o.end_time),
            status: o.status,
            endpoint_id: o.endpoint_id,
        }
    }
}

/// Verification and forwarding settings of an inbound endpoint; every non-null field is sent.
#[derive(Clone, Default, PartialEq, uniffi::Record)]
pub struct InboundEndpointSettings {
    /// Friendly name (at most 255 characters).
    #[uniffi(default)]
    pub name: Option<String>,
    /// Description (at most 500 characters).
    #[uniffi(default)]
    pub description: Option<String>,
    /// Require a shared static token.
    #[uniffi(default)]
    pub verify_static_token: Option<bool>,
    /// Header carrying the static token.
    #[uniffi(default)]
    pub token_header_name: Option<String>,
    /// Query parameter carrying the static token.
    #[uniffi(default)]
    pub token_query_param: Option<String>,
    /// The static token.
    #[uniffi(default)]
    pub token_value: Option<String>,
    /// Require an HMAC signature.
    #[uniffi(default)]
    pub verify_hmac: Option<bool>,
    /// Header carrying the HMAC signature.
    #[uniffi(default)]
    pub hmac_header_name: Option<String>,
    /// HMAC key.
    #[uniffi(default)]
    pub hmac_secret: Option<String>,
    /// Header carrying the sender's timestamp.
    #[uniffi(default)]
    pub timestamp_header_name: Option<String>,
    /// Largest accepted timestamp age.
    #[uniffi(default)]
    pub timestamp_ttl_seconds: Option<i64>,
    /// Require the sender IP to be allow-listed.
    #[uniffi(default)]
    pub verify_ip_allowlist: Option<bool>,
    /// Allowed CIDR blocks.
    #[uniffi(default)]
    pub allowed_cidrs: Option<Vec<String>>,
    /// Headers that make up the dedupe key, in order.
    #[uniffi(default)]
    pub idempotency_header_names: Option<Vec<String>>,
    /// Status answered to senders on success (200..299).
    #[uniffi(default)]
    pub ingest_response_code: Option<i64>,
    /// Sign forwarded requests.
    #[uniffi(default)]
    pub signing_enabled: Option<bool>,
}

/// Prints as the core's settings do: every field, secrets redacted.
impl std::fmt::Debug for InboundEndpointSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&hookbridge::InboundEndpointSettings::from(self.clone()), f)
    }
}

impl From<InboundEndpointSettings> for hookbridge::InboundEndpointSettings {
    fn from(s: InboundEndpointSettings) -> Self {
        hookbridge::InboundEndpointSettings {
            name: s.name,
            description: s.description,
            verify_static_token: s.verify_static_token,
            token_header_name: s.token_header_name,
            token_query_param: s.token_query_param,
            token_value: s.token_value,
            verify_hmac: s.verify_hmac,
            hmac_header_name: s.hmac_header_name,
            hmac_secret: s.hmac_secret,
            timestamp_header_name: s.timestamp_header_name,
            timestamp_ttl_seconds: s.timestamp_ttl_seconds,
            verify_ip_allowlist: s.verify_ip_allowlist,
            allowed_cidrs: s.allowed_cidrs,
            idempotency_header_names: s.idempotency_header_names,
            ingest_response_code: s.ingest_response_code,
            signing_enabled: s.signing_enabled,
        }
    }
}

/// Filters and pagination of `get_inbound_logs`.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct InboundLogsQuery {
    /// Only messages in this status.
    #[uniffi(default)]
    pub status: Option<String>,
    /// Only this inbound endpoint.
    #[uniffi(default)]
    pub inbound_endpoint_id: Option<String>,
    /// Received at or after (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub start_time: Option<String>,
    /// Received at or before (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub end_time: Option<String>,
    /// Page size (1..500, default 50).
    #[uniffi(default)]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[uniffi(default)]
    pub cursor: Option<String>,
}

impl From<InboundLogsQuery> for hookbridge::InboundLogsQuery {
    fn from(q: InboundLogsQuery) -> Self {
        hookbridge::InboundLogsQuery {
            status: q.status,
            inbound_endpoint_id: q.inbound_endpoint_id,
            start_time: time_in(q.start_time),
            end_time: time_in(q.end_time),
            limit: q.limit,
            cursor: q.cursor,
        }
    }
}

/// Filters and pagination of `list_inbound_rejections`.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct RejectionsQuery {
    /// Only this inbound endpoint.
    #[uniffi(default)]
    pub inbound_endpoint_id: Option<String>,
    /// Received at or after (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub start_time: Option<String>,
    /// Received at or before (ISO 8601 text, sent verbatim).
    #[uniffi(default)]
    pub end_time: Option<String>,
    /// Page size (1..500, default 50).
    #[uniffi(default)]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[uniffi(default)]
    pub cursor: Option<String>,
}

impl From<RejectionsQuery> for hookbridge::RejectionsQuery {
    fn from(q: RejectionsQuery) -> Self {
        hookbridge::RejectionsQuery {
            inbound_endpoint_id: q.inbound_endpoint_id,
            start_time: time_in(q.start_time),
            end_time: time_in(q.end_time),
            limit: q.limit,
            cursor: q.cursor,
        }
    }
}
