//! Timeouts as httpx states them (seconds, or `None` for no limit) and as the core takes them
//! (durations), both ways.

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// What `timeout=None` means: no practical limit (a year; timers cannot be infinite).
pub(crate) const NO_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// A timeout in seconds as a duration: `None` is no practical limit (httpx's meaning).
pub(crate) fn duration(seconds: Option<f64>, name: &str) -> PyResult<Duration> {
    match seconds {
        None => Ok(NO_TIMEOUT),
        Some(t) if t.is_finite() && t > 0.0 => Ok(Duration::from_secs_f64(t)),
        Some(t) => Err(PyValueError::new_err(format!("{name} must be a positive number of seconds or None, got {t}"))),
    }
}

/// Seconds for httpx; the "no timeout" stand-in becomes `None`, as the caller wrote it.
pub(crate) fn seconds(limit: Duration) -> Option<f64> {
    (limit < NO_TIMEOUT).then_some(limit.as_secs_f64())
}
