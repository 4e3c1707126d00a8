//! Core errors to the exception classes of `hookbridge/errors.py`, raised by calling the class
//! with the same arguments the official SDK passes. A `NetworkError` carries the official
//! package's wording (what httpx says: `[Errno 111] Connection refused`, or for the async client
//! `All connection attempts failed`); the core's full text is its `detail` attribute.

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

/// Which client raised an error: network failures read as httpx words them for that client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The sync client (httpx on blocking sockets).
    Sync,
    /// The async client (httpx on anyio).
    Async,
}

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, error: &Error, mode: Mode) -> PyErr {
    match exception(py, error, mode) {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

/// The exception instance for a core error (not raised).
pub fn exception<'py>(py: Python<'py>, error: &Error, mode: Mode) -> PyResult<Bound<'py, PyAny>> {
    let Some(classes) = CLASSES.read().unwrap_or_else(|p| p.into_inner()).clone() else {
        return Err(PyRuntimeError::new_err(error.to_string()));
    };
    instantiate(py, &classes, error, mode)
}

/// `hookbridge.client._handle_error_response`'s mapping: the exception for an HTTP error answer.
#[pyfunction]
#[pyo3(signature = (status, body, retry_after=None))]
pub fn error_from_response<'py>(
    py: Python<'py>,
    status: u16,
    body: &[u8],
    retry_after: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    exception(py, &Error::from_response(status, body, retry_after), Mode::Sync)
}

/// What httpx says for a failure the core describes as `detail` (reqwest's error chain).
fn official_network_message(detail: &str, mode: Mode) -> Option<String> {
    if detail.contains("connection closed before message completed") {
        return Some("Server disconnected without sending a response.".to_owned());
    }
    if let Some(reason) = detail.split("failed to lookup address information: ").nth(1) {
        let errno = match reason.trim() {
            "Name or service not known" => -2,
            "Temporary failure in name resolution" => -3,
            "No address associated with hostname" => -5,
            _ => return None,
        };
        return Some(format!("[Errno {errno}] {}", reason.trim()));
    }
    let connecting = detail.contains("(Connect)");
    if connecting && mode == Mode::Async {
        // anyio tries every address and reports them together.
        return Some("All connection attempts failed".to_owned());
    }
    let code = detail.rsplit("(os error ").next().filter(|_| detail.contains("(os error "))?;
    let code: i32 = code.trim_end_matches(')').parse().ok()?;
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let strerror = text.strip_suffix(&format!(" (os error {code})")).unwrap_or(&text);
    Some(format!("[Errno {code}] {strerror}"))
}

fn instantiate<'py>(py: Python<'py>, c: &Classes, e: &Error, mode: Mode) -> PyResult<Bound<'py, PyAny>> {
    let message = e.message();
    let request_id = e.request_id();
    match e.kind() {
        ErrorKind::Authentication => c.authentication.bind(py).call1((message, request_id)),
        ErrorKind::NotFound => c.not_found.bind(py).call1((message, request_id)),
        ErrorKind::Validation => c.validation.bind(py).call1((message, e.code(), request_id)),
        ErrorKind::RateLimit => c.rate_limit.bind(py).call1((message, request_id, e.retry_after())),
        ErrorKind::Idempotency => c.idempotency.bind(py).call1((message, request_id)),
        ErrorKind::ReplayLimit => c.replay_limit.bind(py).call1((message, request_id)),
        ErrorKind::Network => {
            let official = official_network_message(message, mode);
            let error = c.network.bind(py).call1((official.as_deref().unwrap_or(message),))?;
            error.setattr("detail", message)?;
            Ok(error)
        }
        ErrorKind::Timeout => c.timeout.bind(py).call1((message,)),
        ErrorKind::Api => c.base.bind(py).call1((message, e.code(), request_id, e.status())),
        ErrorKind::InvalidResponse => c.base.bind(py).call1((message, "INVALID_RESPONSE")),
    }
}
