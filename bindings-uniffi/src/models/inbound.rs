//! Inbound endpoints, inbound logs and rejections.

use super::{list, mirror, opt_ts, same, ts};

mirror! {
    /// An inbound endpoint (`get_inbound_endpoint`); secrets and header names are never included.
    InboundEndpoint from hookbridge::InboundEndpoint {
        /// UUIDv7.
        id: String => same,
        /// Friendly name (`""` when none was given).
        name: String => same,
        /// Forwarding destination.
        url: String => same,
        /// True until deleted.
        active: bool => same,
        /// Whether ingest is paused.
        paused: bool => same,
        /// Whether a static token is required.
        verify_static_token: bool => same,
        /// Whether an HMAC signature is required.
        verify_hmac: bool => same,
        /// Whether the sender IP must be allow-listed.
        verify_ip_allowlist: bool => same,
        /// Status answered to senders on success.
        ingest_response_code: i64 => same,
        /// Headers used to derive the dedupe key, in order.
        idempotency_header_names: Vec<String> => same,
        /// Whether forwarded requests carry HookBridge signatures.
        signing_enabled: bool => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Last change (RFC 3339).
        updated_at: String => ts,
        /// Description.
        description: Option<String> => same,
    }
}

mirror! {
    /// An inbound endpoint as listed.
    InboundEndpointSummary from hookbridge::InboundEndpointSummary {
        /// UUIDv7.
        id: String => same,
        /// Friendly name.
        name: String => same,
        /// Forwarding destination.
        url: String => same,
        /// True until deleted.
        active: bool => same,
        /// Whether ingest is paused.
        paused: bool => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
    }
}

mirror! {
    /// A newly created inbound endpoint; `secret_token` is shown only this once.
    CreateInboundEndpointResponse from hookbridge::CreateInboundEndpointResponse {
        /// UUIDv7.
        id: String => same,
        /// Friendly name.
        name: String => same,
        /// Forwarding destination.
        url: String => same,
        /// Where providers send their webhooks.
        ingest_url: String => same,
        /// The secret path token inside `ingest_url`.
        secret_token: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
    }
}

mirror! {
    /// A page of inbound endpoints; `has_more` is derived from `next_cursor`.
    ListInboundEndpointsResponse from hookbridge::ListInboundEndpointsResponse {
        /// The endpoints.
        endpoints: Vec<InboundEndpointSummary> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}

mirror! {
    /// Result of an update.
    UpdateResult from hookbridge::UpdateResult {
        /// The updated resource.
        id: String => same,
        /// Whether it was updated.
        updated: bool => same,
    }
}

mirror! {
    /// Result of a delete.
    DeleteResult from hookbridge::DeleteResult {
        /// Whether it was deleted.
        deleted: bool => same,
        /// The deleted resource.
        id: Option<String> => same,
    }
}

mirror! {
    /// One inbound message in the inbound logs.
    InboundLogEntry from hookbridge::InboundLogEntry {
        /// UUIDv7 of the message.
        message_id: String => same,
        /// The inbound endpoint that received it.
        inbound_endpoint_id: String => same,
        /// Forwarding URL.
        endpoint: String => same,
        /// Message status.
        status: String => same,
        /// Forwarding attempts so far.
        attempt_count: i64 => same,
        /// When it was received (RFC 3339).
        received_at: String => ts,
        /// When it was forwarded successfully (RFC 3339).
        delivered_at: Option<String> => opt_ts,
        /// HTTP status of the last attempt.
        response_status: Option<i64> => same,
        /// Latency of the last attempt.
        response_latency_ms: Option<i64> => same,
        /// Error of the last attempt.
        last_error: Option<String> => same,
        /// Received to delivered, in milliseconds.
        total_delivery_ms: Option<i64> => same,
    }
}

mirror! {
    /// A page of inbound logs.
    InboundLogsResponse from hookbridge::InboundLogsResponse {
        /// The entries, newest first.
        entries: Vec<InboundLogEntry> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}

mirror! {
    /// An ingest request that was refused.
    InboundRejection from hookbridge::InboundRejection {
        /// UUIDv7.
        id: String => same,
        /// `endpoint_not_found`, `endpoint_deleted`, `invalid_secret`, `static_token_failed`,
        /// `hmac_failed`, `ip_not_allowed`, `payload_too_large` or `invalid_method`.
        reason_code: String => same,
        /// When the request arrived (RFC 3339).
        received_at: String => ts,
        /// The endpoint, when it could be identified.
        inbound_endpoint_id: Option<String> => same,
        /// Human-readable detail.
        reason_detail: Option<String> => same,
        /// Sender address.
        source_ip: Option<String> => same,
        /// Request headers with values masked, as a JSON-encoded string.
        headers_redacted: Option<String> => same,
    }
}

mirror! {
    /// A page of rejections.
    InboundRejectionsResponse from hookbridge::InboundRejectionsResponse {
        /// The rejections, newest first.
        entries: Vec<InboundRejection> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}
