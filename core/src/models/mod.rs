//! Typed response models, one module per API area. Field names and order follow the Python
//! SDK's dataclasses, and serde names the structs after them (e.g. `APIKeyInfo`), so the
//! bindings can build the matching class by name.
//!
//! "Required" fields have no serde default: a server that omits them produces
//! [`crate::ErrorKind::InvalidResponse`]. Optional timestamps accept `null`, a missing key or `""`.

pub mod actors;
pub mod api_keys;
pub mod attempts;
pub mod billing;
pub mod deletion;
pub mod endpoints;
pub mod exports;
pub mod inbound;
pub mod messages;
pub mod metrics;
pub mod projects;
pub mod pull;

pub use actors::*;
pub use api_keys::*;
pub use attempts::*;
pub use billing::*;
pub use deletion::*;
pub use endpoints::*;
pub use exports::*;
pub use inbound::*;
pub use messages::*;
pub use metrics::*;
pub use projects::*;
pub use pull::*;

/// Custom HTTP headers (name to value), in the order given.
pub type HeaderMap = indexmap::IndexMap<String, String>;
