//! # HookBridge
//!
//! The one implementation of the HookBridge client, shared by the Python, C, Swift and Kotlin
//! SDKs: HTTP transport with the SDK's retry loop and error mapping, typed models of every
//! response, and webhook signing and verification.
//!
//! ```no_run
//! use hookbridge::{Client, ClientConfig, SendOptions, CreateEndpointOptions};
//!
//! # async fn demo() -> hookbridge::Result<()> {
//! let client = Client::new(ClientConfig::new("hb_live_xxx").with_base_url("http://127.0.0.1:8080")
//!     .with_send_url("http://127.0.0.1:8080"))?;
//! let endpoint = client.create_endpoint("https://customer.example/webhooks", &CreateEndpointOptions::default()).await?;
//! let sent = client.send(&endpoint.id, &serde_json::json!({"event": "order.created"}), &SendOptions::default()).await?;
//! let message = client.get_message(&sent.message_id).await?;
//! println!("{} is {}", message.id, message.status);
//! # Ok(()) }
//! ```
//!
//! Receivers verify deliveries with [`signing::verify`] against the raw body bytes.

#![warn(missing_docs)]

pub mod api;
pub mod blocking;
pub mod client;
pub mod config;
pub mod error;
pub mod models;
pub mod options;
pub mod query;
pub mod redact;
pub mod runtime;
pub mod signing;
pub mod time;
pub mod transport;
#[cfg(feature = "uniffi")]
mod uniffi_types;

// The models, options and custom types of this crate, for the Swift and Kotlin bindings.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use api::{
    CreateEndpointOptions, CreateExportOptions, DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions,
    InboundEndpointSettings, InboundLogsQuery, LogsQuery, Page, RejectionsQuery, ReplayAllOptions, SendOptions,
    UpdateEndpointOptions,
};
pub use api::{DeletePullEventsFilter, PullEndpointSettings, PullEventsQuery, PullLogsQuery};
pub use client::Client;
pub use config::ClientConfig;
pub use error::{Error, ErrorKind, Result};
pub use models::*;
pub use redact::REDACTED;
pub use time::{Date, TimeArg, Timestamp};
