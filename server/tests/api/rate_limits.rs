//! The per-project API rate limit (`rate_limit_default`, requests per minute) and the
//! throttle on repeated failed authentications from one address.

use serde_json::json;

use crate::harness::Server;
use crate::support::{Raw, WAIT, eventually};

/// A new project with this limit, and a client with a key of it.
async fn project_with_limit(admin: &Raw, per_minute: i64) -> (String, Raw) {
    let project = admin.post("/v1/projects", json!({"name": "limited", "rate_limit_default": per_minute})).await;
    let project = project.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let key = admin.post("/v1/api-keys", json!({"project_id": project})).await.expect_ok(201)["key"].as_str().unwrap().to_owned();
    (project, Raw::with_key(&admin.base, Some(&key)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_over_its_rate_limit_gets_429_with_retry_after() {
    let server = Server::start(&["--api-rate-limit", "on"]);
    let admin = Raw::new(&server.url);
    let (project, small) = project_with_limit(&admin, 5).await;

    for _ in 0..5 {
        small.get("/v1/api-keys").await.expect_ok(200);
    }
    let limited = small.get("/v1/endpoints").await;
    let message = limited.expect_error(429, "RATE_LIMITED");
    assert!(message.contains("5 requests per minute"), "{message}");
    let retry_after: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=12).contains(&retry_after), "5 per minute refills one request every 12 s, got {retry_after}");
    // Other projects keep their own budget.
    admin.get("/v1/api-keys").await.expect_ok(200);

    // A higher limit applies without a restart.
    admin
        .call(reqwest::Method::PUT, &format!("/v1/projects/{project}"), Some(json!({"rate_limit_default": 6000})))
        .await
        .expect_ok(200);
    eventually("the raised limit applies", WAIT, || async { (small.get("/v1/api-keys").await.status == 200).then_some(()) })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_mode_leaves_the_api_rate_limit_off_unless_asked() {
    let server = Server::start(&[]);
    let (_, tiny) = project_with_limit(&Raw::new(&server.url), 1).await;
    for _ in 0..20 {
        tiny.get("/v1/api-keys").await.expect_ok(200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_failed_authentication_from_one_address_is_throttled() {
    let server = Server::start(&["--auth-failure-limit", "5", "--auth-failure-window-secs", "30"]);
    let wrong = Raw::with_key(&server.url, Some("hb_live_guess0000000000000000000000000000"));
    for _ in 0..5 {
        wrong.get("/v1/api-keys").await.expect_error(401, "UNAUTHORIZED");
    }
    let throttled = wrong.get("/v1/api-keys").await;
    throttled.expect_error(429, "RATE_LIMITED");
    let retry_after: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "Retry-After within the window, got {retry_after}");
    // The key is not even checked while the address is throttled, a valid one included.
    Raw::new(&server.url).get("/v1/api-keys").await.expect_error(429, "RATE_LIMITED");
    // Unauthenticated routes are not affected.
    assert_eq!(Raw::with_key(&server.url, None).get("/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_failed_authentication_throttle_is_on_by_default() {
    let server = Server::start(&[]);
    let wrong = Raw::with_key(&server.url, Some("hb_test_guess0000000000000000000000000000"));
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(wrong.get("/v1/endpoints").await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 20, "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}
