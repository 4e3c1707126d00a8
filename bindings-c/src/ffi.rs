//! The boundary every exported function goes through: panic catching, error reporting through
//! the `err` out-parameter, and checked reading of C arguments (NULL, UTF-8, lengths).
//!
//! Conventions enforced here (documented in the header):
//! - `*err` (when `err` is not NULL) and every pointer out-parameter are set to NULL on entry,
//!   and written only on success (outputs) or on failure (`*err`).
//! - A NULL pointer where one is required, or a string that is not UTF-8, fails with
//!   `HB_RESULT_INVALID_ARGUMENT` and an error naming the argument; nothing is dereferenced.
//! - A panic never unwinds into C: it becomes `HB_RESULT_PANIC` (or the function's default value).

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use crate::error::{hb_error, hb_result};
use crate::guard::guard_value;
use crate::strings::c_string;

/// What the body of an exported function returns.
pub(crate) type FfiResult<T> = Result<T, hb_error>;

/// Runs the body of a fallible exported function: clears `*err`, catches panics, and on failure
/// stores the error in `*err` (when `err` is not NULL) and returns its code.
pub(crate) fn call(err: *mut *mut hb_error, body: impl FnOnce() -> FfiResult<()>) -> hb_result {
    if !err.is_null() {
        // SAFETY: the caller promises `err` is NULL or points to writable storage for a pointer.
        unsafe { *err = ptr::null_mut() };
    }
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return hb_result::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => hb_error::panic(payload.as_ref()),
    };
    let code = failure.result;
    if !err.is_null() {
        // SAFETY: as above.
        unsafe { *err = Box::into_raw(Box::new(failure)) };
    }
    code
}

/// Checks a pointer out-parameter, sets it to NULL and returns it for writing on success.
///
/// # Safety
/// `out` must be NULL or point to writable storage for a pointer.
pub(crate) unsafe fn out_ptr<'a, T>(out: *mut *mut T, name: &str) -> FfiResult<&'a mut *mut T> {
    match unsafe { out.as_mut() } {
        Some(slot) => {
            *slot = ptr::null_mut();
            Ok(slot)
        }
        None => Err(hb_error::invalid_argument(format!("{name} must not be NULL"))),
    }
}

/// Checks a value out-parameter (bool, number) and returns it for writing on success.
///
/// # Safety
/// `out` must be NULL or point to writable storage for a `T`.
pub(crate) unsafe fn out_value<'a, T>(out: *mut T, name: &str) -> FfiResult<&'a mut T> {
    unsafe { out.as_mut() }.ok_or_else(|| hb_error::invalid_argument(format!("{name} must not be NULL")))
}

/// Hands a string to the caller through an out-parameter (freed with `hb_string_free`).
pub(crate) fn give_string(slot: &mut *mut c_char, text: &str) {
    *slot = c_string(text).into_raw();
}

/// Hands an object to the caller through an out-parameter (freed with its `_free` function).
pub(crate) fn give_box<T>(slot: &mut *mut T, value: T) {
    *slot = Box::into_raw(Box::new(value));
}

/// Serializes a core model to JSON for the caller.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> FfiResult<String> {
    serde_json::to_string(value)
        .map_err(|e| hb_error::local(hb_result::InvalidResponse, "INVALID_RESPONSE", format!("cannot encode JSON: {e}")))
}

/// Reads a required string argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that outlives the returned borrow.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(hb_error::invalid_argument(format!("{name} must not be NULL")));
    }
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|e| hb_error::invalid_argument(format!("{name} is not valid UTF-8 ({e})")))
}

/// Reads an optional string argument (NULL means absent).
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn opt_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() { Ok(None) } else { unsafe { arg_str(ptr, name) }.map(Some) }
}

/// Reads an optional owned string argument (NULL means absent).
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn opt_string(ptr: *const c_char, name: &str) -> FfiResult<Option<String>> {
    unsafe { opt_str(ptr, name) }.map(|s| s.map(str::to_owned))
}

