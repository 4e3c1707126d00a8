//! Core errors to the exception classes of `hookbridge/errors.py`, raised by calling the class
//! with the same arguments the official SDK passes.

use std::sync::{Arc, RwLock};

use hookbridge::{Error, ErrorKind};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The nine exception classes of `hookbridge.errors`.
struct Classes {
    base: Py<PyAny>,
    authentication: Py<PyAny>,
    not_found: Py<PyAny>,
    validation: Py<PyAny>,
    rate_limit: Py<PyAny>,
    idempotency: Py<PyAny>,
    replay_limit: Py<PyAny>,
    network: Py<PyAny>,
    timeout: Py<PyAny>,
}

static CLASSES: RwLock<Option<Arc<Classes>>> = RwLock::new(None);

/// Registers the exception classes (`{"HookBridgeError": HookBridgeError, ...}`).
pub fn register_errors(classes: &Bound<'_, PyDict>) -> PyResult<()> {
    let get = |name: &str| -> PyResult<Py<PyAny>> {
        classes
            .get_item(name)?
            .map(Bound::unbind)
            .ok_or_else(|| PyTypeError::new_err(format!("register_errors: {name} is missing")))
    };
    let registered = Classes {
        base: get("HookBridgeError")?,
        authentication: get("AuthenticationError")?,
        not_found: get("NotFoundError")?,
        validation: get("ValidationError")?,
        rate_limit: get("RateLimitError")?,
        idempotency: get("IdempotencyError")?,
        replay_limit: get("ReplayLimitError")?,
        network: get("NetworkError")?,
        timeout: get("TimeoutError")?,
    };
    *CLASSES.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(registered));
    Ok(())
}

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, error: &Error) -> PyErr {
    let Some(classes) = CLASSES.read().unwrap_or_else(|p| p.into_inner()).clone() else {
        return PyRuntimeError::new_err(error.to_string());
    };
    match instantiate(py, &classes, error) {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

fn instantiate<'py>(py: Python<'py>, c: &Classes, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let message = e.message();
    let request_id = e.request_id();
    match e.kind() {
        ErrorKind::Authentication => c.authentication.bind(py).call1((message, request_id)),
        ErrorKind::NotFound => c.not_found.bind(py).call1((message, request_id)),
        ErrorKind::Validation => c.validation.bind(py).call1((message, e.code(), request_id)),
        ErrorKind::RateLimit => c.rate_limit.bind(py).call1((message, request_id, e.retry_after())),
        ErrorKind::Idempotency => c.idempotency.bind(py).call1((message, request_id)),
        ErrorKind::ReplayLimit => c.replay_limit.bind(py).call1((message, request_id)),
        ErrorKind::Network => c.network.bind(py).call1((message,)),
        ErrorKind::Timeout => c.timeout.bind(py).call1((message,)),
        ErrorKind::Api => c.base.bind(py).call1((message, e.code(), request_id, e.status())),
        ErrorKind::InvalidResponse => c.base.bind(py).call1((message, "INVALID_RESPONSE")),
    }
}
