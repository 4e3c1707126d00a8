//! Dashboard sessions: log in with an API key, a session cookie, log out.
//!
//! The cookie (`hb_ui_session`, `HttpOnly; SameSite=Strict; Path=/ui`, `Secure` with
//! `--ui-secure-cookie`) holds a token sealed with the server's secrets key
//! ([`crate::secrets::SecretBox::seal_token`], XChaCha20-Poly1305): a random session id, the
//! SHA-256 hash of the API key, the expiry and the session's CSRF token. Nothing is kept for a
//! live session, so any server process sharing the database (and so the secrets key) accepts
//! it. Every request looks the key up again exactly as the API does, so revoking or deleting the
//! key ends its sessions. Logging out records the session id as revoked in the database until
//! the token expires ([`crate::store::UiSessionStore`]), so a copied cookie stops working too,
//! on every node and after restarts.

use std::net::SocketAddr;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::csrf::{Action, check_origin, forbidden, parse_form, read_form};
use super::layout::{Nav, error_page, esc, page, see_other};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::http::auth::{Caller, authenticate_key, caller_for_key_hash};
use crate::ingest::request::client_address;
use crate::state::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "hb_ui_session";
/// How long a session lasts after login.
pub const SESSION_TTL_MS: i64 = 8 * 60 * 60 * 1000;
/// What the sealed token is for (part of its associated data).
const PURPOSE: &str = "ui_session";

/// The sealed content of a session cookie.
#[derive(Serialize, Deserialize)]
struct Token {
    /// The session id (random, hex), what logging out revokes.
    s: String,
    /// SHA-256 (hex) of the API key that logged in.
    h: String,
    /// Expiry, Unix ms.
    e: i64,
    /// The session's CSRF token.
    c: String,
}

/// A signed-in operator: the API key's caller and the session's CSRF token.
pub struct UiSession {
    /// Who the API key belongs to (its project, scope, mode).
    pub caller: Caller,
    csrf: String,
    id: String,
    expires_at: i64,
}

impl UiSession {
    /// The CSRF token every form of this session carries.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The value of cookie `name` in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for `value` lasting `max_age` seconds (0 clears it).
fn set_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.config.ui_secure_cookie { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")).ok()
}

/// Where an unauthenticated page goes.
fn to_login() -> Response {
    see_other("/ui/login")
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sealed = cookie(&parts.headers, COOKIE).ok_or_else(to_login)?;
        let plain = state.secrets.open_token(PURPOSE, sealed).ok_or_else(to_login)?;
        let token: Token = serde_json::from_str(&plain).map_err(|_| to_login())?;
        if token.e <= now_millis() {
            return Err(to_login());
        }
        match state.store.ui_session_revoked(&token.s).await {
            Ok(false) => {}
            Ok(true) => return Err(to_login()),
            Err(e) => return Err(error_page(None, &e.into(), "/ui/login")),
        }
        match caller_for_key_hash(state, &token.h).await {
            Ok(caller) => {
                crate::http::access_log::record_project(&caller.project_id);
                Ok(UiSession { caller, csrf: token.c, id: token.s, expires_at: token.e })
            }
            Err(e) if e.status == StatusCode::UNAUTHORIZED => Err(to_login()),
            Err(e) => Err(error_page(None, &e, "/ui/login")),
        }
    }
}

/// `GET /ui/login`.
pub async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e))).unwrap_or_default();
    let body = format!(
        r#"{error}<form method="post" action="/ui/login" class="card">
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
    let token = Token {
        s: hex::encode(crate::ids::random_bytes::<16>()),
        h: hash.to_string(),
        e: now_millis().saturating_add(SESSION_TTL_MS),
        c: hex::encode(crate::ids::random_bytes::<32>()),
    };
    let sealed = serde_json::to_string(&token)
        .map_err(|e| ApiError::internal(e.to_string()))
        .and_then(|t| state.secrets.seal_token(PURPOSE, &t).map_err(|e| ApiError::internal(e.to_string())));
    match sealed {
        Ok(sealed) => with_cookie(see_other("/ui/messages"), set_cookie(&state, &sealed, SESSION_TTL_MS / 1000)),
        Err(e) => error_page(None, &e, "/ui/login"),
    }
}

/// `POST /ui/logout`: revokes the session (its token is refused from now on, wherever it was
/// copied) and clears the cookie.
pub async fn logout(State(state): State<AppState>, action: Action) -> Response {
    let session = &action.session;
    if let Err(e) = state.store.revoke_ui_session(&session.id, session.expires_at, now_millis()).await {
        return error_page(Some(session), &e.into(), "/ui");
    }
    tracing::info!(key_id = %session.caller.key_id, "dashboard logout: session revoked");
    with_cookie(see_other("/ui/login"), set_cookie(&state, "", 0))
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response.into_response()
}

/// `GET /ui`: the messages page when signed in, else the login page.
pub async fn home(session: Result<UiSession, Response>) -> Response {
    match session {
        Ok(_) => see_other("/ui/messages"),
        Err(_) => to_login(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; hb_ui_session=abc; b=2"));
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
