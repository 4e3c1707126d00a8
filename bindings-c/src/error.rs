//! Result codes (`hb_result`) and the error object (`hb_error`) every fallible function reports through.

use std::ffi::{CString, c_char, c_int};
use std::ptr;

use hookbridge::ErrorKind;
use hookbridge::signing::{VerifyError, VerifyErrorKind};

use crate::guard::guard_value;
use crate::strings::c_string;

/// The outcome of every fallible function. `HB_RESULT_OK` (0) is success; any other value is a
/// failure whose details are in the `hb_error` written to the function's `err` out-parameter.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hb_result {
    /// Success.
    Ok = 0,
    /// A NULL pointer where one is not allowed, a string that is not UTF-8, a malformed JSON
    /// argument or an out-of-range number; the error message names the argument. Nothing was sent.
    InvalidArgument = 1,
    /// HTTP 401: missing, invalid or revoked API key.
    Authentication = 2,
    /// HTTP 404: the resource does not exist.
    NotFound = 3,
    /// Invalid input detected by the client before any request (e.g. empty API key, bad URL).
    Validation = 4,
    /// HTTP 429 other than the replay limit; see `hb_error_retry_after`.
    RateLimit = 5,
    /// HTTP 409 `IDEMPOTENCY_MISMATCH`: same idempotency key, different payload.
    Idempotency = 6,
    /// HTTP 429 `REPLAY_LIMIT_EXCEEDED`: the message was replayed too often.
    ReplayLimit = 7,
    /// No HTTP answer: connection refused, DNS failure, reset.
    Network = 8,
    /// The request timed out.
    Timeout = 9,
    /// Any other API error; see `hb_error_code` and `hb_error_status`.
    Api = 10,
    /// A 2xx answer whose body is not what the API promises.
    InvalidResponse = 11,
    /// Signature verification: the signature or timestamp header, or every secret, is empty.
    VerifyMissing = 12,
    /// Signature verification: no well-formed `sha256=<64 hex>` entry, or a non-integer timestamp.
    VerifyMalformed = 13,
    /// Signature verification: the timestamp is outside the tolerance.
    VerifyExpired = 14,
    /// Signature verification: no signature matches the body and secrets.
    VerifyMismatch = 15,
    /// A bug: a Rust panic was caught at the library boundary. The library stays usable.
    Panic = 16,
}

impl hb_result {
    /// The stable name of the code, e.g. `HB_RESULT_NOT_FOUND`.
    fn name(self) -> &'static str {
        match self {
            hb_result::Ok => "HB_RESULT_OK\0",
            hb_result::InvalidArgument => "HB_RESULT_INVALID_ARGUMENT\0",
            hb_result::Authentication => "HB_RESULT_AUTHENTICATION\0",
            hb_result::NotFound => "HB_RESULT_NOT_FOUND\0",
            hb_result::Validation => "HB_RESULT_VALIDATION\0",
            hb_result::RateLimit => "HB_RESULT_RATE_LIMIT\0",
            hb_result::Idempotency => "HB_RESULT_IDEMPOTENCY\0",
            hb_result::ReplayLimit => "HB_RESULT_REPLAY_LIMIT\0",
            hb_result::Network => "HB_RESULT_NETWORK\0",
            hb_result::Timeout => "HB_RESULT_TIMEOUT\0",
            hb_result::Api => "HB_RESULT_API\0",
            hb_result::InvalidResponse => "HB_RESULT_INVALID_RESPONSE\0",
            hb_result::VerifyMissing => "HB_RESULT_VERIFY_MISSING\0",
            hb_result::VerifyMalformed => "HB_RESULT_VERIFY_MALFORMED\0",
            hb_result::VerifyExpired => "HB_RESULT_VERIFY_EXPIRED\0",
            hb_result::VerifyMismatch => "HB_RESULT_VERIFY_MISMATCH\0",
            hb_result::Panic => "HB_RESULT_PANIC\0",
        }
    }

    const ALL: [hb_result; 17] = [
        hb_result::Ok,
        hb_result::InvalidArgument,
        hb_result::Authentication,
        hb_result::NotFound,
        hb_result::Validation,
        hb_result::RateLimit,
        hb_result::Idempotency,
        hb_result::ReplayLimit,
        hb_result::Network,
        hb_result::Timeout,
        hb_result::Api,
        hb_result::InvalidResponse,
        hb_result::VerifyMissing,
        hb_result::VerifyMalformed,
        hb_result::VerifyExpired,
        hb_result::VerifyMismatch,
        hb_result::Panic,
    ];
}

/// Details of a failure: result code, machine-readable code string, message, and what the server
/// said (request id, HTTP status, Retry-After). Owned by the caller; free with `hb_error_free`.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_error {
    pub(crate) result: hb_result,
    code: CString,
    message: CString,
    request_id: Option<CString>,
    status: u16,
    retry_after: i64,
}

