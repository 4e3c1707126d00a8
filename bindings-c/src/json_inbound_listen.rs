//! Listening to a `cli`-mode inbound endpoint (2.0.0): its stored requests, oldest first, after
//! a cursor. Create such an endpoint with `hb_create_inbound_endpoint_json`, a NULL `url` and
//! `{"mode": "cli"}`.

use std::ffi::c_char;

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_str, json_call, opt_str};

/// Up to 50 stored requests of a `cli` endpoint after message `after` (from the oldest when
/// NULL); call again with `next_cursor` to continue. A `forward`-mode endpoint gives
/// `HB_RESULT_API` with code `ENDPOINT_NOT_CLI_MODE` (HTTP 400). JSON (free with
/// `hb_string_free`): `{"messages": [{"message_id", "content_type", "headers", "size_bytes",
/// "received_at", "body", "body_encoding", "body_error"}], "next_cursor"}`; `body` is the JSON
/// value of a JSON request, otherwise base64 text with `body_encoding: "base64"`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_listen_inbound_endpoint_json(
    client: *const hb_client,
    endpoint_id: *const c_char,
    after: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    json_call(out_json, err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let after = opt_str(after, "after")?;
        client.run(|c| c.listen_inbound_endpoint(endpoint_id, after))
    })
}
