//! Webhook signing and verification for receivers: thin wrappers over `hookbridge::signing`.

use hookbridge::signing::{self, VerifyOptions, standard_webhooks};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};

/// The raw body as bytes: `bytes`, `bytearray`, or `str` (encoded as UTF-8).
fn body_bytes(payload: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = payload.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = payload.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = payload.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("payload must be the raw request body as bytes or str, not {}", payload.get_type().name()?)))
}

/// A header value that may be absent (`None` reads as empty, which verification reports as missing).
fn header_text(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    if value.is_none() {
        return Ok(String::new());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(value.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!("{name} must be a str, not {}", value.get_type().name()?)))
}

/// One secret or a list/tuple of secrets (during rotation).
fn secrets(value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = value.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!("secret must be a str or a list of str, not {}", value.get_type().name()?)));
    };
    items.iter().map(|s| s.extract::<String>()).collect()
}

/// Checks a delivery; returns `None` when it is authentic, else `(reason, message)` with
/// `reason` one of `missing`, `malformed`, `expired`, `mismatch`.
#[pyfunction]
#[pyo3(signature = (payload, signature_header, timestamp, secret, tolerance, now=None))]
pub fn verify_webhook(
    payload: &Bound<'_, PyAny>,
    signature_header: &Bound<'_, PyAny>,
    timestamp: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    tolerance: u64,
    now: Option<i64>,
) -> PyResult<Option<(&'static str, String)>> {
    let body = body_bytes(payload)?;
    let header = header_text(signature_header, "signature_header")?;
    let timestamp = header_text(timestamp, "timestamp")?;
    let secrets = secrets(secret)?;
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let options = VerifyOptions { tolerance_seconds: tolerance, now };
    Ok(signing::verify(&body, &header, &timestamp, &secret_refs, options).err().map(|e| (e.kind.as_str(), e.message)))
}

/// `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<payload>")>`, as a delivery carries it.
#[pyfunction]
pub fn sign_webhook(secret: &str, timestamp: &Bound<'_, PyAny>, payload: &Bound<'_, PyAny>) -> PyResult<String> {
    let timestamp = header_text(timestamp, "timestamp")?;
    Ok(signing::sign(secret, &timestamp, &body_bytes(payload)?))
}

/// Checks a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`, `webhook-signature`);
/// returns `None` when it is authentic, else `(reason, message)` as [`verify_webhook`] does.
#[pyfunction]
#[pyo3(signature = (payload, webhook_id, webhook_timestamp, webhook_signature, secret, tolerance, now=None))]
pub fn verify_standard_webhook(
    payload: &Bound<'_, PyAny>,
    webhook_id: &Bound<'_, PyAny>,
    webhook_timestamp: &Bound<'_, PyAny>,
    webhook_signature: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    tolerance: u64,
    now: Option<i64>,
) -> PyResult<Option<(&'static str, String)>> {
    let body = body_bytes(payload)?;
    let id = header_text(webhook_id, "webhook_id")?;
    let timestamp = header_text(webhook_timestamp, "webhook_timestamp")?;
    let header = header_text(webhook_signature, "webhook_signature")?;
    let secrets = secrets(secret)?;
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let options = VerifyOptions { tolerance_seconds: tolerance, now };
    let outcome = standard_webhooks::verify(&body, &id, &timestamp, &header, &secret_refs, options);
    Ok(outcome.err().map(|e| (e.kind.as_str(), e.message)))
}

/// `v1,<base64 HMAC-SHA256(key of secret, "<id>.<timestamp>.<payload>")>`; raises `ValueError`
/// when the secret is not `whsec_<base64>`.
#[pyfunction]
pub fn sign_standard_webhook(
    secret: &str,
    webhook_id: &str,
    timestamp: &Bound<'_, PyAny>,
    payload: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let timestamp = header_text(timestamp, "timestamp")?;
    standard_webhooks::sign(secret, webhook_id, &timestamp, &body_bytes(payload)?)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.message))
}
