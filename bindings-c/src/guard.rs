//! The panic boundary of exported functions that cannot fail (accessors, free functions):
//! a panic never crosses into C; the function returns a stated default instead. Fallible
//! functions go through [`crate::ffi::call`], which turns a panic into an error.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs the body of an infallible exported function (accessors, free functions), returning
/// `default` if it panics.
pub(crate) fn guard_value<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}
