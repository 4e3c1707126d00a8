//! Dashboard sessions: the session cookie, how a request proves one, and how one starts and
//! ends (the login and logout pages are in [`super::login`]).
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

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};

use crate::clock::now_millis;
use crate::error::ApiError;
use crate::http::auth::{Caller, caller_for_key_hash};
use crate::state::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "hb_ui_session";
/// The login page, where a request without a valid session is sent.
pub const LOGIN_PATH: &str = "/ui/login";
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

/// Why a request has no session: the page goes to the login form, or (the store or the key
/// lookup failed) shows the error. Rendered as a page by the dashboard's layout.
pub enum Rejected {
    /// No valid session: sign in first.
    SignIn,
    /// The session could not be checked.
    Failed(ApiError),
}

/// The `Set-Cookie` value of a new session for the API key whose SHA-256 (hex) is `key_hash`.
pub fn sign_in_cookie(state: &AppState, key_hash: &str) -> Result<Option<HeaderValue>, ApiError> {
    let token = Token {
        s: hex::encode(crate::ids::random_bytes::<16>()),
        h: key_hash.to_string(),
        e: now_millis().saturating_add(SESSION_TTL_MS),
        c: hex::encode(crate::ids::random_bytes::<32>()),
    };
    let plain = serde_json::to_string(&token).map_err(|e| ApiError::internal(e.to_string()))?;
    let sealed = state.secrets.seal_token(PURPOSE, &plain).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(set_cookie(state, &sealed, SESSION_TTL_MS / 1000))
}

/// Revokes `session` (its token is refused from now on, wherever it was copied) and returns
/// the `Set-Cookie` value that clears the cookie.
pub async fn sign_out(state: &AppState, session: &UiSession) -> Result<Option<HeaderValue>, ApiError> {
    state.store.revoke_ui_session(&session.id, session.expires_at, now_millis()).await?;
    Ok(set_cookie(state, "", 0))
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Rejected;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sealed = cookie(&parts.headers, COOKIE).ok_or(Rejected::SignIn)?;
        let plain = state.secrets.open_token(PURPOSE, sealed).ok_or(Rejected::SignIn)?;
        let token: Token = serde_json::from_str(&plain).map_err(|_| Rejected::SignIn)?;
        if token.e <= now_millis() {
            return Err(Rejected::SignIn);
        }
        match state.store.ui_session_revoked(&token.s).await {
            Ok(false) => {}
            Ok(true) => return Err(Rejected::SignIn),
            Err(e) => return Err(Rejected::Failed(e.into())),
        }
        match caller_for_key_hash(state, &token.h).await {
            Ok(caller) => {
                crate::http::access_log::record_project(&caller.project_id);
                Ok(UiSession { caller, csrf: token.c, id: token.s, expires_at: token.e })
            }
            Err(e) if e.status == StatusCode::UNAUTHORIZED => Err(Rejected::SignIn),
            Err(e) => Err(Rejected::Failed(e)),
        }
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
