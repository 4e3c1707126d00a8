//! Pull endpoints (2.0.0, store and poll): endpoint management, their events (list, read,
//! acknowledge, delete), and pull logs and metrics. Each `*_json` function writes the core's
//! result model as JSON to `*out_json` (free with `hb_string_free`). Settings, queries and
//! filters are JSON objects read into the core's option types (unknown keys and wrong types are
//! an invalid argument naming the key; `null` means not given).

use std::ffi::c_char;

use hookbridge::api::{Page, window};
use hookbridge::{DeletePullEventsFilter, PullEndpointSettings, PullEventsQuery, PullLogsQuery};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{
    arg_owned_str_array, arg_str, json_call, opt_i64, opt_options, opt_str, opt_string, parse_json_object, parse_options,
};

/// Creates a pull endpoint. `settings_json` (NULL for none) is a JSON object with any of the
/// core's `PullEndpointSettings` (`name`, `description`, `retention_days`, `event_type_source`,
/// `event_type_path`, the verification settings, `idempotency_header_names`,
/// `ingest_response_code`). JSON: the endpoint with its `ingest_url` and `secret_token` (shown
/// only this once).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_pull_endpoint_json(
    client: *const hb_client,
    settings_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let settings: PullEndpointSettings = opt_options(settings_json, "settings_json")?;
        client.run(|c| c.create_pull_endpoint(&settings))
    })
}

/// A page of pull endpoints. JSON: `{"endpoints": [...], "has_more", "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_pull_endpoints_json(
    client: *const hb_client,
    limit: *const i64,
    cursor: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let page = Page { limit: opt_i64(limit), cursor: opt_string(cursor, "cursor")? };
        client.run(|c| c.list_pull_endpoints(&page))
    })
}

/// One pull endpoint with its event counts (without secrets).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_pull_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.get_pull_endpoint(endpoint_id))
    })
}

/// Changes the settings given in `settings_json` (the keys of `hb_create_pull_endpoint_json`).
/// JSON: the updated endpoint.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_pull_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    settings_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let settings: PullEndpointSettings = parse_options(arg_str(settings_json, "settings_json")?, "settings_json")?;
        client.run(|c| c.update_pull_endpoint(endpoint_id, &settings))
    })
}

/// Sends `fields_json` (any JSON object; `null` values are left out) verbatim as the update body
/// of a pull endpoint, like the Python SDK's `**kwargs`. JSON: the updated endpoint.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_pull_endpoint_fields_json(
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
        client.run(|c| c.update_pull_endpoint_fields(endpoint_id, &fields))
    })
}

/// Deletes a pull endpoint; its ingest URL stops accepting. JSON: `{"id", "deleted"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_pull_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.delete_pull_endpoint(endpoint_id))
    })
}

/// Pauses ingest on a pull endpoint. JSON: `{"id", "paused", ...}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_pause_pull_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.pause_pull_endpoint(endpoint_id))
    })
}

/// Resumes ingest on a pull endpoint. JSON: `{"id", "paused", ...}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_resume_pull_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.resume_pull_endpoint(endpoint_id))
    })
}

/// A page of a pull endpoint's events, newest first. `query_json` (NULL for none) is a JSON
/// object with any of `status` (`stored`, `fetched`, `delivered` or `all`), `event_type`,
/// `since`, `before`, `limit`, `cursor` (the core's `PullEventsQuery`). JSON: `{"events": [...],
/// "has_more", "next_cursor"}` (events without their payload).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_pull_events_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let query: PullEventsQuery = opt_options(query_json, "query_json")?;
        client.run(|c| c.list_pull_events(endpoint_id, &query))
    })
}

/// One event with its payload. Unless `preview` is true, reading moves a `stored` event to
/// `fetched`. JSON: the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_pull_event_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    event_id: *const c_char,
    preview: bool,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let event_id = arg_str(event_id, "event_id")?;
        client.run(|c| c.get_pull_event(endpoint_id, event_id, preview))
    })
}

/// Acknowledges the given events (they become `delivered`). JSON: the core's
/// `AckPullEventsResponse` (how many moved).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_ack_pull_events_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    event_ids: *const *const c_char,
    n_event_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let ids = arg_owned_str_array(event_ids, n_event_ids, "event_ids")?;
        client.run(|c| c.ack_pull_events(endpoint_id, &ids))
    })
}

/// A page of pull events across endpoints, newest first. `query_json` (NULL for none) is a JSON
/// object with any of `pull_endpoint_id`, `status`, `event_type`, `start_time`, `end_time`,
/// `limit`, `cursor` (the core's `PullLogsQuery`). JSON: `{"entries": [...], "has_more",
/// "next_cursor"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_pull_logs_json(
    client: *const hb_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let query: PullLogsQuery = opt_options(query_json, "query_json")?;
        client.run(|c| c.get_pull_logs(&query))
    })
}

/// Pull metrics over `window` (NULL means `"24h"`), optionally for one pull endpoint. JSON: the
/// metrics fields of `hb_get_metrics`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_pull_metrics_json(
    client: *const hb_client,
    window: *const c_char,
    pull_endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let endpoint_id = opt_str(pull_endpoint_id, "pull_endpoint_id")?;
        client.run(|c| c.get_pull_metrics(window, endpoint_id))
    })
}

/// Pull metrics bucketed over `window` (NULL means `"24h"`), optionally for one pull endpoint.
/// JSON: the core's `PullTimeSeriesMetrics`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_pull_timeseries_metrics_json(
    client: *const hb_client,
    window: *const c_char,
    pull_endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let window = opt_str(window, "window")?.unwrap_or(window::DAY);
        let endpoint_id = opt_str(pull_endpoint_id, "pull_endpoint_id")?;
        client.run(|c| c.get_pull_timeseries_metrics(window, endpoint_id))
    })
}

/// Deletes one event (payload purged, record kept); deleting again is not an error. JSON: the
/// core's `DeleteEventResult`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_pull_event_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    event_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let event_id = arg_str(event_id, "event_id")?;
        client.run(|c| c.delete_pull_event(endpoint_id, event_id))
    })
}

/// Deletes the given events (at most 100), one outcome per id. JSON: the core's
/// `DeleteEventBatchResult`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_pull_events_batch_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    event_ids: *const *const c_char,
    n_event_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let ids = arg_owned_str_array(event_ids, n_event_ids, "event_ids")?;
        client.run(|c| c.delete_pull_events_batch(endpoint_id, &ids))
    })
}

/// Deletes every event of a pull endpoint matching `filter_json` (NULL for none): a JSON object
/// with any of `status`, `event_type`, `received_after`, `received_before`, `limit` (the core's
/// `DeletePullEventsFilter`). JSON: `{"deleted", "deleted_event_ids", "error"}`, where `error`
/// (`{"code", "message"}` or null) reports a partial failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_pull_events_all_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let filter: DeletePullEventsFilter = opt_options(filter_json, "filter_json")?;
        client.run(|c| c.delete_pull_events_all(endpoint_id, &filter))
    })
}
