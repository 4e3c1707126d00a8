//! Strings handed to the caller, and the library version.

use std::ffi::{CString, c_char};
use std::ptr;

use crate::guard::guard_value;

/// A C string for the caller; an interior NUL (impossible in C) is replaced by U+FFFD.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text).unwrap_or_else(|_| CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default())
}

/// An optional owned C string.
pub(crate) fn c_string_opt(text: Option<&str>) -> Option<CString> {
    text.map(c_string)
}

/// Borrows an optional C string for an accessor: NULL when absent.
pub(crate) fn opt_ptr(text: &Option<CString>) -> *const c_char {
    text.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

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
