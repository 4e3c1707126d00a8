//! Inbound operations: inbound endpoints, inbound message replay, logs, metrics and rejections.
//! Each `*_json` function writes the response `data` as a JSON string to `*out_json` (free with
//! `hb_string_free`). Optional arguments are NULL when absent; optional integers are passed by
//! pointer.

use std::ffi::c_char;

use hookbridge::api::{Page, window};
use hookbridge::{InboundEndpointSettings, InboundLogsQuery, RejectionsQuery};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{
    arg_owned_str_array, arg_str, json_call, opt_i64, opt_options, opt_str, opt_string, parse_json_object, parse_options,
};

/// Creates an inbound endpoint forwarding to `url`. `url` may be NULL for a `cli`-mode endpoint
/// (`{"mode": "cli"}` in the settings; read it with `hb_listen_inbound_endpoint_json`); the
/// server refuses a `forward`-mode one without it (`HB_RESULT_API`, HTTP 400). `settings_json`
/// (NULL for none) is a JSON object with any of the inbound endpoint settings (`name`,
/// `description`, `verify_hmac`, `allowed_cidrs`, `mode`, `verification_preset` (`"stripe"`,
/// `"github"`, `"shopify"`, `"slack"`, `"standard_webhooks"` or `"custom"`), ...: the fields
/// of the core's `InboundEndpointSettings`, documented in docs/bindings.md); `null` means not given, an
/// unknown key or a wrong type is an invalid argument naming the key. JSON: the created endpoint
/// with its `ingest_url` and `secret_token` (shown only this once).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_inbound_endpoint_json(
    client: *const hb_client,
    url: *const c_char,
    settings_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let url = opt_str(url, "url")?;
        let settings: InboundEndpointSettings = opt_options(settings_json, "settings_json")?;
        client.run(|c| c.create_inbound_endpoint_with(url, &settings))
    })
}

/// A page of inbound endpoints. JSON: `{"endpoints": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_inbound_endpoints_json(
    client: *const hb_client,
    limit: *const i64,
    cursor: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let page = Page { limit: opt_i64(limit), cursor: opt_string(cursor, "cursor")? };
        client.run(|c| c.list_inbound_endpoints(&page))
    })
}

/// One inbound endpoint (without secrets).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.get_inbound_endpoint(endpoint_id))
    })
}

/// Changes settings of an inbound endpoint; `settings_json` takes the keys listed at
/// `hb_create_inbound_endpoint_json` (unknown keys are an invalid argument). JSON: `{"id", "updated"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    settings_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let settings: InboundEndpointSettings = parse_options(arg_str(settings_json, "settings_json")?, "settings_json")?;
        client.run(|c| c.update_inbound_endpoint(endpoint_id, &settings))
    })
}

/// Sends `fields_json` (any JSON object) verbatim as the update body of an inbound endpoint, like
/// the Python SDK's `**kwargs`. JSON: `{"id", "updated"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_inbound_endpoint_fields_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    fields_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let fields = parse_json_object(arg_str(fields_json, "fields_json")?, "fields_json")?;
        client.run(|c| c.update_inbound_endpoint_fields(endpoint_id, &fields))
    })
}

/// Deletes an inbound endpoint. JSON: `{"id", "deleted"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.delete_inbound_endpoint(endpoint_id))
    })
}

/// Pauses ingest on an inbound endpoint. JSON: `{"id", "paused", "messages_requeued"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_pause_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.pause_inbound_endpoint(endpoint_id))
    })
}

/// Resumes ingest on an inbound endpoint. JSON: `{"id", "paused", "messages_requeued"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_resume_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.resume_inbound_endpoint(endpoint_id))
    })
}

/// One inbound message with its payload, forwarding state and deletion facts (2.0.0). JSON: the
/// core's `InboundMessage`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_message_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.get_inbound_message(message_id))
    })
}

/// Re-queues one inbound message for forwarding. JSON: `{"message_id", "status"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_inbound_message_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.replay_inbound_message(message_id))
    })
}

/// Re-queues every inbound message in `status`, optionally of one inbound endpoint, at most
/// `*limit`. JSON as `hb_replay_all_messages_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_all_inbound_messages_json(
    client: *const hb_client,
    status: *const c_char,
    inbound_endpoint_id: *const c_char,
    limit: *const i64,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let status = arg_str(status, "status")?;
        let endpoint_id = opt_str(inbound_endpoint_id, "inbound_endpoint_id")?;
        let limit = opt_i64(limit);
        client.run(|c| c.replay_all_inbound_messages(status, endpoint_id, limit))
    })
}

/// Re-queues the given inbound messages (at most 100). JSON as `hb_replay_batch_messages_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_replay_batch_inbound_messages_json(
    client: *const hb_client,
    message_ids: *const *const c_char,
    n_message_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let ids = arg_owned_str_array(message_ids, n_message_ids, "message_ids")?;
        client.run(|c| c.replay_batch_inbound_messages(&ids))
    })
}

/// A page of inbound messages, newest first. `query_json` (NULL for none) is a JSON object with
/// any of `status`, `inbound_endpoint_id`, `start_time`, `end_time`, `limit`, `cursor` (the core's
/// `InboundLogsQuery`). JSON: `{"entries": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_logs_json(
    client: *const hb_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let query: InboundLogsQuery = opt_options(query_json, "query_json")?;
        client.run(|c| c.get_inbound_logs(&query))
    })
}

/// Inbound metrics over `window` (NULL means `"24h"`), optionally for one inbound endpoint.
/// JSON: the outbound metrics fields plus `avg_delivery_time_ms`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_metrics_json(
    client: *const hb_client,
    window: *const c_char,
    inbound_endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let endpoint_id = opt_str(inbound_endpoint_id, "inbound_endpoint_id")?;
        client.run(|c| c.get_inbound_metrics(window, endpoint_id))
    })
}

/// Inbound metrics bucketed over `window` (NULL means `"24h"`). JSON as
/// `hb_get_timeseries_metrics_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_inbound_timeseries_metrics_json(
    client: *const hb_client,
    window: *const c_char,
    inbound_endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let endpoint_id = opt_str(inbound_endpoint_id, "inbound_endpoint_id")?;
        client.run(|c| c.get_inbound_timeseries_metrics(window, endpoint_id))
    })
}

/// A page of refused ingest requests, newest first. `query_json` (NULL for none) is a JSON object
/// with any of `inbound_endpoint_id`, `start_time`, `end_time`, `limit`, `cursor` (the core's
/// `RejectionsQuery`). JSON: `{"entries": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_inbound_rejections_json(
    client: *const hb_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let query: RejectionsQuery = opt_options(query_json, "query_json")?;
        client.run(|c| c.list_inbound_rejections(&query))
    })
}
