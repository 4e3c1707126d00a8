//! `hookbridge._native.Client`: one pooled [`hookbridge::Client`] per Python client. Every method
//! converts its arguments, starts the core operation and returns either its result (sync mode,
//! GIL released while waiting) or an asyncio awaitable (async mode). Ids and payloads arrive
//! as arguments; the optional parts of a call arrive as one dict (the caller's keyword
//! arguments, from `hookbridge/client.py`) that the core reads into its own option struct.

use std::future::Future;
use std::sync::Mutex;

use hookbridge::api::{
    CreateEndpointOptions, CreateExportOptions, DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions,
    DeletePullEventsFilter, InboundEndpointSettings, InboundLogsQuery, LogsQuery, Page, PullEndpointSettings, PullEventsQuery,
    PullLogsQuery, RejectionsQuery, ReplayAllOptions, SendOptions, UpdateEndpointOptions,
};
use hookbridge::{ClientConfig, Error, PauseState};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;

use crate::from_py::{json_fields, json_value, string_list};
use crate::timeouts::duration;
use crate::to_py::AsDataclass;
use crate::{calls, errors, from_py, py_transport};

/// The `User-Agent` of the official package, so requests are byte-identical.
const USER_AGENT: &str = "hookbridge-python/1.2.0";

/// The connection pool of one Python client, tied to the process that created it.
enum State {
    Open { pid: u32, client: hookbridge::Client },
    Closed,
}

/// A HookBridge client for Python: sync or async, fixed at construction; its settings can be
/// replaced later ([`NativeClient::reconfigure`]).
#[pyclass(frozen, module = "hookbridge._native", name = "Client")]
pub struct NativeClient {
    config: Mutex<ClientConfig>,
    asynchronous: bool,
    state: Mutex<State>,
    /// Where calls go while httpx is patched (see [`crate::py_transport`]).
    httpx: py_transport::HttpxMode,
}

/// The core configuration of a Python client; `timeout` is the read timeout, `connect_timeout`
/// the connect one (httpx splits them).
fn configuration(
    api_key: String,
    base_url: String,
    send_url: String,
    (timeout, connect_timeout): (Option<f64>, Option<f64>),
    retries: i64,
) -> PyResult<ClientConfig> {
    let connect_timeout = duration(connect_timeout, "connect timeout")?;
    let timeout = duration(timeout, "timeout")?;
    let retries = u32::try_from(retries)
        .map_err(|_| PyValueError::new_err(format!("retries must be between 0 and {}, got {retries}", u32::MAX)))?;
    Ok(ClientConfig::new(api_key)
        .with_base_url(base_url)
        .with_send_url(send_url)
        .with_timeout(timeout)
        .with_connect_timeout(Some(connect_timeout))
        .with_retries(retries)
        // The official Python SDK retries a 503 on its backoff alone; keep its timing.
        .with_honor_retry_after(false)
        .with_user_agent(USER_AGENT))
}

