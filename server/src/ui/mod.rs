//! The operator dashboard at `/ui`: server-rendered HTML pages over the same handlers and store
//! calls as the HTTP API, a little embedded JavaScript for the metrics chart, nothing loaded
//! from another origin.
//!
//! - [`session`]: log in with an API key, the sealed session cookie, log out.
//! - [`csrf`]: the checks every state-changing action passes ([`csrf::Action`]).
//! - [`layout`]: the page shell and the escaping helpers.
//! - [`endpoints`], [`messages`], [`dlq`], [`inbound`], [`metrics`]: one module per page.
//! - [`assets`]: the embedded stylesheet, script and chart library.
//!
//! Every answer carries a strict Content-Security-Policy (scripts, styles and images from this
//! server only; no inline script; no framing), `nosniff`, and `Cache-Control: no-store` for pages.

pub mod assets;
pub mod csrf;
pub mod dlq;
pub mod endpoints;
pub mod inbound;
pub mod layout;
pub mod messages;
pub mod metrics;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::ApiResult;
use crate::http::Reply;
use crate::state::AppState;
use layout::{error_page, see_other};
use session::UiSession;

/// The policy of every dashboard answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The header every dashboard answer carries (its CSP); the API's error envelope leaves answers
/// with it as they are, so the dashboard's error pages stay HTML.
pub const PAGE_MARKER: HeaderName = header::CONTENT_SECURITY_POLICY;

/// The dashboard's routes, nested under `/ui` by [`crate::http::router`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/assets/{name}", get(assets::serve))
        .route("/endpoints", get(endpoints::list).post(endpoints::create))
        .route("/endpoints/{id}/pause", post(endpoints::pause))
        .route("/endpoints/{id}/resume", post(endpoints::resume))
        .route("/endpoints/{id}/rotate", post(endpoints::rotate))
        .route("/messages", get(messages::list))
        .route("/messages/{id}", get(messages::detail))
        .route("/messages/{id}/replay", post(messages::replay))
        .route("/messages/{id}/cancel", post(messages::cancel))
        .route("/messages/{id}/retry-now", post(messages::retry_now))
        .route("/dlq", get(dlq::list))
        .route("/dlq/replay-all", post(dlq::replay_all))
        .route("/dlq/{id}/replay", post(dlq::replay))
        .route("/inbound", get(inbound::list))
        .route("/metrics", get(metrics::show))
        .layer(axum::middleware::from_fn(security_headers))
}

/// Middleware: the security headers of every dashboard answer.
async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/ui/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(PAGE_MARKER, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The query parameters of a page.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (absent: none).
    pub fn parse(query: Option<String>) -> Params {
        Params(query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default())
    }

    /// A non-empty, trimmed parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// [`Params::get`] as an owned string.
    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }
}

/// The answer to an action that ran an API handler: 303 to `done` when it succeeded, the
/// API's error (status, code, message) as a page when it did not.
pub fn after_action(session: &UiSession, result: ApiResult<Reply>, done: &str, back: &str) -> Response {
    match result {
        Ok(_) => see_other(done),
        Err(e) => error_page(Some(session), &e, back),
    }
}

/// The text of a `done=` notice after an action's redirect (fixed texts: nothing from the URL is shown).
pub fn done_notice(params: &Params) -> Option<&'static str> {
    Some(match params.get("done")? {
        "created" => "Endpoint created.",
        "paused" => "Endpoint paused: deliveries wait until it is resumed.",
        "resumed" => "Endpoint resumed.",
        "replayed" => "Message queued for replay.",
        "cancelled" => "Retry cancelled; the message moved to the dead letter queue.",
        "retrying" => "Retry scheduled now.",
        "dlq_replayed" => "Message replayed from the dead letter queue.",
        _ => return None,
    })
}