impl hb_error {
    /// An error raised by the binding itself (no HTTP exchange).
    pub(crate) fn local(result: hb_result, code: &str, message: impl AsRef<str>) -> Self {
        hb_error {
            result,
            code: c_string(code),
            message: c_string(message.as_ref()),
            request_id: None,
            status: 0,
            retry_after: -1,
        }
    }

    /// A bad argument; `message` names it.
    pub(crate) fn invalid_argument(message: impl AsRef<str>) -> Self {
        hb_error::local(hb_result::InvalidArgument, "INVALID_ARGUMENT", message)
    }

    /// A caught panic, with its message when it had one.
    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        hb_error::local(hb_result::Panic, "PANIC", format!("internal error (caught panic): {detail}"))
    }
}

impl From<hookbridge::Error> for hb_error {
    fn from(e: hookbridge::Error) -> Self {
        let result = match e.kind() {
            ErrorKind::Authentication => hb_result::Authentication,
            ErrorKind::NotFound => hb_result::NotFound,
            ErrorKind::Validation => hb_result::Validation,
            ErrorKind::RateLimit => hb_result::RateLimit,
            ErrorKind::Idempotency => hb_result::Idempotency,
            ErrorKind::ReplayLimit => hb_result::ReplayLimit,
            ErrorKind::Network => hb_result::Network,
            ErrorKind::Timeout => hb_result::Timeout,
            ErrorKind::Api => hb_result::Api,
            ErrorKind::InvalidResponse => hb_result::InvalidResponse,
        };
        hb_error {
            result,
            code: c_string(e.code()),
            message: c_string(e.message()),
            request_id: e.request_id().map(c_string),
            status: e.status().unwrap_or(0),
            retry_after: e.retry_after().map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX)),
        }
    }
}

impl From<VerifyError> for hb_error {
    fn from(e: VerifyError) -> Self {
        let (result, code) = match e.kind {
            VerifyErrorKind::Missing => (hb_result::VerifyMissing, "VERIFY_MISSING"),
            VerifyErrorKind::Malformed => (hb_result::VerifyMalformed, "VERIFY_MALFORMED"),
            VerifyErrorKind::Expired => (hb_result::VerifyExpired, "VERIFY_EXPIRED"),
            VerifyErrorKind::Mismatch => (hb_result::VerifyMismatch, "VERIFY_MISMATCH"),
        };
        hb_error::local(result, code, &e.message)
    }
}

/// The result code of an error (`HB_RESULT_INVALID_ARGUMENT` when `err` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_result(err: *const hb_error) -> hb_result {
    guard_value(hb_result::InvalidArgument, || unsafe { err.as_ref() }.map_or(hb_result::InvalidArgument, |e| e.result))
}

/// The machine-readable code: the server's (`NOT_FOUND`, `UNAUTHORIZED`, `IDEMPOTENCY_MISMATCH`,
/// `RATE_LIMIT_EXCEEDED`, ...) or the library's (`INVALID_ARGUMENT`, `NETWORK_ERROR`, `TIMEOUT`,
/// `VERIFY_MISMATCH`, `PANIC`, ...). Borrowed from `err`; NULL when `err` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_code(err: *const hb_error) -> *const c_char {
    guard_value(ptr::null(), || unsafe { err.as_ref() }.map_or(ptr::null(), |e| e.code.as_ptr()))
}

/// The human-readable message. Borrowed from `err`; NULL when `err` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_message(err: *const hb_error) -> *const c_char {
    guard_value(ptr::null(), || unsafe { err.as_ref() }.map_or(ptr::null(), |e| e.message.as_ptr()))
}

/// The server's request id (`req_...`), or NULL when there is none. Borrowed from `err`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_request_id(err: *const hb_error) -> *const c_char {
    guard_value(ptr::null(), || unsafe { err.as_ref() }.and_then(|e| e.request_id.as_ref()).map_or(ptr::null(), |s| s.as_ptr()))
}

/// The HTTP status of the answer, or 0 when there was none (network error, local validation
/// errors report 400 as the Python SDK does, argument errors 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_status(err: *const hb_error) -> u16 {
    guard_value(0, || unsafe { err.as_ref() }.map_or(0, |e| e.status))
}

/// Seconds the server asked to wait (`Retry-After` of a rate-limit answer), or -1 when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_retry_after(err: *const hb_error) -> i64 {
    guard_value(-1, || unsafe { err.as_ref() }.map_or(-1, |e| e.retry_after))
}

/// Frees an error. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_error_free(err: *mut hb_error) {
    guard_value((), || {
        if !err.is_null() {
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// The name of a result code (`"HB_RESULT_NOT_FOUND"`), or `"HB_RESULT_UNKNOWN"` for a value that
/// is not one. Static storage: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn hb_result_name(result: c_int) -> *const c_char {
    guard_value(c"HB_RESULT_UNKNOWN".as_ptr(), || {
        let name = hb_result::ALL.iter().find(|r| **r as c_int == result).map_or("HB_RESULT_UNKNOWN\0", |r| r.name());
        name.as_ptr().cast()
    })
}