impl NativeClient {
    /// The core client; rebuilt (same configuration) in a forked child, whose inherited pool
    /// belongs to the parent's runtime.
    fn core(&self) -> PyResult<hookbridge::Client> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *state {
            // httpx's words, as the official package's closed client raises them.
            State::Closed => Err(PyRuntimeError::new_err("Cannot send a request, as the client has been closed.")),
            State::Open { pid, client } => {
                let now = std::process::id();
                if *pid != now {
                    let fresh = hookbridge::Client::new(self.settings())
                        .map_err(|e| PyRuntimeError::new_err(format!("cannot rebuild the client after fork: {e}")))?;
                    // Never touch the parent's pool from the child.
                    std::mem::forget(std::mem::replace(client, fresh));
                    *pid = now;
                }
                Ok(client.clone())
            }
        }
    }

    /// The settings in force (replaced by [`NativeClient::reconfigure`]).
    fn settings(&self) -> ClientConfig {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Runs `op` with the core client: to completion (sync) or as an awaitable (async); through
    /// httpx while httpx's transports are patched.
    fn run<T, F>(&self, py: Python<'_>, op: impl FnOnce(hookbridge::Client) -> F) -> PyResult<Py<PyAny>>
    where
        T: Serialize + Send + 'static,
        F: Future<Output = hookbridge::Result<T>> + Send + 'static,
    {
        let core = self.core()?;
        if py_transport::active(py, self.asynchronous)? {
            return self.httpx.run(py, &self.settings(), self.asynchronous, op);
        }
        let fut = op(core);
        if self.asynchronous { calls::awaitable(py, fut) } else { calls::block_on(py, fut) }
    }
}

fn page(limit: Option<i64>, cursor: Option<String>) -> Page {
    Page { limit, cursor }
}

/// The official SDK reads `messages_requeued` only when resuming an outbound endpoint; the
/// drop-in answers `None` after the other pause and resume calls too (the core returns the count).
fn as_official_sdk_reads(state: PauseState) -> PauseState {
    PauseState { messages_requeued: None, ..state }
}

fn core_error(py: Python<'_>, error: Error) -> PyErr {
    errors::to_pyerr(py, &error, errors::Mode::Sync)
}

#[pymethods]
impl NativeClient {
    /// Validates the configuration (an empty key is `ValidationError("API key is required")`).
    #[new]
    #[pyo3(signature = (api_key, base_url, send_url, timeout, retries, asynchronous, connect_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: String,
        base_url: String,
        send_url: String,
        timeout: Option<f64>,
        retries: i64,
        asynchronous: bool,
        connect_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let config = configuration(api_key, base_url, send_url, (timeout, connect_timeout.or(timeout)), retries)?;
        let client = hookbridge::Client::new(config).map_err(|e| core_error(py, e))?;
        let config = Mutex::new(client.config().clone());
        Ok(NativeClient {
            config,
            asynchronous,
            state: Mutex::new(State::Open { pid: std::process::id(), client }),
            httpx: Default::default(),
        })
    }

    /// Replaces every setting (what assigning `client._retries` and the like does): later calls
    /// use a new connection pool with them; calls already running finish with the old ones.
    /// A closed client stays closed.
    #[pyo3(signature = (api_key, base_url, send_url, timeout, retries, connect_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn reconfigure(
        &self,
        py: Python<'_>,
        api_key: String,
        base_url: String,
        send_url: String,
        timeout: Option<f64>,
        retries: i64,
        connect_timeout: Option<f64>,
    ) -> PyResult<()> {
        let config = configuration(api_key, base_url, send_url, (timeout, connect_timeout.or(timeout)), retries)?;
        let client = hookbridge::Client::new(config).map_err(|e| core_error(py, e))?;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let State::Open { pid, client: current } = &mut *state {
            *self.config.lock().unwrap_or_else(|p| p.into_inner()) = client.config().clone();
            let previous = std::mem::replace(current, client);
            if *pid != std::process::id() {
                // A forked child never touches the parent's pool.
                std::mem::forget(previous);
            }
            *pid = std::process::id();
        }
        Ok(())
    }

    /// The management API URL in use (trailing slashes removed).
    #[getter]
    fn base_url(&self) -> String {
        self.settings().base_url
    }

    /// The send URL in use (trailing slashes removed).
    #[getter]
    fn send_url(&self) -> String {
        self.settings().send_url
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        matches!(*self.state.lock().unwrap_or_else(|p| p.into_inner()), State::Closed)
    }

    /// Whether methods return awaitables.
    #[getter]
    fn asynchronous(&self) -> bool {
        self.asynchronous
    }

    /// Closes the connection pool; later calls raise `RuntimeError`. Idempotent.
    fn close(&self, py: Python<'_>) {
        self.httpx.close(py, self.asynchronous);
        let previous = std::mem::replace(&mut *self.state.lock().unwrap_or_else(|p| p.into_inner()), State::Closed);
        drop(previous);
    }

    fn __repr__(&self) -> String {
        let mode = if self.asynchronous { "async" } else { "sync" };
        let config = self.settings();
        format!("<hookbridge._native.Client {mode} base_url={:?} send_url={:?}>", config.base_url, config.send_url)
    }

    // --- Sending and messages -------------------------------------------------------------

    fn send(
        &self,
        py: Python<'_>,
        endpoint_id: String,
        payload: &Bound<'_, PyAny>,
        options: &Bound<'_, PyDict>,
    ) -> PyResult<Py<PyAny>> {
        let payload = json_value(payload, "payload")?;
        let options: SendOptions = from_py::options(options, "send")?;
        self.run(py, |c| async move { c.send(&endpoint_id, &payload, &options).await })
    }

    fn get_message(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_message(&message_id).await })
    }

    fn get_message_attempts(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_message_attempts(&message_id).await })
    }

    fn replay(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.replay(&message_id).await })
    }

    fn cancel_retry(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.cancel_retry(&message_id).await })
    }

    fn retry_now(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.retry_now(&message_id).await })
    }

    fn replay_all_messages(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let options: ReplayAllOptions = from_py::options(options, "replay_all_messages")?;
        self.run(py, |c| async move { c.replay_all_messages(&options).await })
    }

    fn replay_batch_messages(&self, py: Python<'_>, message_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(message_ids, "message_ids")?;
        self.run(py, |c| async move { c.replay_batch_messages(&ids).await })
    }

    fn get_logs(&self, py: Python<'_>, query: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let query: LogsQuery = from_py::options(query, "get_logs")?;
        self.run(py, |c| async move { c.get_logs(&query).await })
    }

    fn get_metrics(&self, py: Python<'_>, window: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_metrics(&window).await })
    }

    fn get_timeseries_metrics(&self, py: Python<'_>, window: String, endpoint_id: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_timeseries_metrics(&window, endpoint_id.as_deref()).await })
    }

    // --- Dead letter queue, API keys, projects ---------------------------------------------

    fn get_dlq_messages(&self, py: Python<'_>, limit: Option<i64>, cursor: Option<String>) -> PyResult<Py<PyAny>> {
        let page = page(limit, cursor);
        self.run(py, |c| async move { c.get_dlq_messages(&page).await })
    }

    fn replay_from_dlq(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.replay_from_dlq(&message_id).await })
    }

    fn list_api_keys(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.list_api_keys().await })
    }

    fn create_api_key(&self, py: Python<'_>, mode: String, label: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_api_key(&mode, label.as_deref()).await })
    }

    fn delete_api_key(&self, py: Python<'_>, key_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_api_key(&key_id).await })
    }

    fn list_projects(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.list_projects().await })
    }

    fn create_project(&self, py: Python<'_>, name: String, rate_limit_default: Option<i64>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_project(&name, rate_limit_default).await })
    }

    fn get_project(&self, py: Python<'_>, project_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_project(&project_id).await })
    }

    fn update_project(
        &self,
        py: Python<'_>,
        project_id: String,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.update_project(&project_id, name.as_deref(), rate_limit_default).await })
    }

    fn delete_project(&self, py: Python<'_>, project_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_project(&project_id).await })
    }

    // --- Outbound endpoints and signing keys -----------------------------------------------

    fn create_endpoint(&self, py: Python<'_>, url: String, options: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let options: CreateEndpointOptions = from_py::options(options, "create_endpoint")?;
        self.run(py, |c| async move { c.create_endpoint(&url, &options).await })
    }

    fn get_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_endpoint(&endpoint_id).await })
    }

    fn list_endpoints(&self, py: Python<'_>, limit: Option<i64>, cursor: Option<String>) -> PyResult<Py<PyAny>> {
        let page = page(limit, cursor);
        self.run(py, |c| async move { c.list_endpoints(&page).await })
    }

    fn update_endpoint(&self, py: Python<'_>, endpoint_id: String, changes: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let changes: UpdateEndpointOptions = from_py::options(changes, "update_endpoint")?;
        self.run(py, |c| async move { c.update_endpoint(&endpoint_id, &changes).await })
    }

    fn delete_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_endpoint(&endpoint_id).await })
    }

    fn pause_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.pause_endpoint(&endpoint_id).await.map(as_official_sdk_reads) })
    }

    fn resume_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.resume_endpoint(&endpoint_id).await })
    }

    fn create_endpoint_signing_key(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_endpoint_signing_key(&endpoint_id).await })
    }

    fn list_endpoint_signing_keys(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.list_endpoint_signing_keys(&endpoint_id).await })
    }

    fn delete_endpoint_signing_key(&self, py: Python<'_>, endpoint_id: String, key_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_endpoint_signing_key(&endpoint_id, &key_id).await })
    }

    fn rotate_endpoint_secret(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.rotate_endpoint_secret(&endpoint_id).await })
    }

    // --- Billing -----------------------------------------------------------------------------

    fn get_subscription(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_subscription().await })
    }

    fn create_checkout(&self, py: Python<'_>, plan: String, interval: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_checkout(&plan, &interval).await })
    }

    fn create_portal(&self, py: Python<'_>, return_url: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_portal(return_url.as_deref()).await })
    }

    fn get_usage_history(&self, py: Python<'_>, limit: i64, offset: i64) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_usage_history(limit, offset).await })
    }

    fn get_invoices(&self, py: Python<'_>, limit: i64, starting_after: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_invoices(limit, starting_after.as_deref()).await })
    }

    fn handle_stripe_webhook(&self, py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let payload = json_value(payload, "payload")?;
        self.run(py, |c| async move { c.handle_stripe_webhook(&payload).await })
    }

    // --- Inbound endpoints and messages ------------------------------------------------------

    /// `url` may be `None` (a `cli`-mode endpoint has none; the server requires it otherwise).
    fn create_inbound_endpoint(&self, py: Python<'_>, url: Option<String>, settings: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let settings: InboundEndpointSettings = from_py::options(settings, "create_inbound_endpoint")?;
        self.run(py, |c| async move { c.create_inbound_endpoint_with(url.as_deref(), &settings).await })
    }

    fn list_inbound_endpoints(&self, py: Python<'_>, limit: Option<i64>, cursor: Option<String>) -> PyResult<Py<PyAny>> {
        let page = page(limit, cursor);
        self.run(py, |c| async move { c.list_inbound_endpoints(&page).await })
    }

    fn get_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_inbound_endpoint(&endpoint_id).await })
    }

    /// `fields` are the caller's `**kwargs`; `None` values are dropped, the rest sent verbatim.
    fn update_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String, fields: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let fields = json_fields(fields)?;
        self.run(py, |c| async move { c.update_inbound_endpoint_fields(&endpoint_id, &fields).await })
    }

    fn delete_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_inbound_endpoint(&endpoint_id).await })
    }

    fn pause_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.pause_inbound_endpoint(&endpoint_id).await.map(as_official_sdk_reads) })
    }

    fn resume_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.resume_inbound_endpoint(&endpoint_id).await.map(as_official_sdk_reads) })
    }

    fn create_inbound_signing_key(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.create_inbound_signing_key(&endpoint_id).await })
    }

    fn list_inbound_signing_keys(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.list_inbound_signing_keys(&endpoint_id).await })
    }

    fn delete_inbound_signing_key(&self, py: Python<'_>, endpoint_id: String, key_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_inbound_signing_key(&endpoint_id, &key_id).await })
    }

    fn listen_inbound_endpoint(&self, py: Python<'_>, endpoint_id: String, after: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.listen_inbound_endpoint(&endpoint_id, after.as_deref()).await })
    }

    fn get_inbound_message(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_inbound_message(&message_id).await })
    }

    fn get_inbound_message_attempts(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_inbound_message_attempts(&message_id).await })
    }

    fn replay_inbound_message(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.replay_inbound_message(&message_id).await })
    }

    fn replay_all_inbound_messages(
        &self,
        py: Python<'_>,
        status: String,
        inbound_endpoint_id: Option<String>,
        limit: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.replay_all_inbound_messages(&status, inbound_endpoint_id.as_deref(), limit).await })
    }

    fn replay_batch_inbound_messages(&self, py: Python<'_>, message_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(message_ids, "message_ids")?;
        self.run(py, |c| async move { c.replay_batch_inbound_messages(&ids).await })
    }

    // --- Inbound observability and exports -------------------------------------------------

    fn get_inbound_logs(&self, py: Python<'_>, query: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let query: InboundLogsQuery = from_py::options(query, "get_inbound_logs")?;
        self.run(py, |c| async move { c.get_inbound_logs(&query).await })
    }

    fn get_inbound_metrics(&self, py: Python<'_>, window: String, inbound_endpoint_id: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_inbound_metrics(&window, inbound_endpoint_id.as_deref()).await })
    }

    fn get_inbound_timeseries_metrics(
        &self,
        py: Python<'_>,
        window: String,
        inbound_endpoint_id: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_inbound_timeseries_metrics(&window, inbound_endpoint_id.as_deref()).await })
    }

    fn list_inbound_rejections(&self, py: Python<'_>, query: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let query: RejectionsQuery = from_py::options(query, "list_inbound_rejections")?;
        self.run(py, |c| async move { c.list_inbound_rejections(&query).await })
    }

    fn create_export(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let options: CreateExportOptions = from_py::options(options, "create_export")?;
        self.run(py, |c| async move { c.create_export(&options).await })
    }

    fn list_exports(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.list_exports().await })
    }

    fn get_export(&self, py: Python<'_>, export_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_export(&export_id).await })
    }

    fn download_export(&self, py: Python<'_>, export_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.download_export(&export_id).await })
    }

    fn delete_export(&self, py: Python<'_>, export_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_export(&export_id).await })
    }

    // --- Soft deletion and actors ----------------------------------------------------------

    fn delete_message(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_message(&message_id).await })
    }

    fn delete_messages_batch(&self, py: Python<'_>, message_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(message_ids, "message_ids")?;
        self.run(py, |c| async move { c.delete_messages_batch(&ids).await })
    }

    fn delete_messages_all(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let options: DeleteMessagesAllOptions = from_py::options(options, "delete_messages_all")?;
        self.run(py, |c| async move { c.delete_messages_all(&options).await })
    }

    fn delete_inbound_message(&self, py: Python<'_>, message_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_inbound_message(&message_id).await })
    }

    fn delete_inbound_messages_batch(&self, py: Python<'_>, message_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(message_ids, "message_ids")?;
        self.run(py, |c| async move { c.delete_inbound_messages_batch(&ids).await })
    }

    fn delete_inbound_messages_all(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let options: DeleteInboundMessagesAllOptions = from_py::options(options, "delete_inbound_messages_all")?;
        self.run(py, |c| async move { c.delete_inbound_messages_all(&options).await })
    }

    fn lookup_actors(&self, py: Python<'_>, user_ids: &Bound<'_, PyAny>, api_key_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let user_ids = string_list(user_ids, "user_ids")?;
        let api_key_ids = string_list(api_key_ids, "api_key_ids")?;
        self.run(py, |c| async move { c.lookup_actors(&user_ids, &api_key_ids).await })
    }

    // --- Pull endpoints (store and poll) ---------------------------------------------------

    fn create_pull_endpoint(&self, py: Python<'_>, settings: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let settings: PullEndpointSettings = from_py::options(settings, "create_pull_endpoint")?;
        // The core's result flattens the endpoint into it, so it serializes as a map.
        self.run(py, |c| async move {
            c.create_pull_endpoint(&settings).await.map(|created| AsDataclass("CreatePullEndpointResponse", created))
        })
    }

    fn list_pull_endpoints(&self, py: Python<'_>, limit: Option<i64>, cursor: Option<String>) -> PyResult<Py<PyAny>> {
        let page = page(limit, cursor);
        self.run(py, |c| async move { c.list_pull_endpoints(&page).await })
    }

    fn get_pull_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_pull_endpoint(&endpoint_id).await })
    }

    /// `fields` are the caller's `**kwargs`; `None` values are dropped, the rest sent verbatim.
    fn update_pull_endpoint(&self, py: Python<'_>, endpoint_id: String, fields: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let fields = json_fields(fields)?;
        self.run(py, |c| async move { c.update_pull_endpoint_fields(&endpoint_id, &fields).await })
    }

    fn delete_pull_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_pull_endpoint(&endpoint_id).await })
    }

    fn pause_pull_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.pause_pull_endpoint(&endpoint_id).await.map(as_official_sdk_reads) })
    }

    fn resume_pull_endpoint(&self, py: Python<'_>, endpoint_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.resume_pull_endpoint(&endpoint_id).await.map(as_official_sdk_reads) })
    }

    fn list_pull_events(&self, py: Python<'_>, endpoint_id: String, query: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let query: PullEventsQuery = from_py::options(query, "list_pull_events")?;
        self.run(py, |c| async move { c.list_pull_events(&endpoint_id, &query).await })
    }

    fn get_pull_event(&self, py: Python<'_>, endpoint_id: String, event_id: String, preview: bool) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_pull_event(&endpoint_id, &event_id, preview).await })
    }

    fn ack_pull_events(&self, py: Python<'_>, endpoint_id: String, event_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(event_ids, "event_ids")?;
        self.run(py, |c| async move { c.ack_pull_events(&endpoint_id, &ids).await })
    }

    fn get_pull_logs(&self, py: Python<'_>, query: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let query: PullLogsQuery = from_py::options(query, "get_pull_logs")?;
        self.run(py, |c| async move { c.get_pull_logs(&query).await })
    }

    fn get_pull_metrics(&self, py: Python<'_>, window: String, pull_endpoint_id: Option<String>) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_pull_metrics(&window, pull_endpoint_id.as_deref()).await })
    }

    fn get_pull_timeseries_metrics(
        &self,
        py: Python<'_>,
        window: String,
        pull_endpoint_id: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.get_pull_timeseries_metrics(&window, pull_endpoint_id.as_deref()).await })
    }

    fn delete_pull_event(&self, py: Python<'_>, endpoint_id: String, event_id: String) -> PyResult<Py<PyAny>> {
        self.run(py, |c| async move { c.delete_pull_event(&endpoint_id, &event_id).await })
    }

    fn delete_pull_events_batch(&self, py: Python<'_>, endpoint_id: String, event_ids: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let ids = string_list(event_ids, "event_ids")?;
        self.run(py, |c| async move { c.delete_pull_events_batch(&endpoint_id, &ids).await })
    }

    fn delete_pull_events_all(&self, py: Python<'_>, endpoint_id: String, filter: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let filter: DeletePullEventsFilter = from_py::options(filter, "delete_pull_events_all")?;
        self.run(py, |c| async move { c.delete_pull_events_all(&endpoint_id, &filter).await })
    }
}
