//! The one process-wide tokio runtime that drives every client's I/O. Calls block the calling
//! thread with `block_on`; the runtime's worker threads run connection tasks and timers.
//! It is created on first use (by `hb_client_new`) and lives until the process exits.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::hb_error;
use crate::ffi::FfiResult;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared runtime, started on first use.
pub(crate) fn runtime() -> FfiResult<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let built = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hookbridge-io")
        .enable_all()
        .build()
        .map_err(|e| hb_error::from(hookbridge::Error::network(format!("cannot start the I/O runtime: {e}"))))?;
    // If another thread won the race, its runtime is kept and ours is dropped here.
    let _ = RUNTIME.set(built);
    Ok(RUNTIME.get().expect("runtime was just set"))
}
