//! The one tokio runtime of the process and the two ways Python waits on it.
//!
//! * The runtime is core's process-wide, fork-aware one ([`hookbridge::runtime::shared`]):
//!   created lazily and re-created in a forked child (the parent's is never touched there).
//! * The asyncio bridge (pyo3-async-runtimes) spawns on this same runtime through [`HbRuntime`],
//!   its generic `Runtime` implementation, so no second runtime ever exists.
//! * Exit race (pyo3-async-runtimes#40): a thread that hands a result to Python can still be
//!   releasing its thread state while the interpreter finalizes. Every awaitable is counted from
//!   creation until the thread that completed it has left Python; an `atexit` hook
//!   ([`wait_for_async_calls`]) waits, with the GIL released, until the count is zero (capped).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as BridgeRuntime};
use tokio::runtime::Runtime;

/// Awaitables created and not yet fully handed back to Python.
static ASYNC_CALLS_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The process whose awaitables [`ASYNC_CALLS_IN_FLIGHT`] counts (0 before the first call).
static COUNTING_PID: AtomicU32 = AtomicU32::new(0);

/// How long the exit hook waits for in-flight awaitables at most.
pub const EXIT_WAIT_CAP: Duration = Duration::from_secs(2);

/// The process-wide runtime, built on first use and rebuilt after a `fork()`.
pub fn get() -> PyResult<&'static Runtime> {
    let pid = std::process::id();
    let counted_in = COUNTING_PID.swap(pid, Ordering::SeqCst);
    if counted_in != 0 && counted_in != pid {
        // A forked child: the parent's awaitables and their threads do not exist here.
        ASYNC_CALLS_IN_FLIGHT.store(0, Ordering::SeqCst);
    }
    hookbridge::runtime::shared().map_err(|e| PyRuntimeError::new_err(format!("hookbridge: {e}")))
}

/// The runtime for the bridge's spawns; [`get`] has always run first on this path.
fn current() -> &'static Runtime {
    match get() {
        Ok(runtime) => runtime,
        // Only reachable if the OS refuses threads; the bridge's trait cannot return an error.
        Err(_) => panic!("hookbridge: the I/O runtime could not be started"),
    }
}

/// Counts one more awaitable in flight.
pub fn async_call_started() {
    ASYNC_CALLS_IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
}

/// Counts one awaitable as finished (never below zero, e.g. right after a fork).
pub fn async_call_finished() {
    let _ = ASYNC_CALLS_IN_FLIGHT.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
}

/// Awaitables currently in flight.
pub fn async_calls_in_flight() -> usize {
    ASYNC_CALLS_IN_FLIGHT.load(Ordering::SeqCst)
}

/// Blocks (GIL released) until no awaitable is in flight or `cap` has passed; true when drained.
pub fn wait_for_async_calls(py: Python<'_>, cap: Duration) -> bool {
    py.detach(|| {
        let deadline = Instant::now() + cap;
        while async_calls_in_flight() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    })
}

/// Decrements the in-flight count when dropped, even if the closure it guards panics.
struct FinishOnDrop;

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        async_call_finished();
    }
}

/// The bridge's view of our runtime.
///
/// pyo3-async-runtimes calls `spawn_blocking` exactly once per awaitable, to hand the result
/// (or the panic) to Python from a thread that may hold the GIL; that closure returning is the
/// moment the awaitable stops touching Python, so it is where the in-flight count drops.
pub struct HbRuntime;

impl BridgeRuntime for HbRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        current().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        current().spawn_blocking(move || {
            let _finished = FinishOnDrop;
            f();
        })
    }
}

impl ContextExt for HbRuntime {
    /// Our futures never call back into Python, so they need no task-local event loop.
    fn scope<F, R>(_locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(fut)
    }

    fn get_task_locals() -> Option<TaskLocals> {
        None
    }
}
