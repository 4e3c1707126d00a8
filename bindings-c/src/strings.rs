//! Strings handed to the caller, and the library version.

use std::ffi::{CString, c_char};

use crate::ffi::guard_value;

/// Frees a string that this library returned through a `char **` out-parameter (`hb_sign`,
/// `hb_send`, every `*_json` function, ...). NULL is ignored. Never pass a borrowed
/// `const char *` (from an accessor) or memory from elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// The library version (`"0.1.0"`). Static storage: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn hb_version() -> *const c_char {
    guard_value(c"".as_ptr(), || concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}
