//! Running a core operation for Python: to completion with the GIL released (sync client), or as
//! an awaitable of the running event loop (asyncio or trio), driven by tokio (async client). Either way the result becomes the Python
//! dataclass ([`crate::to_py`]) or the Python exception ([`crate::errors`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde::Serialize;

use crate::errors::Mode;
use crate::runtime;
use crate::{errors, to_py};

/// How often a blocked sync call looks at pending signals (so Ctrl-C interrupts it at once, as
/// it interrupts httpx's blocking socket calls).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(10);

/// The outcome of a core call, converted to Python only once it is back with the interpreter.
pub struct Reply<T>(hookbridge::Result<T>, Mode);

impl<'py, T: Serialize> IntoPyObject<'py> for Reply<T> {
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

/// Runs `fut` on the shared runtime with the GIL released and returns its Python result.
/// Pending signals are checked every [`SIGNAL_CHECK_INTERVAL`]: a `KeyboardInterrupt` drops the
/// future, which cancels the request.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    T: Serialize + Send,
    F: Future<Output = hookbridge::Result<T>> + Send,
{
    let runtime = runtime::get()?;
    let mut fut = std::pin::pin!(fut);
    let outcome = loop {
        // The timer must be created inside the runtime's context, hence the async block.
        let step = py.detach(|| runtime.block_on(async { tokio::time::timeout(SIGNAL_CHECK_INTERVAL, fut.as_mut()).await }));
        match step {
            Ok(outcome) => break outcome,
            Err(_still_running) => py.check_signals()?,
        }
    };
    Reply(outcome, Mode::Sync).into_pyobject(py).map(Bound::unbind).map_err(|e| with_handled_context(py, e))
}

/// Sets the exception being handled by the caller (if any) as `error.__context__`, as a `raise`
/// statement in Python code would; an exception raised from native code does not get it.
fn with_handled_context(py: Python<'_>, error: PyErr) -> PyErr {
    let handled = py.import("sys").and_then(|sys| sys.call_method0("exc_info")).and_then(|info| info.get_item(1));
    if let Ok(handled) = handled
        && !handled.is_none()
        && error.value(py).getattr("__context__").is_ok_and(|c| c.is_none())
    {
        let _ = error.value(py).setattr("__context__", handled);
    }
    error
}

/// The awaitable of an async call, for whichever event loop is running: an asyncio future (also
/// under anyio's asyncio backend) or a trio awaitable (trio, or anyio on trio); see
/// `hookbridge/_aio.py`, which wires the [`Pending`] call to the loop. Without a running loop
/// this is `RuntimeError("no running event loop")`, and nothing is sent.
pub fn awaitable<T, F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = hookbridge::Result<T>> + Send + 'static,
{
    runtime::get()?;
    let work: Work = Box::pin(async move {
        let outcome = fut.await;
        let deliver: Outcome = Box::new(move |py| Reply(outcome, Mode::Async).into_pyobject(py).map(Bound::unbind));
        deliver
    });
    let pending = Pending { work: Mutex::new(Some(work)), abort: Mutex::new(None) };
    Ok(py.import("hookbridge._aio")?.call_method1("awaitable", (pending,))?.unbind())
}

/// Converts a finished call's outcome to Python (once the GIL is held).
type Outcome = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;
/// A call not started yet.
type Work = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// An async call handed to the event loop's glue: started once with a completion callback,
/// cancellable until it completes.
#[pyclass(frozen, module = "hookbridge._native", name = "Pending")]
pub struct Pending {
    work: Mutex<Option<Work>>,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
}

#[pymethods]
impl Pending {
    /// Sends the request; `callback(ok, value)` is then called exactly once from a runtime thread
    /// (with the result, or the exception when `ok` is false), unless the call is cancelled first.
    fn start(&self, callback: Py<PyAny>) -> PyResult<()> {
        let work = lock(&self.work).take().ok_or_else(|| PyRuntimeError::new_err("this call was already started"))?;
        let runtime = runtime::get()?;
        let finished = runtime::InFlight::new();
        let task = runtime.spawn(async move {
            // Counted until the callback has returned and this thread has left Python, or until
            // the call is dropped by cancellation (see `runtime` on the exit race).
            let _finished = finished;
            let deliver = work.await;
            Python::attach(|py| {
                let (ok, value) = match deliver(py) {
                    Ok(value) => (true, value),
                    Err(error) => (false, error.into_value(py).into_any()),
                };
                if let Err(error) = callback.call1(py, (ok, value)) {
                    error.write_unraisable(py, None);
                }
                drop(callback);
            });
        });
        *lock(&self.abort) = Some(task.abort_handle());
        Ok(())
    }

    /// Cancels the call: the request is dropped and the callback is never called.
    fn cancel(&self) {
        if let Some(task) = lock(&self.abort).take() {
            task.abort();
        }
        lock(&self.work).take();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
