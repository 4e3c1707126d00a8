//! The typed endpoint lifecycle: create (`hb_created_endpoint`; `hb_create_endpoint_with_options`
//! for settings that have no positional argument, such as `signature_scheme`), get
//! (`hb_endpoint`), list (`hb_endpoint_list`) and delete. Accessor strings are borrowed from
//! their handle.

use std::ffi::{CString, c_char};
use std::ptr;

use hookbridge::api::Page;
use hookbridge::{CreateEndpointOptions, CreateEndpointResponse, Endpoint, ListEndpointsResponse};

use crate::client::{client_ref, hb_client};
use crate::error::{hb_error, hb_result};
use crate::ffi::{arg_headers, arg_str, call, free_box, give_box, opt_i64, opt_options, opt_string, out_ptr, read, to_json};
use crate::strings::{c_string, c_string_opt, opt_ptr};

/// A newly created endpoint (from `hb_create_endpoint`); its signing secret is shown only this once.
#[allow(non_camel_case_types)]
pub struct hb_created_endpoint {
    id: CString,
    url: CString,
    signing_secret: CString,
    created_at: CString,
    description: Option<CString>,
    signing_key_id: Option<CString>,
    key_hint: Option<CString>,
    json: CString,
}

impl std::fmt::Debug for hb_created_endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret, and the JSON that repeats it, are never printed.
        f.debug_struct("hb_created_endpoint")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("signing_secret", &hookbridge::REDACTED)
            .field("created_at", &self.created_at)
            .field("key_hint", &self.key_hint)
            .field("json", &hookbridge::REDACTED)
            .finish_non_exhaustive()
    }
}

impl hb_created_endpoint {
    fn new(e: CreateEndpointResponse) -> Result<Self, hb_error> {
        Ok(hb_created_endpoint {
            id: c_string(&e.id),
            url: c_string(&e.url),
            signing_secret: c_string(&e.signing_secret),
            created_at: c_string(&e.created_at.to_rfc3339()),
            description: c_string_opt(e.description.as_deref()),
            signing_key_id: c_string_opt(e.signing_key_id.as_deref()),
            key_hint: c_string_opt(e.key_hint.as_deref()),
            json: c_string(&to_json(&e)?),
        })
    }
}

/// Creates an endpoint delivering to `url` into `*out` (free with `hb_created_endpoint_free`).
/// `description` may be NULL; `rate_limit_rps` and `burst` of 0 leave the server defaults;
/// `n_headers` headers (parallel name/value arrays, NULL when 0) are added to every delivery.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_endpoint(
    client: *const hb_client,
    url: *const c_char,
    description: *const c_char,
    rate_limit_rps: i64,
    burst: i64,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    out: *mut *mut hb_created_endpoint,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let url = arg_str(url, "url")?;
        let options = CreateEndpointOptions {
            description: opt_string(description, "description")?,
            rate_limit_rps,
            burst,
            headers: arg_headers(header_names, header_values, n_headers)?,
            ..Default::default()
        };
        let created = client.run(|c| c.create_endpoint(url, &options))?;
        give_box(out, hb_created_endpoint::new(created)?);
        Ok(())
    })
}

/// The endpoint id (`ep_...`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_id(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.id.as_ptr()) }
}

/// The destination URL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_url(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.url.as_ptr()) }
}

/// The secret of the first signing key (`whsec_...`), for `hb_verify_signature`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_signing_secret(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.signing_secret.as_ptr()) }
}

/// The creation time (RFC 3339).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_created_at(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.created_at.as_ptr()) }
}

/// The description, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_description(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| opt_ptr(&e.description)) }
}

/// The id of the first signing key (`sk_...`), or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_signing_key_id(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| opt_ptr(&e.signing_key_id)) }
}

/// The last 4 characters of the secret, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_key_hint(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| opt_ptr(&e.key_hint)) }
}

/// The whole response as a JSON object. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_json(endpoint: *const hb_created_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.json.as_ptr()) }
}

/// Frees a created endpoint. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_created_endpoint_free(endpoint: *mut hb_created_endpoint) {
    unsafe { free_box(endpoint) }
}

