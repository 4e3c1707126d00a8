//! Rules of inbound endpoints that do not depend on storage: the endpoint's mode, what status
//! an accepted request is stored in, and which stored requests one listen call returns.

use super::MessageStatus;

/// What an inbound endpoint does with accepted requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InboundMode {
    /// Forward each request to the endpoint's URL (the 1.4.0 behaviour).
    #[default]
    Forward,
    /// Store each request for a listener (`GET .../listen`); never forward anything.
    Cli,
}

impl InboundMode {
    /// Every mode.
    pub const ALL: [InboundMode; 2] = [InboundMode::Forward, InboundMode::Cli];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InboundMode::Forward => "forward",
            InboundMode::Cli => "cli",
        }
    }

    /// The mode spelled `text`, if any.
    pub fn parse(text: &str) -> Option<InboundMode> {
        InboundMode::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The mode of a stored row. The column only ever holds the spellings above (a CHECK
    /// constraint guards it), so anything else reads as the default.
    pub fn from_stored(text: &str) -> InboundMode {
        InboundMode::parse(text).unwrap_or_default()
    }

    /// The status an accepted request is stored in: `queued` for forwarding, `stored` for a
    /// listener (the delivery engine never picks that up).
    pub fn accepted_status(self) -> MessageStatus {
        match self {
            InboundMode::Forward => MessageStatus::Queued,
            InboundMode::Cli => MessageStatus::Stored,
        }
    }

    /// Whether an endpoint in this mode needs a forwarding URL.
    pub fn needs_url(self) -> bool {
        self == InboundMode::Forward
    }
}

impl std::fmt::Display for InboundMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for InboundMode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Most stored requests one listen call returns.
pub const LISTEN_MAX_MESSAGES: usize = 50;

/// Payload bytes one listen call returns at most (the first message is always returned, so a
/// 1 MB request never blocks the stream). Fewer messages than [`LISTEN_MAX_MESSAGES`] come back
/// when their bodies add up to more.
pub const LISTEN_MAX_BYTES: i64 = 8 * 1024 * 1024;

/// How many of the next messages (sizes in listen order) one listen call returns: at most
/// `max_messages`, and no more than fit in `max_bytes`, but always at least one when any wait.
pub fn listen_take(sizes: &[i64], max_messages: usize, max_bytes: i64) -> usize {
    let mut total: i64 = 0;
    let mut taken = 0;
    for &size in sizes.iter().take(max_messages) {
        total = total.saturating_add(size.max(0));
        if taken > 0 && total > max_bytes {
            break;
        }
        taken += 1;
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_back_and_decide_the_stored_status() {
        for mode in InboundMode::ALL {
            assert_eq!(InboundMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(InboundMode::parse("CLI"), None);
        assert_eq!(InboundMode::from_stored("cli"), InboundMode::Cli);
        assert_eq!(InboundMode::Cli.accepted_status(), MessageStatus::Stored);
        assert_eq!(InboundMode::Forward.accepted_status(), MessageStatus::Queued);
        assert!(InboundMode::Forward.needs_url() && !InboundMode::Cli.needs_url());
    }

    #[test]
    fn listen_pages_stop_at_the_count_or_the_byte_budget() {
        assert_eq!(listen_take(&[], 50, 100), 0);
        assert_eq!(listen_take(&[10; 80], 50, 1_000_000), 50);
        assert_eq!(listen_take(&[40, 40, 40], 50, 100), 2);
        assert_eq!(listen_take(&[500, 1], 50, 100), 1, "one oversized message still comes alone");
        assert_eq!(listen_take(&[i64::MAX, i64::MAX], 50, 100), 1);
    }
}
