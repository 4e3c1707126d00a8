//! The async [`Client`]: configuration, the shared transport, and the envelope helpers every
//! API area uses. The operations themselves live in [`crate::api`], one module per area.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::transport::{Call, HttpTransport, Reply, Sleeper, Transport};

/// The HookBridge API client. Cheap to clone (clones share one connection pool) and safe to
/// use from many tasks at once.
#[derive(Clone, Debug)]
pub struct Client {
    transport: Arc<Transport>,
}

/// `{"data": T, ...}`: the success envelope when only `data` matters.
#[derive(Deserialize)]
pub(crate) struct Data<T> {
    pub data: T,
}

/// `{"data": T, "meta": M}`: the success envelope of paginated lists.
#[derive(Deserialize)]
pub(crate) struct DataMeta<T, M> {
    pub data: T,
    pub meta: M,
}

/// `meta` of cursor-paginated lists where `has_more` is required (logs, rejections).
#[derive(Deserialize)]
pub(crate) struct CursorMeta {
    pub has_more: bool,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `meta` of cursor-paginated lists where `has_more` is derived (endpoint lists; `meta` optional).
#[derive(Deserialize, Default)]
pub(crate) struct NextCursorMeta {
    #[serde(default)]
    pub next_cursor: Option<String>,
}

impl Client {
    /// Creates a client; fails with [`crate::ErrorKind::Validation`] for an empty API key or a bad URL.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let transport = Transport::new(config.validated()?)?;
        Ok(Client { transport: Arc::new(transport) })
    }

    /// A client whose attempts go through `http` and whose retry waits go through `sleeper`;
    /// the headers, retry loop, error mapping and parsing are the same as with [`Client::new`].
    pub fn with_transport(config: ClientConfig, http: Arc<dyn HttpTransport>, sleeper: Arc<dyn Sleeper>) -> Result<Self> {
        let transport = Transport::with(config.validated()?, http, sleeper)?;
        Ok(Client { transport: Arc::new(transport) })
    }

    /// A client with the default configuration for `api_key` (URLs from the environment).
    pub fn with_api_key(api_key: impl Into<String>) -> Result<Self> {
        Client::new(ClientConfig::new(api_key))
    }

    /// The validated configuration (URLs without trailing slashes).
    pub fn config(&self) -> &ClientConfig {
        self.transport.config()
    }

    /// Sends a call and returns the raw 2xx body.
    pub(crate) async fn body(&self, call: Call) -> Result<bytes::Bytes> {
        match self.transport.execute(&call).await? {
            Reply::Body(b) => Ok(b),
            Reply::Redirect(_) => Err(Error::invalid_response("unexpected redirect")),
        }
    }

    /// Sends a call and returns the `Location` of the redirect it must answer with.
    pub(crate) async fn redirect(&self, call: Call) -> Result<String> {
        match self.transport.execute(&call).await? {
            Reply::Redirect(location) => Ok(location),
            Reply::Body(_) => Err(Error::invalid_response("expected a redirect to the export file, got a 2xx answer")),
        }
    }

    /// Sends a call and decodes its whole body as `T`.
    pub(crate) async fn decode<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let body = self.body(call).await?;
        decode(&body)
    }

    /// Sends a call and decodes its `data`.
    pub(crate) async fn data<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        Ok(self.decode::<Data<T>>(call).await?.data)
    }

    /// Sends a call whose answer body is ignored (any 2xx, including 204, is success).
    pub(crate) async fn ignore(&self, call: Call) -> Result<()> {
        self.body(call).await.map(|_| ())
    }
}

/// Decodes a 2xx body; anything but the promised shape is [`crate::ErrorKind::InvalidResponse`].
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::invalid_response(format!("unexpected response body: {e}")))
}
