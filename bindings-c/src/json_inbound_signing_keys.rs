//! Signing keys of an inbound endpoint's forwarded requests (2.0.0): the same two-key rotation as
//! outbound endpoints. `*_json` functions write the core's model as JSON to `*out_json` (free
//! with `hb_string_free`).

use std::ffi::c_char;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_str, call, json_call};

/// Adds a signing key to an inbound endpoint (at most 2 are active; a third is refused); forwarded
/// requests are then signed with every active key. JSON: the new key with its secret (shown only
/// this once), as `hb_create_endpoint_signing_key_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_inbound_signing_key_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.create_inbound_signing_key(endpoint_id))
    })
}

/// The signing keys of an inbound endpoint, oldest first (hints only, no secrets). JSON: an array
/// of keys, as `hb_list_endpoint_signing_keys_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_inbound_signing_keys_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.list_inbound_signing_keys(endpoint_id))
    })
}

/// Deletes a signing key of an inbound endpoint (the last one cannot be deleted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_inbound_signing_key(
    client: *const hb_client,
    endpoint_id: *const c_char,
    key_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let key_id = arg_str(key_id, "key_id")?;
        client.run(|c| c.delete_inbound_signing_key(endpoint_id, key_id))
    })
}