/// Creates an endpoint delivering to `url` into `*out` (free with `hb_created_endpoint_free`),
/// with its settings as a JSON object `options_json` (NULL: none): any of `description`
/// (string), `rate_limit_rps`, `burst` (integers; 0 leaves the server default), `headers`
/// (object of strings) and `signature_scheme` (`"hookbridge"`, the server's default, or
/// `"standard_webhooks"`). Unknown keys and unknown schemes are an invalid argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_create_endpoint_with_options(
    client: *const hb_client,
    url: *const c_char,
    options_json: *const c_char,
    out: *mut *mut hb_created_endpoint,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let url = arg_str(url, "url")?;
        let options: CreateEndpointOptions = opt_options(options_json, "options_json")?;
        let created = client.run(|c| c.create_endpoint(url, &options))?;
        give_box(out, hb_created_endpoint::new(created)?);
        Ok(())
    })
}

/// One endpoint (from `hb_get_endpoint`), without its secret.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_endpoint {
    endpoint: Endpoint,
    id: CString,
    url: CString,
    created_at: CString,
    updated_at: CString,
    description: Option<CString>,
    headers: Vec<(CString, CString)>,
    signature_scheme: CString,
    json: CString,
}

impl hb_endpoint {
    fn new(e: Endpoint) -> Result<Self, hb_error> {
        Ok(hb_endpoint {
            id: c_string(&e.id),
            url: c_string(&e.url),
            created_at: c_string(&e.created_at.to_rfc3339()),
            updated_at: c_string(&e.updated_at.to_rfc3339()),
            description: c_string_opt(e.description.as_deref()),
            headers: e.headers.iter().flatten().map(|(k, v)| (c_string(k), c_string(v))).collect(),
            signature_scheme: c_string(e.signature_scheme.as_str()),
            json: c_string(&to_json(&e)?),
            endpoint: e,
        })
    }
}

/// Fetches one endpoint into `*out` (free with `hb_endpoint_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_get_endpoint(
    client: *const hb_client,
    endpoint_id: *const c_char,
    out: *mut *mut hb_endpoint,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        let endpoint = client.run(|c| c.get_endpoint(endpoint_id))?;
        give_box(out, hb_endpoint::new(endpoint)?);
        Ok(())
    })
}

/// The endpoint id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_id(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.id.as_ptr()) }
}

/// The destination URL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_url(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.url.as_ptr()) }
}

/// The creation time (RFC 3339).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_created_at(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.created_at.as_ptr()) }
}

/// The time of the last change (RFC 3339).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_updated_at(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.updated_at.as_ptr()) }
}

/// Whether delivery is paused (false when `endpoint` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_paused(endpoint: *const hb_endpoint) -> bool {
    unsafe { read(endpoint, false, |e| e.endpoint.paused) }
}

/// The description, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_description(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| opt_ptr(&e.description)) }
}

/// Deliveries per second allowed (0 = unlimited), or -1 when the server did not say.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_rate_limit_rps(endpoint: *const hb_endpoint) -> i64 {
    unsafe { read(endpoint, -1, |e| e.endpoint.rate_limit_rps.unwrap_or(-1)) }
}

/// The burst allowance, or -1 when the server did not say.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_burst(endpoint: *const hb_endpoint) -> i64 {
    unsafe { read(endpoint, -1, |e| e.endpoint.burst.unwrap_or(-1)) }
}

/// How deliveries are signed: `"hookbridge"` (also when the server did not say) or
/// `"standard_webhooks"`; NULL when `endpoint` is NULL. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_signature_scheme(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.signature_scheme.as_ptr()) }
}

/// The number of custom headers added to every delivery.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_header_count(endpoint: *const hb_endpoint) -> usize {
    unsafe { read(endpoint, 0, |e| e.headers.len()) }
}

/// The name of custom header `index`, or NULL when `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_header_name(endpoint: *const hb_endpoint, index: usize) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.headers.get(index).map_or(ptr::null(), |h| h.0.as_ptr())) }
}

/// The value of custom header `index`, or NULL when `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_header_value(endpoint: *const hb_endpoint, index: usize) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.headers.get(index).map_or(ptr::null(), |h| h.1.as_ptr())) }
}

