//! Authentication, API keys and projects.

use hookbridge::ErrorKind;
use reqwest::Method;
use serde_json::json;

use crate::harness::{DEV_KEY, Server};
use crate::support::{Raw, client_for};

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_a_valid_key_get_the_401_envelope() {
    let server = Server::start(&[]);
    for raw in [Raw::with_key(&server.url, None), Raw::with_key(&server.url, Some("hb_live_notarealkey000000000000000000000"))] {
        for (method, path) in [(Method::GET, "/v1/endpoints"), (Method::POST, "/v1/webhooks/send"), (Method::GET, "/v1/logs")] {
            let answer = raw.call(method, path, None).await;
            answer.expect_error(401, "UNAUTHORIZED");
            assert!(answer.headers.get("x-request-id").is_some(), "X-Request-Id on errors too");
        }
    }
    let err = client_for(&server.url, "hb_test_wrong0000000000000000000000000000").list_api_keys().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Authentication, Some(401)));
    // Unknown routes answer the envelope as well.
    Raw::new(&server.url).get("/v1/no-such-route").await.expect_error(404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_are_listed_created_and_revoked_at_once() {
    let server = Server::start(&[]);
    let client = server.client();

    let keys = client.list_api_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].prefix, &DEV_KEY[..11]);
    assert_eq!(keys[0].label.as_deref(), Some(""), "label is always present, empty when unset");

    // The dev key is a test key, and a test key never mints a live one.
    let refused = client.create_api_key("live", Some("ci deploys")).await.unwrap_err();
    assert_eq!((refused.status(), refused.code()), (Some(403), "FORBIDDEN"));
    let made = client.create_api_key("test", Some("ci deploys")).await.unwrap();
    assert!(made.key.starts_with("hb_test_") && made.key.len() == 40, "{}", made.key);
    assert_eq!(made.prefix, &made.key[..11]);
    assert_eq!(made.label.as_deref(), Some("ci deploys"));
    let test = client.create_api_key("test", None).await.unwrap();
    assert!(test.key.starts_with("hb_test_"));
    assert_eq!(test.label.as_deref(), Some(""));

    // The new key works, and its use is recorded.
    let with_made = client_for(&server.url, &made.key);
    let listed = with_made.list_api_keys().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|k| !k.prefix.is_empty() && k.key_id.starts_with("key_")));
    let mut recorded = false;
    for _ in 0..100 {
        let keys = client.list_api_keys().await.unwrap();
        if keys.iter().find(|k| k.key_id == made.key_id).and_then(|k| k.last_used_at).is_some() {
            recorded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(recorded, "last_used_at is set after the key authenticated a request");

    // Revocation is immediate and final.
    client.delete_api_key(&made.key_id).await.unwrap();
    let err = with_made.list_api_keys().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(client.delete_api_key(&made.key_id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert!(client.list_api_keys().await.unwrap().iter().all(|k| k.key_id != made.key_id));

    let raw = Raw::new(&server.url);
    raw.post("/v1/api-keys", json!({"mode": "staging"})).await.expect_error(400, "INVALID_REQUEST");
    let created = raw.post("/v1/api-keys", json!({"mode": "test", "label": "x", "unknown_field": 1})).await;
    assert_eq!(created.expect_ok(201)["label"], "x");
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_can_be_managed_with_an_api_key() {
    let server = Server::start(&[]);
    let client = server.client();

    let projects = client.list_projects().await.unwrap();
    assert_eq!(projects.len(), 1);
    let default = &projects[0];
    assert_eq!((default.status.as_str(), default.rate_limit_default), ("active", 1000));

    let staging = client.create_project("staging", None).await.unwrap();
    assert_eq!((staging.name.as_str(), staging.rate_limit_default, staging.status.as_str()), ("staging", 1000, "active"));
    assert_eq!(staging.tenant_id, default.tenant_id);
    assert_eq!(client.create_project("zero means default", Some(0)).await.unwrap().rate_limit_default, 1000);
    assert_eq!(client.get_project(&staging.id).await.unwrap(), staging);

    let renamed = client.update_project(&staging.id, Some("staging-eu"), None).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.rate_limit_default), ("staging-eu", 1000));
    let limited = client.update_project(&staging.id, None, Some(250)).await.unwrap();
    assert_eq!((limited.name.as_str(), limited.rate_limit_default), ("staging-eu", 250));
    assert_eq!(client.update_project(&staging.id, None, None).await.unwrap(), limited, "an empty PUT changes nothing");
    assert_eq!(client.list_projects().await.unwrap().len(), 3);

    client.delete_project(&staging.id).await.unwrap();
    assert_eq!(client.get_project(&staging.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.delete_project(&staging.id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.list_projects().await.unwrap().len(), 2);

    let raw = Raw::new(&server.url);
    raw.post("/v1/projects", json!({})).await.expect_error(400, "INVALID_REQUEST");
    raw.post("/v1/projects", json!({"name": ""})).await.expect_error(400, "INVALID_REQUEST");
    raw.post("/v1/projects", json!({"name": "x".repeat(256)})).await.expect_error(400, "INVALID_REQUEST");
    let message =
        raw.post("/v1/projects", json!({"name": "p", "rate_limit_default": "fast"})).await.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("rate_limit_default"), "the message names the field: {message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_project_revokes_its_keys() {
    let server = Server::start(&[]);
    let client = server.client();
    let raw = Raw::new(&server.url);
    let project = client.create_project("temp", None).await.unwrap();
    let key = raw.post("/v1/api-keys", json!({"mode": "test", "project_id": project.id})).await;
    let key = key.expect_ok(201)["key"].as_str().unwrap().to_owned();
    let other = client_for(&server.url, &key);
    assert!(other.list_api_keys().await.is_ok());
    client.delete_project(&project.id).await.unwrap();
    assert_eq!(other.list_api_keys().await.unwrap_err().kind(), ErrorKind::Authentication);
    // A key for a project outside the tenant (or unknown) cannot be made.
    raw.post("/v1/api-keys", json!({"mode": "test", "project_id": project.id})).await.expect_error(404, "NOT_FOUND");
}
