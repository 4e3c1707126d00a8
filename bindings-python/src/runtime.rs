//! The one tokio runtime of the process and the two ways Python waits on it.
//!
//! * The runtime is core's process-wide, fork-aware one ([`hookbridge::runtime::shared`]):
//!   created lazily and re-created in a forked child (the parent's is never touched there).
//! * Async calls ([`crate::calls::Pending`]) are spawned on this same runtime, so no second
//!   runtime ever exists.
//! * Exit race (known from pyo3-async-runtimes#40): a thread that hands a result to Python can
//!   still be releasing its thread state while the interpreter finalizes. Every async call is
//!   counted ([`InFlight`]) from its start until the thread that completed it has left Python; an
//!   `atexit` hook ([`wait_for_async_calls`]) waits, with the GIL released, until the count is
//!   zero (capped).

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
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

/// Counts one more awaitable in flight.
fn async_call_started() {
    ASYNC_CALLS_IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
}

/// Counts one awaitable as finished (never below zero, e.g. right after a fork).
fn async_call_finished() {
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

/// One async call in flight: counted from creation until dropped, which happens once the thread
/// that completed the call has left Python (or the call was cancelled).
pub struct InFlight(());

impl InFlight {
    /// Counts one more call in flight.
    pub fn new() -> Self {
        async_call_started();
        InFlight(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        async_call_finished();
    }
}
