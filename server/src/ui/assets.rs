//! The dashboard's static files, embedded in the binary: its stylesheet and script, and the
//! vendored uPlot chart library (MIT, `assets/uplot/LICENSE`). Nothing is loaded from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes) of every asset.
const ASSETS: [(&str, &str, &[u8]); 4] = [
    ("app.css", "text/css; charset=utf-8", include_bytes!("assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("assets/app.js")),
    ("uPlot.iife.min.js", "text/javascript; charset=utf-8", include_bytes!("assets/uplot/uPlot.iife.min.js")),
    ("uPlot.min.css", "text/css; charset=utf-8", include_bytes!("assets/uplot/uPlot.min.css")),
];

/// `GET /ui/assets/{name}`: an embedded file (cached for an hour), or 404.
pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such asset").into_response(),
    }
}
