//! The page shell every dashboard page shares (title, navigation, logout form, notices) and the
//! escaping helpers: every user-controlled string goes through [`esc`] before it reaches HTML.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::session::{LOGIN_PATH, Rejected, UiSession};
use crate::error::ApiError;

/// The sections of the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Outbound endpoints.
    Endpoints,
    /// Outbound messages.
    Messages,
    /// The dead letter queue.
    Dlq,
    /// Inbound endpoints and rejections.
    Inbound,
    /// Metrics and the chart.
    Metrics,
    /// Not in the navigation (login).
    None,
}

const NAV: [(Nav, &str, &str); 5] = [
    (Nav::Endpoints, "/ui/endpoints", "Endpoints"),
    (Nav::Messages, "/ui/messages", "Messages"),
    (Nav::Dlq, "/ui/dlq", "Dead letters"),
    (Nav::Inbound, "/ui/inbound", "Inbound"),
    (Nav::Metrics, "/ui/metrics", "Metrics"),
];

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn query_value(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_default()
}

/// An optional time, or an em dash.
pub fn opt_time(ms: Option<i64>) -> String {
    ms.map(time).unwrap_or_else(|| "—".to_owned())
}

/// An optional number, or an em dash.
pub fn opt_num(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned())
}

/// A POST form with one button, carrying the session's CSRF token.
pub fn action_button(session: &UiSession, action: &str, label: &str, class: &str) -> String {
    format!(
        r#"<form method="post" action="{}" class="inline"><input type="hidden" name="csrf" value="{}"><button type="submit" class="{}">{}</button></form>"#,
        esc(action),
        esc(session.csrf()),
        esc(class),
        esc(label)
    )
}

/// The hidden CSRF field of a form.
pub fn csrf_field(session: &UiSession) -> String {
    format!(r#"<input type="hidden" name="csrf" value="{}">"#, esc(session.csrf()))
}

/// Label/value pairs (values already escaped HTML) as a definition list.
pub fn facts(items: &[(&str, String)]) -> String {
    let rows: String = items.iter().map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>")).collect();
    format!(r#"<dl class="facts">{rows}</dl>"#)
}

/// The state badge of an endpoint (outbound or inbound).
pub fn paused_badge(paused: bool) -> &'static str {
    if paused { r#"<span class="badge warn">paused</span>"# } else { r#"<span class="badge ok">active</span>"# }
}

/// A notice (success) shown at the top of a page; `None` when there is nothing to say.
pub fn notice(text: Option<&str>) -> String {
    text.map(|t| format!(r#"<p class="notice" role="status">{}</p>"#, esc(t))).unwrap_or_default()
}

/// A whole page: `<title>` "`title` · HookBridge", the navigation (with `current` marked) and a
/// logout button when signed in, then `body` (already escaped HTML).
pub fn page(status: StatusCode, title: &str, session: Option<&UiSession>, current: Nav, body: &str) -> Response {
    let nav = match session {
        Some(s) => {
            let links: String = NAV
                .iter()
                .map(|(nav, href, label)| {
                    let aria = if *nav == current { r#" aria-current="page""# } else { "" };
                    format!(r#"<li><a href="{href}"{aria}>{label}</a></li>"#)
                })
                .collect();
            format!(r#"<nav aria-label="Main"><ul>{links}</ul>{}</nav>"#, action_button(s, "/ui/logout", "Log out", "secondary"))
        }
        None => String::new(),
    };
    let html = format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · HookBridge</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/ui">HookBridge</a>{nav}</header>
<main id="main" tabindex="-1">
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"##,
        title = esc(title)
    );
    html_response(status, html)
}

/// An HTML answer with the dashboard's security headers (see `security_headers` in the `ui` module).
pub fn html_response(status: StatusCode, html: String) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html).into_response()
}

/// A refused action or a failed read as a page: the API's status, code and message.
pub fn error_page(session: Option<&UiSession>, error: &ApiError, back: &str) -> Response {
    let body = format!(
        r#"<p class="error" role="alert"><strong>{}</strong>: {}</p><p><a href="{}">Back</a></p>"#,
        esc(error.code),
        esc(&error.message),
        esc(back)
    );
    page(error.status, "Error", session, Nav::None, &body)
}

/// 303 See Other to `location` (after a successful action: reloading does not repeat it).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A request without a valid session: the login form, or the error that stopped the check.
impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        match self {
            Rejected::SignIn => see_other(LOGIN_PATH),
            Rejected::Failed(e) => error_page(None, &e, LOGIN_PATH),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(query_value("a b&c=d"), "a+b%26c%3Dd");
    }
}
