//! The process-wide runtime across `fork()`: a child gets a runtime of its own and its clients
//! work; the parent's client keeps working. The only test of this binary, so no other test
//! thread is running when it forks. The child does its work and leaves with `_exit` (no
//! destructors, no test-harness output), reporting through its exit status.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{MockServer, Scripted};
use hookbridge::ClientConfig;
use hookbridge::blocking::Client;
use serde_json::json;

/// Exit statuses of the child.
const CHILD_OK: i32 = 0;
const CHILD_SAME_RUNTIME: i32 = 2;
const CHILD_CALL_FAILED: i32 = 3;
const CHILD_PANICKED: i32 = 4;

/// What the child does: it must get a new runtime and make a real request with a new client.
fn child(config: ClientConfig, parent_runtime: usize) -> i32 {
    let runtime = hookbridge::runtime::shared().expect("child runtime") as *const _ as usize;
    if runtime == parent_runtime {
        return CHILD_SAME_RUNTIME;
    }
    let client = Client::new(config).expect("client in the child");
    match client.list_api_keys() {
        Ok(keys) if keys.is_empty() => CHILD_OK,
        _ => CHILD_CALL_FAILED,
    }
}

#[test]
fn a_forked_child_gets_its_own_runtime_and_the_parent_keeps_working() {
    let server = MockServer::always(Scripted::data(json!([])));
    let client = Client::new(server.config()).unwrap();
    assert!(client.list_api_keys().unwrap().is_empty());
    let parent_runtime = hookbridge::runtime::shared().unwrap() as *const _ as usize;
    let config = server.config();

    // SAFETY: the child only runs `child` (which allocates and starts threads, as glibc allows
    // after fork) and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let code = catch_unwind(AssertUnwindSafe(|| child(config, parent_runtime))).unwrap_or(CHILD_PANICKED);
        // SAFETY: ends the child at once, without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }

    let mut status = 0;
    // SAFETY: waits for the child forked above; `status` is a valid out-pointer.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "child did not exit normally (status {status:#x})");
    assert_eq!(libc::WEXITSTATUS(status), CHILD_OK, "child failed (2: same runtime, 3: call failed, 4: panicked)");

    // The parent's client and runtime are untouched by the child.
    assert!(client.list_api_keys().unwrap().is_empty());
    assert_eq!(hookbridge::runtime::shared().unwrap() as *const _ as usize, parent_runtime);
    assert_eq!(server.hits(), 3, "parent before the fork, child, parent after the fork");
}
