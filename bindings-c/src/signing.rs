//! Webhook signing and verification without a client, delegating to `hookbridge::signing`.
//! Always verify the raw body bytes exactly as received: re-serialized JSON will not match.

use std::ffi::c_char;

use hookbridge::signing::{self, VerifyOptions, standard_webhooks};

use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_bytes, arg_str, arg_str_array, call, give_string, out_ptr};

/// Default tolerance between the signed timestamp and now, in seconds.
pub const HB_DEFAULT_TOLERANCE_SECONDS: u64 = 300;

// A literal above so cbindgen can emit it; it must stay the core's value.
const _: () = assert!(HB_DEFAULT_TOLERANCE_SECONDS == signing::DEFAULT_TOLERANCE_SECONDS);

/// Signs `"<timestamp>.<body>"` with `secret` (used whole, `whsec_` prefix included) and writes
/// `sha256=<64 lowercase hex>` to `*out_signature` (free with `hb_string_free`). `body` may be
/// NULL when `body_len` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_sign(
    secret: *const c_char,
    timestamp: *const c_char,
    body: *const u8,
    body_len: usize,
    out_signature: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out_signature, "out_signature")?;
        let secret = arg_str(secret, "secret")?;
        let timestamp = arg_str(timestamp, "timestamp")?;
        let body = arg_bytes(body, body_len, "body")?;
        give_string(out, &signing::sign(secret, timestamp, body));
        Ok(())
    })
}

/// Builds the `X-Webhook-Signature` value for several active secrets (one `sha256=` entry per
/// secret, in the order given, comma-joined) into `*out_header` (free with `hb_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_signature_header(
    secrets: *const *const c_char,
    n_secrets: usize,
    timestamp: *const c_char,
    body: *const u8,
    body_len: usize,
    out_header: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out_header, "out_header")?;
        let secrets = arg_str_array(secrets, n_secrets, "secrets")?;
        let timestamp = arg_str(timestamp, "timestamp")?;
        let body = arg_bytes(body, body_len, "body")?;
        give_string(out, &signing::signature_header(&secrets, timestamp, body));
        Ok(())
    })
}

/// Verifies a delivery. `signature_header` is the raw `X-Webhook-Signature` value and
/// `timestamp` the raw `X-Webhook-Timestamp` value (pass `""` for a header that is absent);
/// `secrets` holds the `n_secrets` secrets that may have signed it (NULL when 0).
/// Passes (`HB_RESULT_OK`) when any `sha256=` entry matches any secret and the timestamp is at
/// most `tolerance_seconds` from now (`HB_DEFAULT_TOLERANCE_SECONDS` is the usual value); `now`
/// is NULL to read the system clock, or points to a fixed Unix time in seconds.
/// Fails with `HB_RESULT_VERIFY_MISSING`, `_MALFORMED`, `_EXPIRED` or `_MISMATCH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_verify_signature(
    body: *const u8,
    body_len: usize,
    signature_header: *const c_char,
    timestamp: *const c_char,
    secrets: *const *const c_char,
    n_secrets: usize,
    tolerance_seconds: u64,
    now: *const i64,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let body = arg_bytes(body, body_len, "body")?;
        let header = arg_str(signature_header, "signature_header")?;
        let timestamp = arg_str(timestamp, "timestamp")?;
        let secrets = arg_str_array(secrets, n_secrets, "secrets")?;
        let options = VerifyOptions { tolerance_seconds, now: now.as_ref().copied() };
        signing::verify(body, header, timestamp, &secrets, options).map_err(hb_error::from)
    })
}

/// Signs a Standard Webhooks delivery (endpoints with `signature_scheme` `standard_webhooks`):
/// HMAC-SHA256 over `"<webhook_id>.<timestamp>.<body>"` with the base64-decoded part of
/// `secret` after `whsec_`; writes `v1,<base64>` to `*out_signature` (free with
/// `hb_string_free`). Fails with `HB_RESULT_VERIFY_MALFORMED` when the secret is not base64.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_sign_standard_webhook(
    secret: *const c_char,
    webhook_id: *const c_char,
    timestamp: *const c_char,
    body: *const u8,
    body_len: usize,
    out_signature: *mut *mut c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out_signature, "out_signature")?;
        let secret = arg_str(secret, "secret")?;
        let webhook_id = arg_str(webhook_id, "webhook_id")?;
        let timestamp = arg_str(timestamp, "timestamp")?;
        let body = arg_bytes(body, body_len, "body")?;
        let signature = standard_webhooks::sign(secret, webhook_id, timestamp, body).map_err(hb_error::from)?;
        give_string(out, &signature);
        Ok(())
    })
}

/// Verifies a Standard Webhooks delivery: `webhook_id`, `webhook_timestamp` and
/// `webhook_signature` are the raw `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// values (`""` for an absent header); `secrets` holds the `n_secrets` `whsec_<base64>` secrets
/// that may have signed it (NULL when 0). Passes when any `v1,` entry matches any secret and the
/// timestamp is at most `tolerance_seconds` from now (`now` as in `hb_verify_signature`).
/// Fails with `HB_RESULT_VERIFY_MISSING`, `_MALFORMED` (also: a secret that is not base64),
/// `_EXPIRED` or `_MISMATCH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_verify_standard_webhook(
    body: *const u8,
    body_len: usize,
    webhook_id: *const c_char,
    webhook_timestamp: *const c_char,
    webhook_signature: *const c_char,
    secrets: *const *const c_char,
    n_secrets: usize,
    tolerance_seconds: u64,
    now: *const i64,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let body = arg_bytes(body, body_len, "body")?;
        let id = arg_str(webhook_id, "webhook_id")?;
        let timestamp = arg_str(webhook_timestamp, "webhook_timestamp")?;
        let header = arg_str(webhook_signature, "webhook_signature")?;
        let secrets = arg_str_array(secrets, n_secrets, "secrets")?;
        let options = VerifyOptions { tolerance_seconds, now: now.as_ref().copied() };
        standard_webhooks::verify(body, id, timestamp, header, &secrets, options).map_err(hb_error::from)
    })
}
