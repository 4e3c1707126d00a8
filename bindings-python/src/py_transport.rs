//! httpx mode: when a test has patched httpx's transports (pytest-httpx, respx), a call sends its
//! requests through an httpx client, so the mock sees them exactly as it sees the official
//! package's. The core still builds every request and runs the retry loop, the error mapping and
//! the parsing; [`PyHttpx`] and [`PySleeper`] plug Python's I/O and waits into it (the Python
//! half is `hookbridge/_httpx_mode.py`). An exception that is not an httpx request error (a
//! mock's own exception, `KeyboardInterrupt`) ends the call and reaches the caller unchanged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookbridge::ClientConfig;
use hookbridge::transport::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, Sleeper, TransportError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyTuple};
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::future_into_py_with_locals;
use serde::Serialize;

use crate::errors::Mode;
use crate::runtime;
use crate::timeouts::seconds;
use crate::{errors, to_py};

/// `hookbridge._httpx_mode`, imported once.
static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    MODULE.get_or_try_init(py, || py.import("hookbridge._httpx_mode").map(Bound::unbind)).map(|m| m.bind(py))
}

/// Whether httpx's (async) transport is patched right now, so this call goes through httpx.
pub fn active(py: Python<'_>, asynchronous: bool) -> PyResult<bool> {
    module(py)?.call_method1("patched", (asynchronous,))?.extract()
}

/// A Python exception kept aside by the transport or sleeper, raised instead of the core's error.
type Kept = Arc<Mutex<Option<PyErr>>>;

fn keep(kept: &Kept, error: PyErr) -> TransportError {
    let text = error.to_string();
    *kept.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
    TransportError::Aborted(text)
}

fn take(kept: &Kept) -> Option<PyErr> {
    kept.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// The httpx client of one native client, made on the first call in httpx mode.
#[derive(Default)]
pub struct HttpxMode {
    client: Mutex<Option<Arc<Py<PyAny>>>>,
}

impl HttpxMode {
    fn client(&self, py: Python<'_>, asynchronous: bool) -> PyResult<Arc<Py<PyAny>>> {
        let mut slot = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = &*slot {
            return Ok(client.clone());
        }
        let client = Arc::new(module(py)?.call_method1("make_client", (asynchronous,))?.unbind());
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Closes the sync httpx client (an async one is left to the garbage collector: closing it
    /// needs an event loop).
    pub fn close(&self, py: Python<'_>, asynchronous: bool) {
        if let Some(client) = self.client.lock().unwrap_or_else(|p| p.into_inner()).take()
            && !asynchronous
        {
            let _ = client.bind(py).call_method0("close");
        }
    }

    /// Runs `op` on a core client whose attempts go through httpx and whose waits go through
    /// `hookbridge.client.time.sleep` (sync) or `asyncio.sleep` (async).
    pub fn run<T, F>(
        &self,
        py: Python<'_>,
        config: &ClientConfig,
        asynchronous: bool,
        op: impl FnOnce(hookbridge::Client) -> F,
    ) -> PyResult<Py<PyAny>>
    where
        T: Serialize + Send + 'static,
        F: Future<Output = hookbridge::Result<T>> + Send + 'static,
    {
        let kept: Kept = Arc::default();
        let locals = if asynchronous { Some(TaskLocals::with_running_loop(py)?.copy_context(py)?) } else { None };
        let client = self.client(py, asynchronous)?;
        let http = Arc::new(PyHttpx { client, locals: locals.clone(), kept: kept.clone() });
        let sleeper = Arc::new(PySleeper { locals: locals.clone(), kept: kept.clone() });
        let core = hookbridge::Client::with_transport(config.clone(), http, sleeper)
            .map_err(|e| errors::to_pyerr(py, &e, mode_of(asynchronous)))?;
        let fut = op(core);
        let Some(locals) = locals else {
            let runtime = runtime::get()?;
            let result = py.detach(|| runtime.block_on(fut));
            if let Some(error) = take(&kept) {
                return Err(error);
            }
            return Outcome(result, Mode::Sync).into_pyobject(py).map(Bound::unbind);
        };
        runtime::get()?;
        let in_flight = runtime::InFlight::new();
        let created = future_into_py_with_locals::<BridgeRuntime, _, Outcome<T>>(py, locals, async move {
            let _counted = in_flight;
            let result = fut.await;
            match take(&kept) {
                Some(error) => Err(error),
                None => Ok(Outcome(result, Mode::Async)),
            }
        });
        created.map(Bound::unbind)
    }
}

/// A core result, converted once it is back with the interpreter.
struct Outcome<T>(hookbridge::Result<T>, Mode);

impl<'py, T: Serialize> IntoPyObject<'py> for Outcome<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(value) => to_py::to_python(py, &value),
            Err(error) => Err(errors::to_pyerr(py, &error, self.1)),
        }
    }
}

/// Sends attempts through the httpx client: in the caller's thread (sync) or as a coroutine on
/// the caller's event loop (async).
#[derive(Debug)]
struct PyHttpx {
    client: Arc<Py<PyAny>>,
    locals: Option<TaskLocals>,
    kept: Kept,
}

