//! The typed common path for messages: `hb_send`, `hb_get_message` (with the `hb_message`
//! handle and its accessors) and `hb_replay`.

use std::ffi::{CString, c_char};
use std::ptr;

use hookbridge::{Message, SendOptions};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_headers, arg_str, call, free_box, give_box, give_string, opt_str, out_ptr, parse_json, read, to_json};
use crate::strings::{c_string, c_string_opt, opt_ptr};

/// Sends `payload_json` (a JSON document, normally an object) to an endpoint and returns the new
/// message's id in `*out_message_id` and its status (`"queued"`) in `*out_status`.
///
/// - `header_names` / `header_values`: `n_headers` custom headers added to this delivery
///   (both may be NULL when `n_headers` is 0).
/// - `idempotency_key`: NULL or `""` for none. A repeat with the same key and payload returns the
///   original message; a different payload fails with `HB_RESULT_IDEMPOTENCY`.
/// - `out_status` may be NULL when the status is not wanted.
///
/// Both strings are freed with `hb_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_send(
    client: *const hb_client,
    endpoint_id: *const c_char,
    payload_json: *const c_char,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    idempotency_key: *const c_char,
    out_message_id: *mut *mut c_char,
    out_status: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out_id = out_ptr(out_message_id, "out_message_id")?;
        let mut out_status = if out_status.is_null() { None } else { Some(out_ptr(out_status, "out_status")?) };
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let payload = parse_json(arg_str(payload_json, "payload_json")?, "payload_json")?;
        let options = SendOptions {
            headers: arg_headers(header_names, header_values, n_headers)?,
            idempotency_key: opt_str(idempotency_key, "idempotency_key")?.map(str::to_owned),
        };
        let sent = client.run(|c| c.send(endpoint_id, &payload, &options))?;
        give_string(out_id, &sent.message_id);
        if let Some(slot) = out_status.as_mut() {
            give_string(slot, &sent.status);
        }
        Ok(())
    })
}

/// Re-queues a message for delivery (at most 10 manual replays per message, then
/// `HB_RESULT_REPLAY_LIMIT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay(client: *const hb_client, message_id: *const c_char, err: *mut *mut hb_error) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.replay(message_id))
    })
}

/// The full state of one outbound message (from `hb_get_message`). Strings returned by its
/// accessors are borrowed and valid until `hb_message_free`. Immutable, so it may be read from
/// several threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_message {
    message: Message,
    id: CString,
    project_id: CString,
    endpoint_id: CString,
    status: CString,
    content_type: CString,
    payload_sha256: CString,
    created_at: CString,
    updated_at: CString,
    idempotency_key: Option<CString>,
    next_attempt_at: Option<CString>,
    last_error: Option<CString>,
    json: CString,
}

impl hb_message {
    fn new(message: Message) -> Result<Self, hb_error> {
        Ok(hb_message {
            id: c_string(&message.id),
            project_id: c_string(&message.project_id),
            endpoint_id: c_string(&message.endpoint_id),
            status: c_string(&message.status),
            content_type: c_string(&message.content_type),
            payload_sha256: c_string(&message.payload_sha256),
            created_at: c_string(&message.created_at.to_rfc3339()),
            updated_at: c_string(&message.updated_at.to_rfc3339()),
            idempotency_key: c_string_opt(message.idempotency_key.as_deref()),
            next_attempt_at: c_string_opt(message.next_attempt_at.map(|t| t.to_rfc3339()).as_deref()),
            last_error: c_string_opt(message.last_error.as_deref()),
            json: c_string(&to_json(&message)?),
            message,
        })
    }
}

/// Fetches the full state of a message into `*out` (free with `hb_message_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_message(
    client: *const hb_client,
    message_id: *const c_char,
    out: *mut *mut hb_message,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        let message = client.run(|c| c.get_message(message_id))?;
        give_box(out, hb_message::new(message)?);
        Ok(())
    })
}

/// The message id (UUIDv7). NULL when `message` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_id(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.id.as_ptr()) }
}

/// The id of the project that owns the message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_project_id(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.project_id.as_ptr()) }
}

/// The destination endpoint id (`ep_...`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_endpoint_id(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.endpoint_id.as_ptr()) }
}

/// The status: `queued`, `delivering`, `succeeded`, `pending_retry`, `failed_permanent`, `paused`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_status(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.status.as_ptr()) }
}

/// Delivery attempts made so far (-1 when `message` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_attempt_count(message: *const hb_message) -> i64 {
    unsafe { read(message, -1, |m| m.message.attempt_count) }
}

/// Manual replays so far (-1 when `message` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_replay_count(message: *const hb_message) -> i64 {
    unsafe { read(message, -1, |m| m.message.replay_count) }
}

/// The content type of the payload.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_content_type(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.content_type.as_ptr()) }
}

/// The payload size in bytes (-1 when `message` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_size_bytes(message: *const hb_message) -> i64 {
    unsafe { read(message, -1, |m| m.message.size_bytes) }
}

/// The lowercase hex SHA-256 of the payload bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_payload_sha256(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.payload_sha256.as_ptr()) }
}

/// When the send was accepted (RFC 3339).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_created_at(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.created_at.as_ptr()) }
}

/// The last state change (RFC 3339).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_updated_at(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.updated_at.as_ptr()) }
}

/// The idempotency key given on send, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_idempotency_key(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| opt_ptr(&m.idempotency_key)) }
}

/// When the next attempt is due (RFC 3339, while `pending_retry`), or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_next_attempt_at(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| opt_ptr(&m.next_attempt_at)) }
}

/// The error of the last attempt, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_last_error(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| opt_ptr(&m.last_error)) }
}

/// The HTTP status of the last attempt, or -1 when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_response_status(message: *const hb_message) -> i64 {
    unsafe { read(message, -1, |m| m.message.response_status.unwrap_or(-1)) }
}

/// The latency of the last attempt in milliseconds, or -1 when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_response_latency_ms(message: *const hb_message) -> i64 {
    unsafe { read(message, -1, |m| m.message.response_latency_ms.unwrap_or(-1)) }
}

/// The whole message as a JSON object (the core model's fields). Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_json(message: *const hb_message) -> *const c_char {
    unsafe { read(message, ptr::null(), |m| m.json.as_ptr()) }
}

/// Frees a message. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_message_free(message: *mut hb_message) {
    unsafe { free_box(message) }
}