/// The whole endpoint as a JSON object. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_json(endpoint: *const hb_endpoint) -> *const c_char {
    unsafe { read(endpoint, ptr::null(), |e| e.json.as_ptr()) }
}

/// Frees an endpoint. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_free(endpoint: *mut hb_endpoint) {
    unsafe { free_box(endpoint) }
}

/// One page of endpoints (from `hb_list_endpoints`); items are read by index.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hb_endpoint_list {
    list: ListEndpointsResponse,
    items: Vec<ListItem>,
    next_cursor: Option<CString>,
    json: CString,
}

#[derive(Debug)]
struct ListItem {
    id: CString,
    url: CString,
    created_at: CString,
    description: Option<CString>,
}

/// Lists endpoints into `*out` (free with `hb_endpoint_list_free`). `limit` (NULL for the server
/// default) bounds the page size; `cursor` (NULL for the first page) is a previous page's
/// `hb_endpoint_list_next_cursor`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_list_endpoints(
    client: *const hb_client,
    limit: *const i64,
    cursor: *const c_char,
    out: *mut *mut hb_endpoint_list,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let out = out_ptr(out, "out")?;
        let client = client_ref(client)?;
        let page = Page { limit: opt_i64(limit), cursor: opt_string(cursor, "cursor")? };
        let list = client.run(|c| c.list_endpoints(&page))?;
        let items = list
            .endpoints
            .iter()
            .map(|e| ListItem {
                id: c_string(&e.id),
                url: c_string(&e.url),
                created_at: c_string(&e.created_at.to_rfc3339()),
                description: c_string_opt(e.description.as_deref()),
            })
            .collect();
        let json = c_string(&to_json(&list)?);
        give_box(out, hb_endpoint_list { next_cursor: c_string_opt(list.next_cursor.as_deref()), items, json, list });
        Ok(())
    })
}

/// The number of endpoints on this page.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_len(list: *const hb_endpoint_list) -> usize {
    unsafe { read(list, 0, |l| l.items.len()) }
}

/// The id of endpoint `index`, or NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_id(list: *const hb_endpoint_list, index: usize) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| l.items.get(index).map_or(ptr::null(), |i| i.id.as_ptr())) }
}

/// The URL of endpoint `index`, or NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_url(list: *const hb_endpoint_list, index: usize) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| l.items.get(index).map_or(ptr::null(), |i| i.url.as_ptr())) }
}

/// The creation time (RFC 3339) of endpoint `index`, or NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_created_at(list: *const hb_endpoint_list, index: usize) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| l.items.get(index).map_or(ptr::null(), |i| i.created_at.as_ptr())) }
}

/// Whether endpoint `index` is paused (false when out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_paused(list: *const hb_endpoint_list, index: usize) -> bool {
    unsafe { read(list, false, |l| l.list.endpoints.get(index).is_some_and(|e| e.paused)) }
}

/// The description of endpoint `index`, or NULL when it has none or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_description(list: *const hb_endpoint_list, index: usize) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| l.items.get(index).map_or(ptr::null(), |i| opt_ptr(&i.description))) }
}

/// Whether another page exists.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_has_more(list: *const hb_endpoint_list) -> bool {
    unsafe { read(list, false, |l| l.list.has_more) }
}

/// The cursor of the next page, or NULL on the last page.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_next_cursor(list: *const hb_endpoint_list) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| opt_ptr(&l.next_cursor)) }
}

/// The whole page as a JSON object (`endpoints`, `has_more`, `next_cursor`). Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_json(list: *const hb_endpoint_list) -> *const c_char {
    unsafe { read(list, ptr::null(), |l| l.json.as_ptr()) }
}

/// Frees an endpoint list. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_endpoint_list_free(list: *mut hb_endpoint_list) {
    unsafe { free_box(list) }
}

/// Deletes an endpoint; its undelivered messages fail permanently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hb_delete_endpoint(
    client: *const hb_client,
    endpoint_id: *const c_char,
    err: *mut *mut hb_error,
) -> hb_result {
    call(err, || unsafe {
        let client = client_ref(client)?;
        let endpoint_id = arg_str(endpoint_id, "endpoint_id")?;
        client.run(|c| c.delete_endpoint(endpoint_id))
    })
}
