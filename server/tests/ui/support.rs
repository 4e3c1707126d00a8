//! Helpers of the dashboard tests: a raw HTTP client without redirects or cookies, login, pages
//! and forms with the session cookie, the CSRF token of a page.

#![allow(dead_code)]

use std::time::Duration;

use crate::harness::Server;

/// How long tests wait for deliveries.
pub const WAIT: Duration = Duration::from_secs(20);
/// A secrets key (32 bytes, base64) shared by the "nodes" of the multi-node test.
pub const SHARED_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// An HTTP client that does not follow redirects and keeps no cookies (the tests carry them).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Logs in with `key`; returns the `Set-Cookie` header and the `name=value` pair to send back.
pub async fn login(server: &Server, key: &str) -> (String, String) {
    let response = http()
        .post(format!("{}/ui/login", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("api_key={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "a good key logs in");
    assert_eq!(response.headers()["location"], "/ui/messages");
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    (set_cookie, pair)
}

/// GET a dashboard page with the session cookie: (status, body).
pub async fn get_page(server: &Server, cookie: &str, path: &str) -> (u16, String) {
    let response = http().get(format!("{}{path}", server.url)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let start = html.find(r#"name="csrf" value=""#).expect("the page has a CSRF field") + r#"name="csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// POSTs a form: (status, location header, body).
pub async fn post_form(server: &Server, cookie: &str, path: &str, body: &str, origin: Option<&str>) -> (u16, String, String) {
    let mut request = http()
        .post(format!("{}{path}", server.url))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (response.status().as_u16(), location, response.text().await.unwrap())
}

/// Logs out the session of `cookie`; returns the `Set-Cookie` of the answer.
pub async fn logout(server: &Server, cookie: &str) -> String {
    let (_, page) = get_page(server, cookie, "/ui/messages").await;
    let response = http()
        .post(format!("{}/ui/logout", server.url))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}", csrf_of(&page)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/ui/login");
    response.headers()["set-cookie"].to_str().unwrap().to_owned()
}