/// Reads an optional integer passed by pointer (NULL means absent).
///
/// # Safety
/// `ptr` must be NULL or point to a readable `i64`.
pub(crate) unsafe fn opt_i64(ptr: *const i64) -> Option<i64> {
    unsafe { ptr.as_ref() }.copied()
}

/// Reads a byte buffer; NULL is allowed only with length 0.
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes.
pub(crate) unsafe fn arg_bytes<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(hb_error::invalid_argument(format!("{name} must not be NULL when its length is {len}")))
        };
    }
    if len > isize::MAX as usize {
        return Err(hb_error::invalid_argument(format!("{name} length {len} is too large")));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Reads an array of `n` strings; NULL is allowed only with `n == 0`, and no element may be NULL.
///
/// # Safety
/// `ptr` must be NULL or point to `n` readable pointers, each NULL or a NUL-terminated string.
pub(crate) unsafe fn arg_str_array<'a>(ptr: *const *const c_char, n: usize, name: &str) -> FfiResult<Vec<&'a str>> {
    if ptr.is_null() {
        return if n == 0 {
            Ok(Vec::new())
        } else {
            Err(hb_error::invalid_argument(format!("{name} must not be NULL when its count is {n}")))
        };
    }
    if n > isize::MAX as usize / size_of::<*const c_char>() {
        return Err(hb_error::invalid_argument(format!("{name} count {n} is too large")));
    }
    let items = unsafe { std::slice::from_raw_parts(ptr, n) };
    items.iter().enumerate().map(|(i, p)| unsafe { arg_str(*p, &format!("{name}[{i}]")) }).collect()
}

/// [`arg_str_array`] as owned strings (the id lists of the batch operations).
///
/// # Safety
/// As [`arg_str_array`].
pub(crate) unsafe fn arg_owned_str_array(ptr: *const *const c_char, n: usize, name: &str) -> FfiResult<Vec<String>> {
    unsafe { arg_str_array(ptr, n, name) }.map(|items| items.into_iter().map(str::to_owned).collect())
}

/// Reads `n` header name/value pairs from two parallel arrays (`None` when `n == 0`).
///
/// # Safety
/// As [`arg_str_array`] for both arrays.
pub(crate) unsafe fn arg_headers(
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
) -> FfiResult<Option<hookbridge::models::HeaderMap>> {
    let names = unsafe { arg_str_array(names, n, "header_names") }?;
    let values = unsafe { arg_str_array(values, n, "header_values") }?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(names.into_iter().zip(values).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()))
}

/// Parses a JSON argument.
pub(crate) fn parse_json(text: &str, name: &str) -> FfiResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| hb_error::invalid_argument(format!("{name} is not valid JSON: {e}")))
}

/// Parses a JSON object argument.
pub(crate) fn parse_json_object(text: &str, name: &str) -> FfiResult<serde_json::Map<String, serde_json::Value>> {
    match parse_json(text, name)? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(hb_error::invalid_argument(format!("{name} must be a JSON object"))),
    }
}

/// Reads a JSON object argument as one of the core's option structs: `null` is "not given"; an
/// unknown key or a wrong type is an invalid argument naming the key (`name.key: ...`).
pub(crate) fn parse_options<T: serde::de::DeserializeOwned>(text: &str, name: &str) -> FfiResult<T> {
    hookbridge::options::from_json_text(text, name).map_err(|e| hb_error::invalid_argument(e.message()))
}

/// [`parse_options`] of an optional argument: NULL means every option at its default.
///
/// # Safety
/// As [`opt_str`].
pub(crate) unsafe fn opt_options<T: serde::de::DeserializeOwned + Default>(ptr: *const c_char, name: &str) -> FfiResult<T> {
    match unsafe { opt_str(ptr, name) }? {
        Some(text) => parse_options(text, name),
        None => Ok(T::default()),
    }
}

