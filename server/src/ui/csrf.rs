//! CSRF protection of every state-changing dashboard action: the form must carry the session's
//! CSRF token (compared in constant time), and a browser's `Origin` (or `Sec-Fetch-Site`) must
//! say the form came from this server. [`Action`] is the only way a handler gets a POSTed form
//! with a session, so no action can skip the checks.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::layout::{Nav, esc, page};
use super::session::UiSession;
use crate::state::AppState;

/// Largest form body accepted.
const FORM_LIMIT: usize = 64 * 1024;

/// A POSTed form of a signed-in operator that passed the CSRF checks.
pub struct Action {
    /// The session.
    pub session: UiSession,
    fields: Vec<(String, String)>,
}

impl Action {
    /// The value of form field `name` (the first one), trimmed; `None` when absent or empty.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.raw_field(name).filter(|v| !v.is_empty())
    }

    /// The value of form field `name` (the first one), trimmed, even when empty (a field the
    /// operator cleared); `None` when the form has no such field.
    pub fn raw_field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }
}

/// 403 page naming the refused check.
pub fn forbidden(reason: &str) -> Response {
    tracing::info!(reason, "dashboard action refused");
    let body = format!(r#"<p class="error" role="alert">{}</p><p><a href="/ui">Back to the dashboard</a></p>"#, esc(reason));
    page(StatusCode::FORBIDDEN, "Action refused", None, Nav::None, &body)
}

/// Refuses a request a browser says came from another site: `Origin` must name this host
/// (as the `Host` header gives it); without `Origin`, `Sec-Fetch-Site` must not be `cross-site`
/// or `same-site`. Requests with neither header (not from a browser) pass this check and still
/// need the CSRF token.
pub fn check_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        return match (origin_host, host) {
            (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
            _ => Err("the request's Origin is not this server"),
        };
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site" | "same-site") => Err("the request came from another site"),
        _ => Ok(()),
    }
}

/// Whether the submitted token equals the session's, in time independent of where they differ.
pub fn tokens_match(submitted: &str, expected: &str) -> bool {
    !expected.is_empty() && submitted.len() == expected.len() && bool::from(submitted.as_bytes().ct_eq(expected.as_bytes()))
}

/// Reads a form body of at most `FORM_LIMIT` bytes.
pub async fn read_form(body: axum::body::Body) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        let body = format!(r#"<p class="error" role="alert">the form is larger than {FORM_LIMIT} bytes</p>"#);
        page(StatusCode::PAYLOAD_TOO_LARGE, "Form too large", None, Nav::None, &body)
    })
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

impl FromRequest<AppState> for Action {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        check_origin(&parts.headers).map_err(forbidden)?;
        let session = UiSession::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let fields = parse_form(&read_form(body).await?);
        let submitted = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
        if !tokens_match(submitted, session.csrf()) {
            return Err(forbidden("the form's CSRF token is missing or wrong; reload the page and try again"));
        }
        Ok(Action { session, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_must_match_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abd", "abc"));
        assert!(!tokens_match("ab", "abc"));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn origin_must_be_this_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(check_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(check_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(check_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(check_origin(&h).is_err());
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(check_origin(&h).is_err());
    }
}
