//! The dashboard's login and logout: the login form, signing in with an API key (checked like
//! an API request, behind the failed-login throttle), and signing out.

use std::net::SocketAddr;

use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::csrf::{Action, check_origin, forbidden, parse_form, read_form};
use super::layout::{Nav, error_page, esc, page, see_other};
use super::session::{LOGIN_PATH, Rejected, UiSession, sign_in_cookie, sign_out};
use crate::http::auth::authenticate_key;
use crate::ingest::request::client_address;
use crate::state::AppState;

/// `GET /ui/login`.
pub async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e))).unwrap_or_default();
    let body = format!(
        r#"{error}<form method="post" action="{LOGIN_PATH}" class="card">
<label for="api_key">API key</label>
<input id="api_key" name="api_key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
<p class="hint">The key is checked like an API request; the session lasts 8 hours or until the key is revoked.</p>"#
    );
    page(status, "Log in", None, Nav::None, &body)
}

/// `POST /ui/login`: checks the Origin, the failed-login throttle and the key, then sets the
/// session cookie and goes to the messages page.
pub async fn login(State(state): State<AppState>, parts: Parts, body: axum::body::Body) -> Response {
    if let Err(reason) = check_origin(&parts.headers) {
        return forbidden(reason);
    }
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let source = client_address(peer, &parts.headers, state.config.trust_forwarded_for);
    if let Some(seconds) = source.and_then(|ip| state.api_limits.auth_blocked(ip)) {
        let message = format!("too many failed logins from this address; retry in {seconds} s");
        return login_page(StatusCode::TOO_MANY_REQUESTS, Some(&message));
    }
    let fields = match read_form(body).await {
        Ok(bytes) => parse_form(&bytes),
        Err(refused) => return refused,
    };
    let key = fields.iter().find(|(k, _)| k == "api_key").map(|(_, v)| v.trim()).unwrap_or("");
    if key.is_empty() {
        return login_page(StatusCode::BAD_REQUEST, Some("enter an API key"));
    }
    let (caller, hash) = match authenticate_key(&state, key).await {
        Ok(found) => found,
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED
                && let Some(ip) = source
            {
                state.api_limits.record_auth_failure(ip);
            }
            return login_page(e.status, Some(&e.message));
        }
    };
    tracing::info!(key_id = %caller.key_id, project_id = %caller.project_id, "dashboard login");
    match sign_in_cookie(&state, hash.as_ref()) {
        Ok(cookie) => with_cookie(see_other("/ui/messages"), cookie),
        Err(e) => error_page(None, &e, LOGIN_PATH),
    }
}

/// `POST /ui/logout`: revokes the session (its token is refused from now on, wherever it was
/// copied) and clears the cookie.
pub async fn logout(State(state): State<AppState>, action: Action) -> Response {
    let session = &action.session;
    match sign_out(&state, session).await {
        Ok(cookie) => {
            tracing::info!(key_id = %session.caller.key_id, "dashboard logout: session revoked");
            with_cookie(see_other(LOGIN_PATH), cookie)
        }
        Err(e) => error_page(Some(session), &e, "/ui"),
    }
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /ui`: the messages page when signed in, else the login page.
pub async fn home(session: Result<UiSession, Rejected>) -> Response {
    match session {
        Ok(_) => see_other("/ui/messages"),
        Err(_) => see_other(LOGIN_PATH),
    }
}
