//! `hb_client_options` (a builder filled with setters) and `hb_client`, the thread-safe handle
//! every API call takes.

use std::ffi::c_char;
use std::future::Future;
use std::time::Duration;

use tokio::runtime::Runtime;

use crate::error::hb_error;
use crate::error::hb_result;
use crate::ffi::{FfiResult, arg_ref, arg_str, call, free_box, give_box, out_ptr};

/// The `User-Agent` of requests made through this library.
const USER_AGENT: &str = concat!("hookbridge-c/", env!("CARGO_PKG_VERSION"));

/// Settings of a new client, filled with the `hb_client_options_set_*` functions. Unset values
/// take the core defaults: base and send URLs from `HOOKBRIDGE_BASE_URL` / `HOOKBRIDGE_SEND_URL`
/// or the hosted service, a 30 s timeout, 3 retries. Not thread-safe; free with
/// `hb_client_options_free` (it may be freed right after `hb_client_new`).
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct hb_client_options {
    api_key: Option<String>,
    base_url: Option<String>,
    send_url: Option<String>,
    timeout: Option<Duration>,
    retries: Option<u32>,
}

hookbridge::debug_redacted!(hb_client_options { api_key, base_url, send_url, timeout, retries });

/// A HookBridge API client. Thread-safe: one client may be shared by any number of threads,
/// and every call blocks its calling thread until the answer (including retries) is in. Calls
/// must not be made from inside a tokio runtime thread. Free with `hb_client_free` once no call
/// is running on it. A client belongs to the process that created it: after `fork()`, the child
/// creates its own clients.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_client {
    inner: hookbridge::Client,
    runtime: &'static Runtime,
}

// The header promises that one client may be shared by many threads.
const _: fn() = || {
    fn thread_safe<T: Send + Sync>() {}
    thread_safe::<hb_client>();
};

impl hb_client {
    /// Runs one core operation to completion on the shared runtime, from the calling thread.
    pub(crate) fn run<'a, T, F>(&'a self, op: impl FnOnce(&'a hookbridge::Client) -> F) -> FfiResult<T>
    where
        F: Future<Output = hookbridge::Result<T>> + 'a,
    {
        self.runtime.block_on(op(&self.inner)).map_err(hb_error::from)
    }
}

/// Borrows the client behind a handle argument (named `client` in errors).
///
/// # Safety
/// `client` must be NULL or a live handle from `hb_client_new`.
pub(crate) unsafe fn client_ref<'a>(client: *const hb_client) -> FfiResult<&'a hb_client> {
    unsafe { arg_ref(client, "client") }
}

/// Creates an empty options object in `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_new(out: *mut *mut hb_client_options, err: *mut *mut hb_error) -> hb_result {
    call(err, || {
        let out = unsafe { out_ptr(out, "out") }?;
        give_box(out, hb_client_options::default());
        Ok(())
    })
}

/// Applies one setter to an options object.
fn set_option(
    options: *mut hb_client_options,
    err: *mut *mut hb_error,
    apply: impl FnOnce(&mut hb_client_options) -> FfiResult<()>,
) -> hb_result {
    call(err, || {
        let options = unsafe { options.as_mut() }.ok_or_else(|| hb_error::invalid_argument("options must not be NULL"))?;
        apply(options)
    })
}

/// Sets the API key (`hb_live_...` or `hb_test_...`); required. The string is copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_set_api_key(
    options: *mut hb_client_options,
    api_key: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    set_option(options, err, |o| {
        o.api_key = Some(unsafe { arg_str(api_key, "api_key") }?.to_owned());
        Ok(())
    })
}

/// Sets the management API URL (`http://` or `https://`; trailing slashes are stripped).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_set_base_url(
    options: *mut hb_client_options,
    base_url: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    set_option(options, err, |o| {
        o.base_url = Some(unsafe { arg_str(base_url, "base_url") }?.to_owned());
        Ok(())
    })
}

/// Sets the URL `hb_send` posts to; `""` keeps the default (as the Python SDK does).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_set_send_url(
    options: *mut hb_client_options,
    send_url: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    set_option(options, err, |o| {
        o.send_url = Some(unsafe { arg_str(send_url, "send_url") }?.to_owned());
        Ok(())
    })
}

/// Sets the timeout for connecting and for each read of a request, in milliseconds (> 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_set_timeout_ms(
    options: *mut hb_client_options,
    timeout_ms: u64,
    err: *mut *mut hb_error,
) -> hb_result {
    set_option(options, err, |o| {
        if timeout_ms == 0 {
            return Err(hb_error::invalid_argument("timeout_ms must be greater than 0"));
        }
        o.timeout = Some(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Sets how many times a failed request is retried (network errors, timeouts, 3xx, 5xx; never 4xx).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_set_retries(
    options: *mut hb_client_options,
    retries: u32,
    err: *mut *mut hb_error,
) -> hb_result {
    set_option(options, err, |o| {
        o.retries = Some(retries);
        Ok(())
    })
}

/// Frees an options object. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_options_free(options: *mut hb_client_options) {
    unsafe { free_box(options) }
}

/// Creates a client from `options` (which stays owned by the caller) in `*out`. Fails with
/// `HB_RESULT_VALIDATION` for a missing or empty API key or a URL that is not http(s).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_new(
    options: *const hb_client_options,
    out: *mut *mut hb_client,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || {
        let out = unsafe { out_ptr(out, "out") }?;
        let options = unsafe { arg_ref(options, "options") }?;
        let mut config = hookbridge::ClientConfig::new(options.api_key.clone().unwrap_or_default()).with_user_agent(USER_AGENT);
        if let Some(url) = &options.base_url {
            config = config.with_base_url(url.clone());
        }
        if let Some(url) = &options.send_url {
            config = config.with_send_url(url.clone());
        }
        if let Some(timeout) = options.timeout {
            config = config.with_timeout(timeout);
        }
        if let Some(retries) = options.retries {
            config = config.with_retries(retries);
        }
        let inner = hookbridge::Client::new(config)?;
        give_box(out, hb_client { inner, runtime: hookbridge::runtime::shared()? });
        Ok(())
    })
}

/// Frees a client. NULL is ignored. No call may be running on it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_client_free(client: *mut hb_client) {
    unsafe { free_box(client) }
}
