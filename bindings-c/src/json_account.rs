//! Account-level operations: API keys, projects, billing and log exports. Each `*_json`
//! function writes the response `data` as a JSON string to `*out_json` (free with
//! `hb_string_free`). Optional arguments are NULL when absent; optional integers are passed by
//! pointer.

use std::ffi::c_char;

use hookbridge::CreateExportOptions;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_str, call, give_string, json_call, opt_i64, opt_str, out_ptr, out_value, parse_json, parse_options};

/// Every API key of the project (never the secrets). JSON: `[{"key_id", "label", "prefix",
/// "created_at", "last_used_at"}]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_api_keys_json(
    client: *const hb_client,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe { client_ref(client)?.run(|c| c.list_api_keys()) })
}

/// Creates an API key; `mode` is `"live"` or `"test"`, `label` may be NULL. JSON: `{"key_id",
/// "key", "prefix", "label", "created_at"}`; `key` is shown only this once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_api_key_json(
    client: *const hb_client,
    mode: *const c_char,
    label: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let mode = arg_str(mode, "mode")?;
        let label = opt_str(label, "label")?;
        client.run(|c| c.create_api_key(mode, label))
    })
}

/// Revokes an API key immediately.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_api_key(
    client: *const hb_client,
    key_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let key_id = arg_str(key_id, "key_id")?;
        client.run(|c| c.delete_api_key(key_id))
    })
}

/// Every project visible to the key. JSON: `[{"id", "tenant_id", "name", "status",
/// "rate_limit_default", "created_at"}]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_projects_json(
    client: *const hb_client,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe { client_ref(client)?.run(|c| c.list_projects()) })
}

/// Creates a project; `*rate_limit_default` (NULL for the default) is requests per minute.
/// JSON: the project.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_project_json(
    client: *const hb_client,
    name: *const c_char,
    rate_limit_default: *const i64,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let name = arg_str(name, "name")?;
        let rate = opt_i64(rate_limit_default);
        client.run(|c| c.create_project(name, rate))
    })
}

/// One project. JSON: the project.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_project_json(
    client: *const hb_client,
    project_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let project_id = arg_str(project_id, "project_id")?;
        client.run(|c| c.get_project(project_id))
    })
}

/// Updates a project; `name` and `rate_limit_default` are sent only when not NULL. JSON: the project.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_update_project_json(
    client: *const hb_client,
    project_id: *const c_char,
    name: *const c_char,
    rate_limit_default: *const i64,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let project_id = arg_str(project_id, "project_id")?;
        let name = opt_str(name, "name")?;
        let rate = opt_i64(rate_limit_default);
        client.run(|c| c.update_project(project_id, name, rate))
    })
}

/// Deletes a project.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_project(
    client: *const hb_client,
    project_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let project_id = arg_str(project_id, "project_id")?;
        client.run(|c| c.delete_project(project_id))
    })
}

/// The project's plan, limits and usage. JSON: `{"plan", "status", "limits": {...}, "usage": {...},
/// "cancel_at_period_end", "current_period_end"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_subscription_json(
    client: *const hb_client,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe { client_ref(client)?.run(|c| c.get_subscription()) })
}

/// Starts a checkout for `plan` billed per `interval` (`"monthly"`, `"annual"`). JSON:
/// `{"session_id", "checkout_url"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_checkout_json(
    client: *const hb_client,
    plan: *const c_char,
    interval: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let plan = arg_str(plan, "plan")?;
        let interval = arg_str(interval, "interval")?;
        client.run(|c| c.create_checkout(plan, interval))
    })
}

/// Opens the billing portal; `return_url` may be NULL. JSON: `{"portal_url"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_portal_json(
    client: *const hb_client,
    return_url: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let return_url = opt_str(return_url, "return_url")?;
        client.run(|c| c.create_portal(return_url))
    })
}

/// Monthly usage, newest first (the Python SDK's defaults are `limit` 12, `offset` 0). JSON:
/// `{"rows": [...], "total", "limit", "offset", "has_more"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_usage_history_json(
    client: *const hb_client,
    limit: i64,
    offset: i64,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe { client_ref(client)?.run(|c| c.get_usage_history(limit, offset)) })
}

/// A page of invoices (`limit` per page, default 12 in the Python SDK), after `starting_after`
/// (NULL for the first page). JSON: `{"invoices": [...], "has_more"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_invoices_json(
    client: *const hb_client,
    limit: i64,
    starting_after: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let starting_after = opt_str(starting_after, "starting_after")?;
        client.run(|c| c.get_invoices(limit, starting_after))
    })
}

/// Forwards a Stripe event (`payload_json`, a JSON document) and stores the answer's `received`
/// flag in `*out_received`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_handle_stripe_webhook(
    client: *const hb_client,
    payload_json: *const c_char,
    out_received: *mut bool,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_value(out_received, "out_received")?;
        *out = false;
        let client = client_ref(client)?;
        let payload = parse_json(arg_str(payload_json, "payload_json")?, "payload_json")?;
        *out = client.run(|c| c.handle_stripe_webhook(&payload))?;
        Ok(())
    })
}

/// Starts an export. `options_json` is a JSON object with `start_time` and `end_time` (ISO 8601,
/// sent verbatim; required) and optionally `status` and `endpoint_id` (the core's
/// `CreateExportOptions`). JSON: the export record (`id`, `status`, ...); poll it with
/// `hb_get_export_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_export_json(
    client: *const hb_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let options: CreateExportOptions = parse_options(arg_str(options_json, "options_json")?, "options_json")?;
        client.run(|c| c.create_export(&options))
    })
}

/// Every export of the project. JSON: an array of export records.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_exports_json(
    client: *const hb_client,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe { client_ref(client)?.run(|c| c.list_exports()) })
}

/// One export. JSON: the export record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_export_json(
    client: *const hb_client,
    export_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let export_id = arg_str(export_id, "export_id")?;
        client.run(|c| c.get_export(export_id))
    })
}

/// Deletes an export and its content.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_export(
    client: *const hb_client,
    export_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let export_id = arg_str(export_id, "export_id")?;
        client.run(|c| c.delete_export(export_id))
    })
}

/// The time-limited download URL of a completed export, in `*out_url` (free with `hb_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_download_export(
    client: *const hb_client,
    export_id: *const c_char,
    out_url: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out_url, "out_url")?;
        let client = client_ref(client)?;
        let export_id = arg_str(export_id, "export_id")?;
        let url = client.run(|c| c.download_export(export_id))?;
        give_string(out, &url);
        Ok(())
    })
}
