//! Outbound endpoints and signing keys, API keys and projects, each
//! operation exercised over real HTTP against a recording server.

mod common;

use common::{Scripted, exchange, ts};
use hookbridge::models::HeaderMap;
use hookbridge::signing::SignatureScheme;
use hookbridge::{
    ApiKeyInfo, CreateApiKeyResponse, CreateEndpointOptions, CreateEndpointResponse, Endpoint, EndpointSummary,
    ListEndpointsResponse, Page, PauseState, Project, RotateSecretResponse, SigningKey, UpdateEndpointOptions,
};
use serde_json::json;

const EP: &str = "ep_550e8400e29b41d4a716446655440000";
const SK: &str = "sk_550e8400e29b41d4a716446655440001";
const PROJECT: &str = "01935abc-def0-7123-4567-890abcdef012";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn create_endpoint_sends_only_truthy_options() {
    let data = json!({"id": EP, "url": "https://example.com/webhook", "signing_secret": "whsec_test_secret_12345",
        "created_at": "2025-01-01T00:00:00Z"});
    let falsy = CreateEndpointOptions {
        description: Some(String::new()),
        rate_limit_rps: 0,
        burst: 0,
        headers: Some(HeaderMap::new()),
        signature_scheme: None,
    };
    let (created, req) =
        exchange(Scripted::data(data), async |c| c.create_endpoint("https://example.com/webhook", &falsy).await).await;
    req.expect("POST", "/v1/endpoints", None).expect_json(json!({"url": "https://example.com/webhook"}));
    assert_eq!(
        created,
        CreateEndpointResponse {
            id: EP.into(),
            url: "https://example.com/webhook".into(),
            signing_secret: "whsec_test_secret_12345".into(),
            created_at: ts("2025-01-01T00:00:00Z"),
            description: None,
            signing_key_id: None,
            key_hint: None,
        }
    );
}

#[tokio::test]
async fn create_endpoint_with_every_option() {
    let data = json!({"id": EP, "url": "https://example.com/webhook", "signing_secret": "whsec_abcd", "created_at": "2025-01-01T00:00:00Z",
        "description": "Orders", "signing_key_id": SK, "key_hint": "abcd"});
    let options = CreateEndpointOptions {
        description: Some("Orders".into()),
        rate_limit_rps: 10,
        burst: 20,
        headers: Some(headers(&[("X-Env", "prod"), ("X-A", "1")])),
        signature_scheme: Some(SignatureScheme::StandardWebhooks),
    };
    let (created, req) =
        exchange(Scripted::data(data), async |c| c.create_endpoint("https://example.com/webhook", &options).await).await;
    req.expect("POST", "/v1/endpoints", None).expect_json(json!({
        "url": "https://example.com/webhook", "description": "Orders", "rate_limit_rps": 10, "burst": 20,
        "headers": {"X-Env": "prod", "X-A": "1"}, "signature_scheme": "standard_webhooks"
    }));
    assert_eq!(req.json_keys(), ["url", "description", "rate_limit_rps", "burst", "headers", "signature_scheme"]);
    assert_eq!(
        (created.description.as_deref(), created.signing_key_id.as_deref(), created.key_hint.as_deref()),
        (Some("Orders"), Some(SK), Some("abcd"))
    );
}

