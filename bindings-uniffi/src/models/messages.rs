//! Sending, message status, logs, DLQ and replay results.

use super::{list, mirror, opt_ts, same, ts};

mirror! {
    /// Result of `send`: the id of the stored message and its status (`queued`).
    SendWebhookResponse from hookbridge::SendWebhookResponse {
        /// UUIDv7 of the message.
        message_id: String => same,
        /// Always `queued` on acceptance.
        status: String => same,
    }
}

mirror! {
    /// Result of replaying one inbound message.
    ReplayMessageResponse from hookbridge::ReplayMessageResponse {
        /// The replayed message.
        message_id: String => same,
        /// Its new status (`queued`).
        status: String => same,
    }
}

mirror! {
    /// Full state of one outbound message (`get_message`).
    Message from hookbridge::Message {
        /// UUIDv7 of the message.
        id: String => same,
        /// Project that owns it.
        project_id: String => same,
        /// Destination endpoint (`ep_...`).
        endpoint_id: String => same,
        /// `queued`, `delivering`, `succeeded`, `pending_retry`, `failed_permanent` or `paused`.
        status: String => same,
        /// Delivery attempts made so far.
        attempt_count: i64 => same,
        /// Manual replays so far.
        replay_count: i64 => same,
        /// Content type of the payload.
        content_type: String => same,
        /// Payload size in bytes.
        size_bytes: i64 => same,
        /// Hex SHA-256 of the payload bytes.
        payload_sha256: String => same,
        /// When the send was accepted (RFC 3339).
        created_at: String => ts,
        /// Last state change (RFC 3339).
        updated_at: String => ts,
        /// Idempotency key given on send.
        idempotency_key: Option<String> => same,
        /// When the next attempt is due (while `pending_retry`) (RFC 3339).
        next_attempt_at: Option<String> => opt_ts,
        /// Error of the last attempt.
        last_error: Option<String> => same,
        /// HTTP status of the last attempt.
        response_status: Option<i64> => same,
        /// Latency of the last attempt in milliseconds.
        response_latency_ms: Option<i64> => same,
    }
}

mirror! {
    /// One row of the delivery logs or of the dead letter queue.
    MessageSummary from hookbridge::MessageSummary {
        /// UUIDv7 of the message.
        message_id: String => same,
        /// Destination URL at send time.
        endpoint: String => same,
        /// `queued`, `delivering`, `succeeded`, `pending_retry`, `failed_permanent` or `paused`.
        status: String => same,
        /// Delivery attempts made so far.
        attempt_count: i64 => same,
        /// When the send was accepted (RFC 3339).
        created_at: String => ts,
        /// When it was delivered (RFC 3339).
        delivered_at: Option<String> => opt_ts,
        /// When the next attempt is due (RFC 3339).
        next_attempt_at: Option<String> => opt_ts,
        /// HTTP status of the last attempt.
        response_status: Option<i64> => same,
        /// Latency of the last attempt in milliseconds.
        response_latency_ms: Option<i64> => same,
        /// Error of the last attempt.
        last_error: Option<String> => same,
    }
}

mirror! {
    /// A page of delivery logs.
    LogsResponse from hookbridge::LogsResponse {
        /// The messages, newest first.
        messages: Vec<MessageSummary> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}

mirror! {
    /// A page of the dead letter queue (the wire `data` object has exactly this shape).
    DlqMessagesResponse from hookbridge::DlqMessagesResponse {
        /// Messages in `failed_permanent`.
        messages: Vec<MessageSummary> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}

mirror! {
    /// Result of replaying every message of a status.
    ReplayAllMessagesResponse from hookbridge::ReplayAllMessagesResponse {
        /// Messages re-queued.
        replayed: i64 => same,
        /// Messages that could not be replayed.
        failed: i64 => same,
        /// Messages busy right now (in flight or in a fast-retry run).
        stuck: i64 => same,
        /// Ids of the replayed messages.
        replayed_message_ids: Vec<String> => same,
        /// Ids of the stuck messages.
        stuck_message_ids: Vec<String> => same,
    }
}

mirror! {
    /// Outcome for one id of a batch replay.
    ReplayBatchResult from hookbridge::ReplayBatchResult {
        /// The message.
        message_id: String => same,
        /// `replayed`, `failed` or `stuck`.
        status: String => same,
        /// Why it was not replayed.
        error: Option<String> => same,
    }
}

mirror! {
    /// Result of replaying a list of messages.
    ReplayBatchMessagesResponse from hookbridge::ReplayBatchMessagesResponse {
        /// Messages re-queued.
        replayed: i64 => same,
        /// Messages that could not be replayed.
        failed: i64 => same,
        /// Messages busy right now.
        stuck: i64 => same,
        /// One entry per requested id.
        results: Vec<ReplayBatchResult> => list,
    }
}
