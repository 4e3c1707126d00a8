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
//!
//! ## Features
//!
//! * `client` (default): the API client, with reqwest and tokio. Without it, the crate is
//!   [`signing`], the models and [`Error`]: a receiver that only verifies signatures builds it
//!   with `default-features = false` and pulls in no HTTP stack or async runtime.
//! * `rustls` (default) or `native-tls`: the TLS backend of the client (each implies `client`).
//! * `uniffi`: the uniffi derives for the Swift and Kotlin bindings (implies `client`).

#![warn(missing_docs)]

#[cfg(feature = "client")]
pub mod api;
#[cfg(feature = "client")]
pub mod blocking;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod config;
pub mod error;
pub mod models;
#[cfg(feature = "client")]
pub mod options;
#[cfg(feature = "client")]
pub mod query;
pub mod redact;
#[cfg(feature = "client")]
pub mod runtime;
pub mod signing;
pub mod time;
#[cfg(feature = "client")]
pub mod transport;
#[cfg(feature = "uniffi")]
mod uniffi_types;

// The models, options and custom types of this crate, for the Swift and Kotlin bindings.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

#[cfg(feature = "client")]
pub use api::{
    CreateEndpointOptions, CreateExportOptions, DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions,
    InboundEndpointSettings, InboundLogsQuery, LogsQuery, Page, RejectionsQuery, ReplayAllOptions, SendOptions,
    UpdateEndpointOptions,
};
#[cfg(feature = "client")]
pub use api::{DeletePullEventsFilter, PullEndpointSettings, PullEventsQuery, PullLogsQuery};
#[cfg(feature = "client")]
pub use client::Client;
#[cfg(feature = "client")]
pub use config::ClientConfig;
pub use error::{Error, ErrorKind, Result};
pub use models::*;
pub use redact::REDACTED;
pub use time::{Date, TimeArg, Timestamp};