fn arguments<'py>(py: Python<'py>, client: &Py<PyAny>, request: &HttpRequest) -> PyResult<Bound<'py, PyTuple>> {
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let body = request.body.as_deref().map(|b| PyBytes::new(py, b));
    let t = request.timeouts;
    let timeout = (seconds(t.connect), seconds(t.read), seconds(t.write), seconds(t.pool));
    (client.clone_ref(py), request.method.as_str(), request.url.as_str(), headers, body, timeout).into_pyobject(py)
}

/// Reads `("response", status, raw headers, content)` or `(class, text)` from `_httpx_mode`.
fn outcome(reply: &Bound<'_, PyAny>) -> PyResult<Result<HttpResponse, TransportError>> {
    let kind: String = reply.get_item(0)?.extract()?;
    let text = || reply.get_item(1).and_then(|t| t.extract::<String>());
    Ok(match kind.as_str() {
        "response" => {
            let status: u16 = reply.get_item(1)?.extract()?;
            let raw: Vec<(Vec<u8>, Vec<u8>)> = reply.get_item(2)?.extract()?;
            let mut headers = hookbridge::transport::HeaderMap::new();
            for (name, value) in raw {
                if let (Ok(name), Ok(value)) =
                    (hookbridge::transport::HeaderName::from_bytes(&name), hookbridge::transport::HeaderValue::from_bytes(&value))
                {
                    headers.append(name, value);
                }
            }
            let body: Vec<u8> = reply.get_item(3)?.extract()?;
            Ok(HttpResponse { status, headers, body: body.into() })
        }
        "timeout" => Err(TransportError::Timeout),
        "connect" => Err(TransportError::Connect(text()?)),
        _ => Err(TransportError::Other(text()?)),
    })
}

impl HttpTransport for PyHttpx {
    fn send(&self, request: HttpRequest) -> BoxFuture<Result<HttpResponse, TransportError>> {
        let (client, locals, kept) = (self.client.clone(), self.locals.clone(), self.kept.clone());
        Box::pin(async move {
            let sent: PyResult<Result<HttpResponse, TransportError>> = match locals {
                None => Python::attach(|py| {
                    let reply = module(py)?.getattr("send_sync")?.call1(arguments(py, &client, &request)?)?;
                    outcome(&reply)
                }),
                Some(locals) => {
                    let pending = Python::attach(|py| {
                        let coroutine = module(py)?.getattr("send_async")?.call1(arguments(py, &client, &request)?)?;
                        pyo3_async_runtimes::into_future_with_locals(&locals, coroutine)
                    });
                    match pending {
                        Ok(pending) => match pending.await {
                            Ok(reply) => Python::attach(|py| outcome(reply.bind(py))),
                            Err(error) => Err(error),
                        },
                        Err(error) => Err(error),
                    }
                }
            };
            sent.unwrap_or_else(|error| Err(keep(&kept, error)))
        })
    }
}

/// Waits between attempts through the names tests patch.
#[derive(Debug)]
struct PySleeper {
    locals: Option<TaskLocals>,
    kept: Kept,
}

impl Sleeper for PySleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<Result<(), TransportError>> {
        let (locals, kept) = (self.locals.clone(), self.kept.clone());
        let secs = duration.as_secs_f64();
        Box::pin(async move {
            let slept: PyResult<()> = match locals {
                None => Python::attach(|py| module(py)?.call_method1("sleep_sync", (secs,)).map(drop)),
                Some(locals) => {
                    let pending = Python::attach(|py| {
                        let coroutine = module(py)?.call_method1("sleep_async", (secs,))?;
                        pyo3_async_runtimes::into_future_with_locals(&locals, coroutine)
                    });
                    match pending {
                        Ok(pending) => pending.await.map(drop),
                        Err(error) => Err(error),
                    }
                }
            };
            slept.map_err(|error| keep(&kept, error))
        })
    }
}

/// The error wording of the client kind.
fn mode_of(asynchronous: bool) -> Mode {
    if asynchronous { Mode::Async } else { Mode::Sync }
}

/// pyo3-async-runtimes' view of the process runtime, for httpx mode only: it turns httpx's
/// coroutines into futures and the call into an awaitable (the package's own calls use
/// [`crate::calls`]).
struct BridgeRuntime;

/// The process runtime's handle (the caller made sure it exists).
fn handle() -> tokio::runtime::Handle {
    match hookbridge::runtime::shared() {
        Ok(runtime) => runtime.handle().clone(),
        Err(_) => tokio::runtime::Handle::current(),
    }
}

impl pyo3_async_runtimes::generic::Runtime for BridgeRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        handle().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        handle().spawn_blocking(f)
    }
}

impl pyo3_async_runtimes::generic::ContextExt for BridgeRuntime {
    /// The futures of httpx mode carry their own task locals (see `PyHttpx`).
    fn scope<F, R>(_locals: TaskLocals, fut: F) -> std::pin::Pin<Box<dyn std::future::Future<Output = R> + Send>>
    where
        F: std::future::Future<Output = R> + Send + 'static,
    {
        Box::pin(fut)
    }

    fn get_task_locals() -> Option<TaskLocals> {
        None
    }
}
