//! The remaining outbound operations (messages, logs, metrics, dead letter queue, endpoint
//! management). Functions named `*_json` write the response `data` as a JSON string to
//! `*out_json` (free with `hb_string_free`); the others return nothing but the result code.
//! Optional arguments are NULL when absent; optional integers are passed by pointer.

use std::ffi::c_char;

use hookbridge::api::{Page, window};
use hookbridge::{LogsQuery, ReplayAllOptions, UpdateEndpointOptions};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_owned_str_array, arg_str, call, json_call, opt_i64, opt_options, opt_str, opt_string, parse_options};

/// Cancels the pending retry of a message, moving it to the dead letter queue.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_cancel_retry(
    client: *const hb_client,
    message_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.cancel_retry(message_id))
    })
}

/// Makes the pending retry of a message due now.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_retry_now(client: *const hb_client, message_id: *const c_char, err: *mut *mut hb_error) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.retry_now(message_id))
    })
}

/// Re-queues every message in `status` (`failed_permanent` or `pending_retry`), optionally only
/// of `endpoint_id`, at most `*limit`. JSON: `{"replayed", "failed", "stuck", "replayed_message_ids",
/// "stuck_message_ids"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_all_messages_json(
    client: *const hb_client,
    status: *const c_char,
    endpoint_id: *const c_char,
    limit: *const i64,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let options = ReplayAllOptions {
            status: arg_str(status, "status")?.to_owned(),
            endpoint_id: opt_string(endpoint_id, "endpoint_id")?,
            limit: opt_i64(limit),
        };
        client.run(|c| c.replay_all_messages(&options))
    })
}

/// Re-queues the `n_message_ids` given messages (at most 100). JSON: `{"replayed", "failed",
/// "stuck", "results": [{"message_id", "status", "error"}]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_batch_messages_json(
    client: *const hb_client,
    message_ids: *const *const c_char,
    n_message_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let ids = arg_owned_str_array(message_ids, n_message_ids, "message_ids")?;
        client.run(|c| c.replay_batch_messages(&ids))
    })
}

/// A page of outbound messages, newest first. `query_json` (NULL for none) is a JSON object with
/// any of `status`, `start_time`, `end_time` (ISO 8601, sent verbatim), `limit`, `cursor` (the
/// core's `LogsQuery`; unknown keys and wrong types are an invalid argument naming the key).
/// JSON: `{"messages": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_logs_json(
    client: *const hb_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let query: LogsQuery = opt_options(query_json, "query_json")?;
        client.run(|c| c.get_logs(&query))
    })
}

/// Outbound metrics bucketed over `window` (NULL means `"24h"`), optionally for one endpoint.
/// JSON: `{"window", "buckets": [{"timestamp", "total", "succeeded", "failed", "retrying",
/// "avg_latency_ms"}]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_timeseries_metrics_json(
    client: *const hb_client,
    window: *const c_char,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let endpoint_id = opt_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.get_timeseries_metrics(window, endpoint_id))
    })
}

/// A page of the dead letter queue. JSON: `{"messages": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_dlq_messages_json(
    client: *const hb_client,
    limit: *const i64,
    cursor: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let page = Page { limit: opt_i64(limit), cursor: opt_string(cursor, "cursor")? };
        client.run(|c| c.get_dlq_messages(&page))
    })
}

/// Re-queues a message from the dead letter queue.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_from_dlq(
    client: *const hb_client,
    message_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.replay_from_dlq(message_id))
    })
}

/// Changes fields of an endpoint. `changes_json` is a JSON object with any of `url`,
/// `description` (strings), `rate_limit_rps`, `burst` (integers; 0 clears the limit),
/// `headers` (object of strings; `{}` clears them) and `signature_scheme` (`"hookbridge"` or
/// `"standard_webhooks"`; the signing keys stay). Unknown keys are an invalid argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_endpoint(
    client: *const hb_client,
    endpoint_id: *const c_char,
    changes_json: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let changes: UpdateEndpointOptions = parse_options(arg_str(changes_json, "changes_json")?, "changes_json")?;
        client.run(|c| c.update_endpoint(endpoint_id, &changes))
    })
}

/// Pauses delivery to an endpoint. JSON: `{"id", "paused", "messages_requeued"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_pause_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.pause_endpoint(endpoint_id))
    })
}

/// Resumes delivery to an endpoint. JSON: `{"id", "paused", "messages_requeued"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_resume_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.resume_endpoint(endpoint_id))
    })
}

/// Adds a signing key to an endpoint (at most 2 active). JSON: `{"id", "signing_secret",
/// "key_hint", "created_at"}`; the secret is shown only this once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_endpoint_signing_key_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.create_endpoint_signing_key(endpoint_id))
    })
}

/// The signing keys of an endpoint. JSON: `[{"id", "key_hint", "created_at"}]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_endpoint_signing_keys_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.list_endpoint_signing_keys(endpoint_id))
    })
}

/// Deletes a signing key of an endpoint (the last one cannot be deleted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_endpoint_signing_key(
    client: *const hb_client,
    endpoint_id: *const c_char,
    key_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let key_id = arg_str(key_id, "key_id")?;
        client.run(|c| c.delete_endpoint_signing_key(endpoint_id, key_id))
    })
}

/// Same as `hb_create_endpoint_signing_key_json`: the old key keeps signing until deleted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_rotate_endpoint_secret_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.rotate_endpoint_secret(endpoint_id))
    })
}
