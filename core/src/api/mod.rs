//! The API operations of [`crate::Client`], one module per area of the API.
//! Each method sends exactly the request of the Python SDK 1.4.0 (method, path, query order,
//! body with absent fields omitted) and returns a typed model.

pub mod actors;
pub mod api_keys;
pub mod attempts;
pub mod billing;
pub mod deletion;
pub mod dlq;
pub mod endpoints;
pub mod exports;
pub mod inbound;
pub mod inbound_listen;
pub mod inbound_signing_keys;
pub mod logs;
pub mod messages;
pub mod metrics;
pub mod projects;
pub mod pull;
pub mod sending;

pub use api_keys::key_mode;
pub use deletion::{DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions};
pub use endpoints::{CreateEndpointOptions, UpdateEndpointOptions};
pub use exports::CreateExportOptions;
pub use inbound::{InboundEndpointSettings, InboundLogsQuery, RejectionsQuery};
pub use logs::LogsQuery;
pub use messages::ReplayAllOptions;
pub use metrics::window;
pub use pull::{DeletePullEventsFilter, PullEndpointSettings, PullEventsQuery, PullLogsQuery};
pub use sending::SendOptions;

use serde::Deserialize;

/// Cursor pagination parameters shared by the list operations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Page {
    /// Page size (the server bounds it).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

impl Page {
    /// A page of at most `limit` items.
    pub fn limit(limit: i64) -> Self {
        Page { limit: Some(limit), cursor: None }
    }
}

/// Percent-encodes one path segment so an id can never change the path's shape.
pub(crate) fn seg(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for &b in id.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Whether a JSON value is "truthy" in Python's sense (the SDK drops falsy fields on some calls).
pub(crate) fn is_truthy_map<K, V>(map: &Option<indexmap::IndexMap<K, V>>) -> bool {
    map.as_ref().is_some_and(|m| !m.is_empty())
}
