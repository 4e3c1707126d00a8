//! The status of a message, and which statuses a message may move between.

use std::fmt;

/// Where a message stands in its delivery life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Stored and due for a first (or replayed) attempt.
    Queued,
    /// Claimed by a delivery worker: an attempt is in flight under a lease.
    Delivering,
    /// Delivered (the receiver answered 2xx).
    Succeeded,
    /// Waiting for its next retry.
    PendingRetry,
    /// Out of retries, cancelled or refused for good: in the dead letter queue.
    FailedPermanent,
    /// Held because its endpoint is paused.
    Paused,
    /// Received by a `cli`-mode inbound endpoint and kept for its listener: never forwarded.
    Stored,
}

impl MessageStatus {
    /// Every status, in life order.
    pub const ALL: [MessageStatus; 7] = [
        MessageStatus::Queued,
        MessageStatus::Delivering,
        MessageStatus::Succeeded,
        MessageStatus::PendingRetry,
        MessageStatus::FailedPermanent,
        MessageStatus::Paused,
        MessageStatus::Stored,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Delivering => "delivering",
            MessageStatus::Succeeded => "succeeded",
            MessageStatus::PendingRetry => "pending_retry",
            MessageStatus::FailedPermanent => "failed_permanent",
            MessageStatus::Paused => "paused",
            MessageStatus::Stored => "stored",
        }
    }

    /// The status spelled `text`, if any.
    pub fn parse(text: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the delivery engine may pick the message up (when due).
    pub fn is_waiting(self) -> bool {
        matches!(self, MessageStatus::Queued | MessageStatus::PendingRetry)
    }

    /// Whether nothing more will happen to the message unless someone replays it (a `stored`
    /// message has nothing to deliver at all).
    pub fn is_final(self) -> bool {
        matches!(self, MessageStatus::Succeeded | MessageStatus::FailedPermanent | MessageStatus::Stored)
    }

    /// The final statuses as an SQL list of literals (`'succeeded', ...`), for statements that
    /// pick finished messages.
    pub fn final_sql_list() -> String {
        let quoted: Vec<String> =
            MessageStatus::ALL.iter().filter(|s| s.is_final()).map(|s| format!("'{}'", s.as_str())).collect();
        quoted.join(", ")
    }

    /// The status of a message (re-)queued for delivery to an endpoint that is `paused` or not.
    pub fn requeued(paused: bool) -> MessageStatus {
        if paused { MessageStatus::Paused } else { MessageStatus::Queued }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for MessageStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A status is one of the names of [`MessageStatus::ALL`].
impl schemars::JsonSchema for MessageStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MessageStatus".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = MessageStatus::ALL.iter().map(|s| s.as_str()).collect();
        schemars::json_schema!({ "type": "string", "enum": names, "description": "Where a message stands in its delivery life" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_spelling() {
        for status in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(MessageStatus::parse("delivered"), None);
        assert_eq!(MessageStatus::requeued(true), MessageStatus::Paused);
        assert_eq!(MessageStatus::requeued(false), MessageStatus::Queued);
    }
}
