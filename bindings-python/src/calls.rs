//! Running a core operation for Python: to completion with the GIL released (sync client), or as
//! an asyncio awaitable driven by tokio (async client). Either way the result becomes the Python
//! dataclass ([`crate::to_py`]) or the Python exception ([`crate::errors`]).

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::future_into_py_with_locals;
use serde::Serialize;

use crate::runtime::{self, HbRuntime};
use crate::{errors, to_py};

/// How often a blocked sync call looks at pending signals (so Ctrl-C interrupts it).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(200);

/// The outcome of a core call, converted to Python only once it is back with the interpreter.
pub struct Reply<T>(hookbridge::Result<T>);

impl<'py, T: Serialize> IntoPyObject<'py> for Reply<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(value) => to_py::to_python(py, &value),
            Err(error) => Err(errors::to_pyerr(py, &error)),
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
    Ok(Reply(outcome).into_pyobject(py)?.unbind())
}

/// Wraps `fut` in an asyncio future of the running event loop. Cancelling the awaiting task
/// cancels the Python future, which drops `fut` (and so the request) on the runtime.
pub fn awaitable<T, F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = hookbridge::Result<T>> + Send + 'static,
{
    runtime::get()?;
    let locals = TaskLocals::with_running_loop(py)?;
    runtime::async_call_started();
    let created = future_into_py_with_locals::<HbRuntime, _, Reply<T>>(py, locals, async move { Ok(Reply(fut.await)) });
    if created.is_err() {
        // Nothing was spawned, so nothing will count this call as finished.
        runtime::async_call_finished();
    }
    created.map(Bound::unbind)
}
