//! The one tokio runtime of the process, shared by the blocking client and every binding (C,
//! Python). It is a multi-thread runtime, created on first use, that survives `fork()`:
//!
//! * [`shared`] remembers the pid it built the runtime in. Called in a forked child (a
//!   different `std::process::id()`), it builds a fresh runtime for the child.
//! * The parent's runtime is never dropped or used in the child: its worker threads do not
//!   exist there, so shutting it down would wait forever. It stays reachable (not freed, not
//!   "lost" to leak checkers) through the child's runtime record.
//! * No lock is taken, so a fork that happens while another thread is inside [`shared`] cannot
//!   leave the child waiting on a lock that nobody will release.
//!
//! Clients hold connections that belong to the runtime of the process that created them: after
//! a fork, the child makes its own clients (the Python binding does that by itself).

use std::sync::atomic::{AtomicPtr, Ordering};

use tokio::runtime::Runtime;

use crate::error::{Error, Result};

/// Worker threads at most; the work is network I/O, so a few threads are plenty.
const MAX_WORKER_THREADS: usize = 4;

/// Threads for blocking work (name resolution, handing results to a binding's interpreter).
/// The bindings hand results over one at a time (Python holds the GIL), so more would only queue.
const MAX_BLOCKING_THREADS: usize = 4;

/// Name of the runtime's threads, as shown by `ps -L` or a debugger.
pub const THREAD_NAME: &str = "hookbridge-io";

/// One runtime and the process it was built in.
struct Record {
    pid: u32,
    runtime: Runtime,
    /// The runtime this one replaced after a fork, kept so it is never dropped.
    _inherited: Option<&'static Record>,
}

/// The current record; leaked once built, so references to it live as long as the process.
static CURRENT: AtomicPtr<Record> = AtomicPtr::new(std::ptr::null_mut());

/// The process-wide runtime: built on first use, and built again in a child after `fork()`.
///
/// Fails only when the operating system refuses to start threads.
pub fn shared() -> Result<&'static Runtime> {
    let pid = std::process::id();
    loop {
        let current = CURRENT.load(Ordering::Acquire);
        // SAFETY: a non-null pointer in CURRENT comes from `Box::leak` below and is never freed.
        let record: Option<&'static Record> = unsafe { current.as_ref() };
        if let Some(record) = record
            && record.pid == pid
        {
            return Ok(&record.runtime);
        }
        let fresh = Box::new(Record { pid, runtime: build()?, _inherited: record });
        let fresh = Box::into_raw(fresh);
        match CURRENT.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // SAFETY: just published; it is never freed from now on.
            Ok(_) => return Ok(unsafe { &(*fresh).runtime }),
            Err(_) => {
                // Another thread of this process published its runtime first: use that one.
                // SAFETY: `fresh` was never published, so this is its only owner.
                let lost = unsafe { Box::from_raw(fresh) };
                // Never blocks (not even inside async code); its threads are ours and idle.
                lost.runtime.shutdown_background();
            }
        }
    }
}

fn build() -> Result<Runtime> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_WORKER_THREADS);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_name(THREAD_NAME)
        .enable_all()
        .build()
        .map_err(|e| Error::network(format!("cannot start the I/O runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_is_built_once_per_process() {
        let first = shared().unwrap();
        let threads: Vec<_> = (0..4).map(|_| std::thread::spawn(|| shared().unwrap() as *const Runtime as usize)).collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), first as *const Runtime as usize);
        }
        assert_eq!(first.block_on(async { tokio::spawn(async { 41 + 1 }).await.unwrap() }), 42);
    }
}
