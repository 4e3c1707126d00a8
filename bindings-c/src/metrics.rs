//! The typed outbound metrics: `hb_get_metrics` and the `hb_metrics` handle.

use std::ffi::{CString, c_char};
use std::ptr;

use hookbridge::Metrics;
use hookbridge::api::window;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{call, free_box, give_box, opt_str, out_ptr, read, to_json};
use crate::strings::c_string;

/// Aggregate delivery metrics over a window (from `hb_get_metrics`).
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_metrics {
    metrics: Metrics,
    window: CString,
    json: CString,
}

/// Fetches outbound metrics over `window` (`"1h"`, `"24h"`, `"7d"`, `"30d"`; NULL means `"24h"`)
/// into `*out` (free with `hb_metrics_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_metrics(
    client: *const hb_client,
    window: *const c_char,
    out: *mut *mut hb_metrics,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let metrics = client.run(|c| c.get_metrics(window))?;
        let json = c_string(&to_json(&metrics)?);
        give_box(out, hb_metrics { window: c_string(&metrics.window), json, metrics });
        Ok(())
    })
}

/// The window the figures cover.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_window(metrics: *const hb_metrics) -> *const c_char {
    unsafe { read(metrics, ptr::null(), |m| m.window.as_ptr()) }
}

/// Messages created in the window (-1 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_total_messages(metrics: *const hb_metrics) -> i64 {
    unsafe { read(metrics, -1, |m| m.metrics.total_messages) }
}

/// Of those, delivered (-1 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_succeeded(metrics: *const hb_metrics) -> i64 {
    unsafe { read(metrics, -1, |m| m.metrics.succeeded) }
}

/// Of those, permanently failed (-1 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_failed(metrics: *const hb_metrics) -> i64 {
    unsafe { read(metrics, -1, |m| m.metrics.failed) }
}

/// Attempts beyond the first (-1 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_retries(metrics: *const hb_metrics) -> i64 {
    unsafe { read(metrics, -1, |m| m.metrics.retries) }
}

/// `succeeded / total_messages` (0.0 when there are none; -1.0 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_success_rate(metrics: *const hb_metrics) -> f64 {
    unsafe { read(metrics, -1.0, |m| m.metrics.success_rate) }
}

/// Mean response latency of attempts in milliseconds (-1 when `metrics` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_avg_latency_ms(metrics: *const hb_metrics) -> i64 {
    unsafe { read(metrics, -1, |m| m.metrics.avg_latency_ms) }
}

/// The whole metrics object as JSON. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_json(metrics: *const hb_metrics) -> *const c_char {
    unsafe { read(metrics, ptr::null(), |m| m.json.as_ptr()) }
}

/// Frees a metrics object. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_metrics_free(metrics: *mut hb_metrics) {
    unsafe { free_box(metrics) }
}
