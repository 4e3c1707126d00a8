//! `/docs`: the API reference for people, rendered in the browser by Redoc from `/openapi.json`.
//! Redoc's standalone bundle (MIT, its license next to it in `server/assets/redoc/`) is embedded
//! in the binary and served from `/docs/redoc.standalone.js`; nothing is loaded from elsewhere,
//! and a strict Content-Security-Policy says so to the browser.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Path of the page.
pub const PAGE_PATH: &str = "/docs";
/// Path of the renderer's bundle.
pub const SCRIPT_PATH: &str = "/docs/redoc.standalone.js";
/// Path of the script that starts the renderer (a file, so the policy needs no inline script).
pub const INIT_PATH: &str = "/docs/init.js";

/// Redoc 2.5.4's standalone bundle.
const REDOC: &[u8] = include_bytes!("../../../assets/redoc/redoc.standalone.js");

/// Scripts only from this server, no inline script, nothing framed, no form posts. Redoc
/// styles with inline `<style>` elements, and its search runs in a worker made from a blob.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HookBridge API reference</title>
</head>
<body>
<noscript>This page renders /openapi.json and needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="redoc"></div>
<script src="/docs/redoc.standalone.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

const INIT: &str =
    "Redoc.init('/openapi.json', { hideDownloadButton: false, disableSearch: false }, document.getElementById('redoc'));\n";

/// The page.
pub async fn page() -> Response {
    with_headers("text/html; charset=utf-8", PAGE.as_bytes())
}

/// The renderer's bundle.
pub async fn script() -> Response {
    with_headers("text/javascript; charset=utf-8", REDOC)
}

/// The script that starts the renderer.
pub async fn init() -> Response {
    with_headers("text/javascript; charset=utf-8", INIT.as_bytes())
}

fn with_headers(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
