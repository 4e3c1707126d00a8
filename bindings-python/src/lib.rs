//! `hookbridge._native`: the Rust core behind the `hookbridge` Python package.
//!
//! The pure-Python package (`bindings-python/python/hookbridge`) keeps the official 1.4.0 surface
//! (signatures, dataclasses, exceptions) and forwards every call to [`client::NativeClient`];
//! everything else (HTTP, retries, error mapping, parsing, signing) is the core crate's.

mod calls;
mod client;
mod errors;
mod from_py;
mod py_transport;
mod runtime;
mod signing;
mod timeouts;
mod to_py;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Registers the dataclasses that results are built from, by struct name (from `hookbridge.types`).
#[pyfunction]
fn register_types(classes: &Bound<'_, PyDict>) -> PyResult<()> {
    to_py::register_types(classes)
}

/// Registers the exception classes that errors are raised as (from `hookbridge.errors`).
#[pyfunction]
fn register_errors(classes: &Bound<'_, PyDict>) -> PyResult<()> {
    errors::register_errors(classes)
}

/// Async calls whose result has not been fully handed to Python yet.
#[pyfunction]
fn async_calls_in_flight() -> usize {
    runtime::async_calls_in_flight()
}

/// The `atexit` hook: waits (GIL released, at most `timeout` seconds, default 2) until no async
/// call is still handing its result to Python. Returns whether everything drained.
#[pyfunction]
#[pyo3(signature = (timeout=None))]
fn wait_for_async_calls(py: Python<'_>, timeout: Option<f64>) -> bool {
    let cap = match timeout {
        Some(t) if t.is_finite() && t >= 0.0 => std::time::Duration::from_secs_f64(t),
        _ => runtime::EXIT_WAIT_CAP,
    };
    runtime::wait_for_async_calls(py, cap)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::NativeClient>()?;
    m.add_class::<calls::Pending>()?;
    // Whether this is an unoptimised build (benchmarks warn about it).
    m.add("DEBUG_BUILD", cfg!(debug_assertions))?;
    m.add_function(wrap_pyfunction!(register_types, m)?)?;
    m.add_function(wrap_pyfunction!(register_errors, m)?)?;
    m.add_function(wrap_pyfunction!(async_calls_in_flight, m)?)?;
    m.add_function(wrap_pyfunction!(wait_for_async_calls, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_from_response, m)?)?;
    m.add_function(wrap_pyfunction!(signing::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(signing::sign_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(signing::verify_standard_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(signing::sign_standard_webhook, m)?)?;
    // The exit-race guard: registered here so it exists whenever the module is loaded.
    m.py().import("atexit")?.call_method1("register", (m.getattr("wait_for_async_calls")?,))?;
    Ok(())
}
