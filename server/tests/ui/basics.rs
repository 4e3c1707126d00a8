//! Login and the session cookie, sessions across server processes sharing a secrets key, CSRF
//! and Origin checks on actions, escaping of user-controlled text, the security headers, and a
//! replay from a message page.

use crate::harness::{Answer, DEV_KEY, Receiver, Server, wait_for_status};
use crate::support::{SHARED_KEY, WAIT, csrf_of, get_page, http, login, logout, post_form};
use hookbridge::{CreateEndpointOptions, SendOptions};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn login_sets_a_strict_httponly_cookie_and_pages_need_a_valid_one() {
    let server = Server::start(&[]);
    let anonymous = http().get(format!("{}/ui/messages", server.url)).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "no session: to the login page");
    assert_eq!(anonymous.headers()["location"], "/ui/login");

    let login_page = http().get(format!("{}/ui/login", server.url)).send().await.unwrap();
    assert_eq!(login_page.status(), 200);
    let csp = login_page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(login_page.headers()["x-content-type-options"], "nosniff");
    assert!(login_page.text().await.unwrap().contains("<title>Log in · HookBridge</title>"));

    let wrong = http()
        .post(format!("{}/ui/login", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("api_key=hb_test_wrong0000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401, "a wrong key is refused like the API refuses it");
    assert!(wrong.headers().get("set-cookie").is_none());
    assert!(wrong.text().await.unwrap().contains("invalid or revoked API key"));

    let (set_cookie, cookie) = login(&server, DEV_KEY).await;
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"] {
        assert!(set_cookie.contains(attribute), "{attribute} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "Secure only with --ui-secure-cookie");
    assert!(!set_cookie.contains(DEV_KEY), "the cookie does not carry the key");

    for (path, title) in [
        ("/ui/endpoints", "Endpoints"),
        ("/ui/messages", "Messages"),
        ("/ui/dlq", "Dead letter queue"),
        ("/ui/inbound", "Inbound"),
        ("/ui/metrics", "Metrics"),
    ] {
        let (status, body) = get_page(&server, &cookie, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(&format!("<title>{title} · HookBridge</title>")), "{path} has its title");
        assert!(!body.contains("<script>"), "{path}: no inline script");
    }

    // A tampered token (one character changed) does not open.
    let (name, value) = cookie.split_once('=').unwrap();
    let mut bytes = value.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let (status, _) = get_page(&server, &tampered, "/ui/messages").await;
    assert_eq!(status, 303, "a tampered session goes back to the login page");

    // Logout clears the cookie.
    assert!(logout(&server, &cookie).await.contains("Max-Age=0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secure_flag_is_set_when_configured() {
    let server = Server::start(&["--ui-secure-cookie"]);
    let (set_cookie, _) = login(&server, DEV_KEY).await;
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_from_one_node_works_on_another_with_the_same_secrets_key_only() {
    let a = Server::start(&["--secrets-key", SHARED_KEY]);
    let b = Server::start(&["--secrets-key", SHARED_KEY]);
    let other = Server::start(&[]);
    let (_, cookie) = login(&a, DEV_KEY).await;
    let (status, body) = get_page(&b, &cookie, "/ui/endpoints").await;
    assert_eq!(status, 200, "no server-side session state: node b opens node a's token");
    assert!(body.contains("<title>Endpoints"));
    let (status, _) = get_page(&other, &cookie, "/ui/endpoints").await;
    assert_eq!(status, 303, "a server with another secrets key refuses it");
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_without_the_csrf_token_or_from_another_origin_are_refused() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let (_, cookie) = login(&server, DEV_KEY).await;
    let (_, page) = get_page(&server, &cookie, "/ui/endpoints").await;
    let csrf = csrf_of(&page);
    let pause = format!("/ui/endpoints/{}/pause", ep.id);
    let own_origin = server.url.clone();

    let (status, _, body) = post_form(&server, &cookie, &pause, "", Some(&own_origin)).await;
    assert_eq!(status, 403, "no CSRF token");
    assert!(body.contains("CSRF token is missing or wrong"));
    let wrong = format!("csrf={}", "0".repeat(csrf.len()));
    assert_eq!(post_form(&server, &cookie, &pause, &wrong, Some(&own_origin)).await.0, 403, "a wrong token");
    let right = format!("csrf={csrf}");
    assert_eq!(post_form(&server, &cookie, &pause, &right, Some("http://evil.example")).await.0, 403, "another origin");
    assert!(!client.get_endpoint(&ep.id).await.unwrap().paused, "nothing refused changed the endpoint");

    let (status, location, _) = post_form(&server, &cookie, &pause, &right, Some(&own_origin)).await;
    assert_eq!((status, location.as_str()), (303, "/ui/endpoints?done=paused"));
    assert!(client.get_endpoint(&ep.id).await.unwrap().paused, "the checked action paused the endpoint");

    // The token of another session does not pass.
    let (_, other_cookie) = login(&server, DEV_KEY).await;
    let (_, other_page) = get_page(&server, &other_cookie, "/ui/endpoints").await;
    assert_ne!(csrf_of(&other_page), csrf, "one token per session");
    let resume = format!("/ui/endpoints/{}/resume", ep.id);
    assert_eq!(post_form(&server, &other_cookie, &resume, &right, None).await.0, 403);

    // A cross-site login attempt is refused before the key is looked at.
    let response = http()
        .post(format!("{}/ui/login", server.url))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("api_key={DEV_KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn user_controlled_text_is_escaped_on_every_page() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let payload = r#"<script>alert("description")</script>"#;
    let options = CreateEndpointOptions { description: Some(payload.to_owned()), ..Default::default() };
    let ep = client.create_endpoint(&receiver.url, &options).await.unwrap();
    let sent =
        client.send(&ep.id, &json!({ "html": "<script>alert('payload')</script>" }), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    let (_, cookie) = login(&server, DEV_KEY).await;

    let (_, endpoints) = get_page(&server, &cookie, "/ui/endpoints").await;
    assert!(endpoints.contains("&lt;script&gt;alert(&quot;description&quot;)&lt;/script&gt;"), "escaped description");
    assert!(!endpoints.contains("<script>alert"), "no live script from a description");

    let (status, detail) = get_page(&server, &cookie, &format!("/ui/messages/{}", sent.message_id)).await;
    assert_eq!(status, 200);
    assert!(detail.contains("&lt;script&gt;alert(&#39;payload&#39;)&lt;/script&gt;"), "escaped payload");
    assert!(!detail.contains("<script>alert"), "no live script from a payload");

    // A filter value is echoed escaped, and a bad one is the API's 400 as a page.
    let (status, page) = get_page(&server, &cookie, "/ui/messages?endpoint_id=%22%3E%3Cscript%3Ex").await;
    assert_eq!(status, 400);
    assert!(!page.contains("\"><script>x") && page.contains("INVALID_REQUEST"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_message_is_replayed_from_its_page_and_its_attempts_are_listed() {
    let server = Server::start(&["--max-attempts", "1"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.script([Answer::status(500)]);
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = client.send(&ep.id, &json!({ "n": 1 }), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &sent.message_id, "failed_permanent", WAIT).await;
    let (_, cookie) = login(&server, DEV_KEY).await;

    let (_, list) = get_page(&server, &cookie, "/ui/messages?status=failed_permanent").await;
    assert!(list.contains(&sent.message_id), "the failed message is listed under its status");
    let (_, dlq) = get_page(&server, &cookie, "/ui/dlq").await;
    assert!(dlq.contains(&sent.message_id), "and in the dead letter queue");

    let path = format!("/ui/messages/{}", sent.message_id);
    let (_, detail) = get_page(&server, &cookie, &path).await;
    assert!(detail.contains(r#"<td data-label="Response status">500</td>"#), "the failed attempt's status is shown");
    let (status, location, _) =
        post_form(&server, &cookie, &format!("{path}/replay"), &format!("csrf={}", csrf_of(&detail)), Some(&server.url)).await;
    assert_eq!((status, location), (303, format!("{path}?done=replayed")));
    wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
    let (_, detail) = get_page(&server, &cookie, &path).await;
    assert!(detail.contains(r#"<td data-label="Response status">200</td>"#), "the replayed attempt is listed");
    assert!(detail.contains(r#"<td data-label="Response status">500</td>"#), "beside the first one");

    // Refusals come back as the API's error, as a page: a succeeded message has no retry to cancel.
    let (status, _, body) =
        post_form(&server, &cookie, &format!("{path}/cancel"), &format!("csrf={}", csrf_of(&detail)), None).await;
    assert_eq!(status, 409);
    assert!(body.contains("INVALID_STATUS"));
}