/// Borrows the object behind a handle.
///
/// # Safety
/// `ptr` must be NULL or a live handle of type `T` obtained from this library.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> FfiResult<&'a T> {
    unsafe { ptr.as_ref() }.ok_or_else(|| hb_error::invalid_argument(format!("{name} must not be NULL")))
}

/// Runs an accessor on a handle, returning `default` for a NULL handle or a panic.
///
/// # Safety
/// `ptr` must be NULL or a live handle of type `T` obtained from this library.
pub(crate) unsafe fn read<T, R: Copy>(ptr: *const T, default: R, f: impl FnOnce(&T) -> R) -> R {
    match unsafe { ptr.as_ref() } {
        Some(obj) => guard_value(default, || f(obj)),
        None => default,
    }
}

/// Frees a handle allocated by [`give_box`]; NULL is ignored.
///
/// # Safety
/// `ptr` must be NULL or a handle of type `T` from this library that was not freed yet.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    guard_value((), || {
        if !ptr.is_null() {
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}

/// Runs the body of a `*_json` function: checks `out_json`, then hands the operation's result
/// to the caller serialized as JSON (freed with `hb_string_free`).
pub(crate) fn json_call<T: serde::Serialize>(
    out_json: *mut *mut c_char,
    err: *mut *mut hb_error,
    body: impl FnOnce() -> FfiResult<T>,
) -> hb_result {
    call(err, || {
        let out = unsafe { out_ptr(out_json, "out_json") }?;
        let value = body()?;
        give_string(out, &to_json(&value)?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{hb_error_code, hb_error_free, hb_error_message, hb_error_result};

    fn text(p: *const c_char) -> String {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    #[test]
    fn a_panic_becomes_a_result_code_and_an_error_object() {
        let mut err: *mut hb_error = ptr::null_mut();
        let code = call(&mut err, || panic!("boom {}", 42));
        assert_eq!(code, hb_result::Panic);
        assert!(!err.is_null());
        unsafe {
            assert_eq!(hb_error_result(err), hb_result::Panic);
            assert_eq!(text(hb_error_code(err)), "PANIC");
            assert!(text(hb_error_message(err)).contains("boom 42"));
            hb_error_free(err);
        }
        // Without an error pointer the code is still returned.
        assert_eq!(call(ptr::null_mut(), || panic!("again")), hb_result::Panic);
        assert_eq!(guard_value(7, || panic!("in an accessor")), 7);
    }

    #[test]
    fn success_clears_the_error_pointer_and_failures_set_it() {
        let mut err = ptr::NonNull::<hb_error>::dangling().as_ptr();
        assert_eq!(call(&mut err, || Ok(())), hb_result::Ok);
        assert!(err.is_null());
        let code = call(&mut err, || Err(hb_error::invalid_argument("x must not be NULL")));
        assert_eq!(code, hb_result::InvalidArgument);
        unsafe {
            assert_eq!(text(hb_error_message(err)), "x must not be NULL");
            hb_error_free(err);
        }
    }

    #[test]
    fn arguments_are_checked() {
        let bad = [b'a', 0xff, 0];
        let err = unsafe { arg_str(bad.as_ptr().cast(), "name") }.unwrap_err();
        assert!(format!("{err:?}").contains("name is not valid UTF-8"));
        assert!(unsafe { arg_bytes(ptr::null(), 3, "body") }.is_err());
        assert_eq!(unsafe { arg_bytes(ptr::null(), 0, "body") }.unwrap(), b"");
        let items = [c"a".as_ptr(), ptr::null()];
        let err = unsafe { arg_str_array(items.as_ptr(), 2, "ids") }.unwrap_err();
        assert!(format!("{err:?}").contains("ids[1] must not be NULL"));
        assert_eq!(c_string("a\0b").as_bytes(), "a\u{FFFD}b".as_bytes());
    }
}
