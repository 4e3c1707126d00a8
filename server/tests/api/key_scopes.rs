//! Key scopes and modes: project keys act only inside their project, admin keys manage the
//! tenant's projects and keys, and no key mints (or revokes) a key wider than itself.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{DEV_KEY, Server};
use crate::support::{Raw, WAIT, eventually};

/// A live admin key given with `--api-key` (dev mode keeps the rest of the test setup simple).
const LIVE_ADMIN: &str = "hb_live_scopetest0000000000000000000000";

fn key_of(answer: &Value) -> String {
    answer["key"].as_str().expect("key in the answer").to_owned()
}

/// The id of the listed key whose prefix is `key`'s.
async fn key_id_of(raw: &Raw, key: &str) -> String {
    let keys = raw.get("/v1/api-keys").await;
    let listed = keys.expect_ok(200).as_array().expect("a key list").clone();
    let found = listed.iter().find(|k| k["prefix"] == key[..11]).expect("the key is listed");
    found["key_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn project_keys_act_only_inside_their_project() {
    let server = Server::start(&[]);
    let admin = Raw::new(&server.url);
    let default_project = admin.get("/v1/projects").await.expect_ok(200)[0]["id"].as_str().unwrap().to_owned();
    let other = admin.post("/v1/projects", json!({"name": "tenant b"})).await.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let key_b = key_of(admin.post("/v1/api-keys", json!({"mode": "test", "project_id": other})).await.expect_ok(201));
    let b = Raw::with_key(&server.url, Some(&key_b));

    // No key for, and no change to, another project.
    let message = b.post("/v1/api-keys", json!({"project_id": default_project})).await.expect_error(403, "FORBIDDEN");
    assert!(message.contains("admin"), "the message says an admin key is needed: {message}");
    b.post("/v1/projects", json!({"name": "mine now"})).await.expect_error(403, "FORBIDDEN");
    for (method, project) in [(Method::PUT, &default_project), (Method::DELETE, &default_project), (Method::PUT, &other)] {
        let body = (method == Method::PUT).then(|| json!({"name": "taken", "rate_limit_default": 1_000_000}));
        b.call(method, &format!("/v1/projects/{project}"), body).await.expect_error(403, "FORBIDDEN");
    }
    b.post("/v1/api-keys", json!({"admin": true})).await.expect_error(403, "FORBIDDEN");
    // It sees its own project only; the other is as absent as any other project's resource.
    let listed = b.get("/v1/projects").await;
    let ids: Vec<&str> = listed.expect_ok(200).as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![other.as_str()]);
    b.get(&format!("/v1/projects/{default_project}")).await.expect_error(404, "NOT_FOUND");
    assert_eq!(b.get(&format!("/v1/projects/{other}")).await.expect_ok(200)["name"], "tenant b");
    // Inside its project it still manages keys: `{}` makes a key of its own mode and scope.
    let own = b.post("/v1/api-keys", json!({})).await;
    assert!(key_of(own.expect_ok(201)).starts_with("hb_test_"));

    // A project key in the admin key's own project cannot revoke the admin key.
    let neighbour = key_of(admin.post("/v1/api-keys", json!({"label": "neighbour"})).await.expect_ok(201));
    let neighbour = Raw::with_key(&server.url, Some(&neighbour));
    let admin_key_id = key_id_of(&admin, DEV_KEY).await;
    neighbour.call(Method::DELETE, &format!("/v1/api-keys/{admin_key_id}"), None).await.expect_error(403, "FORBIDDEN");
    admin.get("/v1/api-keys").await.expect_ok(200);

    // The admin key manages every project, and deleting one revokes its keys.
    let renamed = admin.call(Method::PUT, &format!("/v1/projects/{other}"), Some(json!({"name": "b2"}))).await;
    assert_eq!(renamed.expect_ok(200)["name"], "b2");
    admin.call(Method::DELETE, &format!("/v1/projects/{other}"), None).await.expect_ok(200);
    b.get("/v1/api-keys").await.expect_error(401, "UNAUTHORIZED");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_never_mints_a_wider_key() {
    // The dev key is a test admin key: `{}` gives a test key, and live is refused.
    let server = Server::start(&[]);
    let dev = Raw::new(&server.url);
    assert!(key_of(dev.post("/v1/api-keys", json!({})).await.expect_ok(201)).starts_with("hb_test_"));
    let message = dev.post("/v1/api-keys", json!({"mode": "live"})).await.expect_error(403, "FORBIDDEN");
    assert!(message.contains("test key cannot create a live key"), "{message}");
    let project = dev.post("/v1/projects", json!({"name": "p"})).await.expect_ok(201)["id"].as_str().unwrap().to_owned();
    dev.post("/v1/api-keys", json!({"mode": "live", "project_id": project})).await.expect_error(403, "FORBIDDEN");
    drop(server);

    // A live admin key: `{}` gives a live project key; it can make admin keys of either mode.
    let server = Server::start(&["--api-key", LIVE_ADMIN]);
    let live = Raw::with_key(&server.url, Some(LIVE_ADMIN));
    let plain = key_of(live.post("/v1/api-keys", json!({})).await.expect_ok(201));
    assert!(plain.starts_with("hb_live_"));
    Raw::with_key(&server.url, Some(&plain)).post("/v1/projects", json!({"name": "x"})).await.expect_error(403, "FORBIDDEN");
    let second_admin = key_of(live.post("/v1/api-keys", json!({"mode": "live", "admin": true})).await.expect_ok(201));
    Raw::with_key(&server.url, Some(&second_admin)).post("/v1/projects", json!({"name": "x"})).await.expect_ok(201);
    let test_admin = key_of(live.post("/v1/api-keys", json!({"mode": "test", "admin": true})).await.expect_ok(201));
    let test_admin = Raw::with_key(&server.url, Some(&test_admin));
    test_admin.post("/v1/api-keys", json!({"mode": "live"})).await.expect_error(403, "FORBIDDEN");
    // ...nor revoke one: a test key cannot revoke the live admin key.
    let live_id = key_id_of(&test_admin, LIVE_ADMIN).await;
    test_admin.call(Method::DELETE, &format!("/v1/api-keys/{live_id}"), None).await.expect_error(403, "FORBIDDEN");
    live.get("/v1/api-keys").await.expect_ok(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_endpoint_rejections_are_listed_to_admin_keys_only() {
    let server = Server::start(&[]);
    let admin = Raw::new(&server.url);
    let project_key = key_of(admin.post("/v1/api-keys", json!({"label": "tenant"})).await.expect_ok(201));
    let tenant = Raw::with_key(&server.url, Some(&project_key));
    let unknown = "/v1/webhooks/receive/01935abc-def0-7123-4567-890abcdef012/not-a-token";
    let refused = Raw::with_key(&server.url, None).post(unknown, json!({"probe": 1})).await;
    assert_eq!(refused.status, 404, "{}", refused.text);

    let reasons = |answer: crate::support::Answer| -> Vec<String> {
        answer.expect_ok(200).as_array().unwrap().iter().map(|r| r["reason_code"].as_str().unwrap().to_owned()).collect()
    };
    let seen = eventually("the rejection is listed to the admin key", WAIT, || async {
        let listed = reasons(admin.get("/v1/inbound-rejections").await);
        (!listed.is_empty()).then_some(listed)
    })
    .await;
    assert_eq!(seen, vec!["endpoint_not_found"]);
    assert!(reasons(tenant.get("/v1/inbound-rejections").await).is_empty(), "a project key sees no server-wide rejection");
}
