//! The operator dashboard at `/ui`: server-rendered HTML pages over the same handlers and store
//! calls as the HTTP API, a little embedded JavaScript for the metrics chart, nothing loaded
//! from another origin.
//!
//! - [`session`]: log in with an API key, the sealed session cookie, log out.
//! - [`csrf`]: the checks every state-changing action passes ([`csrf::Action`]).
//! - [`layout`]: the page shell and the escaping helpers.
//! - [`endpoints`], [`endpoint`], [`messages`], [`dlq`], [`inbound`], [`inbound_endpoint`],
//!   [`inbound_message`], [`metrics`]: one module per page.
//! - [`assets`]: the embedded stylesheet, script and chart library.
//!
//! Every answer carries a strict Content-Security-Policy (scripts, styles and images from this
//! server only; no inline script; no framing), `nosniff`, and `Cache-Control: no-store` for pages.

pub mod assets;
pub mod csrf;
pub mod dlq;
pub mod endpoint;
pub mod endpoints;
pub mod inbound;
pub mod inbound_endpoint;
pub mod inbound_message;
pub mod layout;
pub mod login;
pub mod messages;
pub mod metrics;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};

use crate::error::ApiResult;
use crate::http::envelope::PAGE_MARKER;
use crate::http::reply::Reply;
use crate::state::AppState;
use layout::{error_page, see_other};
use session::UiSession;

/// The policy of every dashboard answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One dashboard route: its full path template (also its `route` label in the HTTP metrics),
/// the methods it answers and its handler.
pub struct UiRoute {
    /// The axum path, e.g. `/ui/messages/{id}`.
    pub path: &'static str,
    /// The methods the handler answers, in upper case.
    pub methods: &'static [&'static str],
    /// The handler.
    pub handler: MethodRouter<AppState>,
}

/// A route answering GET only.
fn get_route<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> UiRoute {
    UiRoute { path, methods: &["GET"], handler: get(handler) }
}

/// A route answering POST only (an action).
fn post_route<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> UiRoute {
    UiRoute { path, methods: &["POST"], handler: post(handler) }
}

/// Every dashboard route. The last one catches the unknown paths under `/ui/` (a 404 page).
pub fn routes() -> Vec<UiRoute> {
    vec![
        get_route("/ui", login::home),
        get_route("/ui/", login::home),
        UiRoute { path: session::LOGIN_PATH, methods: &["GET", "POST"], handler: get(login::login_form).post(login::login) },
        post_route("/ui/logout", login::logout),
        get_route("/ui/assets/{name}", assets::serve),
        UiRoute { path: "/ui/endpoints", methods: &["GET", "POST"], handler: get(endpoints::list).post(endpoints::create) },
        UiRoute { path: "/ui/endpoints/{id}", methods: &["GET", "POST"], handler: get(endpoint::detail).post(endpoint::update) },
        post_route("/ui/endpoints/{id}/keys/{key_id}/delete", endpoint::delete_key),
        post_route("/ui/endpoints/{id}/pause", endpoints::pause),
        post_route("/ui/endpoints/{id}/resume", endpoints::resume),
        post_route("/ui/endpoints/{id}/rotate", endpoints::rotate),
        get_route("/ui/messages", messages::list),
        get_route("/ui/messages/{id}", messages::detail),
        post_route("/ui/messages/{id}/replay", messages::replay),
        post_route("/ui/messages/{id}/cancel", messages::cancel),
        post_route("/ui/messages/{id}/retry-now", messages::retry_now),
        get_route("/ui/dlq", dlq::list),
        post_route("/ui/dlq/replay-all", dlq::replay_all),
        post_route("/ui/dlq/{id}/replay", dlq::replay),
        get_route("/ui/inbound", inbound::list),
        get_route("/ui/inbound/{id}", inbound_endpoint::detail),
        get_route("/ui/inbound/messages/{id}", inbound_message::detail),
        post_route("/ui/inbound/messages/{id}/replay", inbound_message::replay),
        get_route("/ui/metrics", metrics::show),
        UiRoute { path: NOT_FOUND_ROUTE, methods: &["GET", "POST"], handler: get(not_found).post(not_found) },
    ]
}

/// The route of every path under `/ui/` that no page or action has.
pub const NOT_FOUND_ROUTE: &str = "/ui/{*rest}";

/// The dashboard's router (merged into [`crate::http::router`]) over `routes`, with the
/// dashboard's security headers on every answer.
pub fn router(routes: Vec<UiRoute>) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |router, route| router.route(route.path, route.handler))
        .layer(axum::middleware::from_fn(security_headers))
}

/// An unknown dashboard path: a 404 page (with the navigation when signed in).
async fn not_found(session: Result<UiSession, session::Rejected>, uri: axum::http::Uri) -> Response {
    let body = format!(
        r#"<p class="error" role="alert">There is no dashboard page at <code>{}</code>.</p><p><a href="/ui">Back to the dashboard</a></p>"#,
        layout::esc(uri.path())
    );
    layout::page(axum::http::StatusCode::NOT_FOUND, "Page not found", session.ok().as_ref(), layout::Nav::None, &body)
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
        "updated" => "Endpoint saved.",
        "key_deleted" => "Signing key deleted: deliveries are no longer signed with it.",
        "replayed" => "Message queued for replay.",
        "cancelled" => "Retry cancelled; the message moved to the dead letter queue.",
        "retrying" => "Retry scheduled now.",
        "dlq_replayed" => "Message replayed from the dead letter queue.",
        _ => return None,
    })
}
