//! Resolving actor ids (2.0.0), such as the `deleted_by_api_key_id` of a deleted message, to
//! display facts.

use std::ffi::c_char;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_owned_str_array, json_call};

/// Looks up users and API keys by id (either list may be empty: pass NULL and 0). A self-hosted
/// server has API keys but no user accounts, so user ids resolve to nothing. JSON (free with
/// `hb_string_free`): `{"users": {id: {...}}, "api_keys": {id: {"label", ...}}}`; unknown ids are
/// left out.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_lookup_actors_json(
    client: *const hb_client,
    user_ids: *const *const c_char,
    n_user_ids: usize,
    api_key_ids: *const *const c_char,
    n_api_key_ids: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let user_ids = arg_owned_str_array(user_ids, n_user_ids, "user_ids")?;
        let api_key_ids = arg_owned_str_array(api_key_ids, n_api_key_ids, "api_key_ids")?;
        client.run(|c| c.lookup_actors(&user_ids, &api_key_ids))
    })
}
