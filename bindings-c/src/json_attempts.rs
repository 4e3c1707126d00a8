//! Delivery attempt records (2.0.0) of outbound and inbound messages. Each function writes the
//! core's `AttemptsResponse` as JSON to `*out_json` (free with `hb_string_free`):
//! `{"attempts": [...], "has_more"}`, attempts oldest first.

use std::ffi::c_char;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_str, json_call};

/// The delivery attempts of an outbound message (an unknown id gives an empty list). Each
/// attempt has its number, time, status, latency, error, retry facts, and the request and
/// response details the server recorded (secrets masked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_message_attempts_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.get_message_attempts(message_id))
    })
}

/// The forwarding attempts of an inbound message (an unknown id gives an empty list). JSON as
/// `hb_get_message_attempts_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_message_attempts_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.get_inbound_message_attempts(message_id))
    })
}
