//! # libhookbridge
//!
//! The C ABI over the HookBridge core crate, in the style of rustls-ffi. The header
//! `include/hookbridge.h` is generated from this crate by cbindgen.
//!
//! Conventions (also stated in the header):
//! - Every fallible function returns an `hb_result` (`HB_RESULT_OK` = 0) and takes a last
//!   argument `hb_error **err`: on failure, when `err` is not NULL, `*err` receives an error
//!   object to read with the `hb_error_*` accessors and free with `hb_error_free`; on success
//!   `*err` is set to NULL. Pass NULL to ignore error details.
//! - Outputs go through out-parameters, set to NULL on entry and filled only on success.
//! - Strings handed out through `char **` are owned by the caller: free them with
//!   `hb_string_free`. Objects have their own `*_free` function. `const char *` values returned
//!   by accessors are borrowed from their object and valid until it is freed.
//! - All strings are UTF-8 and NUL-terminated; a NULL where a value is required, or a string
//!   that is not UTF-8, gives `HB_RESULT_INVALID_ARGUMENT` with an error naming the argument.
//! - No panic crosses the boundary: it is caught and reported as `HB_RESULT_PANIC`.
//! - `hb_client` is thread-safe; calls block the calling thread. The I/O runs on one
//!   process-wide runtime started by the first `hb_client_new`. After `fork()` the child gets a
//!   runtime of its own on its first `hb_client_new`: create new clients in the child and use
//!   only those there (a client's connections belong to the process that created it); the
//!   parent's clients keep working in the parent.

// Every exported function is `unsafe` for the same reason (it reads caller-provided pointers),
// and the safety contract is the convention list above, repeated in the header's preamble.
#![allow(clippy::missing_safety_doc)]

pub mod client;
pub mod endpoints;
pub mod error;
mod ffi;
mod guard;
pub mod json_account;
pub mod json_actors;
pub mod json_attempts;
pub mod json_deletion;
pub mod json_inbound;
pub mod json_inbound_listen;
pub mod json_inbound_signing_keys;
pub mod json_outbound;
pub mod json_pull;
pub mod messages;
pub mod metrics;
#[cfg(test)]
mod op_coverage;
pub mod signing;
pub mod strings;
