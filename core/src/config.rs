//! Client configuration: API key, the two hosts, timeout and retries.

use std::time::Duration;

use crate::error::{Error, Result};

/// The hosted management API, used when neither `base_url` nor `HOOKBRIDGE_BASE_URL` is set.
pub const DEFAULT_BASE_URL: &str = "https://api.hookbridge.io";
/// The hosted send API, used when neither `send_url` nor `HOOKBRIDGE_SEND_URL` is set.
pub const DEFAULT_SEND_URL: &str = "https://send.hookbridge.io";
/// Environment variable that overrides the default management URL.
pub const BASE_URL_ENV: &str = "HOOKBRIDGE_BASE_URL";
/// Environment variable that overrides the default send URL.
pub const SEND_URL_ENV: &str = "HOOKBRIDGE_SEND_URL";
/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt (so up to 4 attempts).
pub const DEFAULT_RETRIES: u32 = 3;
/// The `User-Agent` this SDK sends.
pub const USER_AGENT: &str = concat!("hookbridge-rust/", env!("CARGO_PKG_VERSION"));

/// Everything a [`crate::Client`] needs; build it with [`ClientConfig::new`] and the `with_*` setters.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// The API key (`hb_live_...` or `hb_test_...`), sent as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// Management API root, without trailing slash.
    pub base_url: String,
    /// Send API root (used only by `send`), without trailing slash.
    pub send_url: String,
    /// Timeout applied to each read of a request, and to connecting unless `connect_timeout` is set.
    pub timeout: Duration,
    /// Timeout for establishing a connection; `None` uses `timeout`.
    pub connect_timeout: Option<Duration>,
    /// Retries after the first attempt for network errors, timeouts, 3xx and 5xx answers.
    pub retries: u32,
    /// Whether a retried 503 waits at least its `Retry-After` (at most 30 s) instead of only the
    /// backoff. On by default; the Python package turns it off, because the official Python SDK
    /// retries on its backoff alone and the drop-in keeps its timing.
    pub honor_retry_after: bool,
    /// The `User-Agent` header value.
    pub user_agent: String,
}

crate::debug_redacted!(ClientConfig {
    api_key,
    base_url,
    send_url,
    timeout,
    connect_timeout,
    retries,
    honor_retry_after,
    user_agent
});

impl ClientConfig {
    /// A configuration with the defaults: URLs from `HOOKBRIDGE_BASE_URL` / `HOOKBRIDGE_SEND_URL`
    /// or the hosted service, 30 s timeout, 3 retries.
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientConfig {
            api_key: api_key.into(),
            base_url: env_or(BASE_URL_ENV, DEFAULT_BASE_URL),
            send_url: env_or(SEND_URL_ENV, DEFAULT_SEND_URL),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            retries: DEFAULT_RETRIES,
            honor_retry_after: true,
            user_agent: USER_AGENT.to_owned(),
        }
    }

    /// Sets the management API URL (trailing slashes are stripped).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the send URL; an empty string keeps the default (as the Python SDK does).
    pub fn with_send_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        if !url.is_empty() {
            self.send_url = url;
        }
        self
    }

    /// Sets the timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets a connect timeout apart from the read timeout (`None`: the same as [`ClientConfig::timeout`]).
    pub fn with_connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the number of retries.
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets whether a retried 503 waits out its `Retry-After` (see [`ClientConfig::honor_retry_after`]).
    pub fn with_honor_retry_after(mut self, honor: bool) -> Self {
        self.honor_retry_after = honor;
        self
    }

    /// Sets the `User-Agent` (bindings name themselves, e.g. `hookbridge-python/...`).
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Checks the configuration and normalises the URLs; an empty API key is a validation error.
    pub fn validated(mut self) -> Result<Self> {
        if self.api_key.is_empty() {
            return Err(Error::validation("API key is required"));
        }
        if self.api_key.chars().any(|c| c.is_control()) {
            return Err(Error::validation("API key contains control characters"));
        }
        self.base_url = self.base_url.trim_end_matches('/').to_owned();
        self.send_url = self.send_url.trim_end_matches('/').to_owned();
        for (name, url) in [("base_url", &self.base_url), ("send_url", &self.send_url)] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::validation(format!("{name} must be an http:// or https:// URL, got {url:?}")));
            }
        }
        Ok(self)
    }
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
}
