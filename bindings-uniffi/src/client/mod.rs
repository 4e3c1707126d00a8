//! The exported client object. Construction is synchronous (uniffi forbids async primary
//! constructors in Kotlin); every operation is an `async` method run on uniffi's tokio runtime
//! (`async_runtime = "tokio"`), one file per group of API areas.

use std::time::Duration;

use crate::error::HookBridgeError;

mod account;
mod deletion;
mod inbound;
mod outbound;
mod pull;

/// `User-Agent` of requests made through these bindings: `hookbridge-kotlin/X` or
/// `hookbridge-swift/X` for a library built for that language (feature `kotlin` or `swift`, set
/// by its build script), `hookbridge-uniffi/X` otherwise (the Rust tests, or both features).
#[cfg(all(feature = "kotlin", not(feature = "swift")))]
const USER_AGENT: &str = concat!("hookbridge-kotlin/", env!("CARGO_PKG_VERSION"));
/// See the Kotlin variant above.
#[cfg(all(feature = "swift", not(feature = "kotlin")))]
const USER_AGENT: &str = concat!("hookbridge-swift/", env!("CARGO_PKG_VERSION"));
/// See the Kotlin variant above.
#[cfg(not(any(all(feature = "kotlin", not(feature = "swift")), all(feature = "swift", not(feature = "kotlin")))))]
const USER_AGENT: &str = concat!("hookbridge-uniffi/", env!("CARGO_PKG_VERSION"));

/// The HookBridge API client for Swift and Kotlin. Safe to share between tasks and threads;
/// all calls share one connection pool.
#[derive(Debug, uniffi::Object)]
pub struct HookBridgeClient {
    pub(crate) inner: hookbridge::Client,
}

#[uniffi::export]
impl HookBridgeClient {
    /// Creates a client. `base_url` and `send_url` default to `HOOKBRIDGE_BASE_URL` /
    /// `HOOKBRIDGE_SEND_URL` or the hosted service (an empty `send_url` also means the default);
    /// `timeout_ms` is the per-request timeout (default 30 000), `retries` the retries after the
    /// first attempt (default 3). Fails with `Validation` for an empty API key or a bad URL.
    #[uniffi::constructor(default(base_url = None, send_url = None, timeout_ms = 30000, retries = 3))]
    pub fn new(
        api_key: String,
        base_url: Option<String>,
        send_url: Option<String>,
        timeout_ms: u64,
        retries: u32,
    ) -> Result<Self, HookBridgeError> {
        let mut config = hookbridge::ClientConfig::new(api_key)
            .with_timeout(Duration::from_millis(timeout_ms))
            .with_retries(retries)
            .with_user_agent(USER_AGENT);
        if let Some(base_url) = base_url {
            config = config.with_base_url(base_url);
        }
        if let Some(send_url) = send_url {
            config = config.with_send_url(send_url);
        }
        Ok(HookBridgeClient { inner: hookbridge::Client::new(config)? })
    }

    /// The management API URL in use (without trailing slash).
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// The send API URL in use (without trailing slash).
    pub fn send_url(&self) -> String {
        self.inner.config().send_url.clone()
    }
}