#[tokio::test]
async fn get_endpoint_parses_every_field() {
    let data = json!({"id": EP, "url": "https://example.com/webhook", "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-02T00:00:00Z", "paused": true, "description": "Test endpoint", "rate_limit_rps": 10,
        "burst": 20, "headers": {"X-Env": "prod"}, "signature_scheme": "standard_webhooks"});
    let (endpoint, req) = exchange(Scripted::data(data), async |c| c.get_endpoint(EP).await).await;
    req.expect("GET", &format!("/v1/endpoints/{EP}"), None).expect_no_body();
    assert_eq!(
        endpoint,
        Endpoint {
            id: EP.into(),
            url: "https://example.com/webhook".into(),
            created_at: ts("2025-01-01T00:00:00Z"),
            updated_at: ts("2025-01-02T00:00:00Z"),
            paused: true,
            description: Some("Test endpoint".into()),
            rate_limit_rps: Some(10),
            burst: Some(20),
            headers: Some(headers(&[("X-Env", "prod")])),
            signature_scheme: SignatureScheme::StandardWebhooks,
        }
    );
    let minimal = json!({"id": EP, "url": "u", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z", "paused": false});
    let (endpoint, _) = exchange(Scripted::data(minimal), async |c| c.get_endpoint(EP).await).await;
    assert_eq!((endpoint.description, endpoint.rate_limit_rps, endpoint.burst, endpoint.headers), (None, None, None, None));
    // A server that does not know the setting: the default scheme.
    assert_eq!(endpoint.signature_scheme, SignatureScheme::Hookbridge);
}

#[tokio::test]
async fn get_endpoint_requires_paused() {
    let server = common::MockServer::always(Scripted::data(
        json!({"id": EP, "url": "u", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}),
    ));
    let err = server.client().get_endpoint(EP).await.unwrap_err();
    assert_eq!(err.kind(), hookbridge::ErrorKind::InvalidResponse);
    assert!(err.message().contains("paused"), "{err}");
}

fn endpoint_summary_json() -> serde_json::Value {
    json!({"id": EP, "url": "https://example.com/webhook", "created_at": "2025-01-01T00:00:00Z", "paused": false, "description": "Test endpoint"})
}

#[tokio::test]
async fn list_endpoints_derives_has_more_from_next_cursor() {
    let body = json!({"data": [endpoint_summary_json()], "meta": {"request_id": "r", "next_cursor": "c1"}});
    let page = Page { limit: Some(2), cursor: Some("c0".into()) };
    let (list, req) = exchange(Scripted::json(200, body), async |c| c.list_endpoints(&page).await).await;
    req.expect("GET", "/v1/endpoints", Some("limit=2&cursor=c0")).expect_no_body();
    assert_eq!(
        list,
        ListEndpointsResponse {
            endpoints: vec![EndpointSummary {
                id: EP.into(),
                url: "https://example.com/webhook".into(),
                created_at: ts("2025-01-01T00:00:00Z"),
                paused: false,
                description: Some("Test endpoint".into()),
            }],
            has_more: true,
            next_cursor: Some("c1".into()),
        }
    );

    let cases = [
        (json!({"data": [], "meta": {"next_cursor": null}}), false, None),
        (json!({"data": [], "meta": {"next_cursor": ""}}), false, Some(String::new())),
        (json!({"data": [], "meta": {"request_id": "r"}}), false, None),
        (json!({"data": []}), false, None),
        (json!({"data": [], "meta": {"has_more": true}}), false, None),
    ];
    for (body, has_more, next_cursor) in cases {
        let (list, req) = exchange(Scripted::json(200, body.clone()), async |c| c.list_endpoints(&Page::default()).await).await;
        req.expect("GET", "/v1/endpoints", None);
        assert_eq!((list.has_more, list.next_cursor), (has_more, next_cursor), "for {body}");
    }
}

#[tokio::test]
async fn update_endpoint_sends_every_given_field_including_falsy_ones() {
    let changes = UpdateEndpointOptions {
        url: Some("https://example.com/v2".into()),
        description: Some(String::new()),
        rate_limit_rps: Some(0),
        burst: Some(0),
        headers: Some(HeaderMap::new()),
        signature_scheme: Some(SignatureScheme::Hookbridge),
    };
    let hosted = Scripted::data(json!({"id": EP, "updated": true}));
    let (_, req) = exchange(hosted, async |c| c.update_endpoint(EP, &changes).await).await;
    req.expect("PATCH", &format!("/v1/endpoints/{EP}"), None)
        .expect_json(json!({"url": "https://example.com/v2", "description": "", "rate_limit_rps": 0, "burst": 0, "headers": {},
            "signature_scheme": "hookbridge"}));
    assert_eq!(req.json_keys(), ["url", "description", "rate_limit_rps", "burst", "headers", "signature_scheme"]);

    let only_burst = UpdateEndpointOptions { burst: Some(5), ..UpdateEndpointOptions::default() };
    let (_, req) = exchange(Scripted::empty(204), async |c| c.update_endpoint(EP, &only_burst).await).await;
    req.expect_json(json!({"burst": 5}));

    let (_, req) = exchange(Scripted::empty(204), async |c| c.update_endpoint(EP, &UpdateEndpointOptions::default()).await).await;
    assert_eq!(req.body, b"{}", "an empty update still sends an empty JSON object");
}

#[tokio::test]
async fn delete_endpoint() {
    let (_, req) = exchange(Scripted::data(json!({"deleted": true})), async |c| c.delete_endpoint(EP).await).await;
    req.expect("DELETE", &format!("/v1/endpoints/{EP}"), None).expect_no_body();
}

#[tokio::test]
async fn pause_and_resume_endpoint() {
    let paused = Scripted::data(json!({"id": EP, "paused": true, "messages_requeued": 3}));
    let (state, req) = exchange(paused, async |c| c.pause_endpoint(EP).await).await;
    req.expect("POST", &format!("/v1/endpoints/{EP}/pause"), None).expect_no_body();
    assert_eq!(state, PauseState { id: EP.into(), paused: true, messages_requeued: Some(3) }, "pause returns the server's count");

    let resumed = Scripted::data(json!({"id": EP, "paused": false, "messages_requeued": 7}));
    let (state, req) = exchange(resumed, async |c| c.resume_endpoint(EP).await).await;
    req.expect("POST", &format!("/v1/endpoints/{EP}/resume"), None).expect_no_body();
    assert_eq!(state, PauseState { id: EP.into(), paused: false, messages_requeued: Some(7) });

    let (state, _) = exchange(Scripted::data(json!({"id": EP, "paused": false})), async |c| c.resume_endpoint(EP).await).await;
    assert_eq!(state.messages_requeued, None);
}

#[tokio::test]
async fn create_endpoint_signing_key_and_rotate_send_the_same_request() {
    let data = json!({"id": SK, "signing_secret": "whsec_newabcdefghijklmnopqrstuvwxyz12", "key_hint": "yz12", "created_at": "2025-12-06T12:00:00Z"});
    let expected = RotateSecretResponse {
        id: SK.into(),
        signing_secret: "whsec_newabcdefghijklmnopqrstuvwxyz12".into(),
        key_hint: Some("yz12".into()),
        created_at: Some(ts("2025-12-06T12:00:00Z")),
    };
    let (key, req) = exchange(Scripted::data(data.clone()), async |c| c.create_endpoint_signing_key(EP).await).await;
    req.expect("POST", &format!("/v1/endpoints/{EP}/signing-keys"), None).expect_no_body();
    assert_eq!(key, expected);
    let (key, req) = exchange(Scripted::data(data), async |c| c.rotate_endpoint_secret(EP).await).await;
    req.expect("POST", &format!("/v1/endpoints/{EP}/signing-keys"), None).expect_no_body();
    assert_eq!(key, expected);

    for created_at in [json!(null), json!("")] {
        let data = json!({"id": EP, "signing_secret": "whsec_new_secret_12345", "created_at": created_at});
        let (key, _) = exchange(Scripted::data(data), async |c| c.rotate_endpoint_secret(EP).await).await;
        assert_eq!((key.key_hint, key.created_at), (None, None));
    }
    let (key, _) =
        exchange(Scripted::data(json!({"id": EP, "signing_secret": "s"})), async |c| c.rotate_endpoint_secret(EP).await).await;
    assert_eq!(key.created_at, None);
}

#[tokio::test]
async fn list_and_delete_endpoint_signing_keys() {
    let data = json!([{"id": SK, "key_hint": "yz12", "created_at": "2025-12-06T12:00:00Z"}]);
    let (keys, req) = exchange(Scripted::data(data), async |c| c.list_endpoint_signing_keys(EP).await).await;
    req.expect("GET", &format!("/v1/endpoints/{EP}/signing-keys"), None).expect_no_body();
    assert_eq!(keys, vec![SigningKey { id: SK.into(), key_hint: "yz12".into(), created_at: ts("2025-12-06T12:00:00Z") }]);

    let (_, req) = exchange(Scripted::empty(204), async |c| c.delete_endpoint_signing_key(EP, SK).await).await;
    req.expect("DELETE", &format!("/v1/endpoints/{EP}/signing-keys/{SK}"), None).expect_no_body();
}

#[tokio::test]
async fn list_api_keys() {
    let data = json!([
        {"key_id": "key-12345", "label": "test-key", "prefix": "hb_test_abc", "created_at": "2025-01-01T00:00:00Z", "last_used_at": "2025-01-01T12:00:00Z"},
        {"key_id": "key-2", "label": null, "prefix": "hb_live_xyz", "created_at": "2025-01-01T00:00:00Z", "last_used_at": null},
        {"key_id": "key-3", "label": "", "prefix": "hb_live_xyz", "created_at": "2025-01-01T00:00:00Z", "last_used_at": ""}
    ]);
    let (keys, req) = exchange(Scripted::data(data), async |c| c.list_api_keys().await).await;
    req.expect("GET", "/v1/api-keys", None).expect_no_body();
    assert_eq!(
        keys[0],
        ApiKeyInfo {
            key_id: "key-12345".into(),
            label: Some("test-key".into()),
            prefix: "hb_test_abc".into(),
            created_at: ts("2025-01-01T00:00:00Z"),
            last_used_at: Some(ts("2025-01-01T12:00:00Z")),
        }
    );
    assert_eq!((keys[1].label.as_deref(), keys[1].last_used_at), (None, None));
    assert_eq!((keys[2].label.as_deref(), keys[2].last_used_at), (Some(""), None));
}

#[tokio::test]
async fn create_api_key_sends_mode_and_a_label_unless_none() {
    let data = json!({"key_id": "key-new-12345", "key": "hb_test_new_key_value", "prefix": "hb_test_new", "label": "new-key", "created_at": "2025-01-01T00:00:00Z"});
    let (key, req) =
        exchange(Scripted::data(data), async |c| c.create_api_key(hookbridge::api::key_mode::TEST, Some("new-key")).await).await;
    req.expect("POST", "/v1/api-keys", None).expect_json(json!({"mode": "test", "label": "new-key"}));
    assert_eq!(
        key,
        CreateApiKeyResponse {
            key_id: "key-new-12345".into(),
            key: "hb_test_new_key_value".into(),
            prefix: "hb_test_new".into(),
            label: Some("new-key".into()),
            created_at: ts("2025-01-01T00:00:00Z"),
        }
    );
    let data =
        json!({"key_id": "k", "key": "hb_live_x", "prefix": "hb_live_x", "label": "", "created_at": "2025-01-01T00:00:00Z"});
    let (_, req) = exchange(Scripted::data(data.clone()), async |c| c.create_api_key("live", Some("")).await).await;
    req.expect_json(json!({"mode": "live", "label": ""}));
    let (_, req) = exchange(Scripted::data(data), async |c| c.create_api_key("live", None).await).await;
    req.expect_json(json!({"mode": "live"}));
}

#[tokio::test]
async fn delete_api_key() {
    let (_, req) = exchange(Scripted::data(json!({"deleted": true})), async |c| c.delete_api_key("key-12345").await).await;
    req.expect("DELETE", "/v1/api-keys/key-12345", None).expect_no_body();
}

fn project_json(name: &str, rate: i64) -> serde_json::Value {
    json!({"id": PROJECT, "tenant_id": "tenant_abc123", "name": name, "status": "active", "rate_limit_default": rate, "created_at": "2025-12-01T10:00:00Z"})
}

fn project(name: &str, rate: i64) -> Project {
    Project {
        id: PROJECT.into(),
        tenant_id: "tenant_abc123".into(),
        name: name.into(),
        status: "active".into(),
        rate_limit_default: rate,
        created_at: ts("2025-12-01T10:00:00Z"),
    }
}

#[tokio::test]
async fn list_and_get_projects() {
    let (projects, req) =
        exchange(Scripted::data(json!([project_json("Production Webhooks", 1000)])), async |c| c.list_projects().await).await;
    req.expect("GET", "/v1/projects", None).expect_no_body();
    assert_eq!(projects, vec![project("Production Webhooks", 1000)]);

    let (got, req) =
        exchange(Scripted::data(project_json("Production Webhooks", 1000)), async |c| c.get_project(PROJECT).await).await;
    req.expect("GET", &format!("/v1/projects/{PROJECT}"), None).expect_no_body();
    assert_eq!(got, project("Production Webhooks", 1000));
}

#[tokio::test]
async fn create_project_with_and_without_rate_limit() {
    let (created, req) = exchange(Scripted::data(project_json("Production Webhooks", 1000)), async |c| {
        c.create_project("Production Webhooks", Some(1000)).await
    })
    .await;
    req.expect("POST", "/v1/projects", None).expect_json(json!({"name": "Production Webhooks", "rate_limit_default": 1000}));
    assert_eq!(created, project("Production Webhooks", 1000));

    let (_, req) = exchange(Scripted::data(project_json("P", 1000)), async |c| c.create_project("P", None).await).await;
    req.expect_json(json!({"name": "P"}));
    let (_, req) = exchange(Scripted::data(project_json("P", 0)), async |c| c.create_project("P", Some(0)).await).await;
    req.expect_json(json!({"name": "P", "rate_limit_default": 0}));
}

#[tokio::test]
async fn update_project_puts_only_given_fields() {
    let (updated, req) = exchange(Scripted::data(project_json("Renamed Project", 2000)), async |c| {
        c.update_project(PROJECT, Some("Renamed Project"), Some(2000)).await
    })
    .await;
    req.expect("PUT", &format!("/v1/projects/{PROJECT}"), None)
        .expect_json(json!({"name": "Renamed Project", "rate_limit_default": 2000}));
    assert_eq!(updated, project("Renamed Project", 2000));

    let (_, req) = exchange(Scripted::data(project_json("P", 5)), async |c| c.update_project(PROJECT, None, Some(5)).await).await;
    req.expect_json(json!({"rate_limit_default": 5}));
    let (_, req) = exchange(Scripted::data(project_json("P", 5)), async |c| c.update_project(PROJECT, None, None).await).await;
    assert_eq!(req.body, b"{}");
}

#[tokio::test]
async fn delete_project() {
    let (_, req) = exchange(Scripted::data(json!({"deleted": true})), async |c| c.delete_project(PROJECT).await).await;
    req.expect("DELETE", &format!("/v1/projects/{PROJECT}"), None).expect_no_body();
}
