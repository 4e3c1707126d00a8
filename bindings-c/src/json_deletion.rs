//! Soft deletion (2.0.0) of outbound and inbound messages: one, a batch, or every message
//! matching filters. The payload is purged and the record kept with `deleted_at`; deleting again
//! is not an error. Each `*_json` function writes the core's result model as JSON to
//! `*out_json` (free with `hb_string_free`).

use std::ffi::c_char;

use hookbridge::{DeleteInboundMessagesAllOptions, DeleteMessagesAllOptions};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_owned_str_array, arg_str, json_call, opt_options};

/// Deletes an outbound message. JSON: `{"message_id", "deleted_at", "already_deleted"}`
/// (`already_deleted` is true on a repeated call).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_message_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.delete_message(message_id))
    })
}

/// Deletes up to 100 outbound messages by id. JSON: `{"results": [{"message_id", "outcome",
/// "deleted_at"}], "deleted_count", "already_deleted_count", "not_found_count"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_messages_batch_json(
    client: *const hb_client,
    message_ids: *const *const c_char,
    n_message_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let ids = arg_owned_str_array(message_ids, n_message_ids, "message_ids")?;
        client.run(|c| c.delete_messages_batch(&ids))
    })
}

/// Deletes the outbound messages matching `filter_json` (NULL for none): a JSON object with any
/// of `status`, `endpoint_id`, `created_after`, `created_before`, `limit` (the core's
/// `DeleteMessagesAllOptions`). JSON: `{"deleted", "deleted_message_ids"}`, plus `error`
/// (`{"code", "message"}`) when the server reports a partial failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_messages_all_json(
    client: *const hb_client,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let filter: DeleteMessagesAllOptions = opt_options(filter_json, "filter_json")?;
        client.run(|c| c.delete_messages_all(&filter))
    })
}

/// Deletes an inbound message. JSON as `hb_delete_message_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_inbound_message_json(
    client: *const hb_client,
    message_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let message_id = arg_str(message_id, "message_id")?;
        client.run(|c| c.delete_inbound_message(message_id))
    })
}

/// Deletes up to 100 inbound messages by id. JSON as `hb_delete_messages_batch_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_inbound_messages_batch_json(
    client: *const hb_client,
    message_ids: *const *const c_char,
    n_message_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let ids = arg_owned_str_array(message_ids, n_message_ids, "message_ids")?;
        client.run(|c| c.delete_inbound_messages_batch(&ids))
    })
}

/// Deletes the inbound messages matching `filter_json` (NULL for none): a JSON object with any of
/// `status`, `inbound_endpoint_id`, `received_after`, `received_before`, `limit` (the core's
/// `DeleteInboundMessagesAllOptions`). JSON as `hb_delete_messages_all_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_inbound_messages_all_json(
    client: *const hb_client,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let filter: DeleteInboundMessagesAllOptions = opt_options(filter_json, "filter_json")?;
        client.run(|c| c.delete_inbound_messages_all(&filter))
    })
}
